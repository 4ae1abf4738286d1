//! Why `domain::recurrence` expands rules itself rather than with the `rrule` crate: that crate's
//! daylight-saving behaviour, checked against the product's rules and pinned here. When a release
//! of `rrule` fixes these, a test fails: then reconsider the choice (see the top of
//! `src/recurrence.rs`).

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::{America, Europe, Tz};
use domain::recurrence::{Rule, Series};

/// The crate's starts for an iCalendar DTSTART + RRULE block.
fn crate_starts(ics: &str) -> Result<Vec<DateTime<Utc>>, String> {
    let set: rrule::RRuleSet = ics.parse().map_err(|e: rrule::RRuleError| e.to_string())?;
    Ok(set.all(100).dates.iter().map(|d| d.with_timezone(&Utc)).collect())
}

/// Ours for the same series.
fn our_starts(start: &str, zone: Tz, rule: &str) -> Vec<DateTime<Utc>> {
    let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M").expect("a test date");
    let series = Series::repeating(start, zone, 60, Rule::parse(rule).expect("a valid rule"));
    let from = start.and_utc() - TimeDelta::days(1);
    series.occurrences(from, from + TimeDelta::days(400)).map(|o| o.start).collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a test date").and_utc()
}

#[test]
fn both_move_an_ordinary_spring_gap_forward() {
    let expected = [utc("2026-03-28 01:30"), utc("2026-03-29 01:30"), utc("2026-03-30 00:30")];
    let ics = "DTSTART;TZID=Europe/Berlin:20260328T023000\nRRULE:FREQ=DAILY;COUNT=3";
    assert_eq!(crate_starts(ics).unwrap(), expected);
    assert_eq!(our_starts("2026-03-28 02:30", Europe::Berlin, "FREQ=DAILY;COUNT=3"), expected);
}

#[test]
fn the_crate_drops_the_occurrence_when_local_midnight_does_not_exist() {
    // Havana jumps from 00:00 to 01:00 on 8 March 2026, so 00:30 becomes 01:30 (05:30 UTC).
    let ics = "DTSTART;TZID=America/Havana:20260301T003000\nRRULE:FREQ=WEEKLY;COUNT=3";
    let by_crate = crate_starts(ics).unwrap();
    assert_eq!(by_crate, [utc("2026-03-01 05:30"), utc("2026-03-15 04:30"), utc("2026-03-22 04:30")]);
    let ours = our_starts("2026-03-01 00:30", America::Havana, "FREQ=WEEKLY;COUNT=3");
    assert_eq!(ours, [utc("2026-03-01 05:30"), utc("2026-03-08 05:30"), utc("2026-03-15 04:30")]);
}

#[test]
fn the_crate_drops_the_occurrence_when_local_midnight_is_ambiguous() {
    // Havana goes back from 01:00 to 00:00 on 1 November 2026; 00:30 first happens at 04:30 UTC.
    let ics = "DTSTART;TZID=America/Havana:20261025T003000\nRRULE:FREQ=WEEKLY;COUNT=2";
    assert_eq!(crate_starts(ics).unwrap(), [utc("2026-10-25 04:30"), utc("2026-11-08 05:30")]);
    let ours = our_starts("2026-10-25 00:30", America::Havana, "FREQ=WEEKLY;COUNT=2");
    assert_eq!(ours, [utc("2026-10-25 04:30"), utc("2026-11-01 04:30")]);
}

#[test]
fn the_crate_refuses_a_first_start_in_the_gap() {
    let ics = "DTSTART;TZID=Europe/Berlin:20260329T023000\nRRULE:FREQ=WEEKLY;COUNT=2";
    assert!(crate_starts(ics).is_err());
    // Ours starts at 03:30 that day and keeps 02:30 afterwards.
    let ours = our_starts("2026-03-29 02:30", Europe::Berlin, "FREQ=WEEKLY;COUNT=2");
    assert_eq!(ours, [utc("2026-03-29 01:30"), utc("2026-04-05 00:30")]);
}
