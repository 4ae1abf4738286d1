//! What every page shares: templates, static assets, CSRF, sign-in extractors, rate limits,
//! and small helpers for time and secrets.

pub mod assets;
pub mod auth;
pub mod csrf;
pub mod ratelimit;
pub mod secrets;
pub mod templates;

/// Now, as epoch milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
