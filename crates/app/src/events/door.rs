//! The host's list at the door (the host, or an organiser or moderator of the event's group): one
//! tap marks a member here; a member who came late, or sent a substitute (who counts as there),
//! or did not come is marked as referral chapters take attendance; visitors a member brought are
//! written down by name. Page and API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::events::Event;
use store::users::User;
use utoipa::ToSchema;

use super::checkin::{is_on, may_check_in};
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Most visitors written down for one date.
const MAX_VISITORS: usize = 50;

/// The event, when `me` may take attendance at its door.
async fn door_of(state: &AppState, me: &User, id: &str) -> Result<Event, AppError> {
    let e = super::visible(state, me, id).await?;
    if !may_check_in(state, me, &e).await? {
        return Err(AppError::Forbidden("only the host checks people in"));
    }
    Ok(e)
}

/// How a member's attendance reads: present | late | substitute | absent, or "" unmarked.
fn code(attended: Option<i64>, arrival: &str) -> &'static str {
    match (attended, arrival) {
        (Some(1), "late") => "late",
        (Some(1), "substitute") => "substitute",
        (Some(1), _) => "present",
        (Some(_), _) => "absent",
        (None, _) => "",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtQuery {
    at: Option<i64>,
}

/// The door list of the date of `e` keyed `at` (the next one on when none), with `extra`.
async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    e: &Event,
    at: Option<i64>,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let overrides = state.db.overrides(&e.id).await?;
    let occ = match at {
        Some(at) => super::series::find(e, &overrides, at),
        None => {
            let now = chrono::Utc::now();
            super::series::expand(
                e,
                &overrides,
                now - chrono::TimeDelta::hours(12),
                now + chrono::TimeDelta::days(60),
            )
            .into_iter()
            .find(|o| !o.cancelled)
        }
    }
    .ok_or(AppError::NotFound)?;
    let going: Vec<_> =
        state.db.rsvps(&e.id, occ.key).await?.into_iter().filter(|r| r.status == "going").collect();
    let present = going.iter().filter(|r| r.attended == Some(1)).count();
    let people: Vec<_> = going
        .into_iter()
        .map(|r| {
            let code = code(r.attended, &r.arrival);
            context! { id => r.user_id, name => r.display_name, present => r.attended == Some(1), code, substitute => r.substitute }
        })
        .collect();
    let (came, visitors): (Vec<_>, Vec<_>) =
        state.db.visitors(&e.id, occ.key).await?.into_iter().partition(|v| v.answer_id.is_some());
    // Visitors who answered online, each with the entry that says they came, if they did.
    let online: Vec<_> = state
        .db
        .visitors_going(&e.id, occ.key)
        .await?
        .into_iter()
        .map(|a| {
            let entry =
                came.iter().find(|v| v.answer_id.as_deref() == Some(a.id.as_str())).map(|v| v.id.clone());
            context! { answer => a.id, name => a.name, entry }
        })
        .collect();
    let counted = visitors.len() + came.len();
    let when = super::view::when(occ.start, &me.timezone, &e.time_zone);
    let ctx = context! { event_id => e.id, title => occ.title, when, at => occ.key, people, present, visitors, online, counted, ..extra };
    Ok((status, page("door.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /events/{id}/checkin?at=KEY`: the list at the door, one tap a person.
pub async fn door(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<AtQuery>,
) -> PageResult {
    let e = door_of(&state, &me, &id).await?;
    let at = match q.at {
        Some(at) => Some(super::parse_key(&at.to_string())?),
        None => None,
    };
    render(&state, &me, &csrf, &e, at, context! {}, StatusCode::OK).await
}

/// The door list's tap.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TapForm {
    at: String,
    member: String,
    /// yes | no: here, or not after all (the name's own button).
    present: String,
    /// late | substitute | absent (the other buttons).
    code: String,
    substitute: String,
}

/// `POST /events/{id}/checkin`: here, late, a substitute, absent, or not marked after all.
pub async fn tap(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<TapForm>,
) -> PageResult {
    let e = door_of(&state, &me, &id).await?;
    let at = super::parse_key(&form.at)?;
    let going =
        state.db.rsvps(&e.id, at).await?.iter().any(|r| r.user_id == form.member && r.status == "going");
    if !going {
        return Err(AppError::NotFound.into());
    }
    if !is_on(&state, &e, at).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "at",
            "This date isn't on now: people are checked in from two hours before it starts.",
        ))
        .into());
    }
    let now = now_ms();
    match (form.code.as_str(), form.present.as_str()) {
        ("late", _) => super::mark(&state, &e, at, &form.member, "late", "").await?,
        ("substitute", _) => {
            super::mark(&state, &e, at, &form.member, "substitute", &form.substitute).await?
        }
        ("absent", _) => super::mark(&state, &e, at, &form.member, "no-show", "").await?,
        (_, "yes") => {
            state.db.mark_attendance(&e.id, at, &form.member, true, now).await?;
        }
        _ => state.db.clear_attendance(&e.id, at, &form.member, now).await?,
    }
    Ok(Redirect::to(&format!("/events/{id}/checkin?at={at}#m-{}", form.member)).into_response())
}

/// Writes down a visitor at the date of `e` keyed `at`.
async fn add(
    state: &AppState,
    me: &User,
    e: &Event,
    at: i64,
    name: &str,
    invited_by: &str,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", domain::profile::check_name(name, 100));
    let invited_by = errors.check("invited_by", domain::profile::check_name(invited_by, 100));
    if name.as_deref() == Some("") {
        errors.add("name", "Write the visitor's name.");
    }
    errors.into_result()?;
    let overrides = state.db.overrides(&e.id).await?;
    if super::series::find(e, &overrides, at).filter(|o| !o.cancelled).is_none() {
        return Err(FieldErrors::one("occurrence_start", "This event has no date at that time.").into());
    }
    if state.db.visitors(&e.id, at).await?.len() >= MAX_VISITORS {
        return Err(FieldErrors::one("name", format!("A date takes {MAX_VISITORS} visitors at most.")).into());
    }
    let (name, invited_by) = (name.unwrap_or_default(), invited_by.unwrap_or_default());
    Ok(state.db.add_visitor(&e.id, at, &name, &invited_by, &me.id, now_ms()).await?)
}

/// Marks the visitor who answered `answer` online as come to the date of `e` keyed `at`.
async fn came(state: &AppState, me: &User, e: &Event, at: i64, answer: &str) -> Result<String, AppError> {
    if !is_on(state, e, at).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "This date isn't on now: people are checked in from two hours before it starts.",
        )));
    }
    state.db.visitor_came(&e.id, at, answer, &me.id, now_ms()).await?.ok_or(AppError::NotFound)
}

/// The visitor form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VisitorForm {
    at: String,
    name: String,
    invited_by: String,
    /// A visitor to take off the list.
    visitor: String,
    /// The online answer of a visitor who came.
    answer: String,
}

/// `POST /events/{id}/checkin/visitors`: a visitor written down (or, with `visitor`, taken off;
/// with `answer`, one who answered online marked as come).
pub async fn visitor_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<VisitorForm>,
) -> PageResult {
    let e = door_of(&state, &me, &id).await?;
    let at = super::parse_key(&form.at)?;
    if !form.visitor.is_empty() {
        state.db.remove_visitor(&e.id, &form.visitor).await?;
    } else if !form.answer.is_empty() {
        came(&state, &me, &e, at, &form.answer).await?;
        return Ok(Redirect::to(&format!("/events/{id}/checkin?at={at}#a-{}", form.answer)).into_response());
    } else if let Err(err) = add(&state, &me, &e, at, &form.name, &form.invited_by).await {
        let AppError::Invalid(errors) = err else { return Err(err.into()) };
        let ctx = context! { errors => crate::accounts::pages::error_map(&errors), values => form };
        return render(&state, &me, &csrf, &e, Some(at), ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    Ok(Redirect::to(&format!("/events/{id}/checkin?at={at}#visitors")).into_response())
}

// ------------------------------------------------------------------ API --

/// A visitor at one date.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorView {
    pub id: String,
    pub name: String,
    /// The member who brought them, as the host wrote it.
    pub invited_by: String,
    /// The online answer of a visitor who answered before they came.
    pub answer_id: Option<String>,
}

impl From<store::attendance::Visitor> for VisitorView {
    fn from(v: store::attendance::Visitor) -> VisitorView {
        VisitorView { id: v.id, name: v.name, invited_by: v.invited_by, answer_id: v.answer_id }
    }
}

/// A visitor who answered online and is not yet marked as come.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpectedVisitor {
    pub answer_id: String,
    pub name: String,
}

/// A date's visitors.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorList {
    /// Who came.
    pub items: Vec<VisitorView>,
    /// Who answered online and has not been marked as come.
    pub expected: Vec<ExpectedVisitor>,
}

/// A visitor to write down.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitor {
    #[serde(default)]
    pub name: String,
    /// The member who brought them.
    #[serde(default)]
    pub invited_by: String,
    /// Instead of a name: the online answer of a visitor who came.
    #[serde(default)]
    pub answer: Option<String>,
}

/// The visitors of one date (the host, or the group's organisers and moderators).
#[utoipa::path(get, path = "/api/v1/events/{id}/occurrences/{start}/visitors", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("start" = String, Path)),
    responses((status = 200, body = VisitorList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, start)): Path<(String, String)>,
) -> ApiResult<Json<VisitorList>> {
    let e = door_of(&state, &me, &id).await?;
    let at = super::parse_key(&start)?;
    let items: Vec<VisitorView> =
        state.db.visitors(&e.id, at).await?.into_iter().map(VisitorView::from).collect();
    let expected = state
        .db
        .visitors_going(&e.id, at)
        .await?
        .into_iter()
        .filter(|a| !items.iter().any(|v| v.answer_id.as_deref() == Some(a.id.as_str())))
        .map(|a| ExpectedVisitor { answer_id: a.id, name: a.name })
        .collect();
    Ok(Json(VisitorList { items, expected }))
}

/// Writes down a visitor at one date: by name, or by the online answer of one who came.
#[utoipa::path(post, path = "/api/v1/events/{id}/occurrences/{start}/visitors", tag = "events", security(("bearer" = [])),
    request_body = NewVisitor, params(("id" = String, Path), ("start" = String, Path)),
    responses((status = 201, body = VisitorView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, start)): Path<(String, String)>,
    ApiJson(v): ApiJson<NewVisitor>,
) -> ApiResult<impl IntoResponse> {
    let e = door_of(&state, &me, &id).await?;
    let at = super::parse_key(&start)?;
    let id = match &v.answer {
        Some(answer) => came(&state, &me, &e, at, answer).await?,
        None => add(&state, &me, &e, at, &v.name, &v.invited_by).await?,
    };
    let entry =
        state.db.visitors(&e.id, at).await?.into_iter().find(|x| x.id == id).ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(VisitorView::from(entry))))
}

/// Takes a visitor off a date's list.
#[utoipa::path(delete, path = "/api/v1/events/{id}/occurrences/{start}/visitors/{visitor}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("start" = String, Path), ("visitor" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, _start, visitor)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let e = door_of(&state, &me, &id).await?;
    if !state.db.remove_visitor(&e.id, &visitor).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_reads_as_chapters_take_it() {
        assert_eq!(code(Some(1), ""), "present");
        assert_eq!(code(Some(1), "late"), "late");
        assert_eq!(code(Some(1), "substitute"), "substitute");
        assert_eq!(code(Some(0), ""), "absent");
        assert_eq!(code(None, "late"), "");
    }
}
