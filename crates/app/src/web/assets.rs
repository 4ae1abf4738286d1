//! Static assets compiled into the binary and served with long cache lifetimes and a strong ETag
//! of their bytes (a browser checking again after the hour gets a 304): no CDN.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

const STYLE: &str = include_str!("../../assets/style.css");
/// htmx 2.0.11 from the npm package `htmx.org`.
const HTMX: &str = include_str!("../../assets/htmx.min.js");
/// The first-run page's script: the device's time zone for an empty field.
const WELCOME: &str = include_str!("../../assets/welcome.js");
/// The live room's client (plain JavaScript, no build step).
const ROOM: &str = include_str!("../rooms/room.js");
/// The site's icon: two people side by side.
const ICON: &str = include_str!("../../assets/icon.svg");
/// The icons pages use, as one sprite of `<symbol>`s (no icon font, nothing from elsewhere).
const ICONS: &str = include_str!("../../assets/icons.svg");
/// The icon as PNG for phones' home screens (rendered from `icon.svg`, square, no rounding).
const ICON_192: &[u8] = include_bytes!("../../assets/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../../assets/icon-512.png");
/// The picture link previews show for a public page (1200 × 630).
const OG_IMAGE: &[u8] = include_bytes!("../../assets/og.png");

/// `GET /favicon.ico`: browsers ask for it whatever the page says; they get the icon.
pub async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], ICON)
        .into_response()
}

/// Each asset's strong ETag, made from its bytes once.
static ETAGS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    NAMES
        .iter()
        .filter_map(|n| {
            asset(n)
                .map(|(body, _)| (*n, format!("\"{}\"", URL_SAFE_NO_PAD.encode(&Sha256::digest(body)[..12]))))
        })
        .collect()
});

const NAMES: [&str; 9] = [
    "style.css",
    "htmx.min.js",
    "room.js",
    "welcome.js",
    "icon.svg",
    "icons.svg",
    "icon-192.png",
    "icon-512.png",
    "og.png",
];

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((body, kind)) = asset(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = ETAGS.get(name.as_str()).map_or("", String::as_str);
    let held = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).unwrap_or("");
    let cache = [(header::CACHE_CONTROL, "public, max-age=3600"), (header::ETAG, etag)];
    if !etag.is_empty() && held.split(',').any(|t| super::compress::same_entity(t, etag)) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    ([(header::CONTENT_TYPE, kind)], cache, body).into_response()
}

/// An asset's bytes and type, by name.
fn asset(name: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match name {
        "style.css" => (STYLE.as_bytes(), "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX.as_bytes(), "text/javascript; charset=utf-8"),
        "room.js" => (ROOM.as_bytes(), "text/javascript; charset=utf-8"),
        "welcome.js" => (WELCOME.as_bytes(), "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON.as_bytes(), "image/svg+xml"),
        "icons.svg" => (ICONS.as_bytes(), "image/svg+xml"),
        "icon-192.png" => (ICON_192, "image/png"),
        "icon-512.png" => (ICON_512, "image/png"),
        "og.png" => (OG_IMAGE, "image/png"),
        _ => return None,
    })
}
