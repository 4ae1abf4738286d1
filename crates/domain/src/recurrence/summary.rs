//! A series in plain words, for forms and event pages.
//!
//! Monthly weekday rules read "every month on the second Wednesday", never "every second
//! Wednesday": in British English that phrase means fortnightly, and the forms offer both.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::rule::{ByDay, End, Frequency, Rule, Until};
use super::Series;

impl Series {
    /// The schedule in plain words, e.g. "every week on Monday and Thursday at 09:30 Lisbon time,
    /// 90 minutes" or "once, on Wed 25 Mar 2026 at 18:00 Berlin time, 2 hours", every day with
    /// its year.
    pub fn summary(&self) -> String {
        self.summary_as_of(None)
    }

    /// The summary as read on `today`: days in its year go without the year ("once, on Wed 25 Mar
    /// at 18:00 Berlin time"), as people's dates are written everywhere in the product.
    pub fn summary_as_of(&self, today: Option<NaiveDate>) -> String {
        self.summary_with(today, &|t| t.format("%H:%M").to_string())
    }

    /// The summary with times of day written by `time` (the reader's clock: "18:00" or
    /// "6:00 pm").
    pub fn summary_with(&self, today: Option<NaiveDate>, time: &dyn Fn(NaiveTime) -> String) -> String {
        let day = |d: NaiveDate| match today {
            Some(t) if t.year() == d.year() => d.format("%a %-d %b").to_string(),
            _ => d.format("%a %-d %b %Y").to_string(),
        };
        let at = format!("at {} {}", time(self.first_start.time()), zone_label(self.zone));
        let duration = duration_words(self.duration_minutes);
        match &self.rule {
            Some(rule) if rule.end() != End::Count(1) => {
                let ending = match rule.end() {
                    End::Never => String::new(),
                    End::Count(n) => format!(", {n} times"),
                    End::Until(Until::Date(d)) => format!(", until {}", day(d)),
                    End::Until(Until::Instant(t)) => {
                        format!(", until {}", day(t.with_timezone(&self.zone).date_naive()))
                    }
                };
                format!("{} {at}, {duration}{ending}", cadence(rule, self.first_start.date()))
            }
            _ => {
                // A wall time the clocks skip is moved forward by the gap (RFC 5545 §3.3.5): say
                // when it really happens, and why.
                let real =
                    super::resolve(self.zone, self.first_start).with_timezone(&self.zone).naive_local();
                let date = day(self.first_start.date());
                if real == self.first_start {
                    format!("once, on {date} {at}, {duration}")
                } else {
                    format!(
                        "once, on {date} at {} {} (the clocks go forward that night, so {} does not happen), {duration}",
                        time(real.time()),
                        zone_label(self.zone),
                        time(self.first_start.time()),
                    )
                }
            }
        }
    }
}

/// How a zone is named in summaries: "Berlin time", "New York time", "UTC".
pub fn zone_label(zone: Tz) -> String {
    let name = zone.name();
    let bare = name.strip_prefix("Etc/").unwrap_or(name);
    match bare {
        "UTC" | "UCT" | "Universal" | "Zulu" => "UTC".to_owned(),
        "GMT" | "GMT0" | "GMT+0" | "GMT-0" | "Greenwich" => "GMT".to_owned(),
        // "Etc/GMT+3" is UTC−3: shortening it would invite a sign error, so it stays whole.
        _ if name.starts_with("Etc/") => format!("{name} time"),
        _ => format!("{} time", name.rsplit('/').next().unwrap_or(name).replace('_', " ")),
    }
}

/// A duration as people say it: "45 minutes", "90 minutes", "2 hours", "2 hours 30 minutes".
pub fn duration_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    match (minutes / 60, minutes % 60) {
        (h, 0) if h > 0 => plural(h, "hour"),
        (h, m) if h >= 2 => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        _ => plural(minutes, "minute"),
    }
}

fn cadence(rule: &Rule, first: NaiveDate) -> String {
    let n = rule.interval();
    let every = |one: &str, many: &str| {
        if n == 1 {
            format!("every {one}")
        } else {
            format!("every {} {many}", number_word(n))
        }
    };
    let (days, month_days) = (rule.days(), rule.month_days());
    match rule.freq() {
        Frequency::Daily if days.is_empty() && month_days.is_empty() => every("day", "days"),
        Frequency::Daily if n == 1 && month_days.is_empty() => weekly_days(days, first),
        Frequency::Daily if month_days.is_empty() => {
            format!("{}, only on {}", every("day", "days"), weekdays(days))
        }
        Frequency::Daily => format!("{} on {}", every("day", "days"), month_phrase(days, month_days)),
        Frequency::Weekly => format!("{} on {}", every("week", "weeks"), weekdays_or_first(days, first)),
        Frequency::Monthly if days.is_empty() && month_days.is_empty() => {
            format!("{} on the {}", every("month", "months"), ordinal(first.day()))
        }
        Frequency::Monthly => format!("{} on {}", every("month", "months"), month_phrase(days, month_days)),
    }
}

fn weekly_days(days: &[ByDay], first: NaiveDate) -> String {
    let weekdays_only: Vec<Weekday> = days.iter().map(|d| d.weekday).collect();
    if weekdays_only == [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
        "every weekday".to_owned()
    } else {
        format!("every week on {}", weekdays_or_first(days, first))
    }
}

fn weekdays_or_first(days: &[ByDay], first: NaiveDate) -> String {
    if days.is_empty() {
        weekday_name(first.weekday()).to_owned()
    } else {
        weekdays(days)
    }
}

fn weekdays(days: &[ByDay]) -> String {
    and_list(days.iter().map(|d| weekday_name(d.weekday).to_owned()).collect())
}

fn month_phrase(days: &[ByDay], month_days: &[i8]) -> String {
    let weekday_part = || {
        let same_weekday = days.windows(2).all(|w| w[0].weekday == w[1].weekday);
        if same_weekday && days.iter().all(|d| d.nth.is_some()) {
            // "the first and third Monday" rather than "the first Monday and the third Monday".
            let nths = days.iter().filter_map(|d| d.nth).map(nth_word).collect();
            format!("the {} {}", and_list(nths), days.first().map_or("", |d| weekday_name(d.weekday)))
        } else {
            and_list(
                days.iter()
                    .map(|d| match d.nth {
                        Some(n) => format!("the {} {}", nth_word(n), weekday_name(d.weekday)),
                        None => format!("every {}", weekday_name(d.weekday)),
                    })
                    .collect(),
            )
        }
    };
    let month_day_part = || {
        if month_days.iter().all(|&d| d > 0) {
            format!(
                "the {}",
                and_list(month_days.iter().map(|&d| ordinal(d.unsigned_abs().into())).collect())
            )
        } else {
            and_list(
                month_days
                    .iter()
                    .map(|&d| match d {
                        -1 => "the last day".to_owned(),
                        d if d < 0 => format!("the {}-to-last day", nth_word(d.saturating_neg())),
                        d => format!("the {}", ordinal(d.unsigned_abs().into())),
                    })
                    .collect(),
            )
        }
    };
    match (days.is_empty(), month_days.is_empty()) {
        (false, true) => weekday_part(),
        (true, _) => month_day_part(),
        (false, false) => format!("{}, if it is {}", month_day_part(), or_weekdays(days)),
    }
}

fn or_weekdays(days: &[ByDay]) -> String {
    let names: Vec<String> = days
        .iter()
        .map(|d| match d.nth {
            Some(n) => format!("the {} {}", nth_word(n), weekday_name(d.weekday)),
            None => format!("a {}", weekday_name(d.weekday)),
        })
        .collect();
    join(names, " or ")
}

fn and_list(items: Vec<String>) -> String {
    join(items, " and ")
}

fn join(mut items: Vec<String>, last_sep: &str) -> String {
    match items.pop() {
        None => String::new(),
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{}{last_sep}{last}", items.join(", ")),
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn nth_word(n: i8) -> String {
    match n {
        1 => "first".to_owned(),
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        4 => "fourth".to_owned(),
        5 => "fifth".to_owned(),
        -1 => "last".to_owned(),
        n if n < 0 => format!("{}-to-last", nth_word(n.saturating_neg())),
        n => ordinal(n.unsigned_abs().into()),
    }
}

fn number_word(n: u32) -> String {
    const WORDS: [&str; 11] =
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    n.checked_sub(2).and_then(|i| WORDS.get(i as usize)).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe};

    #[test]
    fn a_one_off_at_a_time_the_clocks_skip_says_when_it_really_happens() {
        let s = series(None, "2027-03-28 01:30", Europe::Lisbon, 90);
        assert_eq!(
            s.summary(),
            "once, on Sun 28 Mar 2027 at 02:30 Lisbon time (the clocks go forward that night, so 01:30 \
             does not happen), 90 minutes"
        );
        assert_eq!(
            series(None, "2027-03-27 01:30", Europe::Lisbon, 90).summary(),
            "once, on Sat 27 Mar 2027 at 01:30 Lisbon time, 90 minutes"
        );
    }

    fn series(text: Option<&str>, start: &str, zone: Tz, minutes: u32) -> Series {
        let start = chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M").unwrap();
        match text {
            Some(t) => Series::repeating(start, zone, minutes, Rule::parse(t).unwrap()),
            None => Series::once(start, zone, minutes),
        }
    }

    #[test]
    fn summaries_read_as_plain_words() {
        let berlin = |rule, minutes| series(rule, "2026-03-11 18:00", Europe::Berlin, minutes).summary();
        assert_eq!(
            berlin(Some("FREQ=MONTHLY;BYDAY=2WE"), 120),
            "every month on the second Wednesday at 18:00 Berlin time, 2 hours"
        );
        assert_eq!(berlin(None, 90), "once, on Wed 11 Mar 2026 at 18:00 Berlin time, 90 minutes");
        assert_eq!(
            berlin(Some("FREQ=WEEKLY;COUNT=1"), 90),
            "once, on Wed 11 Mar 2026 at 18:00 Berlin time, 90 minutes"
        );
        assert_eq!(
            berlin(Some("FREQ=WEEKLY;COUNT=6"), 60),
            "every week on Wednesday at 18:00 Berlin time, 1 hour, 6 times"
        );
        assert_eq!(
            berlin(Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20260601T160000Z"), 150),
            "every two weeks on Wednesday at 18:00 Berlin time, 2 hours 30 minutes, until Mon 1 Jun 2026"
        );
        assert_eq!(
            berlin(Some("FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;UNTIL=20261231"), 45),
            "every three months on the last Friday at 18:00 Berlin time, 45 minutes, until Thu 31 Dec 2026"
        );
        // Read within the year, the year goes unsaid.
        let today = NaiveDate::from_ymd_opt(2026, 1, 5);
        let once = series(None, "2026-03-11 18:00", chrono_tz::Europe::Berlin, 90);
        assert_eq!(once.summary_as_of(today), "once, on Wed 11 Mar at 18:00 Berlin time, 90 minutes");
        let lisbon = series(Some("FREQ=WEEKLY;BYDAY=TH,MO"), "2026-03-09 09:30", Europe::Lisbon, 90);
        assert_eq!(lisbon.summary(), "every week on Monday and Thursday at 09:30 Lisbon time, 90 minutes");
    }

    #[test]
    fn every_rule_shape_has_words() {
        let words =
            |rule: &str| cadence(&Rule::parse(rule).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 25).unwrap());
        assert_eq!(words("FREQ=DAILY"), "every day");
        assert_eq!(words("FREQ=DAILY;INTERVAL=3"), "every three days");
        assert_eq!(words("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"), "every weekday");
        assert_eq!(words("FREQ=DAILY;BYDAY=MO,WE,FR"), "every week on Monday, Wednesday and Friday");
        assert_eq!(words("FREQ=DAILY;INTERVAL=2;BYDAY=MO"), "every two days, only on Monday");
        assert_eq!(words("FREQ=DAILY;BYMONTHDAY=1,15"), "every day on the 1st and 15th");
        assert_eq!(words("FREQ=WEEKLY;INTERVAL=13"), "every 13 weeks on Wednesday");
        assert_eq!(words("FREQ=MONTHLY"), "every month on the 25th");
        assert_eq!(words("FREQ=MONTHLY;BYMONTHDAY=1,-1"), "every month on the 1st and the last day");
        assert_eq!(words("FREQ=MONTHLY;BYMONTHDAY=-2"), "every month on the second-to-last day");
        assert_eq!(words("FREQ=MONTHLY;BYDAY=1MO,3MO"), "every month on the first and third Monday");
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=1MO,-1FR"),
            "every month on the first Monday and the last Friday"
        );
        assert_eq!(words("FREQ=MONTHLY;BYDAY=TU"), "every month on every Tuesday");
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"),
            "every month on the 13th, if it is a Friday"
        );
        assert_eq!(
            words("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=21,22,23,11"),
            "every two months on the 11th, 21st, 22nd and 23rd"
        );
    }

    #[test]
    fn zones_and_durations_read_naturally() {
        assert_eq!(zone_label(America::New_York), "New York time");
        assert_eq!(zone_label(America::Argentina::Buenos_Aires), "Buenos Aires time");
        assert_eq!(zone_label(chrono_tz::UTC), "UTC");
        assert_eq!(zone_label(chrono_tz::Etc::GMTPlus3), "Etc/GMT+3 time");
        assert_eq!(duration_words(1), "1 minute");
        assert_eq!(duration_words(90), "90 minutes");
        assert_eq!(duration_words(120), "2 hours");
        assert_eq!(duration_words(125), "2 hours 5 minutes");
    }
}
