//! Uploading and removing a member's photo and an event's cover, as pages and as API.

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use minijinja::context;
use serde::Deserialize;
use store::users::User;

use super::process::Kind;
use super::{prepare, read_upload};
use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::events::hosted;
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{self, CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// A picture file, sent as the request body as it is.
#[derive(Debug, utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Picture(#[allow(dead_code)] Vec<u8>);

/// The one-time confirmation a page was sent back with.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

fn said(n: &Notice) -> Option<&'static str> {
    match n.notice.as_str() {
        "saved" => Some("Saved."),
        "removed" => Some("Removed."),
        _ => None,
    }
}

/// `GET /profile/photo`: my photo, a form for a new one and a button to remove it.
pub async fn own_page(
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(n): PageQuery<Notice>,
) -> PageResult {
    let ctx = context! { photo => me.photo_id.as_deref().map(|id| super::url(id, 256)), vis_photo => me.vis_photo, notice => said(&n) };
    Ok(page("photo.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /profile/photo` (multipart: `csrf`, `photo`).
pub async fn upload_own(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    // A body that is not a form with a file cannot carry the form's token either.
    let Ok(mut form) = form else { return Err(csrf::refused()) };
    let outcome = match read_upload(&mut form, "photo").await {
        Ok((sent, file)) => {
            csrf::verify(&token, &sent)?;
            set_own(&state, &me, file).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/profile/photo?notice=saved").into_response()),
        Err(AppError::Invalid(e)) => {
            let photo = me.photo_id.as_deref().map(|id| super::url(id, 256));
            let ctx = context! { photo, vis_photo => me.vis_photo, errors => error_map(&e) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("photo.html", Some(&me), &token, ctx)?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_own(state: &AppState, me: &User, file: Bytes) -> Result<(), AppError> {
    let photo = prepare(file, Kind::Avatar, &me.id, "", "photo").await?;
    state.db.set_member_photo(&me.id, &photo, now_ms()).await?;
    Ok(())
}

/// `POST /profile/photo/remove`.
pub async fn remove_own(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    _f: Posted<Empty>,
) -> PageResult {
    state.db.remove_member_photo(&me.id, now_ms()).await?;
    Ok(Redirect::to("/profile/photo?notice=removed").into_response())
}

/// `POST /members/{id}/photo/remove`: an admin takes a member's photo down.
pub async fn remove_as_admin(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<Empty>,
) -> PageResult {
    take_down(&state, &me, &id).await?;
    Ok(Redirect::to(&format!("/members/{id}?notice=photo-removed")).into_response())
}

async fn take_down(state: &AppState, me: &User, id: &str) -> Result<(), AppError> {
    if me.is_admin != 1 {
        return Err(AppError::NotFound);
    }
    let name = state.db.user(id).await?.map(|u| u.display_name).unwrap_or_default();
    if !state.db.remove_member_photo(id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    crate::admin::record(state, me, "photo-takedown", id, &name, "").await
}

/// `GET /events/{id}/cover`: the host's page for the event's cover picture.
pub async fn cover_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(n): PageQuery<Notice>,
) -> PageResult {
    let e = hosted(&state, &me, &id).await?;
    let cover = e.cover_id.as_deref().map(|c| super::url(c, 1200));
    let ctx = context! { event => context! { id => e.id, title => e.title }, cover, notice => said(&n) };
    Ok(page("cover.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /events/{id}/cover` (multipart: `csrf`, `cover`).
pub async fn upload_cover(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    // A body that is not a form with a file cannot carry the form's token either.
    let Ok(mut form) = form else { return Err(csrf::refused()) };
    let read = read_upload(&mut form, "cover").await;
    if let Ok((sent, _)) = &read {
        csrf::verify(&token, sent)?;
    }
    let e = hosted(&state, &me, &id).await?;
    let outcome = match read {
        Ok((_, file)) => set_cover(&state, &me, &e.id, file).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/events/{}/cover?notice=saved", e.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let cover = e.cover_id.as_deref().map(|c| super::url(c, 1200));
            let ctx = context! { event => context! { id => e.id, title => e.title }, cover, errors => error_map(&errs) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("cover.html", Some(&me), &token, ctx)?)
                .into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn set_cover(state: &AppState, me: &User, event_id: &str, file: Bytes) -> Result<(), AppError> {
    let photo = prepare(file, Kind::Cover, &me.id, event_id, "cover").await?;
    state.db.set_event_cover(event_id, &me.id, &photo, now_ms()).await?;
    Ok(())
}

/// `POST /events/{id}/cover/remove`.
pub async fn remove_cover(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<Empty>,
) -> PageResult {
    let e = hosted(&state, &me, &id).await?;
    state.db.remove_event_cover(&e.id, now_ms()).await?;
    Ok(Redirect::to(&format!("/events/{}/cover?notice=removed", e.id)).into_response())
}

/// Sets my photo from the request body: a JPEG, PNG or WebP file of at most 5 MB. It is kept at
/// 64 and 256 pixels square, served at `/photos/{id}/64` and `/photos/{id}/256`.
#[utoipa::path(put, path = "/api/v1/me/photo", tag = "profile", security(("bearer" = [])),
    request_body(content((Picture = "image/jpeg"), (Picture = "image/png"), (Picture = "image/webp"))),
    responses((status = 204), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_put_own(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    body: Bytes,
) -> ApiResult<StatusCode> {
    set_own(&state, &me, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes my photo.
#[utoipa::path(delete, path = "/api/v1/me/photo", tag = "profile", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn api_delete_own(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<StatusCode> {
    state.db.remove_member_photo(&me.id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes down a member's photo (admins only; 404 to anyone else, or when there is none).
#[utoipa::path(delete, path = "/api/v1/members/{id}/photo", tag = "profile", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn api_delete_as_admin(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    take_down(&state, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the cover of an event I host from the request body (JPEG, PNG or WebP, at most 5 MB),
/// cropped to 1.91 to 1 and kept 600 and 1200 pixels wide.
#[utoipa::path(put, path = "/api/v1/events/{id}/cover", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content((Picture = "image/jpeg"), (Picture = "image/png"), (Picture = "image/webp"))),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_put_cover(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let e = hosted(&state, &me, &id).await?;
    set_cover(&state, &me, &e.id, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the cover of an event I host.
#[utoipa::path(delete, path = "/api/v1/events/{id}/cover", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_delete_cover(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let e = hosted(&state, &me, &id).await?;
    state.db.remove_event_cover(&e.id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
