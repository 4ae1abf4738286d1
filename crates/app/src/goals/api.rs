//! Goal endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{CheckinInput, GoalInput};
use super::stats::Stats;
use super::view::{GoalSummary, GoalView};
use super::{owned, steps, visible};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// Goals.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalList {
    /// Mine, active first.
    pub mine: Vec<GoalSummary>,
    /// Others' active goals shared with me (as their accountability partner, or in a group).
    pub shared: Vec<GoalSummary>,
}

/// My goals, and the goals others share with me.
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", security(("bearer" = [])),
    responses((status = 200, body = GoalList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<GoalList>> {
    let mine = state.db.goals_of(&me.id).await?.iter().map(GoalSummary::of).collect();
    let shared = state.db.shared_goals(&me.id, None).await?.iter().map(GoalSummary::of).collect();
    Ok(Json(GoalList { mine, shared }))
}

/// Sets a goal.
#[utoipa::path(post, path = "/api/v1/goals", tag = "goals", security(("bearer" = [])), request_body = GoalInput,
    responses((status = 201, body = GoalView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<impl IntoResponse> {
    let id = steps::create(&state, &me, &input).await?;
    let g = visible(&state, &me, &id).await?;
    Ok((StatusCode::CREATED, Json(super::view::of(&state, &me, &g).await?)))
}

/// A goal with its tasks, check-ins, comments and cheers (404 unless it is shared with me).
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = GoalView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<GoalView>> {
    let g = visible(&state, &me, &id).await?;
    Ok(Json(super::view::of(&state, &me, &g).await?))
}

/// Changes my goal (its fields and/or its status); fields left out stay.
#[utoipa::path(patch, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])), request_body = GoalInput,
    params(("id" = String, Path)),
    responses((status = 200, body = GoalView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<GoalInput>,
) -> ApiResult<Json<GoalView>> {
    let g = owned(&state, &me, &id).await?;
    steps::update(&state, &me, &g, &p).await?;
    if let Some(s) = &p.status {
        steps::set_status(&state, &g, s).await?;
    }
    let g = visible(&state, &me, &id).await?;
    Ok(Json(super::view::of(&state, &me, &g).await?))
}

/// Deletes my goal with everything on it.
#[utoipa::path(delete, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let g = owned(&state, &me, &id).await?;
    state.db.delete_goal(&g.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new task.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub title: String,
}

/// Adds a task to my goal.
#[utoipa::path(post, path = "/api/v1/goals/{id}/tasks", tag = "goals", security(("bearer" = [])), request_body = TaskBody,
    params(("id" = String, Path)),
    responses((status = 201, body = GoalView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_task(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<impl IntoResponse> {
    let g = owned(&state, &me, &id).await?;
    steps::add_task(&state, &g, &b.title).await?;
    Ok((StatusCode::CREATED, Json(super::view::of(&state, &me, &g).await?)))
}

/// A task ticked.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDone {
    #[serde(default)]
    pub done: bool,
}

/// Ticks a task of my goal done, or not.
#[utoipa::path(patch, path = "/api/v1/goals/{id}/tasks/{task}", tag = "goals", security(("bearer" = [])), request_body = TaskDone,
    params(("id" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = GoalView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_task(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, task)): Path<(String, String)>,
    ApiJson(b): ApiJson<TaskDone>,
) -> ApiResult<Json<GoalView>> {
    let g = owned(&state, &me, &id).await?;
    steps::set_task(&state, &g, &task, b.done).await?;
    Ok(Json(super::view::of(&state, &me, &g).await?))
}

/// Checks in on my active goal for the week under way (in my zone).
#[utoipa::path(post, path = "/api/v1/goals/{id}/checkins", tag = "goals", security(("bearer" = [])), request_body = CheckinInput,
    params(("id" = String, Path)),
    responses((status = 201, body = GoalView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn checkin(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CheckinInput>,
) -> ApiResult<impl IntoResponse> {
    let g = owned(&state, &me, &id).await?;
    steps::checkin(&state, &me, &g, &input).await?;
    let g = visible(&state, &me, &id).await?;
    Ok((StatusCode::CREATED, Json(super::view::of(&state, &me, &g).await?)))
}

/// A comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub body: String,
    /// One of the goal's check-ins; leave out for the goal itself.
    pub checkin_id: Option<String>,
}

/// Comments on a goal shared with me (or my own), or on one of its check-ins.
#[utoipa::path(post, path = "/api/v1/goals/{id}/comments", tag = "goals", security(("bearer" = [])), request_body = CommentBody,
    params(("id" = String, Path)),
    responses((status = 201, body = GoalView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<impl IntoResponse> {
    let g = visible(&state, &me, &id).await?;
    steps::comment(&state, &me, &g, b.checkin_id.as_deref(), &b.body).await?;
    Ok((StatusCode::CREATED, Json(super::view::of(&state, &me, &g).await?)))
}

/// What a cheer is for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CheerQuery {
    /// One of the goal's check-ins; leave out for the goal itself.
    pub checkin: String,
}

/// Cheers a goal shared with me, or one of its check-ins (`?checkin=`).
#[utoipa::path(put, path = "/api/v1/goals/{id}/cheer", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path), CheerQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cheer(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CheerQuery>,
) -> ApiResult<StatusCode> {
    set_cheer(&state, &me, &id, &q, true).await
}

/// Takes a cheer back.
#[utoipa::path(delete, path = "/api/v1/goals/{id}/cheer", tag = "goals", security(("bearer" = [])),
    params(("id" = String, Path), CheerQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn uncheer(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CheerQuery>,
) -> ApiResult<StatusCode> {
    set_cheer(&state, &me, &id, &q, false).await
}

async fn set_cheer(
    state: &AppState,
    me: &store::users::User,
    id: &str,
    q: &CheerQuery,
    on: bool,
) -> ApiResult<StatusCode> {
    let g = visible(state, me, id).await?;
    steps::cheer(state, me, &g, (!q.checkin.is_empty()).then_some(q.checkin.as_str()), on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My streak, session goals and board completion.
#[utoipa::path(get, path = "/api/v1/me/stats", tag = "goals", security(("bearer" = [])),
    responses((status = 200, body = Stats), (status = 401, body = ErrorBody)))]
pub async fn stats(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Stats>> {
    Ok(Json(super::stats::of(&state, &me).await?))
}

/// My accountability settings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Accountability {
    /// Pause for this many weeks from this one (1–12); 0 ends a pause.
    #[schema(minimum = 0, maximum = 12)]
    pub pause_weeks: Option<i64>,
    /// Tell my accountability partners after this many missed weeks (0: never; up to 8).
    #[schema(minimum = 0, maximum = 8)]
    pub nudge_after_weeks: Option<i64>,
}

/// Pauses (or resumes) accountability, and sets when partners hear of missed weeks.
#[utoipa::path(put, path = "/api/v1/me/accountability", tag = "goals", security(("bearer" = [])), request_body = Accountability,
    responses((status = 200, body = Stats), (status = 422, body = ErrorBody)))]
pub async fn accountability(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(a): ApiJson<Accountability>,
) -> ApiResult<Json<Stats>> {
    if a.pause_weeks.is_none() && a.nudge_after_weeks.is_none() {
        return Err(AppError::Invalid(domain::FieldErrors::one(
            "body",
            "Send pause_weeks, nudge_after_weeks or both.",
        )));
    }
    if let Some(w) = a.pause_weeks {
        steps::pause(&state, &me, w).await?;
    }
    if let Some(n) = a.nudge_after_weeks {
        steps::set_nudge_after(&state, &me, n).await?;
    }
    Ok(Json(super::stats::of(&state, &me).await?))
}
