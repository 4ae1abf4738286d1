//! A host's work on one date: changing it (moved, retitled, lengthened or cancelled; the page and
//! `PATCH /api/v1/events/{id}/occurrences/{start}` share [`patch`]), and a message to everyone
//! going to it, at most [`MESSAGES_PER_DAY`] a day for each date.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use chrono::Utc;
use domain::notices::Kind;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::broadcasts::Scope;
use store::events::{Event, Override};
use store::users::User;
use store::StoreError;
use utoipa::ToSchema;

use super::api::OccurrencePatch;
use super::input::{format_local, parse_local};
use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;
use crate::web::now_ms;

/// Messages a host may send to one date's people in a day.
pub const MESSAGES_PER_DAY: i64 = 3;
/// The longest message.
pub const MAX_MESSAGE: usize = 1000;

/// Applies `p` to the date of `e` keyed `key` and tells those who answered it (`change_date`);
/// true when the date changed.
pub async fn patch(state: &AppState, e: &Event, key: i64, p: &OccurrencePatch) -> Result<bool, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let occ = super::series::find(e, &overrides, key).ok_or_else(|| {
        AppError::Invalid(FieldErrors::one("occurrence_start", "This event has no occurrence at that time."))
    })?;
    let mut o = overrides.into_iter().find(|o| o.occurrence_start == key).unwrap_or(Override {
        occurrence_start: key,
        cancelled: 0,
        start_local: None,
        duration_minutes: None,
        title: None,
    });
    let mut errors = FieldErrors::new();
    if let Some(c) = p.cancelled {
        o.cancelled = i64::from(c);
    }
    if let Some(t) = &p.title {
        match domain::profile::check_name(t, 120) {
            Ok(t) if !t.is_empty() => o.title = Some(t),
            Ok(_) => errors.add("title", "Give the occurrence a title."),
            Err(d) => errors.add("title", d),
        }
    }
    if let Some(s) = &p.starts_at_local {
        let zone: chrono_tz::Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let original = chrono::DateTime::from_timestamp_millis(key).unwrap_or_default();
        match parse_local(s) {
            Some(t) if super::input::YEARS.contains(&chrono::Datelike::year(&t)) => {
                let at = domain::recurrence::resolve(zone, t);
                // Every list, reminder and feed finds a date near its place in the series; a
                // bigger change is a new date (cancel this one) or new times from it on.
                if (at - original).num_minutes().abs() > 24 * 60 {
                    errors.add(
                        "starts_at_local",
                        "Move a date by a day at most. For more, cancel it and plan another date, or change \
                         the dates from this one on.",
                    );
                } else if at <= Utc::now() && occ.end > Utc::now() && Some(format_local(t)) != o.start_local {
                    errors.add("starts_at_local", "Choose a time still to come.");
                } else {
                    o.start_local = Some(format_local(t));
                }
            }
            _ => errors.add("starts_at_local", "Give the start as date and time, like 2026-03-25T18:00."),
        }
    }
    if let Some(m) = p.duration_minutes {
        if (5..=1440).contains(&m) {
            o.duration_minutes = Some(m);
        } else {
            errors.add("duration_minutes", "Events last from 5 minutes to 24 hours.");
        }
    }
    errors.into_result()?;
    super::change_date(state, e, &o).await
}

/// The move form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    at: String,
    starts_at_local: String,
    duration_minutes: String,
}

/// `POST /events/{id}/move-occurrence` (host): a new start (and length) for one date.
pub async fn move_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<MoveForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    let overrides = state.db.overrides(&e.id).await?;
    if super::series::find(&e, &overrides, key).is_none_or(|o| o.cancelled) {
        return Err(AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "A cancelled date cannot be moved.",
        ))
        .into());
    }
    let minutes = form.duration_minutes.trim();
    let patch = OccurrencePatch {
        starts_at_local: Some(form.starts_at_local.clone()),
        // Blank keeps the length; anything else that is not a number of minutes is refused.
        duration_minutes: match minutes {
            "" => None,
            m => Some(m.parse().unwrap_or(0)),
        },
        ..OccurrencePatch::default()
    };
    match self::patch(&state, &e, key, &patch).await {
        Ok(changed) => {
            let notice = if changed { "moved" } else { "unchanged" };
            Ok(Redirect::to(&format!("/events/{id}?at={key}&notice={notice}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let extra = context! { move_values => form, move_errors => error_map(&errors) };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            super::pages::render(&state, &me, &csrf, &id, Some(key), "", extra, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Sends `body` from the host to everyone going to the date keyed `key`; returns how many.
pub async fn message_going(
    state: &AppState,
    host: &User,
    e: &Event,
    key: i64,
    body: &str,
) -> Result<usize, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let occ = super::series::find(e, &overrides, key).filter(|o| !o.cancelled && o.end > Utc::now());
    let occ = occ.ok_or_else(|| {
        AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "Only a date still to come can have a message.",
        ))
    })?;
    let body = match domain::profile::check_text(body, MAX_MESSAGE) {
        Ok(b) if b.is_empty() => Err("Write what you want to tell them.".to_owned()),
        other => other,
    }
    .map_err(|d| AppError::Invalid(FieldErrors::one("body", d)))?;
    let scope = Scope::Date(&e.id, key);
    match state.db.create_broadcast(scope, &host.id, &body, MESSAGES_PER_DAY, now_ms()).await {
        Err(StoreError::Conflict("limit")) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "body",
                format!("A date takes at most {MESSAGES_PER_DAY} messages a day. Try again tomorrow."),
            )))
        }
        Err(StoreError::Conflict("repeat")) => {
            return Err(AppError::Invalid(FieldErrors::one("body", "This was just sent: it went out once.")))
        }
        other => other?,
    };
    let link = format!("/events/{}?at={key}", e.id);
    let mut told = 0;
    for r in state.db.rsvps(&e.id, key).await? {
        if r.status != "going"
            || r.user_id == host.id
            || state.db.blocked_either_way(&r.user_id, &host.id).await?
        {
            continue;
        }
        let Some(u) = state.db.user(&r.user_id).await? else { continue };
        let when =
            crate::web::dates::on_clock(&u.clock, || super::view::when(occ.start, &u.timezone, &e.time_zone));
        let title = format!("{} about {} on {when}", host.display_name, occ.title);
        let text = format!(
            "Hello {},\n\n{}, who hosts \"{}\" on {when}, wrote to everyone going:\n\n{body}\n\n{}{link}\n",
            u.display_name,
            host.display_name,
            occ.title,
            state.config.public_url()
        );
        let mail = crate::notifications::Mail { subject: &title, body: &text };
        // News about a date within two days cannot wait for a digest.
        let soon = occ.start - Utc::now() < chrono::TimeDelta::hours(48);
        crate::notifications::send_as(state, &u.id, Kind::HostMessage, &title, &link, Some(mail), soon)
            .await?;
        told += 1;
    }
    Ok(told)
}

/// The message form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MessageForm {
    at: String,
    body: String,
}

/// `POST /events/{id}/message` (host): a message to everyone going to one date.
pub async fn message_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<MessageForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    match message_going(&state, &me, &e, key, &form.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?at={key}&notice=messaged")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let extra = context! { message_values => form, message_errors => error_map(&errors) };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            super::pages::render(&state, &me, &csrf, &id, Some(key), "", extra, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A message to the people going to one date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// At most 1,000 characters.
    #[serde(default)]
    pub body: String,
}

/// How many it went to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageSent {
    pub sent_to: usize,
}

/// Sends a message to everyone going to one date (host only; at most 3 a day per date).
#[utoipa::path(post, path = "/api/v1/events/{id}/occurrences/{start}/message", tag = "events", security(("bearer" = [])),
    request_body = MessageInput, params(("id" = String, Path), ("start" = String, Path)),
    responses((status = 200, body = MessageSent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn message_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, start)): Path<(String, String)>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Json<MessageSent>> {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&start)?;
    let sent_to = message_going(&state, &me, &e, key, &input.body).await?;
    Ok(Json(MessageSent { sent_to }))
}
