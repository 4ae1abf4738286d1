//! One member per classification, as referral chapters keep it: the organiser keeps the list
//! ("Web design", "Accountant"), each member takes one, and a member asking for one another
//! holds is told who holds it and may ask the organisers, who hear of it as they hear of
//! requests to join. A group without a list does not use them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::groups::Action;
use domain::notices::Kind;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::classifications::{Classification, Take};
use store::users::User;
use utoipa::ToSchema;

use super::{access, Access};
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Most classifications a group keeps.
const MAX: usize = 150;
/// Asks a member may send a group's organisers in a day.
const ASKS_PER_DAY: i64 = 3;

/// Checks the organiser's list: one a line (or comma), each a short name, no repeats.
fn check_list(text: &str) -> Result<Vec<String>, FieldErrors> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()) {
        let name = domain::profile::check_name(raw, 60)
            .map_err(|d| FieldErrors::one("names", format!("“{raw}”: {d}")))?;
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    if out.len() > MAX {
        return Err(FieldErrors::one("names", format!("Keep the list to {MAX} classifications.")));
    }
    Ok(out)
}

/// The organisers and moderators change the list.
async fn save(state: &AppState, a: &Access, text: &str) -> Result<(), AppError> {
    a.require(Action::Manage)?;
    let names = check_list(text)?;
    state.db.set_classifications(&a.group.id, &names).await?;
    Ok(())
}

/// `me` takes `name`; a Conflict names who holds it.
async fn take(state: &AppState, a: &Access, me: &User, name: &str) -> Result<(), AppError> {
    if a.role.is_none() {
        return Err(AppError::Forbidden("Only members take a classification."));
    }
    match state.db.take_classification(&a.group.id, &me.id, name).await? {
        Take::Taken => Ok(()),
        Take::Unknown => Err(FieldErrors::one("name", "The group has no such classification.").into()),
        Take::Held { by } => {
            let who = if by.is_empty() { "another member".to_owned() } else { by };
            Err(AppError::Conflict(FieldErrors::one(
                "name",
                format!("{name} is held by {who}: one member per classification. Ask the organiser if it should be yours."),
            )))
        }
    }
}

/// `me` asks the organisers and moderators for `name`, held by someone else.
async fn ask(state: &AppState, a: &Access, me: &User, name: &str) -> Result<(), AppError> {
    if a.role.is_none() {
        return Err(AppError::Forbidden("Only members take a classification."));
    }
    let list = state.db.classifications(&a.group.id).await?;
    let Some(c) = list.iter().find(|c| c.name == name) else {
        return Err(FieldErrors::one("name", "The group has no such classification.").into());
    };
    let bucket = format!("classification-ask:{}:{}", a.group.id, me.id);
    let now = now_ms();
    if state.db.throttle_window(&bucket, now - 86_400_000).await?.count >= ASKS_PER_DAY {
        return Err(FieldErrors::one(
            "name",
            "You have asked the organisers three times today: wait for their answer.",
        )
        .into());
    }
    state.db.throttle_note(&bucket, now).await?;
    let held = c.holder_name.as_deref().map(|h| format!(", held by {h}")).unwrap_or_default();
    let link = format!("/groups/{}/classifications", a.group.id);
    for m in state.db.group_members(&a.group.id).await? {
        if matches!(m.role.as_str(), "organiser" | "moderator") && m.user_id != me.id {
            let title = format!("{} asks for “{name}” in {}{held}", me.display_name, a.group.name);
            crate::notifications::send(state, &m.user_id, Kind::GroupRequest, &title, &link, None).await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- pages --

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    a.require(Action::SeeMembers)?;
    let list = state.db.classifications(&a.group.id).await?;
    let mine = list.iter().find(|c| c.holder_id.as_deref() == Some(me.id.as_str())).map(|c| c.name.clone());
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    let ctx = context! {
        group => a.group, list, mine, manage => a.can(Action::Manage), member => a.role.is_some(),
        names_text => names.join("\n"), ..extra
    };
    Ok((status, page("group_classifications.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /groups/{id}/classifications` (members, and anyone who may see the member list).
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let notice = match q.get("notice").map(String::as_str) {
        Some("taken") => Some("It's yours."),
        Some("given-up") => Some("You gave up your classification."),
        Some("asked") => Some("The organisers have your request."),
        Some("freed") => Some("It's free again."),
        Some("saved") => Some("List saved."),
        _ => None,
    };
    render(&state, &me, &csrf, &a, context! { notice }, StatusCode::OK).await
}

/// The page's forms.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClassForm {
    /// take | give-up | ask | free | save
    action: String,
    name: String,
    names: String,
}

/// `POST /groups/{id}/classifications`.
pub async fn page_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<ClassForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let done = match form.action.as_str() {
        "take" => take(&state, &a, &me, &form.name).await.map(|_| "taken"),
        "give-up" => state
            .db
            .give_up_classification(&a.group.id, &me.id)
            .await
            .map(|_| "given-up")
            .map_err(AppError::from),
        "ask" => ask(&state, &a, &me, &form.name).await.map(|_| "asked"),
        "free" => match a.require(Action::Manage) {
            Ok(()) => state
                .db
                .free_classification(&a.group.id, &form.name)
                .await
                .map(|_| "freed")
                .map_err(AppError::from),
            Err(e) => Err(e),
        },
        "save" => save(&state, &a, &form.names).await.map(|_| "saved"),
        _ => Err(FieldErrors::one("action", "Choose what to do.").into()),
    };
    match done {
        Ok(notice) => {
            Ok(Redirect::to(&format!("/groups/{id}/classifications?notice={notice}")).into_response())
        }
        Err(AppError::Invalid(e) | AppError::Conflict(e)) => {
            let held = form.action == "take";
            let ctx = context! { errors => crate::accounts::pages::error_map(&e), values => form, held };
            render(&state, &me, &csrf, &a, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ API --

/// A group's classifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationList {
    pub items: Vec<ClassificationView>,
}

/// A classification and who holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationView {
    pub name: String,
    pub holder_id: Option<String>,
    pub holder_name: Option<String>,
}

impl From<Classification> for ClassificationView {
    fn from(c: Classification) -> Self {
        ClassificationView { name: c.name, holder_id: c.holder_id, holder_name: c.holder_name }
    }
}

/// The organiser's list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationNames {
    pub names: Vec<String>,
}

/// One classification, by name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationName {
    pub name: String,
}

/// The group's classifications and their holders.
#[utoipa::path(get, path = "/api/v1/groups/{id}/classifications", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ClassificationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClassificationList>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::SeeMembers)?;
    let items = state.db.classifications(&id).await?.into_iter().map(ClassificationView::from).collect();
    Ok(Json(ClassificationList { items }))
}

/// Replaces the group's list (organisers and moderators); names no longer on it are freed.
#[utoipa::path(put, path = "/api/v1/groups/{id}/classifications", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ClassificationNames,
    responses((status = 200, body = ClassificationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClassificationNames>,
) -> ApiResult<Json<ClassificationList>> {
    let a = access(&state, &me, &id).await?;
    save(&state, &a, &body.names.join("\n")).await?;
    let items = state.db.classifications(&id).await?.into_iter().map(ClassificationView::from).collect();
    Ok(Json(ClassificationList { items }))
}

/// Takes a classification (members); 409 names who holds it.
#[utoipa::path(put, path = "/api/v1/groups/{id}/classification", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ClassificationName,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClassificationName>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    take(&state, &a, &me, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives up my classification.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/classification", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn give_up_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    if a.role.is_none() {
        return Err(AppError::Forbidden("Only members take a classification."));
    }
    state.db.give_up_classification(&id, &me.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks the organisers for a classification another member holds (three a day).
#[utoipa::path(post, path = "/api/v1/groups/{id}/classifications/ask", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ClassificationName,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ask_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClassificationName>,
) -> ApiResult<StatusCode> {
    let a = access(&state, &me, &id).await?;
    ask(&state, &a, &me, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_one_a_line_without_repeats() {
        assert_eq!(
            check_list("Web design\n accountant, Web Design\n\n").ok(),
            Some(vec!["Web design".to_owned(), "accountant".to_owned()])
        );
        assert!(check_list(&"x".repeat(61)).is_err());
        let many: String = (0..=MAX).map(|i| format!("c{i}\n")).collect();
        assert!(check_list(&many).is_err());
    }
}
