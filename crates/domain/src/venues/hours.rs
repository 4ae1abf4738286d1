//! Opening hours: a week of spans in the venue's own zone, with exceptions for dates (closed, or
//! other hours), and whether a venue is open for the whole of a stay.
//!
//! Written and read as text, one entry per line or `;`:
//! `Mon-Fri 08:00-18:00; Sat 09:00-13:00, 15:00-18:00; Sun closed` and, for exceptions,
//! `2026-12-25 closed; 2026-12-24 09:00-13:00`. A span whose end is not after its start runs past
//! midnight (`Fri 18:00-02:00`); `24:00` is the end of the day. Days not mentioned are closed. A
//! span belongs to the day it starts on: an exception replaces the spans starting that date.
//! No crate parses this small, product-specific format, so it is written here.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Minutes since local midnight: open, close (close ≤ open runs into the next day; 1440 = 24:00).
pub type Span = (u16, u16);

/// A venue's opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours {
    /// Monday first.
    pub week: [Vec<Span>; 7],
    /// Dates with other hours (an empty list: closed).
    pub exceptions: BTreeMap<NaiveDate, Vec<Span>>,
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

fn spans(s: &str) -> Result<Vec<Span>, String> {
    if s.trim().eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let (a, b) =
            part.split_once('-').ok_or_else(|| format!("\"{}\" is not like 08:00-18:00.", part.trim()))?;
        match (minutes(a), minutes(b)) {
            (Some(open), Some(close)) if open != close && open < 1440 => out.push((open, close)),
            _ => return Err(format!("\"{}\" is not like 08:00-18:00.", part.trim())),
        }
    }
    out.sort_unstable();
    Ok(out)
}

fn day(s: &str) -> Option<usize> {
    DAYS.iter().position(|d| d.eq_ignore_ascii_case(s.trim()))
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn spans_text(s: &[Span]) -> String {
    if s.is_empty() {
        return "closed".into();
    }
    s.iter().map(|(a, b)| format!("{}-{}", hhmm(*a), hhmm(*b))).collect::<Vec<_>>().join(", ")
}

impl OpeningHours {
    /// Parses the weekly hours and the exceptions.
    pub fn parse(weekly: &str, exceptions: &str) -> Result<OpeningHours, (String, String)> {
        let mut h = OpeningHours::default();
        for entry in weekly.split([';', '\n']).map(str::trim).filter(|e| !e.is_empty()) {
            let (days, rest) = entry.split_once(' ').ok_or_else(|| {
                ("hours".to_owned(), format!("\"{entry}\" needs days and times, like Mon-Fri 08:00-18:00."))
            })?;
            let range: Vec<usize> = match days.split_once('-') {
                Some((a, b)) => match (day(a), day(b)) {
                    (Some(a), Some(b)) if a <= b => (a..=b).collect(),
                    (Some(a), Some(b)) => (a..7).chain(0..=b).collect(),
                    _ => {
                        return Err(("hours".into(), format!("\"{days}\" is not a day range like Mon-Fri.")))
                    }
                },
                None => match day(days) {
                    Some(d) => vec![d],
                    None => {
                        return Err(("hours".into(), format!("\"{days}\" is not a day: use Mon, Tue … Sun.")))
                    }
                },
            };
            let s = spans(rest).map_err(|e| ("hours".to_owned(), e))?;
            for d in range {
                h.week[d] = s.clone();
            }
        }
        for entry in exceptions.split([';', '\n']).map(str::trim).filter(|e| !e.is_empty()) {
            let (date, rest) = entry.split_once(' ').unwrap_or((entry, ""));
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .filter(|d| (1900..=2200).contains(&d.year()))
                .ok_or_else(|| {
                    ("exceptions".to_owned(), format!("\"{date}\" is not a date like 2026-12-25."))
                })?;
            let s = spans(if rest.trim().is_empty() { "closed" } else { rest })
                .map_err(|e| ("exceptions".to_owned(), e))?;
            h.exceptions.insert(date, s);
        }
        Ok(h)
    }

    /// The weekly hours as text, days with the same hours joined (`Mon-Fri 08:00-18:00; Sun closed`).
    pub fn weekly_text(&self) -> String {
        let mut out = Vec::new();
        let mut d = 0;
        while d < 7 {
            let mut e = d;
            while e + 1 < 7 && self.week[e + 1] == self.week[d] {
                e += 1;
            }
            let days = if e == d { DAYS[d].to_owned() } else { format!("{}-{}", DAYS[d], DAYS[e]) };
            out.push(format!("{days} {}", spans_text(&self.week[d])));
            d = e + 1;
        }
        out.join("; ")
    }

    /// The exceptions as text (`2026-12-25 closed; 2026-12-24 09:00-13:00`).
    pub fn exceptions_text(&self) -> String {
        self.exceptions.iter().map(|(d, s)| format!("{d} {}", spans_text(s))).collect::<Vec<_>>().join("; ")
    }

    /// The spans starting on `date`.
    pub fn spans_on(&self, date: NaiveDate) -> &[Span] {
        match self.exceptions.get(&date) {
            Some(s) => s,
            None => &self.week[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// The spans starting on `date`, in words ("08:00–18:00", "closed").
    pub fn describe(&self, date: NaiveDate) -> String {
        let s = self.spans_on(date);
        if s.is_empty() {
            "closed".into()
        } else {
            s.iter().map(|(a, b)| format!("{}–{}", hhmm(*a), hhmm(*b % 1440))).collect::<Vec<_>>().join(", ")
        }
    }

    /// Whether the venue is open for the whole of `[start, end)`, read on its wall clocks in `zone`.
    pub fn open_throughout(&self, zone: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if end <= start {
            return false;
        }
        let first = start.with_timezone(&zone).date_naive() - TimeDelta::days(1);
        let last = end.with_timezone(&zone).date_naive();
        let mut open: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let mut date = first;
        while date <= last {
            for (a, b) in self.spans_on(date) {
                let close_day = if b <= a { date + TimeDelta::days(1) } else { date };
                let from = instant(zone, date, *a, true);
                let to = instant(zone, close_day, *b, false);
                if to > from {
                    open.push((from, to));
                }
            }
            date += TimeDelta::days(1);
        }
        open.sort();
        // Walk the merged spans: the stay must fall inside one unbroken run.
        let mut covered_to: Option<DateTime<Utc>> = None;
        for (from, to) in open {
            match covered_to {
                Some(c) if from <= c => covered_to = Some(c.max(to)),
                _ if from <= start => covered_to = Some(to),
                _ => {}
            }
            if covered_to.is_some_and(|c| c >= end) {
                return true;
            }
        }
        false
    }
}

/// The instant of `minutes` after local midnight of `date` in `zone`: at a clock change, an
/// opening in the skipped hour is the first real minute after it, and a closing in a repeated
/// hour is the later one.
fn instant(zone: Tz, date: NaiveDate, minutes: u16, opening: bool) -> DateTime<Utc> {
    let local: NaiveDateTime = date.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minutes));
    for step in 0..=180 {
        let t = local + TimeDelta::minutes(step);
        let resolved = zone.from_local_datetime(&t);
        let pick = if opening { resolved.earliest() } else { resolved.latest() };
        if let Some(t) = pick {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&local)
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.weekly_text())
    }
}
