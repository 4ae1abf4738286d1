//! Going to every date of a series with one answer, and leaving it the same way. "Every date" is
//! each date still to come in the next [`HORIZON_DAYS`] days (at most [`MAX_DATES`]); a date
//! already full puts the member on its waitlist, and the answer says which dates those are.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::events::{Answer, Event};
use store::users::User;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;

/// How far ahead "every date" reaches.
pub const HORIZON_DAYS: i64 = 183;
/// The most dates one answer covers (a daily series over six months stops here).
pub const MAX_DATES: usize = 60;

/// What one answer for the whole series did, date by date (keys).
#[derive(Debug, Default)]
pub struct Outcome {
    pub going: Vec<i64>,
    pub waitlisted: Vec<i64>,
    pub left: Vec<i64>,
}

/// Answers `going` (or not going) for every date of `e` still to come within the horizon.
/// Leaving touches only the dates the member had answered.
pub async fn answer_all(state: &AppState, me: &User, e: &Event, going: bool) -> Result<Outcome, AppError> {
    if e.rrule.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "status",
            "This event has one date: answer it on its page.",
        )));
    }
    if e.host_id == me.id {
        return Err(AppError::Invalid(FieldErrors::one(
            "status",
            "You host this series: you go to every date.",
        )));
    }
    let now = Utc::now();
    let overrides = state.db.overrides(&e.id).await?;
    let dates: Vec<i64> = super::series::expand(e, &overrides, now, now + TimeDelta::days(HORIZON_DAYS))
        .into_iter()
        .filter(|o| !o.cancelled && o.end > now)
        .take(MAX_DATES)
        .map(|o| o.key)
        .collect();
    if dates.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one("status", "This series has no dates to come.")));
    }
    let mut out = Outcome::default();
    let mine = state.db.my_rsvps(&e.id, &me.id).await?;
    for key in dates {
        let answered = mine.iter().any(|(k, s)| *k == key && s != "declined");
        if !going && !answered {
            continue;
        }
        let answer = if going { Answer::Going } else { Answer::Declined };
        // A date that ended or was cancelled a moment ago is passed over, not a reason to stop
        // half-way.
        match super::answer(state, me, e, key, answer, None).await {
            Ok(_) if !going => out.left.push(key),
            Ok(status) if status == "waitlisted" => out.waitlisted.push(key),
            Ok(_) => out.going.push(key),
            Err(AppError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One answer for a whole series.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct SeriesRsvp {
    /// going (every date to come) | declined (leave every date)
    pub status: String,
}

fn going_of(r: &SeriesRsvp) -> Result<bool, AppError> {
    match r.status.as_str() {
        "going" => Ok(true),
        "declined" | "not going" => Ok(false),
        _ => Err(AppError::Invalid(FieldErrors::one("status", "Answer going or declined."))),
    }
}

/// `POST /events/{id}/series-rsvp`: every date, or none.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<SeriesRsvp>,
) -> PageResult {
    let e = super::visible(&state, &me, &id).await?;
    let going = going_of(&form)?;
    let out = answer_all(&state, &me, &e, going).await?;
    let notice = if !going {
        "series-left"
    } else if out.waitlisted.is_empty() {
        "series-going"
    } else {
        "series-waitlisted"
    };
    Ok(Redirect::to(&format!("/events/{id}?notice={notice}#dates")).into_response())
}

/// What the answer did, date by date (RFC 3339 occurrence starts).
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesRsvpResult {
    /// Dates with a seat for me.
    pub going: Vec<String>,
    /// Dates that were full: I wait for a seat.
    pub waitlisted: Vec<String>,
    /// Dates I no longer go to.
    pub left: Vec<String>,
}

fn rfc3339(keys: Vec<i64>) -> Vec<String> {
    keys.into_iter()
        .filter_map(DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .collect()
}

/// Goes to every date of a series still to come in the next six months (waitlisted where a date is
/// full), or leaves every date answered.
#[utoipa::path(put, path = "/api/v1/events/{id}/series-rsvp", tag = "events", security(("bearer" = [])),
    request_body = SeriesRsvp, params(("id" = String, Path)),
    responses((status = 200, body = SeriesRsvpResult), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<SeriesRsvp>,
) -> ApiResult<Json<SeriesRsvpResult>> {
    let e = super::visible(&state, &me, &id).await?;
    let out = answer_all(&state, &me, &e, going_of(&r)?).await?;
    Ok(Json(SeriesRsvpResult {
        going: rfc3339(out.going),
        waitlisted: rfc3339(out.waitlisted),
        left: rfc3339(out.left),
    }))
}
