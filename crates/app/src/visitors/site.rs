//! What the site tells robots, search engines and phones: `robots.txt` and a sitemap that
//! follow the visitor settings, a web app manifest (the site can be added to a phone's home
//! screen). The admin turns visitor pages on and off in the console's settings (`admin::settings`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};

use crate::error::PageResult;
use crate::state::AppState;

/// `GET /robots.txt`: the public pages may be crawled while visitor pages are on; nothing else.
pub async fn robots(State(state): State<AppState>) -> PageResult {
    let public = state.config.public_url();
    let body = if super::enabled(&state).await? {
        format!(
            "User-agent: *\nAllow: /$\nAllow: /events/\nAllow: /groups/\nAllow: /venues/\nAllow: /discover\nAllow: /assets/\n\
             Disallow: /\n\nSitemap: {public}/sitemap.xml\n"
        )
    } else {
        "User-agent: *\nDisallow: /\n".to_owned()
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

/// `GET /sitemap.xml`: the home page and every event and group shown to visitors.
pub async fn sitemap(State(state): State<AppState>) -> PageResult {
    let public = state.config.public_url();
    let mut urls = vec![format!("{public}/")];
    if super::enabled(&state).await? {
        let now = Utc::now();
        let (from, to) = (now.timestamp_millis(), (now + TimeDelta::days(366)).timestamp_millis());
        for e in state.db.visitor_events(from, to, None).await? {
            urls.push(format!("{public}/events/{}", e.id));
        }
        for (g, _) in state.db.visitor_groups().await? {
            urls.push(format!("{public}/groups/{}", g.id));
        }
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        // Ids and the configured address hold no markup characters; escape anyway.
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", crate::web::escape_markup(&u)));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        xml,
    )
        .into_response())
}

/// `GET /manifest.webmanifest`: lets a phone add the site to its home screen, under its name.
pub async fn manifest() -> Response {
    let body = serde_json::json!({
        "name": crate::web::site::name(),
        "short_name": crate::web::site::name(),
        "description": "Cowork, keep each other to your goals and trade referrals with people who work alone too.",
        "start_url": "/dashboard",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f5f0",
        "theme_color": "#1d5e55",
        "icons": [
            {"src": "/assets/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/assets/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/assets/icon.svg", "sizes": "any", "type": "image/svg+xml"}
        ]
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body.to_string(),
    )
        .into_response()
}
