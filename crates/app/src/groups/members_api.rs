//! Membership endpoints of the JSON API: joining, leaving, following, the member list, roles,
//! removals and bans, handing over, and join requests.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::groups::Action;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access;
use super::members::{answer, change, follow, join, leave, Change};
use super::view::rfc3339;
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// A join request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequestBody {
    /// For a group that takes requests: a word to its organisers.
    #[serde(default)]
    pub message: String,
}

/// What joining did.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinResult {
    /// member (an open group) | requested (waiting for an organiser or moderator)
    pub status: String,
}

/// Joins an open group, or asks to join a group that takes requests.
#[utoipa::path(post, path = "/api/v1/groups/{id}/membership", tag = "groups", security(("bearer" = [])),
    request_body = JoinRequestBody, params(("id" = String, Path)),
    responses((status = 200, body = JoinResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn join_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<JoinRequestBody>,
) -> ApiResult<Json<JoinResult>> {
    let a = access(&state, &me, &id).await?;
    Ok(Json(JoinResult { status: join(&state, &me, &a, &body.message).await?.to_owned() }))
}

/// Leaves a group, or withdraws my request to join.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/membership", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn leave_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    leave(&state, &me, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows a group: I am told of its new events.
#[utoipa::path(put, path = "/api/v1/groups/{id}/follow", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn follow_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    follow(&state, &me, &a, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following a group.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/follow", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unfollow_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    follow(&state, &me, &a, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberItem {
    pub id: String,
    pub display_name: String,
    /// organiser | moderator | member
    pub role: String,
    pub joined_at: String,
}

/// Members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberItem>,
}

/// Who belongs to a group (members only, unless the organiser opened the list).
#[utoipa::path(get, path = "/api/v1/groups/{id}/members", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MemberList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn members_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<MemberList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::SeeMembers)?;
    let items = state
        .db
        .group_members(&id)
        .await?
        .into_iter()
        .map(|m| MemberItem {
            id: m.user_id,
            display_name: m.display_name,
            role: m.role,
            joined_at: rfc3339(m.joined_at),
        })
        .collect();
    Ok(Json(MemberList { items }))
}

/// A change to one member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// moderator | member
    #[schema(pattern = "^(moderator|member)$")]
    pub role: String,
}

/// Makes a member a moderator or a plain member (organiser only).
#[utoipa::path(patch, path = "/api/v1/groups/{id}/members/{member}", tag = "groups", security(("bearer" = [])),
    request_body = RoleChange, params(("id" = String, Path), ("member" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn role_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleChange>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Configure)?;
    let what = match body.role.as_str() {
        "moderator" => Change::Moderator,
        "member" => Change::Member,
        _ => return Err(AppError::Invalid(FieldErrors::one("role", "Choose moderator or member."))),
    };
    change(&state, &a, &member, what).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How to take a member out.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RemoveQuery {
    /// true keeps them from joining again.
    pub ban: bool,
}

/// Removes (or, with `?ban=true`, bans) a member whose role is below mine (organiser and
/// moderators).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{member}", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path), ("member" = String, Path), RemoveQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, member)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<RemoveQuery>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    change(&state, &a, &member, if q.ban { Change::Ban } else { Change::Remove }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom to hand the group to.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverBody {
    #[serde(default)]
    #[schema(required = true)]
    pub member_id: String,
}

/// Makes another member the organiser; I become a moderator (organiser only).
#[utoipa::path(post, path = "/api/v1/groups/{id}/handover", tag = "groups", security(("bearer" = [])),
    request_body = HandoverBody, params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn handover_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HandoverBody>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    change(&state, &a, &body.member_id, Change::Handover).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A request waiting for an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestItem {
    pub id: String,
    pub display_name: String,
    pub message: String,
    pub created_at: String,
}

/// Join requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestItem>,
}

/// Join requests waiting for an answer (organiser and moderators).
#[utoipa::path(get, path = "/api/v1/groups/{id}/requests", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = RequestList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn requests_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let items = state
        .db
        .join_requests(&id)
        .await?
        .into_iter()
        .map(|r| RequestItem {
            id: r.user_id,
            display_name: r.display_name,
            message: r.message,
            created_at: rfc3339(r.created_at),
        })
        .collect();
    Ok(Json(RequestList { items }))
}

/// An answer to a join request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// approve | decline
    #[serde(default)]
    #[schema(required = true, pattern = "^(approve|decline)$")]
    pub decision: String,
}

/// Approves or declines a join request (organiser and moderators).
#[utoipa::path(post, path = "/api/v1/groups/{id}/requests/{member}", tag = "groups", security(("bearer" = [])),
    request_body = AnswerBody, params(("id" = String, Path), ("member" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let approve = match body.decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::Invalid(FieldErrors::one("decision", "Answer approve or decline."))),
    };
    answer(&state, &a, &member, approve).await?;
    Ok(StatusCode::NO_CONTENT)
}
