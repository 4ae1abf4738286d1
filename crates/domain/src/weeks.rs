//! Weeks and streaks: which ISO week (Monday to Sunday) an instant falls in for someone in a given
//! zone, where that week starts and ends as instants (so a week across a clock change is 167 or
//! 169 hours), consecutive weeks with a check-in, weeks missed in a row, and when a nudge is due.
//!
//! Paused weeks neither count towards a streak nor break it, and are never "missed".

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// An ISO week, e.g. 2026-W49; sorts in time order, as does its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WeekKey {
    /// The ISO week-numbering year (the year of the week's Thursday).
    pub year: i32,
    /// 1 to 53.
    pub week: u32,
}

impl WeekKey {
    /// The week containing `date`.
    pub fn of_date(date: NaiveDate) -> WeekKey {
        let w = date.iso_week();
        WeekKey { year: w.year(), week: w.week() }
    }

    /// The week that `at` falls in on the wall clocks of `zone`.
    pub fn of(at: DateTime<Utc>, zone: Tz) -> WeekKey {
        Self::of_date(at.with_timezone(&zone).date_naive())
    }

    /// Its Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or(NaiveDate::MIN)
    }

    /// When it begins in `zone`: Monday's first instant there (the first valid local time when
    /// midnight is skipped by a clock change).
    pub fn start(self, zone: Tz) -> DateTime<Utc> {
        let midnight = self.monday().and_hms_opt(0, 0, 0).unwrap_or_default();
        for minutes in (0..=180).step_by(15) {
            if let Some(t) = zone.from_local_datetime(&(midnight + TimeDelta::minutes(minutes))).earliest() {
                return t.with_timezone(&Utc);
            }
        }
        Utc.from_utc_datetime(&midnight)
    }

    /// When it ends in `zone`: the next week's start.
    pub fn end(self, zone: Tz) -> DateTime<Utc> {
        self.next().start(zone)
    }

    /// The week after.
    pub fn next(self) -> WeekKey {
        Self::of_date(self.monday() + TimeDelta::days(7))
    }

    /// The week before.
    pub fn prev(self) -> WeekKey {
        Self::of_date(self.monday() - TimeDelta::days(7))
    }

    /// Parses "2026-W49".
    pub fn parse(s: &str) -> Option<WeekKey> {
        let (y, w) = s.trim().split_once("-W")?;
        let key = WeekKey { year: y.parse().ok()?, week: w.parse().ok()? };
        NaiveDate::from_isoywd_opt(key.year, key.week, Weekday::Mon).map(|_| key)
    }

    /// "1 Dec – 7 Dec 2026", for people.
    pub fn label(self) -> String {
        let mon = self.monday();
        let sun = mon + TimeDelta::days(6);
        format!("{} – {}", mon.format("%-d %b"), sun.format("%-d %b %Y"))
    }

    /// The label as read on `today`, the year said only when the week is not all in today's
    /// year: "1 Dec – 7 Dec", "29 Dec 2025 – 4 Jan 2026".
    pub fn label_as_of(self, today: NaiveDate) -> String {
        let mon = self.monday();
        let sun = mon + TimeDelta::days(6);
        match (mon.year() == today.year(), sun.year() == today.year()) {
            (true, true) => format!("{} – {}", mon.format("%-d %b"), sun.format("%-d %b")),
            _ if mon.year() == sun.year() => self.label(),
            _ => format!("{} – {}", mon.format("%-d %b %Y"), sun.format("%-d %b %Y")),
        }
    }
}

impl fmt::Display for WeekKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// A run of weeks with a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    /// Consecutive weeks up to now; the week under way counts once it has a check-in and does not
    /// break the run before it ends.
    pub current: u32,
    /// The longest run ever.
    pub longest: u32,
}

/// The streak of someone who checked in during `checked` weeks and paused during `paused` weeks,
/// as of `current`.
pub fn streak(checked: &BTreeSet<WeekKey>, paused: &BTreeSet<WeekKey>, current: WeekKey) -> Streak {
    let Some(first) = checked.iter().next().copied() else { return Streak::default() };
    let (mut run, mut longest) = (0u32, 0u32);
    let mut week = first;
    while week <= current {
        if checked.contains(&week) {
            run += 1;
        } else if !paused.contains(&week) && week != current {
            run = 0;
        }
        longest = longest.max(run);
        week = week.next();
    }
    Streak { current: run, longest }
}

/// Complete weeks before `current` without a check-in, counted back until a week with one, a
/// paused week, or `since` (the week the member started, which counts).
pub fn missed_in_a_row(
    checked: &BTreeSet<WeekKey>,
    paused: &BTreeSet<WeekKey>,
    since: WeekKey,
    current: WeekKey,
) -> u32 {
    let mut missed = 0;
    let mut week = current.prev();
    while week >= since && !checked.contains(&week) && !paused.contains(&week) {
        missed += 1;
        week = week.prev();
    }
    missed
}

/// The first week of the lapse that `missed_in_a_row` counted: the key a "your partners were told"
/// is sent once for.
pub fn lapse_start(current: WeekKey, missed: u32) -> WeekKey {
    (0..missed).fold(current, |w, _| w.prev())
}

/// Whether the reminder for `week` is due at `now`: within `hours_before` of the week's end in
/// `zone`, and not after it.
pub fn reminder_due(now: DateTime<Utc>, week: WeekKey, zone: Tz, hours_before: i64) -> bool {
    let end = week.end(zone);
    now < end && now >= end - TimeDelta::hours(hours_before)
}

/// How a week's board focus went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Done,
    /// Partly done.
    Partly,
    /// Not done.
    Not,
}

impl Outcome {
    /// Every outcome, in the order forms list them.
    pub const ALL: [Outcome; 3] = [Outcome::Done, Outcome::Partly, Outcome::Not];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Partly => "partly",
            Outcome::Not => "not",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Done => "Done",
            Outcome::Partly => "Partly done",
            Outcome::Not => "Not done",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Outcome, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| "Say done, partly or not done.".to_owned())
    }

    /// What it counts for in a completion rate.
    pub fn weight(self) -> f64 {
        match self {
            Outcome::Done => 1.0,
            Outcome::Partly => 0.5,
            Outcome::Not => 0.0,
        }
    }
}

/// The share (0–1) of reported weeks whose focus got done, a partly done one counting half;
/// none when nothing was reported.
pub fn completion_rate(outcomes: &[Outcome]) -> Option<f64> {
    if outcomes.is_empty() {
        return None;
    }
    Some(outcomes.iter().map(|o| o.weight()).sum::<f64>() / outcomes.len() as f64)
}
