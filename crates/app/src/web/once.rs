//! Secrets made on a page are shown once, after a redirect: the form's POST makes the secret and
//! keeps it for this browser's session (`store::shown_once`, five minutes at most), then redirects;
//! the page it lands on takes it, shows it, and it is gone. A reload makes nothing new and shows
//! nothing again, and the secret is never in a URL or a cookie.

use axum_extra::extract::CookieJar;

use super::auth::SESSION_COOKIE;
use super::now_ms;
use super::secrets::hash_token;
use crate::error::AppError;
use crate::state::AppState;

/// How long a secret waits to be shown.
const KEEP_MS: i64 = 5 * 60 * 1000;

/// Keeps `secret` for this browser's session, to be shown once on the page redirected to.
pub async fn keep(state: &AppState, jar: &CookieJar, kind: &str, secret: &str) -> Result<(), AppError> {
    let Some(session) = jar.get(SESSION_COOKIE) else { return Err(AppError::Unauthorized) };
    let now = now_ms();
    Ok(state.db.keep_shown_once(&hash_token(session.value()), kind, secret, now, now + KEEP_MS).await?)
}

/// The secret of `kind` kept for this browser's session, once.
pub async fn take(state: &AppState, jar: &CookieJar, kind: &str) -> Result<Option<String>, AppError> {
    let Some(session) = jar.get(SESSION_COOKIE) else { return Ok(None) };
    Ok(state.db.take_shown_once(&hash_token(session.value()), kind, now_ms()).await?)
}
