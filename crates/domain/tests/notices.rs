//! Notification categories and quiet hours on the member's clock.

use chrono::{NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::notices::{check_quiet_time, quiet_until, Category, Delivery};

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("time")
}

#[test]
fn every_kind_the_app_raises_has_a_category_and_keys_read_back() {
    for kind in [
        "seat",
        "event",
        "partner_request",
        "group_event",
        "post_reply",
        "goal_cheer",
        "referral_thanks",
        "help",
        "poll",
    ] {
        assert!(Category::of_kind(kind).is_some(), "{kind}");
    }
    assert_eq!(Category::of_kind("reminder"), None, "reminders have their own settings");
    for c in Category::ALL {
        assert_eq!(Category::parse(c.key()), Some(c));
    }
    for d in Delivery::ALL {
        assert_eq!(Delivery::parse(d.key()), Some(d));
    }
    assert_eq!(Delivery::parse("weekly"), None);
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
