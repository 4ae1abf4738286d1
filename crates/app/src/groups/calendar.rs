//! A group's events: what's coming up (page and API), its calendar file for members' calendar
//! apps (with a bearer token, or a secret per-member feed URL), all filtered by what the person
//! asking may see of the group.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use minijinja::context;
use serde::Serialize;
use store::events::Event;
use store::users::User;

use super::{access, Access};
use crate::error::{ApiResult, AppError, PageResult};
use crate::events::api::{ListedOccurrence, OccurrenceList, Window};
use crate::events::ics::{calendar, IcsEvent};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::secrets::{hash_token, random_token};
use crate::web::templates;

/// Group feed tokens start with this, so a leaked one is easy to recognise.
const FEED_PREFIX: &str = "algrp_";
/// How far back a group feed reaches.
const FEED_PAST_DAYS: i64 = 90;

/// The events of the group that `a`'s viewer may open (blocked hosts left out).
pub async fn events(
    state: &AppState,
    me: &User,
    a: &Access,
    from: i64,
    to: i64,
) -> Result<Vec<Event>, AppError> {
    let members_only = !a.is_member();
    let blocked: std::collections::HashSet<String> =
        state.db.blocked_either_way_of(&me.id).await?.into_iter().collect();
    let mut out = Vec::new();
    for e in state.db.group_events(&a.group.id, from, to).await? {
        let hidden =
            members_only && e.host_id != me.id && (e.visibility == "group" || a.group.visibility == "invite");
        if hidden || (e.host_id != me.id && blocked.contains(&e.host_id)) {
            continue;
        }
        out.push(e);
    }
    Ok(out)
}

/// One upcoming date of a group event.
#[derive(Debug, Clone, Serialize)]
pub struct GroupOccurrence {
    pub event_id: String,
    pub key: i64,
    pub title: String,
    pub when: String,
    pub cancelled: bool,
    pub is_virtual: bool,
    pub place: String,
    pub members_only: bool,
    /// The date badge's day of the month and month, on the member's clock.
    pub day: String,
    pub month: String,
    #[serde(skip)]
    pub host_id: String,
    #[serde(skip)]
    pub start: DateTime<Utc>,
}

/// The group's next `limit` dates within `days`, soonest first.
pub async fn upcoming(
    state: &AppState,
    me: &User,
    a: &Access,
    days: i64,
    limit: usize,
) -> Result<Vec<GroupOccurrence>, AppError> {
    let from = Utc::now();
    let to = from + TimeDelta::days(days);
    let mut out = Vec::new();
    let events = events(state, me, a, from.timestamp_millis(), to.timestamp_millis()).await?;
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let overrides = state.db.overrides_of(&ids, crate::events::series::keys_of(from, to)).await?;
    let zone = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    for e in events {
        let overrides = overrides.get(&e.id).map_or(&[][..], Vec::as_slice);
        for o in crate::events::series::expand(&e, overrides, from, to) {
            let (day, month) = crate::web::dates::badge(o.start, zone);
            out.push(GroupOccurrence {
                day,
                month,
                host_id: e.host_id.clone(),
                event_id: e.id.clone(),
                key: o.key,
                title: o.title.clone(),
                when: crate::events::view::when(o.start, &me.timezone, &e.time_zone),
                cancelled: o.cancelled,
                is_virtual: e.is_virtual == 1,
                place: if e.is_virtual == 1 {
                    "Online".into()
                } else {
                    format!("{}, {}", e.place_name, e.city_label)
                },
                members_only: e.visibility == "group",
                start: o.start,
            });
        }
    }
    out.sort_by_key(|o| o.start);
    out.truncate(limit);
    Ok(out)
}

/// `GET /groups/{id}/calendar`: the next three months.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    jar: axum_extra::extract::CookieJar,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let feed_url = crate::web::once::take(&state, &jar, &format!("group-feed:{id}")).await?;
    render(&state, &me, &csrf, &a, context! { feed_url }).await
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    extra: minijinja::Value,
) -> PageResult {
    let dates = upcoming(state, me, a, 92, 200).await?;
    let ctx = context! { group => a.group, dates, can_take => a.can(domain::groups::Action::Take), ..extra };
    Ok(templates::page("group_calendar.html", Some(me), csrf, ctx)?.into_response())
}

/// `POST /groups/{id}/calendar-feed`: a new secret feed URL of this group's calendar for me,
/// shown once on the calendar page it redirects to (any earlier one of mine stops working).
pub async fn feed_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    jar: axum_extra::extract::CookieJar,
    _form: Posted<std::collections::HashMap<String, String>>,
) -> PageResult {
    access(&state, &me, &id).await?;
    let token = format!("{FEED_PREFIX}{}", random_token());
    state.db.set_group_feed(&id, &me.id, &hash_token(&token), now_ms()).await?;
    let url = format!("{}/feeds/group/{token}/calendar.ics", state.config.public_url());
    crate::web::once::keep(&state, &jar, &format!("group-feed:{id}"), &url).await?;
    Ok(Redirect::to(&format!("/groups/{id}/calendar#subscribe")).into_response())
}

/// The calendar file of what `me` may see of the group (whole series, the recent past included),
/// answered conditionally and kept rendered: it changes with the group's events and with what
/// `me` may see (their memberships and blocks).
async fn versioned_file(
    state: &AppState,
    headers: &HeaderMap,
    me: &User,
    a: &Access,
) -> Result<Response, AppError> {
    let scopes = [format!("g:{}", a.group.id), format!("u:{}", me.id)];
    let what = format!("group:{}:{}", a.group.id, me.id);
    crate::events::feeds::versioned_ics(state, headers, &what, &scopes, None, |day| async move {
        // Read afresh, after the versions.
        let a = access(state, me, &a.group.id).await?;
        file(state, me, &a, day).await
    })
    .await
}

/// The calendar file of what `me` may see of the group as of `day`.
async fn file(state: &AppState, me: &User, a: &Access, day: DateTime<Utc>) -> Result<String, AppError> {
    let from = (day - TimeDelta::days(FEED_PAST_DAYS)).timestamp_millis();
    let rows = events(state, me, a, from, i64::MAX).await?;
    let mut loaded = Vec::with_capacity(rows.len());
    for e in &rows {
        let host = state.db.user(&e.host_id).await?.map(|u| u.display_name).unwrap_or_default();
        let places = crate::venues::rotation_places(state, e).await?;
        loaded.push((state.db.overrides(&e.id).await?, host, places));
    }
    let items: Vec<IcsEvent<'_>> = rows
        .iter()
        .zip(&loaded)
        .map(|(e, (o, h, places))| IcsEvent { event: e, overrides: o, host_name: h, only: None, places })
        .collect();
    Ok(calendar(&items, &a.group.name, &state.config.public_url(), day))
}

/// `GET /feeds/group/{token}/calendar.ics`: the secret group feed calendar apps subscribe to.
/// It shows what its member may see now: after they leave an invite-only group it is gone.
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (group, user) = state.db.group_feed(&hash_token(&token)).await?.ok_or(AppError::NotFound)?;
    let a = access(&state, &user, &group).await?;
    versioned_file(&state, &headers, &user, &a).await
}

/// A group's calendar as an .ics file: every series of the group I may see.
#[utoipa::path(get, path = "/api/v1/groups/{id}/calendar.ics", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn ics_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = access(&state, &me, &id).await?;
    versioned_file(&state, &headers, &me, &a).await
}

/// A group's upcoming occurrences in a window (default the next 30 days), soonest first.
#[utoipa::path(get, path = "/api/v1/groups/{id}/events", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path), Window),
    responses((status = 200, body = OccurrenceList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn events_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<OccurrenceList>> {
    let a = access(&state, &me, &id).await?;
    let (from, to) = crate::events::api::window(&w)?;
    let mut items = Vec::new();
    let events = events(&state, &me, &a, from.timestamp_millis(), to.timestamp_millis()).await?;
    let all = crate::events::occurrences_of(&state, &me, &events, from, to).await?;
    for (e, occurrences) in events.iter().zip(all) {
        for o in occurrences {
            items.push(ListedOccurrence { event_id: e.id.clone(), occurrence: o });
        }
    }
    items.sort_by(|x, y| x.occurrence.start.cmp(&y.occurrence.start));
    Ok(Json(OccurrenceList { items }))
}
