//! Event endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::EventInput;
use super::view::{EventView, OccurrenceView};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// Creates an event or a recurring series.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", security(("bearer" = [])), request_body = EventInput,
    responses((status = 201, body = EventView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<impl IntoResponse> {
    let e = super::create(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(super::view(&state, &me, &e, 5).await?)))
}

/// A time window; defaults to the next 30 days, at most 366 days.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Window {
    /// RFC 3339 instant (inclusive); default now.
    pub from: String,
    /// RFC 3339 instant (exclusive), at most 366 days after `from`; default 30 days after it.
    pub to: String,
}

pub fn window(w: &Window) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    let mut errors = FieldErrors::new();
    let mut parse = |field: &str, s: &str, default: DateTime<Utc>| {
        if s.is_empty() {
            return default;
        }
        let parsed = DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
        parsed.filter(|t| super::input::sane_instant(*t)).unwrap_or_else(|| {
            errors.add(field, "Use an RFC 3339 time, like 2026-03-25T18:00:00Z.");
            default
        })
    };
    let from = parse("from", &w.from, Utc::now());
    let to = parse("to", &w.to, from + TimeDelta::days(30));
    if to <= from {
        errors.add("to", "The window must end after it starts.");
    } else if to - from > TimeDelta::days(super::MAX_WINDOW_DAYS) {
        errors.add("to", "Ask for at most 366 days at a time.");
    }
    errors.into_result().map(|()| (from, to)).map_err(AppError::Invalid)
}

/// One occurrence in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedOccurrence {
    pub event_id: String,
    #[serde(flatten)]
    pub occurrence: OccurrenceView,
}

/// Occurrences.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceList {
    pub items: Vec<ListedOccurrence>,
}

/// Occurrences of the events I may see (public, mine, answered) in a window, soonest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = [])), params(Window),
    responses((status = 200, body = OccurrenceList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<OccurrenceList>> {
    let (from, to) = window(&w)?;
    let mut items = Vec::new();
    let events = state.db.events_between(&me.id, from.timestamp_millis(), to.timestamp_millis()).await?;
    let all = super::occurrences_of(&state, &me, &events, from, to).await?;
    for (e, occurrences) in events.iter().zip(all) {
        for o in occurrences {
            items.push(ListedOccurrence { event_id: e.id.clone(), occurrence: o });
        }
    }
    items.sort_by(|a, b| a.occurrence.start.cmp(&b.occurrence.start));
    Ok(Json(OccurrenceList { items }))
}

/// An event.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = EventView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<EventView>> {
    let e = super::visible(&state, &me, &id).await?;
    Ok(Json(super::view(&state, &me, &e, 5).await?))
}

/// Changes the whole series (host only); fields left out stay.
#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "events", security(("bearer" = [])), request_body = EventInput,
    params(("id" = String, Path)), responses((status = 200, body = EventView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Json<EventView>> {
    let e = super::hosted(&state, &me, &id).await?;
    let e = super::update(&state, &e, &input).await?;
    Ok(Json(super::view(&state, &me, &e, 5).await?))
}

/// Deletes the event and every occurrence (host only).
#[utoipa::path(delete, path = "/api/v1/events/{id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let e = super::hosted(&state, &me, &id).await?;
    super::delete(&state, &e).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Occurrences of one event in a window, with seats taken and my answer.
#[utoipa::path(get, path = "/api/v1/events/{id}/occurrences", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), Window), responses((status = 200, body = OccurrenceList), (status = 404, body = ErrorBody)))]
pub async fn occurrences(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<OccurrenceList>> {
    let e = super::visible(&state, &me, &id).await?;
    let (from, to) = window(&w)?;
    let items = super::occurrences(&state, &me, &e, from, to)
        .await?
        .into_iter()
        .map(|o| ListedOccurrence { event_id: e.id.clone(), occurrence: o })
        .collect();
    Ok(Json(OccurrenceList { items }))
}

/// A change to one occurrence.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrencePatch {
    /// true cancels this occurrence only.
    pub cancelled: Option<bool>,
    pub title: Option<String>,
    /// Move this occurrence (local time in the event's zone).
    pub starts_at_local: Option<String>,
    pub duration_minutes: Option<i64>,
}

/// Changes or cancels one occurrence (host only); `{start}` is its `occurrence_start`.
#[utoipa::path(patch, path = "/api/v1/events/{id}/occurrences/{start}", tag = "events", security(("bearer" = [])), request_body = OccurrencePatch,
    params(("id" = String, Path), ("start" = String, Path)), responses((status = 200, body = OccurrenceView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_occurrence(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, start)): Path<(String, String)>,
    ApiJson(p): ApiJson<OccurrencePatch>,
) -> ApiResult<Json<OccurrenceView>> {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&start)?;
    super::one_date::patch(&state, &e, key, &p).await?;
    let overrides = state.db.overrides(&e.id).await?;
    let occ = super::series::find(&e, &overrides, key).ok_or(AppError::NotFound)?;
    let counts = state.db.rsvp_counts(&e.id).await?;
    let mine = state.db.my_rsvps(&e.id, &me.id).await?;
    Ok(Json(OccurrenceView::new(&occ, &counts, &mine)))
}

/// "This and following": the occurrence to split at and the changes for it and later ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// The first occurrence to change (its `occurrence_start`).
    #[serde(default)]
    pub occurrence_start: String,
    #[serde(default)]
    pub changes: EventInput,
}

/// Changes an occurrence and all later ones (host only): the series is split there and the
/// later part becomes a new event, which is returned.
#[utoipa::path(post, path = "/api/v1/events/{id}/split", tag = "events", security(("bearer" = [])), request_body = SplitRequest,
    params(("id" = String, Path)), responses((status = 201, body = EventView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn split(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<SplitRequest>,
) -> ApiResult<impl IntoResponse> {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&r.occurrence_start)?;
    let tail = super::edit::split(&state, &e, key, &r.changes).await?;
    Ok((StatusCode::CREATED, Json(super::view(&state, &me, &tail, 5).await?)))
}

/// Ending a series.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// The first date (in the event's zone) with no more occurrences, e.g. "2027-06-01".
    #[serde(default)]
    pub from_date: String,
}

/// Cancels the series from a date on (host only). 200 with the shortened event, or 204 when
/// nothing was left and the event was deleted.
#[utoipa::path(post, path = "/api/v1/events/{id}/end", tag = "events", security(("bearer" = [])), request_body = EndRequest,
    params(("id" = String, Path)), responses((status = 200, body = EventView), (status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<EndRequest>,
) -> ApiResult<axum::response::Response> {
    let e = super::hosted(&state, &me, &id).await?;
    let date = chrono::NaiveDate::parse_from_str(r.from_date.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| super::input::YEARS.contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("from_date", "Give a date like 2027-06-01.")))?;
    Ok(match super::edit::end_from(&state, &e, date).await? {
        Some(e) => Json(super::view(&state, &me, &e, 5).await?).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// An answer for one occurrence.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpRequest {
    /// The occurrence's `occurrence_start` (RFC 3339).
    #[serde(default)]
    pub occurrence_start: String,
    /// going | maybe | declined
    #[serde(default)]
    pub status: String,
    /// What I'll work on (shown to the other attendees).
    pub goal: Option<String>,
}

/// The resulting status.
#[derive(Debug, Serialize, ToSchema)]
pub struct RsvpResult {
    /// going | maybe | declined | waitlisted
    pub status: String,
}

/// Answers for one occurrence; with the seats all taken, "going" puts me on the waitlist.
#[utoipa::path(put, path = "/api/v1/events/{id}/rsvp", tag = "events", security(("bearer" = [])), request_body = RsvpRequest,
    params(("id" = String, Path)), responses((status = 200, body = RsvpResult), (status = 422, body = ErrorBody)))]
pub async fn rsvp(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<RsvpRequest>,
) -> ApiResult<Json<RsvpResult>> {
    let e = super::visible(&state, &me, &id).await?;
    let key = super::parse_key(&r.occurrence_start)?;
    let answer = super::parse_answer(&r.status)?;
    let status = super::answer(&state, &me, &e, key, answer, r.goal.as_deref()).await?;
    Ok(Json(RsvpResult { status }))
}

/// Ticking my goal for an occurrence done or not.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalRequest {
    #[serde(default)]
    pub occurrence_start: String,
    #[serde(default)]
    pub done: bool,
}

/// Ticks my goal done (or not) for an occurrence I attend.
#[utoipa::path(put, path = "/api/v1/events/{id}/goal", tag = "events", security(("bearer" = [])), request_body = GoalRequest,
    params(("id" = String, Path)), responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn goal(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<GoalRequest>,
) -> ApiResult<StatusCode> {
    let e = super::visible(&state, &me, &id).await?;
    let key = super::parse_key(&r.occurrence_start)?;
    super::tick_goal(&state, &e, &me, key, r.done).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The host marks attendance, or removes a member from an occurrence.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    #[serde(default)]
    pub occurrence_start: String,
    #[serde(default)]
    pub member_id: String,
    /// came | late | substitute (someone came in their place: name them in `substitute`) |
    /// no-show | removed
    #[serde(default)]
    pub mark: String,
    /// Who came instead, for `substitute`.
    #[serde(default)]
    pub substitute: String,
}

/// Marks a member as came, came late, replaced by a substitute (both count as there) or no-show,
/// or removes them (host only; a removal frees the seat).
#[utoipa::path(put, path = "/api/v1/events/{id}/attendance", tag = "events", security(("bearer" = [])), request_body = AttendanceRequest,
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attendance(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<AttendanceRequest>,
) -> ApiResult<StatusCode> {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&r.occurrence_start)?;
    super::mark(&state, &e, key, &r.member_id, &r.mark, &r.substitute).await?;
    Ok(StatusCode::NO_CONTENT)
}
