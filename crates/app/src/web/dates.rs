//! The one way dates and times are written for people: "Sun 6 Dec, 14:00" within the current
//! year and "Sat 3 Apr 2027, 09:30" outside it, in the reader's zone and on their clock (24-hour
//! unless they chose the 12-hour one: "Sun 6 Dec, 2:00 pm"). The
//! API writes ISO 8601 instead; only pages, mail and notifications come through here.

use std::cell::Cell;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// How a member reads the clock: "18:00" or "6:00 pm".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    H24,
    H12,
}

impl Clock {
    /// '24' or '12', as stored; anything else is the 24-hour clock.
    pub fn parse(s: &str) -> Clock {
        if s == "12" {
            Clock::H12
        } else {
            Clock::H24
        }
    }
}

tokio::task_local! {
    /// The clock of the member this request is for: the 24-hour clock until signing in says
    /// otherwise (`web::auth` sets it when it finds the member).
    static CLOCK: Cell<Clock>;
}

/// The layer that gives every request its clock.
pub async fn clock_scope(req: Request, next: Next) -> Response {
    CLOCK.scope(Cell::new(Clock::H24), next.run(req)).await
}

/// From now on in this request, times are written on `clock`.
pub fn use_clock(clock: Clock) {
    let _ = CLOCK.try_with(|c| c.set(clock));
}

/// `f`'s times written on `clock` ('24' or '12', as stored): for text composed for another
/// member (a notification, a reminder) or outside any request.
pub fn on_clock<R>(clock: &str, f: impl FnOnce() -> R) -> R {
    CLOCK.sync_scope(Cell::new(Clock::parse(clock)), f)
}

/// As [`on_clock`], for text composed by a future (a digest reads as it writes).
pub async fn on_clock_async<F: std::future::Future>(clock: &str, f: F) -> F::Output {
    CLOCK.scope(Cell::new(Clock::parse(clock)), f).await
}

/// A time of day on the request's clock: "18:00", or "6:00 pm" on the 12-hour clock.
pub fn time<T: Timelike>(t: &T) -> String {
    match CLOCK.try_with(Cell::get).unwrap_or_default() {
        Clock::H24 => format!("{:02}:{:02}", t.hour(), t.minute()),
        Clock::H12 => {
            let (pm, h) = t.hour12();
            format!("{h}:{:02} {}", t.minute(), if pm { "pm" } else { "am" })
        }
    }
}

/// A day: "Sun 6 Dec", with the year when it is not `today`'s.
pub fn day_of(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        d.format("%a %-d %b").to_string()
    } else {
        d.format("%a %-d %b %Y").to_string()
    }
}

/// The day an instant falls on in `zone`: "Sun 6 Dec".
pub fn day(t: DateTime<Utc>, zone: Tz) -> String {
    day_of(t.with_timezone(&zone).date_naive(), Utc::now().with_timezone(&zone).date_naive())
}

/// An instant on the clock of `zone`: "Sun 6 Dec, 14:00".
pub fn day_time(t: DateTime<Utc>, zone: Tz) -> String {
    format!("{}, {}", day(t, zone), time(&t.with_timezone(&zone)))
}

/// A date badge's day of the month and month for an instant in `zone`: ("6", "Dec").
pub fn badge(t: DateTime<Utc>, zone: Tz) -> (String, String) {
    let local = t.with_timezone(&zone);
    (local.format("%-d").to_string(), local.format("%b").to_string())
}

/// A day stored as ISO text ("2027-03-31"), for people: "Wed 31 Mar 2027"; other text is kept.
pub fn iso_day(s: &str) -> String {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => day_of(d, Utc::now().date_naive()),
        Err(_) => s.to_owned(),
    }
}

/// Text with ISO days in it ("2026-12-25 closed; 2027-01-01 closed"), each written for people
/// ("Fri 25 Dec closed; Fri 1 Jan 2027 closed").
pub fn iso_days_in(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < text.len() {
        let boundary = |at: usize| at == 0 || at >= b.len() || !b[at].is_ascii_alphanumeric();
        let candidate = text.get(i..i + 10).filter(|c| {
            c.bytes().enumerate().all(|(k, x)| if k == 4 || k == 7 { x == b'-' } else { x.is_ascii_digit() })
        });
        if let Some(c) = candidate.filter(|_| (i == 0 || boundary(i - 1)) && boundary(i + 10)) {
            out.push_str(&iso_day(c));
            i += 10;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// How soon `t` is, where saying so helps: "in 25 minutes" within the hour, else "today" or
/// "tomorrow" on the reader's clock; `None` further off, or once it has begun.
pub fn soon(t: DateTime<Utc>, zone: Tz, now: DateTime<Utc>) -> Option<String> {
    let minutes = (t - now).num_minutes();
    if t < now {
        return None;
    }
    if minutes < 60 {
        return Some(match minutes {
            0 | 1 => "in a minute".to_owned(),
            m => format!("in {m} minutes"),
        });
    }
    let (day, today) = (t.with_timezone(&zone).date_naive(), now.with_timezone(&zone).date_naive());
    match (day - today).num_days() {
        0 => Some("today".to_owned()),
        1 => Some("tomorrow".to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn times_follow_the_requests_clock() {
        let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).expect("a time");
        assert_eq!(time(&at(18, 5)), "18:05", "the 24-hour clock unless told");
        let twelve = CLOCK.scope(Cell::new(Clock::H24), async {
            use_clock(Clock::parse("12"));
            [time(&at(0, 0)), time(&at(9, 30)), time(&at(12, 0)), time(&at(18, 5))]
        });
        assert_eq!(twelve.await, ["12:00 am", "9:30 am", "12:00 pm", "6:05 pm"]);
        assert_eq!(Clock::parse("anything"), Clock::H24);
    }

    #[test]
    fn soon_says_how_soon_on_the_readers_clock() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T22:30:00Z").expect("t").with_timezone(&Utc);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("t").with_timezone(&Utc);
        let lisbon = chrono_tz::Europe::Lisbon;
        assert_eq!(soon(at("2026-12-06T22:55:00Z"), lisbon, now).as_deref(), Some("in 25 minutes"));
        assert_eq!(soon(at("2026-12-06T22:31:00Z"), lisbon, now).as_deref(), Some("in a minute"));
        assert_eq!(soon(at("2026-12-06T23:45:00Z"), lisbon, now).as_deref(), Some("today"));
        assert_eq!(soon(at("2026-12-07T09:00:00Z"), lisbon, now).as_deref(), Some("tomorrow"));
        // In Tokyo it is already 07:30 on the 7th: 23:45 UTC is later today there, 23:30 UTC on
        // the 7th is tomorrow morning, and 16:00 UTC on the 8th is two days off.
        let tokyo = chrono_tz::Asia::Tokyo;
        assert_eq!(soon(at("2026-12-06T23:45:00Z"), tokyo, now).as_deref(), Some("today"));
        assert_eq!(soon(at("2026-12-07T23:30:00Z"), tokyo, now).as_deref(), Some("tomorrow"));
        assert_eq!(soon(at("2026-12-08T16:00:00Z"), tokyo, now), None);
        assert_eq!(soon(at("2026-12-06T22:00:00Z"), lisbon, now), None, "begun already");
    }

    #[test]
    fn the_year_is_left_out_within_the_current_one() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).expect("day");
        assert_eq!(day_of(today, today), "Sun 6 Dec");
        assert_eq!(day_of(NaiveDate::from_ymd_opt(2027, 3, 31).expect("day"), today), "Wed 31 Mar 2027");
        assert_eq!(day_of(NaiveDate::from_ymd_opt(2025, 1, 2).expect("day"), today), "Thu 2 Jan 2025");
    }

    #[test]
    fn instants_are_written_on_the_readers_clock() {
        let t = DateTime::parse_from_rfc3339("2031-06-01T23:30:00Z").expect("t").with_timezone(&Utc);
        assert_eq!(day_time(t, chrono_tz::Europe::Lisbon), "Mon 2 Jun 2031, 00:30");
        assert_eq!(day_time(t, chrono_tz::UTC), "Sun 1 Jun 2031, 23:30");
        assert_eq!(iso_day("2031-06-01"), "Sun 1 Jun 2031");
        assert_eq!(iso_day("someday"), "someday");
        assert_eq!(
            iso_days_in("2031-12-25 closed; 2031-12-24 09:00-13:00"),
            "Thu 25 Dec 2031 closed; Wed 24 Dec 2031 09:00-13:00"
        );
        assert_eq!(iso_days_in("Ação 12-25 x2031-12-25"), "Ação 12-25 x2031-12-25");
    }
}
