//! What the site tells robots, search engines and phones: `robots.txt` and a sitemap that
//! follow the visitor settings, a web app manifest (the site can be added to a phone's home
//! screen), and the admin's page for visitor pages, which warns when shared links would break.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeDelta, Utc};
use minijinja::context;
use serde::Deserialize;

use crate::error::PageResult;
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

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

/// `GET /manifest.webmanifest`: lets a phone add Alongside to its home screen.
pub async fn manifest() -> Response {
    let body = serde_json::json!({
        "name": "Alongside",
        "short_name": "Alongside",
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

/// Why shared links would not work from the configured address, if they would not.
pub fn link_warning(public_url: &str, configured: bool) -> Option<String> {
    let host =
        url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    if loopback {
        Some(format!(
            "Links people share point at {public_url}, which only this machine can open. Set public_url in the \
             configuration to the address people use to reach Alongside."
        ))
    } else if !configured {
        Some(format!(
            "public_url is not set, so links people share point at {public_url}. Set it to the address people \
             use to reach Alongside."
        ))
    } else {
        None
    }
}

/// `GET /admin/site`: visitor pages on or off, and whether shared links will work.
pub async fn admin_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    crate::admin::admin(&me)?;
    let public = state.config.public_url();
    let warning = link_warning(&public, state.config.public_url.is_some());
    let ctx = context! { visitor_pages => super::enabled(&state).await?, public_url => public, warning };
    Ok(page("admin_site.html", Some(&me), &csrf, ctx)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    visitor_pages: String,
}

/// `POST /admin/site`.
pub async fn admin_save(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, .. }: Posted<SiteForm>,
) -> PageResult {
    crate::admin::admin(&me)?;
    state.db.set_visitor_pages(form.visitor_pages == "on").await?;
    Ok(Redirect::to("/admin/site?notice=saved").into_response())
}

#[cfg(test)]
mod tests {
    use super::link_warning;

    #[test]
    fn shared_links_from_a_loopback_address_are_flagged() {
        for url in
            ["http://127.0.0.1:3000", "http://localhost:8080", "http://[::1]:3000", "http://0.0.0.0:3000"]
        {
            assert!(link_warning(url, true).is_some_and(|w| w.contains("only this machine")), "{url}");
        }
        assert!(link_warning("https://alongside.example.org", true).is_none());
        assert!(link_warning("http://192.168.1.20:3000", false).is_some_and(|w| w.contains("not set")));
    }
}
