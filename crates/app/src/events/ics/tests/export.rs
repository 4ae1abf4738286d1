//! Writing: what a calendar app is handed, and that the importer reads it back.

use chrono_tz::Europe::Berlin;

use super::*;
use crate::events::ics::parse_import;
use crate::events::ics::zones::vtimezone;
use crate::events::input::apply;

#[test]
fn a_weekly_berlin_series_carries_its_rule_exdates_cancelled_and_moved_evenings_and_zone() {
    let (e, overrides) = berlin_series();
    let ics = write(&e, &overrides);
    assert_well_formed(&ics);
    for expected in [
        "PRODID:-//Alongside//Alongside//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:My Alongside",
    ] {
        assert!(ics.contains(&format!("{expected}\r\n")), "missing {expected}\n{ics}");
    }

    let events = vevents(&ics);
    assert_eq!(events.len(), 3, "{ics}");
    let (master, called_off, moved) = (&events[0], &events[1], &events[2]);
    for block in [master, called_off, moved] {
        assert!(block.contains("UID:ev1@alongside\r\n"), "{block}");
        assert!(block.contains("DTSTAMP:20260220T110000Z\r\n"), "{block}");
        assert!(block.contains("URL:https://alongside.example/events/ev1\r\n"), "{block}");
        assert!(block.contains("LOCATION:Stadtbibliothek\\, Berlin\\, Germany\r\n"), "{block}");
        assert!(
            block.contains("ORGANIZER;CN=\"Dana, designer\":https://alongside.example/members/host1\r\n"),
            "{block}"
        );
        assert!(
            block.contains("DESCRIPTION:Bring your laptop\\; we work\\, then chat.\\nSecond line\\, with a comma.\\n\\nhttps://alongside.example/events/ev1\r\n"),
            "{block}"
        );
    }
    assert!(master.contains("DTSTART;TZID=Europe/Berlin:20260304T180000\r\n"), "{master}");
    assert!(master.contains("DTEND;TZID=Europe/Berlin:20260304T200000\r\n"), "{master}");
    assert!(master.contains("RRULE:FREQ=WEEKLY;COUNT=10\r\n"), "{master}");
    assert!(master.contains("EXDATE;TZID=Europe/Berlin:20260311T180000\r\n"), "{master}");
    // The evening the host called off stays in calendars, marked so (as Google writes its own).
    assert!(called_off.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260318T180000\r\n"), "{called_off}");
    assert!(called_off.contains("DTSTART;TZID=Europe/Berlin:20260318T180000\r\n"), "{called_off}");
    assert!(called_off.contains("STATUS:CANCELLED\r\n") && !called_off.contains("RRULE"), "{called_off}");
    assert!(!master.contains("STATUS:CANCELLED") && !moved.contains("STATUS:CANCELLED"), "{ics}");
    assert!(master.contains("SUMMARY:Library evening\r\n"), "{master}");
    assert!(!master.contains("RECURRENCE-ID"), "{master}");

    assert!(moved.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260401T180000\r\n"), "{moved}");
    assert!(moved.contains("DTSTART;TZID=Europe/Berlin:20260402T190000\r\n"), "{moved}");
    assert!(moved.contains("DTEND;TZID=Europe/Berlin:20260402T203000\r\n"), "{moved}");
    assert!(moved.contains("SUMMARY:Library evening (Thursday this week)\r\n"), "{moved}");
    assert!(!moved.contains("RRULE"), "{moved}");

    // One zone, covering the series from a year before; its current rule written as yearly rules.
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
    let tz = ics.split("BEGIN:VTIMEZONE\r\n").nth(1).unwrap().split("END:VTIMEZONE").next().unwrap();
    assert!(tz.starts_with("TZID:Europe/Berlin\r\n"), "{tz}");
    assert!(!tz.contains("UID") && !tz.contains("DTSTAMP"), "{tz}");
    assert!(
        tz.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
         TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ),
        "{tz}"
    );
    assert!(
        tz.contains(
            "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
         TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
        ),
        "{tz}"
    );
}

#[test]
fn zones_without_daylight_saving_get_one_standard_observance() {
    let tz = vtimezone(chrono_tz::Asia::Tokyo, 2025..=2036);
    assert_eq!(tz.matches("BEGIN:STANDARD").count(), 1, "{tz}");
    assert!(!tz.contains("DAYLIGHT"), "{tz}");
    assert!(tz.contains("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\n"), "{tz}");
}

#[test]
fn a_one_time_change_of_offset_is_written_as_a_dated_observance() {
    // Moscow left permanent +04 for +03 on 26 October 2014.
    let tz = vtimezone(chrono_tz::Europe::Moscow, 2013..=2016);
    assert!(
        tz.contains(
            "BEGIN:STANDARD\r\nDTSTART:20141026T020000\r\nTZOFFSETFROM:+0400\r\nTZOFFSETTO:+0300\r\n"
        ),
        "{tz}"
    );
    assert!(!tz.contains("RRULE"), "{tz}");
}

#[test]
fn utc_events_use_utc_times_and_no_zone() {
    let e = event("2026-05-06T09:30", "UTC", "FREQ=DAILY;COUNT=3");
    let ics = write(&e, &[]);
    assert_well_formed(&ics);
    assert!(!ics.contains("VTIMEZONE"), "{ics}");
    assert!(ics.contains("DTSTART:20260506T093000Z\r\n"), "{ics}");
    assert!(ics.contains("DTEND:20260506T113000Z\r\n"), "{ics}");
}

#[test]
fn virtual_events_give_the_video_link_as_location() {
    let mut e = event("2026-05-06T09:30", "America/New_York", "");
    (e.is_virtual, e.place_name, e.city_label) = (1, String::new(), String::new());
    e.video_url = "https://meet.example/abc".into();
    let ics = write(&e, &[]);
    assert!(ics.contains("LOCATION:https://meet.example/abc\r\n"), "{ics}");
    assert!(ics.contains("DTSTART;TZID=America/New_York:20260506T093000\r\n"), "{ics}");
    let back = parse_import(&ics).unwrap();
    assert_eq!(back.is_virtual.unwrap().video_url, "https://meet.example/abc");
    assert!(back.place.is_none() && back.rrule.is_none());
}

#[test]
fn an_end_in_the_repeated_autumn_hour_is_written_as_a_duration() {
    // 01:30 CEST + 90 minutes is 02:00 CET, a wall time that also names 02:00 CEST.
    let mut e = event("2026-10-25T01:30", "Europe/Berlin", "");
    e.duration_minutes = 90;
    let ics = write(&e, &[]);
    assert!(ics.contains("DURATION:PT90M\r\n") && !ics.contains("DTEND"), "{ics}");
    assert_eq!(parse_import(&ics).unwrap().duration_minutes, Some(90));
}

#[test]
fn long_text_is_folded_at_75_octets_and_read_back_whole() {
    let mut e = event("2026-03-04T18:00", "Europe/Berlin", "");
    e.title = "Schreibwerkstatt für Übersetzerinnen und Texter — ".repeat(2).trim().to_owned();
    e.description =
        "Wir arbeiten still, dann reden wir über Kundenakquise; Kaffee geht auf mich. ".repeat(20);
    let ics = write(&e, &[]);
    assert_well_formed(&ics);
    let back = parse_import(&ics).unwrap();
    assert_eq!(back.title.as_deref(), Some(e.title.as_str()));
    assert!(back.description.unwrap().starts_with(e.description.trim()));
}

#[test]
fn a_series_round_trips_through_the_importer() {
    let (e, overrides) = berlin_series();
    let back = parse_import(&write(&e, &overrides)).unwrap();
    assert_eq!(back.title.as_deref(), Some("Library evening"));
    assert_eq!(back.starts_at_local.as_deref(), Some("2026-03-04T18:00"));
    assert_eq!(back.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(back.duration_minutes, Some(120));
    assert_eq!(back.rrule.as_deref(), Some("FREQ=WEEKLY;COUNT=10"));
    assert_eq!(back.kind.as_deref(), Some("meetup"));
    let place = back.place.clone().unwrap();
    assert_eq!((place.name.as_str(), place.city.as_str()), ("Stadtbibliothek", "Berlin, Germany"));
    let fields = apply(&back, None).unwrap();
    assert_eq!(fields.city_id, Some(2950159));
}

#[test]
fn a_date_until_round_trips_as_the_end_of_that_day() {
    let e = event("2026-03-04T18:00", "Europe/Berlin", "FREQ=WEEKLY;UNTIL=20260401");
    let ics = write(&e, &[]);
    assert!(ics.contains("RRULE:FREQ=WEEKLY;UNTIL=20260401T215959Z\r\n"), "{ics}");
    let fields = apply(&parse_import(&ics).unwrap(), None).unwrap();
    assert_eq!(fields.rrule, "FREQ=WEEKLY;UNTIL=20260401T215959Z");
}

#[test]
fn a_cancelled_one_off_is_marked_cancelled() {
    let e = event("2026-05-06T09:30", "Europe/Berlin", "");
    let cancelled = Override {
        occurrence_start: key(Berlin, "2026-05-06T09:30"),
        cancelled: 1,
        start_local: None,
        duration_minutes: None,
        title: None,
    };
    let ics = write(&e, &[cancelled]);
    let events = vevents(&ics);
    assert_eq!(events.len(), 1);
    assert!(events[0].contains("STATUS:CANCELLED\r\n") && !events[0].contains("RRULE"), "{ics}");
}

#[test]
fn a_series_date_whose_time_the_clocks_skip_is_written_as_moved() {
    // Sundays at 01:30 in Lisbon: on 28 Mar 2027 the clocks jump from 01:00 to 02:00.
    let e = event("2027-03-14T01:30", "Europe/Lisbon", "FREQ=WEEKLY;COUNT=4");
    let ics = write(&e, &[]);
    assert_well_formed(&ics);
    let events = vevents(&ics);
    assert_eq!(events.len(), 2, "the series and its one shifted date: {ics}");
    let shifted = &events[1];
    assert!(shifted.contains("RECURRENCE-ID;TZID=Europe/Lisbon:20270328T013000\r\n"), "{shifted}");
    assert!(shifted.contains("DTSTART;TZID=Europe/Lisbon:20270328T023000\r\n"), "{shifted}");
    // A series in the afternoon has nothing to move.
    let day = event("2027-03-14T15:00", "Europe/Lisbon", "FREQ=WEEKLY;COUNT=4");
    assert_eq!(vevents(&write(&day, &[])).len(), 1);
}
