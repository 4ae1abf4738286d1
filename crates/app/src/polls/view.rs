//! How a poll looks to one viewer: its slots with the votes tallied and the best ones marked.

use chrono::DateTime;
use serde::Serialize;
use store::polls::Poll;
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// Votes tallied per slot, for views.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotView {
    /// RFC 3339.
    pub start: String,
    pub end: String,
    /// Epoch ms: pass as `start` to vote or close.
    pub key: i64,
    /// "7 of 8 free" at the time the poll was made.
    pub explain: String,
    pub yes: Vec<String>,
    pub if_need_be: Vec<String>,
    pub no: Vec<String>,
    /// My vote, if any.
    pub mine: Option<String>,
    /// Best so far (most yes, then if-need-be).
    pub best: bool,
}

/// A poll as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollView {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub duration_minutes: i64,
    pub time_zone: String,
    pub organiser_id: String,
    pub invitees: Vec<String>,
    pub closed: bool,
    /// The event made from the winner.
    pub event_id: Option<String>,
    pub slots: Vec<SlotView>,
}

/// The view of a poll for `viewer`.
pub async fn view(
    state: &AppState,
    viewer: &User,
    poll: &Poll,
    invitees: &[(String, String)],
) -> Result<PollView, AppError> {
    let votes = state.db.poll_votes(&poll.id).await?;
    let mut slots: Vec<SlotView> = state
        .db
        .poll_slots(&poll.id)
        .await?
        .into_iter()
        .map(|s| {
            let names = |kind: &str| {
                votes
                    .iter()
                    .filter(|v| v.0 == s.start_at && v.3 == kind)
                    .map(|v| v.2.clone())
                    .collect::<Vec<_>>()
            };
            let fmt = |ms: i64| {
                DateTime::from_timestamp_millis(ms)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default()
            };
            SlotView {
                start: fmt(s.start_at),
                end: fmt(s.end_at),
                key: s.start_at,
                explain: s.explain.clone(),
                yes: names("yes"),
                if_need_be: names("ifneedbe"),
                no: names("no"),
                mine: votes.iter().find(|v| v.0 == s.start_at && v.1 == viewer.id).map(|v| v.3.clone()),
                best: false,
            }
        })
        .collect();
    let score = |s: &SlotView| (s.yes.len() * 2 + s.if_need_be.len(), std::cmp::Reverse(s.no.len()));
    if let Some(best) =
        slots.iter().filter(|s| !s.yes.is_empty() || !s.if_need_be.is_empty()).map(score).max()
    {
        for s in slots.iter_mut().filter(|s| score(s) == best) {
            s.best = true;
        }
    }
    Ok(PollView {
        id: poll.id.clone(),
        title: poll.title.clone(),
        kind: poll.kind.clone(),
        duration_minutes: poll.duration_minutes,
        time_zone: poll.time_zone.clone(),
        organiser_id: poll.organiser_id.clone(),
        invitees: invitees.iter().map(|(_, n)| n.clone()).collect(),
        closed: poll.closed_at.is_some(),
        event_id: poll.event_id.clone(),
        slots,
    })
}
