//! From stored events to occurrences: builds the domain `Series`, applies per-occurrence
//! overrides, and computes the bounds the store uses to pre-filter by window.
//!
//! An occurrence is keyed by its *original* start instant (UTC ms): the rule's scheduled wall time
//! resolved in the event's zone. RSVPs and overrides use that key, so moving one occurrence keeps
//! its answers.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use domain::recurrence::{resolve, Preset, Rule, Series};
use serde::Serialize;
use store::events::{Event, EventFields, Override};

use super::input::{format_local, parse_local};

/// One occurrence as shown and answered.
#[derive(Debug, Clone, Serialize)]
pub struct Occ {
    /// The key: original start, UTC ms.
    pub key: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Local start in the event's zone.
    pub local_start: NaiveDateTime,
    pub title: String,
    pub cancelled: bool,
}

/// The rule for a preset, as RRULE text.
pub fn preset(name: &str, start: NaiveDateTime) -> Result<String, String> {
    Preset::parse(name).map(|p| p.rule(start.date()).to_string())
}

fn parts(start_local: &str, zone: &str, minutes: i64, rrule: &str, exdates: &str) -> Option<Series> {
    let start = parse_local(start_local)?;
    let zone: Tz = zone.parse().ok()?;
    let minutes = u32::try_from(minutes).ok()?;
    let series = if rrule.is_empty() {
        Series::once(start, zone, minutes)
    } else {
        Series::repeating(start, zone, minutes, Rule::parse(rrule).ok()?)
    };
    Some(series.with_exdates(exdates.split(',').filter_map(parse_local)))
}

/// The series of stored fields; `None` only if the stored data is corrupt (inputs are checked).
pub fn of_fields(f: &EventFields) -> Option<Series> {
    parts(&f.start_local, &f.time_zone, f.duration_minutes, &f.rrule, &f.exdates)
}

/// The series of a stored event.
pub fn of_event(e: &Event) -> Option<Series> {
    parts(&e.start_local, &e.time_zone, e.duration_minutes, &e.rrule, &e.exdates)
}

/// The stored fields of an event, for editing.
pub fn fields_of(e: &Event) -> EventFields {
    EventFields {
        kind: e.kind.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        is_virtual: e.is_virtual == 1,
        place_name: e.place_name.clone(),
        city_id: e.city_id,
        city_label: e.city_label.clone(),
        video_url: e.video_url.clone(),
        start_local: e.start_local.clone(),
        time_zone: e.time_zone.clone(),
        duration_minutes: e.duration_minutes,
        rrule: e.rrule.clone(),
        exdates: e.exdates.clone(),
        first_start_at: e.first_start_at,
        last_end_at: e.last_end_at,
        capacity: e.capacity,
        visibility: e.visibility.clone(),
        group_id: e.group_id.clone(),
        venue_id: e.venue_id.clone(),
        venue_rotation: e.venue_rotation.clone(),
    }
}

/// Fills in the bounds the store filters windows by. `Err` when the rule yields no occurrence.
pub fn with_bounds(mut f: EventFields) -> Result<EventFields, domain::FieldErrors> {
    let Some(series) = of_fields(&f) else {
        return Err(domain::FieldErrors::one("starts_at_local", "This start can't be scheduled."));
    };
    let first = series.occurrence_at(series.first_start);
    let first_start = first.map(|o| o.start).unwrap_or_else(|| resolve(series.zone, series.first_start));
    f.first_start_at = first_start.timestamp_millis();
    // Overrides may move an occurrence later by up to a day; keep the window generous.
    f.last_end_at = series.ends_by().map(|t| t.timestamp_millis() + 86_400_000);
    Ok(f)
}

/// The keys (original starts) every occurrence `expand(…, from, to)` can yield fall in: a key
/// is its slot's wall time resolved in the event's zone, within hours of the slot's start, so a
/// day either side is more than enough. Windowed reads of answers, seats and overrides use it.
pub fn keys_of(from: DateTime<Utc>, to: DateTime<Utc>) -> std::ops::Range<i64> {
    const DAY: i64 = 86_400_000;
    from.timestamp_millis().saturating_sub(DAY)..to.timestamp_millis().saturating_add(DAY)
}

/// Occurrences of `e` starting in `[from, to)`, with overrides applied (cancelled ones are kept
/// and marked, so pages can say so).
pub fn expand(e: &Event, overrides: &[Override], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occ> {
    let Some(series) = of_event(e) else {
        tracing::error!(event = %e.id, "stored event has an invalid schedule");
        return Vec::new();
    };
    series
        .occurrences(from, to)
        .map(|o| {
            let key = resolve(series.zone, o.recurrence_id).timestamp_millis();
            let mut occ = Occ {
                key,
                start: o.start,
                end: o.end,
                local_start: o.local_start,
                title: e.title.clone(),
                cancelled: false,
            };
            if let Some(ov) = overrides.iter().find(|ov| ov.occurrence_start == key) {
                occ.cancelled = ov.cancelled == 1;
                if let Some(t) = &ov.title {
                    occ.title = t.clone();
                }
                let minutes = ov.duration_minutes.unwrap_or(e.duration_minutes);
                if let Some(local) = ov.start_local.as_deref().and_then(parse_local) {
                    occ.local_start = local;
                    occ.start = resolve(series.zone, local);
                }
                occ.end = occ.start + chrono::TimeDelta::minutes(minutes);
            }
            occ
        })
        .collect()
}

/// The occurrence with this key, if the series has one.
pub fn find(e: &Event, overrides: &[Override], key: i64) -> Option<Occ> {
    let at = DateTime::from_timestamp_millis(key)?;
    // An occurrence keyed at `at` starts at `at` unless moved; look a little around it.
    expand(e, overrides, at - chrono::TimeDelta::hours(3), at + chrono::TimeDelta::hours(3))
        .into_iter()
        .find(|o| o.key == key)
}

/// Adds an EXDATE for the occurrence with this key.
pub fn add_exdate(e: &Event, key: i64) -> Option<String> {
    let series = of_event(e)?;
    let at = DateTime::from_timestamp_millis(key)?;
    let occ = series.occurrence_starting(at)?;
    let mut all: Vec<String> = e.exdates.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    all.push(format_local(occ.recurrence_id));
    all.sort();
    all.dedup();
    Some(all.join(","))
}

/// The plain-words summary of an event's schedule.
pub fn summary(e: &Event) -> String {
    of_event(e).map(|s| in_words(&s)).unwrap_or_default()
}

/// A series in words, as read today on the reader's clock.
fn in_words(s: &domain::recurrence::Series) -> String {
    s.summary_with(Some(chrono::Utc::now().date_naive()), &|t| crate::web::dates::time(&t))
}

/// The schedule in words from a form's fields, or `None` while they do not make one yet.
pub fn summary_of(start_local: &str, zone: &str, minutes: &str, rrule: &str) -> Option<String> {
    let minutes = minutes.trim().parse::<i64>().ok().filter(|m| (1..=24 * 60).contains(m))?;
    parts(start_local, zone, minutes, rrule, "").map(|s| in_words(&s))
}
