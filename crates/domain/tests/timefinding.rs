//! Time-finding as an organiser meets it: who is free when, across zones and daylight-saving
//! changes, checked against a minute-by-minute reference.

use std::cmp::Reverse;
use std::slice;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc};
use chrono_tz::{America, Asia, Australia, Europe, Tz, UTC};
use domain::profile::Window;
use domain::recurrence::resolve;
use domain::timefinding::{propose, Invitee, Proposal, SlotRequest, DEFAULT_STEP_MINUTES};
use proptest::prelude::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a test date")
}

fn utc(s: &str) -> DateTime<Utc> {
    at(s).and_utc()
}

fn minutes(hhmm: &str) -> u16 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<u16>().expect("hours") * 60 + m.parse::<u16>().expect("minutes")
}

/// A window on one weekday (0 = Monday), "HH:MM" to "HH:MM" ("24:00" for midnight at the end).
fn window(weekday: u8, from: &str, to: &str) -> Window {
    Window::new(weekday, minutes(from), minutes(to)).expect("a valid window")
}

fn days(weekdays: impl IntoIterator<Item = u8>, from: &str, to: &str) -> Vec<Window> {
    weekdays.into_iter().map(|d| window(d, from, to)).collect()
}

fn invitee(zone: Tz, windows: Vec<Window>) -> Invitee {
    Invitee { zone, windows, busy: Vec::new() }
}

fn request(from: &str, to: &str, duration_minutes: u32) -> SlotRequest {
    SlotRequest {
        from: utc(from),
        to: utc(to),
        duration_minutes,
        step_minutes: DEFAULT_STEP_MINUTES,
        not_before: utc(from),
        limit: 50,
    }
}

fn fmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Starts in UTC as "YYYY-MM-DD HH:MM".
fn starts(ps: &[Proposal]) -> Vec<String> {
    ps.iter().map(|p| fmt(p.start)).collect()
}

/// Starts as a member in `zone` reads them.
fn local_starts(ps: &[Proposal], zone: Tz) -> Vec<String> {
    ps.iter().map(|p| p.start.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()).collect()
}

fn explained(ps: &[Proposal]) -> Vec<(String, String)> {
    ps.iter().map(|p| (fmt(p.start), p.explain())).collect()
}

fn free_between(i: &Invitee, from: &str, to: &str) -> Vec<(String, String)> {
    i.free_between(utc(from), utc(to)).into_iter().map(|(a, b)| (fmt(a), fmt(b))).collect()
}

fn span(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

// ---- The poll page's proposals ----

/// Seven of eight share Tuesday 10–12 in Berlin; four also have Monday 9–10; the eighth only
/// Wednesday 10–12. A January week, so Berlin is UTC+1.
fn eight() -> Vec<Invitee> {
    (0..8)
        .map(|i| {
            let mut ws =
                if i < 7 { vec![window(1, "10:00", "12:00")] } else { vec![window(2, "10:00", "12:00")] };
            if i < 4 {
                ws.push(window(0, "09:00", "10:00"));
            }
            invitee(Europe::Berlin, ws)
        })
        .collect()
}

#[test]
fn basic_the_top_proposal_is_seven_of_eight_at_the_earliest_shared_time() {
    let ps = propose(&eight(), &request("2026-01-12 00:00", "2026-01-19 00:00", 60));
    assert_eq!(
        explained(&ps),
        [
            ("2026-01-13 09:00".into(), "7 of 8 free".into()),
            ("2026-01-13 10:00".into(), "7 of 8 free".into()),
            ("2026-01-12 08:00".into(), "4 of 8 free".into()),
            ("2026-01-14 09:00".into(), "1 of 8 free".into()),
            ("2026-01-14 10:00".into(), "1 of 8 free".into()),
        ]
    );
    assert_eq!(ps[0].free, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(ps[0].not_free(), [7]);
    assert_eq!(ps[0].end, utc("2026-01-13 10:00"));
    assert_eq!(local_starts(&ps[..1], Europe::Berlin), ["2026-01-13 10:00"]);

    let mut all_tuesday = eight();
    all_tuesday[7].windows.push(window(1, "10:00", "12:00"));
    let ps = propose(
        &all_tuesday,
        &SlotRequest { limit: 1, ..request("2026-01-12 00:00", "2026-01-19 00:00", 60) },
    );
    assert_eq!(explained(&ps), [("2026-01-13 09:00".into(), "everyone free (8)".into())]);
}

#[test]
fn basic_busy_events_exclude_an_invitee() {
    let mut people = eight();
    // Invitee 0 has something on 10:00–10:30 Berlin: the best hour moves to 10:30.
    people[0].busy.push((utc("2026-01-13 09:00"), utc("2026-01-13 09:30")));
    let ps = propose(&people, &request("2026-01-12 00:00", "2026-01-19 00:00", 60));
    assert_eq!(
        explained(&ps)[..2],
        [
            ("2026-01-13 09:30".into(), "7 of 8 free".into()),
            ("2026-01-12 08:00".into(), "4 of 8 free".into())
        ]
    );
    assert_eq!(ps[0].free, [0, 1, 2, 3, 4, 5, 6]);

    // Invitee 1 is busy all Tuesday morning: at best six can come then.
    people[1].busy.push((utc("2026-01-13 07:00"), utc("2026-01-13 12:00")));
    let ps = propose(&people, &request("2026-01-12 00:00", "2026-01-19 00:00", 60));
    assert_eq!(explained(&ps)[0], ("2026-01-13 09:30".into(), "6 of 8 free".into()));
    assert_eq!(ps[0].not_free(), [1, 7]);
}

#[test]
fn nobody_free_means_no_proposals() {
    let range = request("2026-01-12 00:00", "2026-01-19 00:00", 60);
    assert!(propose(&[invitee(UTC, Vec::new())], &range).is_empty());
    assert!(propose(&[], &range).is_empty());
    let mut booked = invitee(UTC, days(0..7, "09:00", "17:00"));
    booked.busy.push((utc("2026-01-01 00:00"), utc("2026-02-01 00:00")));
    assert!(propose(&[booked], &range).is_empty());
    let open = [invitee(UTC, days(0..7, "09:00", "17:00"))];
    assert!(propose(&open, &SlotRequest { limit: 0, ..range.clone() }).is_empty());
    assert!(propose(&open, &SlotRequest { duration_minutes: 0, ..range.clone() }).is_empty());
    assert!(propose(&open, &SlotRequest { not_before: range.to, ..range.clone() }).is_empty());
    // A slot longer than every window fits nowhere.
    assert!(propose(&open, &SlotRequest { duration_minutes: 9 * 60, ..range }).is_empty());
}

#[test]
fn windows_touching_at_midnight_are_continuous() {
    let owl = invitee(Europe::Berlin, vec![window(5, "22:00", "24:00"), window(6, "00:00", "02:00")]);
    let ps = propose(&[owl], &request("2026-01-12 00:00", "2026-01-19 00:00", 240));
    assert_eq!(local_starts(&ps, Europe::Berlin), ["2026-01-17 22:00"]);
}

#[test]
fn zones_an_evening_in_berlin_meets_a_morning_in_new_york() {
    let people = [
        invitee(Europe::Berlin, days(0..5, "17:00", "21:00")),
        invitee(America::New_York, days(0..5, "09:00", "13:00")),
    ];
    // January: Berlin is UTC+1 and New York UTC−5, so they share 16:00–18:00 UTC.
    let ps =
        propose(&people, &SlotRequest { limit: 3, ..request("2026-01-12 00:00", "2026-01-17 00:00", 60) });
    assert_eq!(starts(&ps), ["2026-01-12 16:00", "2026-01-12 17:00", "2026-01-13 16:00"]);
    assert!(ps.iter().all(|p| p.explain() == "everyone free (2)"));
    assert_eq!(local_starts(&ps[..1], Europe::Berlin), ["2026-01-12 17:00"]);
    assert_eq!(local_starts(&ps[..1], America::New_York), ["2026-01-12 11:00"]);

    // The weeks when New York has changed its clocks and Berlin not yet: one shared hour a day.
    let ps = propose(&people, &request("2026-03-09 00:00", "2026-03-14 00:00", 60));
    let shared: Vec<_> = ps.iter().filter(|p| p.free == [0, 1]).collect();
    assert_eq!(shared.len(), 5);
    assert!(shared.iter().all(|p| p.start.hour() == 16), "{:?}", shared);
    assert_eq!(local_starts(&ps[..1], America::New_York), ["2026-03-09 12:00"]);
}

// ---- Daylight-saving bug classes seen in other scheduling tools ----

#[test]
fn slots_in_the_week_of_a_change_are_right() {
    let berlin = invitee(Europe::Berlin, days(0..7, "09:00", "12:00"));
    let ps = propose(slice::from_ref(&berlin), &request("2026-03-23 00:00", "2026-04-01 00:00", 180));
    assert_eq!(
        starts(&ps),
        [
            "2026-03-23 08:00",
            "2026-03-24 08:00",
            "2026-03-25 08:00",
            "2026-03-26 08:00",
            "2026-03-27 08:00",
            "2026-03-28 08:00",
            "2026-03-29 07:00",
            "2026-03-30 07:00",
            "2026-03-31 07:00",
        ]
    );
    assert!(local_starts(&ps, Europe::Berlin).iter().all(|l| l.ends_with(" 09:00")));
    assert_eq!(
        free_between(&berlin, "2026-03-28 00:00", "2026-03-30 00:00"),
        [span("2026-03-28 08:00", "2026-03-28 11:00"), span("2026-03-29 07:00", "2026-03-29 10:00")]
    );

    let new_york = invitee(America::New_York, days(0..7, "09:00", "12:00"));
    let ps = propose(&[new_york], &request("2026-03-06 00:00", "2026-03-11 00:00", 180));
    assert_eq!(
        starts(&ps),
        ["2026-03-06 14:00", "2026-03-07 14:00", "2026-03-08 13:00", "2026-03-09 13:00", "2026-03-10 13:00"]
    );
}

#[test]
fn the_spring_forward_day_still_has_slots() {
    // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 01:00–04:00 holds two real hours.
    let berlin = invitee(Europe::Berlin, vec![window(6, "01:00", "04:00")]);
    assert_eq!(
        free_between(&berlin, "2026-03-28 00:00", "2026-03-30 00:00"),
        [span("2026-03-29 00:00", "2026-03-29 02:00")]
    );
    let hours = propose(slice::from_ref(&berlin), &request("2026-03-28 00:00", "2026-03-30 00:00", 60));
    assert_eq!(starts(&hours), ["2026-03-29 00:00", "2026-03-29 01:00"]);
    let quarters = propose(&[berlin], &request("2026-03-28 00:00", "2026-03-30 00:00", 15));
    assert_eq!(
        local_starts(&quarters, Europe::Berlin).iter().map(|l| &l[11..]).collect::<Vec<_>>(),
        ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30", "03:45"]
    );

    // New York, 8 March 2026, the same shape five hours later.
    let new_york = invitee(America::New_York, vec![window(6, "01:00", "04:00")]);
    let ps = propose(&[new_york], &request("2026-03-07 00:00", "2026-03-10 00:00", 60));
    assert_eq!(starts(&ps), ["2026-03-08 06:00", "2026-03-08 07:00"]);

    // Havana skips midnight itself (00:00 CST → 01:00 CDT): a window from midnight starts at the jump.
    let havana = invitee(America::Havana, vec![window(6, "00:00", "02:00")]);
    assert_eq!(
        free_between(&havana, "2026-03-07 00:00", "2026-03-10 00:00"),
        [span("2026-03-08 05:00", "2026-03-08 06:00")]
    );

    // A window ending inside the gap ends at the jump: the member offered until 02:30, which never
    // comes, not until 03:30 as moving the end forward by the gap would make it.
    let until_half_two = invitee(Europe::Berlin, vec![window(6, "00:00", "02:30")]);
    assert_eq!(
        free_between(&until_half_two, "2026-03-28 00:00", "2026-03-30 00:00"),
        [span("2026-03-28 23:00", "2026-03-29 01:00")]
    );
    assert_eq!(fmt(resolve(Europe::Berlin, at("2026-03-29 02:30"))), "2026-03-29 01:30");
}

#[test]
fn a_minimum_notice_window_ending_on_the_change_day_is_exact() {
    // Sunday 29 March 2026, 08:00–14:00 in Berlin: 06:00–12:00 UTC, after the change.
    let berlin = invitee(Europe::Berlin, vec![window(6, "08:00", "14:00")]);
    let range = SlotRequest { step_minutes: 30, ..request("2026-03-27 00:00", "2026-03-31 00:00", 60) };

    // Asked on Saturday at 10:00 (CET) with 24 hours' notice: the notice ends at 09:00 UTC on
    // Sunday, which is 11:00 there, not 10:00 as adding a day on the wall clock would give.
    let asked = resolve(Europe::Berlin, at("2026-03-28 10:00"));
    let notice = SlotRequest { not_before: asked + TimeDelta::hours(24), ..range.clone() };
    let ps = propose(slice::from_ref(&berlin), &notice);
    assert_eq!(fmt(notice.not_before), "2026-03-29 09:00");
    assert_eq!(
        local_starts(&ps, Europe::Berlin),
        ["2026-03-29 11:00", "2026-03-29 12:00", "2026-03-29 13:00"]
    );

    // A notice ending at a local time on the change day, between grid points.
    let notice = SlotRequest { not_before: resolve(Europe::Berlin, at("2026-03-29 10:05")), ..range.clone() };
    let quarters = SlotRequest { step_minutes: 15, limit: 1, ..notice };
    assert_eq!(
        local_starts(&propose(slice::from_ref(&berlin), &quarters), Europe::Berlin),
        ["2026-03-29 10:15"]
    );

    // One second before a grid point still lets that point in; one second after does not.
    let at_ten = resolve(Europe::Berlin, at("2026-03-29 10:00"));
    let first = |not_before| {
        let req = SlotRequest { not_before, limit: 1, step_minutes: 15, ..range.clone() };
        local_starts(&propose(slice::from_ref(&berlin), &req), Europe::Berlin)
    };
    assert_eq!(first(at_ten - TimeDelta::seconds(1)), ["2026-03-29 10:00"]);
    assert_eq!(first(at_ten), ["2026-03-29 10:00"]);
    assert_eq!(first(at_ten + TimeDelta::seconds(1)), ["2026-03-29 10:15"]);
}

#[test]
fn changing_a_members_zone_shifts_their_availability() {
    let week = days(0..5, "09:00", "17:00");
    let shift = |a: Tz, b: Tz, from: &str, to: &str| {
        let req = request(from, to, 8 * 60);
        let pa = propose(&[invitee(a, week.clone())], &req);
        let pb = propose(&[invitee(b, week.clone())], &req);
        assert_eq!(pa.len(), pb.len());
        pa.iter().zip(&pb).map(|(x, y)| (y.start - x.start).num_hours()).collect::<Vec<_>>()
    };
    // Lisbon (UTC+0 in winter) to São Paulo (UTC−3, no daylight saving since 2019): three hours later.
    assert_eq!(shift(Europe::Lisbon, America::Sao_Paulo, "2026-01-12 00:00", "2026-01-17 00:00"), [3; 5]);
    // Berlin to New York across 8 March, when only New York changes: six hours, then five.
    assert_eq!(
        shift(Europe::Berlin, America::New_York, "2026-03-02 00:00", "2026-03-14 00:00"),
        [6, 6, 6, 6, 6, 5, 5, 5, 5, 5]
    );
}

#[test]
fn a_booking_after_the_autumn_change_does_not_land_an_hour_early() {
    let berlin = invitee(Europe::Berlin, vec![window(0, "18:00", "20:00")]);
    let ps = propose(&[berlin], &request("2026-10-19 00:00", "2026-11-03 00:00", 120));
    assert_eq!(starts(&ps), ["2026-10-19 16:00", "2026-10-26 17:00", "2026-11-02 17:00"]);
    assert!(local_starts(&ps, Europe::Berlin).iter().all(|l| l.ends_with(" 18:00")));

    let new_york = invitee(America::New_York, vec![window(0, "18:00", "20:00")]);
    let ps = propose(&[new_york], &request("2026-10-26 00:00", "2026-11-11 00:00", 120));
    assert_eq!(starts(&ps), ["2026-10-26 22:00", "2026-11-02 23:00", "2026-11-09 23:00"]);
}

#[test]
fn the_autumn_change_day_keeps_the_repeated_hour() {
    // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 01:00–04:00 is four real hours.
    let berlin = invitee(Europe::Berlin, vec![window(6, "01:00", "04:00")]);
    assert_eq!(
        free_between(&berlin, "2026-10-24 00:00", "2026-10-26 00:00"),
        [span("2026-10-24 23:00", "2026-10-25 03:00")]
    );
    let ps = propose(&[berlin], &request("2026-10-24 00:00", "2026-10-26 00:00", 240));
    assert_eq!(starts(&ps), ["2026-10-24 23:00"]);

    // An edge at 02:00, which the clock shows twice, is the first time: a window until 02:00 ends
    // as the hour starts to repeat, and one from 02:00 takes in the repeated hour.
    let until_two = invitee(Europe::Berlin, vec![window(6, "00:00", "02:00")]);
    assert_eq!(
        free_between(&until_two, "2026-10-24 00:00", "2026-10-26 00:00"),
        [span("2026-10-24 22:00", "2026-10-25 00:00")]
    );
    let from_two = invitee(Europe::Berlin, vec![window(6, "02:00", "05:00")]);
    assert_eq!(
        free_between(&from_two, "2026-10-24 00:00", "2026-10-26 00:00"),
        [span("2026-10-25 00:00", "2026-10-25 04:00")]
    );
}

#[test]
fn afternoon_slots_on_the_change_day_keep_their_wall_time() {
    let berlin = invitee(Europe::Berlin, vec![window(6, "13:00", "18:00")]);
    assert_eq!(
        free_between(&berlin, "2026-03-29 00:00", "2026-03-30 00:00"),
        [span("2026-03-29 11:00", "2026-03-29 16:00")]
    );
    assert_eq!(
        free_between(&berlin, "2026-10-25 00:00", "2026-10-26 00:00"),
        [span("2026-10-25 12:00", "2026-10-25 17:00")]
    );
}

// ---- Properties against a minute-by-minute reference ----

/// Zones that change clocks on whole hours of the wall clock. With windows on whole hours no window
/// edge falls strictly inside a repeated hour, the one place where "the first instant the clock shows
/// it" and "every minute whose wall time is in the window" part ways.
const CHANGING: [Tz; 7] = [
    Europe::Berlin,
    Europe::London,
    America::New_York,
    America::Havana,
    America::Santiago,
    Australia::Sydney,
    Australia::Lord_Howe,
];
/// Zones without changes in these years, including offsets of half and three quarters of an hour.
const FIXED: [Tz; 5] = [UTC, Asia::Kolkata, Asia::Kathmandu, Asia::Tokyo, America::Sao_Paulo];

/// Fridays before clock changes in 2026: the US and Cuba (8 Mar), the EU (29 Mar), Chile and
/// Australia (5 Apr, 6 Sep, 4 Oct), the EU (25 Oct), the US and Cuba (1 Nov); and a quiet week.
const BASES: [&str; 8] = [
    "2026-03-06 00:00",
    "2026-03-27 00:00",
    "2026-04-03 00:00",
    "2026-09-04 00:00",
    "2026-10-02 00:00",
    "2026-10-23 00:00",
    "2026-10-30 00:00",
    "2026-01-16 00:00",
];

#[derive(Debug, Clone)]
struct Case {
    invitees: Vec<Invitee>,
    req: SlotRequest,
}

fn any_window(whole_hours: bool) -> impl Strategy<Value = Window> {
    // Night windows are weighted up, since the clocks change at night.
    let hour = prop_oneof![0u16..24, 0u16..4];
    let edges = if whole_hours {
        (hour, 1u16..=8).prop_map(|(h, len)| (h * 60, ((h + len) * 60).min(1440))).boxed()
    } else {
        (0u16..288, 1u16..=96).prop_map(|(s, len)| (s * 5, ((s + len) * 5).min(1440))).boxed()
    };
    // Weekends too, since most zones change clocks on a Sunday.
    (prop_oneof![0u8..7, 5u8..7], edges).prop_map(|(weekday, (start_min, end_min))| Window {
        weekday,
        start_min,
        end_min,
    })
}

fn any_invitee() -> impl Strategy<Value = (Tz, Vec<Window>, Vec<(i64, i64)>)> {
    let busy = prop::collection::vec((0i64..4 * 1440, 5i64..=240), 0..4);
    prop_oneof![
        (prop::sample::select(&CHANGING[..]), prop::collection::vec(any_window(true), 0..5), busy.clone()),
        (prop::sample::select(&FIXED[..]), prop::collection::vec(any_window(false), 0..5), busy),
    ]
}

fn any_case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(&BASES[..]),
        0i64..1440,
        60i64..=4 * 1440,
        prop::sample::select(&[15u32, 30, 45, 60, 90, 120, 180][..]),
        prop::sample::select(&[5u32, 10, 15, 30, 60][..]),
        0i64..=2 * 1440,
        1usize..=8,
        prop::collection::vec(any_invitee(), 1..=6),
    )
        .prop_map(|(base, offset, length, duration_minutes, step_minutes, notice, limit, people)| {
            let from = utc(base) + TimeDelta::minutes(offset);
            let invitees = people
                .into_iter()
                .map(|(zone, windows, busy)| Invitee {
                    zone,
                    windows,
                    busy: busy
                        .into_iter()
                        .map(|(s, len)| (from + TimeDelta::minutes(s), from + TimeDelta::minutes(s + len)))
                        .collect(),
                })
                .collect();
            let req = SlotRequest {
                from,
                to: from + TimeDelta::minutes(length),
                duration_minutes,
                step_minutes,
                not_before: from + TimeDelta::minutes(notice),
                limit,
            };
            Case { invitees, req }
        })
}

/// Whether the invitee is free at each minute from `from`: their wall clock reads a time inside one
/// of their windows for that weekday, and no busy interval holds the minute.
fn free_minutes(i: &Invitee, from: DateTime<Utc>, count: i64) -> Vec<bool> {
    (0..count)
        .map(|m| {
            let t = from + TimeDelta::minutes(m);
            let wall = t.with_timezone(&i.zone).naive_local();
            let weekday = wall.weekday().num_days_from_monday();
            let minute = wall.hour() * 60 + wall.minute();
            let open = i.windows.iter().any(|w| {
                u32::from(w.weekday) == weekday
                    && u32::from(w.start_min) <= minute
                    && minute < u32::from(w.end_min)
            });
            open && !i.busy.iter().any(|&(a, b)| a <= t && t < b)
        })
        .collect()
}

/// Every candidate start the request allows, with who is free for its whole slot.
fn reference(case: &Case) -> Vec<(DateTime<Utc>, Vec<usize>)> {
    let req = &case.req;
    let total = (req.to - req.from).num_minutes();
    let maps: Vec<Vec<bool>> = case.invitees.iter().map(|i| free_minutes(i, req.from, total)).collect();
    let duration = i64::from(req.duration_minutes);
    (0..=total - duration)
        .map(|m| (m, req.from + TimeDelta::minutes(m)))
        .filter(|(_, t)| *t >= req.not_before && t.timestamp() % (i64::from(req.step_minutes) * 60) == 0)
        .map(|(m, t)| {
            let range =
                usize::try_from(m).expect("a minute")..usize::try_from(m + duration).expect("a minute");
            let free = maps.iter().enumerate().filter(|(_, map)| map[range.clone()].iter().all(|&f| f));
            (t, free.map(|(i, _)| i).collect())
        })
        .collect()
}

fn key(count: usize, start: DateTime<Utc>) -> (Reverse<usize>, DateTime<Utc>) {
    (Reverse(count), start)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn proposals_match_a_minute_by_minute_reference(case in any_case()) {
        let req = &case.req;
        let ps = propose(&case.invitees, req);
        let candidates = reference(&case);
        let duration = TimeDelta::minutes(req.duration_minutes.into());
        prop_assert!(ps.len() <= req.limit);

        for p in &ps {
            // On the grid, inside the range, after the notice.
            prop_assert_eq!(p.start.timestamp() % (i64::from(req.step_minutes) * 60), 0);
            prop_assert!(p.start >= req.from && p.start >= req.not_before && p.end <= req.to);
            prop_assert_eq!(p.end - p.start, duration);
            prop_assert_eq!(p.total, case.invitees.len());
            // Exactly those free for the whole slot, by the reference, and never nobody.
            let expected = candidates.iter().find(|(t, _)| *t == p.start).map(|(_, f)| f.clone());
            prop_assert_eq!(Some(p.free.clone()), expected, "at {}", p.start);
            prop_assert!(!p.free.is_empty());
        }
        for (a, b) in ps.iter().zip(ps.iter().skip(1)) {
            prop_assert!(key(a.free.len(), a.start) < key(b.free.len(), b.start), "not ranked: {a:?} {b:?}");
        }
        for (i, a) in ps.iter().enumerate() {
            for b in &ps[i + 1..] {
                prop_assert!(a.end <= b.start || b.end <= a.start, "overlap: {a:?} {b:?}");
            }
        }
        // Greedy and complete: any candidate with someone free that was passed over overlaps a
        // better pick, or comes after the last pick once the limit is reached.
        for (t, free) in candidates.iter().filter(|(_, f)| !f.is_empty()) {
            if ps.iter().any(|p| p.start == *t) {
                continue;
            }
            let k = key(free.len(), *t);
            let blocked = ps.iter().any(|p| key(p.free.len(), p.start) < k && p.start < *t + duration && *t < p.end);
            let past_the_limit = ps.len() == req.limit && ps.last().is_some_and(|p| key(p.free.len(), p.start) < k);
            prop_assert!(blocked || past_the_limit, "skipped {t} with {free:?}; got {ps:?}");
        }
    }
}
