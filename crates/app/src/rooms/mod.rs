//! Live coworking rooms (C9): one per virtual occurrence, open only to its host and the members
//! going. The page (`pages.rs`) runs plain JavaScript that speaks the protocol in `protocol.rs`
//! over the WebSocket served by `socket.rs`; commands are handled in `commands.rs`; `hub.rs`
//! fans messages out on this instance and, on PostgreSQL, across instances; `job.rs` keeps
//! presence fresh, settles attendance and forgets old chat.

pub mod commands;
pub mod hub;
pub mod job;
pub mod pages;
pub mod protocol;
pub mod revoke;
pub mod socket;

use axum::routing::get;
use axum::Router;
use chrono::TimeDelta;
use domain::room::Timer;
use store::rooms::Room;
use store::users::User;

use crate::error::AppError;
use crate::events::series;
use crate::state::AppState;
use crate::web::now_ms;

/// A connection counts as present while its instance refreshed it this recently.
pub const PRESENCE_TTL_MS: i64 = 90_000;
/// Entering this long before the start counts towards attendance.
pub const EARLY_MINUTES: i64 = 30;
/// Members going who are not in the room this long after the start are no-shows.
pub const GRACE_MINUTES: i64 = 5;

/// The room routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/room", get(pages::show))
        .route("/events/{id}/room/ws", get(socket::upgrade))
}

/// A member allowed into an occurrence's room, with what the room needs to know. A connection
/// keeps this for its whole life, so it holds only that, not the member's and the event's rows
/// (the rooms load test: a connection's share of the server's memory, docs/benchmarks.md).
#[derive(Debug, Clone)]
pub struct Access {
    pub user_id: String,
    /// The member's display name.
    pub name: String,
    pub event_id: String,
    pub group_id: Option<String>,
    pub host_id: String,
    /// The event's time zone.
    pub time_zone: String,
    /// The external video link, kept only when it is https.
    pub video_url: Option<String>,
    pub key: i64,
    /// The occurrence's actual start and end (UTC ms; a moved occurrence keeps its key).
    pub starts_at: i64,
    pub ends_at: i64,
    pub title: String,
    pub is_host: bool,
}

impl Access {
    /// Whether entering now counts towards attendance.
    pub fn counts_as_visit(&self, now: i64) -> bool {
        now >= self.starts_at - TimeDelta::minutes(EARLY_MINUTES).num_milliseconds() && now <= self.ends_at
    }

    /// A waiting timer whose focus fits the occurrence.
    pub fn fresh_timer(&self) -> Timer {
        Timer::for_session((self.ends_at - self.starts_at) / 60_000)
    }

    /// The room, made on first use with a fresh timer.
    pub async fn room(&self, state: &AppState) -> Result<Room, AppError> {
        let json = serde_json::to_string(&self.fresh_timer()).expect("a timer serialises");
        Ok(state.db.open_room(&self.event_id, self.key, &json, now_ms()).await?)
    }
}

/// Who may enter: the event must be visible, virtual and have this occurrence (404 otherwise,
/// so nothing about it leaks); only its host and members going get in (403 for the others).
pub async fn access(state: &AppState, user: &User, event_id: &str, key: i64) -> Result<Access, AppError> {
    let event = crate::events::visible(state, user, event_id).await?;
    if event.is_virtual != 1 {
        return Err(AppError::NotFound);
    }
    let overrides = state.db.overrides(&event.id).await?;
    let occ = series::find(&event, &overrides, key).filter(|o| !o.cancelled).ok_or(AppError::NotFound)?;
    let going = state.db.my_rsvps(&event.id, &user.id).await?.iter().any(|(k, s)| *k == key && s == "going");
    // The two members of a focus pair are equals: both run the timer.
    let pair = crate::partners::focus::is_pair(state, &event.id).await?;
    let is_host = if pair { going } else { event.host_id == user.id };
    if !is_host && !going {
        return Err(AppError::Forbidden("Only the members going to this session can enter its room."));
    }
    Ok(Access {
        user_id: user.id.clone(),
        name: user.display_name.clone(),
        key,
        starts_at: occ.start.timestamp_millis(),
        ends_at: occ.end.timestamp_millis(),
        title: occ.title.clone(),
        is_host,
        video_url: Some(event.video_url).filter(|v| v.starts_with("https://")),
        event_id: event.id,
        group_id: event.group_id,
        host_id: event.host_id,
        time_zone: event.time_zone,
    })
}
