//! Reading every event of a calendar file (a group's export from Meetup or Google, say), each
//! series with its cancelled and changed dates, for an organiser's import. An event the file
//! describes in a way we cannot use is reported by its title; the others are read all the same.

use icalendar::parser;

use super::import::{build, events_of, problem, prop, text, unfold_checked, Imported, UNREADABLE};
use domain::FieldErrors;

/// A group's calendar can hold years of events; a file this large is not one.
const MAX_BYTES: usize = 8 << 20;
const TOO_LARGE: &str = "The file is too large (over 8 MB). Export a shorter stretch of the calendar.";
/// Most events one import takes.
pub const MAX_EVENTS: usize = 1_000;

/// One event of the file.
#[derive(Debug)]
pub struct Found {
    /// Its UID, by which a later import of the same calendar finds it; empty when the file gives
    /// none (then each import adds it afresh).
    pub uid: String,
    /// Its title as the file has it, to name it in a report.
    pub title: String,
    pub read: Result<Imported, FieldErrors>,
}

/// Every event of `file`: one per UID (a series' dates changed or cancelled come with it).
pub fn parse_calendar(file: &str) -> Result<Vec<Found>, FieldErrors> {
    let unfolded = unfold_checked(file, MAX_BYTES, TOO_LARGE)?;
    let roots = parser::read_calendar_simple(unfolded.trim()).map_err(|_| problem(UNREADABLE))?;
    let (calendar, events) = events_of(&roots)?;
    let uid_of = |c: &parser::Component<'_>| {
        prop(c, "UID").map(|p| p.val.as_str().trim().to_owned()).unwrap_or_default()
    };
    let mut out: Vec<Found> = Vec::new();
    for master in events.iter().filter(|e| prop(e, "RECURRENCE-ID").is_none()) {
        if out.len() == MAX_EVENTS {
            return Err(problem(format!(
                "The file has more than {MAX_EVENTS} events. Export a shorter stretch of the calendar."
            )));
        }
        let uid = uid_of(master);
        let siblings: Vec<&parser::Component<'_>> = if uid.is_empty() {
            vec![*master]
        } else {
            events.iter().copied().filter(|e| uid_of(e) == uid).collect()
        };
        let title = text(master, "SUMMARY", 120).unwrap_or_else(|| "(an event without a title)".to_owned());
        // The same UID twice without RECURRENCE-ID: the first one counts.
        if !uid.is_empty() && out.iter().any(|f| f.uid == uid) {
            continue;
        }
        out.push(Found { uid, title, read: build(master, &siblings, calendar) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Meetup//EN\r\n\
        BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:weekly-1@meetup\r\nDTSTAMP:20261101T100000Z\r\nSUMMARY:Coworking morning\r\n\
        DTSTART;TZID=W. Europe Standard Time:20270106T090000\r\nDTEND;TZID=W. Europe Standard Time:20270106T120000\r\n\
        RRULE:FREQ=WEEKLY;COUNT=8\r\nLOCATION:Café Lumen\\, Berlin\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:weekly-1@meetup\r\nDTSTAMP:20261101T100000Z\r\n\
        RECURRENCE-ID;TZID=W. Europe Standard Time:20270113T090000\r\n\
        DTSTART;TZID=W. Europe Standard Time:20270113T090000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:talk-2@meetup\r\nDTSTAMP:20261101T100000Z\r\nSUMMARY:Pricing talk\r\n\
        DTSTART:20250910T170000Z\r\nDURATION:PT90M\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:allday-3@meetup\r\nSUMMARY:Summer break\r\nDTSTART;VALUE=DATE:20270801\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";

    #[test]
    fn every_event_is_read_by_uid_with_windows_zones_and_bad_ones_named() {
        let found = parse_calendar(GROUP).expect("read");
        let titles: Vec<&str> = found.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["Coworking morning", "Pricing talk", "Summer break"]);
        let weekly = found[0].read.as_ref().expect("the series");
        assert_eq!(
            weekly.input.time_zone.as_deref(),
            Some("Europe/Berlin"),
            "Outlook's name, read with CLDR's table"
        );
        assert_eq!(weekly.input.starts_at_local.as_deref(), Some("2027-01-06T09:00"));
        assert_eq!(weekly.cancelled.len(), 1, "the cancelled date came with its series");
        assert_eq!(found[1].uid, "talk-2@meetup");
        assert!(found[1].read.is_ok(), "a past event is read like any other");
        assert!(found[2].read.is_err(), "an all-day event can't be one of ours, and says so");
    }

    #[test]
    fn nonsense_is_refused_whole_and_too_many_events_too() {
        assert!(parse_calendar("").is_err());
        assert!(parse_calendar("not a calendar").is_err());
        let one = "BEGIN:VEVENT\r\nUID:u{n}\r\nSUMMARY:E\r\nDTSTART:20270106T090000Z\r\nEND:VEVENT\r\n";
        let many: String = (0..=MAX_EVENTS).map(|n| one.replace("{n}", &n.to_string())).collect();
        let file = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{many}END:VCALENDAR\r\n");
        assert!(parse_calendar(&file).is_err());
    }
}
