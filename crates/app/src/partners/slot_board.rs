//! The focus-session board: the coming slots, day by day in the member's zone, each with how many
//! members booked it (not who, unless they are the member's favourites), like a Focusmate
//! calendar. Each slot links to the booking form, filled in for it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use minijinja::{context, Value};

use crate::error::AppError;
use crate::state::AppState;

/// Days the board shows, from today.
const DAYS: i64 = 3;
/// The hours offered on the board when nobody booked them yet (the member's clock).
const HOURS: std::ops::RangeInclusive<u32> = 7..=21;

/// The board for `viewer` in `zone`: one entry per day, each with its slots in order.
pub async fn board(state: &AppState, viewer: &str, zone: Tz) -> Result<Vec<Value>, AppError> {
    let now = Utc::now();
    let to = now + TimeDelta::days(DAYS);
    let (from_ms, to_ms) = (now.timestamp_millis(), to.timestamp_millis());
    // start (UTC ms) → (members booked, their lengths, favourites' names)
    let mut slots: BTreeMap<i64, (i64, Vec<i64>, Vec<String>)> = BTreeMap::new();
    for s in state.db.slot_counts(viewer, from_ms, to_ms).await? {
        let e = slots.entry(s.starts_at).or_default();
        e.0 += s.booked;
        e.1.push(s.duration_minutes);
    }
    for (start, _, name) in state.db.favourites_booked(viewer, from_ms, to_ms).await? {
        slots.entry(start).or_default().2.push(name);
    }
    // The whole hours of each day, so there is always somewhere to start.
    let today = now.with_timezone(&zone).date_naive();
    for d in 0..DAYS {
        let day = today + Duration::days(d);
        for h in HOURS {
            let local = day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default());
            if let Some(t) = local.and_local_timezone(zone).earliest() {
                let ms = t.with_timezone(&Utc).timestamp_millis();
                if ms > from_ms + 15 * 60_000 && ms < to_ms {
                    slots.entry(ms).or_default();
                }
            }
        }
    }
    let mut days: Vec<(String, Vec<Value>)> = Vec::new();
    for (start, (booked, mut lengths, favourites)) in slots {
        let Some(t) = DateTime::from_timestamp_millis(start) else { continue };
        let local = t.with_timezone(&zone);
        let label = crate::web::dates::day_of(local.date_naive(), today);
        lengths.sort_unstable();
        lengths.dedup();
        let minutes = lengths.first().copied().unwrap_or(50);
        // The form takes the 24-hour time; the board says it on the member's clock.
        let at = format!("{:02}:{:02}", local.hour(), local.minute());
        let href = format!("/bookings?date={}&time={at}&minutes={minutes}#book", local.format("%Y-%m-%d"));
        let slot = context! { time => crate::web::dates::time(&local), booked, favourites, href, minutes };
        match days.last_mut() {
            Some((l, v)) if *l == label => v.push(slot),
            _ => days.push((label, vec![slot])),
        }
    }
    Ok(days.into_iter().map(|(day, slots)| context! { day, slots }).collect())
}
