//! The room job, on every instance: keeps this instance's connections marked alive, announces the
//! departure of members whose instance died, settles attendance once each virtual occurrence is
//! five minutes old, and forgets room messages older than `room_history_days`.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

use super::commands::post;
use super::protocol::ServerMsg;
use super::{GRACE_MINUTES, PRESENCE_TTL_MS};
use crate::events::series::expand;
use crate::state::AppState;

/// Occurrences are settled if they started within this many hours (a server that was down longer
/// leaves older ones unsettled rather than guessing).
const LOOK_BACK_HOURS: i64 = 24;

/// Refreshes this instance's presence rows and announces members whose connections expired.
pub async fn refresh_presence(state: &AppState, now: i64) -> anyhow::Result<usize> {
    state.db.touch_presence(&state.rooms.instance_id, now).await?;
    let gone = state.db.expire_presence(now - PRESENCE_TTL_MS).await?;
    for (room, user) in &gone {
        let name = state.db.user(user).await?.map(|u| u.display_name).unwrap_or_default();
        let left = |id, at| ServerMsg::Left { id, at, user_id: user.clone(), name };
        post(state, room, "left", Some(user), None, left).await?;
    }
    Ok(gone.len())
}

/// Settles attendance of every virtual occurrence whose grace period ended by `now`: members
/// going who were not in the room are no-shows. Returns how many no-shows were recorded.
pub async fn settle_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let grace = TimeDelta::minutes(GRACE_MINUTES);
    let from = now - TimeDelta::hours(LOOK_BACK_HOURS);
    let mut marked = 0;
    for e in state.db.all_events_between(from.timestamp_millis(), now.timestamp_millis()).await? {
        if e.is_virtual != 1 {
            continue;
        }
        let overrides = state.db.overrides(&e.id).await?;
        for occ in
            expand(&e, &overrides, from, now).into_iter().filter(|o| !o.cancelled && o.start + grace <= now)
        {
            if state.db.room_checked(&e.id, occ.key).await? {
                continue;
            }
            let deadline = (occ.start + grace).timestamp_millis();
            let stamp = now.timestamp_millis().min(crate::web::now_ms());
            if let Some(no_shows) = state.db.settle_room_attendance(&e.id, occ.key, deadline, stamp).await? {
                marked += no_shows.len();
            }
        }
    }
    Ok(marked)
}

/// The job loop, every `room_poll_ms` (at most 30 s) until shutdown; old messages are purged
/// hourly.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    // Presence rows expire after PRESENCE_TTL_MS: refresh well within it, whatever the setting.
    let every = Duration::from_millis(state.config.room_poll_ms.clamp(500, 30_000));
    let mut purged: Option<tokio::time::Instant> = None;
    loop {
        let now = Utc::now();
        if let Err(e) = refresh_presence(&state, now.timestamp_millis()).await {
            tracing::error!(error = ?e, "room presence refresh failed; retrying");
        }
        if let Err(e) = settle_due(&state, now).await {
            tracing::error!(error = ?e, "room attendance failed; retrying");
        }
        if purged.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
            let before = now - TimeDelta::days(state.config.room_history_days.max(1));
            match state.db.purge_room_messages(before.timestamp_millis()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "old room messages removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "room message purge failed"),
            }
            purged = Some(tokio::time::Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
