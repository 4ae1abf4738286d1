//! Discussion endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use domain::groups::{Action, PostKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pages::{parse_cursor, POSTS_PER_PAGE};
use super::posts::{self, Moderation, PostInput};
use super::view::{rfc3339, PostView, ReplyView, Thread};
use super::{access, Access};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// Which posts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PostQuery {
    /// Only this kind: ask | offer | struggle | win | shoutout | idea.
    #[param(pattern = "^(ask|offer|struggle|win|shoutout|idea)?$")]
    pub kind: String,
    /// The `next` of the previous page.
    pub before: String,
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    pub items: Vec<PostView>,
    /// Pass as `before` for the next page; null on the last one.
    pub next: Option<String>,
}

/// A group's discussion, latest activity first (confidential posts for members only).
#[utoipa::path(get, path = "/api/v1/groups/{id}/posts", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), PostQuery),
    responses((status = 200, body = PostList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PostQuery>,
) -> ApiResult<Json<PostList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Read)?;
    let kind = match q.kind.as_str() {
        "" => None,
        k => Some(
            PostKind::parse(k).map_err(|d| AppError::Invalid(domain::FieldErrors::one("kind", d)))?.as_str(),
        ),
    };
    let before = match q.before.as_str() {
        "" => None,
        b => Some(parse_cursor(b).ok_or_else(|| {
            AppError::Invalid(domain::FieldErrors::one("before", "Pass the `next` value of the page before."))
        })?),
    };
    let mut rows = state.db.posts(&id, &a.reader(), kind, before, POSTS_PER_PAGE + 1).await?;
    let more = rows.len() as i64 > POSTS_PER_PAGE;
    rows.truncate(POSTS_PER_PAGE as usize);
    let next = if more { rows.last().map(|p| format!("{}:{}", p.activity_at, p.id)) } else { None };
    let now = now_ms();
    Ok(Json(PostList { items: rows.iter().map(|p| PostView::new(p, &a, now)).collect(), next }))
}

async fn thread(state: &AppState, a: &Access, post: &str) -> Result<Thread, AppError> {
    let p = posts::load(state, a, post).await?;
    let now = now_ms();
    let replies =
        state.db.replies(&p.id, &a.reader()).await?.iter().map(|r| ReplyView::new(r, a, now)).collect();
    Ok(Thread { post: PostView::new(&p, a, now), replies })
}

/// Posts in a group (members).
#[utoipa::path(post, path = "/api/v1/groups/{id}/posts", tag = "discussion", security(("bearer" = [])),
    request_body = PostInput, params(("id" = String, Path)),
    responses((status = 201, body = Thread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PostInput>,
) -> ApiResult<impl IntoResponse> {
    let a = access(&state, &me, &id).await?;
    let post = posts::create(&state, &me, &a, &input).await?;
    Ok((StatusCode::CREATED, Json(thread(&state, &a, &post).await?)))
}

/// A post with its replies.
#[utoipa::path(get, path = "/api/v1/groups/{id}/posts/{post}", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 200, body = Thread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
) -> ApiResult<Json<Thread>> {
    let a = access(&state, &me, &id).await?;
    Ok(Json(thread(&state, &a, &post).await?))
}

/// Changes my post's words (for 15 minutes after posting).
#[utoipa::path(patch, path = "/api/v1/groups/{id}/posts/{post}", tag = "discussion", security(("bearer" = [])),
    request_body = PostInput, params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 200, body = Thread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiJson(input): ApiJson<PostInput>,
) -> ApiResult<Json<Thread>> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    if input.confidential.is_some_and(|c| c != (p.confidential == 1)) {
        return Err(AppError::Invalid(domain::FieldErrors::one(
            "confidential",
            "Whether a post is confidential is chosen when it is posted.",
        )));
    }
    posts::edit(&state, &a, &p, &input).await?;
    Ok(Json(thread(&state, &a, &post).await?))
}

/// Deletes a post (its author, or a moderator).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/posts/{post}", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::moderate(&state, &a, &p, None, Moderation::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reply's words.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// Markdown (no raw HTML: it is shown as text).
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub body: String,
}

/// Replies to a post (members; not to a locked or hidden post).
#[utoipa::path(post, path = "/api/v1/groups/{id}/posts/{post}/replies", tag = "discussion", security(("bearer" = [])),
    request_body = ReplyBody, params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 201, body = Thread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> ApiResult<impl IntoResponse> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::reply(&state, &me, &a, &p, &body.body).await?;
    Ok((StatusCode::CREATED, Json(thread(&state, &a, &post).await?)))
}

/// Changes my reply's words (for 15 minutes after writing it).
#[utoipa::path(patch, path = "/api/v1/groups/{id}/posts/{post}/replies/{reply}", tag = "discussion", security(("bearer" = [])),
    request_body = ReplyBody, params(("id" = String, Path), ("post" = String, Path), ("reply" = String, Path)),
    responses((status = 200, body = Thread), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_reply(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post, reply)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> ApiResult<Json<Thread>> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    let r = posts::load_reply(&state, &a, &p, &reply).await?;
    posts::edit_reply(&state, &a, &r, &body.body).await?;
    Ok(Json(thread(&state, &a, &post).await?))
}

/// Deletes a reply (its author, or a moderator).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/posts/{post}/replies/{reply}", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), ("post" = String, Path), ("reply" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_reply(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post, reply)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::moderate(&state, &a, &p, Some(&reply), Moderation::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What "this helped" is about.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HelpedQuery {
    /// A reply of the post; leave out for the post itself.
    pub reply: String,
}

/// Says "this helped" of a post, or of one of its replies (`?reply=`).
#[utoipa::path(put, path = "/api/v1/groups/{id}/posts/{post}/helped", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), ("post" = String, Path), HelpedQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn helped(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<HelpedQuery>,
) -> ApiResult<StatusCode> {
    set_helped(&state, &me, &id, &post, &q.reply, true).await
}

/// Takes back "this helped".
#[utoipa::path(delete, path = "/api/v1/groups/{id}/posts/{post}/helped", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path), ("post" = String, Path), HelpedQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unhelped(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<HelpedQuery>,
) -> ApiResult<StatusCode> {
    set_helped(&state, &me, &id, &post, &q.reply, false).await
}

async fn set_helped(
    state: &AppState,
    me: &store::users::User,
    id: &str,
    post: &str,
    reply: &str,
    on: bool,
) -> ApiResult<StatusCode> {
    let a = access(state, me, id).await?;
    let p = posts::load(state, &a, post).await?;
    posts::helped(state, &a, &p, (!reply.is_empty()).then_some(reply), on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A moderation step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationBody {
    pub action: Moderation,
    /// A reply of the post; leave out for the post itself.
    pub reply_id: Option<String>,
}

/// Hides, shows, locks, unlocks or deletes a post or reply (moderators; authors may delete
/// their own).
#[utoipa::path(post, path = "/api/v1/groups/{id}/posts/{post}/moderation", tag = "discussion", security(("bearer" = [])),
    request_body = ModerationBody, params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn moderate(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiJson(body): ApiJson<ModerationBody>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::moderate(&state, &a, &p, body.reply_id.as_deref(), body.action).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// What is wrong (optional, up to 500 characters).
    #[serde(default)]
    pub reason: String,
    /// A reply of the post; leave out for the post itself.
    pub reply_id: Option<String>,
}

/// Reports a post or reply to the group's moderators.
#[utoipa::path(post, path = "/api/v1/groups/{id}/posts/{post}/reports", tag = "discussion", security(("bearer" = [])),
    request_body = ReportBody, params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, post)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReportBody>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::report(&state, &me, &a, &p, body.reply_id.as_deref(), &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An open report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub post_id: String,
    pub reply_id: Option<String>,
    pub post_title: String,
    pub reporter: String,
    pub reason: String,
    pub created_at: String,
}

/// Open reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportView>,
}

/// The group's open reports, oldest first (moderators).
#[utoipa::path(get, path = "/api/v1/groups/{id}/reports", tag = "discussion", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReportList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Moderate)?;
    let items = state
        .db
        .open_reports(&id)
        .await?
        .into_iter()
        .map(|r| ReportView {
            id: r.id,
            post_id: r.post_id,
            reply_id: r.reply_id,
            post_title: r.post_title,
            reporter: r.reporter_name,
            reason: r.reason,
            created_at: rfc3339(r.created_at),
        })
        .collect();
    Ok(Json(ReportList { items }))
}

/// How to close a report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// dismiss | hide | delete
    #[serde(default)]
    #[schema(required = true, pattern = "^(dismiss|hide|delete)$")]
    pub action: String,
}

/// Closes a report: dismiss it, or hide or delete what it reported (moderators).
#[utoipa::path(post, path = "/api/v1/groups/{id}/reports/{report}", tag = "discussion", security(("bearer" = [])),
    request_body = ResolveBody, params(("id" = String, Path), ("report" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, report)): Path<(String, String)>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    posts::resolve(&state, &a, &report, &body.action).await?;
    Ok(StatusCode::NO_CONTENT)
}
