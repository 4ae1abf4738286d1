//! Poll endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use domain::FieldErrors;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{PollInput, PollView};
use crate::error::{ApiResult, AppError};
use crate::events::view::EventView;
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// Starts a time-finding poll; without `slots` the server proposes the best times.
#[utoipa::path(post, path = "/api/v1/polls", tag = "polls", security(("bearer" = [])), request_body = PollInput,
    responses((status = 201, body = PollView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<PollInput>,
) -> ApiResult<impl IntoResponse> {
    let poll = super::create(&state, &me, &input).await?;
    let invitees = state.db.poll_invitees(&poll.id).await?;
    Ok((StatusCode::CREATED, Json(super::view(&state, &me, &poll, &invitees).await?)))
}

/// A poll with its times and votes (organiser and invitees only).
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PollView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PollView>> {
    let (poll, invitees) = super::visible(&state, &me, &id).await?;
    Ok(Json(super::view(&state, &me, &poll, &invitees).await?))
}

/// One vote.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteItem {
    /// The slot's `key` (epoch ms).
    pub start: i64,
    /// yes | ifneedbe | no
    pub vote: String,
}

/// My votes (replacing earlier ones).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Votes {
    #[serde(default)]
    pub votes: Vec<VoteItem>,
}

/// Votes on the poll's times.
#[utoipa::path(put, path = "/api/v1/polls/{id}/votes", tag = "polls", security(("bearer" = [])), request_body = Votes,
    params(("id" = String, Path)), responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(v): ApiJson<Votes>,
) -> ApiResult<StatusCode> {
    let (poll, _) = super::visible(&state, &me, &id).await?;
    let votes: Vec<(i64, String)> = v.votes.into_iter().map(|v| (v.start, v.vote)).collect();
    super::vote(&state, &me, &poll, &votes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The winning time.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The slot's `key` (epoch ms).
    #[serde(default)]
    pub start: i64,
}

/// Closes the poll with a time (organiser only) and returns the event it became.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "polls", security(("bearer" = [])), request_body = CloseRequest,
    params(("id" = String, Path)), responses((status = 201, body = EventView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<CloseRequest>,
) -> ApiResult<impl IntoResponse> {
    let (poll, _) = super::visible(&state, &me, &id).await?;
    if poll.organiser_id != me.id {
        return Err(AppError::Forbidden("Only the organiser can close the poll."));
    }
    if r.start == 0 {
        return Err(AppError::Invalid(FieldErrors::one("start", "Choose one of the poll's times.")));
    }
    let event = super::close(&state, &me, &poll, r.start).await?;
    Ok((StatusCode::CREATED, Json(crate::events::view(&state, &me, &event, 5).await?)))
}
