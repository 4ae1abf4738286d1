//! Poll pages: start one (from the member directory's selection), vote, close.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, Days, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::PollInput;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageResult};
use crate::events::input::{PlaceInput, KINDS};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// The form, as typed. Invitees come as repeated `with` fields.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PollForm {
    title: String,
    kind: String,
    duration_minutes: String,
    time_zone: String,
    from_date: String,
    to_date: String,
    preset: String,
    place_name: String,
    city: String,
}

fn invitees_of(raw: &str) -> Vec<String> {
    // Repeated `with=` fields (serde_urlencoded keeps only one), read by hand.
    url::form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k == "with")
        .map(|(_, v)| v.into_owned())
        .collect()
}

async fn render(
    state: &AppState,
    me: &store::users::User,
    csrf: &CsrfToken,
    values: &PollForm,
    with: &[String],
    errors: Option<&domain::FieldErrors>,
) -> PageResult {
    let mut people = Vec::new();
    for id in with {
        if let Some(u) = state.db.user(id).await? {
            people.push(context! { id => u.id, name => u.display_name });
        }
    }
    let repeats: Vec<(&str, &str)> = std::iter::once(("", "Once"))
        .chain(domain::recurrence::Preset::ALL.iter().map(|p| (p.as_str(), p.label())))
        .collect();
    let zones: Vec<(&str, &str)> = chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name(), z.name())).collect();
    let ctx = context! { values, people, kinds => KINDS, repeats, zones, errors => errors.map(error_map) };
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page("poll_new.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /polls/new?with=ID&with=ID`.
pub async fn new_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    uri: axum::http::Uri,
) -> PageResult {
    let with = invitees_of(uri.query().unwrap_or_default());
    let today = Utc::now().date_naive();
    let values = PollForm {
        kind: "cowork".into(),
        duration_minutes: "90".into(),
        time_zone: me.timezone.clone(),
        from_date: (today + Days::new(1)).format("%Y-%m-%d").to_string(),
        to_date: (today + Days::new(14)).format("%Y-%m-%d").to_string(),
        ..PollForm::default()
    };
    render(&state, &me, &csrf, &values, &with, None).await
}

/// `POST /polls/new`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, raw }: Posted<PollForm>,
) -> PageResult {
    let with = invitees_of(&raw);
    let input = PollInput {
        title: form.title.clone(),
        kind: form.kind.clone(),
        duration_minutes: form.duration_minutes.trim().parse().ok().or(Some(-1)),
        time_zone: form.time_zone.clone(),
        from_date: form.from_date.clone(),
        to_date: form.to_date.clone(),
        invitees: with.clone(),
        slots: Vec::new(),
        preset: form.preset.clone(),
        place: (!form.place_name.trim().is_empty() || !form.city.trim().is_empty()).then(|| PlaceInput {
            name: form.place_name.clone(),
            city: form.city.clone(),
            venue_id: None,
        }),
    };
    match super::create(&state, &me, &input).await {
        Ok(poll) => Ok(Redirect::to(&format!("/polls/{}", poll.id)).into_response()),
        Err(AppError::Invalid(e)) => render(&state, &me, &csrf, &form, &with, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// `GET /polls/{id}`.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let (poll, invitees) = super::visible(&state, &me, &id).await?;
    let view = super::view(&state, &me, &poll, &invitees).await?;
    let slots: Vec<_> = view
        .slots
        .iter()
        .map(|s| {
            let start =
                DateTime::parse_from_rfc3339(&s.start).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
            context! { slot => s, when => crate::events::view::when(start, &me.timezone, &poll.time_zone) }
        })
        .collect();
    let ctx = context! { poll => view, slots, organiser => poll.organiser_id == me.id };
    Ok(page("poll.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /polls/{id}/votes`: fields `vote_{key}` = yes | ifneedbe | no.
pub async fn vote(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { raw, .. }: Posted<Empty>,
) -> PageResult {
    let (poll, _) = super::visible(&state, &me, &id).await?;
    let votes: Vec<(i64, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .filter_map(|(k, v)| Some((k.strip_prefix("vote_")?.parse().ok()?, v.into_owned())))
        .filter(|(_, v): &(i64, String)| !v.is_empty())
        .collect();
    super::vote(&state, &me, &poll, &votes).await?;
    Ok(Redirect::to(&format!("/polls/{}", poll.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    start: i64,
}

/// `POST /polls/{id}/close` (organiser).
pub async fn close(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<CloseForm>,
) -> PageResult {
    let (poll, _) = super::visible(&state, &me, &id).await?;
    if poll.organiser_id != me.id {
        return Err(AppError::Forbidden("Only the organiser can close the poll.").into());
    }
    let event = super::close(&state, &me, &poll, form.start).await?;
    Ok(Redirect::to(&format!("/events/{}", event.id)).into_response())
}
