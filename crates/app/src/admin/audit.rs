//! The audit log: what each admin did and when, newest first, a page at a time. Entries keep the
//! names they were written with, so an account deleted since is still named.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::admin::AdminAction;
use utoipa::{IntoParams, ToSchema};

use super::admin;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::groups::view::rfc3339;
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::CsrfToken;
use crate::web::templates::page;

/// Entries a page shows.
const PAGE: i64 = 50;

/// One entry in words: "suspended Rui Costa".
pub fn line(a: &AdminAction) -> minijinja::Value {
    let what = match a.action.as_str() {
        "suspend" => format!("suspended {}", a.target_name),
        "lift" => format!("lifted the suspension of {}", a.target_name),
        "delete" => format!("deleted the account of {}", a.target_name),
        "settings" => format!("changed the settings ({})", a.detail),
        "report" => format!(
            "closed a report in {} ({})",
            a.target_name,
            match a.detail.as_str() {
                "dismiss" => "kept the post",
                "hide" => "hid it",
                _ => "deleted it",
            }
        ),
        "retry-mail" => "sent a dead letter again".to_owned(),
        "photo-takedown" => format!("took down the photo of {}", a.target_name),
        other => other.to_owned(),
    };
    context! { id => a.id, at => a.at, admin => a.admin_name, admin_id => a.admin_id, what }
}

/// Where a page of the log starts.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Older {
    /// From a previous page's `next_cursor`.
    pub cursor: String,
}

async fn entries(state: &AppState, o: &Older) -> Result<(Vec<AdminAction>, Option<String>), AppError> {
    let before = Some(o.cursor.trim()).filter(|c| !c.is_empty());
    let rows = state.db.admin_actions(before, PAGE + 1).await?;
    Ok(super::paged(rows, PAGE, |r| r.id.clone()))
}

/// `GET /admin/audit`.
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(o): PageQuery<Older>,
) -> PageResult {
    admin(&me)?;
    let (rows, next) = entries(&state, &o).await?;
    let lines: Vec<_> = rows.iter().map(line).collect();
    Ok(page("admin_audit.html", Some(&me), &csrf, context! { lines, next, tab => "audit" })?.into_response())
}

/// One entry of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    pub admin_id: String,
    pub admin_name: String,
    /// suspend | lift | delete | settings | report | retry-mail | photo-takedown
    pub action: String,
    /// The member, mail or report acted on; empty for settings.
    pub target_id: String,
    /// Their name (or the group's, for a report) when it was done.
    pub target_name: String,
    /// What changed (settings) or what was decided (a report).
    pub detail: String,
}

/// A page of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for older entries; null on the last page.
    pub next_cursor: Option<String>,
}

/// What admins did, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(Older),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(o): ApiQuery<Older>,
) -> ApiResult<Json<AuditPage>> {
    admin(&me)?;
    let (rows, next_cursor) = entries(&state, &o).await?;
    let items = rows
        .into_iter()
        .map(|a| AuditEntry {
            id: a.id,
            at: rfc3339(a.at),
            admin_id: a.admin_id,
            admin_name: a.admin_name,
            action: a.action,
            target_id: a.target_id,
            target_name: a.target_name,
            detail: a.detail,
        })
        .collect();
    Ok(Json(AuditPage { items, next_cursor }))
}
