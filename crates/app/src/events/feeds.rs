//! Calendar files over HTTP: the `.ics` of one event, and each member's secret feed of what they
//! host or go to, with the settings to make a new feed URL (which revokes the old) or turn it off.
//! The files themselves are written by [`super::ics`]. Every calendar file (groups' too) is
//! answered conditionally and kept rendered by the versions of what it shows
//! ([`crate::web::cached`]), after the access to it is checked afresh.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use store::events::{Event, Override};
use store::feed_versions::FeedKey;
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use super::ics::{calendar, IcsEvent};
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser, MaybeUser};
use crate::web::cached::{Kind, Versioned};
use crate::web::csrf::Posted;
use crate::web::now_ms;
use crate::web::secrets::{hash_token, random_token};

/// Feed tokens start with this, so a leaked one is easy to recognise.
const FEED_PREFIX: &str = "alcal_";
/// How far back a feed reaches, so a calendar app keeps the recent past.
const FEED_PAST_DAYS: i64 = 90;

/// How calendar files are served.
const CALENDAR: Kind =
    Kind { content_type: "text/calendar; charset=utf-8", cache_control: "private, max-age=300" };

/// The start of today (UTC): what calendar files are rendered as of, so a day's are the same.
pub fn today() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::days(1)).unwrap_or(now)
}

/// The calendar file `what` (a kind and ids), as of the versions of `scopes` (every scope whose
/// data it shows): 304 when the client has it, kept rendered otherwise; `render` is given the
/// day to render for. `download` names the file to save it as. The caller has checked access.
pub async fn versioned_ics<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    what: &str,
    scopes: &[String],
    download: Option<&str>,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce(DateTime<Utc>) -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    // The versions first, the data after: a body is never older than what it is kept under.
    let versions = state.db.feed_versions(scopes).await?;
    respond_ics(state, headers, what, &versions, download, render).await
}

/// [`versioned_ics`] with the versions already read (with the reader's access, say).
async fn respond_ics<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    what: &str,
    versions: &store::feed_versions::Versions,
    download: Option<&str>,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce(DateTime<Utc>) -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    let day = today();
    let v = Versioned::new(what, versions, day);
    let disposition =
        download.map(|name| (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.ics\"")));
    state.feeds.respond(headers, &v, CALENDAR, disposition.as_slice(), || render(day)).await
}

/// A file name made of the title's letters and digits.
fn file_name(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(60).collect::<String>();
    if out.is_empty() {
        "event".to_owned()
    } else {
        out
    }
}

/// `GET /events/{id}/event.ics`: the whole event or series, for "add to calendar".
pub async fn event_file(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let e = match me {
        Some(me) => super::visible(&state, &me, &id).await?,
        // A visitor gets the file of an event shown to visitors, and nothing else.
        None if crate::visitors::enabled(&state).await? => {
            state.db.visitor_event(&id).await?.ok_or(AppError::Unauthorized)?
        }
        None => return Err(AppError::Unauthorized.into()),
    };
    let scopes = [format!("e:{}", e.id)];
    let name = file_name(&e.title);
    let (state, event_id) = (&state, e.id.as_str());
    let render = move |day| async move {
        // Read afresh, after the versions.
        let e = state.db.event(event_id).await?.ok_or(AppError::NotFound)?;
        let overrides = state.db.overrides(&e.id).await?;
        let host = state.db.user(&e.host_id).await?.map(|u| u.display_name).unwrap_or_default();
        let places = crate::venues::rotation_places(state, &e).await?;
        let item =
            IcsEvent { event: &e, overrides: &overrides, host_name: &host, only: None, places: &places };
        Ok(calendar(&[item], &e.title, &state.config.public_url(), day))
    };
    Ok(versioned_ics(state, &headers, &format!("event:{id}"), &scopes, Some(&name), render).await?)
}

/// An event loaded for a feed: the row, its overrides, its host's name, unless hosted the
/// occurrences to include, and the places of its rotation.
type FeedRow = (Event, Vec<Override>, String, Option<Vec<i64>>, Vec<String>);

/// A member's own feed, asked for by `key`: their access and the feed's version in one read,
/// then answered conditionally and kept rendered; `missing` for a key that is not live.
async fn member_feed(
    state: &AppState,
    headers: &HeaderMap,
    key: FeedKey<'_>,
    missing: AppError,
) -> Result<Response, AppError> {
    let (user, versions) = state.db.feed_reader(key, now_ms()).await?.ok_or(missing)?;
    let what = format!("member:{}", user.id);
    respond_ics(state, headers, &what, &versions, None, |day| feed_for(state, &user.id, day)).await
}

/// What goes into the feed of member `id` as of `day`: the series they host whole, and of
/// others' events the occurrences they answered going or maybe, each on its own.
async fn feed_for(state: &AppState, id: &str, day: DateTime<Utc>) -> Result<String, AppError> {
    // Read afresh, after the versions (the name is in the file).
    let user = state.db.user(id).await?.ok_or(AppError::NotFound)?;
    let from = (day - TimeDelta::days(FEED_PAST_DAYS)).timestamp_millis();
    let mut rows: Vec<FeedRow> = Vec::new();
    let store::feeds::Feed { events, mut overrides, mut answers, host_names: hosts } =
        state.db.feed_contents(&user.id, from).await?;
    for e in events {
        let hosting = e.host_id == user.id;
        let only = if hosting {
            None
        } else {
            let mine = answers.remove(&e.id).unwrap_or_default();
            Some(
                mine.into_iter()
                    .filter(|(key, status)| *key >= from && matches!(status.as_str(), "going" | "maybe"))
                    .map(|(key, _)| key)
                    .collect(),
            )
        };
        let host = hosts.get(&e.host_id).cloned().unwrap_or_default();
        let overrides = overrides.remove(&e.id).unwrap_or_default();
        let places = crate::venues::rotation_places(state, &e).await?;
        rows.push((e, overrides, host, only, places));
    }
    let items: Vec<IcsEvent<'_>> = rows
        .iter()
        .map(|(e, o, h, only, places)| IcsEvent {
            event: e,
            overrides: o,
            host_name: h,
            only: only.as_deref(),
            places,
        })
        .collect();
    Ok(calendar(&items, &format!("Alongside: {}", user.display_name), &state.config.public_url(), day))
}

/// `GET /feeds/{token}/calendar.ics`: the secret feed calendar apps subscribe to.
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    member_feed(&state, &headers, FeedKey::FeedUrl(&hash_token(&token)), AppError::NotFound).await
}

/// The secret feed token, for clients that cannot send a bearer token.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FeedQuery {
    /// The token from the feed URL.
    pub token: String,
}

/// My calendar: what I host and what I answered going or maybe, as an .ics feed. Authenticate
/// with a bearer token or with `?token=` (the secret part of the feed URL).
#[utoipa::path(get, path = "/api/v1/me/calendar.ics", tag = "events", security(("bearer" = []), ()),
    params(FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody)))]
pub async fn my_calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    // The bearer token (read here rather than by `ApiUser`, so the access and the feed's
    // version come in one statement), else the secret feed token.
    let bearer = crate::web::auth::bearer_token(&headers).map(hash_token);
    let secret = (!q.token.is_empty()).then(|| hash_token(&q.token));
    let key = match (&bearer, &secret) {
        (Some(h), _) => FeedKey::ApiToken(h),
        (None, _) if headers.contains_key(header::AUTHORIZATION) => return Err(AppError::Unauthorized),
        (None, Some(h)) => FeedKey::FeedUrl(h),
        (None, None) => return Err(AppError::Unauthorized),
    };
    member_feed(&state, &headers, key, AppError::Unauthorized).await
}

/// Makes a new secret feed (the old URL stops working) and returns its URL.
pub async fn new_feed(state: &AppState, user: &User) -> Result<String, AppError> {
    let token = format!("{FEED_PREFIX}{}", random_token());
    state.db.set_feed(&user.id, &hash_token(&token), now_ms()).await?;
    Ok(format!("{}/feeds/{token}/calendar.ics", state.config.public_url()))
}

/// A new feed URL, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedUrl {
    /// Subscribe to this in a calendar app. Keep it secret: anyone with it can read your calendar.
    pub url: String,
}

/// Makes a new secret feed URL for my calendar; any earlier one stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "events", security(("bearer" = [])),
    responses((status = 201, body = FeedUrl), (status = 401, body = ErrorBody)))]
pub async fn create_feed_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(FeedUrl { url: new_feed(&state, &me).await? })))
}

/// Turns my secret feed off.
#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", tag = "events", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_feed_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<StatusCode> {
    if !state.db.revoke_feed(&me.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedForm {
    action: String,
}

/// `POST /settings/calendar-feed`: `action=new` makes a new URL, shown once on the settings page;
/// `action=off` revokes.
pub async fn settings_feed(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    jar: axum_extra::extract::CookieJar,
    Posted { form, .. }: Posted<FeedForm>,
) -> PageResult {
    match form.action.as_str() {
        "new" => {
            let url = new_feed(&state, &me).await?;
            crate::web::once::keep(&state, &jar, "feed", &url).await?;
            Ok(Redirect::to("/settings#calendar").into_response())
        }
        "off" => {
            state.db.revoke_feed(&me.id).await?;
            Ok(Redirect::to("/settings#calendar").into_response())
        }
        _ => Err(AppError::Invalid(domain::FieldErrors::one("action", "Choose new or off.")).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_keep_letters_and_digits() {
        assert_eq!(file_name("Fortnightly Cowork @ Café Lumen!"), "fortnightly-cowork-caf-lumen");
        assert_eq!(file_name("***"), "event");
    }
}
