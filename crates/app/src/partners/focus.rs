//! Focus pairs, made from slot bookings (`slots.rs`), are equals: neither hosts. Either may cancel
//! their place before the start (a late cancellation counts as one), which calls the session off,
//! tells the other, and opens their booking again, pairing it at once with anyone else still
//! open for the slot. Attendance comes from the room, as for every online session
//! (`rooms::job::settle_due`): neither marks the other.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, Utc};
use domain::notices::Kind;
use store::bookings::Slot;
use store::events::Event;
use store::users::User;

use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;
use crate::web::now_ms;

/// Whether the event is a focus pair's.
pub async fn is_pair(state: &AppState, event_id: &str) -> Result<bool, AppError> {
    Ok(!state.db.focus_pair_of(event_id).await?.is_empty())
}

/// `me` cancels their place in the focus pair of `e`.
pub async fn leave(state: &AppState, me: &User, e: &Event) -> Result<(), AppError> {
    let pair = state.db.focus_pair_of(&e.id).await?;
    let mine = pair.iter().find(|b| b.user_id == me.id && b.status == "matched").ok_or(AppError::NotFound)?;
    let now = now_ms();
    if mine.starts_at <= now {
        return Err(AppError::Conflict(domain::FieldErrors::one(
            "occurrence_start",
            "The session has started: it can't be cancelled now.",
        )));
    }
    let slot = Slot { starts_at: mine.starts_at, duration_minutes: mine.duration_minutes };
    let late = slot.starts_at - now < state.config.late_cancel_minutes * 60_000;
    let Some(partner) = state.db.leave_focus_pair(&e.id, &me.id, late, now).await? else {
        return Err(AppError::NotFound);
    };
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
    if let Some(p) = state.db.user(&partner).await? {
        let start = DateTime::<Utc>::from_timestamp_millis(slot.starts_at).unwrap_or_default();
        let at = crate::web::dates::on_clock(&p.clock, || {
            crate::events::view::when(start, &p.timezone, &p.timezone)
        });
        let title = format!("{} can't make your focus session at {at}", me.display_name);
        let body = format!(
            "Hello {},\n\n{title}. Your booking is open again: if someone else books the slot, or is \
             waiting for a partner in it, you are paired and told at once.\n\n{}/bookings\n",
            p.display_name,
            state.config.public_url()
        );
        let mail = crate::notifications::Mail { subject: &title, body: &body };
        crate::notifications::send(state, &p.id, Kind::MatchPending, &title, "/bookings", Some(mail)).await?;
    }
    // Anyone else open for the slot is paired with the one left now, not at the next pass.
    super::slots::pair(state, slot, false, Utc::now()).await.map_err(AppError::Internal)?;
    Ok(())
}

/// `POST /events/{id}/leave`: cancel my place in a focus pair.
pub async fn leave_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _form: Posted<std::collections::HashMap<String, String>>,
) -> PageResult {
    let e = crate::events::visible(&state, &me, &id).await?;
    leave(&state, &me, &e).await?;
    Ok(Redirect::to("/bookings?notice=left-pair").into_response())
}

/// Cancels my place in a focus pair before it starts (a late cancellation counts as one); the
/// other member is told and their booking is open again.
#[utoipa::path(post, path = "/api/v1/events/{id}/leave", tag = "partners", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn leave_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let e = crate::events::visible(&state, &me, &id).await?;
    leave(&state, &me, &e).await?;
    Ok(StatusCode::NO_CONTENT)
}
