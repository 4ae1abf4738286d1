//! Discovery: groups that are not invite-only and public events, by keyword and topic, near a
//! city within a radius or virtual only, soonest first (`domain::discovery` orders them), with
//! pages of 20. The page and `GET /api/v1/discover` share [`search`].

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{TimeDelta, Utc};
use domain::discovery::{self, check_radius, Item, Place, Search, DEFAULT_RADIUS_KM};
use domain::geo::{rounded_km, Gazetteer};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use super::view::rfc3339;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, MaybeUser};
use crate::web::csrf::CsrfToken;
use crate::web::templates;

/// Results on one page.
pub const PER_PAGE: usize = 20;
/// How far ahead events are looked for.
const HORIZON_DAYS: i64 = 90;

/// What to look for. Every field is text so that a bad value is named rather than refused whole.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DiscoverQuery {
    /// Words that must all appear (name, description, topics, city).
    pub q: String,
    /// A topic, e.g. "wordpress".
    pub topic: String,
    /// A city (gazetteer label or name): only in-person groups and events within `radius_km`.
    pub near: String,
    /// Kilometres around `near`; default 25, at most 500.
    #[param(pattern = r"^((0|[1-9][0-9]{0,2})(\.[0-9]{1,6})?)?$")]
    pub radius_km: String,
    /// "true" for virtual groups and events only.
    #[serde(rename = "virtual")]
    #[param(pattern = "^(|true|false|1|0|yes|no|on|off)$")]
    pub virtual_only: String,
    /// 1 for the first page.
    #[param(pattern = "^([1-9][0-9]{0,3}|10000)?$")]
    pub page: String,
}

/// One thing found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscoverItem {
    /// group | event
    pub kind: String,
    pub id: String,
    pub name: String,
    /// The start of the description.
    pub summary: String,
    pub topics: Vec<String>,
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    pub city: Option<String>,
    /// Rounded kilometres from `near`, when a city was searched.
    pub distance_km: Option<u32>,
    /// The next date (of the event, or the group's next event), RFC 3339.
    pub next: Option<String>,
    /// The same in my zone, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_when: Option<String>,
    /// For a group: open | request. For an event: the name of its group, if any.
    pub detail: Option<String>,
    /// Where it lives in the app.
    pub url: String,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscoverPage {
    pub items: Vec<DiscoverItem>,
    pub total: usize,
    pub page: usize,
    /// The next page's number, if there is one.
    pub next_page: Option<usize>,
}

fn parse(q: &DiscoverQuery) -> Result<(Search, usize), FieldErrors> {
    let mut e = FieldErrors::new();
    let virtual_only = e.check("virtual", crate::web::flag(&q.virtual_only)).unwrap_or(false);
    let radius = match q.radius_km.trim() {
        "" => DEFAULT_RADIUS_KM,
        r => e
            .check(
                "radius_km",
                r.parse::<f64>()
                    .map_err(|_| "Give the radius in kilometres.".to_owned())
                    .and_then(check_radius),
            )
            .unwrap_or(DEFAULT_RADIUS_KM),
    };
    let near = match q.near.trim() {
        "" => None,
        n => match Gazetteer::bundled().resolve(n) {
            Some(c) => Some((c.lat, c.lon)),
            None => {
                e.add("near", "Pick the city from the list.");
                None
            }
        },
    };
    if near.is_some() && virtual_only {
        e.add("virtual", "Search near a city or for virtual only, not both.");
    }
    let page = match q.page.as_str() {
        "" => 1,
        p => e
            .check(
                "page",
                p.parse::<usize>()
                    .ok()
                    .filter(|p| (1..=10_000).contains(p))
                    .ok_or_else(|| "Pages start at 1.".to_owned()),
            )
            .unwrap_or(1),
    };
    for (field, text, max) in [("q", &q.q, 200), ("topic", &q.topic, 40)] {
        e.check(field, domain::profile::check_text(text, max));
    }
    e.into_result().map(|()| (Search::new(&q.q, &q.topic, near, radius, virtual_only), page))
}

fn place(is_virtual: bool, city_id: Option<i64>) -> Place {
    match (is_virtual, city_id.and_then(|id| Gazetteer::bundled().get(id))) {
        (true, _) => Place::Virtual,
        (false, Some(c)) => Place::At((c.lat, c.lon)),
        (false, None) => Place::Unknown,
    }
}

/// Finds what `me` may discover; a visitor (`None`) finds what is shown to visitors, with times
/// in each event's own zone.
pub async fn search(
    state: &AppState,
    me: Option<&User>,
    q: &DiscoverQuery,
) -> Result<DiscoverPage, AppError> {
    let (search, page) = parse(q)?;
    let now = Utc::now();
    let horizon = now + TimeDelta::days(HORIZON_DAYS);
    let (from, to) = (now.timestamp_millis(), horizon.timestamp_millis());
    let (events, groups) = match me {
        Some(me) => (state.db.events_between(&me.id, from, to).await?, state.db.visible_groups().await?),
        None if crate::visitors::enabled(state).await? => {
            let shown: std::collections::HashSet<String> =
                state.db.visitor_groups().await?.into_iter().map(|(g, _)| g.id).collect();
            let mut groups = state.db.visible_groups().await?;
            groups.retain(|(g, _)| shown.contains(&g.id));
            (state.db.visitor_events(from, to, None).await?, groups)
        }
        None => (Vec::new(), Vec::new()),
    };
    let when = |t: chrono::DateTime<Utc>, zone: &str| match me {
        Some(me) => crate::events::view::when(t, &me.timezone, zone),
        None => crate::events::view::when_there(t, zone),
    };
    let names: HashMap<&str, &str> = groups.iter().map(|(g, _)| (g.id.as_str(), g.name.as_str())).collect();
    let topics: HashMap<&str, &[String]> =
        groups.iter().map(|(g, t)| (g.id.as_str(), t.as_slice())).collect();
    let mut group_next: HashMap<String, i64> = HashMap::new();
    let mut items: Vec<(Item, DiscoverItem)> = Vec::new();
    for e in events {
        let overrides = state.db.overrides(&e.id).await?;
        let Some(next) =
            crate::events::series::expand(&e, &overrides, now, horizon).into_iter().find(|o| !o.cancelled)
        else {
            continue;
        };
        let start = next.start.timestamp_millis();
        if let Some(g) = &e.group_id {
            let slot = group_next.entry(g.clone()).or_insert(start);
            *slot = (*slot).min(start);
        }
        if e.visibility != "public" {
            continue;
        }
        let group = e.group_id.as_deref().and_then(|g| names.get(g).copied());
        let event_topics = e.group_id.as_deref().and_then(|g| topics.get(g).copied()).unwrap_or(&[]).to_vec();
        let item = Item {
            name: e.title.clone(),
            text: format!("{} {} {}", e.description, e.city_label, group.unwrap_or("")),
            topics: event_topics.clone(),
            place: place(e.is_virtual == 1, e.city_id),
            next_start: Some(start),
        };
        let shown = DiscoverItem {
            kind: "event".into(),
            id: e.id.clone(),
            name: e.title.clone(),
            summary: crate::web::markdown::excerpt(&e.description, 160),
            topics: event_topics,
            is_virtual: e.is_virtual == 1,
            city: (e.is_virtual == 0).then(|| e.city_label.clone()),
            distance_km: None,
            next: Some(rfc3339(start)),
            next_when: Some(when(next.start, &e.time_zone)),
            detail: group.map(str::to_owned),
            url: format!("/events/{}?at={}", e.id, next.key),
        };
        items.push((item, shown));
    }
    for (g, t) in &groups {
        let next = group_next.get(&g.id).copied();
        let item = Item {
            name: g.name.clone(),
            text: format!("{} {}", g.description, g.city_label),
            topics: t.clone(),
            place: place(g.is_virtual == 1, g.city_id),
            next_start: next,
        };
        let shown = DiscoverItem {
            kind: "group".into(),
            id: g.id.clone(),
            name: g.name.clone(),
            summary: crate::web::markdown::excerpt(&g.description, 160),
            topics: t.clone(),
            is_virtual: g.is_virtual == 1,
            city: (g.is_virtual == 0).then(|| g.city_label.clone()),
            distance_km: None,
            next: next.map(rfc3339),
            next_when: next.and_then(chrono::DateTime::from_timestamp_millis).map(|t| when(t, &g.time_zone)),
            detail: Some(g.visibility.clone()),
            url: format!("/groups/{}", g.id),
        };
        items.push((item, shown));
    }
    let (searchable, shown): (Vec<Item>, Vec<DiscoverItem>) = items.into_iter().unzip();
    let hits = discovery::find(&searchable, &search);
    let total = hits.len();
    let page_items = hits
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|h| DiscoverItem { distance_km: h.distance_km.map(rounded_km), ..shown[h.index].clone() })
        .collect();
    Ok(DiscoverPage {
        items: page_items,
        total,
        page,
        next_page: (total > page * PER_PAGE).then_some(page + 1),
    })
}

/// `GET /discover`.
pub async fn page(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<DiscoverQuery>,
) -> PageResult {
    let (results, errors, status) = match search(&state, me.as_ref(), &q).await {
        Ok(r) => (Some(r), None, StatusCode::OK),
        Err(AppError::Invalid(e)) => {
            (None, Some(crate::accounts::pages::error_map(&e)), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let next_link = results.as_ref().and_then(|r| r.next_page).map(|p| {
        let mut next = q.clone();
        next.page = p.to_string();
        serde_urlencoded::to_string(&next).unwrap_or_default()
    });
    let ctx = context! { values => q, results, errors, next_link };
    Ok((status, templates::page("discover.html", me.as_ref(), &csrf, ctx)?).into_response())
}

/// Finds groups (not invite-only) and public events, soonest first.
#[utoipa::path(get, path = "/api/v1/discover", tag = "groups", security(("bearer" = [])), params(DiscoverQuery),
    responses((status = 200, body = DiscoverPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<DiscoverQuery>,
) -> ApiResult<Json<DiscoverPage>> {
    Ok(Json(search(&state, Some(&me), &q).await?))
}
