//! Recurrence as members meet it: named daylight-saving regressions, the RRULE parts, and edits.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::{America, Australia, Europe, Pacific, Tz};
use domain::recurrence::{EditError, End, Occurrence, Preset, Rule, Series, Until};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a test date")
}

fn utc(s: &str) -> DateTime<Utc> {
    at(s).and_utc()
}

fn series(start: &str, zone: Tz, rule: &str) -> Series {
    Series::repeating(at(start), zone, 90, Rule::parse(rule).expect("a valid rule"))
}

fn expand(s: &Series, from: &str, to: &str) -> Vec<Occurrence> {
    s.occurrences(utc(from), utc(to)).collect()
}

/// Local starts as "YYYY-MM-DD HH:MM", the way a member reads them on the event page.
fn locals(s: &Series, from: &str, to: &str) -> Vec<String> {
    expand(s, from, to).iter().map(|o| o.local_start.format("%Y-%m-%d %H:%M").to_string()).collect()
}

fn starts(s: &Series, from: &str, to: &str) -> Vec<String> {
    expand(s, from, to).iter().map(|o| o.start.format("%Y-%m-%d %H:%M").to_string()).collect()
}

// ---- Daylight-saving bug classes seen in other scheduling tools ----

#[test]
fn a_booking_after_the_autumn_change_does_not_land_an_hour_early() {
    let berlin = series("2026-10-14 18:00", Europe::Berlin, "FREQ=WEEKLY");
    assert_eq!(
        starts(&berlin, "2026-10-01 00:00", "2026-11-01 00:00"),
        ["2026-10-14 16:00", "2026-10-21 16:00", "2026-10-28 17:00"]
    );
    assert_eq!(
        locals(&berlin, "2026-10-01 00:00", "2026-11-01 00:00"),
        ["2026-10-14 18:00", "2026-10-21 18:00", "2026-10-28 18:00"]
    );
    let new_york = series("2026-10-28 18:00", America::New_York, "FREQ=WEEKLY");
    assert_eq!(
        starts(&new_york, "2026-10-01 00:00", "2026-11-10 00:00"),
        ["2026-10-28 22:00", "2026-11-04 23:00"]
    );
}

#[test]
fn slots_in_the_week_of_a_change_keep_their_local_time() {
    let daily = series("2026-03-05 09:00", America::New_York, "FREQ=DAILY");
    let week = locals(&daily, "2026-03-05 00:00", "2026-03-12 00:00");
    assert_eq!(week.len(), 7);
    assert!(week.iter().all(|l| l.ends_with(" 09:00")), "{week:?}");
    assert_eq!(
        starts(&daily, "2026-03-07 00:00", "2026-03-10 00:00"),
        ["2026-03-07 14:00", "2026-03-08 13:00", "2026-03-09 13:00"]
    );
    let autumn = series("2026-10-22 07:30", Europe::Berlin, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR");
    assert_eq!(
        locals(&autumn, "2026-10-22 00:00", "2026-10-31 00:00"),
        [
            "2026-10-22 07:30",
            "2026-10-23 07:30",
            "2026-10-26 07:30",
            "2026-10-27 07:30",
            "2026-10-28 07:30",
            "2026-10-29 07:30",
            "2026-10-30 07:30"
        ]
    );
}

#[test]
fn the_spring_forward_day_still_has_its_occurrence() {
    let berlin = series("2026-03-27 02:30", Europe::Berlin, "FREQ=DAILY");
    let days = expand(&berlin, "2026-03-26 00:00", "2026-03-31 00:00");
    assert_eq!(days.len(), 4, "27, 28, 29 and 30 March");
    let change_day = days[2];
    assert_eq!(change_day.recurrence_id, at("2026-03-29 02:30"), "keyed by the time the rule scheduled");
    assert_eq!(change_day.local_start, at("2026-03-29 03:30"), "moved forward by the one-hour gap");
    assert_eq!(change_day.start, utc("2026-03-29 01:30"));
    assert_eq!(change_day.end, utc("2026-03-29 03:00"), "90 minutes of elapsed time");
    assert_eq!(days[3].local_start, at("2026-03-30 02:30"), "and back to 02:30 the day after");

    let new_york = series("2026-03-01 02:30", America::New_York, "FREQ=WEEKLY;BYDAY=SU");
    assert_eq!(
        locals(&new_york, "2026-03-07 00:00", "2026-03-16 00:00"),
        ["2026-03-08 03:30", "2026-03-15 02:30"]
    );
}

#[test]
fn starts_at_13_00_or_later_do_not_shift_on_the_change_day() {
    let change_days = [
        (Europe::Berlin, "2026-03-29"),
        (Europe::Berlin, "2026-10-25"),
        (America::New_York, "2026-03-08"),
        (America::New_York, "2026-11-01"),
        (Australia::Sydney, "2026-04-05"),
        (Australia::Sydney, "2026-10-04"),
        (Australia::Lord_Howe, "2026-04-05"),
        (Australia::Lord_Howe, "2026-10-04"),
    ];
    for (zone, day) in change_days {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        for quarter in 13 * 4..24 * 4 {
            let wall = day.and_hms_opt(quarter / 4, quarter % 4 * 15, 0).unwrap();
            let daily =
                Series::repeating(wall - TimeDelta::days(3), zone, 60, Rule::parse("FREQ=DAILY").unwrap());
            let on_the_day = daily.occurrence_at(wall).unwrap();
            assert_eq!(on_the_day.local_start, wall, "{zone} {wall}");
            assert_eq!(on_the_day.start.with_timezone(&zone).naive_local(), wall, "{zone} {wall}");
        }
    }
}

// ---- Zones ----

#[test]
fn sydney_changes_in_the_southern_spring_and_autumn() {
    let sunday = series("2026-03-22 02:30", Australia::Sydney, "FREQ=WEEKLY");
    // 5 April: clocks go back 03:00 → 02:00, so 02:30 happens twice; the first is in daylight time.
    let april = sunday.occurrence_at(at("2026-04-05 02:30")).unwrap();
    assert_eq!(april.start, utc("2026-04-04 15:30"));
    // 4 October: clocks go forward 02:00 → 03:00.
    let october = sunday.occurrence_at(at("2026-10-04 02:30")).unwrap();
    assert_eq!((october.local_start, october.start), (at("2026-10-04 03:30"), utc("2026-10-03 16:30")));
}

#[test]
fn lord_howe_shifts_by_half_an_hour() {
    let sunday = series("2026-03-22 01:45", Australia::Lord_Howe, "FREQ=WEEKLY");
    // 5 April: 02:00 → 01:30, so 01:45 happens twice; the first is at +11:00.
    assert_eq!(sunday.occurrence_at(at("2026-04-05 01:45")).unwrap().start, utc("2026-04-04 14:45"));
    let gap = series("2026-09-20 02:15", Australia::Lord_Howe, "FREQ=WEEKLY");
    // 4 October: 02:00 → 02:30, so 02:15 moves forward by the half-hour gap.
    let october = gap.occurrence_at(at("2026-10-04 02:15")).unwrap();
    assert_eq!((october.local_start, october.start), (at("2026-10-04 02:45"), utc("2026-10-03 15:45")));
}

#[test]
fn zones_that_change_at_midnight_keep_the_occurrence() {
    // Havana jumps 00:00 → 01:00 in March and 01:00 → 00:00 in November.
    let havana = series("2026-03-01 00:30", America::Havana, "FREQ=WEEKLY");
    let march = havana.occurrence_at(at("2026-03-08 00:30")).unwrap();
    assert_eq!((march.local_start, march.start), (at("2026-03-08 01:30"), utc("2026-03-08 05:30")));
    assert_eq!(havana.occurrence_at(at("2026-11-01 00:30")).unwrap().start, utc("2026-11-01 04:30"));
}

#[test]
fn a_first_start_in_the_gap_keeps_the_series_wall_time() {
    let s = series("2026-03-29 02:30", Europe::Berlin, "FREQ=WEEKLY");
    assert_eq!(
        locals(&s, "2026-03-28 00:00", "2026-04-13 00:00"),
        ["2026-03-29 03:30", "2026-04-05 02:30", "2026-04-12 02:30"]
    );
}

#[test]
fn a_skipped_calendar_day_never_yields_the_same_instant_twice() {
    // Samoa skipped 30 December 2011 when it crossed the date line.
    let daily = series("2011-12-27 10:00", Pacific::Apia, "FREQ=DAILY");
    let all = expand(&daily, "2011-12-26 00:00", "2012-01-03 00:00");
    assert!(all.windows(2).all(|w| w[0].start < w[1].start));
    assert_eq!(all.iter().filter(|o| o.local_start.date() == at("2011-12-31 00:00").date()).count(), 1);
}

// ---- RRULE parts ----

#[test]
fn monthly_on_the_second_wednesday() {
    let s = series("2026-01-14 18:00", Europe::Berlin, "FREQ=MONTHLY;BYDAY=2WE");
    assert_eq!(
        locals(&s, "2026-01-01 00:00", "2026-08-01 00:00"),
        [
            "2026-01-14 18:00",
            "2026-02-11 18:00",
            "2026-03-11 18:00",
            "2026-04-08 18:00",
            "2026-05-13 18:00",
            "2026-06-10 18:00",
            "2026-07-08 18:00"
        ]
    );
    let last_friday = series("2026-01-30 18:00", Europe::Berlin, "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR");
    assert_eq!(
        locals(&last_friday, "2026-01-01 00:00", "2026-08-01 00:00"),
        ["2026-01-30 18:00", "2026-03-27 18:00", "2026-05-29 18:00", "2026-07-31 18:00"]
    );
}

#[test]
fn bymonthday_31_skips_months_without_a_31st() {
    let expected =
        ["2026-01-31 19:00", "2026-03-31 19:00", "2026-05-31 19:00", "2026-07-31 19:00", "2026-08-31 19:00"];
    let explicit = series("2026-01-31 19:00", Europe::Berlin, "FREQ=MONTHLY;BYMONTHDAY=31");
    assert_eq!(locals(&explicit, "2026-01-01 00:00", "2026-09-01 00:00"), expected);
    let implicit = series("2026-01-31 19:00", Europe::Berlin, "FREQ=MONTHLY");
    assert_eq!(locals(&implicit, "2026-01-01 00:00", "2026-09-01 00:00"), expected);
}

#[test]
fn negative_bymonthday_counts_back_from_the_month_end() {
    let last = series("2027-12-31 12:00", Europe::Berlin, "FREQ=MONTHLY;BYMONTHDAY=-1");
    assert_eq!(
        locals(&last, "2027-12-01 00:00", "2028-04-01 00:00"),
        ["2027-12-31 12:00", "2028-01-31 12:00", "2028-02-29 12:00", "2028-03-31 12:00"]
    );
    let second_to_last = series("2026-01-30 12:00", Europe::Berlin, "FREQ=MONTHLY;BYMONTHDAY=-2,1");
    assert_eq!(
        locals(&second_to_last, "2026-01-01 00:00", "2026-03-02 00:00"),
        ["2026-01-30 12:00", "2026-02-01 12:00", "2026-02-27 12:00", "2026-03-01 12:00"]
    );
}

#[test]
fn an_exdate_still_uses_up_a_count() {
    let s = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;COUNT=5")
        .with_exdates([at("2026-03-18 18:00")]);
    assert_eq!(
        locals(&s, "2026-01-01 00:00", "2027-01-01 00:00"),
        ["2026-03-04 18:00", "2026-03-11 18:00", "2026-03-25 18:00", "2026-04-01 18:00"]
    );
    assert_eq!(locals(&s, "2026-03-20 00:00", "2027-01-01 00:00"), ["2026-03-25 18:00", "2026-04-01 18:00"]);
}

#[test]
fn until_includes_an_occurrence_starting_exactly_then() {
    let window = ("2026-03-01 00:00", "2026-06-01 00:00");
    // 25 March 18:00 in Berlin is 17:00 UTC.
    let exact = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;UNTIL=20260325T170000Z");
    assert_eq!(locals(&exact, window.0, window.1).last().unwrap(), "2026-03-25 18:00");
    let second_before = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;UNTIL=20260325T165959Z");
    assert_eq!(locals(&second_before, window.0, window.1).last().unwrap(), "2026-03-18 18:00");
    let date = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;UNTIL=20260325");
    assert_eq!(locals(&date, window.0, window.1).last().unwrap(), "2026-03-25 18:00");
}

#[test]
fn every_other_week_carries_across_a_year_boundary() {
    let s = series("2025-12-15 10:00", Europe::Berlin, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH");
    assert_eq!(
        locals(&s, "2025-12-01 00:00", "2026-01-20 00:00"),
        [
            "2025-12-15 10:00",
            "2025-12-18 10:00",
            "2025-12-29 10:00",
            "2026-01-01 10:00",
            "2026-01-12 10:00",
            "2026-01-15 10:00"
        ]
    );
    // WKST=SU puts Sunday 28 Dec in the week after Monday 22 Dec's, not before it.
    let sundays = series("2025-12-15 10:00", Europe::Berlin, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU");
    assert_eq!(
        locals(&sundays, "2025-12-15 00:00", "2026-01-06 00:00"),
        ["2025-12-15 10:00", "2025-12-28 10:00", "2025-12-29 10:00"]
    );
    let monday_weeks = series("2025-12-15 10:00", Europe::Berlin, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU");
    assert_eq!(
        locals(&monday_weeks, "2025-12-15 00:00", "2026-01-06 00:00"),
        ["2025-12-15 10:00", "2025-12-21 10:00", "2025-12-29 10:00", "2026-01-04 10:00"]
    );
}

#[test]
fn a_far_window_matches_walking_from_the_start() {
    let s = series("2020-01-06 19:00", America::New_York, "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR");
    let far = expand(&s, "2035-03-01 00:00", "2035-12-01 00:00");
    let walked: Vec<Occurrence> = expand(&s, "2020-01-01 00:00", "2035-12-01 00:00")
        .into_iter()
        .filter(|o| o.start >= utc("2035-03-01 00:00"))
        .collect();
    assert_eq!(far, walked);
    assert!(far.len() > 20);
}

#[test]
fn a_rule_that_can_never_match_again_still_ends() {
    // Every twelfth month from February is always February, which has no 30th.
    let s = series("2026-02-10 12:00", Europe::Berlin, "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30;COUNT=5");
    assert_eq!(locals(&s, "2026-01-01 00:00", "2999-01-01 00:00"), ["2026-02-10 12:00"]);
    assert_eq!(s.ends_by(), Some(utc("2026-02-10 12:30")));
}

#[test]
fn a_one_off_event_is_its_own_only_occurrence() {
    let once = Series::once(at("2026-03-25 18:00"), Europe::Berlin, 120);
    let all = expand(&once, "2026-01-01 00:00", "2027-01-01 00:00");
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].start, all[0].end), (utc("2026-03-25 17:00"), utc("2026-03-25 19:00")));
    assert!(
        expand(&once, "2026-03-25 17:01", "2027-01-01 00:00").is_empty(),
        "windows hold starts, not overlaps"
    );
    assert_eq!(once.ends_by(), Some(utc("2026-03-25 19:00")));
}

// ---- Editing ----

#[test]
fn this_and_following_splits_the_count() {
    let s = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;COUNT=10")
        .with_exdates([at("2026-03-11 18:00"), at("2026-04-15 18:00")]);
    let split = s.split_at(at("2026-03-25 18:00")).unwrap();
    let head = split.head.unwrap();
    assert_eq!(head.rule.as_ref().unwrap().end(), End::Count(3));
    assert_eq!(split.tail.rule.as_ref().unwrap().end(), End::Count(7));
    assert_eq!(split.tail.first_start, at("2026-03-25 18:00"));
    assert_eq!(head.exdates.len() + split.tail.exdates.len(), 2);
    let window = ("2026-01-01 00:00", "2027-01-01 00:00");
    let mut joined = expand(&head, window.0, window.1);
    joined.extend(expand(&split.tail, window.0, window.1));
    assert_eq!(joined, expand(&s, window.0, window.1));
}

#[test]
fn this_and_following_on_an_endless_series_ends_the_head_at_the_occurrence_before() {
    let s = series("2026-01-14 18:00", Europe::Berlin, "FREQ=MONTHLY;BYDAY=2WE");
    let split = s.split_at(at("2026-05-13 18:00")).unwrap();
    let head = split.head.unwrap();
    // 8 April 18:00 CEST.
    assert_eq!(head.rule.as_ref().unwrap().end(), End::Until(Until::Instant(utc("2026-04-08 16:00"))));
    assert!(head.summary().ends_with(", until Wed 8 Apr 2026"), "{}", head.summary());
    assert_eq!(split.tail.rule.as_ref().unwrap().end(), End::Never);
    let window = ("2026-01-01 00:00", "2028-01-01 00:00");
    let mut joined = expand(&head, window.0, window.1);
    joined.extend(expand(&split.tail, window.0, window.1));
    assert_eq!(joined, expand(&s, window.0, window.1));
}

#[test]
fn splitting_needs_a_real_occurrence() {
    let s = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY");
    let err = s.split_at(at("2026-03-05 18:00")).unwrap_err();
    assert_eq!(err, EditError::NotAnOccurrence(at("2026-03-05 18:00")));
    assert_eq!(err.to_string(), "This event has no occurrence on Thu 5 Mar 2026 at 18:00.");
    let whole = s.split_at(at("2026-03-04 18:00")).unwrap();
    assert_eq!((whole.head, whole.tail), (None, s.clone()));
    // A split in the spring gap keeps the scheduled wall time for the rest of the series.
    let gap =
        series("2026-03-01 02:30", Europe::Berlin, "FREQ=WEEKLY").split_at(at("2026-03-29 02:30")).unwrap();
    assert_eq!(
        locals(&gap.tail, "2026-03-28 00:00", "2026-04-06 00:00"),
        ["2026-03-29 03:30", "2026-04-05 02:30"]
    );
}

#[test]
fn cancelling_from_a_date_ends_the_series_before_it() {
    let s = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY");
    let cut = s.cancel_from(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).unwrap();
    assert_eq!(locals(&cut, "2026-01-01 00:00", "2027-01-01 00:00").last().unwrap(), "2026-03-25 18:00");
    assert_eq!(cut.ends_by(), Some(utc("2026-03-25 18:30")));
    assert_eq!(s.cancel_from(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()), None);
    let counted = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;COUNT=10");
    let cut = counted.cancel_from(NaiveDate::from_ymd_opt(2026, 3, 19).unwrap()).unwrap();
    assert_eq!(cut.rule.unwrap().end(), End::Count(3));
}

#[test]
fn single_occurrences_are_found_by_their_key_or_their_instant() {
    let s = series("2026-03-01 02:30", Europe::Berlin, "FREQ=WEEKLY").with_exdates([at("2026-03-08 02:30")]);
    assert!(s.is_occurrence(at("2026-03-15 02:30")));
    assert!(!s.is_occurrence(at("2026-03-08 02:30")), "cancelled");
    assert!(!s.is_occurrence(at("2026-03-15 02:31")));
    assert!(!s.is_occurrence(at("2026-02-22 02:30")), "before the first start");
    let gap_day = s.occurrence_at(at("2026-03-29 02:30")).unwrap();
    assert_eq!(gap_day.local_start, at("2026-03-29 03:30"));
    assert_eq!(s.occurrence_starting(gap_day.start), Some(gap_day));
    assert_eq!(s.occurrence_starting(gap_day.start + TimeDelta::minutes(1)), None);
}

#[test]
fn a_date_until_becomes_utc_for_calendar_files() {
    let s = series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY;UNTIL=20260325");
    assert_eq!(s.rule_for_ics().unwrap().to_string(), "FREQ=WEEKLY;UNTIL=20260325T225959Z");
    assert!(s.ends_by().unwrap() > utc("2026-03-25 18:30"));
    assert_eq!(series("2026-03-04 18:00", Europe::Berlin, "FREQ=WEEKLY").ends_by(), None);
}

#[test]
fn a_monthly_preset_summarises_as_the_weekday_of_the_month() {
    let start = at("2026-03-11 18:00");
    let s = Series::repeating(start, Europe::Berlin, 120, Preset::Monthly.rule(start.date()));
    assert_eq!(s.summary(), "every month on the second Wednesday at 18:00 Berlin time, 2 hours");
    assert_eq!(locals(&s, "2026-03-01 00:00", "2026-05-01 00:00"), ["2026-03-11 18:00", "2026-04-08 18:00"]);
}
