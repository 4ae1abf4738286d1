//! What a connection's frames do: chat, host timer commands, ticking a goal, ping. Each returns
//! at most one frame for the sender alone (an error or a pong); everything the room should see
//! is stored and announced through the hub.

use domain::room::{Phase, State, Timer};
use store::rooms::{Message, NewMessage};

use super::protocol::{ClientMsg, PhaseEnd, ServerMsg, TimerAction, TimerView, MAX_CHAT_CHARS};
use super::Access;
use crate::state::AppState;
use crate::web::now_ms;

/// A member's chat allowance in a room, shared by all their connections on every instance: at
/// most this many messages in any [`CHAT_WINDOW_MS`].
pub const CHAT_ALLOWANCE: i64 = 5;
/// The window the chat allowance is counted over.
pub const CHAT_WINDOW_MS: i64 = 10_000;

/// A stored timer, or a fresh one if the text is unreadable.
pub fn timer_of(json: &str, access: &Access) -> Timer {
    serde_json::from_str(json).unwrap_or_else(|_| access.fresh_timer())
}

/// The timer as clients see it at `now`.
pub fn timer_view(t: &Timer, now: i64, starts_at: i64) -> TimerView {
    let t = t.at(now, starts_at);
    let (state, phase, ends_at, remaining_ms) = match t.state {
        State::Waiting => ("waiting", None, None, None),
        State::Running { phase, ends_at } => ("running", Some(phase.as_str()), Some(ends_at), None),
        State::Paused { phase, remaining_ms } => ("paused", Some(phase.as_str()), None, Some(remaining_ms)),
        State::Ended => ("ended", None, None, None),
    };
    let planned = if t.state == State::Waiting { t.at(starts_at, starts_at) } else { t };
    let schedule =
        planned.schedule().into_iter().map(|(p, ends_at)| PhaseEnd { phase: p.as_str(), ends_at }).collect();
    TimerView { state, phase, ends_at, remaining_ms, focus_minutes: t.focus_minutes, starts_at, schedule }
}

/// Stores a frame built from its number and time, and hands it to the hub.
pub async fn post(
    state: &AppState,
    room_id: &str,
    kind: &str,
    user: Option<&str>,
    timer: Option<(&str, &str)>,
    frame: impl FnOnce(i64, i64) -> ServerMsg,
) -> Result<Option<Message>, store::StoreError> {
    post_within(state, room_id, (kind, user), timer, None, frame).await
}

/// Like [`post`], storing nothing when the sender has used `allowance` (how many messages of
/// this kind, and since when).
async fn post_within(
    state: &AppState,
    room_id: &str,
    (kind, user): (&str, Option<&str>),
    timer: Option<(&str, &str)>,
    allowance: Option<(i64, i64)>,
    frame: impl FnOnce(i64, i64) -> ServerMsg,
) -> Result<Option<Message>, store::StoreError> {
    let now = now_ms();
    let m = NewMessage { kind, user_id: user, timer, allowance, now };
    let stored = state.db.post_room_message(room_id, &m, |seq| frame(seq, now).to_json()).await?;
    if let Some(m) = &stored {
        state.rooms.posted(room_id, m);
    }
    Ok(stored)
}

/// Handles one text frame from a member.
pub async fn handle(state: &AppState, access: &Access, room_id: &str, text: &str) -> Option<ServerMsg> {
    let msg = match serde_json::from_str::<ClientMsg>(text) {
        Ok(m) => m,
        Err(e) => return Some(ServerMsg::error("malformed", format!("That frame was not understood: {e}."))),
    };
    let outcome = match msg {
        ClientMsg::Ping => return Some(ServerMsg::Pong { now: now_ms() }),
        ClientMsg::Chat { text } => chat(state, access, room_id, &text).await,
        ClientMsg::Timer { action, focus_minutes } => {
            timer(state, access, room_id, action, focus_minutes).await
        }
        ClientMsg::Goal { done } => goal(state, access, room_id, done).await,
    };
    match outcome {
        Ok(reply) => reply,
        Err(e) => {
            tracing::warn!(error = %e, room = %room_id, "room command failed");
            Some(ServerMsg::error("unavailable", "That could not be saved just now; try again."))
        }
    }
}

type Reply = Result<Option<ServerMsg>, store::StoreError>;

async fn chat(state: &AppState, access: &Access, room_id: &str, text: &str) -> Reply {
    let text = match domain::profile::check_text(text, MAX_CHAT_CHARS) {
        Ok(t) if t.is_empty() => return Ok(Some(ServerMsg::error("empty", "Write something first."))),
        Ok(t) => t,
        Err(_) if text.trim().chars().count() > MAX_CHAT_CHARS => {
            let m = format!("Keep chat messages to {MAX_CHAT_CHARS} characters or fewer.");
            return Ok(Some(ServerMsg::error("too_long", m)));
        }
        Err(e) => return Ok(Some(ServerMsg::error("invalid", e))),
    };
    let a = access;
    let allowance = Some((CHAT_ALLOWANCE, now_ms() - CHAT_WINDOW_MS));
    let chat = |id, at| ServerMsg::Chat { id, at, user_id: a.user_id.clone(), name: a.name.clone(), text };
    if post_within(state, room_id, ("chat", Some(&a.user_id)), None, allowance, chat).await?.is_none() {
        return Ok(Some(ServerMsg::error(
            "rate_limited",
            "You are sending messages too fast; wait a moment.",
        )));
    }
    Ok(None)
}

async fn timer(
    state: &AppState,
    access: &Access,
    room_id: &str,
    action: TimerAction,
    focus: Option<i64>,
) -> Reply {
    if !access.is_host {
        return Ok(Some(ServerMsg::error("forbidden", "Only the host can run the timer.")));
    }
    // Compare-and-set: if another command changed the timer in between, read it again.
    for _ in 0..5 {
        let Some(room) = state.db.room(room_id).await? else { return Ok(None) };
        let t = timer_of(&room.timer, access);
        let now = now_ms();
        let s = access.starts_at;
        let next = match action {
            TimerAction::Start => t.start(now, s),
            TimerAction::Pause => t.pause(now, s),
            TimerAction::Resume => t.resume(now, s),
            TimerAction::Skip => t.skip(now, s),
            TimerAction::SetFocus => match focus {
                Some(m) => t.set_focus(m, now, s),
                None => return Ok(Some(ServerMsg::error("malformed", "set_focus needs focus_minutes."))),
            },
        };
        let next = match next {
            Ok(n) => n,
            Err(e) => return Ok(Some(ServerMsg::error("timer", sentence(&e.to_string())))),
        };
        let json = serde_json::to_string(&next).expect("a timer serialises");
        let view = timer_view(&next, now, s);
        let by = access.user_id.clone();
        let frame = |id, at| ServerMsg::Timer { id, at, by, timer: view };
        if post(state, room_id, "timer", Some(&access.user_id), Some((&room.timer, &json)), frame)
            .await?
            .is_some()
        {
            return Ok(None);
        }
    }
    Ok(Some(ServerMsg::error("busy", "The timer changed at the same moment; try again.")))
}

async fn goal(state: &AppState, access: &Access, room_id: &str, done: bool) -> Reply {
    let Some(room) = state.db.room(room_id).await? else { return Ok(None) };
    let now = now_ms();
    let t = timer_of(&room.timer, access).at(now, access.starts_at);
    if t.state != State::Ended && t.phase() != Some(Phase::CheckOut) {
        return Ok(Some(ServerMsg::error("not_yet", "Goals are ticked at check-out.")));
    }
    let me = &access.user_id;
    if !state.db.set_goal_done(&access.event_id, access.key, me, done, now).await? {
        return Ok(Some(ServerMsg::error(
            "no_goal",
            "Only members going to this session have a goal to tick.",
        )));
    }
    post(state, room_id, "goal", Some(me), None, |id, at| ServerMsg::Goal {
        id,
        at,
        user_id: me.clone(),
        done,
    })
    .await?;
    Ok(None)
}

/// "the room has ended" → "The room has ended."
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect::<String>() + ".")
}
