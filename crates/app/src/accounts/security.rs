//! Keeping an account one's own: changing the password (which, like a reset, revokes every other
//! way in and says so by mail), and seeing and ending the sessions signed in, on the settings
//! page and through the API.

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use axum_extra::extract::CookieJar;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::access_changes::Scope;
use store::sessions::{Revoked, HANDLE_LEN};
use store::users::User;
use utoipa::ToSchema;

use super::pages::error_map;
use super::password;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{
    describe_device, end_session, start_session, ApiUser, CurrentUser, Device, SESSION_COOKIE,
};
use crate::web::csrf::Posted;
use crate::web::now_ms;
use crate::web::ratelimit::ClientIp;
use crate::web::secrets::hash_token;

/// How a password came to change, for the mail that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Changed,
    Reset,
}

/// Checks the current password, sets the new one and revokes every session, API token, calendar
/// feed and reset link; the member is told by mail what went. Errors are per field.
pub async fn change_password(
    state: &AppState,
    ip: IpAddr,
    me: &User,
    current: &str,
    new: &str,
) -> Result<Revoked, AppError> {
    super::check_own_password(state, ip, me, current, "current_password").await?;
    if new == current {
        return Err(AppError::Invalid(FieldErrors::one(
            "new_password",
            "Choose a password other than your current one.",
        )));
    }
    domain::password::check(new, &me.email)
        .map_err(|m| AppError::Invalid(FieldErrors::one("new_password", m)))?;
    let hash = password::hash(new.to_owned()).await?;
    let revoked = state.db.change_password(&me.id, &hash, now_ms()).await?;
    tracing::info!(user = %me.id, "password changed");
    after_password(state, &me.id, How::Changed, &revoked).await?;
    Ok(revoked)
}

/// What follows any new password: open rooms close, and the member is told what was revoked.
pub async fn after_password(
    state: &AppState,
    user_id: &str,
    how: How,
    revoked: &Revoked,
) -> Result<(), AppError> {
    crate::rooms::revoke::changed(state, Scope::User, user_id).await;
    let Some(user) = state.db.user(user_id).await? else { return Ok(()) };
    if how == How::Reset {
        // The owner proved their mailbox: guesses made at the account no longer slow them.
        crate::web::ratelimit::clear_account(state, &user.email).await?;
    }
    let what = match how {
        How::Changed => "was changed from your settings",
        How::Reset => "was reset with a link we emailed you",
    };
    let plural = |n: u64, one: &str, many: &str| if n == 1 { one.to_owned() } else { format!("{n} {many}") };
    let mut gone = Vec::new();
    if revoked.sessions > 0 {
        gone.push(format!("- {} signed out", plural(revoked.sessions, "one browser was", "browsers were")));
    }
    if revoked.api_tokens > 0 {
        let tokens = plural(revoked.api_tokens, "your API token was", "API tokens were");
        gone.push(format!("- {tokens} revoked: make new ones in Settings"));
    }
    if revoked.calendar_feeds > 0 {
        let feeds =
            plural(revoked.calendar_feeds, "your calendar feed address was", "calendar feed addresses were");
        gone.push(format!(
            "- {feeds} turned off: make a new one in Settings and subscribe your calendar app to it again"
        ));
    }
    if revoked.reset_links > 0 {
        gone.push(format!(
            "- {} cancelled",
            plural(revoked.reset_links, "another reset link was", "other reset links were")
        ));
    }
    let gone = if gone.is_empty() {
        "Nothing else was signed in, so nothing else needed revoking.".to_owned()
    } else {
        format!(
            "To keep your account safe, everything else that could reach it was revoked:\n\n{}",
            gone.join("\n")
        )
    };
    let body = format!(
        "Hello {name},\n\nThe password of your Alongside account {what}.\n\n{gone}\n\n\
         If this wasn't you, reset your password now: {url}/reset\n",
        name = user.display_name,
        url = state.config.public_url(),
    );
    crate::mail::queue(state, &user.email, "Your Alongside password was changed", &body).await
}

/// A session as the settings page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SessionEntry)]
pub struct SessionView {
    /// Names the session in `DELETE /api/v1/me/sessions/{handle}`.
    pub handle: String,
    /// The browser, e.g. "Firefox on Linux".
    pub device: String,
    pub signed_in_at: i64,
    pub last_seen_at: Option<i64>,
    /// Whether this is the session asking.
    pub current: bool,
}

/// The member's sessions, the one `jar` holds marked current.
pub async fn sessions_view(
    state: &AppState,
    me: &User,
    jar: &CookieJar,
) -> Result<Vec<SessionView>, AppError> {
    let mine = jar.get(SESSION_COOKIE).map(|c| hash_token(c.value())[..HANDLE_LEN].to_owned());
    Ok(state
        .db
        .sessions_of(&me.id, now_ms())
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: mine.as_deref() == Some(s.handle.as_str()),
            device: describe_device(&s.user_agent),
            handle: s.handle,
            signed_in_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct PasswordForm {
    #[serde(default, skip_serializing)]
    current_password: String,
    #[serde(default, skip_serializing)]
    new_password: String,
}

/// `POST /settings/password`: this browser stays signed in, on a new session.
pub async fn password_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(me): CurrentUser,
    device: Device,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<PasswordForm>,
) -> PageResult {
    match change_password(&state, ip, &me, &form.current_password, &form.new_password).await {
        Ok(_) => {
            let jar = start_session(&state, jar, &me.id, &device).await?;
            Ok((jar, Redirect::to("/settings?notice=password-changed#password")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let extra = context! { password_errors => error_map(&e) };
            super::settings::render(&state, &me, (&csrf, &jar), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/sessions/{handle}/end`.
pub async fn end_one_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(handle): Path<String>,
    jar: CookieJar,
    _f: Posted<PasswordForm>,
) -> PageResult {
    if !state.db.end_session_by_handle(&me.id, &handle).await? {
        return Err(AppError::NotFound.into());
    }
    crate::rooms::revoke::changed(&state, Scope::User, &me.id).await;
    let mine = jar.get(SESSION_COOKIE).is_some_and(|c| hash_token(c.value()).starts_with(&handle));
    if mine {
        return Ok((end_session(&state, jar).await?, Redirect::to("/login")).into_response());
    }
    Ok(Redirect::to("/settings?notice=session-ended#sessions").into_response())
}

/// `POST /settings/sessions/end-all`: signs out everywhere, this browser too.
pub async fn end_all_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    _f: Posted<PasswordForm>,
) -> PageResult {
    state.db.end_sessions(&me.id).await?;
    crate::rooms::revoke::changed(&state, Scope::User, &me.id).await;
    let jar = end_session(&state, jar).await?;
    Ok((jar, Redirect::to("/login?notice=signed-out-everywhere")).into_response())
}

/// A password change through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// What a password change revoked: every session, API token (the one used for this call too),
/// calendar feed and reset link.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    pub revoked_sessions: u64,
    pub revoked_api_tokens: u64,
    pub revoked_calendar_feeds: u64,
    pub revoked_reset_links: u64,
}

/// Changes my password. Every API token is revoked, this one included, and every session,
/// calendar feed address and reset link: make a new token to go on.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, body = PasswordChanged), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn put_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<Json<PasswordChanged>> {
    let r = change_password(&state, ip, &me, &req.current_password, &req.new_password).await?;
    Ok(Json(PasswordChanged {
        revoked_sessions: r.sessions,
        revoked_api_tokens: r.api_tokens,
        revoked_calendar_feeds: r.calendar_feeds,
        revoked_reset_links: r.reset_links,
    }))
}

/// My sessions signed in through the pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

/// Lists where I am signed in.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = SessionList), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<Json<SessionList>> {
    let items = sessions_view(&state, &me, &CookieJar::new()).await?;
    Ok(Json(SessionList { items }))
}

/// Signs me out everywhere: every session ends (API tokens stay).
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete_sessions(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<StatusCode> {
    state.db.end_sessions(&me.id).await?;
    crate::rooms::revoke::changed(&state, Scope::User, &me.id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs one session out.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{handle}", tag = "accounts", security(("bearer" = [])),
    params(("handle" = String, Path)), responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_session(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(handle): Path<String>,
) -> ApiResult<StatusCode> {
    if !state.db.end_session_by_handle(&me.id, &handle).await? {
        return Err(AppError::NotFound);
    }
    crate::rooms::revoke::changed(&state, Scope::User, &me.id).await;
    Ok(StatusCode::NO_CONTENT)
}
