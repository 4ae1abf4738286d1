//! Stories for calendar files: a Berlin series with a cancelled and a moved evening, round trips
//! through the importer, invites as other apps write them, and files that must be refused kindly.
//! The fixtures shared by both live here.

mod export;
mod import;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Europe::Berlin;
use domain::recurrence::resolve;
use store::events::{Event, Override};

use super::{calendar, IcsEvent};
use crate::events::input::parse_local;

pub(super) const BASE: &str = "https://alongside.example/";

pub(super) fn event(start_local: &str, zone: &str, rrule: &str) -> Event {
    let ms = Berlin.with_ymd_and_hms(2026, 2, 20, 12, 0, 0).unwrap().timestamp_millis();
    Event {
        id: "ev1".into(),
        host_id: "host1".into(),
        group_id: None,
        venue_id: None,
        venue_rotation: String::new(),
        cover_id: None,
        sequence: 0,
        kind: "cowork".into(),
        title: "Library evening".into(),
        description: "Bring your laptop; we work, then chat.\nSecond line, with a comma.".into(),
        is_virtual: 0,
        place_name: "Stadtbibliothek".into(),
        city_id: Some(2950159),
        city_label: "Berlin, Germany".into(),
        video_url: String::new(),
        start_local: start_local.into(),
        time_zone: zone.into(),
        duration_minutes: 120,
        rrule: rrule.into(),
        exdates: String::new(),
        first_start_at: 0,
        last_end_at: None,
        capacity: None,
        visibility: "public".into(),
        created_at: ms,
        updated_at: ms,
    }
}

pub(super) fn local(s: &str) -> NaiveDateTime {
    parse_local(s).unwrap()
}

pub(super) fn key(zone: chrono_tz::Tz, s: &str) -> i64 {
    resolve(zone, local(s)).timestamp_millis()
}

pub(super) fn write(e: &Event, overrides: &[Override]) -> String {
    calendar(
        &[IcsEvent { event: e, overrides, host_name: "Dana, designer", only: None, places: &[] }],
        "My Alongside",
        BASE,
        chrono::Utc::now(),
    )
}

/// The VEVENT blocks of a calendar, unfolded.
pub(super) fn vevents(ics: &str) -> Vec<String> {
    let unfolded = ics.replace("\r\n ", "");
    unfolded
        .split("BEGIN:VEVENT\r\n")
        .skip(1)
        .map(|b| b.split("END:VEVENT").next().unwrap().to_owned())
        .collect()
}

pub(super) fn assert_well_formed(ics: &str) {
    assert!(ics.ends_with("\r\n"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line:?}");
        assert!(!line.contains('\n') && !line.contains('\r'), "stray line break in {line:?}");
    }
    let unfolded = icalendar::parser::unfold(ics);
    let parsed = icalendar::parser::read_calendar(&unfolded);
    assert!(parsed.is_ok(), "{parsed:?}");
}

pub(super) fn berlin_series() -> (Event, Vec<Override>) {
    let mut e = event("2026-03-04T18:00", "Europe/Berlin", "FREQ=WEEKLY;COUNT=10");
    e.exdates = "2026-03-11T18:00".into();
    let overrides = vec![
        Override {
            occurrence_start: key(Berlin, "2026-03-18T18:00"),
            cancelled: 1,
            start_local: None,
            duration_minutes: None,
            title: None,
        },
        Override {
            occurrence_start: key(Berlin, "2026-04-01T18:00"),
            cancelled: 0,
            start_local: Some("2026-04-02T19:00".into()),
            duration_minutes: Some(90),
            title: Some("Library evening (Thursday this week)".into()),
        },
    ];
    (e, overrides)
}

/// An invite as a meetup site writes it: CRLF line ends, folded lines, a VTIMEZONE and an alarm.
pub(super) const INVITE_LINES: [&str; 26] = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Meetup//RemoteApi//EN",
    "METHOD:REQUEST",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:STANDARD",
    "DTSTART:19701025T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:abc@meetup.example",
    "DTSTAMP:20260301T100000Z",
    "SUMMARY:WordPress Meetup: Block themes\\, ",
    " hands on",
    "DESCRIPTION:Bring a laptop.\\nWe start on time\\; doors at 18:45.",
    "DTSTART;TZID=Europe/Berlin:20260325T190000",
    "DTEND;TZID=Europe/Berlin:20260325T2",
    " 10000",
    "LOCATION:Café Oberholz\\, Torstraße 1\\, 10119 Berlin\\, Germany",
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
];

pub(super) fn invite() -> String {
    INVITE_LINES.join("\r\n")
}
