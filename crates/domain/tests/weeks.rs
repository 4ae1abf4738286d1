//! Weeks in members' own zones across daylight-saving changes, and streaks with gaps and pauses.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::{America, Asia, Australia, Europe, Pacific, Tz};
use domain::weeks::{completion_rate, lapse_start, missed_in_a_row, reminder_due, streak, Outcome, WeekKey};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("an RFC 3339 instant").with_timezone(&Utc)
}

fn w(s: &str) -> WeekKey {
    WeekKey::parse(s).expect("a week key")
}

fn set(keys: &[&str]) -> BTreeSet<WeekKey> {
    keys.iter().map(|k| w(k)).collect()
}

#[test]
fn the_same_instant_is_in_different_weeks_in_different_zones() {
    // Sunday 6 December 2026, 23:30 UTC: still Sunday in London, already Monday in Tokyo and
    // Auckland, Sunday afternoon in Los Angeles.
    let t = at("2026-12-06T23:30:00Z");
    assert_eq!(WeekKey::of(t, Europe::London).to_string(), "2026-W49");
    assert_eq!(WeekKey::of(t, Asia::Tokyo).to_string(), "2026-W50");
    assert_eq!(WeekKey::of(t, Pacific::Auckland).to_string(), "2026-W50");
    assert_eq!(WeekKey::of(t, America::Los_Angeles).to_string(), "2026-W49");
}

#[test]
fn weeks_begin_at_local_midnight_on_monday() {
    let week = w("2026-W49");
    assert_eq!(week.monday().to_string(), "2026-11-30");
    assert_eq!(week.start(Europe::Lisbon), at("2026-11-30T00:00:00Z"));
    assert_eq!(week.start(Europe::Berlin), at("2026-11-29T23:00:00Z"));
    assert_eq!(week.start(America::New_York), at("2026-11-30T05:00:00Z"));
    assert_eq!(week.label(), "30 Nov – 6 Dec 2026");
    // Read within its year, the year goes unsaid; a week across New Year says both.
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(week.label_as_of(day("2026-12-06")), "30 Nov – 6 Dec");
    assert_eq!(week.label_as_of(day("2027-01-10")), "30 Nov – 6 Dec 2026");
    assert_eq!(w("2026-W53").label_as_of(day("2026-12-06")), "28 Dec 2026 – 3 Jan 2027");
}

#[test]
fn a_week_across_a_clock_change_is_an_hour_shorter_or_longer() {
    // Europe springs forward on Sunday 28 March 2027 and falls back on Sunday 31 October 2027.
    let spring = w("2027-W12");
    assert_eq!(spring.end(Europe::Berlin) - spring.start(Europe::Berlin), TimeDelta::hours(167));
    let autumn = w("2027-W43");
    assert_eq!(autumn.end(Europe::Berlin) - autumn.start(Europe::Berlin), TimeDelta::hours(169));
    // The southern hemisphere changes the other way round in the same weeks of the year's ends.
    let sydney = w("2027-W13"); // clocks go back on Sunday 4 April 2027
    assert_eq!(sydney.end(Australia::Sydney) - sydney.start(Australia::Sydney), TimeDelta::hours(169));
    // Every instant of a week maps back to it, on both sides of the change.
    for week in [spring, autumn] {
        let (start, end) = (week.start(Europe::Berlin), week.end(Europe::Berlin));
        assert_eq!(WeekKey::of(start, Europe::Berlin), week);
        assert_eq!(WeekKey::of(end - TimeDelta::seconds(1), Europe::Berlin), week);
        assert_eq!(WeekKey::of(end, Europe::Berlin), week.next());
    }
}

#[test]
fn weeks_lie_back_to_back_in_every_zone_through_two_years_of_clock_changes() {
    let zones: Vec<Tz> = [
        "Europe/Lisbon",
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "America/Havana",
        "Asia/Tehran",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Africa/Cairo",
        "UTC",
    ]
    .iter()
    .map(|z| z.parse().expect("zone"))
    .collect();
    for zone in zones {
        let mut week = w("2026-W01");
        for _ in 0..104 {
            let (start, end) = (week.start(zone), week.end(zone));
            assert_eq!(end, week.next().start(zone), "{zone} {week}");
            assert_eq!(WeekKey::of(start, zone), week, "{zone} {week}");
            assert_eq!(WeekKey::of(start - TimeDelta::seconds(1), zone), week.prev(), "{zone} {week}");
            let hours = (end - start).num_minutes();
            assert!((167 * 60..=169 * 60).contains(&hours), "{zone} {week}: {hours} minutes");
            week = week.next();
        }
    }
}

#[test]
fn keys_cross_years_and_parse_back() {
    assert_eq!(
        WeekKey::of_date(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")).to_string(),
        "2026-W53"
    );
    assert_eq!(w("2026-W53").next().to_string(), "2027-W01");
    assert_eq!(w("2027-W01").prev().to_string(), "2026-W53");
    assert_eq!(w("2027-W01").to_string(), "2027-W01");
    assert!(WeekKey::parse("2027-W54").is_none());
    assert!(WeekKey::parse("last week").is_none());
    assert!(w("2026-W09") < w("2026-W10") && "2026-W09" < "2026-W10", "keys and their text sort alike");
}

#[test]
fn streaks_count_consecutive_weeks_and_survive_the_week_under_way() {
    let none = BTreeSet::new();
    assert_eq!(streak(&none, &none, w("2026-W49")).current, 0);
    let checked = set(&["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
    // This week has no check-in yet: the run up to last week still stands.
    let s = streak(&checked, &none, w("2026-W49"));
    assert_eq!((s.current, s.longest), (4, 4));
    // A whole week without one breaks it.
    let s = streak(&checked, &none, w("2026-W50"));
    assert_eq!((s.current, s.longest), (0, 4));
    let mut more = checked.clone();
    more.insert(w("2026-W50"));
    assert_eq!(streak(&more, &none, w("2026-W50")).current, 1);
    // A gap, then a longer run: both the current and the longest are right.
    let gap = set(&["2026-W01", "2026-W02", "2026-W04", "2026-W05", "2026-W06"]);
    let s = streak(&gap, &none, w("2026-W06"));
    assert_eq!((s.current, s.longest), (3, 3));
}

#[test]
fn paused_weeks_neither_count_nor_break() {
    let checked = set(&["2026-W44", "2026-W45", "2026-W48"]);
    let paused = set(&["2026-W46", "2026-W47"]);
    let s = streak(&checked, &paused, w("2026-W48"));
    assert_eq!((s.current, s.longest), (3, 3));
    assert_eq!(streak(&checked, &BTreeSet::new(), w("2026-W48")).current, 1);
}

#[test]
fn missed_weeks_count_back_to_a_check_in_a_pause_or_the_start() {
    let checked = set(&["2026-W45"]);
    let none = BTreeSet::new();
    // W46, W47 and W48 are over without a check-in; W49 is under way.
    assert_eq!(missed_in_a_row(&checked, &none, w("2026-W40"), w("2026-W49")), 3);
    assert_eq!(lapse_start(w("2026-W49"), 3), w("2026-W46"));
    assert_eq!(missed_in_a_row(&checked, &set(&["2026-W47"]), w("2026-W40"), w("2026-W49")), 1);
    // Someone who started in W47 has missed W47 and W48, not the weeks before they started.
    assert_eq!(missed_in_a_row(&BTreeSet::new(), &none, w("2026-W47"), w("2026-W49")), 2);
    assert_eq!(missed_in_a_row(&BTreeSet::new(), &none, w("2026-W49"), w("2026-W49")), 0);
}

#[test]
fn the_reminder_is_due_in_the_last_hours_of_the_members_week() {
    let week = w("2026-W49"); // ends Monday 7 December 00:00 in Lisbon (UTC)
    assert!(!reminder_due(at("2026-12-05T23:59:00Z"), week, Europe::Lisbon, 24));
    assert!(reminder_due(at("2026-12-06T00:00:00Z"), week, Europe::Lisbon, 24));
    assert!(reminder_due(at("2026-12-06T23:59:00Z"), week, Europe::Lisbon, 24));
    assert!(!reminder_due(at("2026-12-07T00:00:00Z"), week, Europe::Lisbon, 24));
    // In Tokyo the same week ended nine hours earlier.
    assert!(!reminder_due(at("2026-12-06T16:00:00Z"), week, Asia::Tokyo, 24));
}

#[test]
fn completion_counts_partly_done_as_half() {
    assert_eq!(completion_rate(&[]), None);
    let rate =
        completion_rate(&[Outcome::Done, Outcome::Partly, Outcome::Not, Outcome::Done]).expect("a rate");
    assert!((rate - 0.625).abs() < 1e-9);
}
