//! Compression of what is sent large and often: calendar feeds, JSON, CSV and vCard downloads,
//! and the style sheet, scripts and icons, with gzip, above 1 KiB, to clients that ask for it. Never
//! HTML: a page carries a CSRF token next to text a visitor can put there, which compression would
//! let an eavesdropper guess a byte at a time (BREACH). Only gzip: every client reads it, and brotli
//! would add a large crate for a few percent more on text this size (see docs/benchmarks.md).
//!
//! A strong ETag names one representation, so a compressed body's gets the encoding appended
//! (`"…-gzip"`); a 304 answered to a client holding that one says so again.
//!
//! Bodies made for one request are compressed at gzip's fastest level: on a group's 44 kB list of
//! dates it takes a third of the time of the default level for a body a fifth larger (3.5 kB
//! against 3.0). Kept feeds are compressed once, when they are kept (`web::cached`), at the
//! default level: every calendar app asks for gzip, and compressing a 200-event feed on each
//! poll took nine tenths of what serving it kept could do (docs/benchmarks.md).

use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{And, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

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
    compressible_type(kind)
}

fn compressible_type(content_type: &str) -> bool {
    COMPRESSIBLE.iter().any(|k| content_type.starts_with(k))
}

/// Whether a body of this type and length goes compressed to a client that takes gzip.
pub fn worth_compressing(content_type: &str, len: usize) -> bool {
    len > usize::from(MIN_BYTES) && compressible_type(content_type)
}

/// Whether the request's Accept-Encoding takes gzip (RFC 9110 §12.5.3): named with a weight
/// above zero, or not named while `*` is. The compression layer reads the header for itself;
/// this is for bodies compressed ahead of time.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut any = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        for item in value.to_str().unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|p| {
                    let (name, w) = p.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("q").then(|| w.trim().parse::<f32>().unwrap_or(0.0))
                })
                .unwrap_or(1.0);
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                return weight > 0.0;
            }
            if coding == "*" {
                any = weight > 0.0;
            }
        }
    }
    any
}

/// `body` compressed with gzip at the default level, for a body compressed once and kept.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut out =
        flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::default());
    out.write_all(body).expect("writing to memory");
    out.finish().expect("writing to memory")
}

type When = And<SizeAbove, fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool>;

/// The compression layer.
pub fn layer() -> CompressionLayer<When> {
    let what: fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool = compressible;
    CompressionLayer::new()
        .gzip(true)
        .quality(CompressionLevel::Fastest)
        .compress_when(SizeAbove::new(MIN_BYTES).and(what))
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
    fn gzip_is_taken_when_named_with_a_weight_or_by_a_star() {
        let asks = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            accepts_gzip(&h)
        };
        assert!(asks("gzip"));
        assert!(asks("br, GZIP;q=0.5, deflate"));
        assert!(asks("x-gzip"));
        assert!(asks("*"));
        assert!(!asks("gzip;q=0"));
        assert!(!asks("gzip; q=0.000, *"), "named refused beats the star");
        assert!(!asks("br, deflate"));
        assert!(!asks("*;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
        let body = "BEGIN:VEVENT\r\n".repeat(200);
        let mut back = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&gzip(body.as_bytes())[..]),
            &mut back,
        )
        .expect("gzip");
        assert_eq!(back, body);
    }

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
