//! The instance admin's console: an overview (`/admin`), every member found by name or address
//! with suspending, lifting and deleting (`members.rs`), every group and the reports waiting
//! across them (`groups.rs`), the mail outbox (`outbox.rs`), the settings that change at run time
//! with the legal pages they write (`settings.rs`), and the audit log of everything admins did
//! (`audit.rs`). Anyone but an admin gets 404, as if none of it were there.

pub mod audit;
pub mod groups;
pub mod members;
pub mod outbox;
pub mod settings;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::admin::Did;
use store::users::User;

use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfToken;
use crate::web::now_ms;
use crate::web::templates::page;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/members", get(members::page_get))
        .route("/admin/members/{id}/suspend", post(members::suspend_page))
        .route("/admin/members/{id}/lift", post(members::lift_page))
        .route("/admin/members/{id}/delete", get(members::delete_confirm).post(members::delete_page))
        .route("/admin/groups", get(groups::groups_page))
        .route("/admin/reports", get(groups::reports_page).post(groups::resolve_page))
        .route("/admin/settings", get(settings::page_get).post(settings::page_post))
        .route("/admin/audit", get(audit::page_get))
        .route("/admin/outbox", get(outbox::outbox_page))
        .route("/admin/outbox/{id}/retry", post(outbox::retry_page))
        .route("/terms", get(settings::terms))
        .route("/privacy", get(settings::privacy))
        .route("/api/v1/admin/members", get(members::list_api))
        .route("/api/v1/admin/members/{id}", axum::routing::delete(members::delete_api))
        .route(
            "/api/v1/admin/members/{id}/suspension",
            axum::routing::put(members::suspend_api).delete(members::lift_api),
        )
        .route("/api/v1/admin/groups", get(groups::groups_api))
        .route("/api/v1/admin/reports", get(groups::reports_api))
        .route("/api/v1/admin/settings", get(settings::get_api).put(settings::put_api))
        .route("/api/v1/admin/audit", get(audit::list_api))
        .route("/api/v1/admin/outbox", get(outbox::outbox_api))
        .route("/api/v1/admin/outbox/{id}/retry", post(outbox::retry_api))
}

/// Admins pass; anyone else is told there is nothing here.
pub(crate) fn admin(me: &User) -> Result<(), AppError> {
    if me.is_admin == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Writes what `me` did into the audit log.
pub(crate) async fn record(
    state: &AppState,
    me: &User,
    action: &str,
    target_id: &str,
    target_name: &str,
    detail: &str,
) -> Result<(), AppError> {
    let did = Did { admin_id: &me.id, admin_name: &me.display_name, action, target_id, target_name, detail };
    state.db.record_admin_action(did, now_ms()).await?;
    Ok(())
}

/// A page of `rows` read one past `size`: the page, and the cursor of the next one (the last
/// row's id) when there is more.
pub(crate) fn paged<T>(mut rows: Vec<T>, size: i64, id: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > size;
    rows.truncate(size.max(0) as usize);
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

/// Nothing but the CSRF token.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Empty {}

/// `GET /admin`: how the instance stands, and where to look after it.
pub async fn overview(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    admin(&me)?;
    let (members, suspended) = state.db.member_counts().await?;
    let groups = state.db.admin_groups(&me.id).await?;
    let reports: i64 = groups.iter().map(|g| g.open_reports).sum();
    let depth = state.db.outbox_depth().await?;
    let site = state.site.get(&state.db).await;
    let recent = state.db.admin_actions(None, 5).await?;
    let ctx = context! {
        members, suspended, groups => groups.len(), reports, pending => depth.pending, dead => depth.failed,
        signup => site.signup, visitor_pages => site.visitor_pages, recent => recent.iter().map(audit::line).collect::<Vec<_>>(),
        tab => "overview",
    };
    Ok(page("admin.html", Some(&me), &csrf, ctx)?.into_response())
}
