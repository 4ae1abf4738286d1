//! Invitations: links to share (they expire, and can be withdrawn) and single-use invitations sent
//! by email; the page an invitation opens, and accepting it. Only someone holding a live token
//! learns anything of an invite-only group.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::groups::{check_invite_days, Action, DEFAULT_INVITE_DAYS, INVITE_DAYS};
use domain::notices::Kind;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::group_invites::{Invite, NewInvite};
use store::users::User;
use utoipa::ToSchema;

use super::view::rfc3339;
use super::{access, Access};
use crate::error::{ApiResult, AppError, PageResult};
use crate::notifications::{self, Mail};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::secrets::{hash_token, random_token};
use crate::web::templates::page;

/// Invitation tokens start with this, so a leaked one is easy to recognise.
const PREFIX: &str = "alinv_";

/// A new invitation: a link to share, or (with `email`) one sent to that address, usable once.
/// Returns its id and URL (shown once: only a hash is kept).
pub async fn invite(
    state: &AppState,
    a: &Access,
    me: &User,
    email: Option<&str>,
    days: i64,
) -> Result<(String, String), AppError> {
    a.require(Action::Manage)?;
    let mut errors = FieldErrors::new();
    let days = errors.check("days", check_invite_days(days));
    let email = match email {
        Some(e) => errors.check("email", domain::profile::check_email(e)),
        None => None,
    };
    errors.into_result()?;
    let (Some(days), token) = (days, new_token()) else {
        return Err(AppError::Invalid(FieldErrors::one("days", "Choose how long the invitation lasts.")));
    };
    let now = now_ms();
    let new = NewInvite {
        group_id: &a.group.id,
        token_hash: &hash_token(&token),
        email: email.as_deref().unwrap_or(""),
        created_by: &me.id,
        expires_at: now + days * 86_400_000,
        max_uses: email.is_some().then_some(1),
        import_id: None,
    };
    let id = state.db.create_invite(&new, now).await?;
    let url = url_of(state, &token);
    if let Some(to) = &email {
        let (subject, body) = letter(me, &a.group, "", &url, days);
        match state.db.user_by_email(to).await? {
            // A member gets it as they chose for group notifications (in the app, by email, or not).
            Some(u) => {
                let link = format!("/invites/{token}");
                let mail = Mail { subject: &subject, body: &body };
                notifications::send(state, &u.id, Kind::GroupInvite, &subject, &link, Some(mail)).await?;
            }
            None => {
                crate::mail::strangers::queue(
                    state,
                    to,
                    &subject,
                    &body,
                    crate::mail::strangers::ENTERED_BY_ORGANISER,
                )
                .await?;
            }
        }
    }
    Ok((id, url))
}

/// A new invitation token (only its hash is kept).
pub fn new_token() -> String {
    format!("{PREFIX}{}", random_token())
}

/// Where the invitation behind `token` opens.
pub fn url_of(state: &AppState, token: &str) -> String {
    format!("{}/invites/{token}", state.config.public_url())
}

/// The subject and text of an invitation by email from `me` to `group`, to `name` if known.
pub fn letter(me: &User, group: &store::groups::Group, name: &str, url: &str, days: i64) -> (String, String) {
    let subject = format!("{} invites you to {}", me.display_name, group.name);
    let hello = if name.is_empty() { "Hello".to_owned() } else { format!("Hello {name}") };
    let body = format!(
        "{hello},\n\n{} invites you to join {} on Alongside.\n\n{}\n\nOpen this link to join (it works once, \
         for {days} days):\n\n{url}\n\nIf you weren't expecting this, ignore this email.\n",
        me.display_name,
        group.name,
        group.description.chars().take(500).collect::<String>(),
    );
    (subject, body)
}

/// The live invitation behind `token`, with its group; 404 otherwise.
async fn live(state: &AppState, token: &str) -> Result<(Invite, store::groups::Group), AppError> {
    let inv = state.db.invite_by_token(&hash_token(token)).await?.ok_or(AppError::NotFound)?;
    if !inv.is_live(now_ms()) {
        return Err(AppError::NotFound);
    }
    let group = state.db.group(&inv.group_id).await?.ok_or(AppError::NotFound)?;
    Ok((inv, group))
}

/// Whether `token` is a live invitation (which lets its holder sign up where sign-up is by
/// invitation).
pub async fn is_live(state: &AppState, token: &str) -> Result<bool, AppError> {
    match live(state, token).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Why `me` may not accept `inv`: an invitation sent to an address is for the account whose
/// confirmed address it is (a link to share is for whoever holds it).
fn refusal(inv: &Invite, me: &User) -> Option<&'static str> {
    if inv.email.is_empty() {
        None
    } else if !inv.email.eq_ignore_ascii_case(&me.email) {
        Some(
            "This invitation was sent to another email address. Sign in with the account that uses it, \
             or ask the organiser for a link to share.",
        )
    } else if me.email_verified_at.is_none() {
        Some(
            "This invitation was sent to your email address: confirm the address first, with the link we \
             emailed you (your settings can send it again), then join.",
        )
    } else {
        None
    }
}

/// Accepts the invitation behind `token`; returns the group's id.
pub async fn accept(state: &AppState, me: &User, token: &str) -> Result<String, AppError> {
    let (inv, group) = live(state, token).await?;
    if let Some(why) = refusal(&inv, me) {
        return Err(AppError::Forbidden(why));
    }
    if state.db.standing(&group.id, &me.id).await?.banned {
        return Err(AppError::Forbidden("The group's moderators have removed you from this group."));
    }
    let joined =
        state.db.accept_invite(&hash_token(token), &me.id, now_ms()).await?.ok_or(AppError::NotFound)?;
    // Someone an organiser brought in by a roster starts with the trade and skills it gave.
    if !inv.email.is_empty() {
        if let Some(e) = state.db.roster_entry(&group.id, &inv.email).await? {
            let skills = domain::profile::parse_tags(&e.skills).unwrap_or_default();
            state.db.start_profile(&me.id, &e.trade, &skills).await?;
        }
    }
    Ok(joined)
}

// ---------------------------------------------------------------- pages --

fn day_options() -> Vec<(i64, String)> {
    INVITE_DAYS.iter().map(|d| (*d, if *d == 1 { "1 day".to_owned() } else { format!("{d} days") })).collect()
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    a.require(Action::Manage)?;
    let now = now_ms();
    let invites: Vec<_> = state
        .db
        .invites(&a.group.id)
        .await?
        .into_iter()
        .map(|i| {
            context! { id => i.id, email => i.email, expires_at => i.expires_at, uses => i.uses,
            revoked => i.revoked_at.is_some(), live => i.is_live(now) }
        })
        .collect();
    let ctx = context! { group => a.group, invites, days => day_options(), default_days => DEFAULT_INVITE_DAYS, ..extra };
    Ok((status, page("group_invites.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /groups/{id}/invites` (organiser and moderators).
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    render(&state, &me, &csrf, &a, context! {}, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    days: String,
    invite: String,
}

/// `POST /groups/{id}/invites`: a new link, or an invitation by email when `email` is filled in.
pub async fn create_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<InviteForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let days = form.days.trim().parse().unwrap_or(0);
    let email = (!form.email.trim().is_empty()).then_some(form.email.as_str());
    match invite(&state, &a, &me, email, days).await {
        Ok(_) if email.is_some() => {
            let notice = format!("Invitation sent to {}.", form.email.trim());
            render(&state, &me, &csrf, &a, context! { notice }, StatusCode::OK).await
        }
        Ok((_, url)) => render(&state, &me, &csrf, &a, context! { new_link => url }, StatusCode::OK).await,
        Err(AppError::Invalid(e)) => {
            let ctx = context! { errors => crate::accounts::pages::error_map(&e), values => form };
            render(&state, &me, &csrf, &a, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /groups/{id}/invites/revoke`: `invite` is the invitation's id.
pub async fn revoke_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<InviteForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    state.db.revoke_invite(&id, &form.invite, now_ms()).await?;
    Ok(Redirect::to(&format!("/groups/{id}/invites")).into_response())
}

/// `GET /invites/{token}`: what the invitation is for, and a button to join (or to sign in
/// first, coming back here).
pub async fn landing(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    let (inv, group) = live(&state, &token).await?;
    let member = match &me {
        Some(u) => state.db.standing(&group.id, &u.id).await?.role.is_some(),
        None => false,
    };
    let next = format!("/invites/{token}");
    let refused = me.as_ref().and_then(|u| refusal(&inv, u));
    let ctx = context! { group, expires_at => inv.expires_at, member, next, token, refused };
    Ok(page("invite.html", me.as_ref(), &csrf, ctx)?.into_response())
}

/// `POST /invites/{token}`: joins the group.
pub async fn accept_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(token): Path<String>,
    _f: Posted<InviteForm>,
) -> PageResult {
    let group = accept(&state, &me, &token).await?;
    Ok(Redirect::to(&format!("/groups/{group}?notice=joined")).into_response())
}

// ------------------------------------------------------------------ API --

/// An invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteView {
    pub id: String,
    /// The address it was sent to; empty for a link.
    pub email: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked: bool,
    pub uses: i64,
    /// Still usable.
    pub live: bool,
}

impl InviteView {
    fn new(i: &Invite, now: i64) -> InviteView {
        InviteView {
            id: i.id.clone(),
            email: i.email.clone(),
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
            revoked: i.revoked_at.is_some(),
            uses: i.uses,
            live: i.is_live(now),
        }
    }
}

/// Invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteList {
    pub items: Vec<InviteView>,
}

/// A group's invitations (organiser and moderators).
#[utoipa::path(get, path = "/api/v1/groups/{id}/invites", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InviteList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<InviteList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let now = now_ms();
    Ok(Json(InviteList {
        items: state.db.invites(&id).await?.iter().map(|i| InviteView::new(i, now)).collect(),
    }))
}

/// A new invitation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInviteBody {
    /// Send it to this address (usable once); leave out for a link to share.
    pub email: Option<String>,
    /// 1 | 7 | 30 | 90; default 7.
    pub days: Option<i64>,
}

/// A made invitation, with its URL (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewInviteResult {
    pub id: String,
    pub url: String,
}

/// Makes an invitation link, or sends one by email (organiser and moderators).
#[utoipa::path(post, path = "/api/v1/groups/{id}/invites", tag = "groups", security(("bearer" = [])),
    request_body = NewInviteBody, params(("id" = String, Path)),
    responses((status = 201, body = NewInviteResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewInviteBody>,
) -> ApiResult<impl IntoResponse> {
    let a = access(&state, &me, &id).await?;
    let days = body.days.unwrap_or(DEFAULT_INVITE_DAYS);
    let (id, url) = invite(&state, &a, &me, body.email.as_deref(), days).await?;
    Ok((StatusCode::CREATED, Json(NewInviteResult { id, url })))
}

/// Withdraws an invitation (organiser and moderators).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/invites/{invite}", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path), ("invite" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, invite)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    if !state.db.revoke_invite(&id, &invite, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What an invitation is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitePreview {
    pub group_id: String,
    pub name: String,
    pub description: String,
    pub expires_at: String,
}

/// What a live invitation is for (404 when it expired or was withdrawn).
#[utoipa::path(get, path = "/api/v1/invites/{token}", tag = "groups", security(("bearer" = [])),
    params(("token" = String, Path)), responses((status = 200, body = InvitePreview), (status = 404, body = ErrorBody)))]
pub async fn preview_api(
    State(state): State<AppState>,
    ApiUser(_me): ApiUser,
    Path(token): Path<String>,
) -> ApiResult<Json<InvitePreview>> {
    let (inv, g) = live(&state, &token).await?;
    Ok(Json(InvitePreview {
        group_id: g.id,
        name: g.name,
        description: g.description,
        expires_at: rfc3339(inv.expires_at),
    }))
}

/// The group joined.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub group_id: String,
}

/// Accepts an invitation: I join the group.
#[utoipa::path(post, path = "/api/v1/invites/{token}", tag = "groups", security(("bearer" = [])),
    params(("token" = String, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn accept_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(token): Path<String>,
) -> ApiResult<Json<Accepted>> {
    Ok(Json(Accepted { group_id: accept(&state, &me, &token).await? }))
}
