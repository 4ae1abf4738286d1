//! The host's edit form: the whole event or series, or one date and the ones after it ("this and
//! following", which splits the series); ending a series from a date; and the schedule in words
//! that the create and edit forms show as it is being chosen.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use minijinja::context;
use serde::Deserialize;
use store::events::Event;
use store::users::User;

use super::pages::{form_errors, input_of, options_with, EventForm};
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditQuery {
    /// Change this date and the ones after it (an occurrence key).
    from: String,
}

/// The form as the event stands (from the date `from` on, when given).
fn values_of(
    e: &Event,
    from: &str,
    local_start: Option<String>,
    (shown, answers): (bool, bool),
) -> EventForm {
    EventForm {
        kind: e.kind.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        starts_at_local: local_start.unwrap_or_else(|| e.start_local.clone()),
        time_zone: e.time_zone.clone(),
        duration_minutes: e.duration_minutes.to_string(),
        repeat: if e.rrule.is_empty() { String::new() } else { "keep".to_owned() },
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        mode: if e.is_virtual == 1 { "virtual" } else { "in_person" }.to_owned(),
        place_name: e.place_name.clone(),
        city: e.city_label.clone(),
        video_url: e.video_url.clone(),
        visibility: e.visibility.clone(),
        group: e.group_id.clone().unwrap_or_default(),
        venue: e.venue_id.clone().unwrap_or_default(),
        rotate: if e.venue_rotation.is_empty() { String::new() } else { "yes".to_owned() },
        suggested: e.venue_rotation.clone(),
        action: String::new(),
        from: from.to_owned(),
        event: e.id.clone(),
        allow_past: String::new(),
        partnership: String::new(),
        invite: String::new(),
        show_to_visitors: if shown { "yes" } else { "" }.to_owned(),
        visitor_answers: if answers { "yes" } else { "" }.to_owned(),
    }
}

/// What the edit page shows besides the form's values.
fn frame(e: &Event, from: &str, when: Option<String>) -> minijinja::Value {
    let summary = super::series::summary(e);
    let keep = (!e.rrule.is_empty()).then(|| format!("As now ({summary})"));
    let heading = match &when {
        Some(w) => format!("Change {} from {w} on", e.title),
        None => format!("Edit {}", e.title),
    };
    context! {
        opts => options_with(keep.as_deref()),
        heading,
        action => format!("/events/{}/edit", e.id),
        button => "Save changes",
        schedule => summary,
        splitting => !from.is_empty(),
    }
}

async fn occurrence_start(
    state: &AppState,
    me: &User,
    e: &Event,
    from: &str,
) -> Result<Option<(String, String)>, AppError> {
    if from.is_empty() {
        return Ok(None);
    }
    let key = super::parse_key(from)?;
    let overrides = state.db.overrides(&e.id).await?;
    let occ = super::series::find(e, &overrides, key).ok_or(AppError::NotFound)?;
    let when = super::view::when(occ.start, &me.timezone, &e.time_zone);
    Ok(Some((super::input::format_local(occ.local_start), when)))
}

/// `GET /events/{id}/edit?from=KEY` (host).
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<EditQuery>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let occ = occurrence_start(&state, &me, &e, &q.from).await?;
    let (local, when) = occ.map_or((None, None), |(l, w)| (Some(l), Some(w)));
    let visitors = (state.db.event_shown(&e.id).await?, state.db.visitor_answers_on(&e.id).await?);
    let values = values_of(&e, &q.from, local, visitors);
    let ctx = context! { values, ..frame(&e, &q.from, when) };
    Ok(page("event_new.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /events/{id}/edit` (host): the whole series, or from `from` on.
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<EventForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let (mut input, errors) = input_of(&form);
    match form.repeat.as_str() {
        // "Does not repeat" ends the repeating; "as now" keeps the rule as it is.
        "" => input.rrule = Some(String::new()),
        "keep" => input.preset = None,
        _ => {}
    }
    let result = if !errors.is_empty() {
        Err(AppError::Invalid(errors))
    } else if form.from.is_empty() {
        super::update(&state, &e, &input).await
    } else {
        let key = super::parse_key(&form.from)?;
        super::edit::split(&state, &e, key, &input).await
    };
    match result {
        Ok(saved) => Ok(Redirect::to(&format!("/events/{}", saved.id)).into_response()),
        Err(AppError::Invalid(err)) => {
            let when = occurrence_start(&state, &me, &e, &form.from).await?.map(|(_, w)| w);
            let ctx = context! { errors => form_errors(&err), values => form, ..frame(&e, &form.from, when) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("event_new.html", Some(&me), &csrf, ctx)?)
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    from_date: String,
}

/// `POST /events/{id}/end` (host): no more dates from this one on.
pub async fn end(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<EndForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let date = chrono::NaiveDate::parse_from_str(form.from_date.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| super::input::YEARS.contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            AppError::Invalid(domain::FieldErrors::one("from_date", "Give a date like 2027-06-01."))
        })?;
    Ok(match super::edit::end_from(&state, &e, date).await? {
        Some(kept) => Redirect::to(&format!("/events/{}", kept.id)).into_response(),
        None => Redirect::to("/events").into_response(),
    })
}

/// `GET /events/summary?…form fields…`: the schedule in words, for the forms to show as it is
/// chosen (htmx swaps it in; without JavaScript the event page says it after saving).
pub async fn summary(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(form): Query<EventForm>,
) -> PageResult {
    let rrule = match form.repeat.as_str() {
        "" => String::new(),
        "keep" => match super::visible(&state, &me, &form.event).await {
            Ok(e) => e.rrule,
            Err(_) => String::new(),
        },
        preset => super::input::parse_local(&form.starts_at_local)
            .and_then(|start| super::series::preset(preset, start).ok())
            .unwrap_or_default(),
    };
    let said =
        super::series::summary_of(&form.starts_at_local, &form.time_zone, &form.duration_minutes, &rrule);
    let text = said.map(|s| format!("In words: {s}.")).unwrap_or_default();
    // The words hold no title, but text goes into HTML escaped all the same.
    Ok(Html(minijinja::HtmlEscape(&text).to_string()).into_response())
}
