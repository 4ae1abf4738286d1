//! A member marks venues of the directory, privately, as near their home: venue suggestions put
//! those last for any group they are in, and say only "near someone's home". Nothing is guessed
//! for members who marked nothing (a city's centre is not anyone's home).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, PageResult};
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;
use crate::web::now_ms;

/// The page form: "1" marks, anything else unmarks.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    on: String,
}

/// `POST /venues/{id}/near-home`.
pub async fn mark_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<MarkForm>,
) -> PageResult {
    let v = super::find(&state, &id).await?;
    state.db.set_near_home(&me.id, &v.id, form.on == "1", now_ms()).await?;
    Ok(Redirect::to(&format!("/venues/{}#near-home", v.id)).into_response())
}

/// Marks a venue as near my home (private to me): suggestions put it last.
#[utoipa::path(put, path = "/api/v1/venues/{id}/near-home", tag = "venues", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let v = super::find(&state, &id).await?;
    state.db.set_near_home(&me.id, &v.id, true, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the mark off.
#[utoipa::path(delete, path = "/api/v1/venues/{id}/near-home", tag = "venues", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unmark_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let v = super::find(&state, &id).await?;
    state.db.set_near_home(&me.id, &v.id, false, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A venue, by id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedVenue {
    pub id: String,
    pub name: String,
}

/// The venues I marked as near my home.
#[derive(Debug, Serialize, ToSchema)]
pub struct NearHome {
    pub items: Vec<NamedVenue>,
}

/// The venues I marked as near my home.
#[utoipa::path(get, path = "/api/v1/me/near-home", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = NearHome), (status = 401, body = ErrorBody)))]
pub async fn list_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<impl IntoResponse> {
    let items =
        state.db.near_home_of(&me.id).await?.into_iter().map(|(id, name)| NamedVenue { id, name }).collect();
    Ok(Json(NearHome { items }))
}
