//! Compression of what is sent large and often: calendar feeds, JSON, CSV and vCard downloads,
//! and the style sheet, scripts and icons, with gzip, above 1 KiB, to clients that ask for it. Never
//! HTML: a page carries a CSRF token next to text a visitor can put there, which compression would
//! let an eavesdropper guess a byte at a time (BREACH). Only gzip: every client reads it, and brotli
//! would add a large crate for a few percent more on text this size (see docs/benchmarks.md).
//!
//! A strong ETag names one representation, so a compressed body's gets the encoding appended
//! (`"…-gzip"`); a 304 answered to a client holding that one says so again.

use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{And, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

/// Bodies smaller than this go as they are: compressing them saves too little to pay.
const MIN_BYTES: u16 = 1024;

/// What is compressed, by Content-Type.
const COMPRESSIBLE: [&str; 7] = [
    "text/calendar",
    "application/json",
    "text/css",
    "text/javascript",
    "text/csv",
    "text/vcard",
    "image/svg+xml",
];

fn compressible(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    COMPRESSIBLE.iter().any(|k| kind.starts_with(k))
}

type When = And<SizeAbove, fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool>;

/// The compression layer.
pub fn layer() -> CompressionLayer<When> {
    let what: fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool = compressible;
    CompressionLayer::new().gzip(true).compress_when(SizeAbove::new(MIN_BYTES).and(what))
}

/// The encoding a strong ETag names, if any: `"abc-gzip"` names gzip.
const SUFFIX: &str = "-gzip\"";

/// Whether `tag` (as a client sent it, perhaps weak) names `etag` in any encoding.
pub fn same_entity(tag: &str, etag: &str) -> bool {
    let tag = tag.trim().trim_start_matches("W/");
    tag == etag || tag.strip_suffix(SUFFIX).is_some_and(|base| etag.strip_suffix('"') == Some(base))
}

/// Middleware, outside [`layer`]: appends the encoding to the strong ETag of a compressed body,
/// and on a 304 gives back the tag of the encoding the client holds.
pub async fn etag_per_encoding(req: Request, next: Next) -> Response {
    let held = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut resp = next.run(req).await;
    let Some(tag) = resp.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return resp;
    };
    if !tag.starts_with('"') {
        return resp; // a weak tag stays as it is
    }
    let gzip = resp.headers().get(header::CONTENT_ENCODING).is_some_and(|v| v.as_bytes() == b"gzip");
    let compressed = format!("{}{SUFFIX}", &tag[..tag.len() - 1]);
    let named = if gzip {
        Some(compressed)
    } else if resp.status() == StatusCode::NOT_MODIFIED {
        held.filter(|h| h.split(',').any(|t| t.trim().trim_start_matches("W/") == compressed))
            .map(|_| compressed)
    } else {
        None
    };
    if let Some(v) = named.and_then(|n| HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_its_entity_in_either_encoding() {
        assert!(same_entity("\"abc\"", "\"abc\""));
        assert!(same_entity(" W/\"abc-gzip\"", "\"abc\""));
        assert!(!same_entity("\"abd-gzip\"", "\"abc\""));
        assert!(!same_entity("\"abc-br\"", "\"abc\""));
        let headers = |kind: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            h
        };
        let ext = Extensions::new();
        assert!(compressible(
            StatusCode::OK,
            Version::HTTP_11,
            &headers("text/calendar; charset=utf-8"),
            &ext
        ));
        assert!(compressible(StatusCode::OK, Version::HTTP_11, &headers("application/json"), &ext));
        assert!(!compressible(StatusCode::OK, Version::HTTP_11, &headers("text/html; charset=utf-8"), &ext));
        assert!(!compressible(StatusCode::OK, Version::HTTP_11, &headers("image/png"), &ext));
    }
}
