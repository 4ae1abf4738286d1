//! Partner pages: find partners (suggestions with reasons), my partners and requests, favourites.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;

use super::api::SuggestionQuery;
use super::partnerships::{self, offer};
use super::KINDS;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// The filters as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FindForm {
    mode: String,
    max_km: String,
    skill: String,
    kind: String,
}

/// `GET /partners`.
pub async fn find(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Query(mut form): Query<FindForm>,
) -> PageResult {
    if form.mode.is_empty() {
        form.mode = if me.in_person == 1 && me.lat.is_some() { "in_person" } else { "virtual" }.into();
    }
    if form.kind.is_empty() {
        form.kind = "coworking".into();
    }
    let mut errors = FieldErrors::default();
    let max_km = match form.max_km.trim() {
        "" => None,
        s => s.parse::<f64>().ok().or_else(|| {
            errors.add("max_km", "Give a distance in km, e.g. 10.");
            None
        }),
    };
    let q = SuggestionQuery {
        mode: form.mode.clone(),
        skill: form.skill.clone(),
        max_km,
        kind: form.kind.clone(),
        limit: Some(20),
    };
    let filters = q.filters();
    let items = match (&filters, errors.is_empty()) {
        (Ok(f), true) => super::suggestions(&state, &me, f).await?,
        (Err(e), _) => {
            for err in e.iter() {
                errors.add(&err.field, err.detail.clone());
            }
            Vec::new()
        }
        _ => Vec::new(),
    };
    let favourites: Vec<String> =
        state.db.favourites_of(&me.id).await?.into_iter().map(|(id, _)| id).collect();
    let modes = [("in_person", "In person"), ("virtual", "Online")];
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = (!errors.is_empty()).then(|| error_map(&errors));
    let ctx = context! { values => form, items, favourites, modes, kinds => KINDS, errors };
    Ok((status, page("partners.html", Some(&me), &csrf, ctx)?).into_response())
}

async fn render_list(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    just_accepted: Option<&str>,
    failed: Option<(&RequestForm, &FieldErrors)>,
) -> PageResult {
    let errors = failed.map(|(_, e)| e);
    // A refused request comes back as a form with the member's words kept.
    let mut retry = None;
    if let Some((form, _)) = failed {
        if let Some(them) = state.db.user(&form.member_id).await?.filter(|u| u.suspended_at.is_none()) {
            retry = Some(
                context! { member_id => them.id, name => them.display_name, kind => form.kind, message => form.message },
            );
        }
    }
    let mut offer_ctx = None;
    let items: Vec<_> = state
        .db
        .partnerships_of(&me.id)
        .await?
        .into_iter()
        .map(|p| {
            let mine = p.requester_id == me.id;
            let other = if mine { p.partner_name.clone() } else { p.requester_name.clone() };
            let actions: Vec<(&str, String)> = match (p.status.as_str(), mine) {
                ("requested", false) => vec![("accept", format!("Accept {other}")), ("decline", format!("Decline {other}"))],
                ("requested", true) => vec![("end", format!("Withdraw request to {other}"))],
                ("accepted", _) => vec![("end", format!("End partnership with {other}"))],
                _ => Vec::new(),
            };
            let status_label = match (p.status.as_str(), mine) {
                ("requested", true) => "waiting for an answer",
                ("requested", false) => "asks you",
                ("accepted", _) => "partners",
                ("declined", _) => "declined",
                _ => "ended",
            };
            let o = (p.status == "accepted").then(|| offer(&p)).flatten();
            if just_accepted == Some(p.id.as_str()) {
                offer_ctx = o.as_ref().map(|o| {
                    let repeat_label = if o.repeat == "weekly" { "weekly" } else { "every two months" };
                    context! { link => o.link, title => o.title, duration_minutes => o.duration_minutes, repeat_label }
                });
            }
            context! { id => p.id, other, kind => p.kind, message => p.message, status_label, actions, offer => o }
        })
        .collect();
    let favourites = state.db.favourites_of(&me.id).await?;
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = context! { items, favourites, offer => offer_ctx, retry, kinds => KINDS, errors => errors.map(error_map) };
    Ok((status, page("partnerships.html", Some(me), csrf, ctx)?).into_response())
}

/// `?accepted=ID` after accepting shows the offer to create the recurring event.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    accepted: String,
}

/// `GET /partnerships`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render_list(&state, &me, &csrf, Some(q.accepted.as_str()).filter(|s| !s.is_empty()), None).await
}

/// The request form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    member_id: String,
    kind: String,
    message: String,
}

/// `POST /partnerships`.
pub async fn request(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<RequestForm>,
) -> PageResult {
    match partnerships::request(&state, &me, &form.member_id, &form.kind, &form.message).await {
        Ok(_) => Ok(Redirect::to("/partnerships").into_response()),
        Err(AppError::Invalid(e) | AppError::Conflict(e)) => {
            render_list(&state, &me, &csrf, None, Some((&form, &e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An empty form: the CSRF token only.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// `POST /partnerships/{id}/{accept|decline|end}`.
pub async fn act(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, action)): Path<(String, String)>,
    Posted { csrf, .. }: Posted<Empty>,
) -> PageResult {
    match partnerships::act(&state, &me, &id, &action).await {
        Ok(p) if p.status == "accepted" => {
            Ok(Redirect::to(&format!("/partnerships?accepted={}", p.id)).into_response())
        }
        Ok(_) => Ok(Redirect::to("/partnerships").into_response()),
        Err(AppError::Conflict(e)) => {
            render_list(&state, &me, &csrf, None, Some((&RequestForm::default(), &e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The favourite toggle.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FavouriteForm {
    on: String,
    back: String,
}

/// `POST /members/{id}/favourite` with `on=1` or `on=0`.
pub async fn favourite(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<FavouriteForm>,
) -> PageResult {
    let them = state.db.user(&id).await?.filter(|u| u.id != me.id && u.suspended_at.is_none());
    let them = them.ok_or(AppError::NotFound)?;
    if form.on == "0" {
        state.db.remove_favourite(&me.id, &them.id).await?;
    } else {
        state.db.add_favourite(&me.id, &them.id, now_ms()).await?;
    }
    // Only our own pages: never an open redirect.
    let back =
        if form.back == "/partners" { "/partners".to_owned() } else { format!("/members/{}", them.id) };
    Ok(Redirect::to(&back).into_response())
}

/// What a member's profile page shows about working with them: their reliability, whether they
/// are my favourite, and whether they take partner requests from me.
pub async fn profile_panel(state: &AppState, me: &User, id: &str) -> Result<minijinja::Value, AppError> {
    let Some(them) = state.db.user(id).await? else { return Ok(minijinja::Value::UNDEFINED) };
    let record = super::record_of(state, id).await?;
    let favourite = state.db.favourites_of(&me.id).await?.iter().any(|(f, _)| f == id);
    let may_ask = super::may_book(state, &me.id, &them).await?;
    Ok(context! {
        badge => record.badge().as_str(), reliability => record.describe(), favourite, may_ask, kinds => KINDS,
    })
}
