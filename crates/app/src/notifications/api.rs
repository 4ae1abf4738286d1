//! `/api/v1/me/notifications`: my notifications, paged, with the unread count; marking read.

use axum::extract::State;
use axum::Json;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::notifications::Notification;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// Which notifications.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// `next` of the page before; leave out for the newest.
    #[param(pattern = r"^(-?[0-9]{1,18}\.[A-Za-z0-9]+)?$")]
    pub before: String,
    /// At most this many (1–100, default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// A page of my notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Each: id, kind, title, link, created_at and read_at (epoch milliseconds; read_at null
    /// while unread).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Notification>,
    /// How many of mine are unread, in all.
    pub unread: i64,
    /// The cursor for the next page, when there is one.
    pub next: Option<String>,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<NotificationList>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(AppError::Invalid(FieldErrors::one("limit", "Ask for 1 to 100 at a time.")));
    }
    let before = if q.before.is_empty() {
        None
    } else {
        Some(super::parse_cursor(&q.before).ok_or_else(|| {
            AppError::Invalid(FieldErrors::one("before", "Use the next cursor of the page before."))
        })?)
    };
    let (items, next) = super::page_of(&state, &me.id, before, limit).await?;
    Ok(Json(NotificationList { items, unread: state.db.unread_count(&me.id).await?, next }))
}

/// Which to mark read.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReadInput {
    /// These of mine (at most 500).
    pub ids: Vec<String>,
    /// Every one of mine; instead of `ids`.
    pub all: bool,
}

/// What is left unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    pub unread: i64,
}

/// Marks some or all of my notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "notifications", security(("bearer" = [])), request_body = ReadInput,
    responses((status = 200, body = Unread), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<ReadInput>,
) -> ApiResult<Json<Unread>> {
    if b.ids.len() > 500 {
        return Err(AppError::Invalid(FieldErrors::one("ids", "Mark at most 500 at a time.")));
    }
    let now = now_ms();
    if b.all != b.ids.is_empty() {
        let detail = "Give the ids to mark read, or \"all\": true for every one (not both).";
        return Err(AppError::Invalid(FieldErrors::one(if b.all { "all" } else { "ids" }, detail)));
    }
    if b.all {
        state.db.mark_notifications_read(&me.id, now).await?;
    } else {
        // Someone else's (or no) notification is as if it were not there; those before it stay marked.
        for id in &b.ids {
            if !state.db.mark_notification_read(&me.id, id, now).await? {
                return Err(AppError::NotFound);
            }
        }
    }
    Ok(Json(Unread { unread: state.db.unread_count(&me.id).await? }))
}
