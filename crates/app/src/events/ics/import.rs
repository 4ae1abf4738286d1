//! Reading one event from an uploaded .ics file (a meetup invite, say) into the input a person
//! would have typed, so the usual checks (`input::apply`) and form apply to it.
//!
//! Only what makes the file unusable is reported here, always on the field `file` and in words
//! for the person who uploaded it; what the form can fix (a city we could not find, a repeat rule
//! we do not support, a length outside our limits) is left for `apply` to report by its field.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use domain::geo::Gazetteer;
use domain::recurrence::resolve;
use domain::FieldErrors;
use icalendar::parser::{self, Component, Property};

use super::write::clean;
use crate::events::input::{format_local, EventInput, PlaceInput, VirtualInput, DEFAULT_MINUTES};

/// An invite is a few kilobytes; anything this large is not one.
const MAX_BYTES: usize = 1 << 20;
/// Calendars nest three deep (VCALENDAR, VEVENT, VALARM); the parser recurses per level, so a
/// crafted file must not get to choose the depth.
const MAX_DEPTH: usize = 8;

const EMPTY: &str = "The file is empty. Choose the .ics file of the invite.";
const TOO_LARGE: &str =
    "The file is too large for one invite (over 1 MB). Choose the .ics file of a single event.";
pub(super) const UNREADABLE: &str =
    "We couldn't read this file as a calendar (.ics) file. Download the invite again and upload the .ics file as it is.";
pub(super) const NO_EVENT: &str =
    "The file has no event in it. Choose the .ics file of the invite you want to add.";
const NO_START: &str = "The event in the file has no start time.";
const BAD_TIME: &str = "The event's start or end time in the file isn't a date and time we can read.";
const ALL_DAY: &str =
    "This is an all-day event. Events here start at a time of day: create it by hand with a start time.";
const FLOATING: &str = "The event's start time in the file has no time zone, so we can't tell when it is. Create it by hand instead.";
const ENDS_FIRST: &str = "The event in the file ends before it starts.";
const BAD_DURATION: &str = "The event's length (DURATION) in the file isn't one we can read.";

pub(super) fn problem(detail: impl Into<String>) -> FieldErrors {
    FieldErrors::one("file", detail)
}

/// An event read from a file, with the dates of its series that the file cancels or changes.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The event (or series) itself.
    pub input: EventInput,
    /// Dates the file cancels (EXDATE, or a RECURRENCE-ID marked `STATUS:CANCELLED`), as wall
    /// times of the event's zone.
    pub cancelled: Vec<NaiveDateTime>,
    /// Dates the file changes (VEVENTs with a RECURRENCE-ID and the same UID).
    pub changed: Vec<Changed>,
}

/// One changed date of an imported series, in wall times of the event's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// The date as the series scheduled it.
    pub recurrence_id: NaiveDateTime,
    /// Where it starts instead.
    pub start: NaiveDateTime,
    /// Its length, if the file gives one.
    pub minutes: Option<i64>,
    /// Its own title, if the file gives one.
    pub title: Option<String>,
}

/// Reads the first event of an .ics file (its master, if the file also holds changed occurrences)
/// as the input for creating it. The kind is `meetup`; the length defaults to 90 minutes.
pub fn parse_import(text: &str) -> Result<EventInput, FieldErrors> {
    parse_import_full(text).map(|i| i.input)
}

/// [`parse_import`] with the series' cancelled and changed dates. A date the file describes in a
/// way we cannot read is left as the series schedules it rather than failing the import.
pub fn parse_import_full(file: &str) -> Result<Imported, FieldErrors> {
    let unfolded = unfold_checked(file, MAX_BYTES, TOO_LARGE)?;
    let roots = parser::read_calendar_simple(unfolded.trim()).map_err(|_| problem(UNREADABLE))?;
    let (calendar, events) = events_of(&roots)?;
    let event = events
        .iter()
        .find(|e| prop(e, "RECURRENCE-ID").is_none())
        .or(events.first())
        .ok_or_else(|| problem(NO_EVENT))?;
    build(event, &events, calendar)
}

/// The file's text with line ends made one kind and folded lines joined, refused when empty,
/// over `max` bytes (saying `too_large`) or nested deeper than any calendar is.
pub(super) fn unfold_checked(file: &str, max: usize, too_large: &str) -> Result<String, FieldErrors> {
    let content = file.trim_start_matches('\u{feff}');
    if content.trim().is_empty() {
        return Err(problem(EMPTY));
    }
    if content.len() > max {
        return Err(problem(too_large));
    }
    // Unix and old Mac line ends become one kind, folded lines are joined, and lines end in CRLF
    // again: the parser looks for CRLF first, and would scan the whole rest of a file for it on
    // every line otherwise.
    let unfolded = parser::unfold(&content.replace("\r\n", "\n").replace('\r', "\n")).replace('\n', "\r\n");
    if too_deep(&unfolded) {
        return Err(problem(UNREADABLE));
    }
    Ok(unfolded)
}

/// The calendar (if the file has one around its events) and its VEVENTs.
pub(super) fn events_of<'r, 'a>(
    roots: &'r [Component<'a>],
) -> Result<(Option<&'r Component<'a>>, Vec<&'r Component<'a>>), FieldErrors> {
    let root = roots.first().ok_or_else(|| problem(UNREADABLE))?;
    let is = |c: &Component<'_>, name: &str| c.name.as_str().eq_ignore_ascii_case(name);
    if is(root, "VCALENDAR") {
        Ok((Some(root), root.components.iter().filter(|c| is(c, "VEVENT")).collect()))
    } else if is(root, "VEVENT") {
        Ok((None, vec![root]))
    } else {
        Err(problem(NO_EVENT))
    }
}

/// The event `event` (a series' master, or a single event) with the dates its `siblings` (other
/// VEVENTs of the file; those with its UID and a RECURRENCE-ID count) cancel or change.
pub(super) fn build(
    event: &Component<'_>,
    siblings: &[&Component<'_>],
    calendar: Option<&Component<'_>>,
) -> Result<Imported, FieldErrors> {
    let input = read_event(event, calendar)?;
    let (mut cancelled, mut changed) = (Vec::new(), Vec::new());
    let zone = input.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok());
    if let (Some(zone), Some(_)) = (zone, input.rrule.as_ref()) {
        let local = |w: When| match w {
            When::Zoned(t, z) => Some(resolve(z, t).with_timezone(&zone).naive_local()),
            When::Utc(t) => Some(t.and_utc().with_timezone(&zone).naive_local()),
            When::Floating(t) => Some(t),
            When::Date => None,
        };
        for p in event.properties.iter().filter(|p| p.name.as_str().eq_ignore_ascii_case("EXDATE")) {
            for value in p.val.as_str().split(',') {
                let one =
                    Property { name: p.name.clone(), val: value.trim().into(), params: p.params.clone() };
                if let Some(t) = when(&one).ok().and_then(local) {
                    cancelled.push(t);
                }
            }
        }
        let uid = prop(event, "UID").map(|p| p.val.as_str().trim().to_owned());
        for other in siblings.iter().filter(|e| !std::ptr::eq(**e, event)) {
            let same = uid.is_some() && prop(other, "UID").map(|p| p.val.as_str().trim().to_owned()) == uid;
            let Some(rid) = prop(other, "RECURRENCE-ID").filter(|_| same) else { continue };
            // A date called off, as Google and we write it: a date of its own marked cancelled.
            let called_off = prop(other, "STATUS")
                .is_some_and(|p| p.val.as_str().trim().eq_ignore_ascii_case("CANCELLED"));
            if called_off {
                if let Some(t) = when(rid).ok().and_then(local) {
                    cancelled.push(t);
                }
                continue;
            }
            let (Some(rid), Some(start)) = (
                when(rid).ok().and_then(local),
                prop(other, "DTSTART").and_then(|p| when(p).ok()).and_then(local),
            ) else {
                continue;
            };
            let minutes =
                prop(other, "DURATION").and_then(|d| duration_minutes(d.val.as_str())).or_else(|| {
                    let end = prop(other, "DTEND").and_then(|p| when(p).ok()).and_then(local)?;
                    Some((resolve(zone, end) - resolve(zone, start)).num_minutes()).filter(|m| *m > 0)
                });
            changed.push(Changed { recurrence_id: rid, start, minutes, title: text(other, "SUMMARY", 120) });
        }
    }
    Ok(Imported { input, cancelled, changed })
}

fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    for line in text.lines() {
        let starts =
            |tag: &[u8]| line.as_bytes().get(..tag.len()).is_some_and(|p| p.eq_ignore_ascii_case(tag));
        if starts(b"BEGIN:") {
            depth += 1;
            if depth > MAX_DEPTH {
                return true;
            }
        } else if starts(b"END:") {
            depth = depth.saturating_sub(1);
        }
    }
    false
}

pub(super) fn prop<'c, 'a>(c: &'c Component<'a>, name: &str) -> Option<&'c Property<'a>> {
    c.properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'c>(p: &'c Property<'_>, key: &str) -> Option<&'c str> {
    let found = p.params.iter().find(|x| x.key.as_str().eq_ignore_ascii_case(key))?;
    found.val.as_ref().map(|v| v.as_str().trim_matches('"'))
}

/// A text value, cleaned and cut to what the form accepts; `None` when empty.
pub(super) fn text(c: &Component<'_>, name: &str, max: usize) -> Option<String> {
    let value = clean(prop(c, name)?.val.as_str());
    let value = value.trim();
    if value.is_empty() {
        None
    } else if value.chars().count() > max {
        Some(value.chars().take(max - 1).chain(['…']).collect())
    } else {
        Some(value.to_owned())
    }
}

/// A DATE-TIME or DATE value as the file wrote it.
enum When {
    Zoned(NaiveDateTime, Tz),
    Utc(NaiveDateTime),
    Floating(NaiveDateTime),
    Date,
}

fn when(p: &Property<'_>) -> Result<When, FieldErrors> {
    let v = p.val.as_str().trim();
    let is_date = param(p, "VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        return Ok(When::Date);
    }
    let (v, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (v, false),
    };
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M"))
        .map_err(|_| problem(BAD_TIME))?;
    Ok(if utc {
        When::Utc(t)
    } else if let Some(id) = param(p, "TZID") {
        When::Zoned(t, zone(id)?)
    } else {
        When::Floating(t)
    })
}

/// An IANA zone from a TZID, also when a producer prefixed it with its own path
/// (`/mozilla.org/20050126_1/Europe/Berlin`), or when Outlook or Exchange wrote a Windows zone
/// name (`W. Europe Standard Time`), read with CLDR's table as the `localzone` crate keeps it
/// (its world-wide default for each name).
fn zone(id: &str) -> Result<Tz, FieldErrors> {
    let id = id.trim();
    let suffixes = id.match_indices('/').map(|(i, _)| id.get(i + 1..).unwrap_or_default());
    std::iter::once(id)
        .chain(suffixes.filter(|s| s.contains('/')))
        .find_map(|s| s.parse::<Tz>().ok())
        .or_else(|| localzone::win_zone_to_iana(id, None).and_then(|z| z.parse::<Tz>().ok()))
        .ok_or_else(|| {
            let shown: String = clean(id).chars().filter(|c| *c != '\n').take(60).collect();
            problem(format!(
                "The invite's time zone “{shown}” isn't one we know. Create the event by hand and pick its zone."
            ))
        })
}

/// The `[+|-]P…` length of RFC 5545 §3.3.6, in whole minutes.
fn duration_minutes(v: &str) -> Option<i64> {
    let v = v.trim();
    let (negative, v) = match v.as_bytes().first() {
        Some(b'-') => (true, v.get(1..)?),
        Some(b'+') => (false, v.get(1..)?),
        _ => (false, v),
    };
    let v = v.strip_prefix(['P', 'p'])?;
    let (mut seconds, mut number, mut in_time, mut any) = (0i64, None::<i64>, false, false);
    for c in v.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_none() => in_time = true,
            d @ '0'..='9' => {
                let digit = i64::from(d.to_digit(10)?);
                number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(digit)?);
            }
            unit => {
                let scale = match (unit, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                seconds = seconds.checked_add(number.take()?.checked_mul(scale)?)?;
                any = true;
            }
        }
    }
    if !any || number.is_some() || negative {
        return None;
    }
    Some(seconds / 60)
}

/// The RRULE as our parser wants it: an UNTIL in local time (some producers write one) becomes
/// the UTC instant RFC 5545 asks for.
fn rule_text(raw: &str, zone: Tz) -> String {
    let parts: Vec<String> = raw
        .trim()
        .split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                match NaiveDateTime::parse_from_str(v.trim(), "%Y%m%dT%H%M%S") {
                    Ok(t) => format!("UNTIL={}", resolve(zone, t).format("%Y%m%dT%H%M%SZ")),
                    Err(_) => part.to_owned(),
                }
            }
            _ => part.to_owned(),
        })
        .collect();
    parts.join(";")
}

/// Where the event happens: a link ("Zoom: https://…") or plain "Online" makes it virtual;
/// otherwise it is a place, with the city taken from the end of the address when the gazetteer
/// knows it ("Café Oberholz, 10119 Berlin, Germany").
fn place(location: &str) -> (Option<PlaceInput>, Option<VirtualInput>) {
    let location = location.trim();
    let link = location.split_whitespace().find(|w| {
        let w = w.to_ascii_lowercase();
        w.starts_with("https://") || w.starts_with("http://")
    });
    if let Some(link) = link {
        let link = link.trim_end_matches([',', '.', ';', ')', '>']);
        // Only https links are kept as the video link (the form asks the same); an http one
        // still makes the event virtual rather than failing the whole import.
        let secure = link.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://"));
        let video_url = if secure { link.to_owned() } else { String::new() };
        return (None, Some(VirtualInput { video_url }));
    }
    if ["online", "virtual"].iter().any(|w| location.eq_ignore_ascii_case(w)) {
        return (None, Some(VirtualInput::default()));
    }
    let parts: Vec<&str> = location.split(',').map(str::trim).collect();
    let without_postcode = |part: &str| {
        part.split_whitespace()
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let gazetteer = Gazetteer::bundled();
    for i in 0..parts.len() {
        let rest = parts.get(i..).unwrap_or_default();
        let query = rest.iter().map(|p| without_postcode(p)).collect::<Vec<_>>().join(", ");
        if query.trim().is_empty() {
            continue;
        }
        if let Some(city) = gazetteer.resolve(&query) {
            let name =
                if i == 0 { location.to_owned() } else { parts.get(..i).unwrap_or_default().join(", ") };
            return (Some(PlaceInput { name: cut(&name, 120), city: city.label(), venue_id: None }), None);
        }
    }
    (Some(PlaceInput { name: cut(location, 120), city: String::new(), venue_id: None }), None)
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn read_event(event: &Component<'_>, calendar: Option<&Component<'_>>) -> Result<EventInput, FieldErrors> {
    let start = when(prop(event, "DTSTART").ok_or_else(|| problem(NO_START))?)?;
    // A start without a zone may still be placed by the calendar's own default zone.
    let default_zone = calendar
        .and_then(|c| prop(c, "X-WR-TIMEZONE"))
        .and_then(|p| p.val.as_str().trim().parse::<Tz>().ok());
    let (local, tz) = match start {
        When::Date => return Err(problem(ALL_DAY)),
        When::Zoned(t, tz) => (t, tz),
        When::Utc(t) => (t, chrono_tz::UTC),
        When::Floating(t) => (t, default_zone.ok_or_else(|| problem(FLOATING))?),
    };
    let start_at = resolve(tz, local);
    let instant = |w: When| -> Result<DateTime<Utc>, FieldErrors> {
        match w {
            When::Zoned(t, z) => Ok(resolve(z, t)),
            When::Utc(t) => Ok(t.and_utc()),
            When::Floating(t) => Ok(resolve(tz, t)),
            When::Date => Err(problem(BAD_TIME)),
        }
    };
    let minutes = if let Some(end) = prop(event, "DTEND") {
        (instant(when(end)?)? - start_at).num_minutes()
    } else if let Some(d) = prop(event, "DURATION") {
        duration_minutes(d.val.as_str()).ok_or_else(|| problem(BAD_DURATION))?
    } else {
        0
    };
    if minutes < 0 {
        return Err(problem(ENDS_FIRST));
    }
    let location = text(event, "LOCATION", 2000);
    let conference = ["CONFERENCE", "X-GOOGLE-CONFERENCE"]
        .iter()
        .find_map(|n| prop(event, n))
        .map(|p| p.val.as_str().trim().to_owned())
        .filter(|u| u.starts_with("https://"));
    let (place, is_virtual) = match (location, conference) {
        (Some(l), _) => place(&l),
        (None, Some(url)) => (None, Some(VirtualInput { video_url: url })),
        (None, None) => (None, None),
    };
    Ok(EventInput {
        kind: Some("meetup".to_owned()),
        title: text(event, "SUMMARY", 120),
        description: text(event, "DESCRIPTION", 5000),
        starts_at_local: Some(format_local(local)),
        time_zone: Some(tz.name().to_owned()),
        // A zero length (DTEND = DTSTART, or none given) means the file did not say.
        duration_minutes: Some(if minutes == 0 { DEFAULT_MINUTES } else { minutes }),
        rrule: prop(event, "RRULE").map(|p| rule_text(p.val.as_str(), tz)).filter(|r| !r.is_empty()),
        place,
        is_virtual,
        ..EventInput::default()
    })
}
