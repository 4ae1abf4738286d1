//! Open doors: what visitors without an account may see and do. Events and groups their host or
//! organiser chose to show have public pages (`pages`), with link previews, an `.ics` file and a
//! place in the sitemap (`site`); acting on one (going, joining, following) asks the visitor to
//! sign in or sign up and then does it for them (`intent`). The admin can turn it all off.

pub mod answers;
pub mod intent;
pub mod pages;
pub mod site;

use axum::routing::{get, post};
use axum::Router;
use chrono::{TimeDelta, Utc};
use minijinja::{context, Value};

use crate::error::AppError;
use crate::events::series;
use crate::state::AppState;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visit/{kind}/{id}", post(intent::act))
        .route("/events/{id}/visitor-answer", post(answers::ask))
        .route("/answers/{token}", get(answers::page_get).post(answers::page_post))
        .route("/robots.txt", get(site::robots))
        .route("/sitemap.xml", get(site::sitemap))
        .route("/manifest.webmanifest", get(site::manifest))
}

/// Whether the admin keeps visitor pages on.
pub async fn enabled(state: &AppState) -> Result<bool, AppError> {
    Ok(state.db.visitor_pages_on().await?)
}

/// The next public dates (at most `n`, soonest first, within four weeks) and the groups shown to
/// visitors (at most `groups`): what the home page shows a visitor.
pub async fn coming_up(
    state: &AppState,
    n: usize,
    groups: usize,
) -> Result<(Vec<Value>, Vec<Value>), AppError> {
    if !enabled(state).await? {
        return Ok((Vec::new(), Vec::new()));
    }
    let now = Utc::now();
    let horizon = now + TimeDelta::days(28);
    let mut dates = Vec::new();
    for e in state.db.visitor_events(now.timestamp_millis(), horizon.timestamp_millis(), None).await? {
        let overrides = state.db.overrides(&e.id).await?;
        if let Some(o) = series::expand(&e, &overrides, now, horizon).into_iter().find(|o| !o.cancelled) {
            let place = if e.is_virtual == 1 { "Online".to_owned() } else { e.city_label.clone() };
            dates.push((o.start, context! {
                url => format!("/events/{}?at={}", e.id, o.key), title => o.title, date => pages::date(&e, &o, 0), place,
            }));
        }
    }
    dates.sort_by_key(|(start, _)| *start);
    let dates = dates.into_iter().take(n).map(|(_, v)| v).collect();
    let groups = state
        .db
        .visitor_groups()
        .await?
        .into_iter()
        .take(groups)
        .map(|(g, members)| {
            let place = if g.is_virtual == 1 { "Online".to_owned() } else { g.city_label.clone() };
            context! { url => format!("/groups/{}", g.id), name => g.name, members, place,
            summary => crate::web::markdown::excerpt(&g.description, 140) }
        })
        .collect();
    Ok((dates, groups))
}
