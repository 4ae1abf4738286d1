//! Static assets compiled into the binary and served with long cache lifetimes: no CDN.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const STYLE: &str = include_str!("../../assets/style.css");
/// htmx 2.0.11 from the npm package `htmx.org`.
const HTMX: &str = include_str!("../../assets/htmx.min.js");
/// The live room's client (plain JavaScript, no build step).
const ROOM: &str = include_str!("../rooms/room.js");
/// The site's icon: two people side by side.
const ICON: &str = include_str!("../../assets/icon.svg");

/// `GET /favicon.ico`: browsers ask for it whatever the page says; they get the icon.
pub async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], ICON)
        .into_response()
}

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "room.js" => (ROOM, "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON, "image/svg+xml"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
