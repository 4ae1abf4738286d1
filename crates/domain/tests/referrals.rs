//! Referral slips move forwards only, money is summed per currency, periods and overdue contacts
//! follow the member's zone, and frequent referrals are noticed.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::{America, Asia, Europe};
use domain::referrals::{
    check_cadence, check_currency, check_hours, due_on, format_amount, frequent, hours_words, overdue_days,
    parse_amount, period, totals, PeriodKind, SlipStatus,
};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc)
}

#[test]
fn slips_move_forward_and_stop_when_closed() {
    use SlipStatus::*;
    for (from, to) in
        [(Received, Contacted), (Received, Meeting), (Received, Won), (Contacted, Lost), (Meeting, Won)]
    {
        assert!(from.may_become(to).is_ok(), "{from:?} → {to:?}");
    }
    for (from, to) in [
        (Contacted, Received),
        (Meeting, Contacted),
        (Meeting, Meeting),
        (Won, Lost),
        (Lost, Won),
        (Won, Meeting),
    ] {
        let e = from.may_become(to).expect_err("refused");
        assert!(!e.is_empty());
    }
    assert_eq!(
        Meeting.may_become(Contacted).expect_err("back"),
        "A referral moves forward: from meeting it can go on to won, lost."
    );
    assert_eq!(
        Won.may_become(Lost).expect_err("closed"),
        "This referral is won already: it can't change any more."
    );
    assert!(SlipStatus::parse("maybe").is_err());
}

#[test]
fn amounts_are_read_either_way_and_summed_per_currency() {
    assert_eq!(parse_amount("1250"), Ok(125_000));
    assert_eq!(parse_amount("1,250.50"), Ok(125_050));
    assert_eq!(parse_amount("1.250,50"), Ok(125_050));
    assert_eq!(parse_amount("99,5"), Ok(9_950));
    assert_eq!(parse_amount(" 12 000 "), Ok(1_200_000));
    assert!(parse_amount("lots").is_err() && parse_amount("").is_err() && parse_amount("-5").is_err());
    assert_eq!(format_amount(125_050), "1250.50");
    assert_eq!(check_currency(" eur"), Ok("EUR".into()));
    assert!(check_currency("EURO").is_err());
    let t = totals([("EUR", 10000), ("USD", 500), ("EUR", 5000)]);
    assert_eq!(t.into_iter().collect::<Vec<_>>(), [("EUR".to_owned(), 15000), ("USD".to_owned(), 500)]);
}

#[test]
fn periods_follow_the_members_calendar() {
    let t = at("2026-12-31T23:30:00Z");
    // Still 31 December in Lisbon, already 2027 in Tokyo.
    let (start, end, first) = period(PeriodKind::Year, t, Europe::Lisbon);
    assert_eq!(
        (start, end, first),
        (
            at("2026-01-01T00:00:00Z"),
            at("2027-01-01T00:00:00Z"),
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("d")
        )
    );
    let (start, _, first) = period(PeriodKind::Year, t, Asia::Tokyo);
    assert_eq!((start, first.to_string()), (at("2026-12-31T15:00:00Z"), "2027-01-01".into()));
    let (start, end, _) = period(PeriodKind::Month, at("2027-03-15T12:00:00Z"), Europe::Berlin);
    assert_eq!(
        (start, end),
        (at("2027-02-28T23:00:00Z"), at("2027-03-31T22:00:00Z")),
        "March across the clock change"
    );
    let (start, end, first) = period(PeriodKind::Week, at("2026-12-03T12:00:00Z"), America::New_York);
    assert_eq!(
        (start, end, first.to_string()),
        (at("2026-11-30T05:00:00Z"), at("2026-12-07T05:00:00Z"), "2026-11-30".into())
    );
    assert!(PeriodKind::parse("decade").is_err());
}

#[test]
fn contacts_fall_due_in_the_owners_zone() {
    let last = at("2026-10-20T23:30:00Z"); // 21 October in Berlin, still the 20th in New York
    assert_eq!(due_on(last, Some(42), Europe::Berlin).map(|d| d.to_string()), Some("2026-12-02".into()));
    assert_eq!(due_on(last, Some(42), America::New_York).map(|d| d.to_string()), Some("2026-12-01".into()));
    assert_eq!(due_on(last, None, Europe::Berlin), None);
    let now = at("2026-12-02T10:00:00Z");
    let due = due_on(last, Some(42), Europe::Berlin).expect("due");
    assert_eq!(overdue_days(due, now, Europe::Berlin), 0, "due today: not overdue yet");
    assert_eq!(
        overdue_days(due_on(last, Some(42), America::New_York).expect("due"), now, America::New_York),
        1
    );
    assert_eq!(check_cadence("42"), Ok(Some(42)));
    assert_eq!(check_cadence(""), Ok(None));
    assert!(check_cadence("1000").is_err());
}

#[test]
fn frequent_receivers_and_hours() {
    let given = ["bo", "cy", "bo", "bo", "cy", "bo", "di"];
    assert_eq!(frequent(given.iter().copied()), [("bo".to_owned(), 4)]);
    assert_eq!(check_hours("1.5"), Ok(90));
    assert_eq!(check_hours("0,25"), Ok(15));
    assert!(check_hours("0.1").is_err() && check_hours("200").is_err() && check_hours("x").is_err());
    assert_eq!(hours_words(90), "1.5 h");
    assert_eq!(hours_words(360), "6 h");
}
