//! Recurring events: an RFC 5545 RRULE subset, expanded lazily over a window in the event's zone.
//!
//! A [`Series`] is a first local start, an IANA zone, a duration, an optional [`Rule`] and EXDATEs.
//! [`Series::occurrences`] walks it over a UTC window `[from, to)`; an occurrence belongs to the
//! window when its *start* does (one that began before `from` and is still running is not in it),
//! so consecutive windows never repeat or lose an occurrence.
//!
//! Expansion happens in local wall time, so 18:00 stays 18:00 across daylight-saving changes. A
//! wall time that does not exist that day moves forward by the gap, and one that exists twice takes
//! the first instant (see [`resolve`]). RFC 5545 says generated times in a gap "MUST be ignored"
//! but also that they are read "as an explicit DATE-TIME", which moves them; the product wants
//! "the meetup still happens that day", so it moves them. Durations are elapsed time.
//!
//! Why not the `rrule` crate (0.14): it places each date by trying the wall time and otherwise
//! adding the time of day to local midnight, so in zones that change clocks at midnight (Havana,
//! Santiago, Asunción…) an occurrence on the change day is silently dropped; it also needs the first
//! start as an instant, which loses the wall time of a series whose first start falls in a gap,
//! and rejects such a start when parsing. `tests/recurrence_rrule_crate.rs` pins that behaviour,
//! so a fixed release shows up as a failing test. We would also still need our own rule type to
//! refuse the parts we do not support, to split series and to describe them in words.

mod edit;
mod expand;
mod preset;
mod rule;
mod summary;
mod text;

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use edit::{EditError, Split};
pub use expand::resolve;
pub use preset::Preset;
pub use rule::{ByDay, End, Frequency, Rule, RuleError, Until, MAX_COUNT, MAX_INTERVAL};
pub use summary::{duration_words, zone_label};

use expand::Slots;

/// An event's schedule: one start, or a start and a rule, in the event's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// The first start, as local wall time in `zone`.
    pub first_start: NaiveDateTime,
    /// The zone the event happens in; all expansion happens here.
    pub zone: Tz,
    /// How long each occurrence lasts, in elapsed minutes.
    pub duration_minutes: u32,
    /// How it repeats; `None` for a one-off.
    pub rule: Option<Rule>,
    /// Cancelled occurrences, by their [`Occurrence::recurrence_id`].
    pub exdates: BTreeSet<NaiveDateTime>,
}

/// One occurrence of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends (start plus the duration in elapsed time).
    pub end: DateTime<Utc>,
    /// Its start as the clock on the wall in the event's zone shows it.
    pub local_start: NaiveDateTime,
    /// The wall time the rule scheduled, before any daylight-saving shift: the stable key for
    /// EXDATEs, overrides and RSVPs (the ICS RECURRENCE-ID). Equal to `local_start` unless the
    /// scheduled time fell in a spring gap.
    pub recurrence_id: NaiveDateTime,
}

impl Series {
    /// A one-off event.
    pub fn once(first_start: NaiveDateTime, zone: Tz, duration_minutes: u32) -> Series {
        Series { first_start, zone, duration_minutes, rule: None, exdates: BTreeSet::new() }
    }

    /// A repeating event.
    pub fn repeating(first_start: NaiveDateTime, zone: Tz, duration_minutes: u32, rule: Rule) -> Series {
        Series { rule: Some(rule), ..Series::once(first_start, zone, duration_minutes) }
    }

    /// The same series with these occurrences cancelled.
    pub fn with_exdates(mut self, exdates: impl IntoIterator<Item = NaiveDateTime>) -> Series {
        self.exdates.extend(exdates);
        self
    }

    /// The occurrences starting in `[from, to)`, in order, computed lazily.
    ///
    /// Without COUNT the walk starts at the period holding `from`, so a far window costs no more
    /// than a near one; with COUNT it must count from the first start, which COUNT itself bounds.
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Occurrences<'_> {
        // A scheduled wall time is within a day of its UTC date, a gap shift adds at most another,
        // and the slot before a window's first must be seen to drop a same-instant twin.
        let near = from.date_naive().checked_sub_days(Days::new(3)).unwrap_or(NaiveDate::MIN);
        let stop = to.date_naive().checked_add_days(Days::new(2)).unwrap_or(NaiveDate::MAX);
        let mut slots = Slots::new(self, Some(near), stop);
        if from >= to {
            slots.finish();
        }
        Occurrences { series: self, slots, from, to }
    }

    /// The occurrence the rule scheduled at this wall time, unless it was cancelled.
    pub fn occurrence_at(&self, recurrence_id: NaiveDateTime) -> Option<Occurrence> {
        let start = resolve(self.zone, recurrence_id);
        self.occurrences(start, start + TimeDelta::seconds(1)).find(|o| o.recurrence_id == recurrence_id)
    }

    /// The occurrence starting at this instant, unless there is none or it was cancelled.
    pub fn occurrence_starting(&self, start: DateTime<Utc>) -> Option<Occurrence> {
        self.occurrences(start, start + TimeDelta::seconds(1)).find(|o| o.start == start)
    }

    /// Whether the series has a (not cancelled) occurrence scheduled at this wall time: the check
    /// before storing an override or EXDATE for it.
    pub fn is_occurrence(&self, recurrence_id: NaiveDateTime) -> bool {
        self.occurrence_at(recurrence_id).is_some()
    }

    /// An instant by which every occurrence has ended (not always the tightest), for finding the
    /// stored series that may touch a window; `None` when the series never ends.
    pub fn ends_by(&self) -> Option<DateTime<Utc>> {
        let duration = TimeDelta::minutes(self.duration_minutes.into());
        let last_start = match self.rule.as_ref().map(Rule::end) {
            None => resolve(self.zone, self.first_start),
            Some(End::Never) => return None,
            Some(End::Count(_)) => Slots::new(self, None, NaiveDate::MAX).last()?.start,
            Some(End::Until(Until::Instant(t))) => t.max(resolve(self.zone, self.first_start)),
            Some(End::Until(Until::Date(d))) => {
                // The last wall time that day, plus a day for a gap that pushes it past midnight.
                let day_after =
                    d.checked_add_days(Days::new(2)).unwrap_or(d).and_time(chrono::NaiveTime::MIN);
                resolve(self.zone, day_after).max(resolve(self.zone, self.first_start))
            }
        };
        Some(last_start + duration)
    }

    /// The rule as an .ics file should carry it: a date-only UNTIL becomes the UTC instant that
    /// ends that local day, since RFC 5545 wants UNTIL in UTC when DTSTART has a zone.
    pub fn rule_for_ics(&self) -> Option<Rule> {
        let mut rule = self.rule.clone()?;
        if let End::Until(Until::Date(d)) = rule.end() {
            let next_midnight =
                d.checked_add_days(Days::new(1)).unwrap_or(d).and_time(chrono::NaiveTime::MIN);
            rule.set_end(End::Until(Until::Instant(
                resolve(self.zone, next_midnight) - TimeDelta::seconds(1),
            )));
        }
        Some(rule)
    }
}

/// The occurrences of a series in a window; see [`Series::occurrences`].
#[derive(Debug)]
pub struct Occurrences<'a> {
    series: &'a Series,
    slots: Slots<'a>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Iterator for Occurrences<'_> {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        loop {
            let slot = self.slots.next()?;
            if slot.start >= self.to {
                self.slots.finish();
                return None;
            }
            if slot.start >= self.from && !self.series.exdates.contains(&slot.nominal) {
                return Some(slot.occurrence(self.series));
            }
        }
    }
}
