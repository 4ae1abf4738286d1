//! Walking a series: the rule's local dates period by period, each then placed on the time line in
//! the series' zone.
//!
//! Dates are generated as a bit mask per period (a day, a week or a month), so a period costs a few
//! integer operations and no allocation; only dates near the asked window are converted to instants.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
    Utc, Weekday,
};
use chrono_tz::{GapInfo, Tz};

use super::rule::{ByDay, End, Frequency, Rule, Until};
use super::{Occurrence, Series};

/// Places a local wall time of `zone` on the time line by the product's rules.
///
/// A wall time that exists once is that instant. One that exists twice (the autumn fold) is the
/// first of the two, as RFC 5545 §3.3.5 says for DATE-TIME values. One that does not exist (the
/// spring gap) is read with the offset in force before the gap, which moves it forward by the
/// gap's length: 02:30 on a 02:00→03:00 day becomes 03:30.
pub fn resolve(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(a, b) => a.min(b).to_utc(),
        LocalResult::None => {
            let gap = GapInfo::new(&local, &zone);
            let before = gap.as_ref().and_then(|g| g.begin).and_then(|(_, offset)| {
                local.checked_sub_signed(TimeDelta::seconds(offset.fix().local_minus_utc().into()))
            });
            match (before, gap.and_then(|g| g.end)) {
                (Some(t), _) => t.and_utc(),
                // Only at the edges of the tz database: the first instant after the gap is next best.
                (None, Some(end)) => end.to_utc(),
                (None, None) => local.and_utc(),
            }
        }
    }
}

/// One start the rule schedules, before EXDATEs and windows are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Position in the walk; equals the COUNT position when the walk began at the first start.
    pub index: u64,
    /// The rule's wall time, before any daylight-saving shift.
    pub nominal: NaiveDateTime,
    /// The instant it starts.
    pub start: DateTime<Utc>,
}

impl Slot {
    pub(crate) fn occurrence(self, series: &Series) -> Occurrence {
        Occurrence {
            start: self.start,
            end: self.start + TimeDelta::minutes(series.duration_minutes.into()),
            local_start: self.start.with_timezone(&series.zone).naive_local(),
            recurrence_id: self.nominal,
        }
    }
}

/// Periods in a whole Gregorian cycle (400 years), after which the calendar repeats exactly: a rule
/// that yields nothing for that many periods in a row never will again, so the walk can stop.
fn cycle_periods(freq: Frequency) -> u32 {
    match freq {
        Frequency::Daily => 146_097,
        Frequency::Weekly => 20_871,
        Frequency::Monthly => 4_800,
    }
}

/// What a rule needs at hand while walking, precomputed once per walk.
#[derive(Debug)]
struct Plan<'a> {
    rule: &'a Rule,
    interval: i64,
    first: NaiveDateTime,
    /// The start of period 0: the first date, the first day of its week, or the first of its month.
    period0: NaiveDate,
    /// Plain BYDAY weekdays as bits, Monday = bit 0.
    weekdays: u8,
    /// The weekly pattern as bits of offsets from the week's first day.
    week_mask: u32,
}

fn weekday_bit(day: Weekday) -> u8 {
    1 << day.num_days_from_monday()
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

fn days_in_month(first_of_month: NaiveDate) -> u32 {
    let next = first_of_month.checked_add_months(chrono::Months::new(1));
    next.map_or(31, |n| n.signed_duration_since(first_of_month).num_days() as u32)
}

fn month_day_matches(day: u32, days_in_month: u32, wanted: i8) -> bool {
    let wanted = i64::from(wanted);
    let day = i64::from(day);
    if wanted > 0 {
        day == wanted
    } else {
        day == i64::from(days_in_month) + 1 + wanted
    }
}

impl<'a> Plan<'a> {
    fn new(rule: &'a Rule, first: NaiveDateTime) -> Plan<'a> {
        let date = first.date();
        let weekdays =
            rule.days().iter().filter(|d| d.nth.is_none()).fold(0, |m, d| m | weekday_bit(d.weekday));
        let week_start = rule.week_start();
        let back = (7 + date.weekday().num_days_from_monday() - week_start.num_days_from_monday()) % 7;
        let period0 = match rule.freq() {
            Frequency::Daily => date,
            Frequency::Weekly => date.checked_sub_days(Days::new(back.into())).unwrap_or(date),
            Frequency::Monthly => date.with_day(1).unwrap_or(date),
        };
        let pattern = if weekdays == 0 { weekday_bit(date.weekday()) } else { weekdays };
        let week_mask = (0..7u32)
            .filter(|off| {
                let day = (week_start.num_days_from_monday() + off) % 7;
                pattern & (1 << day) != 0
            })
            .fold(0, |m, off| m | 1 << off);
        Plan { rule, interval: rule.interval().into(), first, period0, weekdays, week_mask }
    }

    /// The period that holds `date` (or the last one before it), never before period 0.
    fn period_near(&self, date: NaiveDate) -> i64 {
        let days = date.signed_duration_since(self.period0).num_days();
        let k = match self.rule.freq() {
            Frequency::Daily => days.div_euclid(self.interval),
            Frequency::Weekly => days.div_euclid(7 * self.interval),
            Frequency::Monthly => (month_index(date) - month_index(self.period0)).div_euclid(self.interval),
        };
        k.max(0)
    }

    /// Period `k`'s first day and its scheduled days as bits of offsets from it; `None` past the
    /// calendar's end.
    fn period(&self, k: i64) -> Option<(NaiveDate, u32)> {
        let steps = u64::try_from(k.checked_mul(self.interval)?).ok()?;
        match self.rule.freq() {
            Frequency::Daily => {
                let d = self.period0.checked_add_days(Days::new(steps))?;
                Some((d, u32::from(self.day_matches(d))))
            }
            Frequency::Weekly => {
                Some((self.period0.checked_add_days(Days::new(steps.checked_mul(7)?))?, self.week_mask))
            }
            Frequency::Monthly => {
                let start =
                    self.period0.checked_add_months(chrono::Months::new(u32::try_from(steps).ok()?))?;
                Some((start, self.month_mask(start)))
            }
        }
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        let weekday_ok = self.weekdays == 0 || self.weekdays & weekday_bit(d.weekday()) != 0;
        let month_days = self.rule.month_days();
        let dim = || days_in_month(d.with_day(1).unwrap_or(d));
        weekday_ok
            && (month_days.is_empty() || month_days.iter().any(|&m| month_day_matches(d.day(), dim(), m)))
    }

    fn month_mask(&self, start: NaiveDate) -> u32 {
        let dim = days_in_month(start);
        let (by_day, month_days) = (self.rule.days(), self.rule.month_days());
        if by_day.is_empty() && month_days.is_empty() {
            // RFC 5545: the first start's day of month, and months without it are skipped.
            let day = self.first.day();
            return if day <= dim { 1 << (day - 1) } else { 0 };
        }
        let first_weekday = start.weekday().num_days_from_monday();
        (1..=dim)
            .filter(|&day| {
                let weekday = (first_weekday + day - 1) % 7;
                let by_day_ok =
                    by_day.is_empty() || by_day.iter().any(|b| nth_matches(*b, weekday, day, dim));
                let month_day_ok =
                    month_days.is_empty() || month_days.iter().any(|&m| month_day_matches(day, dim, m));
                by_day_ok && month_day_ok
            })
            .fold(0, |m, day| m | 1 << (day - 1))
    }
}

fn nth_matches(b: ByDay, weekday: u32, day: u32, dim: u32) -> bool {
    if b.weekday.num_days_from_monday() != weekday {
        return false;
    }
    match b.nth {
        None => true,
        Some(n) if n > 0 => (day - 1) / 7 + 1 == u32::from(n.unsigned_abs()),
        Some(n) => (dim - day) / 7 + 1 == u32::from(n.unsigned_abs()),
    }
}

/// The rule's slots in order, with COUNT and UNTIL applied, walking no further than a local date.
#[derive(Debug)]
pub(crate) struct Slots<'a> {
    series: &'a Series,
    plan: Option<Plan<'a>>,
    time: NaiveTime,
    stop: NaiveDate,
    quiet_before: NaiveDate,
    first_pending: bool,
    next_period: i64,
    period_start: NaiveDate,
    mask: u32,
    empty_run: u32,
    index: u64,
    last_start: Option<DateTime<Utc>>,
    done: bool,
}

impl<'a> Slots<'a> {
    /// Walks from the first start, or — when the rule has no COUNT, so positions do not matter — from
    /// the period holding `near`; slots dated before `near` are counted but not produced, and none
    /// dated after `stop` is.
    pub(crate) fn new(series: &'a Series, near: Option<NaiveDate>, stop: NaiveDate) -> Slots<'a> {
        let plan = series.rule.as_ref().map(|r| Plan::new(r, series.first_start));
        let skip_to = match (&plan, near) {
            (Some(p), Some(d)) if !matches!(p.rule.end(), End::Count(_)) => p.period_near(d),
            _ => 0,
        };
        Slots {
            series,
            plan,
            time: series.first_start.time(),
            stop,
            quiet_before: near.unwrap_or(NaiveDate::MIN),
            first_pending: skip_to == 0,
            next_period: skip_to,
            period_start: series.first_start.date(),
            mask: 0,
            empty_run: 0,
            index: 0,
            last_start: None,
            done: false,
        }
    }

    /// Ends the walk early, e.g. once past the window.
    pub(crate) fn finish(&mut self) {
        self.done = true;
    }

    fn next_rule_date(&mut self) -> Option<NaiveDate> {
        let plan = self.plan.as_ref()?;
        loop {
            if self.mask != 0 {
                let offset = self.mask.trailing_zeros();
                self.mask &= self.mask - 1;
                let date = self.period_start.checked_add_days(Days::new(offset.into()))?;
                if date > self.stop {
                    return None;
                }
                if date.and_time(self.time) > plan.first {
                    return Some(date);
                }
                continue;
            }
            let (start, mask) = plan.period(self.next_period)?;
            if start > self.stop {
                return None;
            }
            self.next_period += 1;
            self.empty_run = if mask == 0 { self.empty_run + 1 } else { 0 };
            if self.empty_run >= cycle_periods(plan.rule.freq()) {
                return None;
            }
            (self.period_start, self.mask) = (start, mask);
        }
    }
}

impl Iterator for Slots<'_> {
    type Item = Slot;

    fn next(&mut self) -> Option<Slot> {
        while !self.done {
            let nominal = if std::mem::take(&mut self.first_pending) {
                self.series.first_start
            } else {
                match self.next_rule_date() {
                    Some(d) => d.and_time(self.time),
                    None => break,
                }
            };
            if nominal.date() > self.stop {
                break;
            }
            let index = self.index;
            self.index += 1;
            let is_first = nominal == self.series.first_start;
            let end = self.series.rule.as_ref().map_or(End::Never, Rule::end);
            match end {
                End::Count(n) if index >= u64::from(n) => break,
                End::Until(Until::Date(d)) if nominal.date() > d && !is_first => break,
                _ => {}
            }
            if nominal.date() < self.quiet_before {
                continue;
            }
            let start = resolve(self.series.zone, nominal);
            if matches!(end, End::Until(Until::Instant(u)) if start > u && !is_first) {
                break;
            }
            // Where a zone skipped a whole calendar day (Samoa, 2011), two wall times land on one
            // instant; the later slot is dropped so instants stay strictly increasing.
            if self.last_start.is_some_and(|last| start <= last) {
                continue;
            }
            self.last_start = Some(start);
            return Some(Slot { index, nominal, start });
        }
        self.done = true;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::{Australia, Europe};

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn a_wall_time_in_the_spring_gap_moves_forward_by_the_gap() {
        let t = resolve(Europe::Berlin, local(2026, 3, 29, 2, 30));
        assert_eq!(t.with_timezone(&Europe::Berlin).naive_local(), local(2026, 3, 29, 3, 30));
        let t = resolve(Australia::Lord_Howe, local(2026, 10, 4, 2, 15));
        assert_eq!(t.with_timezone(&Australia::Lord_Howe).naive_local(), local(2026, 10, 4, 2, 45));
    }

    #[test]
    fn a_wall_time_in_the_autumn_fold_takes_the_first_instant() {
        let t = resolve(Europe::Berlin, local(2026, 10, 25, 2, 30));
        assert_eq!(t.naive_utc(), local(2026, 10, 25, 0, 30));
    }

    #[test]
    fn nth_weekdays_count_from_either_end_of_the_month() {
        // March 2026 starts on a Sunday (weekday 6) and has 31 days.
        let wed = ByDay::nth(2, Weekday::Wed);
        assert!(nth_matches(wed, 2, 11, 31));
        assert!(!nth_matches(wed, 2, 4, 31));
        let last_tue = ByDay::nth(-1, Weekday::Tue);
        assert!(nth_matches(last_tue, 1, 31, 31));
        assert!(!nth_matches(last_tue, 1, 24, 31));
    }
}
