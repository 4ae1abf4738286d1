//! Every member as the admin finds them, by name or address, a page at a time; suspending one
//! (their sessions end, their room connections close within a second or two on every instance,
//! and nobody is offered them any more), lifting it, and deleting an account after the admin
//! types its address again. An admin cannot do any of it to their own account.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::access_changes::Scope;
use store::admin::MemberRow;
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use super::admin;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::groups::view::rfc3339;
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Members a page shows.
const PAGE: i64 = 50;

/// The account `id`, not the admin's own; 404 when there is none.
async fn other(state: &AppState, me: &User, id: &str, what: &'static str) -> Result<User, AppError> {
    let user = state.db.user(id).await?.ok_or(AppError::NotFound)?;
    if user.id == me.id {
        return Err(AppError::Forbidden(what));
    }
    Ok(user)
}

/// Suspends `id`: they are signed out everywhere and their rooms close.
async fn suspend(state: &AppState, me: &User, id: &str) -> Result<User, AppError> {
    admin(me)?;
    let user = other(state, me, id, "You can't suspend your own account.").await?;
    if user.suspended_at.is_none() {
        state.db.set_suspended(&user.id, Some(now_ms())).await?;
        crate::rooms::revoke::changed(state, Scope::User, &user.id).await;
        super::record(state, me, "suspend", &user.id, &user.display_name, "").await?;
        tracing::info!(user = %user.id, admin = %me.id, "account suspended");
    }
    Ok(user)
}

/// Lifts a suspension.
async fn lift(state: &AppState, me: &User, id: &str) -> Result<User, AppError> {
    admin(me)?;
    let user = other(state, me, id, "Your own account is not suspended.").await?;
    if user.suspended_at.is_some() {
        state.db.set_suspended(&user.id, None).await?;
        super::record(state, me, "lift", &user.id, &user.display_name, "").await?;
        tracing::info!(user = %user.id, admin = %me.id, "suspension lifted");
    }
    Ok(user)
}

/// Deletes `id` as deleting their own account would: groups they organise go to the next in
/// line, everything of theirs goes, their rooms close.
async fn delete(state: &AppState, me: &User, id: &str) -> Result<User, AppError> {
    admin(me)?;
    let user = other(state, me, id, "Delete your own account from your settings.").await?;
    crate::groups::before_account_deleted(state, &user).await?;
    state.db.delete_user(&user.id).await?;
    crate::rooms::revoke::changed(state, Scope::User, &user.id).await;
    super::record(state, me, "delete", &user.id, &user.display_name, "").await?;
    tracing::info!(user = %user.id, admin = %me.id, "account deleted by an admin");
    Ok(user)
}

/// A search and the page it starts after.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Find {
    /// Part of a name or an email address.
    pub q: String,
    /// From a previous page's `next_cursor`.
    pub cursor: String,
}

/// One page of members and where the next starts.
async fn find(state: &AppState, f: &Find) -> Result<(Vec<MemberRow>, Option<String>), AppError> {
    let after = Some(f.cursor.trim()).filter(|c| !c.is_empty());
    let rows = state.db.admin_members(&f.q, after, PAGE + 1).await?;
    Ok(super::paged(rows, PAGE, |r| r.id.clone()))
}

// ---------------------------------------------------------------- pages --

/// `GET /admin/members[?q=…&cursor=…]`.
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(mut q): PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    admin(&me)?;
    let mut take = |k: &str| q.remove(k).unwrap_or_default();
    let f = Find { q: take("q"), cursor: take("cursor") };
    let (rows, next) = find(&state, &f).await?;
    let notice = match take("notice").as_str() {
        "suspended" => Some("Suspended: signed out everywhere, their rooms closed."),
        "lifted" => Some("Suspension lifted: they may sign in again."),
        "deleted" => Some("The account is deleted."),
        _ => None,
    };
    let ctx = context! { rows, next, q => f.q, notice, tab => "members" };
    Ok(page("admin_members.html", Some(&me), &csrf, ctx)?.into_response())
}

/// Back to the list the admin acted from.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Back {
    q: String,
}

fn back(q: &str, notice: &str) -> String {
    let query = serde_urlencoded::to_string([("q", q), ("notice", notice)]).unwrap_or_default();
    format!("/admin/members?{query}")
}

/// `POST /admin/members/{id}/suspend`.
pub async fn suspend_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<Back>,
) -> PageResult {
    suspend(&state, &me, &id).await?;
    Ok(Redirect::to(&back(&form.q, "suspended")).into_response())
}

/// `POST /admin/members/{id}/lift`.
pub async fn lift_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<Back>,
) -> PageResult {
    lift(&state, &me, &id).await?;
    Ok(Redirect::to(&back(&form.q, "lifted")).into_response())
}

/// `GET /admin/members/{id}/delete`: what goes, and the address to type to confirm.
pub async fn delete_confirm(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    admin(&me)?;
    let user = other(&state, &me, &id, "Delete your own account from your settings.").await?;
    render_confirm(&state, &me, &csrf, &user, context! {}, StatusCode::OK).await
}

async fn render_confirm(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    user: &User,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let organises = state.db.successors(&user.id).await?.len();
    let ctx = context! {
        member => context! { id => user.id, name => user.display_name, email => user.email, joined => user.created_at },
        organises, tab => "members", ..extra
    };
    Ok((status, page("admin_member_delete.html", Some(me), csrf, ctx)?).into_response())
}

/// The address typed again.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Confirm {
    confirm: String,
}

/// `POST /admin/members/{id}/delete`.
pub async fn delete_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<Confirm>,
) -> PageResult {
    admin(&me)?;
    let user = other(&state, &me, &id, "Delete your own account from your settings.").await?;
    if !form.confirm.trim().eq_ignore_ascii_case(&user.email) {
        let e = FieldErrors::one("confirm", format!("Type {} to confirm.", user.email));
        let ctx = context! { errors => crate::accounts::pages::error_map(&e), values => form };
        return render_confirm(&state, &me, &csrf, &user, ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    delete(&state, &me, &id).await?;
    Ok(Redirect::to(&back("", "deleted")).into_response())
}

// ------------------------------------------------------------------ API --

/// A member as the admin sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminMember {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub admin: bool,
    /// When they were suspended; null when they are not.
    pub suspended_at: Option<String>,
    pub joined_at: String,
    pub email_confirmed: bool,
    /// When one of their sessions was last used.
    pub last_seen_at: Option<String>,
    /// How many groups they belong to.
    pub groups: i64,
}

impl From<MemberRow> for AdminMember {
    fn from(r: MemberRow) -> Self {
        AdminMember {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            admin: r.is_admin == 1,
            suspended_at: r.suspended_at.map(rfc3339),
            joined_at: rfc3339(r.created_at),
            email_confirmed: r.email_verified_at.is_some(),
            last_seen_at: r.last_seen_at.map(rfc3339),
            groups: r.groups,
        }
    }
}

/// One page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminMemberPage {
    pub items: Vec<AdminMember>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

async fn one(state: &AppState, id: &str) -> Result<AdminMember, AppError> {
    state.db.admin_member(id).await?.map(AdminMember::from).ok_or(AppError::NotFound)
}

/// Every member, by name; `q` finds part of a name or an address (admins only).
#[utoipa::path(get, path = "/api/v1/admin/members", tag = "admin", security(("bearer" = [])), params(Find),
    responses((status = 200, body = AdminMemberPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(f): ApiQuery<Find>,
) -> ApiResult<Json<AdminMemberPage>> {
    admin(&me)?;
    let (rows, next_cursor) = find(&state, &f).await?;
    Ok(Json(AdminMemberPage { items: rows.into_iter().map(AdminMember::from).collect(), next_cursor }))
}

/// Suspends a member: signed out everywhere, rooms closed, offered to nobody (admins only).
#[utoipa::path(put, path = "/api/v1/admin/members/{id}/suspension", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AdminMember), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn suspend_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminMember>> {
    suspend(&state, &me, &id).await?;
    Ok(Json(one(&state, &id).await?))
}

/// Lifts a member's suspension (admins only).
#[utoipa::path(delete, path = "/api/v1/admin/members/{id}/suspension", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AdminMember), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn lift_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminMember>> {
    lift(&state, &me, &id).await?;
    Ok(Json(one(&state, &id).await?))
}

/// Deletes a member's account and everything of theirs (admins only; not their own).
#[utoipa::path(delete, path = "/api/v1/admin/members/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    delete(&state, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
