//! Proving an email address. Sign-up sends a link; the account works at once, and what depends
//! on the address (accepting an invitation sent to it) waits for the link. Changing the address
//! needs the current password, sends a link to the new address, and tells the old one.

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use store::verification::Verified;
use utoipa::ToSchema;

use super::pages::error_map;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::ratelimit::ClientIp;
use crate::web::secrets::{hash_token, random_token};
use crate::web::templates::page;

/// How long a link works.
pub const VERIFY_TTL_MS: i64 = 48 * 60 * 60 * 1000;

/// Sends a link proving `email` for `user` (their address, or the one they are moving to);
/// earlier links stop working.
pub async fn send_link(state: &AppState, user: &User, email: &str) -> Result<(), AppError> {
    let token = random_token();
    let now = now_ms();
    state.db.create_verification(&user.id, email, &hash_token(&token), now, now + VERIFY_TTL_MS).await?;
    let link = format!("{}/verify/{token}", state.config.public_url());
    let (subject, why) = if email == user.email {
        (
            "Confirm your email address",
            "Confirm that this address is yours. Until you do, we send it no other email (reminders and \
             notifications wait in the app) and invitations sent to it cannot be accepted",
        )
    } else {
        (
            "Confirm your new email address",
            "Confirm this address to make it the one your Alongside account uses",
        )
    };
    let body = format!(
        "Hello {name},\n\n{why}:\n\n{link}\n\nThe link works once, for two days. If you didn't ask for this, \
         ignore this email.\n",
        name = user.display_name
    );
    crate::mail::queue(state, email, subject, &body).await
}

/// Starts moving `me` to `new_email`: checks the password, sends the link to the new address and
/// tells the old one. Errors are per field.
/// The form's names for the new address and the password (the API's differ from the page's).
pub type Fields = (&'static str, &'static str);

pub async fn change_email(
    state: &AppState,
    ip: IpAddr,
    me: &User,
    (password, new_email): (&str, &str),
    (email_field, password_field): Fields,
) -> Result<String, AppError> {
    let email = domain::profile::check_email(new_email)
        .map_err(|m| AppError::Invalid(FieldErrors::one(email_field, m)))?;
    if email == me.email {
        return Err(AppError::Invalid(FieldErrors::one(email_field, "That is already your address.")));
    }
    super::check_own_password(state, ip, me, password, password_field).await?;
    if state.db.user_by_email(&email).await?.is_some() {
        return Err(AppError::Conflict(FieldErrors::one(email_field, "Another account uses that address.")));
    }
    send_link(state, me, &email).await?;
    let body = format!(
        "Hello {name},\n\nSomeone signed in to your Alongside account asked to move it to another email \
         address. Nothing changes until the link we sent there is followed.\n\nIf this wasn't you, change \
         your password now: {url}/settings\n",
        name = me.display_name,
        url = state.config.public_url(),
    );
    crate::mail::queue(state, &me.email, "Your Alongside email address is about to change", &body).await?;
    Ok(email)
}

/// Follows a link; the proved address.
pub async fn follow(state: &AppState, token: &str) -> Result<String, AppError> {
    match state.db.verify_email(&hash_token(token), now_ms()).await? {
        Verified::Done { user_id, email, previous } => {
            tracing::info!(user = %user_id, changed = previous.is_some(), "email address verified");
            // Places taken as a visitor with this address are the member's answers now.
            let claimed = state.db.claim_visitor_answers(&email, &user_id, now_ms()).await?;
            if claimed > 0 {
                tracing::info!(user = %user_id, claimed, "visitor answers taken over");
            }
            if previous.is_some() {
                // Invitations and sessions were made for the old address: rooms ask again.
                crate::rooms::revoke::changed(state, store::access_changes::Scope::User, &user_id).await;
            }
            Ok(email)
        }
        Verified::Dead => Err(AppError::NotFound),
        Verified::Taken => Err(AppError::Conflict(FieldErrors::one(
            "email",
            "Another account uses that address now, so it can't be yours as well.",
        ))),
    }
}

/// `GET /verify/{token}`: a button that confirms (a mail scanner fetching the link changes
/// nothing).
pub async fn page_get(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    let email = state.db.verification_email(&hash_token(&token), now_ms()).await?;
    let status = if email.is_some() { StatusCode::OK } else { StatusCode::GONE };
    let ctx = context! { email, token };
    Ok((status, page("verify.html", me.as_ref(), &csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct EmailForm {
    #[serde(default, rename = "new_email")]
    email: String,
    #[serde(default, skip_serializing, rename = "email_password")]
    password: String,
}

/// `POST /verify/{token}`.
pub async fn page_post(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(token): Path<String>,
    Posted { csrf, .. }: Posted<EmailForm>,
) -> PageResult {
    match follow(&state, &token).await {
        Ok(email) => {
            let ctx = context! { done => email };
            Ok(page("verify.html", me.as_ref(), &csrf, ctx)?.into_response())
        }
        Err(AppError::NotFound) => {
            let ctx = context! { token };
            Ok((StatusCode::GONE, page("verify.html", me.as_ref(), &csrf, ctx)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/email`: a link to the new address, a notice to the old one.
pub async fn settings_change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<EmailForm>,
) -> PageResult {
    match change_email(&state, ip, &me, (&form.password, &form.email), ("new_email", "email_password")).await
    {
        Ok(_) => Ok(Redirect::to("/settings?notice=email-link-sent#email").into_response()),
        Err(AppError::Invalid(e) | AppError::Conflict(e)) => {
            let extra = context! { email_errors => error_map(&e), new_email => form.email };
            super::settings::render(&state, &me, (&csrf, &jar), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/email/verify`: sends the link for the current address again.
pub async fn settings_resend(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    _f: Posted<EmailForm>,
) -> PageResult {
    if me.email_verified_at.is_none() {
        send_link(&state, &me, &me.email).await?;
    }
    Ok(Redirect::to("/settings?notice=verify-link-sent#email").into_response())
}

/// A change of address through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    pub current_password: String,
    pub new_email: String,
}

/// Where a change of address stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailPending {
    /// The address a link was sent to; the account keeps its address until it is followed.
    pub pending_email: String,
}

/// Moves my account to another address: a link goes to it, and the current address is told.
#[utoipa::path(put, path = "/api/v1/me/email", tag = "accounts", security(("bearer" = [])),
    request_body = EmailChange,
    responses((status = 202, body = EmailPending), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn put_email(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<EmailChange>,
) -> ApiResult<(StatusCode, axum::Json<EmailPending>)> {
    let input = (req.current_password.as_str(), req.new_email.as_str());
    let email = change_email(&state, ip, &me, input, ("new_email", "current_password")).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(EmailPending { pending_email: email })))
}

/// Sends the link proving my current address again.
#[utoipa::path(post, path = "/api/v1/me/email/verification", tag = "accounts", security(("bearer" = [])),
    responses((status = 202), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<StatusCode> {
    if me.email_verified_at.is_some() {
        return Err(AppError::Conflict(FieldErrors::one("email", "Your address is confirmed already.")));
    }
    send_link(&state, &me, &me.email).await?;
    Ok(StatusCode::ACCEPTED)
}
