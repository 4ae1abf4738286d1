//! Importing one event from an uploaded `.ics` file (a meetup invite, say): the page with its
//! upload form, and the API endpoint taking the file as the request body. The file is read by
//! [`super::ics::parse_import`]; the event is then checked and created like a typed-in one.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::FieldErrors;
use minijinja::context;
use serde::Deserialize;
use store::users::User;
use utoipa::IntoParams;

use super::ics::parse_import_full;
use super::view::EventView;
use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Uploaded};
use crate::web::templates::page;

/// Reads the file and creates the event, hosted by `host`. Imported events are unlisted unless
/// asked otherwise: an invite someone sent you is not yours to publish.
pub async fn import(
    state: &AppState,
    host: &User,
    file: &[u8],
    visibility: &str,
) -> Result<store::events::Event, AppError> {
    let text = std::str::from_utf8(file).map_err(|_| {
        AppError::Invalid(FieldErrors::one(
            "file",
            "This isn't a calendar (.ics) file: it isn't text. Choose the .ics file of the invite.",
        ))
    })?;
    let imported = parse_import_full(text).map_err(AppError::Invalid)?;
    let mut input = imported.input.clone();
    // An invite is imported as it is, past or not.
    input.allow_past = Some(true);
    input.visibility = Some(if visibility.is_empty() { "invite".to_owned() } else { visibility.to_owned() });
    let e = super::create(state, host, &input).await?;
    // The file's cancelled and changed dates become the series' own per-date changes.
    for o in super::group_import::overrides_of(&e, &imported).values() {
        state.db.set_override(&e.id, o).await?;
    }
    Ok(e)
}

/// Errors of the created event, said of the file (the page has no other fields to show them at).
fn file_errors(e: &FieldErrors) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut about_file = Vec::new();
    for (field, detail) in crate::accounts::pages::error_map(e) {
        match field.as_str() {
            "file" | "visibility" => {
                out.insert(field, detail);
            }
            _ => about_file.push(detail),
        }
    }
    if !about_file.is_empty() {
        let joined = about_file.join(" ");
        out.insert(
            "file".to_owned(),
            format!("The event in this file can't be created as it is: {joined} Create it by hand instead."),
        );
    }
    out
}

/// `GET /events/import`.
pub async fn page_get(CurrentUser(me): CurrentUser, csrf: CsrfToken) -> PageResult {
    Ok(page("event_import.html", Some(&me), &csrf, context! { visibility => "invite" })?.into_response())
}

/// `POST /events/import` (multipart: `csrf`, `file`, `visibility`).
pub async fn page_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    form: Multipart,
) -> PageResult {
    let mut up = Uploaded::read(&token, form, "file").await?;
    let (file, visibility) = (std::mem::take(&mut up.file), up.text("visibility"));
    match import(&state, &me, &file, &visibility).await {
        Ok(e) => Ok(Redirect::to(&format!("/events/{}?notice=imported", e.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let ctx = context! { errors => file_errors(&e), visibility };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("event_import.html", Some(&me), &token, ctx)?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Options of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ImportQuery {
    /// public | invite (default invite: unlisted, reachable by its link).
    pub visibility: String,
}

/// Creates an event from an `.ics` file sent as the request body (its first event; a series
/// keeps its repeat rule). A file that cannot be used gets a 422 on the field `file`.
#[utoipa::path(post, path = "/api/v1/events/import", tag = "events", security(("bearer" = [])),
    params(ImportQuery), request_body(content = String, content_type = "text/calendar"),
    responses((status = 201, body = EventView), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let e = import(&state, &me, &body, &q.visibility).await?;
    Ok((StatusCode::CREATED, Json(super::view(&state, &me, &e, 5).await?)))
}
