//! Referral and one-to-one endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::referrals::Referral;
use utoipa::ToSchema;

use super::{advance, give as give_slip, slip, thank, SlipInput, StatusInput};
use crate::error::ApiResult;
use crate::groups::view::rfc3339;
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;

/// A referral slip, as its giver and receiver see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlipView {
    /// id, giver_id, giver_name, receiver_id, receiver_name, group_id, prospect, contact, need,
    /// temperature, note, status, value_minor, currency, thanked_at, created_at, updated_at, closed_at.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub slip: Referral,
    /// The won business's value, e.g. "1250.50".
    pub value: Option<String>,
}

fn view(r: Referral) -> SlipView {
    SlipView { value: r.value_minor.map(domain::referrals::format_amount), slip: r }
}

/// Slips.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlipList {
    pub given: Vec<SlipView>,
    pub received: Vec<SlipView>,
}

/// The referrals I gave and received, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, body = SlipList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<SlipList>> {
    let (given, received): (Vec<_>, Vec<_>) =
        state.db.referrals_of(&me.id, 0, i64::MAX).await?.into_iter().partition(|s| s.giver_id == me.id);
    Ok(Json(SlipList {
        given: given.into_iter().map(view).collect(),
        received: received.into_iter().map(view).collect(),
    }))
}

/// Refers a prospect to another member.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])), request_body = SlipInput,
    responses((status = 201, body = SlipView), (status = 422, body = ErrorBody)))]
pub async fn give(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<SlipInput>,
) -> ApiResult<impl IntoResponse> {
    let id = give_slip(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(view(slip(&state, &me, &id).await?))))
}

/// A slip I gave or received (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = SlipView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SlipView>> {
    Ok(Json(view(slip(&state, &me, &id).await?)))
}

/// Moves a slip I received on: contacted, meeting, won (with value and currency) or lost.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", tag = "referrals", security(("bearer" = [])), request_body = StatusInput,
    params(("id" = String, Path)),
    responses((status = 200, body = SlipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<SlipView>> {
    let r = slip(&state, &me, &id).await?;
    advance(&state, &me, &r, &input).await?;
    Ok(Json(view(slip(&state, &me, &id).await?)))
}

/// Thanks the giver for closed business (the receiver, once won).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/thanks", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SlipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn thanks(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SlipView>> {
    let r = slip(&state, &me, &id).await?;
    thank(&state, &me, &r).await?;
    Ok(Json(view(slip(&state, &me, &id).await?)))
}

/// A one-to-one.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneToOne {
    pub member_id: String,
    pub display_name: String,
    pub at: String,
    /// logged | session (a 1:1 session both went to)
    pub how: String,
}

/// One-to-ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneToOnes {
    pub items: Vec<OneToOne>,
}

/// My one-to-ones, newest first: logged ones and 1:1 sessions both went to.
#[utoipa::path(get, path = "/api/v1/one-to-ones", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, body = OneToOnes), (status = 401, body = ErrorBody)))]
pub async fn one_to_ones(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<OneToOnes>> {
    let items = state
        .db
        .one_to_ones(&me.id, 0, i64::MAX, crate::web::now_ms())
        .await?
        .into_iter()
        .map(|(member_id, display_name, at, how)| OneToOne { member_id, display_name, at: rfc3339(at), how })
        .collect();
    Ok(Json(OneToOnes { items }))
}

/// A one-to-one to log.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OneToOneInput {
    pub member_id: String,
    /// The day we met, e.g. "2026-12-03" (in my zone).
    pub date: String,
    pub note: String,
}

/// Logs a one-to-one with another member.
#[utoipa::path(post, path = "/api/v1/one-to-ones", tag = "referrals", security(("bearer" = [])), request_body = OneToOneInput,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn log_one_to_one(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<OneToOneInput>,
) -> ApiResult<StatusCode> {
    super::pages::log(&state, &me, &b.member_id, &b.date, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
