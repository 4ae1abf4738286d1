//! Who is asking: `CurrentUser` (pages, session cookie; otherwise redirected to sign in),
//! `MaybeUser` (pages that anyone may see) and `ApiUser` (API, bearer token; otherwise 401).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use store::users::User;

use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::web::now_ms;
use crate::web::secrets::{hash_token, random_token};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "alng_session";

/// A signed-in member (pages).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// A member if signed in (pages).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<User>);

/// A member authenticated by a personal API token.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

/// The token of an `Authorization: Bearer …` header; the scheme's name is case-insensitive
/// (RFC 9110 §11.1).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn session_user(parts: &mut Parts, state: &AppState) -> Result<Option<User>, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else { return Ok(None) };
    let user = state.db.session_user(&hash_token(cookie.value()), now_ms()).await?;
    if let Some(u) = &user {
        super::dates::use_clock(super::dates::Clock::parse(&u.clock));
    }
    Ok(user)
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(MaybeUser(session_user(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = axum::response::Response;

    /// Signed out, a page sends the reader to log in, and back to it afterwards (`next`: a GET's
    /// own path, never a form's, so nothing is sent again).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        match session_user(parts, state).await {
            Ok(Some(u)) => Ok(CurrentUser(u)),
            Ok(None) if parts.method == axum::http::Method::GET => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
                Err(axum::response::Redirect::to(&format!("/login?{next}")).into_response())
            }
            Ok(None) => Err(PageError(AppError::Unauthorized).into_response()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        let user = state.db.token_user(&hash_token(token), now_ms()).await?;
        user.map(ApiUser).ok_or(AppError::Unauthorized)
    }
}

impl OptionalFromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            <ApiUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The browser asking, as its `User-Agent` names it (cut to 300 characters): kept with a
/// session so its owner can tell their sessions apart.
#[derive(Debug, Clone, Default)]
pub struct Device(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ua = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        Ok(Device(ua.chars().take(300).collect()))
    }
}

/// A session's browser in a few words ("Firefox on Linux"), or "An unknown browser".
pub fn describe_device(user_agent: &str) -> String {
    match woothee::parser::Parser::new().parse(user_agent) {
        Some(r) if r.name != "UNKNOWN" && r.os != "UNKNOWN" => format!("{} on {}", r.name, r.os),
        Some(r) if r.name != "UNKNOWN" => r.name.to_owned(),
        _ => "An unknown browser".to_owned(),
    }
}

/// Starts a new session for `user_id` (a fresh id on every sign-in) and returns the cookie jar
/// that sets it, ending the browser's previous session if it had one.
pub async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user_id: &str,
    device: &Device,
) -> Result<CookieJar, AppError> {
    if let Some(old) = jar.get(SESSION_COOKIE) {
        state.db.delete_session(&hash_token(old.value())).await?;
    }
    let token = random_token();
    let now = now_ms();
    let expires = now + state.config.session_days * 86_400_000;
    state.db.create_session_on(&hash_token(&token), user_id, &device.0, now, expires).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(time_days(state.config.session_days))
        .build();
    Ok(jar.add(cookie))
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

/// Ends the browser's session and removes its cookie.
pub async fn end_session(state: &AppState, jar: CookieJar) -> Result<CookieJar, AppError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        let hash = hash_token(c.value());
        let user = state.db.session_user(&hash, now_ms()).await?;
        state.db.delete_session(&hash).await?;
        if let Some(u) = user {
            crate::rooms::revoke::changed(state, store::access_changes::Scope::User, &u.id).await;
        }
    }
    Ok(jar.remove(Cookie::build(SESSION_COOKIE).path("/")))
}
