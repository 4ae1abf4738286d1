//! What every page shares: templates, static assets, CSRF, sign-in extractors, rate limits,
//! and small helpers for time and secrets.

pub mod assets;
pub mod auth;
pub mod csrf;
pub mod csv;
pub mod markdown;
pub mod ratelimit;
pub mod secrets;
pub mod templates;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, PageError};

/// Refuses addresses holding a NUL character (`%00`): no text column can store one (PostgreSQL
/// rejects it outright), so such input is bad input, answered with a 4xx rather than a 500.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let has_nul = |s: &str| s.contains("%00") || s.contains('\0');
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        let err = AppError::Invalid(domain::FieldErrors::one(
            "url",
            "The address holds a character we can't read.",
        ));
        return if uri.path().starts_with("/api/") {
            err.into_response()
        } else {
            PageError(err).into_response()
        };
    }
    next.run(req).await
}

/// Now, as epoch milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
