//! A member's accountability in numbers: goals stated and done in sessions (from the goals they
//! gave when answering events), their weekly check-in streak, how often their weekly board focus
//! got done, and small bar charts of it drawn as SVG on the server (no script, no CDN).

use chrono::{DateTime, Utc};
use domain::weeks::{completion_rate, streak, Outcome, Streak, WeekKey};
use serde::Serialize;
use store::users::User;
use utoipa::ToSchema;

use super::{checked_weeks, paused_weeks, this_week, zone_of};
use crate::error::AppError;
use crate::state::AppState;

/// Weeks the charts show.
pub const WEEKS: usize = 8;

/// One week's sessions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionWeek {
    /// e.g. "2026-W49".
    pub week: String,
    /// Sessions I went to with a goal stated.
    pub stated: u32,
    /// Of those, goals I ticked done.
    pub done: u32,
    /// Whether I checked in on a goal that week.
    pub checked_in: bool,
}

/// My accountability in numbers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// Consecutive weeks with a check-in, up to this one.
    pub streak_weeks: u32,
    pub longest_streak_weeks: u32,
    /// Goals stated in sessions so far, and how many were done.
    pub session_goals_stated: u32,
    pub session_goals_done: u32,
    /// The share (0–100) of reported board weeks whose focus got done (partly counts half); null
    /// before any report.
    pub board_completion_percent: Option<u32>,
    pub board_weeks_reported: u32,
    /// Whether accountability is paused this week.
    pub paused: bool,
    /// The last eight weeks, oldest first.
    pub weeks: Vec<SessionWeek>,
}

/// The stats of `u`, as of now.
pub async fn of(state: &AppState, u: &User) -> Result<Stats, AppError> {
    let zone = zone_of(u);
    let now = Utc::now();
    let current = this_week(u);
    let checked = checked_weeks(state, u).await?;
    let paused = paused_weeks(state, u).await?;
    let Streak { current: streak_weeks, longest } = streak(&checked, &paused, current);
    let first = (1..WEEKS).fold(current, |w, _| w.prev());
    let sessions = state.db.session_goals(&u.id, 0, now.timestamp_millis()).await?;
    let mut weeks: Vec<SessionWeek> = Vec::with_capacity(WEEKS);
    let mut w = first;
    while w <= current {
        weeks.push(SessionWeek { week: w.to_string(), stated: 0, done: 0, checked_in: checked.contains(&w) });
        w = w.next();
    }
    let (mut stated, mut done) = (0, 0);
    for (start, goal_done) in &sessions {
        let Some(at) = DateTime::<Utc>::from_timestamp_millis(*start) else { continue };
        stated += 1;
        let ticked = *goal_done == Some(1);
        done += u32::from(ticked);
        let key = WeekKey::of(at, zone).to_string();
        if let Some(slot) = weeks.iter_mut().find(|s| s.week == key) {
            slot.stated += 1;
            slot.done += u32::from(ticked);
        }
    }
    let outcomes: Vec<Outcome> =
        state.db.board_outcomes(&u.id).await?.iter().filter_map(|o| Outcome::parse(o).ok()).collect();
    Ok(Stats {
        streak_weeks,
        longest_streak_weeks: longest,
        session_goals_stated: stated,
        session_goals_done: done,
        board_completion_percent: completion_rate(&outcomes).map(|r| (r * 100.0).round() as u32),
        board_weeks_reported: outcomes.len() as u32,
        paused: paused.contains(&current),
        weeks,
    })
}

/// A bar chart of the weeks' session goals (stated, and done over them) with a dot under each week
/// with a check-in. Numbers and escaped text only, so safe to embed.
pub fn chart(s: &Stats) -> String {
    let (width, height, bar) = (280.0_f64, 96.0_f64, 26.0_f64);
    let top = s.weeks.iter().map(|w| w.stated).max().unwrap_or(0).max(1) as f64;
    let scale = (height - 30.0) / top;
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}</title>",
        crate::web::escape_markup(&summary(s))
    );
    for (i, w) in s.weeks.iter().enumerate() {
        let x = 6.0 + i as f64 * (bar + 8.0);
        let h_stated = f64::from(w.stated) * scale;
        let h_done = f64::from(w.done) * scale;
        let base = height - 22.0;
        out.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar}\" height=\"{h_stated:.1}\" fill=\"#c9dcd6\"/>\
             <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar}\" height=\"{h_done:.1}\" fill=\"#1d5e55\"/>",
            base - h_stated,
            base - h_done
        ));
        let label = w.week.rsplit('W').next().unwrap_or("");
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#4d5b60\">W{}</text>",
            x + bar / 2.0,
            height - 10.0,
            crate::web::escape_markup(label)
        ));
        if w.checked_in {
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#1d5e55\"/>",
                x + bar / 2.0,
                height - 2.5
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// The chart in words, for screen readers and the chart's title.
pub fn summary(s: &Stats) -> String {
    let (stated, done): (u32, u32) = s.weeks.iter().fold((0, 0), |(a, b), w| (a + w.stated, b + w.done));
    let checked = s.weeks.iter().filter(|w| w.checked_in).count();
    format!(
        "Last {} weeks: {done} of {stated} session goals done; checked in {checked} of {} weeks",
        s.weeks.len(),
        s.weeks.len()
    )
}
