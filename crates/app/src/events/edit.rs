//! Editing a series from an occurrence on ("this and following") and ending it from a date on.

use chrono::{DateTime, NaiveDate};
use domain::recurrence::Series;
use domain::FieldErrors;
use store::events::{Event, EventFields};

use super::changes::{self, Edit};
use super::input::{format_local, EventInput};
use super::series::{fields_of, of_event, with_bounds};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// Stored fields with the schedule of `s`.
fn with_series(mut f: EventFields, s: &Series) -> EventFields {
    f.start_local = format_local(s.first_start);
    f.rrule = s.rule.as_ref().map(ToString::to_string).unwrap_or_default();
    f.exdates = s.exdates.iter().map(|d| format_local(*d)).collect::<Vec<_>>().join(",");
    f
}

fn corrupt() -> AppError {
    AppError::Internal(anyhow::anyhow!("stored event has an invalid schedule"))
}

/// Splits the series at the occurrence keyed `key`: the occurrences before it stay with `e`, the
/// rest become a new event with `changes` applied. Answers move with their occurrences when the
/// schedule is unchanged; when the times change, answers for the old times are dropped.
pub async fn split(state: &AppState, e: &Event, key: i64, changes: &EventInput) -> Result<Event, AppError> {
    let series = of_event(e).ok_or_else(corrupt)?;
    let not_one = || {
        AppError::Invalid(FieldErrors::one("occurrence_start", "This event has no occurrence at that time."))
    };
    let at = DateTime::from_timestamp_millis(key).ok_or_else(not_one)?;
    let occ = series.occurrence_starting(at).ok_or_else(not_one)?;
    let split = series
        .split_at(occ.recurrence_id)
        .map_err(|err| AppError::Invalid(FieldErrors::one("occurrence_start", err.to_string())))?;
    let tail_base = with_series(fields_of(e), &split.tail);
    // A series taking venues in turn goes on with the turn where the dates before left it
    // (unless this edit gives it new venues): the split's first date is at the venue whose turn
    // it was, cancelled dates before it counted as their turns were.
    let mut changes = changes.clone();
    let turns = crate::venues::rotation(e);
    if changes.venue_rotation.is_none() && !turns.is_empty() {
        let overrides = state.db.overrides(&e.id).await?;
        let first = DateTime::from_timestamp_millis(e.first_start_at).unwrap_or_default();
        let n = super::series::expand(e, &overrides, first, at).iter().filter(|o| o.key < key).count();
        changes.venue_rotation =
            Some((0..turns.len()).map(|i| turns[(n + i) % turns.len()].clone()).collect());
        crate::venues::fill_place(state, &mut changes).await?;
    }
    let tail = with_bounds(super::input::apply(&changes, Some(&tail_base))?)?;
    let same_schedule = tail.start_local == tail_base.start_local
        && tail.time_zone == tail_base.time_zone
        && tail.rrule == tail_base.rrule;
    let now = now_ms();
    let tail_id = state.db.create_event(&e.host_id, &tail, now).await?;
    // With new times, the answers for the old ones are cleared, and those who gave them told.
    let mut cleared = None;
    if same_schedule {
        state.db.move_occurrences(&e.id, &tail_id, key).await?;
    } else {
        let from = key.max(now);
        let told = (changes::concerned(state, e, from).await?, super::dates_cancelled(state, e, from).await?);
        state.db.drop_occurrences(&e.id, key).await?;
        cleared = Some(told);
    }
    match split.head {
        Some(head) => {
            let head = with_bounds(with_series(fields_of(e), &head))?;
            state.db.update_event(&e.id, &head, now).await?;
        }
        None => state.db.delete_event(&e.id).await?,
    }
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
    let tail = state.db.event(&tail_id).await?.ok_or(AppError::NotFound)?;
    if let Some((concerned, dates)) = cleared {
        changes::tell(state, &tail, &Edit::Split, &dates, &concerned).await?;
    }
    Ok(tail)
}

/// Ends the series before `date` (in the event's zone). Returns the shortened event, or `None`
/// when nothing was left and the event was deleted.
pub async fn end_from(state: &AppState, e: &Event, date: NaiveDate) -> Result<Option<Event>, AppError> {
    let series = of_event(e).ok_or_else(corrupt)?;
    let from_key = domain::recurrence::resolve(series.zone, date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .timestamp_millis();
    let from = from_key.max(now_ms());
    let concerned = changes::concerned(state, e, from).await?;
    let dates = super::dates_cancelled(state, e, from).await?;
    let kept = end_series(state, e, &series, date, from_key).await?;
    let edit = if kept.is_some() { Edit::Ended } else { Edit::Deleted };
    changes::tell(state, e, &edit, &dates, &concerned).await?;
    Ok(kept)
}

/// Stores the series ended before `date` (whose first instant is `from_key`).
async fn end_series(
    state: &AppState,
    e: &Event,
    series: &Series,
    date: NaiveDate,
    from_key: i64,
) -> Result<Option<Event>, AppError> {
    match series.cancel_from(date) {
        Some(kept) => {
            let fields = with_bounds(with_series(fields_of(e), &kept))?;
            state.db.update_event(&e.id, &fields, now_ms()).await?;
            state.db.drop_occurrences(&e.id, from_key).await?;
            crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
            Ok(state.db.event(&e.id).await?)
        }
        None => {
            state.db.delete_event(&e.id).await?;
            crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
            Ok(None)
        }
    }
}
