//! Group endpoints of the JSON API, and the create/change/delete steps the pages share.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use domain::groups::Action;
use serde::Serialize;
use store::users::User;
use utoipa::ToSchema;

use super::input::{apply, fields_of, GroupInput};
use super::view::GroupView;
use super::{access, Access};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// Makes a group from checked input, with `me` as its organiser; returns its id.
pub async fn create_group(state: &AppState, me: &User, input: &GroupInput) -> Result<String, AppError> {
    let fields = apply(input, None)?;
    let id = state.db.create_group(&me.id, &fields, now_ms()).await?;
    if input.show_to_visitors == Some(true) {
        state.db.set_group_shown(&id, true).await?;
    }
    Ok(id)
}

/// Changes a group's settings (organiser only).
pub async fn update_group(state: &AppState, a: &Access, input: &GroupInput) -> Result<(), AppError> {
    a.require(Action::Configure)?;
    let current = fields_of(&a.group, state.db.group_topics(&a.group.id).await?);
    let fields = apply(input, Some(current))?;
    state.db.update_group(&a.group.id, &fields, now_ms()).await?;
    if let Some(shown) = input.show_to_visitors {
        state.db.set_group_shown(&a.group.id, shown).await?;
    }
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Group, &a.group.id).await;
    Ok(())
}

/// The group as the API shows it to `me`.
pub async fn view(state: &AppState, me: &User, id: &str) -> Result<GroupView, AppError> {
    let a = access(state, me, id).await?;
    Ok(GroupView::new(&a, state.db.group_topics(id).await?, state.db.member_count(id).await?))
}

/// Groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<GroupView>,
}

/// The groups I belong to, by name.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", security(("bearer" = [])),
    responses((status = 200, body = GroupList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<GroupList>> {
    let mut items = Vec::new();
    for g in state.db.groups_of(&me.id).await? {
        items.push(view(&state, &me, &g.group.id).await?);
    }
    Ok(Json(GroupList { items }))
}

/// Starts a group; I become its organiser.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", security(("bearer" = [])), request_body = GroupInput,
    responses((status = 201, body = GroupView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<impl IntoResponse> {
    let id = create_group(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &me, &id).await?)))
}

/// A group (404 for an invite-only group I am not in).
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = GroupView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<GroupView>> {
    Ok(Json(view(&state, &me, &id).await?))
}

/// Changes a group's settings (organiser only); fields left out stay.
#[utoipa::path(patch, path = "/api/v1/groups/{id}", tag = "groups", security(("bearer" = [])), request_body = GroupInput,
    params(("id" = String, Path)),
    responses((status = 200, body = GroupView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<Json<GroupView>> {
    let a = access(&state, &me, &id).await?;
    update_group(&state, &a, &input).await?;
    Ok(Json(view(&state, &me, &id).await?))
}

/// Deletes a group with its events and discussion (organiser only).
#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Configure)?;
    state.db.delete_group(&id).await?;
    crate::rooms::revoke::changed(&state, store::access_changes::Scope::Group, &id).await;
    Ok(StatusCode::NO_CONTENT)
}
