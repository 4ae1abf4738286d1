//! Notification categories and quiet hours on the member's clock.

use chrono::{NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::notices::{check_quiet_time, quiet_until, Category, Delivery, Kind, Period, Topic};

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("time")
}

#[test]
fn every_kind_the_app_raises_has_a_category_and_keys_read_back() {
    for kind in Kind::ALL {
        assert_eq!(Kind::parse(kind.key()), Some(kind));
        assert_eq!(Category::of_kind(kind.key()), Some(kind.category()));
        assert_ne!(kind.category(), Category::Summary, "{kind:?}");
        assert_eq!(
            Topic::parse(kind.key()),
            Some(Topic::Kind(kind)),
            "no key is both a kind and something else"
        );
        assert!(!kind.label().is_empty());
    }
    // Every category but the summary has a kind in it, or its setting would do nothing.
    for c in Category::ALL.into_iter().filter(|&c| c != Category::Summary) {
        assert!(Kind::ALL.iter().any(|k| k.category() == c), "{c:?}");
    }
    assert_eq!(Category::of_kind("reminder"), Some(Category::Events));
    assert_eq!(Category::of_kind("nonsense"), None);
    for c in Category::ALL {
        assert_eq!(Category::parse(c.key()), Some(c));
        assert_eq!(Topic::parse(c.key()), Some(Topic::Category(c)));
        assert!(c.choices().contains(&c.default_delivery()), "{c:?}");
        assert!(c.choices().contains(&c.unsubscribed()), "{c:?}");
    }
    for d in Delivery::ALL {
        assert_eq!(Delivery::parse(d.key()), Some(d));
    }
    assert_eq!(Delivery::parse("monthly"), None);
    assert_eq!(Delivery::Weekly.period(), Some(Period::Weekly));
    assert_eq!(Delivery::Email.period(), None);
    assert_eq!(Topic::parse("daily"), Some(Topic::Digest(Period::Daily)));
    assert_eq!(Topic::parse("weekly"), Some(Topic::Digest(Period::Weekly)));
    assert_eq!(Category::Summary.choices(), &[Delivery::Weekly, Delivery::Off]);
    assert_eq!(Category::Summary.unsubscribed(), Delivery::Off);
    assert_eq!(Category::Events.unsubscribed(), Delivery::InApp);
    assert_eq!(Category::Goals.default_delivery(), Delivery::InApp);
    assert_eq!(Category::Partners.default_delivery(), Delivery::Email);
}

#[test]
fn quiet_hours_run_past_midnight_on_the_members_clock() {
    let lisbon: Tz = "Europe/Lisbon".parse().expect("zone");
    let (start, end) = (hm("22:00"), hm("07:30"));
    // 23:00 in Lisbon in winter (UTC+0): held until 07:30 the next morning.
    let late = Utc.with_ymd_and_hms(2026, 12, 3, 23, 0, 0).unwrap();
    assert_eq!(
        quiet_until(late, lisbon, start, end),
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 7, 30, 0).unwrap())
    );
    // 03:00: until 07:30 the same day.
    let night = Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap();
    assert_eq!(
        quiet_until(night, lisbon, start, end),
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 7, 30, 0).unwrap())
    );
    // Daytime, and the end itself, are not quiet.
    assert_eq!(quiet_until(Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap(), lisbon, start, end), None);
    assert_eq!(quiet_until(Utc.with_ymd_and_hms(2026, 12, 4, 7, 30, 0).unwrap(), lisbon, start, end), None);
    // The same instant is 08:00 in Tokyo: not quiet there.
    let tokyo: Tz = "Asia/Tokyo".parse().expect("zone");
    assert_eq!(quiet_until(Utc.with_ymd_and_hms(2026, 12, 3, 23, 0, 0).unwrap(), tokyo, start, end), None);
    // A span within one day, and an empty one.
    let lunch = Utc.with_ymd_and_hms(2026, 12, 4, 12, 30, 0).unwrap();
    assert_eq!(
        quiet_until(lunch, lisbon, hm("12:00"), hm("13:00")),
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 13, 0, 0).unwrap())
    );
    assert_eq!(quiet_until(lunch, lisbon, hm("12:00"), hm("12:00")), None);
}

#[test]
fn quiet_hours_ending_in_a_skipped_hour_end_at_its_first_real_minute() {
    // Lisbon springs forward on 29 March 2026: 01:00 becomes 02:00.
    let lisbon: Tz = "Europe/Lisbon".parse().expect("zone");
    let night = Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap();
    let until = quiet_until(night, lisbon, hm("23:00"), hm("01:30")).expect("quiet");
    assert_eq!(until, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap(), "02:00 summer time");
}

#[test]
fn quiet_times_are_read_or_refused() {
    assert_eq!(check_quiet_time(" 22:00 "), Ok(Some(hm("22:00"))));
    assert_eq!(check_quiet_time(""), Ok(None));
    assert!(check_quiet_time("10pm").is_err());
    assert!(check_quiet_time("25:00").is_err());
}

#[test]
fn digests_are_due_from_the_hour_on_the_members_own_clock() {
    let tokyo: Tz = "Asia/Tokyo".parse().expect("zone");
    let lisbon: Tz = "Europe/Lisbon".parse().expect("zone");
    // Sunday 2026-12-06 22:30 UTC is Monday 07:30 in Tokyo, still Sunday in Lisbon.
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 22, 30, 0).unwrap();
    assert_eq!(Period::Weekly.due(at, tokyo, 7).as_deref(), Some("2026-W50"));
    assert_eq!(Period::Daily.due(at, tokyo, 7).as_deref(), Some("2026-12-07"));
    assert_eq!(Period::Weekly.due(at, lisbon, 7), None);
    assert_eq!(Period::Daily.due(at, lisbon, 7).as_deref(), Some("2026-12-06"));
    // Before the hour, nothing; a later hour is a choice.
    assert_eq!(Period::Daily.due(at, tokyo, 8), None);
    // Monday 06:59 in Lisbon: not yet; 07:00: the week's key, all day long.
    let early = Utc.with_ymd_and_hms(2026, 12, 7, 6, 59, 0).unwrap();
    assert_eq!(Period::Weekly.due(early, lisbon, 7), None);
    for (h, m) in [(7, 0), (12, 0), (23, 59)] {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap();
        assert_eq!(Period::Weekly.due(t, lisbon, 7).as_deref(), Some("2026-W50"), "{h}:{m}");
    }
    // Tuesday: the week's digest is not sent late.
    let tuesday = Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap();
    assert_eq!(Period::Weekly.due(tuesday, lisbon, 7), None);
    // The ISO week of 2027-01-04 (a Monday) is week 1 of 2027; 2026-12-28 is W53 of 2026.
    let new_year = Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap();
    assert_eq!(Period::Weekly.due(new_year, lisbon, 7).as_deref(), Some("2027-W01"));
    let last = Utc.with_ymd_and_hms(2026, 12, 28, 8, 0, 0).unwrap();
    assert_eq!(Period::Weekly.due(last, lisbon, 7).as_deref(), Some("2026-W53"));
}
