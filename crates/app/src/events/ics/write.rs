//! Writing calendar files: each event is one VEVENT (a series carries its RRULE and EXDATEs), each
//! moved or renamed occurrence another VEVENT with the same UID and a RECURRENCE-ID, and every zone
//! used gets a VTIMEZONE. The `icalendar` crate writes the VEVENTs: it escapes text, quotes
//! parameters and folds lines. Its builder would give a VTIMEZONE a UID and DTSTAMP, which RFC 5545
//! does not allow there, so the calendar's frame and the zones are written line by line with its
//! `Property` instead (see `zones`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use domain::recurrence::{resolve, Occurrence, Series};
use icalendar::{CalendarDateTime, Component, Event as VEvent, EventLike, EventStatus, Property};
use store::events::Override;

use super::zones::{is_utc, vtimezone};
use super::IcsEvent;
use crate::events::input::{parse_local, KINDS};
use crate::events::series;

/// Years past the later of the first start and today that an endless series' zone is spelled out
/// for, where the zone's rule is not regular enough for a yearly RRULE (a handful of zones).
const OPEN_ENDED_YEARS: i32 = 10;
/// The most years one zone is spelled out for.
const MAX_YEARS: i32 = 50;

/// One VCALENDAR holding `events`, named `name`, as of `now` (which decides the years a zone is
/// spelled out for and the dates of a series taking venues in turn that are written out: feeds
/// pass the start of the day, so a day's renderings are the same bytes); links point into
/// `base_url` (e.g. `https://alongside.example`). Events whose stored schedule is corrupt are left
/// out (and logged) rather than failing the whole feed.
pub fn calendar(events: &[IcsEvent<'_>], name: &str, base_url: &str, now: DateTime<Utc>) -> String {
    let base = base_url.trim_end_matches('/');
    let mut zones: BTreeMap<&'static str, (Tz, RangeInclusive<i32>)> = BTreeMap::new();
    let mut vevents = Vec::new();
    for item in events {
        let Some(series) = series::of_event(item.event) else {
            tracing::error!(event = %item.event.id, "stored event has an invalid schedule; left out of the calendar");
            continue;
        };
        let w = Writer { item, series: &series, base, utc: is_utc(series.zone), now };
        if !w.utc {
            let years = w.years();
            zones
                .entry(series.zone.name())
                .and_modify(|(_, y)| *y = *y.start().min(years.start())..=*y.end().max(years.end()))
                .or_insert((series.zone, years));
        }
        match item.only {
            Some(keys) => vevents.extend(keys.iter().filter_map(|k| w.single(*k))),
            None => {
                vevents.push(w.master());
                let moved = w.moved();
                vevents.extend(w.turns(&moved.0));
                vevents.extend(moved.1);
            }
        }
    }

    let mut out = String::from("BEGIN:VCALENDAR\r\n");
    for (key, value) in [
        ("PRODID", "-//Alongside//Alongside//EN"),
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        // Not RFC 7986's NAME too: the crate would not escape it, as it does not know it.
        ("X-WR-CALNAME", name),
    ] {
        out.push_str(&line(Property::new(key, clean(value))));
    }
    for (zone, years) in zones.into_values() {
        out.push_str(&vtimezone(zone, years));
    }
    for v in &vevents {
        // Writing into a String cannot fail.
        out.push_str(&v.try_into_string().unwrap_or_default());
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn line(p: Property) -> String {
    // Writing into a String cannot fail.
    p.try_into().unwrap_or_default()
}

/// Text as a TEXT value may carry it: one kind of line break, no other control characters
/// (a stray CR would end the content line early).
pub(super) fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Writes the VEVENTs of one stored event.
struct Writer<'a> {
    item: &'a IcsEvent<'a>,
    series: &'a Series,
    base: &'a str,
    utc: bool,
    now: DateTime<Utc>,
}

impl Writer<'_> {
    fn zone(&self) -> Tz {
        self.series.zone
    }

    /// The years a client may look up local times in: from a year before the first start to a year
    /// after the end (an override may move the last occurrence a little later).
    fn years(&self) -> RangeInclusive<i32> {
        let first = self.series.first_start.year();
        let last = match self.series.ends_by() {
            Some(end) => end.year() + 1,
            // Feeds are fetched again and again, so the cover moves along with today.
            None => first.max(self.now.year()) + OPEN_ENDED_YEARS,
        };
        let last = last.max(first);
        // A series begun decades ago needs its recent years right more than its first ones, and
        // each year costs a scan of the zone.
        (first - 1).max(last - MAX_YEARS)..=last
    }

    /// A wall time of the event's zone as the file writes it.
    fn at(&self, local: NaiveDateTime) -> CalendarDateTime {
        if self.utc {
            CalendarDateTime::Utc(local.and_utc())
        } else {
            CalendarDateTime::WithTimezone { date_time: local, tzid: self.zone().name().to_owned() }
        }
    }

    fn page(&self) -> String {
        format!("{}/events/{}", self.base, self.item.event.id)
    }

    /// What every VEVENT of this event carries.
    fn common(&self, title: &str) -> VEvent {
        let e = self.item.event;
        let mut v = VEvent::new();
        v.uid(&format!("{}@alongside", e.id))
            .timestamp(instant(e.updated_at))
            .created(instant(e.created_at))
            .last_modified(instant(e.updated_at))
            .summary(&clean(title))
            .url(&self.page());
        // Each change counts up, so calendar apps replace what they hold (RFC 5545, 3.8.7.4).
        v.add_property("SEQUENCE", e.sequence.to_string());
        let description = clean(e.description.trim());
        v.description(&if description.is_empty() {
            self.page()
        } else {
            format!("{description}\n\n{}", self.page())
        });
        let location = self.location();
        if !location.is_empty() {
            v.location(&clean(&location));
        }
        if let Some((_, label)) = KINDS.iter().find(|(k, _)| *k == e.kind) {
            v.categories([*label]);
        }
        // CAL-ADDRESS is any URI (RFC 5545 §3.3.3), so the host's profile page serves where no
        // email may be shown; RFC 5546 wants an ORGANIZER in a PUBLISH.
        let cn: String = clean(self.item.host_name).chars().filter(|c| *c != '"' && *c != '\n').collect();
        let mut organizer = Property::new("ORGANIZER", format!("{}/members/{}", self.base, e.host_id));
        if !cn.trim().is_empty() {
            organizer.add_parameter("CN", cn.trim());
        }
        v.append_property(organizer);
        v
    }

    /// The event's own place, as its series says it.
    fn location(&self) -> String {
        let e = self.item.event;
        if e.is_virtual == 1 {
            if e.video_url.is_empty() {
                "Online".to_owned()
            } else {
                e.video_url.clone()
            }
        } else {
            crate::events::view::place_line(&e.place_name, &e.city_label)
        }
    }

    /// DTEND, or DURATION where the end's wall time would be read as another instant (it falls in
    /// the repeated hour of an autumn change).
    fn end(&self, v: &mut VEvent, start: DateTime<Utc>, minutes: i64) {
        let end = start.checked_add_signed(TimeDelta::minutes(minutes));
        let local_end = end.map(|end| (end, end.with_timezone(&self.zone()).naive_local()));
        match local_end {
            Some((end, local)) if self.utc || resolve(self.zone(), local) == end => {
                v.ends(self.at(local));
            }
            _ => {
                v.add_property("DURATION", format!("PT{minutes}M"));
            }
        }
    }

    /// The occurrence whose key (original start in UTC ms) this is, unless it was cancelled.
    fn occurrence(&self, key: i64) -> Option<Occurrence> {
        let at = DateTime::from_timestamp_millis(key)?;
        let (from, to) =
            (at.checked_sub_signed(TimeDelta::days(2))?, at.checked_add_signed(TimeDelta::days(2))?);
        self.series.occurrences(from, to).find(|o| o.start == at)
    }

    fn master(&self) -> VEvent {
        let e = self.item.event;
        let Some(rule) = self.series.rule_for_ics() else { return self.one_off() };
        let mut v = self.common(&e.title);
        v.starts(self.at(self.series.first_start));
        self.end(&mut v, resolve(self.zone(), self.series.first_start), e.duration_minutes);
        v.add_property("RRULE", rule.to_string());
        // Dates taken out of the series by an edit; a date the host called off is a date of its
        // own marked cancelled (`moved`), so calendar apps can say so rather than drop it.
        let cancelled: BTreeSet<NaiveDateTime> = self.series.exdates.iter().copied().collect();
        if !cancelled.is_empty() {
            let values: Vec<String> = cancelled.into_iter().map(|t| self.at(t)).map(|t| value(&t)).collect();
            let mut exdate = Property::new("EXDATE", values.join(","));
            if !self.utc {
                exdate.add_parameter("TZID", self.zone().name());
            }
            v.append_multi_property(exdate);
        }
        v.done()
    }

    /// A single event, with its one override (if any) folded in.
    fn one_off(&self) -> VEvent {
        let e = self.item.event;
        let start = resolve(self.zone(), self.series.first_start);
        let ov = self.item.overrides.iter().find(|o| o.occurrence_start == start.timestamp_millis());
        let title = ov.and_then(|o| o.title.as_deref()).unwrap_or(&e.title);
        let local = ov.and_then(|o| o.start_local.as_deref()).and_then(parse_local);
        let local = local.unwrap_or(self.series.first_start);
        let mut v = self.common(title);
        v.starts(self.at(local));
        let minutes = ov.and_then(|o| o.duration_minutes).unwrap_or(e.duration_minutes);
        self.end(&mut v, resolve(self.zone(), local), minutes);
        if ov.is_some_and(|o| o.cancelled == 1) {
            v.status(EventStatus::Cancelled);
        }
        v.done()
    }

    /// One occurrence as an event of its own (its own UID, no RRULE), with its changes folded in.
    fn single(&self, key: i64) -> Option<VEvent> {
        let e = self.item.event;
        let occ = series::find(e, self.item.overrides, key)?;
        let mut v = self.common(&occ.title);
        self.locate(&mut v, key);
        if self.series.rule.is_some() {
            v.uid(&format!("{}-{key}@alongside", e.id));
        }
        v.starts(self.at(occ.start.with_timezone(&self.zone()).naive_local()));
        self.end(&mut v, occ.start, (occ.end - occ.start).num_minutes());
        if occ.cancelled {
            v.status(EventStatus::Cancelled);
        }
        Some(v.done())
    }

    /// A VEVENT for each occurrence of a series that was moved, lengthened, renamed or cancelled
    /// (`STATUS:CANCELLED`, as Google Calendar writes its own), and for
    /// each date whose wall time the clocks skip (moved forward by the gap): calendar apps do
    /// not agree on where such a date of an RRULE goes, so the file says.
    fn moved(&self) -> (BTreeSet<i64>, Vec<VEvent>) {
        if self.series.rule.is_none() {
            return (BTreeSet::new(), Vec::new());
        }
        let e = self.item.event;
        let changes = |o: &&Override| {
            o.cancelled == 1 || o.start_local.is_some() || o.duration_minutes.is_some() || o.title.is_some()
        };
        let overridden: BTreeSet<i64> = self.item.overrides.iter().map(|o| o.occurrence_start).collect();
        let skipped = self
            .skipped_wall_times()
            .into_iter()
            .filter(|o| !overridden.contains(&o.start.timestamp_millis()));
        let mut written = BTreeSet::new();
        let shifted: Vec<VEvent> = skipped
            .map(|occ| {
                let mut v = self.common(&e.title);
                let key = resolve(self.zone(), occ.recurrence_id).timestamp_millis();
                written.insert(key);
                self.locate(&mut v, key);
                v.recurrence_id(self.at(occ.recurrence_id));
                v.starts(self.at(occ.local_start));
                self.end(&mut v, occ.start, e.duration_minutes);
                v.done()
            })
            .collect();
        let changed: Vec<VEvent> = self
            .item
            .overrides
            .iter()
            .filter(changes)
            .filter_map(|o| {
                let occ = self.occurrence(o.occurrence_start)?;
                let local = o.start_local.as_deref().and_then(parse_local).unwrap_or(occ.local_start);
                let mut v = self.common(o.title.as_deref().unwrap_or(&e.title));
                written.insert(o.occurrence_start);
                self.locate(&mut v, o.occurrence_start);
                v.recurrence_id(self.at(occ.recurrence_id));
                v.starts(self.at(local));
                self.end(
                    &mut v,
                    resolve(self.zone(), local),
                    o.duration_minutes.unwrap_or(e.duration_minutes),
                );
                if o.cancelled == 1 {
                    v.status(EventStatus::Cancelled);
                }
                Some(v.done())
            })
            .collect();
        (written, changed.into_iter().chain(shifted).collect())
    }

    /// The place of the date keyed `key` of a series taking venues in turn (a cancelled date
    /// keeps its turn); `None` when the event meets at one place.
    fn turn(&self, key: i64) -> Option<&str> {
        let places = self.item.places;
        if places.is_empty() {
            return None;
        }
        let first = resolve(self.zone(), self.series.first_start);
        let at = DateTime::from_timestamp_millis(key)?;
        let before = self.series.occurrences(first, at).count();
        places.get(before % places.len()).map(String::as_str).filter(|p| !p.is_empty())
    }

    /// Gives `v`, the date keyed `key`, its own venue where the series takes venues in turn.
    fn locate(&self, v: &mut VEvent, key: i64) {
        if let Some(place) = self.turn(key) {
            v.location(&clean(place));
        }
    }

    /// For a series taking venues in turn, a VEVENT for each date of the coming year (and the last
    /// month) not at the series' own place, saying where it is; `written` dates already have one.
    fn turns(&self, written: &BTreeSet<i64>) -> Vec<VEvent> {
        if self.item.places.len() < 2 || self.series.rule.is_none() {
            return Vec::new();
        }
        let e = self.item.event;
        let now = self.now;
        let first = resolve(self.zone(), self.series.first_start);
        let from = (now - TimeDelta::days(31)).max(first);
        let before = self.series.occurrences(first, from).count();
        let own = self.location();
        let mut out = Vec::new();
        for (n, occ) in (before..).zip(self.series.occurrences(from, now + TimeDelta::days(366))) {
            let key = resolve(self.zone(), occ.recurrence_id).timestamp_millis();
            let place = &self.item.places[n % self.item.places.len()];
            if place.is_empty() || *place == own || written.contains(&key) {
                continue;
            }
            let cancelled = self.item.overrides.iter().any(|o| o.occurrence_start == key && o.cancelled == 1);
            if cancelled {
                continue;
            }
            let mut v = self.common(&e.title);
            v.location(&clean(place));
            v.recurrence_id(self.at(occ.recurrence_id));
            v.starts(self.at(occ.local_start));
            self.end(&mut v, occ.start, e.duration_minutes);
            out.push(v.done());
        }
        out
    }

    /// The series' dates, within the years the file covers, whose scheduled wall time does not
    /// exist (a spring gap), so that they start later than the rule says.
    fn skipped_wall_times(&self) -> Vec<Occurrence> {
        // Clocks change at night (from 22:00 to 04:00 local time, in every zone of the tz
        // database): a series meeting in the day skips the scan.
        let hour = self.series.first_start.hour();
        if self.utc || (4..22).contains(&hour) {
            return Vec::new();
        }
        let years = self.years();
        let from = chrono::NaiveDate::from_ymd_opt(*years.start(), 1, 1)
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let to = chrono::NaiveDate::from_ymd_opt(*years.end() + 1, 1, 1)
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let (Some(from), Some(to)) = (from, to) else { return Vec::new() };
        self.series.occurrences(from, to).filter(|o| o.local_start != o.recurrence_id).collect()
    }
}

/// The value part of a DATE-TIME as written in a list (EXDATE).
fn value(t: &CalendarDateTime) -> String {
    match t {
        CalendarDateTime::Utc(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
        CalendarDateTime::WithTimezone { date_time, .. } | CalendarDateTime::Floating(date_time) => {
            date_time.format("%Y%m%dT%H%M%S").to_string()
        }
    }
}
