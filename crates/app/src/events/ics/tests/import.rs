//! Reading invites: how other apps write them, files to refuse with a sentence, and fuzzing.

use super::*;
use crate::events::ics::parse_import;
use crate::events::input::apply;

#[test]
fn an_invite_with_crlf_and_folded_lines_is_read() {
    let input = parse_import(&invite()).unwrap();
    assert_eq!(input.title.as_deref(), Some("WordPress Meetup: Block themes, hands on"));
    assert_eq!(input.description.as_deref(), Some("Bring a laptop.\nWe start on time; doors at 18:45."));
    assert_eq!(input.starts_at_local.as_deref(), Some("2026-03-25T19:00"));
    assert_eq!(input.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(input.duration_minutes, Some(120));
    let place = input.place.clone().unwrap();
    assert_eq!(place.name, "Café Oberholz, Torstraße 1");
    assert_eq!(place.city, "Berlin, Germany");
    assert!(apply(&input, None).is_ok());
    // The same with bare LF line ends and tab-folded lines.
    let unix = invite().replace("\r\n ", "\n\t").replace("\r\n", "\n");
    assert_eq!(parse_import(&unix).unwrap().title, input.title);
}

#[test]
fn other_ways_of_writing_the_start_are_understood() {
    let with = |dtstart: &str| invite().replace("DTSTART;TZID=Europe/Berlin:20260325T190000", dtstart);
    let utc = parse_import(&with("DTSTART:20260325T180000Z")).unwrap();
    assert_eq!(
        (utc.time_zone.as_deref(), utc.starts_at_local.as_deref()),
        (Some("UTC"), Some("2026-03-25T18:00"))
    );
    assert_eq!(utc.duration_minutes, Some(120), "DTEND in Berlin, start in UTC");
    let prefixed =
        parse_import(&with("DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260325T190000")).unwrap();
    assert_eq!(prefixed.time_zone.as_deref(), Some("Europe/Berlin"));
    let floating =
        with("DTSTART:20260325T190000").replace("VERSION:2.0", "VERSION:2.0\r\nX-WR-TIMEZONE:Europe/Lisbon");
    assert_eq!(parse_import(&floating).unwrap().time_zone.as_deref(), Some("Europe/Lisbon"));
    let duration = with("DTSTART;TZID=Europe/Berlin:20260325T190000")
        .replace("DTEND;TZID=Europe/Berlin:20260325T2\r\n 10000", "DURATION:PT1H15M");
    assert_eq!(parse_import(&duration).unwrap().duration_minutes, Some(75));
    let local_until =
        invite().replace("END:VALARM\r\n", "END:VALARM\r\nRRULE:FREQ=WEEKLY;UNTIL=20260415T190000\r\n");
    assert_eq!(
        parse_import(&local_until).unwrap().rrule.as_deref(),
        Some("FREQ=WEEKLY;UNTIL=20260415T170000Z")
    );
}

#[test]
fn a_link_or_online_as_location_makes_the_event_virtual() {
    let with = |location: &str| {
        let text = invite().replace(
            "LOCATION:Café Oberholz\\, Torstraße 1\\, 10119 Berlin\\, Germany",
            &format!("LOCATION:{location}"),
        );
        parse_import(&text).unwrap()
    };
    let zoom = with("Zoom: https://zoom.example/j/123\\, passcode in the description");
    assert_eq!(zoom.is_virtual.unwrap().video_url, "https://zoom.example/j/123");
    assert!(zoom.place.is_none());
    let online = with("Online");
    assert_eq!(online.is_virtual.unwrap().video_url, "");
    let unknown = with("The back room");
    let place = unknown.place.clone().unwrap();
    assert_eq!((place.name.as_str(), place.city.as_str()), ("The back room", ""));
    // The form then asks for the city, by its own field.
    assert!(apply(&unknown, None).unwrap_err().get("place.city").is_some());
}

fn file_error(text: &str) -> String {
    let errors = parse_import(text).expect_err("should be refused");
    let all: Vec<_> = errors.iter().collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].field, "file");
    all[0].detail.clone()
}

#[test]
fn unusable_files_get_a_sentence_about_the_file() {
    assert!(file_error("").contains("empty"));
    assert!(file_error("\u{feff}  \r\n ").contains("empty"));
    let todo_only = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:1\r\nSUMMARY:Taxes\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert!(file_error(todo_only).contains("no event"));
    let all_day =
        invite().replace("DTSTART;TZID=Europe/Berlin:20260325T190000", "DTSTART;VALUE=DATE:20260325");
    assert!(file_error(&all_day).contains("all-day"));
    assert!(file_error(&invite().replace("DTSTART;TZID=Europe/Berlin:20260325T190000", "DTSTART:20260325"))
        .contains("all-day"));
    let garbage =
        String::from_utf8_lossy(&[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);
    assert!(file_error(&garbage).contains("couldn't read"));
    assert!(file_error("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:cut off").contains("couldn't read"));
    let mars = invite().replace("TZID=Europe/Berlin:20260325T190000", "TZID=Mars/Olympus:20260325T190000");
    let detail = file_error(&mars);
    assert!(detail.contains("“Mars/Olympus” isn't one we know"), "{detail}");
    assert!(file_error(
        &invite().replace("DTSTART;TZID=Europe/Berlin:20260325T190000", "DTSTART:20260325T190000")
    )
    .contains("no time zone"));
    assert!(file_error(&invite().replace("DTSTART;TZID=Europe/Berlin:20260325T190000\r\n", ""))
        .contains("no start"));
    assert!(file_error(&invite().replace("T190000", "T230000")).contains("ends before"));
    assert!(file_error(&"BEGIN:A\n".repeat(10_000)).contains("couldn't read"));
}

/// A small deterministic generator (xorshift64*), so failures reproduce without new dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_and_random_files_never_panic_and_only_blame_the_file() {
    let (e, overrides) = berlin_series();
    let seeds = [invite(), write(&e, &overrides)];
    let tokens = [
        "BEGIN:",
        "END:",
        "VEVENT",
        "VCALENDAR",
        ":",
        ";",
        ",",
        "=",
        "\"",
        "\\",
        "\r\n",
        "\n",
        "\r\n ",
        " ",
        "\t",
        "TZID=",
        "VALUE=DATE",
        "Z",
        "T",
        "P",
        "-",
        "DTSTART",
        "DTEND",
        "DURATION:P",
        "RRULE:",
        "ü",
        "\u{0}",
        "99999999T999999",
        "UNTIL=",
        "X-WR-TIMEZONE:",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..4000 {
        let text = if round % 10 == 9 {
            let bytes: Vec<u8> = (0..rng.below(400)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let mut chars: Vec<char> = seeds[round % 2].chars().collect();
            for _ in 0..1 + rng.below(6) {
                let at = rng.below(chars.len() + 1).min(chars.len());
                match rng.below(5) {
                    0 => chars.truncate(at),
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    2 => {
                        let token = tokens[rng.below(tokens.len())];
                        chars.splice(at..at, token.chars());
                    }
                    3 if at < chars.len() => chars[at] = char::from(rng.next() as u8),
                    _ => {
                        let end = (at + rng.below(40)).min(chars.len());
                        let copy: Vec<char> = chars[at..end].to_vec();
                        chars.splice(at..at, copy);
                    }
                }
            }
            chars.into_iter().collect()
        };
        match parse_import(&text) {
            Ok(input) => {
                // Whatever was read must go through the usual checks without trouble too.
                let _ = apply(&input, None);
            }
            Err(errors) => assert!(errors.iter().all(|e| e.field == "file"), "{text:?}: {errors:?}"),
        }
    }
}

#[test]
fn an_end_the_clocks_skip_is_read_forward_like_a_start() {
    // Lisbon's clocks go from 01:00 to 02:00 on 28 Mar 2027: an end at 01:15 is 02:15 summer
    // time, 45 minutes after a 00:30 start, not the default length and not "ends first".
    let ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:gap@example.org\r\nSUMMARY:Night owls\r\n\
               DTSTART;TZID=Europe/Lisbon:20270328T003000\r\nDTEND;TZID=Europe/Lisbon:20270328T011500\r\n\
               LOCATION:https://meet.example.org/owls\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let input = parse_import(ics).unwrap();
    assert_eq!(input.duration_minutes, Some(45));
    // An end inside the gap after a start inside it too.
    let both = ics.replace("T003000", "T011000").replace("T011500", "T014000");
    assert_eq!(parse_import(&both).unwrap().duration_minutes, Some(30));
}
