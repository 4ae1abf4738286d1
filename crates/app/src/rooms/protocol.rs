//! The room protocol, version 1: typed JSON frames, one per WebSocket text message, each an object
//! with a `"type"`. Every frame is documented in `docs/room-protocol.md`; keep the two in step.

use serde::{Deserialize, Serialize};

/// The protocol version this server speaks (`?v=` on the socket URL).
pub const PROTOCOL: u32 = 1;
/// The longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 2000;
/// The largest frame a client may send, in bytes; a larger one closes that connection.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// A fresh join (no `after`) is sent at most this many of the latest chat messages.
pub const HISTORY: i64 = 200;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// A chat message to everyone in the room.
    Chat { text: String },
    /// A host command for the phase timer.
    Timer {
        action: TimerAction,
        /// For `set_focus`: 25, 50 or 75.
        #[serde(default)]
        focus_minutes: Option<i64>,
    },
    /// At check-out: my goal for this session is done or not.
    Goal { done: bool },
    /// Keeps the connection alive and measures the clock: answered by `pong`.
    Ping,
}

/// What the host may do with the timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerAction {
    Start,
    Pause,
    Resume,
    Skip,
    SetFocus,
}

/// A member as rooms show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// A member's goal for the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalView {
    pub user_id: String,
    pub name: String,
    pub goal: String,
    /// `null` until ticked at check-out.
    pub done: Option<bool>,
}

/// One phase and when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseEnd {
    pub phase: &'static str,
    pub ends_at: i64,
}

/// The timer as clients see it: absolute instants (UTC ms), so a late joiner computes the right
/// remaining time from its own clock (corrected by the `now` of `welcome` and `pong`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimerView {
    /// waiting | running | paused | ended
    pub state: &'static str,
    /// The phase now (running or paused).
    pub phase: Option<&'static str>,
    /// When the current phase ends (running).
    pub ends_at: Option<i64>,
    /// What is left of the current phase (paused).
    pub remaining_ms: Option<i64>,
    pub focus_minutes: i64,
    /// The scheduled start: a waiting timer starts by itself then.
    pub starts_at: i64,
    /// The phases still to come with their ends: running from now, or (waiting) from `starts_at`.
    pub schedule: Vec<PhaseEnd>,
}

/// The room itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomInfo {
    pub event_id: String,
    pub occurrence_start: i64,
    pub title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub host_id: String,
    /// The external video link (https), if the host set one.
    pub video_url: Option<String>,
}

/// The `welcome` frame's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Welcome {
    pub protocol: u32,
    pub room: RoomInfo,
    pub me: Person,
    pub is_host: bool,
    pub now: i64,
    pub timer: TimerView,
    pub present: Vec<Person>,
    pub goals: Vec<GoalView>,
    /// The id of the latest message when this snapshot was taken.
    pub last_id: i64,
    /// `resume`: every message after the client's `after` follows; `history`: the latest chat
    /// messages follow.
    pub replay: &'static str,
}

/// What the server sends. Frames with an `id` are stored and numbered per room (1, 2, 3 …); a
/// client remembers the highest it has seen and resumes with `?after=` that id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// First frame on every connection: the state of the room now.
    Welcome(Box<Welcome>),
    Chat {
        id: i64,
        at: i64,
        user_id: String,
        name: String,
        text: String,
    },
    Joined {
        id: i64,
        at: i64,
        user_id: String,
        name: String,
    },
    Left {
        id: i64,
        at: i64,
        user_id: String,
        name: String,
    },
    Timer {
        id: i64,
        at: i64,
        by: String,
        timer: TimerView,
    },
    Goal {
        id: i64,
        at: i64,
        user_id: String,
        done: bool,
    },
    /// Not stored: something the client sent was refused; the connection stays open.
    Error {
        code: &'static str,
        message: String,
    },
    /// Not stored: the answer to `ping`.
    Pong {
        now: i64,
    },
}

impl ServerMsg {
    /// The frame as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames always serialise")
    }

    /// An error frame.
    pub fn error(code: &'static str, message: impl Into<String>) -> ServerMsg {
        ServerMsg::Error { code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_and_unknown_ones_do_not() {
        assert_eq!(
            serde_json::from_str::<ClientMsg>(r#"{"type":"chat","text":"hi"}"#).ok(),
            Some(ClientMsg::Chat { text: "hi".into() })
        );
        assert_eq!(
            serde_json::from_str::<ClientMsg>(r#"{"type":"timer","action":"set_focus","focus_minutes":50}"#)
                .ok(),
            Some(ClientMsg::Timer { action: TimerAction::SetFocus, focus_minutes: Some(50) })
        );
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"shout","text":"hi"}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"chat","text":"hi","extra":1}"#).is_err());
    }

    #[test]
    fn server_frames_have_their_documented_shape() {
        let f = ServerMsg::Chat { id: 7, at: 1, user_id: "u".into(), name: "Ana".into(), text: "hi".into() };
        assert_eq!(f.to_json(), r#"{"type":"chat","id":7,"at":1,"user_id":"u","name":"Ana","text":"hi"}"#);
        assert_eq!(
            ServerMsg::error("malformed", "x").to_json(),
            r#"{"type":"error","code":"malformed","message":"x"}"#
        );
    }
}
