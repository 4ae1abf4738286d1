//! Conditional GETs, and a cache of rendered bodies, for what is read far more often than it
//! changes: calendar feeds, which calendar apps poll every few minutes. A body is named by what
//! it shows and the versions of its data (`store::feed_versions`, moved by triggers in the
//! transaction of every write that changes it) and the day it is rendered for, so the name is
//! right on every instance at once: a strong ETag made from it, a Last-Modified of its newest
//! change, 304 to a client that already has it, and the body kept in a bounded in-memory LRU.
//! Only for bodies that are the same for everyone who may read them (never a signed-in page).

use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hashlink::LinkedHashMap;
use sha2::{Digest, Sha256};
use store::feed_versions::Versions;

use super::compress;

/// A body as of given versions: its cache key and its validators.
#[derive(Debug, Clone)]
pub struct Versioned {
    key: String,
    etag: String,
    /// Whole seconds.
    modified: DateTime<Utc>,
}

impl Versioned {
    /// The body `what` (a kind and ids: "member-feed:ID") as of `versions`, rendered for the day
    /// starting at `day` (a day's renderings are the same bytes; the next day's may differ).
    pub fn new(what: &str, versions: &Versions, day: DateTime<Utc>) -> Versioned {
        let mut key = format!("{what}@{}", day.format("%Y%m%d"));
        for (scope, rev) in &versions.revs {
            key.push_str(&format!(";{scope}={rev}"));
        }
        // The program's version too: a new release may write the same data differently.
        let digest = Sha256::digest(format!("{}\n{key}", env!("CARGO_PKG_VERSION")));
        let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..18]));
        let changed =
            DateTime::<Utc>::from_timestamp_millis(versions.changed_at).unwrap_or_default().max(day);
        let modified = DateTime::<Utc>::from_timestamp(changed.timestamp(), 0).unwrap_or_default();
        Versioned { key, etag, modified }
    }

    /// The strong ETag, quoted.
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Whether the request's validators say the client has this version: `If-None-Match` when
    /// sent (RFC 9110 §13.2.2: it takes precedence), otherwise `If-Modified-Since`.
    pub fn not_modified(&self, headers: &HeaderMap) -> bool {
        if let Some(tags) = headers.get(header::IF_NONE_MATCH) {
            let tags = tags.to_str().unwrap_or("");
            // The weak comparison §13.1.2 asks of If-None-Match (a W/ prefix does not matter), in
            // whichever encoding the client holds it.
            return tags.split(',').any(|t| t.trim() == "*" || super::compress::same_entity(t, &self.etag));
        }
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .map(DateTime::<Utc>::from);
        // Every change moves its scope's time to a later second than the one before (see the
        // migration), so a time a client was given names one version of a one-scope body.
        since.is_some_and(|since| self.modified <= since)
    }

    fn validators(&self, headers: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        let modified = httpdate::fmt_http_date(self.modified.into());
        if let Ok(v) = HeaderValue::from_str(&modified) {
            headers.insert(header::LAST_MODIFIED, v);
        }
    }
}

/// What a cached body is served with.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

/// Rendered bodies by [`Versioned`] key, least recently used first, at most `max_bytes` of them.
#[derive(Debug)]
pub struct BodyCache {
    max_bytes: usize,
    inner: Mutex<Lru>,
}

#[derive(Debug, Default)]
struct Lru {
    bodies: LinkedHashMap<String, Bytes>,
    bytes: usize,
    hits: u64,
    misses: u64,
}

impl BodyCache {
    /// A cache holding at most `max_bytes` of bodies (0: keeps nothing).
    pub fn new(max_bytes: usize) -> BodyCache {
        BodyCache { max_bytes, inner: Mutex::new(Lru::default()) }
    }

    fn get(&self, key: &str) -> Option<Bytes> {
        let mut lru = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = lru.bodies.to_back(key).cloned();
        if found.is_some() {
            lru.hits += 1;
        } else {
            lru.misses += 1;
        }
        found
    }

    fn put(&self, key: String, body: Bytes) {
        if body.len() > self.max_bytes / 4 {
            return; // one body never crowds out most of the others
        }
        let mut lru = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let size = key.len() + body.len();
        if let Some(old) = lru.bodies.insert(key.clone(), body) {
            lru.bytes -= key.len() + old.len();
        }
        lru.bytes += size;
        while lru.bytes > self.max_bytes {
            let Some((k, v)) = lru.bodies.pop_front() else { break };
            lru.bytes -= k.len() + v.len();
        }
    }

    /// Bodies held, their bytes, hits and misses so far.
    pub fn stats(&self) -> (usize, usize, u64, u64) {
        let lru = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (lru.bodies.len(), lru.bytes, lru.hits, lru.misses)
    }

    /// The response to a GET of `v`: 304 when the request says the client has it, else the body
    /// kept for it, else `render`'s (then kept). Render only after reading the versions, so a
    /// body is never older than the versions it is kept under. A client that takes gzip gets the
    /// body compressed, kept compressed as well so that it is compressed once per version.
    pub async fn respond<F, Fut, E>(
        &self,
        headers: &HeaderMap,
        v: &Versioned,
        kind: Kind,
        extra: &[(header::HeaderName, String)],
        render: F,
    ) -> Result<Response, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, E>>,
    {
        let mut resp = if v.not_modified(headers) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let gz_key = compress::accepts_gzip(headers).then(|| format!("{}+gzip", v.key));
            let (body, compressed) = match gz_key.as_deref().and_then(|k| self.get(k)) {
                Some(gz) => (gz, true),
                None => {
                    let plain = match self.get(&v.key) {
                        Some(body) => body,
                        None => {
                            let body = Bytes::from(render().await?);
                            self.put(v.key.clone(), body.clone());
                            body
                        }
                    };
                    match gz_key {
                        Some(k) if compress::worth_compressing(kind.content_type, plain.len()) => {
                            let gz = Bytes::from(compress::gzip(&plain));
                            self.put(k, gz.clone());
                            (gz, true)
                        }
                        _ => (plain, false),
                    }
                }
            };
            let mut resp = body.into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.content_type));
            if compressed {
                // The compression layer leaves an encoded body alone; the tag middleware
                // appends the encoding to its ETag.
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
            for (name, value) in extra {
                if let Ok(value) = HeaderValue::from_str(value) {
                    h.insert(name.clone(), value);
                }
            }
            resp
        };
        let h = resp.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(kind.cache_control));
        v.validators(h);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(rev: i64, changed_at: i64) -> Versions {
        Versions { revs: vec![("u:ana".into(), rev)], changed_at }
    }

    #[test]
    fn a_version_is_named_by_its_data_and_day_and_matched_by_either_validator() {
        let day = DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z").expect("day").to_utc();
        let a = Versioned::new("member-feed:ana", &versions(3, 1_796_000_000_500), day);
        assert_eq!(a.etag(), Versioned::new("member-feed:ana", &versions(3, 1_796_000_000_500), day).etag());
        for other in [
            Versioned::new("member-feed:ana", &versions(4, 1_796_000_001_500), day),
            Versioned::new("member-feed:bo", &versions(3, 1_796_000_000_500), day),
            Versioned::new(
                "member-feed:ana",
                &versions(3, 1_796_000_000_500),
                day + chrono::TimeDelta::days(1),
            ),
        ] {
            assert_ne!(a.etag(), other.etag());
        }
        let mut h = HeaderMap::new();
        assert!(!a.not_modified(&h));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{}", a.etag())).expect("value"),
        );
        assert!(a.not_modified(&h));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\""));
        h.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("Mon, 07 Dec 2026 23:00:00 GMT"));
        assert!(!a.not_modified(&h), "If-None-Match decides when sent");
        h.remove(header::IF_NONE_MATCH);
        assert!(a.not_modified(&h));
        h.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("Sun, 06 Dec 2026 23:00:00 GMT"));
        assert!(!a.not_modified(&h), "the day's start counts as a change");
        h.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("yesterday"));
        assert!(!a.not_modified(&h));
    }

    #[test]
    fn the_cache_keeps_the_recently_used_within_its_bytes() {
        let cache = BodyCache::new(400);
        cache.put("a".into(), Bytes::from(vec![b'a'; 90]));
        cache.put("b".into(), Bytes::from(vec![b'b'; 90]));
        cache.put("c".into(), Bytes::from(vec![b'c'; 90]));
        assert!(cache.get("a").is_some(), "a is now the most recently used");
        cache.put("d".into(), Bytes::from(vec![b'd'; 90]));
        cache.put("e".into(), Bytes::from(vec![b'e'; 90]));
        assert!(cache.get("b").is_none(), "the least recently used went first");
        assert!(cache.get("a").is_some());
        cache.put("big".into(), Bytes::from(vec![b'x'; 200]));
        assert!(cache.get("big").is_none(), "a body over a quarter of the cache is not kept");
        let (n, bytes, hits, misses) = cache.stats();
        assert!(bytes <= 400 && n == 4, "{n} bodies, {bytes} bytes");
        assert_eq!((hits, misses), (2, 2));
        assert!(BodyCache::new(0).get("a").is_none());
    }
}
