//! The RRULE subset: its data and its validation (the text form is in `text.rs`).

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// How often the rule's period comes round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// Every day (or every n days).
    Daily,
    /// Every week (or every n weeks).
    Weekly,
    /// Every month (or every n months).
    Monthly,
}

impl Frequency {
    /// The RRULE spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
        }
    }
}

/// One BYDAY entry: a weekday, optionally the nth (or nth-from-last) of its month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByDay {
    /// 1..=5 for "first".."fifth", -1..=-5 for "last".."fifth from last"; `None` for every such day.
    pub nth: Option<i8>,
    /// The day of the week.
    pub weekday: Weekday,
}

impl ByDay {
    /// Every `weekday` of the period.
    pub fn every(weekday: Weekday) -> ByDay {
        ByDay { nth: None, weekday }
    }

    /// The `nth` `weekday` of the month (negative counts from the end).
    pub fn nth(nth: i8, weekday: Weekday) -> ByDay {
        ByDay { nth: Some(nth), weekday }
    }
}

/// When a rule stops producing occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum End {
    /// Never: the series is endless.
    Never,
    /// After this many occurrences, counted from the first start (EXDATEs included).
    Count(u32),
    /// No occurrence starts after this (inclusive).
    Until(Until),
}

/// The two UNTIL forms accepted from users and .ics files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Until {
    /// `YYYYMMDDTHHMMSSZ`: the last instant an occurrence may start.
    Instant(DateTime<Utc>),
    /// `YYYYMMDD`: the last local date, in the series' zone, an occurrence may start on.
    Date(NaiveDate),
}

/// Why a recurrence rule was refused, worded for the person or file that supplied it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Nothing to parse.
    #[error("The repeat rule is empty.")]
    Empty,
    /// A part without `=`.
    #[error("“{0}” is not a NAME=VALUE part of a repeat rule.")]
    Malformed(String),
    /// No FREQ part.
    #[error("The repeat rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY.")]
    MissingFrequency,
    /// A part given twice.
    #[error("{0} appears more than once in the repeat rule.")]
    Duplicate(String),
    /// A standard part (or frequency) this product does not support.
    #[error("{0} is not supported here: repeat rules may use FREQ=DAILY/WEEKLY/MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL and WKST.")]
    Unsupported(String),
    /// A part no RFC 5545 rule has.
    #[error("{0} is not a repeat rule part.")]
    Unknown(String),
    /// A value out of range or of the wrong shape.
    #[error("{part}={value} is not valid: {expected}.")]
    Invalid {
        /// The part's name.
        part: &'static str,
        /// What was given.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// Both COUNT and UNTIL (RFC 5545 forbids it).
    #[error("A repeat rule may end after a COUNT or at an UNTIL date, not both.")]
    CountAndUntil,
    /// "2WE" and the like outside a monthly rule.
    #[error("Days like 2WE (second Wednesday) need FREQ=MONTHLY.")]
    NthDayNeedsMonthly,
    /// BYMONTHDAY with FREQ=WEEKLY (RFC 5545 forbids it).
    #[error("BYMONTHDAY cannot be combined with FREQ=WEEKLY.")]
    MonthDayInWeekly,
}

/// The largest INTERVAL accepted: larger ones are typos, and a bound keeps date arithmetic safe.
pub const MAX_INTERVAL: u32 = 1_000;

/// The largest COUNT accepted (27 years of a daily series), so counting from the start stays cheap.
pub const MAX_COUNT: u32 = 10_000;

/// A validated recurrence rule (RFC 5545 subset). Serialises as its RRULE text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rule {
    pub(super) freq: Frequency,
    pub(super) interval: u32,
    pub(super) by_day: Vec<ByDay>,
    pub(super) by_month_day: Vec<i8>,
    pub(super) end: End,
    pub(super) week_start: Weekday,
}

impl Rule {
    /// Every period of `freq`, for ever, on the first start's day.
    pub fn new(freq: Frequency) -> Rule {
        Rule {
            freq,
            interval: 1,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            end: End::Never,
            week_start: Weekday::Mon,
        }
    }

    /// Parses RRULE text, with or without the `RRULE:` prefix, in any letter case.
    pub fn parse(text: &str) -> Result<Rule, RuleError> {
        text.parse()
    }

    /// The same rule every `interval` periods.
    pub fn with_interval(mut self, interval: u32) -> Result<Rule, RuleError> {
        self.interval = interval;
        self.validated()
    }

    /// The same rule on these weekdays (BYDAY).
    pub fn with_days(mut self, days: Vec<ByDay>) -> Result<Rule, RuleError> {
        self.by_day = days;
        self.validated()
    }

    /// The same rule on these days of the month (BYMONTHDAY; negative counts from the end).
    pub fn with_month_days(mut self, days: Vec<i8>) -> Result<Rule, RuleError> {
        self.by_month_day = days;
        self.validated()
    }

    /// The same rule with another ending.
    pub fn with_end(mut self, end: End) -> Result<Rule, RuleError> {
        self.end = end;
        self.validated()
    }

    /// The same rule with weeks starting on `day` (WKST; matters for WEEKLY with INTERVAL > 1).
    pub fn with_week_start(mut self, day: Weekday) -> Rule {
        self.week_start = day;
        self
    }

    /// How often the period comes round.
    pub fn freq(&self) -> Frequency {
        self.freq
    }

    /// Every how many periods.
    pub fn interval(&self) -> u32 {
        self.interval
    }

    /// The BYDAY entries, in canonical order.
    pub fn days(&self) -> &[ByDay] {
        &self.by_day
    }

    /// The BYMONTHDAY entries, in canonical order.
    pub fn month_days(&self) -> &[i8] {
        &self.by_month_day
    }

    /// When the rule stops.
    pub fn end(&self) -> End {
        self.end
    }

    /// The first day of the week (WKST).
    pub fn week_start(&self) -> Weekday {
        self.week_start
    }

    /// A rule built from parts known to be valid (presets), skipping validation's `Result`.
    pub(crate) fn from_valid_parts(freq: Frequency, interval: u32, by_day: Vec<ByDay>) -> Rule {
        Rule { interval, by_day, ..Rule::new(freq) }
    }

    /// Sets the ending without validation, for edits that can only shorten a valid COUNT.
    pub(crate) fn set_end(&mut self, end: End) {
        self.end = end;
    }

    pub(super) fn validated(mut self) -> Result<Rule, RuleError> {
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err(invalid("INTERVAL", self.interval, "use a whole number from 1 to 1000"));
        }
        if let End::Count(n) = self.end {
            if !(1..=MAX_COUNT).contains(&n) {
                return Err(invalid("COUNT", n, COUNT_RANGE));
            }
        }
        for d in &self.by_day {
            if let Some(n) = d.nth {
                if self.freq != Frequency::Monthly {
                    return Err(RuleError::NthDayNeedsMonthly);
                }
                if n == 0 || !(-5..=5).contains(&n) {
                    return Err(invalid("BYDAY", format!("{n}{}", super::text::code(d.weekday)), NTH_RANGE));
                }
            }
        }
        if !self.by_month_day.is_empty() && self.freq == Frequency::Weekly {
            return Err(RuleError::MonthDayInWeekly);
        }
        if let Some(&d) = self.by_month_day.iter().find(|&&d| d == 0 || !(-31..=31).contains(&d)) {
            return Err(invalid("BYMONTHDAY", d, "use 1 to 31, or -1 (last day) to -31"));
        }
        // A canonical order makes equal rules compare equal and print the same.
        self.by_day.sort_by_key(|d| (d.weekday.num_days_from_monday(), d.nth.map_or(0, month_day_key)));
        self.by_day.dedup();
        self.by_month_day.sort_by_key(|&d| month_day_key(d));
        self.by_month_day.dedup();
        Ok(self)
    }
}

pub(super) const COUNT_RANGE: &str = "use a whole number from 1 to 10000";
const NTH_RANGE: &str = "use 1 to 5 or -1 (last) to -5 before the day, as in 2WE or -1FR";

/// Orders 1, 2 … 31, then -31 … -1, so "last" reads last.
fn month_day_key(d: i8) -> i32 {
    if d > 0 {
        i32::from(d)
    } else {
        64 + i32::from(d)
    }
}

pub(super) fn invalid(part: &'static str, value: impl ToString, expected: &'static str) -> RuleError {
    RuleError::Invalid { part, value: value.to_string(), expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_validate_like_the_parser() {
        let weekly = Rule::new(Frequency::Weekly);
        assert_eq!(
            weekly.clone().with_interval(0),
            Err(invalid("INTERVAL", 0, "use a whole number from 1 to 1000"))
        );
        assert_eq!(
            weekly.clone().with_days(vec![ByDay::nth(1, Weekday::Mon)]),
            Err(RuleError::NthDayNeedsMonthly)
        );
        assert_eq!(weekly.clone().with_month_days(vec![1]), Err(RuleError::MonthDayInWeekly));
        let rule = weekly.with_days(vec![ByDay::every(Weekday::Thu), ByDay::every(Weekday::Mon)]).unwrap();
        assert_eq!(rule, Rule::parse("FREQ=WEEKLY;BYDAY=MO,TH").unwrap());
    }
}
