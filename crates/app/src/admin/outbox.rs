//! The mail outbox as admins see it: how much waits, the dead letters (messages given up on after
//! their last attempt) with why each failed, and sending one again.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use minijinja::context;
use serde::Serialize;
use store::outbox::DeadLetter;
use store::users::User;
use utoipa::ToSchema;

use super::admin;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Dead letters a page or answer lists at most.
const LIMIT: i64 = 200;

/// The outbox as an admin sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Outbox {
    /// Messages waiting to be sent, or to be tried again.
    pub pending: i64,
    /// Dead letters, in all.
    pub dead: i64,
    /// Bulk mail (roster invitations) not sent because its addressee asked for no more mail.
    pub stopped: i64,
    /// The newest dead letters (at most 200). Each: id, to_addr, subject, attempts, last_error,
    /// created_at (epoch milliseconds).
    #[schema(value_type = Vec<Object>)]
    pub dead_letters: Vec<DeadLetter>,
}

async fn outbox(state: &AppState) -> Result<Outbox, AppError> {
    let depth = state.db.outbox_depth().await?;
    Ok(Outbox {
        pending: depth.pending,
        dead: depth.failed,
        stopped: depth.stopped,
        dead_letters: state.db.dead_letters(LIMIT).await?,
    })
}

/// `GET /admin/outbox`.
pub async fn outbox_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    admin(&me)?;
    let o = outbox(&state).await?;
    Ok(page("outbox.html", Some(&me), &csrf, context! { outbox => o, tab => "outbox" })?.into_response())
}

/// `POST /admin/outbox/{id}/retry`.
pub async fn retry_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<super::Empty>,
) -> PageResult {
    admin(&me)?;
    retry(&state, &me, &id).await?;
    Ok(Redirect::to("/admin/outbox").into_response())
}

async fn retry(state: &AppState, me: &User, id: &str) -> Result<(), AppError> {
    if !state.db.requeue_mail(id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(mail = %id, admin = %me.id, "dead letter sent again");
    super::record(state, me, "retry-mail", id, "", "").await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// The outbox: how much waits, and the dead letters with why each failed (admins only).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Outbox), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn outbox_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Outbox>> {
    admin(&me)?;
    Ok(Json(outbox(&state).await?))
}

/// Sends a dead letter again, its attempts counted afresh (admins only).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    admin(&me)?;
    retry(&state, &me, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
