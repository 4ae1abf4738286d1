//! What every page shares: templates, static assets, CSRF, sign-in extractors, rate limits,
//! and small helpers for time and secrets.

pub mod assets;
pub mod auth;
pub mod cached;
pub mod compress;
pub mod csrf;
pub mod csv;
pub mod dates;
pub mod flash;
pub mod markdown;
pub mod nav;
pub mod once;
pub mod qr;
pub mod ratelimit;
pub mod secrets;
pub mod site;
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

/// Under `/api/` and on room sockets every error has the API's one shape, `{"errors":[…]}`:
/// what axum answers by itself in plain text or HTML (no such path, a method the path does not
/// take, a path that does not decode, a GET on a socket that is not an upgrade) is rewritten here,
/// with its status and headers (`Allow` on a 405) kept.
pub async fn api_error_shape(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path.ends_with("/room/ws");
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let said = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&said);
    let detail = match status {
        axum::http::StatusCode::NOT_FOUND => "There is nothing at this address.".to_owned(),
        axum::http::StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not take that method; the Allow header lists those it takes.".to_owned()
        }
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            "That is more than this address takes in one request.".to_owned()
        }
        _ if !said.is_empty() && !said.trim_start().starts_with('<') => said.trim().to_owned(),
        _ => status.canonical_reason().unwrap_or("That request could not be answered.").to_owned(),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts
        .headers
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let body = serde_json::json!({ "errors": [{ "field": null, "detail": detail }] }).to_string();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The most of an unread request body drained after the answer is made: well over the largest
/// body any route takes, so a client sending too much still reads why.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
/// How long draining may take before the connection is closed instead.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// When a handler answers without reading the whole request body (a 401 to a 100 KB POST), the
/// rest is read and dropped before the answer goes out, so the client, still sending, reads the
/// answer and may send its next request on the same connection. Left unread, the connection was
/// closed under the client without a word (a reset, seen as "broken pipe"). A body too large or
/// too slow to drain gets `Connection: close` instead.
pub async fn drain_unread_body(req: Request, next: Next) -> Response {
    use futures_util::StreamExt;
    let headers = req.headers();
    let has_body = headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0);
    if !has_body {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body stays here; the handler reads it through the slot, and what it leaves is ours.
    let slot = std::sync::Arc::new(tokio::sync::Mutex::new(Some(body.into_data_stream())));
    let reader = futures_util::stream::unfold(slot.clone(), |slot| async move {
        let item = match slot.lock().await.as_mut() {
            Some(stream) => stream.next().await,
            None => None,
        };
        match item {
            Some(item) => Some((item, slot)),
            None => {
                *slot.lock().await = None;
                None
            }
        }
    });
    let mut resp = next.run(Request::from_parts(parts, axum::body::Body::from_stream(reader))).await;
    let rest = slot.lock().await.take();
    if let Some(mut rest) = rest {
        let drained = tokio::time::timeout(DRAIN_TIME, async {
            let mut read = 0;
            while let Some(chunk) = rest.next().await {
                read += chunk.map_err(|_| ())?.len();
                if read > DRAIN_LIMIT {
                    return Err(());
                }
            }
            Ok(())
        })
        .await;
        if !matches!(drained, Ok(Ok(()))) {
            resp.headers_mut()
                .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        }
    }
    resp
}

/// Text made safe inside markup and quoted attributes (HTML, SVG, XML): `&`, `<`, `>` and `"`.
pub fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A yes-or-no query parameter: empty, `false`, `0`, `no` or `off` is no; `true`, `1`, `yes` or
/// `on` (what a ticked checkbox sends) is yes; anything else is refused.
pub fn flag(s: &str) -> Result<bool, String> {
    // Exactly these words, as the API documents them: " true" is refused rather than read.
    match s {
        "" | "false" | "0" | "no" | "off" => Ok(false),
        "true" | "1" | "yes" | "on" => Ok(true),
        _ => Err("Say true or false.".to_owned()),
    }
}

/// Now, as epoch milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
