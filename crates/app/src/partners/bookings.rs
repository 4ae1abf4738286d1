//! Slot bookings: a virtual slot on the quarter hour, 25, 50 or 75 minutes, with a goal. The page
//! (in the member's zone) and `/api/v1/bookings` (UTC instants) share [`book_slot`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use domain::profile::check_text;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::bookings::{Booking, Slot};
use store::users::User;
use store::StoreError;
use utoipa::ToSchema;

use super::api::{check_bookable_by, BookableBy, Named};
use super::BOOKABLE_BY;
use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageResult};
use crate::events::view::when;
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// The lengths a slot may have, in minutes.
pub const LENGTHS: [i64; 3] = [25, 50, 75];
/// Longest goal.
pub const MAX_GOAL: usize = 200;
/// How far ahead a slot may be booked.
pub const MAX_DAYS_AHEAD: i64 = 30;

/// A booking as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub id: String,
    /// RFC 3339, UTC.
    pub starts_at: String,
    pub duration_minutes: i64,
    pub goal: String,
    /// open | matched
    pub status: String,
    /// Once matched.
    pub partner: Option<Named>,
    pub event_id: Option<String>,
    /// The session's page, once matched.
    pub event_url: Option<String>,
}

impl From<Booking> for BookingView {
    fn from(b: Booking) -> Self {
        let start = DateTime::from_timestamp_millis(b.starts_at).unwrap_or_default();
        BookingView {
            event_url: b.event_id.as_ref().map(|e| format!("/events/{e}?at={}", b.starts_at)),
            partner: b.partner_id.zip(b.partner_name).map(|(id, display_name)| Named { id, display_name }),
            id: b.id,
            starts_at: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            duration_minutes: b.duration_minutes,
            goal: b.goal,
            status: b.status,
            event_id: b.event_id,
        }
    }
}

/// Books a slot for `me`: checks the input, `me`'s setting and reliability limit, then stores it;
/// once the slot's lock time has passed, pairs it at once with whoever is still open.
pub async fn book_slot(
    state: &AppState,
    me: &User,
    start: Option<DateTime<Utc>>,
    duration: i64,
    goal: &str,
    mut errors: FieldErrors,
) -> Result<Booking, AppError> {
    let now = Utc::now();
    if let Some(s) = start {
        if s.minute() % 15 != 0 || s.second() != 0 || s.timestamp_subsec_millis() != 0 {
            errors.add("starts_at", "Slots start on the quarter hour (:00, :15, :30 or :45).");
        } else if s <= now {
            errors.add("starts_at", "That slot has started already: choose a later one.");
        } else if s > now + TimeDelta::days(MAX_DAYS_AHEAD) {
            errors.add("starts_at", format!("Book at most {MAX_DAYS_AHEAD} days ahead."));
        }
    }
    if !LENGTHS.contains(&duration) {
        errors.add("duration_minutes", "Choose 25, 50 or 75 minutes.");
    }
    let goal = match check_text(goal, MAX_GOAL) {
        Ok(g) if g.is_empty() => {
            errors.add("goal", "Say what you will work on: your partner sees it.");
            g
        }
        Ok(g) => g,
        Err(e) => {
            errors.add("goal", e);
            String::new()
        }
    };
    if me.bookable_by == "nobody" {
        errors.add(
            "bookable_by",
            "You take bookings from no one: choose everyone or favourites below to book a slot.",
        );
    }
    let Some(start) = start.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let record = super::record_of(state, &me.id).await?;
    let slot = Slot { starts_at: start.timestamp_millis(), duration_minutes: duration };
    let booking = match state.db.create_booking(&me.id, slot, &goal, record.booking_limit(), now_ms()).await {
        Err(StoreError::Conflict("limit")) => {
            let n = record.booking_limit().unwrap_or_default();
            return Err(AppError::Conflict(FieldErrors::one(
                "starts_at",
                format!(
                    "You {}, so you may hold {n} open booking{} at a time: wait for one to be paired or cancel one.",
                    record.describe(),
                    if n == 1 { "" } else { "s" }
                ),
            )));
        }
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(FieldErrors::one(
                "starts_at",
                "You have booked a slot at that time already.",
            )))
        }
        other => other?,
    };
    if now >= super::slots::lock_time(state, start) {
        let locked = state.db.slot_lock(slot).await?.is_some();
        super::slots::pair(state, slot, !locked, now).await?;
    }
    Ok(state.db.booking(&booking.id).await?.unwrap_or(booking))
}

/// A booking request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// RFC 3339, on the quarter hour.
    #[schema(format = DateTime)]
    #[serde(default)]
    pub starts_at: String,
    /// 25 | 50 | 75
    #[schema(minimum = 25, maximum = 75, multiple_of = 25)]
    #[serde(default)]
    pub duration_minutes: i64,
    /// What I will work on.
    #[serde(default)]
    pub goal: String,
}

/// Books a virtual slot; it is paired shortly before it starts.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "partners", security(("bearer" = [])), request_body = NewBooking,
    responses((status = 201, body = BookingView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<NewBooking>,
) -> ApiResult<impl IntoResponse> {
    let mut errors = FieldErrors::default();
    let start = DateTime::parse_from_rfc3339(b.starts_at.trim()).map(|t| t.to_utc()).ok();
    if start.is_none() {
        errors.add("starts_at", "Give the start as RFC 3339, e.g. 2027-03-17T09:15:00Z.");
    }
    let booking = book_slot(&state, &me, start, b.duration_minutes, &b.goal, errors).await?;
    Ok((StatusCode::CREATED, Json(BookingView::from(booking))))
}

/// My bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingList {
    pub items: Vec<BookingView>,
}

/// My open and matched bookings that have not ended.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = BookingList)))]
pub async fn list_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<BookingList>> {
    let items = state.db.bookings_of(&me.id, now_ms()).await?.into_iter().map(BookingView::from).collect();
    Ok(Json(BookingList { items }))
}

/// Cancels an open booking (a matched one is changed on its event instead).
#[utoipa::path(delete, path = "/api/v1/bookings/{id}", tag = "partners", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    cancel(&state, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cancel(state: &AppState, me: &User, id: &str) -> Result<(), AppError> {
    let b = state.db.booking(id).await?.filter(|b| b.user_id == me.id && b.status != "cancelled");
    let b = b.ok_or(AppError::NotFound)?;
    if !state.db.cancel_booking(id, &me.id, now_ms()).await? {
        let _ = b;
        return Err(AppError::Conflict(FieldErrors::one(
            "status",
            "This booking is paired already: cancel your place on the session's page.",
        )));
    }
    Ok(())
}

/// The booking form, as typed (in the member's zone).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BookingForm {
    date: String,
    time: String,
    duration_minutes: String,
    goal: String,
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    values: &BookingForm,
    errors: Option<&FieldErrors>,
) -> PageResult {
    render_with(state, me, csrf, values, errors, None).await
}

async fn render_with(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    values: &BookingForm,
    errors: Option<&FieldErrors>,
    notice: Option<&str>,
) -> PageResult {
    let zone: Tz = me.timezone.parse().unwrap_or(Tz::UTC);
    let bookings: Vec<_> = state
        .db
        .bookings_of(&me.id, now_ms())
        .await?
        .into_iter()
        .map(|b| {
            let start = DateTime::from_timestamp_millis(b.starts_at).unwrap_or_default();
            context! { id => b.id, when => when(start, &me.timezone, &me.timezone), minutes => b.duration_minutes,
                       goal => b.goal, status => b.status, partner => b.partner_name,
                       link => b.event_id.map(|e| format!("/events/{e}?at={}", b.starts_at)) }
        })
        .collect();
    let record = super::record_of(state, &me.id).await?;
    let limit = record.booking_limit();
    let board = super::slot_board::board(state, &me.id, zone).await?;
    let ctx = context! {
        values, bookings, board, zone => zone.name(), lengths => LENGTHS, choices => BOOKABLE_BY,
        bookable_by => me.bookable_by, reliability => record.describe(), badge => record.badge().as_str(), limit,
        lock_minutes => state.config.slot_lock_minutes, errors => errors.map(error_map), notice,
    };
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page("bookings.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /bookings`.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    crate::error::PageQuery(q): crate::error::PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    let notice = (q.get("notice").map(String::as_str) == Some("left-pair"))
        .then_some("Your place is cancelled, and your partner has been told.");
    let zone: Tz = me.timezone.parse().unwrap_or(Tz::UTC);
    // The next quarter hour at least 15 minutes away, as a starting suggestion.
    let soon = Utc::now() + TimeDelta::minutes(15);
    let soon = soon + TimeDelta::minutes(i64::from((15 - soon.minute() % 15) % 15));
    let local = soon.with_timezone(&zone);
    // A slot chosen on the board fills the form in.
    let pick =
        |k: &str, default: String| q.get(k).filter(|v| !v.trim().is_empty()).cloned().unwrap_or(default);
    let values = BookingForm {
        date: pick("date", local.format("%Y-%m-%d").to_string()),
        time: pick("time", local.format("%H:%M").to_string()),
        duration_minutes: pick("minutes", "50".into()),
        goal: String::new(),
    };
    render_with(&state, &me, &csrf, &values, None, notice).await
}

/// `POST /bookings`.
pub async fn book(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<BookingForm>,
) -> PageResult {
    let mut errors = FieldErrors::default();
    let zone: Tz = me.timezone.parse().unwrap_or(Tz::UTC);
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    let time = NaiveTime::parse_from_str(form.time.trim(), "%H:%M").ok();
    if date.is_none() {
        errors.add("date", "Give a date.");
    }
    if time.is_none() {
        errors.add("time", "Give a time such as 09:15.");
    }
    let start = date.zip(time).map(|(d, t)| domain::recurrence::resolve(zone, d.and_time(t)));
    let duration = form.duration_minutes.trim().parse().unwrap_or(0);
    match book_slot(&state, &me, start, duration, &form.goal, errors).await {
        Ok(_) => Ok(Redirect::to("/bookings").into_response()),
        Err(AppError::Invalid(e) | AppError::Conflict(e)) => {
            // The page names the date and time fields; the API's start is both.
            let mut shown = FieldErrors::default();
            for err in e.iter() {
                let field = if err.field == "starts_at" { "time" } else { err.field.as_str() };
                shown.add(field, err.detail.clone());
            }
            render(&state, &me, &csrf, &form, Some(&shown)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /bookings/{id}/cancel`.
pub async fn cancel_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { csrf, .. }: Posted<BookingForm>,
) -> PageResult {
    match cancel(&state, &me, &id).await {
        Ok(()) => Ok(Redirect::to("/bookings").into_response()),
        Err(AppError::Conflict(e)) => render(&state, &me, &csrf, &BookingForm::default(), Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /bookings/who-may-book-me`.
pub async fn set_bookable_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<BookableBy>,
) -> PageResult {
    match check_bookable_by(&form.value) {
        Ok(v) => {
            state.db.set_bookable_by(&me.id, v, now_ms()).await?;
            Ok(Redirect::to("/bookings").into_response())
        }
        Err(e) => render(&state, &me, &csrf, &BookingForm::default(), Some(&e)).await,
    }
}
