//! Static assets compiled into the binary and served with long cache lifetimes: no CDN.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

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

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let (body, kind): (&'static [u8], _) = match name.as_str() {
        "style.css" => (STYLE.as_bytes(), "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX.as_bytes(), "text/javascript; charset=utf-8"),
        "room.js" => (ROOM.as_bytes(), "text/javascript; charset=utf-8"),
        "welcome.js" => (WELCOME.as_bytes(), "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON.as_bytes(), "image/svg+xml"),
        "icons.svg" => (ICONS.as_bytes(), "image/svg+xml"),
        "icon-192.png" => (ICON_192, "image/png"),
        "icon-512.png" => (ICON_512, "image/png"),
        "og.png" => (OG_IMAGE, "image/png"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
