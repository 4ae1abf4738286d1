//! A group's weekly board, "what are you working on this week?": each member posts one focus
//! for the week (weeks follow the group's zone); the week after, the board asks them how it went
//! (done, partly, not done) before they post the next one. Anyone who may read the group's
//! discussion may read its board; members post.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use chrono_tz::Tz;
use domain::groups::Action;
use domain::weeks::{Outcome, WeekKey};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::boards::BoardEntry;
use store::users::User;

use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::groups::{access, Access};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// The week under way in the group's zone.
pub fn week_of(a: &Access) -> WeekKey {
    let zone: Tz = a.group.time_zone.parse().unwrap_or(chrono_tz::UTC);
    WeekKey::of(Utc::now(), zone)
}

/// Last week's focus of `me` that still waits for its outcome.
pub async fn pending(state: &AppState, me: &User, a: &Access) -> Result<Option<BoardEntry>, AppError> {
    let last = week_of(a).prev().to_string();
    let entry = state.db.board(&a.group.id, &last).await?.into_iter().find(|e| e.user_id == me.id);
    Ok(entry.filter(|e| e.outcome.is_none()))
}

/// Reports how last week's focus went, and/or posts this week's: the report comes first.
pub async fn post_entry(
    state: &AppState,
    me: &User,
    a: &Access,
    focus: Option<&str>,
    outcome: Option<&str>,
) -> Result<(), AppError> {
    a.require(Action::Take)?;
    let now = now_ms();
    let week = week_of(a);
    let mut e = FieldErrors::new();
    let outcome = outcome.map(|o| e.check("outcome", Outcome::parse(o))).unwrap_or(None);
    let focus = match focus {
        Some(f) => match domain::profile::check_text(f, 280) {
            Ok(f) if f.is_empty() => {
                e.add("focus", "Say what you'll work on this week.");
                None
            }
            Ok(f) => Some(f),
            Err(d) => {
                e.add("focus", d);
                None
            }
        },
        None => None,
    };
    if focus.is_none() && outcome.is_none() && e.is_empty() {
        e.add("focus", "Say what you'll work on this week.");
    }
    e.into_result()?;
    let waiting = pending(state, me, a).await?;
    if let Some(o) = outcome {
        let Some(last) = &waiting else {
            return Err(AppError::Invalid(FieldErrors::one(
                "outcome",
                "There's no focus from last week to report on.",
            )));
        };
        state.db.report_focus(&a.group.id, &me.id, &last.week, o.as_str(), now).await?;
    } else if waiting.is_some() && focus.is_some() {
        return Err(AppError::Invalid(FieldErrors::one(
            "outcome",
            "First tell the group how last week's focus went.",
        )));
    }
    if let Some(f) = focus {
        state.db.set_focus(&a.group.id, &me.id, &week.to_string(), &f, now).await?;
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    /// Show this member's history.
    member: String,
}

/// `GET /groups/{id}/board[?member=ID]`.
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<BoardQuery>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    render(&state, &me, &csrf, &a, &q.member, context! {}, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    member: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    a.require(Action::Read)?;
    let week = week_of(a);
    let this = state.db.board(&a.group.id, &week.to_string()).await?;
    let last = state.db.board(&a.group.id, &week.prev().to_string()).await?;
    let history = if member.is_empty() {
        None
    } else {
        if state.db.standing(&a.group.id, member).await?.role.is_none() {
            return Err(AppError::NotFound.into());
        }
        Some(state.db.board_history(&a.group.id, member).await?)
    };
    let mine = this.iter().find(|e| e.user_id == me.id).cloned();
    let waiting = if a.is_member() { pending(state, me, a).await? } else { None };
    let outcomes: Vec<(&str, &str)> = Outcome::ALL.iter().map(|o| (o.as_str(), o.label())).collect();
    let ctx = context! {
        group => a.group, week => week.to_string(), week_label => week.label_as_of(chrono::Utc::now().date_naive()),
        last_label => week.prev().label_as_of(chrono::Utc::now().date_naive()),
        this, last, mine, waiting, history, outcomes, can_take => a.can(Action::Take), ..extra
    };
    Ok((status, page("group_board.html", Some(me), csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BoardForm {
    focus: String,
    outcome: String,
}

/// `POST /groups/{id}/board`: last week's `outcome` and/or this week's `focus`.
pub async fn post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<BoardForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let focus = (!form.focus.trim().is_empty()).then_some(form.focus.as_str());
    let outcome = (!form.outcome.is_empty()).then_some(form.outcome.as_str());
    match post_entry(&state, &me, &a, focus, outcome).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}/board")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { errors => error_map(&e), values => form };
            render(&state, &me, &csrf, &a, "", extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
