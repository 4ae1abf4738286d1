//! VTIMEZONE components built from the tz database chrono-tz carries, so that a calendar app
//! places our local times exactly where we do, whatever zone data it has itself.
//!
//! chrono-tz exposes offsets, not its transition table, so the clock changes are found by
//! sampling the zone once a day and narrowing each change down to the second. Changes of the
//! same kind (same offsets and name) become one observance: a yearly RRULE when they follow a
//! "n-th weekday of a month" rule up to the end of the covered years (so the zone stays right
//! for an endless series), otherwise a DTSTART plus an RDATE list.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use icalendar::Property;

const DAY: i64 = 86_400;

/// What a zone's clocks show at one instant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Clock {
    /// Seconds east of UTC.
    offset: i32,
    dst: bool,
    name: Option<String>,
}

fn clock(zone: Tz, at: i64) -> Clock {
    let utc = DateTime::from_timestamp(at, 0).unwrap_or_default().naive_utc();
    let o = zone.offset_from_utc_datetime(&utc);
    Clock {
        offset: o.fix().local_minus_utc(),
        // Zones with "negative DST" (Dublin's winter) are shown as STANDARD: what clients need
        // are the offsets, and STANDARD is what they expect for winter.
        dst: o.dst_offset() > TimeDelta::zero(),
        name: o.abbreviation().map(str::to_owned),
    }
}

/// The clock at `from` and every change of it in `[from, to)`, in order (UTC seconds).
fn changes(zone: Tz, from: i64, to: i64) -> (Clock, Vec<(i64, Clock, Clock)>) {
    let initial = clock(zone, from);
    let (mut t, mut current, mut found) = (from, initial.clone(), Vec::new());
    while t < to {
        let next = (t + DAY).min(to);
        if clock(zone, next) == current {
            t = next;
            continue;
        }
        // The clock differs by `next`: find the first second at which it does.
        let (mut lo, mut hi) = (t, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if clock(zone, mid) == current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let after = clock(zone, hi);
        found.push((hi, current, after.clone()));
        (t, current) = (hi, after);
    }
    (initial, found)
}

fn local(at: i64, offset: i32) -> NaiveDateTime {
    DateTime::from_timestamp(at + i64::from(offset), 0).unwrap_or_default().naive_utc()
}

/// `+0100`, `-0330`, or with seconds where history needs them.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn line(key: &str, value: impl Into<String>) -> String {
    // Writing into a String cannot fail.
    Property::new(key, value).try_into().unwrap_or_default()
}

/// The weekday code RFC 5545 uses.
fn day_code(d: NaiveDate) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d.weekday().num_days_from_monday() as usize]
}

fn is_last_of_month(d: NaiveDate) -> bool {
    d.checked_add_days(chrono::Days::new(7)).is_none_or(|w| w.month() != d.month())
}

/// How an onset sits in its year, in one of the two shapes zones use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// "The last Sunday of March".
    Last,
    /// "The second Sunday of March" (1 to 4; a fifth is not there every year).
    Nth,
}

fn signature(t: NaiveDateTime, shape: Shape) -> Option<(u32, &'static str, i8, chrono::NaiveTime)> {
    let d = t.date();
    let nth = match shape {
        Shape::Last if is_last_of_month(d) => -1,
        Shape::Last => return None,
        Shape::Nth => i8::try_from((d.day() - 1) / 7 + 1).ok().filter(|n| *n <= 4)?,
    };
    Some((d.month(), day_code(d), nth, t.time()))
}

/// Where the onsets start following one yearly rule to the end, and that rule; `None` when the
/// last two onsets already disagree.
fn yearly_tail(onsets: &[NaiveDateTime]) -> Option<(usize, String)> {
    let mut best: Option<(usize, String)> = None;
    for shape in [Shape::Last, Shape::Nth] {
        let Some(last) = onsets.last().and_then(|t| signature(*t, shape)) else { continue };
        let mut start = onsets.len() - 1;
        while start > 0 {
            let (prev, next) = (onsets[start - 1], onsets[start]);
            if prev.year() + 1 != next.year() || signature(prev, shape) != Some(last) {
                break;
            }
            start -= 1;
        }
        let long_enough = onsets.len() - start >= 2;
        if long_enough && best.as_ref().is_none_or(|(b, _)| start < *b) {
            let (month, day, nth, _) = last;
            best = Some((start, format!("FREQ=YEARLY;BYMONTH={month};BYDAY={nth}{day}")));
        }
    }
    best
}

/// One STANDARD or DAYLIGHT sub-component.
fn observance(dst: bool, from: i32, to: &Clock, start: NaiveDateTime, rest: Rest<'_>) -> String {
    let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
    let mut out = format!("BEGIN:{kind}\r\n");
    out.push_str(&line("DTSTART", stamp(start)));
    match rest {
        Rest::Rule(rule) => out.push_str(&line("RRULE", rule)),
        Rest::Dates([]) => {}
        Rest::Dates(dates) => {
            out.push_str(&line("RDATE", dates.iter().map(|t| stamp(*t)).collect::<Vec<_>>().join(",")))
        }
    }
    out.push_str(&line("TZOFFSETFROM", utc_offset(from)));
    out.push_str(&line("TZOFFSETTO", utc_offset(to.offset)));
    if let Some(name) = &to.name {
        out.push_str(&line("TZNAME", name.as_str()));
    }
    out.push_str(&format!("END:{kind}\r\n"));
    out
}

enum Rest<'a> {
    Rule(String),
    Dates(&'a [NaiveDateTime]),
}

/// A VTIMEZONE for `zone` that is exact for local times in `years` (and, where the zone's
/// current rule is regular, for every year after).
pub(super) fn vtimezone(zone: Tz, years: RangeInclusive<i32>) -> String {
    let year_start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .map_or(0, |d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
    };
    let (from, to) = (year_start(*years.start()), year_start(years.end().saturating_add(1)));
    let (initial, found) = changes(zone, from, to);

    // Sub-components keyed by their first onset, so they come out in time order.
    let mut parts: BTreeMap<NaiveDateTime, String> = BTreeMap::new();
    // The clock in force when the covered years begin, so no local time precedes every onset.
    let first = local(from, initial.offset);
    parts.insert(first, observance(initial.dst, initial.offset, &initial, first, Rest::Dates(&[])));

    let mut groups: BTreeMap<(i32, &Clock), Vec<NaiveDateTime>> = BTreeMap::new();
    for (at, before, after) in &found {
        groups.entry((before.offset, after)).or_default().push(local(*at, before.offset));
    }
    let ends_recently = |t: &NaiveDateTime| local(to, 0) - *t <= TimeDelta::days(400);
    for ((offset_from, to_clock), onsets) in groups {
        let tail = yearly_tail(&onsets).filter(|_| onsets.last().is_some_and(ends_recently));
        let head_end = tail.as_ref().map_or(onsets.len(), |(start, _)| *start);
        if let Some((&first, rest)) = onsets[..head_end].split_first() {
            parts.insert(first, observance(to_clock.dst, offset_from, to_clock, first, Rest::Dates(rest)));
        }
        if let Some((start, rule)) = tail {
            let first = onsets[start];
            parts.insert(first, observance(to_clock.dst, offset_from, to_clock, first, Rest::Rule(rule)));
        }
    }

    let mut out = String::from("BEGIN:VTIMEZONE\r\n");
    out.push_str(&line("TZID", zone.name()));
    for part in parts.values() {
        out.push_str(part);
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// Whether times in this zone are written as UTC (`Z`) with no VTIMEZONE.
pub(super) fn is_utc(zone: Tz) -> bool {
    domain::recurrence::zone_label(zone) == "UTC"
}
