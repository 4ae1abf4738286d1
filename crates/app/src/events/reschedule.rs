//! Changing a whole series' schedule (its start, zone or repeat rule) keeps what people said: the
//! n-th upcoming date under the old schedule hands its answers, goals, per-date changes and sent
//! reminders to the n-th upcoming date under the new one, and everyone who had answered an
//! upcoming date is told what became of it. Without this, answers stay keyed to dates that no longer exist.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use store::events::Event;

use super::changes::{self, DateChange, Edit};
use super::{series, MAX_WINDOW_DAYS};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// The upcoming dates of a series before its schedule changes, with when each really started
/// (moved or cancelled by a per-date change).
#[derive(Debug)]
pub struct Before {
    keys: Vec<i64>,
    starts: BTreeMap<i64, Option<DateTime<Utc>>>,
}

/// The keys of `e`'s upcoming dates (cancelled ones too: the n-th stays cancelled).
fn upcoming(e: &Event) -> Vec<i64> {
    let now = Utc::now();
    series::expand(e, &[], now, now + TimeDelta::days(MAX_WINDOW_DAYS)).into_iter().map(|o| o.key).collect()
}

/// Notes the upcoming dates of `e`, to call [`carry_over`] with once the new schedule is stored.
pub async fn before(state: &AppState, e: &Event) -> Result<Before, AppError> {
    let keys = upcoming(e);
    let overrides = state.db.overrides(&e.id).await?;
    let starts = keys
        .iter()
        .map(|k| (*k, series::find(e, &overrides, *k).filter(|o| !o.cancelled).map(|o| o.start)))
        .collect();
    Ok(Before { keys, starts })
}

/// Moves what belonged to the old upcoming dates onto the new ones and tells those concerned
/// (`changes`): each of their dates moved, or cancelled when the new schedule has fewer.
pub async fn carry_over(state: &AppState, updated: &Event, before: &Before) -> Result<(), AppError> {
    let after = upcoming(updated);
    let pairs: Vec<(i64, i64)> =
        before.keys.iter().zip(after.iter()).map(|(a, b)| (*a, *b)).filter(|(a, b)| a != b).collect();
    let from = before.keys.first().copied().unwrap_or_else(now_ms);
    let concerned = changes::concerned(state, updated, from).await?;
    if !pairs.is_empty() {
        state.db.remap_occurrences(&updated.id, &pairs).await?;
    }
    // What each old date became: where it starts now (its per-date changes moved along with it),
    // or nothing when the new schedule has fewer dates.
    let overrides = state.db.overrides(&updated.id).await?;
    let was = |k: &i64| before.starts.get(k).copied().flatten();
    let now = |k: i64| series::find(updated, &overrides, k).filter(|o| !o.cancelled).map(|o| o.start);
    let moved =
        pairs.iter().filter_map(|(old, new)| DateChange::between(was(old), now(*new)).map(|c| (*old, c)));
    let dropped = before
        .keys
        .iter()
        .skip(after.len())
        .filter_map(|k| DateChange::between(was(k), None).map(|c| (*k, c)));
    let dates: BTreeMap<i64, DateChange> = moved.chain(dropped).collect();
    changes::tell(state, updated, &Edit::NewTimes, &dates, &concerned).await
}
