//! Goals and accountability (C5): goals with tasks and a measurable target, weekly check-ins that
//! partners and group mates can comment on and cheer, each group's weekly board, streaks, nudges
//! for a week about to pass without a check-in (and, after missed weeks, a word to one's
//! accountability partners), and stats drawn as small SVG charts.
//!
//! Who may see a goal is `domain::goals::GoalVisibility::allows`, applied by [`visible`]; anyone
//! else gets 404.

pub mod api;
pub mod board;
pub mod board_api;
pub mod input;
pub mod nudges;
pub mod pages;
pub mod stats;
pub mod steps;
pub mod view;

use std::collections::BTreeSet;

use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use chrono_tz::Tz;
use domain::goals::GoalVisibility;
use domain::weeks::WeekKey;
use store::goals::Goal;
use store::users::User;

use crate::error::AppError;
use crate::state::AppState;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/goals", get(pages::list))
        .route("/goals/new", get(pages::new_page).post(pages::create))
        .route("/goals/pause", post(pages::pause))
        .route("/goals/{id}", get(pages::show))
        .route("/goals/{id}/edit", get(pages::edit_page).post(pages::edit))
        .route("/goals/{id}/status", post(pages::status))
        .route("/goals/{id}/delete", post(pages::delete))
        .route("/goals/{id}/tasks", post(pages::task))
        .route("/goals/{id}/checkins", post(pages::checkin))
        .route("/goals/{id}/comments", post(pages::comment))
        .route("/goals/{id}/cheer", post(pages::cheer))
        .route("/groups/{id}/board", get(board::page_get).post(board::post))
        .route("/api/v1/goals", get(api::list).post(api::create))
        .route("/api/v1/goals/{id}", get(api::get).patch(api::patch).delete(api::delete))
        .route("/api/v1/goals/{id}/tasks", post(api::add_task))
        .route("/api/v1/goals/{id}/tasks/{task}", axum::routing::patch(api::set_task))
        .route("/api/v1/goals/{id}/checkins", post(api::checkin))
        .route("/api/v1/goals/{id}/comments", post(api::comment))
        .route("/api/v1/goals/{id}/cheer", axum::routing::put(api::cheer).delete(api::uncheer))
        .route("/api/v1/me/stats", get(api::stats))
        .route("/api/v1/me/accountability", axum::routing::put(api::accountability))
        .route("/api/v1/groups/{id}/board", get(board_api::get).put(board_api::put))
        .route("/api/v1/groups/{id}/board/{member}", get(board_api::history))
}

/// The member's zone (UTC when unreadable).
pub fn zone_of(u: &User) -> Tz {
    u.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// The week under way for `u`, in their own zone.
pub fn this_week(u: &User) -> WeekKey {
    WeekKey::of(Utc::now(), zone_of(u))
}

/// How `viewer` stands to a goal: (owner, accountability partner of the owner, in its group).
async fn standing(state: &AppState, viewer: &User, g: &Goal) -> Result<(bool, bool, bool), AppError> {
    if g.user_id == viewer.id {
        return Ok((true, false, false));
    }
    let partner = state.db.accountability_partners(&viewer.id, &g.user_id).await?;
    let in_group = match &g.group_id {
        Some(group) => state.db.standing(group, &viewer.id).await?.role.is_some(),
        None => false,
    };
    Ok((false, partner, in_group))
}

/// The goal `id` if `viewer` may see it; 404 otherwise (as if it did not exist).
pub async fn visible(state: &AppState, viewer: &User, id: &str) -> Result<Goal, AppError> {
    let g = state.db.goal(id).await?.ok_or(AppError::NotFound)?;
    let vis = GoalVisibility::parse(&g.visibility).unwrap_or(GoalVisibility::Private);
    let (owner, partner, in_group) = standing(state, viewer, &g).await?;
    if !vis.allows(owner, partner, in_group) {
        return Err(AppError::NotFound);
    }
    if !owner && state.db.blocked_either_way(&viewer.id, &g.user_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(g)
}

/// The goal `id` if `viewer` owns it: 404 when they may not even see it, 403 when they may.
pub async fn owned(state: &AppState, viewer: &User, id: &str) -> Result<Goal, AppError> {
    let g = visible(state, viewer, id).await?;
    if g.user_id != viewer.id {
        return Err(AppError::Forbidden("Only the goal's owner can change it."));
    }
    Ok(g)
}

/// The weeks `u` paused accountability, spelled out.
pub async fn paused_weeks(state: &AppState, u: &User) -> Result<BTreeSet<WeekKey>, AppError> {
    let mut out = BTreeSet::new();
    for (from, to) in state.db.pauses(&u.id).await? {
        let (Some(mut w), Some(to)) = (WeekKey::parse(&from), WeekKey::parse(&to)) else { continue };
        // Pauses are at most a year long (see `pause`), so this ends.
        while w <= to {
            out.insert(w);
            w = w.next();
        }
    }
    Ok(out)
}

/// The weeks `u` checked in.
pub async fn checked_weeks(state: &AppState, u: &User) -> Result<BTreeSet<WeekKey>, AppError> {
    Ok(state.db.checkin_weeks(&u.id).await?.iter().filter_map(|w| WeekKey::parse(w)).collect())
}

/// My goals data for the data export: goals with their tasks, check-ins and comments, and pauses.
pub async fn export(state: &AppState, me: &User) -> Result<serde_json::Value, AppError> {
    let mut goals = Vec::new();
    for g in state.db.goals_of(&me.id).await? {
        goals.push(serde_json::json!({
            "goal": g,
            "tasks": state.db.tasks(&g.id).await?,
            "checkins": state.db.checkins(&g.id, &me.id).await?,
            "comments": state.db.comments(&g.id).await?,
        }));
    }
    let pauses = state.db.pauses(&me.id).await?;
    Ok(serde_json::json!({
        "goals": goals,
        "pauses": pauses.iter().map(|(f, t)| serde_json::json!({"from_week": f, "to_week": t})).collect::<Vec<_>>(),
        "nudge_after_weeks": me.nudge_after_weeks,
    }))
}
