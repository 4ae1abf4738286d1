//! A group's calendar imported by its organiser or a moderator (an export from Meetup, Google or
//! Outlook): each event of the file becomes one of the group's events, a series kept a series
//! with its cancelled and changed dates, past events as past. Importing the same calendar again
//! updates the events it made (found by the file's UIDs) rather than adding them twice, telling
//! members of changed dates as any edit does; events missing from the new file are listed for the
//! organiser, never deleted. Imported events are not announced to followers one by one; one
//! without a place in the file is kept, online for a group that meets online, else in the
//! group's city with its place to be filled in.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use domain::groups::Action;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::events::{Event, Override};
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use super::ics::{parse_calendar, Imported};
use crate::error::{ApiResult, AppError, PageResult};
use crate::groups::{access, Access};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Uploaded};
use crate::web::templates::page;

/// The place of an imported event whose file gave none.
const NO_PLACE: &str = "Place not given";

/// One event of the file that could not be imported, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Skipped {
    pub title: String,
    pub problem: String,
}

/// One of the group's imported events that the file no longer has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Missing {
    pub id: String,
    pub title: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: Vec<Skipped>,
    /// Events an earlier import made that are not in this file: still here, for the organiser
    /// to keep or delete.
    pub missing: Vec<Missing>,
}

/// The file's per-date changes as overrides of `e` (only dates the series has: a stray EXDATE
/// or RECURRENCE-ID is ignored).
pub(super) fn overrides_of(e: &Event, imported: &Imported) -> BTreeMap<i64, Override> {
    let zone: chrono_tz::Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let key_of = |local| domain::recurrence::resolve(zone, local).timestamp_millis();
    let blank = |key| Override {
        occurrence_start: key,
        cancelled: 0,
        start_local: None,
        duration_minutes: None,
        title: None,
    };
    let mut out = BTreeMap::new();
    for local in &imported.cancelled {
        let key = key_of(*local);
        out.insert(key, Override { cancelled: 1, ..blank(key) });
    }
    for c in &imported.changed {
        let key = key_of(c.recurrence_id);
        out.insert(
            key,
            Override {
                start_local: (c.start != c.recurrence_id).then(|| super::input::format_local(c.start)),
                duration_minutes: c.minutes.filter(|m| *m != e.duration_minutes && (1..=24 * 60).contains(m)),
                title: c.title.clone().filter(|t| *t != e.title),
                ..blank(key)
            },
        );
    }
    out.retain(|key, _| super::series::find(e, &[], *key).is_some());
    out
}

/// Whether two overrides of one date say the same.
fn same(a: &Override, b: &Override) -> bool {
    (a.cancelled, &a.start_local, a.duration_minutes, &a.title)
        == (b.cancelled, &b.start_local, b.duration_minutes, &b.title)
}

/// Brings one event of the file in: a new event, or the one an earlier import made with its UID.
/// Returns whether it was created, changed, or already as the file says.
async fn bring(
    state: &AppState,
    me: &User,
    a: &Access,
    visibility: &str,
    known: Option<&Event>,
    imported: Imported,
) -> Result<Outcome, AppError> {
    let mut input = imported.input.clone();
    let Some(e) = known else {
        // A calendar event without a LOCATION is kept: online for a group that meets online,
        // else in the group's city, its place to be filled in.
        if input.place.is_none() && input.is_virtual.is_none() {
            if a.group.city_label.is_empty() {
                input.is_virtual = Some(super::input::VirtualInput::default());
            } else {
                let city = a.group.city_label.clone();
                input.place =
                    Some(super::input::PlaceInput { name: NO_PLACE.to_owned(), city, venue_id: None });
            }
        }
        input.allow_past = Some(true);
        input.group_id = Some(a.group.id.clone());
        input.visibility = Some(visibility.to_owned());
        input.kind = Some("meeting".to_owned());
        let e = super::create_quietly(state, me, &input).await?;
        for o in overrides_of(&e, &imported).values() {
            state.db.set_override(&e.id, o).await?;
        }
        return Ok(Outcome::Created(e.id));
    };
    // What the organiser set here and the file does not carry stays as it is.
    (input.kind, input.visibility, input.group_id, input.capacity) = (None, None, None, None);
    let current = super::series::fields_of(e);
    let mut filled = input.clone();
    crate::venues::fill_place(state, &mut filled).await?;
    let wanted = super::series::with_bounds(super::input::apply(&filled, Some(&current))?)?;
    let mut changed = false;
    let e = if wanted == current {
        e.clone()
    } else {
        changed = true;
        super::update(state, e, &input).await?
    };
    let now: BTreeMap<i64, Override> =
        state.db.overrides(&e.id).await?.into_iter().map(|o| (o.occurrence_start, o)).collect();
    let file = overrides_of(&e, &imported);
    for key in now.keys().chain(file.keys()).copied().collect::<std::collections::BTreeSet<_>>() {
        let blank = Override {
            occurrence_start: key,
            cancelled: 0,
            start_local: None,
            duration_minutes: None,
            title: None,
        };
        let want = file.get(&key).cloned().unwrap_or(blank.clone());
        let have = now.get(&key).cloned().unwrap_or(blank);
        if !same(&want, &have) {
            super::change_date(state, &e, &want).await?;
            changed = true;
        }
    }
    Ok(if changed { Outcome::Updated } else { Outcome::Unchanged })
}

enum Outcome {
    Created(String),
    Updated,
    Unchanged,
}

/// Imports `file` into `a`'s group; new events get `visibility` (group | public).
pub async fn import(
    state: &AppState,
    me: &User,
    a: &Access,
    file: &[u8],
    visibility: &str,
) -> Result<ImportReport, AppError> {
    a.require(Action::Manage)?;
    let visibility = match visibility {
        "" | "group" => "group",
        "public" => "public",
        _ => return Err(FieldErrors::one("visibility", "Choose the group's members or everyone.").into()),
    };
    let text = std::str::from_utf8(file)
        .map_err(|_| FieldErrors::one("file", "This isn't a calendar (.ics) file: it isn't text."))?;
    let found = parse_calendar(text).map_err(AppError::Invalid)?;
    let before = state.db.imported_events(&a.group.id).await?;
    let by_uid: HashMap<&str, &str> = before.iter().map(|(uid, id, _)| (uid.as_str(), id.as_str())).collect();
    let in_file: std::collections::HashSet<String> = found.iter().map(|f| f.uid.clone()).collect();
    let mut report = ImportReport::default();
    for f in found {
        let imported = match f.read {
            Ok(i) => i,
            Err(e) => {
                report.skipped.push(Skipped { title: f.title, problem: first_problem(&e) });
                continue;
            }
        };
        let known = match by_uid.get(f.uid.as_str()) {
            Some(id) => state.db.event(id).await?,
            None => None,
        };
        match bring(state, me, a, visibility, known.as_ref(), imported).await {
            Ok(Outcome::Created(id)) => {
                if !f.uid.is_empty() {
                    state.db.set_import_uid(&id, &f.uid).await?;
                }
                report.created += 1;
            }
            Ok(Outcome::Updated) => report.updated += 1,
            Ok(Outcome::Unchanged) => report.unchanged += 1,
            Err(AppError::Invalid(e)) => {
                report.skipped.push(Skipped { title: f.title, problem: first_problem(&e) })
            }
            Err(e) => return Err(e),
        }
    }
    report.missing = before
        .into_iter()
        .filter(|(uid, _, _)| !in_file.contains(uid))
        .map(|(_, id, title)| Missing { id, title })
        .collect();
    tracing::info!(group = %a.group.id, created = report.created, updated = report.updated, skipped = report.skipped.len(), "calendar imported");
    Ok(report)
}

/// The problems with one event, in words for the organiser.
fn first_problem(e: &FieldErrors) -> String {
    let all: Vec<String> = crate::accounts::pages::error_map(e).into_values().collect();
    all.join(" ")
}

// ---------------------------------------------------------------- pages --

/// `GET /groups/{id}/calendar/import` (organisers and moderators).
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let ctx = context! { group => a.group, visibility => "group" };
    Ok(page("group_calendar_import.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /groups/{id}/calendar/import` (multipart: `csrf`, `file`, `visibility`).
pub async fn page_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    form: Multipart,
) -> PageResult {
    let mut up = Uploaded::read(&token, form, "file").await?;
    let (file, visibility) = (std::mem::take(&mut up.file), up.text("visibility"));
    let a = access(&state, &me, &id).await?;
    match import(&state, &me, &a, &file, &visibility).await {
        Ok(report) => {
            let ctx = context! { group => a.group, report, visibility };
            Ok(page("group_calendar_import.html", Some(&me), &token, ctx)?.into_response())
        }
        Err(AppError::Invalid(e)) => {
            let ctx =
                context! { group => a.group, errors => crate::accounts::pages::error_map(&e), visibility };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page("group_calendar_import.html", Some(&me), &token, ctx)?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ API --

/// Options of a calendar import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct GroupImportQuery {
    /// Who sees new events: group (the group's members; the default) | public.
    pub visibility: String,
}

/// Imports a calendar file (the request body) as the group's events; importing it again updates
/// them (organisers and moderators).
#[utoipa::path(post, path = "/api/v1/groups/{id}/calendar/import", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path), GroupImportQuery), request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<GroupImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let a = access(&state, &me, &id).await?;
    Ok(Json(import(&state, &me, &a, &body, &q.visibility).await?))
}
