//! Announcements: an organiser or moderator writes once to every member of the group, who hear
//! of it by their choice for "Announcements" (in the Groups category, unsubscribable like the
//! others). A group sends at most [`PER_DAY`] a day; the latest ones of the last two weeks are
//! pinned on the group's page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::groups::Action;
use domain::notices::Kind;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::broadcasts::{Broadcast, Scope};
use store::users::User;
use store::StoreError;
use utoipa::ToSchema;

use super::pages::{render_show, ShowQuery};
use super::view::rfc3339;
use super::{access, Access};
use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;
use crate::web::now_ms;

/// Announcements a group may send in a day.
pub const PER_DAY: i64 = 3;
/// The longest announcement.
pub const MAX_LEN: usize = 2000;
/// How long an announcement stays pinned, in days.
const PINNED_DAYS: i64 = 14;

/// Sends `body` to every member of the group but the author; returns it and how many it went to.
pub async fn announce(
    state: &AppState,
    me: &User,
    a: &Access,
    body: &str,
) -> Result<(Broadcast, usize), AppError> {
    // Those who run the group, not a site admin passing by: it goes out under their name.
    a.require(Action::Moderate)?;
    if !matches!(a.standing.role.as_deref(), Some("organiser" | "moderator")) {
        return Err(AppError::Forbidden("only the group's organisers and moderators announce"));
    }
    let body = match domain::profile::check_text(body, MAX_LEN) {
        Ok(b) if b.is_empty() => Err("Write what you want to tell the group.".to_owned()),
        other => other,
    }
    .map_err(|d| AppError::Invalid(FieldErrors::one("body", d)))?;
    let now = now_ms();
    let group = &a.group;
    let sent = match state.db.create_broadcast(Scope::Group(&group.id), &me.id, &body, PER_DAY, now).await {
        Err(StoreError::Conflict("limit")) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "body",
                format!("A group sends at most {PER_DAY} announcements a day. Try again tomorrow."),
            )))
        }
        Err(StoreError::Conflict("repeat")) => {
            return Err(AppError::Invalid(FieldErrors::one("body", "This was just sent: it went out once.")))
        }
        other => other?,
    };
    let title = format!("{}: {}", group.name, crate::web::markdown::words(&body, 80));
    let link = format!("/groups/{}", group.id);
    let mut told = 0;
    for m in state.db.group_members(&group.id).await? {
        if m.user_id == me.id || state.db.blocked_either_way(&m.user_id, &me.id).await? {
            continue;
        }
        let Some(u) = state.db.user(&m.user_id).await? else { continue };
        let text = format!(
            "Hello {},\n\n{} sent an announcement to everyone in {}:\n\n{body}\n\n{}{link}\n",
            u.display_name,
            me.display_name,
            group.name,
            state.config.public_url()
        );
        let mail = crate::notifications::Mail { subject: &title, body: &text };
        crate::notifications::send(state, &u.id, Kind::Announcement, &title, &link, Some(mail)).await?;
        told += 1;
    }
    Ok((sent, told))
}

/// The announcements pinned on the group's page for those who may read it, newest first.
pub async fn pinned(state: &AppState, a: &Access) -> Result<Vec<minijinja::Value>, AppError> {
    if !a.can(Action::Read) {
        return Ok(Vec::new());
    }
    let since = now_ms() - PINNED_DAYS * 86_400_000;
    let sent = state.db.broadcasts(Scope::Group(&a.group.id), since, PER_DAY).await?;
    Ok(sent
        .into_iter()
        .map(|b| {
            context! {
                author => b.author_name, at => b.created_at,
                html => crate::web::markdown::render(&b.body),
            }
        })
        .collect())
}

/// The announcement form's one field.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct AnnouncementInput {
    /// What to tell the group (Markdown), at most 2,000 characters.
    pub body: String,
}

/// `POST /groups/{id}/announcements`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<AnnouncementInput>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    match announce(&state, &me, &a, &form.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{id}?notice=announced")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { announce_values => form, announce_errors => error_map(&e) };
            let q = ShowQuery::default();
            render_show(&state, &me, &csrf, &a, &q, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An announcement as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementView {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    /// Markdown, as written.
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// How many members it went to (when just sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<usize>,
}

impl AnnouncementView {
    fn new(b: Broadcast, sent_to: Option<usize>) -> Self {
        AnnouncementView {
            id: b.id,
            author_id: b.author_id,
            author_name: b.author_name,
            body: b.body,
            created_at: rfc3339(b.created_at),
            sent_to,
        }
    }
}

/// A group's announcements of the last two weeks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementList {
    pub items: Vec<AnnouncementView>,
}

/// Sends an announcement to every member (organisers and moderators; at most 3 a day).
#[utoipa::path(post, path = "/api/v1/groups/{id}/announcements", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AnnouncementInput,
    responses((status = 201, body = AnnouncementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AnnouncementInput>,
) -> ApiResult<impl IntoResponse> {
    let a = access(&state, &me, &id).await?;
    let (sent, told) = announce(&state, &me, &a, &input.body).await?;
    Ok((StatusCode::CREATED, Json(AnnouncementView::new(sent, Some(told)))))
}

/// The group's announcements of the last two weeks, newest first (for those who may read it).
#[utoipa::path(get, path = "/api/v1/groups/{id}/announcements", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AnnouncementList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AnnouncementList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Read)?;
    let since = now_ms() - PINNED_DAYS * 86_400_000;
    let sent = state.db.broadcasts(Scope::Group(&a.group.id), since, 50).await?;
    Ok(Json(AnnouncementList { items: sent.into_iter().map(|b| AnnouncementView::new(b, None)).collect() }))
}
