//! The calendar page: my week or month, in my own time zone.

use axum::extract::State;
use axum::response::IntoResponse;
use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use minijinja::context;
use serde::Deserialize;

use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfToken;
use crate::web::templates::page as render;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarQuery {
    /// week | month
    view: String,
    /// Any day in the period, YYYY-MM-DD.
    date: String,
}

/// `GET /calendar?view=week|month&date=YYYY-MM-DD`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<CalendarQuery>,
) -> PageResult {
    let zone: Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let date = if q.date.is_empty() {
        if q.view == "month" {
            today
        } else {
            opening_week(today)
        }
    } else {
        NaiveDate::parse_from_str(&q.date, "%Y-%m-%d")
            .ok()
            .filter(|d| super::input::YEARS.contains(&d.year()))
            .ok_or_else(|| {
                AppError::Invalid(domain::FieldErrors::one("date", "Give the date as YYYY-MM-DD."))
            })?
    };
    let month = q.view == "month";
    // The grid starts on a Monday: the week of `date`, or the week of the month's first day.
    let anchor = if month { date.with_day(1).unwrap_or(date) } else { date };
    let first = anchor - Days::new(u64::from(anchor.weekday().num_days_from_monday()));
    let weeks = if month {
        let next_month = anchor.checked_add_months(Months::new(1)).unwrap_or(anchor);
        ((next_month - first).num_days() + 6) / 7
    } else {
        1
    };
    let last = first + Days::new((weeks * 7) as u64);
    // Where local midnight does not exist (clocks change at midnight), the day starts at the jump.
    let at = |d: NaiveDate| domain::recurrence::resolve(zone, d.and_time(chrono::NaiveTime::MIN));
    let items = super::agenda(&state, &me, at(first), at(last)).await?;
    let rows: Vec<_> = (0..weeks)
        .map(|w| {
            (0..7)
                .map(|d| {
                    let day = first + Days::new((w * 7 + d) as u64);
                    let on_day: Vec<_> = items
                        .iter()
                        .filter(|i| i.start.with_timezone(&zone).date_naive() == day)
                        .map(|i| {
                            let time = crate::web::dates::time(&i.start.with_timezone(&zone));
                            context! { event_id => i.event_id, key => i.key, title => i.title, time, status => i.status }
                        })
                        .collect();
                    context! {
                        label => crate::web::dates::day_of(day, today),
                        day => day.day(),
                        today => day == today,
                        outside => month && day.month() != anchor.month(),
                        items => on_day,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let (prev, next) = if month {
        (
            anchor.checked_sub_months(Months::new(1)).unwrap_or(anchor),
            anchor.checked_add_months(Months::new(1)).unwrap_or(anchor),
        )
    } else {
        (date - Days::new(7), date + Days::new(7))
    };
    let title = if month {
        anchor.format("%B %Y").to_string()
    } else {
        format!("Week of {}", crate::web::dates::day_of(first, today))
    };
    let ctx = context! {
        title, rows, month,
        view => if month { "month" } else { "week" },
        prev => prev.format("%Y-%m-%d").to_string(),
        next => next.format("%Y-%m-%d").to_string(),
        date => date.format("%Y-%m-%d").to_string(),
        zone => me.timezone,
    };
    Ok(render("calendar.html", Some(&me), &csrf, ctx)?.into_response())
}

/// The day whose week the calendar opens on: this week, or from Saturday on the week ahead, which
/// is what people plan then (a session made on Sunday evening for Monday is in sight).
pub fn opening_week(today: NaiveDate) -> NaiveDate {
    match today.weekday().num_days_from_monday() {
        d if d >= 5 => today + Days::new(u64::from(7 - d)),
        _ => today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_opens_on_the_week_ahead_from_saturday() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        assert_eq!(opening_week(day(4)), day(4), "Friday: this week");
        assert_eq!(opening_week(day(5)), day(7), "Saturday: next Monday's week");
        assert_eq!(opening_week(day(6)), day(7), "Sunday: next Monday's week");
        assert_eq!(opening_week(day(7)), day(7), "Monday: this week");
    }
}
