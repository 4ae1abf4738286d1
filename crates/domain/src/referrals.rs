//! Referrals and give-and-take: a referral slip's life (received → contacted → meeting → won or
//! lost), money kept in minor units per currency and never summed across currencies, reporting
//! periods in a member's zone, the insight "you refer a lot to X", the hours of help given and
//! received, and when a contact is due for a word.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

/// Where a referral slip stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SlipStatus {
    /// Given, not yet acted on.
    Received,
    /// The receiver got in touch with the prospect.
    Contacted,
    /// They met.
    Meeting,
    /// Business closed (with a value).
    Won,
    /// Nothing came of it.
    Lost,
}

impl SlipStatus {
    /// Every status, in order.
    pub const ALL: [SlipStatus; 5] =
        [SlipStatus::Received, SlipStatus::Contacted, SlipStatus::Meeting, SlipStatus::Won, SlipStatus::Lost];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SlipStatus::Received => "received",
            SlipStatus::Contacted => "contacted",
            SlipStatus::Meeting => "meeting",
            SlipStatus::Won => "won",
            SlipStatus::Lost => "lost",
        }
    }

    /// The status as people read it.
    pub fn label(self) -> &'static str {
        match self {
            SlipStatus::Received => "Received",
            SlipStatus::Contacted => "Contacted",
            SlipStatus::Meeting => "Met",
            SlipStatus::Won => "Won",
            SlipStatus::Lost => "Lost",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<SlipStatus, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "Choose received, contacted, meeting, won or lost.".to_owned())
    }

    /// Whether nothing comes after it.
    pub fn is_closed(self) -> bool {
        matches!(self, SlipStatus::Won | SlipStatus::Lost)
    }

    /// Whether a slip may go from this status to `to`: only forwards, and never out of won or lost.
    pub fn may_become(self, to: SlipStatus) -> Result<(), String> {
        if self.is_closed() {
            return Err(format!("This referral is {} already: it can't change any more.", self.as_str()));
        }
        if to <= self && !to.is_closed() {
            return Err(format!(
                "A referral moves forward: from {} it can go on to {}.",
                self.as_str(),
                self.next_words()
            ));
        }
        Ok(())
    }

    fn next_words(self) -> String {
        let next: Vec<&str> = Self::ALL.iter().filter(|s| **s > self).map(|s| s.as_str()).collect();
        next.join(", ")
    }
}

/// How ready a prospect is.
pub const TEMPERATURES: [&str; 3] = ["hot", "warm", "cold"];

/// Checks a currency code: three capital letters (ISO 4217 shape), e.g. "EUR".
pub fn check_currency(s: &str) -> Result<String, String> {
    let c = s.trim().to_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err("Give the currency as a three-letter code, like EUR or USD.".to_owned())
    }
}

/// Parses an amount typed as "1,250.50" or "1250,50" into minor units (cents).
pub fn parse_amount(s: &str) -> Result<i64, String> {
    let t: String = s.trim().chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    let bad = || "Give the value as a number, like 1250 or 1250.50.".to_owned();
    if t.is_empty() {
        return Err(bad());
    }
    // The last separator followed by one or two digits is the decimal point.
    let split = t.rfind(['.', ',']).filter(|i| t.len() - i - 1 <= 2 && t.len() - i > 1);
    let (whole, frac) = match split {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| *c != '.' && *c != ',').collect();
    if whole.is_empty() && frac.is_empty() || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let units: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .filter(|v| *v <= 10_000_000_000 * 100) // ten billion a slip, in cents
        .ok_or_else(bad)
}

/// An amount in minor units, written with two decimals: 125050 → "1250.50".
pub fn format_amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// Sums amounts per currency, never across: [("EUR", 100), ("USD", 5), ("EUR", 50)] →
/// {EUR: 150, USD: 5}.
pub fn totals<'a>(amounts: impl IntoIterator<Item = (&'a str, i64)>) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (currency, v) in amounts {
        *out.entry(currency.to_owned()).or_insert(0) += v;
    }
    out
}

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Week,
    Month,
    Year,
}

impl PeriodKind {
    /// Parses "week", "month" or "year".
    pub fn parse(s: &str) -> Result<PeriodKind, String> {
        match s {
            "week" => Ok(PeriodKind::Week),
            "month" => Ok(PeriodKind::Month),
            "year" => Ok(PeriodKind::Year),
            _ => Err("Choose week, month or year.".to_owned()),
        }
    }
}

/// The period of `kind` containing `at` on the wall clocks of `zone`, as [start, end) instants,
/// with its first day.
pub fn period(kind: PeriodKind, at: DateTime<Utc>, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>, NaiveDate) {
    let day = at.with_timezone(&zone).date_naive();
    let (first, next) = match kind {
        PeriodKind::Week => {
            let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
            (monday, monday + TimeDelta::days(7))
        }
        PeriodKind::Month => {
            let first = day.with_day(1).unwrap_or(day);
            (first, first.checked_add_months(Months::new(1)).unwrap_or(first))
        }
        PeriodKind::Year => {
            let first = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
            (first, NaiveDate::from_ymd_opt(day.year() + 1, 1, 1).unwrap_or(first))
        }
    };
    (midnight(zone, first), midnight(zone, next), first)
}

/// Local midnight of `d` in `zone` (the first real minute when midnight is skipped).
fn midnight(zone: Tz, d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    for step in 0..=12 {
        if let Some(v) = zone.from_local_datetime(&(t + TimeDelta::minutes(step * 15))).earliest() {
            return v.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&t)
}

/// Given this many referrals to one member in a year, suggest coworking with them.
pub const INSIGHT_REFERRALS: usize = 3;

/// The members `me` referred to at least [`INSIGHT_REFERRALS`] times, most first: (member,
/// count).
pub fn frequent<'a>(receivers: impl IntoIterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in receivers {
        *counts.entry(r).or_insert(0) += 1;
    }
    let mut out: Vec<(String, usize)> =
        counts.into_iter().filter(|(_, n)| *n >= INSIGHT_REFERRALS).map(|(m, n)| (m.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Checks hours of help: a quarter hour to 100 hours, in quarter hours; returns minutes.
pub fn check_hours(s: &str) -> Result<i64, String> {
    let h: f64 =
        s.trim().replace(',', ".").parse().map_err(|_| "Give the hours as a number, like 1.5.".to_owned())?;
    let minutes = (h * 60.0).round() as i64;
    if (15..=6000).contains(&minutes) && minutes % 15 == 0 {
        Ok(minutes)
    } else {
        Err("Give the hours in quarter hours, from 0.25 to 100.".to_owned())
    }
}

/// Hours in words: 90 minutes → "1.5 h".
pub fn hours_words(minutes: i64) -> String {
    let h = minutes as f64 / 60.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{} h", h.round() as i64)
    } else {
        format!("{h:.2} h").replace(".50 h", ".5 h")
    }
}

/// When a contact is next due for a word: the last contact plus the cadence, as a date in the
/// owner's zone. None without a cadence; the day it was added counts as a contact.
pub fn due_on(last_contact: DateTime<Utc>, cadence_days: Option<i64>, zone: Tz) -> Option<NaiveDate> {
    let days = cadence_days.filter(|d| *d > 0)?;
    Some(last_contact.with_timezone(&zone).date_naive() + TimeDelta::days(days))
}

/// Days a contact is overdue as of `now` in the owner's zone (0 or less: not yet).
pub fn overdue_days(due: NaiveDate, now: DateTime<Utc>, zone: Tz) -> i64 {
    (now.with_timezone(&zone).date_naive() - due).num_days()
}

/// Checks a cadence typed in days (1 to 730); empty means none.
pub fn check_cadence(s: &str) -> Result<Option<i64>, String> {
    match s.trim() {
        "" | "0" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=730).contains(d))
            .map(Some)
            .ok_or_else(|| "Give the cadence in days, from 1 to 730 (e.g. 42 for six weeks).".to_owned()),
    }
}
