//! Contact endpoints of the JSON API (each member sees only their own).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pages::{all_fields, download, import_text};
use super::{add_from_event, apply, cards, fields_of, mine, one, view, zone_of, ContactInput, ContactView};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// Contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactView>,
}

/// Which contacts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ContactQuery {
    /// Only those with this tag.
    pub tag: String,
    /// "true": only those overdue for a word, most overdue first.
    pub overdue: String,
}

/// My contacts, by name.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])), params(ContactQuery),
    responses((status = 200, body = ContactList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<ContactList>> {
    let items = if q.overdue == "true" {
        super::overdue(&state, &me).await?
    } else {
        mine(&state, &me, (!q.tag.is_empty()).then_some(q.tag.as_str())).await?
    };
    Ok(Json(ContactList { items }))
}

async fn get_view(state: &AppState, me: &store::users::User, id: &str) -> Result<ContactView, AppError> {
    let (c, tags) = one(state, me, id).await?;
    Ok(view(me, &c, tags))
}

/// Adds a contact.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])), request_body = ContactInput,
    responses((status = 201, body = ContactView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<impl IntoResponse> {
    let f = apply(&input, None, zone_of(&me))?;
    let id = state.db.create_contact(&me.id, &f, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(get_view(&state, &me, &id).await?)))
}

/// One of my contacts (404 for anyone else's).
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ContactView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ContactView>> {
    Ok(Json(get_view(&state, &me, &id).await?))
}

/// Changes one of my contacts; fields left out stay.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])), request_body = ContactInput,
    params(("id" = String, Path)), responses((status = 200, body = ContactView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<ContactView>> {
    let (c, tags) = one(&state, &me, &id).await?;
    let f = apply(&input, Some(fields_of(&c, tags)), zone_of(&me))?;
    state.db.update_contact(&c.id, &f, now_ms()).await?;
    Ok(Json(get_view(&state, &me, &id).await?))
}

/// Deletes one of my contacts.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let (c, _) = one(&state, &me, &id).await?;
    state.db.delete_contact(&c.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Notes that I was in touch with a contact today.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/touch", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ContactView), (status = 404, body = ErrorBody)))]
pub async fn touch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ContactView>> {
    let (c, _) = one(&state, &me, &id).await?;
    state.db.touch_contact(&c.id, now_ms()).await?;
    Ok(Json(get_view(&state, &me, &id).await?))
}

/// An event's occurrence.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FromEvent {
    pub event_id: String,
    /// Its `occurrence_start`.
    pub occurrence_start: String,
}

/// How many were added.
#[derive(Debug, Serialize, ToSchema)]
pub struct Added {
    pub added: usize,
    pub skipped: usize,
}

/// Adds the people of an occurrence I went to (or hosted) as contacts.
#[utoipa::path(post, path = "/api/v1/contacts/from-event", tag = "contacts", security(("bearer" = [])), request_body = FromEvent,
    responses((status = 200, body = Added), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn from_event(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<FromEvent>,
) -> ApiResult<Json<Added>> {
    let key = crate::events::parse_key(&b.occurrence_start)?;
    let (added, skipped) = add_from_event(&state, &me, &b.event_id, key).await?;
    Ok(Json(Added { added, skipped }))
}

/// The format of an export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ExportQuery {
    /// vcf | csv
    #[param(pattern = "^(vcf|csv)?$")]
    pub format: String,
}

/// All my contacts as a vCard 4.0 file or CSV.
#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "vCard 4.0 or CSV, as `format` asks",
        content((String = "text/vcard"), (String = "text/csv"))), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let fields = all_fields(&state, &me).await?;
    match q.format.as_str() {
        "" | "vcf" => {
            Ok(download(cards::to_vcards(&fields, zone_of(&me)), "text/vcard; charset=utf-8", "contacts.vcf"))
        }
        "csv" => {
            let body = cards::to_csv(&fields, zone_of(&me))?;
            Ok(download(body, "text/csv; charset=utf-8", "contacts.csv"))
        }
        _ => Err(AppError::Invalid(FieldErrors::one("format", "Choose vcf or csv."))),
    }
}

/// Adds contacts from a vCard or CSV file sent as the body (text/vcard or text/csv).
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts", security(("bearer" = [])),
    request_body(content = String, content_type = "text/vcard"),
    responses((status = 200, body = Added), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    body: Bytes,
) -> ApiResult<Json<Added>> {
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::Invalid(FieldErrors::one("body", "Send UTF-8 text.")))?;
    if text.contains('\0') {
        return Err(AppError::Invalid(FieldErrors::one("body", "Text may not contain the NUL character.")));
    }
    let (added, skipped) = import_text(&state, &me, &text).await?;
    Ok(Json(Added { added, skipped }))
}
