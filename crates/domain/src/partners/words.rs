//! Partner reasons put into words, in the viewer's zone.

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;

use super::Why;
use crate::geo::describe_distance;
use crate::profile::Company;

pub(super) fn word(why: &Why, zone: Tz) -> String {
    match why {
        Why::Distance(km) => describe_distance(*km).replace(" away", " apart"),
        Why::SameZone => "same time zone".to_owned(),
        Why::ZoneGap(h) => format!("{} apart in time", hours(*h)),
        Why::Skills { given, taken } => {
            let mut said = Vec::new();
            if !given.is_empty() {
                let l = list(given);
                said.push(format!("offers {l} — you need {l}"));
            }
            if !taken.is_empty() {
                let l = list(taken);
                said.push(format!("needs {l} — you offer {l}"));
            }
            said.join("; ")
        }
        Why::Shared(spans) => when_shared(spans, zone),
        Why::Reliable => "turns up to their sessions".to_owned(),
        Why::Groups(n) => format!("{} in common", plural(*n, "group")),
        Why::Referrals(n) => format!("{} passed between you", plural(*n, "referral")),
        Why::Company(Company::Quiet) => "you both like quiet company".to_owned(),
        Why::Company(_) => "you both like a chat between focus blocks".to_owned(),
    }
}

/// "both free Wednesday evenings and Friday mornings", in the viewer's zone.
fn when_shared(shared: &[(i64, i64)], zone: Tz) -> String {
    const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    const PARTS: [&str; 4] = ["mornings", "afternoons", "evenings", "nights"];
    let mut minutes = [[0i64; 4]; 7];
    for &(start, end) in shared {
        // A quarter hour at a time is plenty to tell a morning from an evening.
        let mut t = start;
        while t < end {
            let step = (end - t).min(900);
            if let Some(local) = DateTime::from_timestamp(t, 0).map(|u| u.with_timezone(&zone)) {
                let part = match local.hour() {
                    6..=11 => 0,
                    12..=16 => 1,
                    17..=21 => 2,
                    _ => 3,
                };
                minutes[local.weekday().num_days_from_monday() as usize][part] += step / 60;
            }
            t += step;
        }
    }
    let mut buckets: Vec<(i64, usize, usize)> = Vec::new();
    for (d, parts) in minutes.iter().enumerate() {
        for (p, &m) in parts.iter().enumerate() {
            if m >= 30 {
                buckets.push((m, d, p));
            }
        }
    }
    buckets.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let named: Vec<String> =
        buckets.iter().take(2).map(|&(_, d, p)| format!("{} {}", DAYS[d], PARTS[p])).collect();
    if named.is_empty() {
        let total: i64 = shared.iter().map(|(a, b)| b - a).sum();
        format!("both free {} a week", hours(total as f64 / 3600.0))
    } else {
        format!("both free {}", named.join(" and "))
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(super) fn hours(h: f64) -> String {
    let half_hours = (h * 2.0).round() / 2.0;
    if (half_hours - 1.0).abs() < f64::EPSILON {
        "1 hour".to_owned()
    } else if half_hours.fract() == 0.0 {
        format!("{half_hours:.0} hours")
    } else {
        format!("{half_hours:.1} hours")
    }
}
