//! Every group on the instance and the reports waiting across them. An admin moderates the
//! groups they may see as any moderator would (`domain::groups::decide`); of an invite-only group
//! they do not belong to they see who organises it, its size and how many reports wait for its
//! moderators, never its name or posts.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::admin::{GroupRow, OpenReport};
use store::users::User;
use utoipa::ToSchema;

use super::admin;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::groups::view::rfc3339;
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// Whether the admin may look into the group (everything but an invite-only group of others).
fn open_to(visibility: &str, mine: i64) -> bool {
    visibility != "invite" || mine > 0
}

/// A group as the admin console lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminGroup {
    /// Null, as the name, for an invite-only group the admin does not belong to.
    pub id: Option<String>,
    pub name: Option<String>,
    /// open | request | invite
    pub visibility: String,
    pub created_at: String,
    pub members: i64,
    pub organiser: String,
    pub open_reports: i64,
}

impl From<GroupRow> for AdminGroup {
    fn from(g: GroupRow) -> Self {
        let shown = open_to(&g.visibility, g.mine);
        AdminGroup {
            id: shown.then_some(g.id),
            name: shown.then_some(g.name),
            visibility: g.visibility,
            created_at: rfc3339(g.created_at),
            members: g.members,
            organiser: g.organiser,
            open_reports: g.open_reports,
        }
    }
}

/// Every group.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminGroupList {
    pub items: Vec<AdminGroup>,
}

async fn groups(state: &AppState, me: &User) -> Result<Vec<AdminGroup>, AppError> {
    admin(me)?;
    Ok(state.db.admin_groups(&me.id).await?.into_iter().map(AdminGroup::from).collect())
}

/// `GET /admin/groups`.
pub async fn groups_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let items = groups(&state, &me).await?;
    Ok(page("admin_groups.html", Some(&me), &csrf, context! { items, tab => "groups" })?.into_response())
}

/// Every group, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/admin/groups", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AdminGroupList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn groups_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<Json<AdminGroupList>> {
    Ok(Json(AdminGroupList { items: groups(&state, &me).await? }))
}

// -------------------------------------------------------------- reports --

/// An open report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminReport {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub post_id: String,
    /// Set when a reply was reported, not the post.
    pub reply_id: Option<String>,
    pub post_title: String,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: String,
}

/// A group whose reports only its own moderators see, unnamed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedGroupReports {
    #[serde(skip)]
    group_id: String,
    pub organiser: String,
    pub open_reports: i64,
    /// When the oldest was made.
    pub oldest_at: String,
}

/// The reports waiting across groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminReports {
    /// Oldest first, in every group the admin may moderate.
    pub items: Vec<AdminReport>,
    /// Invite-only groups of others with reports waiting for their moderators.
    pub elsewhere: Vec<ClosedGroupReports>,
}

async fn reports(state: &AppState, me: &User) -> Result<AdminReports, AppError> {
    admin(me)?;
    let all = state.db.all_open_reports(&me.id).await?;
    let groups = state.db.admin_groups(&me.id).await?;
    let mut out = AdminReports { items: Vec::new(), elsewhere: Vec::new() };
    for r in all {
        if open_to(&r.group_visibility, r.mine) {
            out.items.push(report_view(r));
        } else if let Some(e) = out.elsewhere.iter_mut().find(|e| e.group_id == r.group_id) {
            e.open_reports += 1;
        } else {
            let organiser =
                groups.iter().find(|g| g.id == r.group_id).map(|g| g.organiser.clone()).unwrap_or_default();
            out.elsewhere.push(ClosedGroupReports {
                group_id: r.group_id,
                organiser,
                open_reports: 1,
                oldest_at: rfc3339(r.created_at),
            });
        }
    }
    Ok(out)
}

fn report_view(r: OpenReport) -> AdminReport {
    AdminReport {
        id: r.id,
        group_id: r.group_id,
        group_name: r.group_name,
        post_id: r.post_id,
        reply_id: r.reply_id,
        post_title: r.post_title,
        reporter_name: r.reporter_name,
        reason: r.reason,
        created_at: rfc3339(r.created_at),
    }
}

/// `GET /admin/reports`.
pub async fn reports_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    let r = reports(&state, &me).await?;
    let notice = match q.get("notice").map(String::as_str) {
        Some("dismiss") => Some("Kept: the report is closed."),
        Some("hide") => Some("Hidden, and the report is closed."),
        Some("delete") => Some("Deleted, and the report is closed."),
        _ => None,
    };
    let ctx = context! { reports => r, notice, tab => "reports" };
    Ok(page("admin_reports.html", Some(&me), &csrf, ctx)?.into_response())
}

/// The admin's decision on one report.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resolve {
    group: String,
    report: String,
    /// dismiss | hide | delete
    action: String,
}

/// `POST /admin/reports`: resolved as the group's moderators would, and written in the log.
pub async fn resolve_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, .. }: Posted<Resolve>,
) -> PageResult {
    admin(&me)?;
    let a = crate::groups::access(&state, &me, &form.group).await?;
    crate::groups::posts::resolve(&state, &a, &form.report, &form.action).await?;
    super::record(&state, &me, "report", &form.report, &a.group.name, &form.action).await?;
    Ok(Redirect::to(&format!("/admin/reports?notice={}", form.action)).into_response())
}

/// Reports waiting across groups (admins only).
#[utoipa::path(get, path = "/api/v1/admin/reports", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = AdminReports), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reports_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<Json<AdminReports>> {
    Ok(Json(reports(&state, &me).await?))
}
