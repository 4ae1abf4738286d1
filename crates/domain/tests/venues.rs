//! Venues: opening hours across midnight, closed days, exceptions and clock changes; what
//! reviews make of a venue; and suggestions that are open, quiet, fair and never next door.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::{Europe, Tz};
use domain::venues::{
    aggregate, max_noise, rotation_pick, suggest, Attributes, Candidate, OpeningHours, Participant, Review,
    VenueIndex,
};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("an RFC 3339 instant").with_timezone(&Utc)
}

fn hours(weekly: &str, exceptions: &str) -> OpeningHours {
    OpeningHours::parse(weekly, exceptions).expect("hours")
}

fn open(h: &OpeningHours, zone: Tz, from: &str, minutes: i64) -> bool {
    let start = at(from);
    h.open_throughout(zone, start, start + TimeDelta::minutes(minutes))
}

#[test]
fn hours_read_back_the_way_they_were_written() {
    let h = hours(
        "Mon-Fri 08:00-18:00; Sat 09:00-13:00, 15:00-18:00; sun closed",
        "2026-12-25 closed; 2026-12-24 09:00-13:00",
    );
    assert_eq!(h.weekly_text(), "Mon-Fri 08:00-18:00; Sat 09:00-13:00, 15:00-18:00; Sun closed");
    assert_eq!(h.exceptions_text(), "2026-12-24 09:00-13:00; 2026-12-25 closed");
    let again = OpeningHours::parse(&h.weekly_text(), &h.exceptions_text()).expect("round trip");
    assert_eq!(again, h);
    assert_eq!(h.describe(NaiveDate::from_ymd_opt(2026, 12, 5).expect("date")), "09:00–13:00, 15:00–18:00");
    for (weekly, field) in [("Monday 9-5", "hours"), ("Mon 25:00-26:00", "hours"), ("Mon-Fri", "hours")] {
        assert_eq!(OpeningHours::parse(weekly, "").map_err(|e| e.0), Err(field.to_owned()), "{weekly}");
    }
    assert_eq!(OpeningHours::parse("", "Christmas closed").map_err(|e| e.0), Err("exceptions".to_owned()));
}

#[test]
fn a_stay_must_fit_inside_the_hours_and_closed_days_stay_closed() {
    let h = hours("Mon-Fri 08:00-18:00; Sat 09:00-13:00, 15:00-18:00", "");
    let lisbon = Europe::Lisbon; // UTC in winter
    assert!(open(&h, lisbon, "2026-12-02T09:00:00Z", 120), "a Wednesday morning");
    assert!(open(&h, lisbon, "2026-12-02T16:00:00Z", 120), "ends exactly at closing");
    assert!(!open(&h, lisbon, "2026-12-02T17:00:00Z", 90), "runs past closing");
    assert!(!open(&h, lisbon, "2026-12-02T07:30:00Z", 60), "starts before opening");
    assert!(!open(&h, lisbon, "2026-12-05T12:00:00Z", 120), "across Saturday's lunch break");
    assert!(open(&h, lisbon, "2026-12-05T15:00:00Z", 60));
    assert!(!open(&h, lisbon, "2026-12-06T10:00:00Z", 60), "Sunday is not mentioned: closed");
    // The same instant, read in Berlin, is an hour later on the wall: 17:00 to 19:00 is past six.
    assert!(!open(&h, Europe::Berlin, "2026-12-02T16:00:00Z", 120));
}

#[test]
fn late_spans_run_past_midnight_and_join_the_next_day() {
    let h = hours("Fri-Sat 18:00-02:00; Sun 00:00-24:00", "");
    let z = Europe::Lisbon;
    assert!(open(&h, z, "2026-12-04T23:00:00Z", 120), "Friday 23:00 to Saturday 01:00");
    assert!(!open(&h, z, "2026-12-05T01:30:00Z", 60), "past 02:00");
    // Saturday 18:00 to 02:00 runs into Sunday, open all day: one unbroken stretch.
    assert!(open(&h, z, "2026-12-06T01:00:00Z", 240));
    assert!(!open(&h, z, "2026-12-07T23:30:00Z", 60), "Sunday's 24:00 is the end; Monday is closed");
}

#[test]
fn exceptions_replace_a_date_and_nothing_else() {
    let h = hours("Mon-Sun 08:00-20:00", "2026-12-25 closed; 2026-12-24 09:00-13:00");
    let z = Europe::Lisbon;
    assert!(!open(&h, z, "2026-12-25T10:00:00Z", 60), "closed on Christmas Day");
    assert!(open(&h, z, "2026-12-24T10:00:00Z", 120));
    assert!(!open(&h, z, "2026-12-24T12:00:00Z", 120), "short hours on the 24th");
    assert!(open(&h, z, "2026-12-26T10:00:00Z", 60), "back to normal");
}

#[test]
fn hours_follow_the_wall_clock_across_clock_changes() {
    let h = hours("Mon-Sun 09:00-17:00", "");
    let berlin = Europe::Berlin;
    // Before the change on 28 March 2027 Berlin is UTC+1, after it UTC+2.
    assert!(open(&h, berlin, "2027-03-27T08:00:00Z", 60), "09:00 local on the Saturday");
    assert!(
        !open(&h, berlin, "2027-03-28T06:30:00Z", 60),
        "06:30 UTC is 08:30 local once clocks went forward"
    );
    assert!(open(&h, berlin, "2027-03-28T07:00:00Z", 480), "09:00 to 17:00 local, now UTC 07 to 15");
    // A night span across the spring change is an hour shorter: 22:00 to 04:00 is five hours.
    let night = hours("Sat 22:00-04:00", "");
    assert!(open(&night, berlin, "2027-03-27T21:00:00Z", 300));
    assert!(!open(&night, berlin, "2027-03-27T21:00:00Z", 301));
    // In the autumn the repeated hour makes it seven.
    assert!(open(&night, berlin, "2027-10-30T20:00:00Z", 420));
}

fn stated(noise: f64) -> Attributes {
    Attributes { noise, wifi: true, outlets: 1, good_for_work: None, reviews: 0 }
}

#[test]
fn recent_reviews_decide_what_a_venue_is_like() {
    let r = |noise, wifi, outlets, good| Review { noise, wifi, outlets, good_for_work: good };
    let a = aggregate(stated(1.0), &[r(3, true, 2, true), r(4, false, 2, false), r(2, true, 0, true)]);
    assert!((a.noise - 3.0).abs() < 1e-9 && a.wifi && a.outlets == 2 && a.reviews == 3, "{a:?}");
    assert!((a.good_for_work.expect("share") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(aggregate(stated(2.0), &[]), stated(2.0), "without reviews, what was stated");
    let many: Vec<Review> = (0..15).map(|i| r(if i < 10 { 1 } else { 5 }, true, 1, true)).collect();
    assert!((aggregate(stated(3.0), &many).noise - 1.0).abs() < 1e-9, "only the ten most recent count");
}

fn venue(at: (f64, f64), noise: f64, weekly: &str) -> Candidate {
    Candidate { at, zone: Europe::Lisbon, hours: hours(weekly, ""), attributes: stated(noise) }
}

fn person(name: &str, home: (f64, f64)) -> Participant {
    Participant { name: name.into(), home: Some(home), near_home: Vec::new() }
}

// Places along a line east of Lisbon's centre, about 0.9 km per 0.01° of longitude.
const LISBON: (f64, f64) = (38.7167, -9.1333);
fn east(km: f64) -> (f64, f64) {
    (LISBON.0, LISBON.1 + km / 86.9)
}

#[test]
fn the_fairest_quiet_open_venue_comes_first_with_its_reasons() {
    let index = VenueIndex::new(vec![
        venue(east(5.0), 2.0, "Mon-Sun 08:00-20:00"), // halfway: 5 km each
        venue(east(2.0), 2.0, "Mon-Sun 08:00-20:00"), // 2 and 8: shorter total? no, the same 10
        venue(east(4.0), 1.0, "Mon-Sun 08:00-20:00"), // 4 and 6: longest 6
        venue(east(5.1), 5.0, "Mon-Sun 08:00-20:00"), // fair but loud
        venue(east(4.9), 2.0, "Sat-Sun 10:00-14:00"), // fair but closed on a Wednesday
    ]);
    let pair = [person("Ana", east(0.0)), person("Bo", east(10.0))];
    let wed = at("2026-12-02T10:00:00Z");
    let s = suggest(&index, &pair, "cowork", wed, wed + TimeDelta::hours(2), 5);
    assert_eq!(
        s.iter().map(|x| x.index).collect::<Vec<_>>(),
        [0, 2, 1],
        "longest trip first, the loud and the closed left out"
    );
    assert!((s[0].longest_km - 5.0).abs() < 0.1, "{}", s[0].longest_km);
    assert!(s[0].reasons.iter().any(|r| r == "open 08:00–20:00 that day"), "{:?}", s[0].reasons);
    assert!(s[0].reasons.iter().any(|r| r.starts_with("quiet")), "{:?}", s[0].reasons);
    assert!(
        s[0].reasons.iter().any(|r| r.starts_with("fair: the longest trip is about 5 km")),
        "{:?}",
        s[0].reasons
    );
    // A meetup may be loud: the loud one (5.1 km from Ana, 4.9 from Bo) is as fair as the best.
    let s = suggest(&index, &pair, "meetup", wed, wed + TimeDelta::hours(2), 5);
    assert_eq!(s.iter().take(2).map(|x| x.index).collect::<Vec<_>>(), [0, 3]);
    assert_eq!(max_noise("accountability"), 2);
}

#[test]
fn a_cafe_someone_marked_as_near_home_goes_last_and_names_nobody() {
    let index = VenueIndex::new(vec![
        venue(east(0.4), 1.0, "Mon-Sun 08:00-20:00"), // Bo marked it: next door to him
        venue(east(6.0), 2.0, "Mon-Sun 08:00-20:00"), // a longer trip, but nobody's street
        venue(east(0.5), 1.0, "Mon-Sun 08:00-20:00"), // as close to the city centre, unmarked
    ]);
    let mut bo = person("Bo", east(1.5));
    bo.near_home = vec![0];
    let pair = [person("you", east(0.0)), bo];
    let wed = at("2026-12-02T10:00:00Z");
    let s = suggest(&index, &pair, "cowork", wed, wed + TimeDelta::hours(1), 5);
    assert_eq!(
        s.iter().map(|x| x.index).collect::<Vec<_>>(),
        [2, 1, 0],
        "marked last; nothing guessed for the rest"
    );
    assert_eq!(s[2].too_close, [1]);
    assert!(s[2].reasons.iter().any(|r| r == "near someone's home"), "{:?}", s[2].reasons);
    assert!(s.iter().flat_map(|x| &x.reasons).all(|r| !r.contains("Bo's") && !r.contains("home radius")));
    // The asker's own mark says so to them.
    let mut me = person("you", east(0.0));
    me.near_home = vec![2];
    let s = suggest(&index, &[me, person("Bo", east(1.5))], "cowork", wed, wed + TimeDelta::hours(1), 5);
    let last = s.last().expect("three");
    assert_eq!(last.index, 2);
    assert!(last.reasons.iter().any(|r| r == "you marked it as near your home"), "{:?}", last.reasons);
    // For a pair who marked nothing, the café at the centre is simply the fairest.
    let others = [person("Cy", east(-3.0)), person("Di", east(3.0))];
    let s = suggest(&index, &others, "cowork", wed, wed + TimeDelta::hours(1), 5);
    assert_eq!(s[0].index, 0);
    assert!(s[0].too_close.is_empty());
}

#[test]
fn a_series_takes_its_venues_in_turn() {
    let rotation = ["a", "b", "c"];
    let picks: Vec<_> = (0..5).filter_map(|n| rotation_pick(&rotation, n)).collect();
    assert_eq!(picks, ["a", "b", "c", "a", "b"]);
    assert_eq!(rotation_pick::<&str>(&[], 3), None);
}
