//! The notification pages: the list, the bell fragment, marking read.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::{fragment, page};

/// Where the list starts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// The cursor of the last notification seen ("created_at.id").
    before: String,
}

/// A form with nothing but its CSRF token, and where to go back to.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReadForm {
    /// "list" to come back to the list; otherwise the dashboard.
    back: String,
}

/// `GET /notifications`: mine, newest first, a page at a time.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let (items, next) = super::page_of(&state, &me.id, super::parse_cursor(&q.before), super::PAGE).await?;
    let unread = state.db.unread_count(&me.id).await?;
    let ctx = context! { items, next, unread, paged => !q.before.is_empty() };
    Ok(page("notifications.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `GET /notifications/bell`: the bell with my unread count, which polls itself (htmx).
pub async fn bell(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> PageResult {
    let unread = state.db.unread_count(&me.id).await?;
    let html = fragment("bell.html", context! { unread })?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], html).into_response())
}

fn back(form: &ReadForm) -> Redirect {
    Redirect::to(if form.back == "list" { "/notifications" } else { "/dashboard" })
}

/// `POST /notifications/read`: all of mine.
pub async fn read_all(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, .. }: Posted<ReadForm>,
) -> PageResult {
    state.db.mark_notifications_read(&me.id, now_ms()).await?;
    Ok(back(&form).into_response())
}

/// `POST /notifications/{id}/read`: one of mine.
/// `GET /notifications/{id}/open`: marks it read and goes where it leads (a path on this site).
pub async fn open(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let link = state.db.open_notification(&me.id, &id, now_ms()).await?.ok_or(AppError::NotFound)?;
    let to = if link.starts_with('/') && !link.starts_with("//") { link.as_str() } else { "/notifications" };
    Ok(axum::response::Redirect::to(to).into_response())
}

pub async fn read_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<ReadForm>,
) -> PageResult {
    if !state.db.mark_notification_read(&me.id, &id, now_ms()).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(back(&form).into_response())
}
