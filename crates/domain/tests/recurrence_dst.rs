//! Daylight-saving properties of weekly series over every zone of the tz database, 2020–2035.
//!
//! Random wall times rarely hit a gap or a fold, so besides plain random starts the strategies aim
//! at the zone's real clock changes, found here by scanning offsets independently of the engine.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::{Tz, TZ_VARIANTS};
use domain::recurrence::{Occurrence, Rule, Series};
use proptest::prelude::*;

fn offset_at(zone: Tz, t: DateTime<Utc>) -> TimeDelta {
    TimeDelta::seconds(zone.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc().into())
}

/// A clock change: the instant, and the offsets in force before and after it.
#[derive(Debug, Clone, Copy)]
struct Change {
    at: DateTime<Utc>,
    before: TimeDelta,
    after: TimeDelta,
}

impl Change {
    /// The wall time the clocks showed just before the change.
    fn local_before(self) -> NaiveDateTime {
        self.at.naive_utc() + self.before
    }
}

/// The zone's clock changes from `from` to `to`, by daily sampling and bisection to the second.
fn changes(zone: Tz, from: NaiveDate, to: NaiveDate) -> Vec<Change> {
    let mut found = Vec::new();
    let mut t = from.and_time(NaiveTime::MIN).and_utc();
    let end = to.and_time(NaiveTime::MIN).and_utc();
    let mut offset = offset_at(zone, t);
    while t < end {
        let next = t + TimeDelta::days(1);
        let next_offset = offset_at(zone, next);
        if next_offset != offset {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(zone, mid) == offset {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push(Change { at: hi, before: offset, after: offset_at(zone, hi) });
        }
        (t, offset) = (next, next_offset);
    }
    found
}

fn weekly(first_start: NaiveDateTime, zone: Tz) -> Series {
    Series::repeating(first_start, zone, 60, Rule::parse("FREQ=WEEKLY").expect("a valid rule"))
}

/// The engine's instant for a wall time, by a route that does not use the engine: chrono's own
/// reading, earliest of a fold, and for a gap the wall time read with the offset a day earlier.
fn expected_start(zone: Tz, wall: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(a, b) => a.min(b).to_utc(),
        LocalResult::None => {
            let before = offset_at(zone, (wall - TimeDelta::days(1)).and_utc());
            (wall - before).and_utc()
        }
    }
}

/// Checks one expansion of a weekly series against the daylight-saving rules.
fn check_weekly(series: &Series, occurrences: &[Occurrence], weeks: i64) -> Result<(), TestCaseError> {
    let zone = series.zone;
    prop_assert_eq!(occurrences.len() as i64, weeks, "one occurrence a week: {:?}", occurrences);
    for (k, o) in occurrences.iter().enumerate() {
        let wall = series.first_start + TimeDelta::weeks(k as i64);
        prop_assert_eq!(o.recurrence_id, wall, "the rule keeps its wall time");
        prop_assert_eq!(o.local_start, o.start.with_timezone(&zone).naive_local());
        prop_assert!(
            !matches!(zone.from_local_datetime(&o.local_start), LocalResult::None),
            "{} {} lies in a gap",
            zone,
            o.local_start
        );
        prop_assert_eq!(o.start, expected_start(zone, wall), "{} {}", zone, wall);
        match zone.from_local_datetime(&wall) {
            LocalResult::None => {
                let gap = offset_at(zone, o.start) - offset_at(zone, o.start - TimeDelta::days(1));
                prop_assert!(gap > TimeDelta::zero());
                prop_assert_eq!(o.local_start, wall + gap, "moved forward by the gap");
            }
            _ => prop_assert_eq!(o.local_start, wall, "existing wall times are kept"),
        }
        prop_assert_eq!(o.end - o.start, TimeDelta::minutes(60));
    }
    Ok(())
}

fn expand(series: &Series, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
    series.occurrences(from, to).collect()
}

const FIRST_DAY: (i32, u32, u32) = (2020, 1, 1);
const DAYS_2020_TO_2035: i64 = 5_844;

fn day(offset: i64) -> NaiveDate {
    let (y, m, d) = FIRST_DAY;
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date") + TimeDelta::days(offset)
}

/// A first start: either any wall time in 2020–2035, or one within two hours of one of the zone's
/// clock changes, a few weeks before the series reaches it.
fn first_start(zone: Tz, day_offset: i64, minute: i64, aim: Option<(usize, i64, i64)>) -> NaiveDateTime {
    let plain = day(day_offset).and_time(NaiveTime::MIN) + TimeDelta::minutes(minute);
    let Some((pick, around, weeks_before)) = aim else { return plain };
    let year_start = NaiveDate::from_yo_opt(day(day_offset).year(), 1).expect("a real year");
    let in_year = changes(zone, year_start, year_start + TimeDelta::days(366));
    match in_year.get(pick % in_year.len().max(1)) {
        Some(change) => change.local_before() + TimeDelta::minutes(around) - TimeDelta::weeks(weeks_before),
        None => plain,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn weekly_series_keep_their_wall_time_in_every_zone(
        zone in 0..TZ_VARIANTS.len(),
        day_offset in 0..DAYS_2020_TO_2035,
        minute in 0..24 * 60i64,
        aim in proptest::option::weighted(0.75, (0..4usize, -120..120i64, 0..3i64)),
        weeks in 1..30i64,
        cut in 0.0..1.0f64,
    ) {
        let zone = TZ_VARIANTS[zone];
        let series = weekly(first_start(zone, day_offset, minute, aim), zone);
        let from = series.occurrence_at(series.first_start).unwrap().start;
        let to = expected_start(zone, series.first_start + TimeDelta::weeks(weeks));
        let all = expand(&series, from, to);
        check_weekly(&series, &all, weeks)?;

        // [a, b) then [b, c) is exactly [a, c), wherever b falls.
        let a = from - TimeDelta::hours(30);
        let b = a + (to - a) / 1000 * (cut * 1000.0) as i32;
        let mut joined = expand(&series, a, b);
        joined.extend(expand(&series, b, to));
        prop_assert_eq!(joined, all);
    }
}

/// Not random: every zone, every clock change 2020–2035, a weekly series landing on the change day
/// at a wall time inside the gap or fold, and at 15:00 that day (a later start must not move).
#[test]
fn every_clock_change_of_every_zone_from_2020_to_2035() {
    let mut checked = 0;
    for &zone in TZ_VARIANTS.iter() {
        for change in changes(zone, day(0), day(DAYS_2020_TO_2035)) {
            // A gap is the hour (say) after the old wall time; a fold is the hour before it.
            let inside = change.local_before() + (change.after - change.before) / 2;
            let afternoon = change.local_before().date().and_hms_opt(15, 0, 0).unwrap();
            for wall in [inside, afternoon] {
                let series = weekly(wall - TimeDelta::weeks(2), zone);
                let from = expected_start(zone, series.first_start);
                let to = expected_start(zone, series.first_start + TimeDelta::weeks(4));
                let all = expand(&series, from, to);
                check_weekly(&series, &all, 4).unwrap();
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} checks");
}

/// A rule of any supported shape, built through the validating builders.
fn any_rule() -> impl Strategy<Value = Rule> {
    use chrono::Weekday;
    use domain::recurrence::{ByDay, End, Frequency, Until};
    let weekday = || (0..7u8).prop_map(|d| Weekday::try_from(d).expect("0 to 6 is a weekday"));
    let by_day = prop::collection::vec((prop::option::of(prop_oneof![1..=5i8, -5..=-1i8]), weekday()), 0..3);
    let month_days = prop::collection::vec(prop_oneof![1..=31i8, -31..=-1i8], 0..3);
    let end = prop_oneof![
        Just(End::Never),
        (1..60u32).prop_map(End::Count),
        (0..4000i64).prop_map(|d| End::Until(Until::Date(day(d)))),
        (0..4000i64).prop_map(|d| End::Until(Until::Instant(day(d).and_time(NaiveTime::MIN).and_utc()))),
    ];
    let freq = prop_oneof![Just(Frequency::Daily), Just(Frequency::Weekly), Just(Frequency::Monthly)];
    (freq, 1..5u32, by_day, month_days, end, weekday()).prop_filter_map("unsupported combination", |r| {
        let (freq, interval, by_day, month_days, end, week_start) = r;
        let by_day = by_day.into_iter().map(|(nth, day)| ByDay { nth, weekday: day }).collect();
        Rule::new(freq)
            .with_interval(interval)
            .and_then(|r| r.with_days(by_day))
            .and_then(|r| r.with_month_days(month_days))
            .and_then(|r| r.with_end(end))
            .map(|r| r.with_week_start(week_start))
            .ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn rules_round_trip_through_their_text(rule in any_rule()) {
        prop_assert_eq!(Rule::parse(&rule.to_string()), Ok(rule));
    }

    #[test]
    fn windows_of_any_rule_join_up(
        rule in any_rule(),
        zone in 0..TZ_VARIANTS.len(),
        day_offset in 0..DAYS_2020_TO_2035 - 800,
        minute in 0..24 * 60i64,
        cuts in (0.0..1.0f64, 0.0..1.0f64),
    ) {
        let zone = TZ_VARIANTS[zone];
        let start = day(day_offset).and_time(NaiveTime::MIN) + TimeDelta::minutes(minute);
        let series = Series::repeating(start, zone, 45, rule);
        let a = start.and_utc() - TimeDelta::days(2);
        let c = a + TimeDelta::days(800);
        let all = expand(&series, a, c);
        prop_assert!(all.windows(2).all(|w| w[0].start < w[1].start && w[0].recurrence_id < w[1].recurrence_id));
        for o in &all {
            prop_assert!(!matches!(zone.from_local_datetime(&o.local_start), LocalResult::None));
            prop_assert_eq!(series.occurrence_at(o.recurrence_id), Some(*o));
        }
        let (lo, hi) = if cuts.0 < cuts.1 { cuts } else { (cuts.1, cuts.0) };
        let b1 = a + TimeDelta::days(800) / 1000 * (lo * 1000.0) as i32;
        let b2 = a + TimeDelta::days(800) / 1000 * (hi * 1000.0) as i32;
        let mut joined = expand(&series, a, b1);
        joined.extend(expand(&series, b1, b2));
        joined.extend(expand(&series, b2, c));
        prop_assert_eq!(joined, all);
    }
}
