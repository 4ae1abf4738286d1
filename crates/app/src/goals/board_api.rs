//! The weekly board's endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::Json;
use domain::groups::Action;
use serde::{Deserialize, Serialize};
use store::boards::BoardEntry;
use utoipa::ToSchema;

use super::board::{pending, post_entry, week_of};
use crate::error::{ApiResult, AppError};
use crate::groups::access;
use crate::groups::view::PersonRef;
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// One member's focus for a week.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub member: PersonRef,
    /// e.g. "2026-W49", in the group's zone.
    pub week: String,
    pub focus: String,
    /// done | partly | not, once reported the week after.
    pub outcome: Option<String>,
}

fn entry(e: BoardEntry) -> EntryView {
    EntryView {
        member: PersonRef { id: e.user_id, display_name: e.display_name },
        week: e.week,
        focus: e.focus,
        outcome: e.outcome,
    }
}

/// The board this week and last.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardView {
    pub week: String,
    pub week_label: String,
    pub this_week: Vec<EntryView>,
    pub last_week: Vec<EntryView>,
    /// My focus of last week still waiting for its outcome, if any: report it before posting.
    pub to_report: Option<EntryView>,
}

/// A group's weekly board: this week's focus of each member, and last week's with how it went.
#[utoipa::path(get, path = "/api/v1/groups/{id}/board", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BoardView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<BoardView>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Read)?;
    let week = week_of(&a);
    let this = state.db.board(&id, &week.to_string()).await?;
    let last = state.db.board(&id, &week.prev().to_string()).await?;
    let to_report = if a.is_member() { pending(&state, &me, &a).await?.map(entry) } else { None };
    Ok(Json(BoardView {
        week: week.to_string(),
        week_label: week.label(),
        this_week: this.into_iter().map(entry).collect(),
        last_week: last.into_iter().map(entry).collect(),
        to_report,
    }))
}

/// My board post.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardPost {
    /// What I'll work on this week.
    pub focus: Option<String>,
    /// How last week's focus went: done | partly | not.
    #[schema(pattern = "^(done|partly|not)$")]
    pub outcome: Option<String>,
}

/// Reports how my last week's focus went and/or posts this week's (members; the report first).
#[utoipa::path(put, path = "/api/v1/groups/{id}/board", tag = "goals", security(("bearer" = [])), request_body = BoardPost,
    params(("id" = String, Path)),
    responses((status = 200, body = BoardView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BoardPost>,
) -> ApiResult<Json<BoardView>> {
    let a = access(&state, &me, &id).await?;
    post_entry(&state, &me, &a, b.focus.as_deref(), b.outcome.as_deref()).await?;
    get(State(state), ApiUser(me), Path(id)).await
}

/// Entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<EntryView>,
}

/// One member's board history, latest week first.
#[utoipa::path(get, path = "/api/v1/groups/{id}/board/{member}", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path), ("member" = String, Path)),
    responses((status = 200, body = History), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<Json<History>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Read)?;
    if state.db.standing(&id, &member).await?.role.is_none() {
        return Err(AppError::NotFound);
    }
    let items = state.db.board_history(&id, &member).await?.into_iter().map(entry).collect();
    Ok(Json(History { items }))
}
