//! The RRULE text form: parsing what users and .ics files send, and printing it canonically.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, Weekday};

use super::rule::{invalid, ByDay, End, Frequency, Rule, RuleError, Until, COUNT_RANGE};

/// The two-letter RFC 5545 code of a weekday.
pub(super) fn code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn parse_by_day(item: &str) -> Result<ByDay, RuleError> {
    let bad =
        || invalid("BYDAY", item, "use MO, TU, WE, TH, FR, SA or SU, optionally after 1 to 5 or -1 to -5");
    let split = item.len().checked_sub(2).ok_or_else(bad)?;
    let (nth, day) = (item.get(..split).ok_or_else(bad)?, item.get(split..).ok_or_else(bad)?);
    let weekday = weekday(day).ok_or_else(bad)?;
    if nth.is_empty() {
        return Ok(ByDay::every(weekday));
    }
    let n: i8 = nth.strip_prefix('+').unwrap_or(nth).parse().map_err(|_| bad())?;
    Ok(ByDay::nth(n, weekday))
}

fn parse_until(value: &str) -> Result<Until, RuleError> {
    let expected = "use a UTC time like 20260601T170000Z or a date like 20260601";
    // chrono's %Y takes a sign and its numeric fields skip leading spaces, so "-2027 101T00000Z"
    // would read as a year before Christ and never print back the same (found by the fuzzer).
    // The text must have the exact RFC 5545 shape before chrono reads it.
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let bytes = value.as_bytes();
    if value.len() == 8 && digits(value) {
        if let Ok(date) = NaiveDate::parse_from_str(value, "%Y%m%d") {
            return Ok(Until::Date(date));
        }
    }
    let instant_shape = bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && digits(&value[..8])
        && digits(&value[9..15]);
    // The shape holds only if bytes 8 and 15 are ASCII, so the slices below fall on char bounds.
    match instant_shape.then(|| NaiveDateTime::parse_from_str(&value[..15], "%Y%m%dT%H%M%S")) {
        Some(Ok(t)) => Ok(Until::Instant(t.and_utc())),
        _ => Err(invalid("UNTIL", value, expected)),
    }
}

impl FromStr for Rule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Rule, RuleError> {
        let upper = text.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper).trim();
        if body.is_empty() {
            return Err(RuleError::Empty);
        }
        let mut seen: Vec<&str> = Vec::new();
        let (mut freq, mut interval, mut count, mut until) = (None, 1, None, None);
        let (mut by_day, mut by_month_day, mut week_start) = (Vec::new(), Vec::new(), Weekday::Mon);
        for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| RuleError::Malformed(part.to_owned()))?;
            let (name, value) = (name.trim(), value.trim());
            if seen.contains(&name) {
                return Err(RuleError::Duplicate(name.to_owned()));
            }
            seen.push(name);
            match name {
                "FREQ" => {
                    freq = Some(match value {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
                            return Err(RuleError::Unsupported(format!("FREQ={value}")))
                        }
                        _ => return Err(invalid("FREQ", value, "use DAILY, WEEKLY or MONTHLY")),
                    })
                }
                "INTERVAL" => {
                    interval = value
                        .parse()
                        .map_err(|_| invalid("INTERVAL", value, "use a whole number from 1 to 1000"))?
                }
                "COUNT" => count = Some(value.parse().map_err(|_| invalid("COUNT", value, COUNT_RANGE))?),
                "UNTIL" => until = Some(parse_until(value)?),
                "BYDAY" => {
                    by_day = value.split(',').map(|d| parse_by_day(d.trim())).collect::<Result<_, _>>()?
                }
                "BYMONTHDAY" => {
                    by_month_day = value
                        .split(',')
                        .map(|d| {
                            let d = d.trim();
                            d.strip_prefix('+')
                                .unwrap_or(d)
                                .parse()
                                .map_err(|_| invalid("BYMONTHDAY", d, "use 1 to 31, or -1 (last day) to -31"))
                        })
                        .collect::<Result<_, _>>()?
                }
                "WKST" => {
                    week_start = weekday(value)
                        .ok_or_else(|| invalid("WKST", value, "use MO, TU, WE, TH, FR, SA or SU"))?
                }
                "BYSETPOS" | "BYMONTH" | "BYWEEKNO" | "BYYEARDAY" | "BYHOUR" | "BYMINUTE" | "BYSECOND"
                | "RSCALE" | "SKIP" => return Err(RuleError::Unsupported(name.to_owned())),
                _ => return Err(RuleError::Unknown(name.to_owned())),
            }
        }
        let end = match (count, until) {
            (Some(_), Some(_)) => return Err(RuleError::CountAndUntil),
            (Some(n), None) => End::Count(n),
            (None, Some(u)) => End::Until(u),
            (None, None) => End::Never,
        };
        let freq = freq.ok_or(RuleError::MissingFrequency)?;
        Rule { freq, interval, by_day, by_month_day, end, week_start }.validated()
    }
}

impl fmt::Display for Rule {
    /// The canonical RRULE value (no `RRULE:` prefix), e.g. `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FREQ={}", self.freq.as_str())?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self
                .by_day
                .iter()
                .map(|d| format!("{}{}", d.nth.map(|n| n.to_string()).unwrap_or_default(), code(d.weekday)))
                .collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(i8::to_string).collect();
            write!(f, ";BYMONTHDAY={}", days.join(","))?;
        }
        match self.end {
            End::Never => {}
            End::Count(n) => write!(f, ";COUNT={n}")?,
            End::Until(Until::Instant(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%SZ"))?,
            End::Until(Until::Date(d)) => write!(f, ";UNTIL={}", d.format("%Y%m%d"))?,
        }
        if self.week_start != Weekday::Mon {
            write!(f, ";WKST={}", code(self.week_start))?;
        }
        Ok(())
    }
}

impl TryFrom<String> for Rule {
    type Error = RuleError;

    fn try_from(text: String) -> Result<Rule, RuleError> {
        text.parse()
    }
}

impl From<Rule> for String {
    fn from(rule: Rule) -> String {
        rule.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) {
        let rule = Rule::parse(text).unwrap();
        assert_eq!(rule.to_string(), text, "canonical text prints back unchanged");
        assert_eq!(Rule::parse(&rule.to_string()).unwrap(), rule);
    }

    #[test]
    fn canonical_rules_print_back_unchanged() {
        roundtrip("FREQ=DAILY");
        roundtrip("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6");
        roundtrip("FREQ=MONTHLY;BYDAY=2WE");
        roundtrip("FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;UNTIL=20260601T170000Z");
        roundtrip("FREQ=MONTHLY;BYMONTHDAY=1,15,-2,-1;UNTIL=20260601");
        roundtrip("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU");
    }

    #[test]
    fn parsing_forgives_case_prefix_order_and_spacing() {
        let rule = Rule::parse(" rrule:byday=th,mo ; freq=weekly;interval=1;wkst=MO; ").unwrap();
        assert_eq!(rule.to_string(), "FREQ=WEEKLY;BYDAY=MO,TH");
        assert_eq!(Rule::parse("FREQ=MONTHLY;BYDAY=+2WE").unwrap().days(), [ByDay::nth(2, Weekday::Wed)]);
    }

    #[test]
    fn rules_convert_to_and_from_their_stored_text() {
        let rule = Rule::parse("FREQ=WEEKLY;BYDAY=MO").unwrap();
        let text = String::from(rule.clone());
        assert_eq!(text, "FREQ=WEEKLY;BYDAY=MO");
        assert_eq!(Rule::try_from(text).unwrap(), rule);
    }

    #[test]
    fn unsupported_and_malformed_rules_say_what_is_wrong() {
        let err = |t: &str| Rule::parse(t).unwrap_err().to_string();
        assert_eq!(err(""), "The repeat rule is empty.");
        assert_eq!(err("RRULE:"), "The repeat rule is empty.");
        assert!(err("FREQ=YEARLY").starts_with("FREQ=YEARLY is not supported here"));
        assert!(err("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR").starts_with("BYSETPOS is not supported"));
        assert_eq!(err("FREQ=WEEKLY;COLOR=RED"), "COLOR is not a repeat rule part.");
        assert_eq!(err("INTERVAL=2"), "The repeat rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY.");
        assert_eq!(err("FREQ=WEEKLY;FREQ=DAILY"), "FREQ appears more than once in the repeat rule.");
        assert_eq!(err("FREQ=WEEKLY;BYDAY"), "“BYDAY” is not a NAME=VALUE part of a repeat rule.");
        assert_eq!(err("FREQ=FORTNIGHTLY"), "FREQ=FORTNIGHTLY is not valid: use DAILY, WEEKLY or MONTHLY.");
        assert!(err("FREQ=DAILY;INTERVAL=0").starts_with("INTERVAL=0 is not valid"));
        assert!(err("FREQ=DAILY;INTERVAL=-1").starts_with("INTERVAL=-1 is not valid"));
        assert!(err("FREQ=DAILY;INTERVAL=1001").starts_with("INTERVAL=1001 is not valid"));
        assert!(err("FREQ=DAILY;COUNT=0").starts_with("COUNT=0 is not valid"));
        assert!(err("FREQ=DAILY;COUNT=10001").starts_with("COUNT=10001 is not valid"));
        assert!(err("FREQ=DAILY;COUNT=many").starts_with("COUNT=MANY is not valid"));
        assert_eq!(err("FREQ=DAILY;COUNT=3;UNTIL=20260101"), RuleError::CountAndUntil.to_string());
        assert!(err("FREQ=DAILY;UNTIL=2026-01-01").starts_with("UNTIL=2026-01-01 is not valid"));
        assert!(err("FREQ=DAILY;UNTIL=20260101T120000").starts_with("UNTIL=20260101T120000 is not valid"));
        assert!(err("FREQ=DAILY;UNTIL=20260231").starts_with("UNTIL=20260231 is not valid"));
        // Signed years and space-padded fields read by chrono but never print back the same.
        assert!(err("FREQ=DAILY;UNTIL=-2027 101T00000Z;").starts_with("UNTIL=-2027 101T00000Z is not valid"));
        assert!(err("FREQ=DAILY;UNTIL=+2027101").starts_with("UNTIL=+2027101 is not valid"));
        assert!(err("FREQ=DAILY;UNTIL=2027 1 1").starts_with("UNTIL=2027 1 1 is not valid"));
        assert!(err("FREQ=WEEKLY;BYDAY=XX").starts_with("BYDAY=XX is not valid"));
        assert!(err("FREQ=WEEKLY;BYDAY=M").starts_with("BYDAY=M is not valid"));
        assert!(err("FREQ=MONTHLY;BYDAY=6WE").starts_with("BYDAY=6WE is not valid"));
        assert!(err("FREQ=MONTHLY;BYDAY=0WE").starts_with("BYDAY=0WE is not valid"));
        assert_eq!(err("FREQ=WEEKLY;BYDAY=2WE"), RuleError::NthDayNeedsMonthly.to_string());
        assert_eq!(err("FREQ=WEEKLY;BYMONTHDAY=3"), RuleError::MonthDayInWeekly.to_string());
        assert!(err("FREQ=MONTHLY;BYMONTHDAY=32").starts_with("BYMONTHDAY=32 is not valid"));
        assert!(err("FREQ=MONTHLY;BYMONTHDAY=0").starts_with("BYMONTHDAY=0 is not valid"));
        assert!(err("FREQ=WEEKLY;WKST=XX").starts_with("WKST=XX is not valid"));
    }
}
