//! Accounts (C1): sign-up, sign-in, sign-out, password reset by email, personal API tokens,
//! data export and account deletion. Pages and API share the rules below.

pub mod api;
pub mod export;
pub mod pages;
pub mod password;
pub mod security;
pub mod settings;
pub mod verify;

use std::net::IpAddr;

use axum::routing::{get, post};
use axum::Router;
use domain::FieldErrors;
use store::users::{NewUser, User};
use store::StoreError;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;
use crate::web::ratelimit;
use crate::web::secrets::{hash_token, random_token};

/// How long a reset link works.
pub const RESET_TTL_MS: i64 = 60 * 60 * 1000;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/signup", get(pages::signup_page).post(pages::signup))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/reset", get(pages::reset_request_page).post(pages::reset_request))
        .route("/reset/{token}", get(pages::reset_confirm_page).post(pages::reset_confirm))
        .route("/dashboard", get(pages::dashboard))
        .route("/settings", get(settings::page))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/export", get(export::download))
        .route("/settings/reminders", post(settings::reminders))
        .route("/settings/clock", post(settings::clock))
        .route("/api/v1/me/reminders", axum::routing::put(api::reminders))
        .route("/settings/delete", post(settings::delete_account))
        .route("/settings/password", post(security::password_page))
        .route("/settings/email", post(verify::settings_change))
        .route("/settings/email/verify", post(verify::settings_resend))
        .route("/verify/{token}", get(verify::page_get).post(verify::page_post))
        .route("/api/v1/me/email", axum::routing::put(verify::put_email))
        .route("/api/v1/me/email/verification", post(verify::resend_api))
        .route("/settings/sessions/{handle}/end", post(security::end_one_page))
        .route("/settings/sessions/end-all", post(security::end_all_page))
        .route("/api/v1/me/password", axum::routing::put(security::put_password))
        .route("/api/v1/me/sessions", get(security::list_sessions).delete(security::delete_sessions))
        .route("/api/v1/me/sessions/{handle}", axum::routing::delete(security::delete_session))
        .route("/api/v1/accounts", post(api::create_account))
        .route("/api/v1/tokens", post(api::create_token).get(api::list_tokens))
        .route("/api/v1/tokens/{id}", axum::routing::delete(api::revoke_token))
        .route("/api/v1/me/export", get(api::export))
}

/// Whether the site takes a new account from someone holding `invite` (the token of an
/// invitation link, or nothing): always while sign-up is open, with a live invitation while it
/// is by invitation, never while it is closed. The reason when not, to show them.
pub async fn may_sign_up(state: &AppState, invite: Option<&str>) -> Result<(), AppError> {
    let invited = match invite.map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => crate::groups::invites::is_live(state, token).await?,
        None => false,
    };
    crate::admin::settings::sign_up_allowed(state, invited).await
}

/// The invitation a page after sign-up leads to (`/invites/{token}`), if it does.
pub fn invite_in(next: &str) -> Option<&str> {
    next.strip_prefix("/invites/").map(|t| t.split(['?', '#', '/']).next().unwrap_or_default())
}

/// Creates an account after checking every field; errors are per field.
pub async fn register(
    state: &AppState,
    email: &str,
    password: &str,
    display_name: &str,
) -> Result<User, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", domain::profile::check_email(email));
    let name = errors.check("display_name", domain::profile::check_display_name(display_name));
    if let Some(e) = &email {
        errors.check("password", domain::password::check(password, e));
    }
    errors.into_result()?;
    let (email, name) = (email.unwrap_or_default(), name.unwrap_or_default());
    let hash = password::hash(password.to_owned()).await?;
    let new = NewUser {
        email: &email,
        password_hash: &hash,
        display_name: &name,
        timezone: "UTC",
        admin_if_first: true,
    };
    match state.db.create_user(new, now_ms()).await {
        Ok(user) => {
            tracing::info!(user = %user.id, admin = user.is_admin == 1, "account created");
            verify::send_link(state, &user, &user.email).await?;
            Ok(user)
        }
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict(FieldErrors::one(
            "email",
            "An account with this email already exists. Log in, or reset your password.",
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Checks an email and password; the same message whatever was wrong, so accounts cannot be
/// discovered by trying.
pub async fn authenticate(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
) -> Result<User, AppError> {
    let wrong =
        || AppError::Invalid(FieldErrors::one("email", "That email and password don't match an account."));
    let email = email.trim().to_lowercase();
    // Counted by the address typed, whether or not an account uses it: the answers are the same.
    let attempt = ratelimit::before_password(state, ip, &email).await?;
    let Some((id, hash)) = state.db.credentials(&email).await? else {
        // Spend the same time as a real check so timing does not reveal which emails exist.
        password::verify(password.to_owned(), password::dummy_hash().to_owned()).await?;
        attempt.failed(state).await?;
        return Err(wrong());
    };
    if !password::verify(password.to_owned(), hash).await? {
        attempt.failed(state).await?;
        return Err(wrong());
    }
    attempt.passed(state).await?;
    let user = state.db.user(&id).await?.ok_or_else(wrong)?;
    if user.suspended_at.is_some() {
        return Err(AppError::Forbidden("This account is suspended. Contact the instance's admin."));
    }
    Ok(user)
}

/// Emails a one-time reset link if the address has an account; says nothing either way.
pub async fn send_reset(state: &AppState, email: &str) -> Result<(), AppError> {
    let email = email.trim().to_lowercase();
    let Some(user) = state.db.user_by_email(&email).await? else { return Ok(()) };
    if user.suspended_at.is_some() {
        return Ok(());
    }
    let token = random_token();
    let now = now_ms();
    state.db.create_reset(&user.id, &hash_token(&token), now, now + RESET_TTL_MS).await?;
    let link = format!("{}/reset/{token}", state.config.public_url());
    let body = format!(
        "Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your Alongside account.\n\
         Choose a new password here within the next hour:\n\n{link}\n\n\
         The link works once. If you didn't ask for this, ignore this email: your password stays as it is.\n",
        name = user.display_name
    );
    crate::mail::queue(state, &user.email, "Reset your Alongside password", &body).await?;
    Ok(())
}

/// Revokes one of `me`'s tokens; rooms opened with it close. Whether there was one.
pub async fn revoke_token(state: &AppState, me: &User, id: &str) -> Result<bool, AppError> {
    let revoked = state.db.revoke_token(&me.id, id, now_ms()).await?;
    if revoked {
        crate::rooms::revoke::changed(state, store::access_changes::Scope::User, &me.id).await;
    }
    Ok(revoked)
}

/// Sets a new password from a reset link; errors are per field.
pub async fn finish_reset(state: &AppState, token: &str, password: &str) -> Result<(), AppError> {
    let now = now_ms();
    if !state.db.reset_is_live(&hash_token(token), now).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "password",
            "This reset link has expired or was already used. Ask for a new one.",
        )));
    }
    password::check_for_reset(password)?;
    let hash = password::hash(password.to_owned()).await?;
    match state.db.consume_reset(&hash_token(token), &hash, now).await? {
        Some((user_id, revoked)) => {
            tracing::info!(user = %user_id, "password reset");
            security::after_password(state, &user_id, security::How::Reset, &revoked).await
        }
        None => Err(AppError::Invalid(FieldErrors::one(
            "password",
            "This reset link was just used. Ask for a new one.",
        ))),
    }
}

/// Checks a signed-in member's own password, under the same limits as signing in; a wrong one is
/// an error on `field`.
pub async fn check_own_password(
    state: &AppState,
    ip: IpAddr,
    user: &User,
    password: &str,
    field: &'static str,
) -> Result<(), AppError> {
    let attempt = ratelimit::before_password(state, ip, &user.email).await?;
    let hash = state.db.password_hash(&user.id).await?.ok_or(AppError::NotFound)?;
    if !password::verify(password.to_owned(), hash).await? {
        attempt.failed(state).await?;
        return Err(AppError::Invalid(FieldErrors::one(field, "That isn't your current password.")));
    }
    attempt.passed(state).await
}

/// Deletes the account after the password is confirmed.
pub async fn delete_account(
    state: &AppState,
    ip: IpAddr,
    user: &User,
    password: &str,
) -> Result<(), AppError> {
    check_own_password(state, ip, user, password, "password").await?;
    crate::groups::before_account_deleted(state, user).await?;
    state.db.delete_user(&user.id).await?;
    crate::rooms::revoke::changed(state, store::access_changes::Scope::User, &user.id).await;
    tracing::info!(user = %user.id, "account deleted");
    Ok(())
}
