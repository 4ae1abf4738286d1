//! Venue pages: the directory with its filters, adding and editing a venue, a venue with its
//! hours, what reviews say, upcoming public events there and its edit history, reviewing it, and
//! merging a duplicate.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{TimeDelta, Utc};
use domain::venues::{KINDS, OUTLETS};
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use store::venues::Venue;

use super::api::{
    create_venue, directory as list_venues, merge_venues, review_venue, update_venue, ReviewInput,
    VenueQuery, VenueView,
};
use super::input::VenueInput;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::events::view::DateCard;
use crate::state::AppState;
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// `GET /venues`: the directory.
pub async fn directory(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<VenueQuery>,
) -> PageResult {
    let (items, more, errors, status) = match list_venues(&state, &q).await {
        Ok((items, more)) => (items, more, None, StatusCode::OK),
        Err(AppError::Invalid(e)) => {
            (Vec::new(), false, Some(error_map(&e)), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let next = more.then(|| {
        let mut n = q.clone();
        n.page = (q.page.parse::<i64>().unwrap_or(1) + 1).to_string();
        serde_urlencoded::to_string(&n).unwrap_or_default()
    });
    let ctx = context! { items, next, values => q, errors, kinds => KINDS };
    Ok((status, page("venues.html", Some(&me), &csrf, ctx)?).into_response())
}

/// The venue form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VenueForm {
    name: String,
    kind: String,
    address: String,
    city: String,
    lat: String,
    lon: String,
    noise: String,
    wifi: String,
    outlets: String,
    price: String,
    hours: String,
    exceptions: String,
    accessibility: String,
}

impl VenueForm {
    fn input(&self) -> (VenueInput, domain::FieldErrors) {
        let mut e = domain::FieldErrors::new();
        let mut number = |field: &str, s: &str| -> Option<f64> {
            match s.trim() {
                "" => None,
                t => t.replace(',', ".").parse::<f64>().ok().or_else(|| {
                    e.add(field, "Give a number.");
                    None
                }),
            }
        };
        let lat = number("lat", &self.lat);
        let lon = number("lon", &self.lon);
        let noise = number("noise", &self.noise).map(|n| n as i64);
        let price = number("price", &self.price).map(|n| n as i64);
        let input = VenueInput {
            name: Some(self.name.clone()),
            kind: Some(self.kind.clone()),
            address: Some(self.address.clone()),
            city: Some(self.city.clone()),
            lat,
            lon,
            noise,
            wifi: Some(self.wifi == "yes"),
            outlets: Some(self.outlets.clone()),
            price,
            hours: Some(self.hours.clone()),
            exceptions: Some(self.exceptions.clone()),
            accessibility: Some(self.accessibility.clone()),
        };
        (input, e)
    }

    fn of(v: &Venue) -> VenueForm {
        VenueForm {
            name: v.name.clone(),
            kind: v.kind.clone(),
            address: v.address.clone(),
            city: v.city_label.clone(),
            lat: format!("{:.5}", v.lat),
            lon: format!("{:.5}", v.lon),
            noise: v.noise.to_string(),
            wifi: if v.wifi == 1 { "yes" } else { "" }.into(),
            outlets: OUTLETS[v.outlets.clamp(0, 2) as usize].0.into(),
            price: v.price.to_string(),
            hours: v.hours.clone(),
            exceptions: v.exceptions.clone(),
            accessibility: v.accessibility.clone(),
        }
    }
}

fn render_form(
    me: &User,
    csrf: &CsrfToken,
    values: &VenueForm,
    venue: Option<&Venue>,
    errors: Option<&domain::FieldErrors>,
) -> PageResult {
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = context! {
        values, venue, errors => errors.map(error_map).unwrap_or_default(), kinds => KINDS, outlets => OUTLETS,
        noises => [("1", "1 — silent"), ("2", "2 — quiet"), ("3", "3 — a low murmur"), ("4", "4 — lively"), ("5", "5 — loud")],
        prices => [("1", "€ — cheap"), ("2", "€€"), ("3", "€€€"), ("4", "€€€€ — dear")],
    };
    Ok((status, page("venue_form.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /venues/new`.
pub async fn new_page(CurrentUser(me): CurrentUser, csrf: CsrfToken) -> PageResult {
    let values = VenueForm {
        kind: "cafe".into(),
        city: me.city_label.clone(),
        noise: "2".into(),
        outlets: "some".into(),
        price: "2".into(),
        wifi: "yes".into(),
        hours: "Mon-Fri 08:00-19:00; Sat 09:00-14:00".into(),
        ..VenueForm::default()
    };
    render_form(&me, &csrf, &values, None, None)
}

/// `POST /venues/new`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<VenueForm>,
) -> PageResult {
    let (input, errors) = form.input();
    let result = if errors.is_empty() {
        create_venue(&state, &me, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/venues/{id}")).into_response()),
        Err(AppError::Invalid(e)) => render_form(&me, &csrf, &form, None, Some(&e)),
        Err(e) => Err(e.into()),
    }
}

/// `GET /venues/{id}/edit`.
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let v = super::find(&state, &id).await?;
    render_form(&me, &csrf, &VenueForm::of(&v), Some(&v), None)
}

/// `POST /venues/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<VenueForm>,
) -> PageResult {
    let v = super::find(&state, &id).await?;
    let (input, errors) = form.input();
    let result = if errors.is_empty() {
        update_venue(&state, &me, &v, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/venues/{}", v.id)).into_response()),
        Err(AppError::Invalid(e)) => render_form(&me, &csrf, &form, Some(&v), Some(&e)),
        Err(e) => Err(e.into()),
    }
}

/// `GET /venues/{id}`: a merged-away venue sends you to the one it became.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let Some(me) = me else { return crate::visitors::pages::venue(&state, &csrf, &id).await };
    let v = super::find(&state, &id).await?;
    if v.id != id {
        return Ok(Redirect::to(&format!("/venues/{}", v.id)).into_response());
    }
    render_show(&state, &me, &csrf, &v, minijinja::context! {}, StatusCode::OK).await
}

async fn render_show(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    v: &Venue,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let attrs = super::attributes(state, std::slice::from_ref(v)).await?;
    let venue = VenueView::new(v, &attrs[0]);
    let reviews = state.db.venue_reviews(&v.id, 20).await?;
    let edits = state.db.venue_edits(&v.id).await?;
    let reviewable = super::reviewable(state, me, v).await?;
    let reviewable: Vec<_> = reviewable
        .iter()
        .map(|(e, k, title)| context! { value => format!("{e}|{k}"), label => format!("{title}, {}", crate::events::view::when(chrono::DateTime::from_timestamp_millis(*k).unwrap_or_default(), &me.timezone, &v.time_zone)) })
        .collect();
    // Upcoming public events here, soonest first.
    let (from, to) = (Utc::now(), Utc::now() + TimeDelta::days(90));
    let mut upcoming = Vec::new();
    for e in state.db.events_at_venue(&v.id).await? {
        if e.visibility != "public" || !crate::groups::may_open_event(state, me, &e).await? {
            continue;
        }
        let overrides = state.db.overrides(&e.id).await?;
        for o in crate::events::series::expand(&e, &overrides, from, to).into_iter().filter(|o| !o.cancelled)
        {
            if super::venue_of_occurrence(state, &e, o.key).await?.as_deref() == Some(v.id.as_str()) {
                upcoming.push(DateCard::new(&e, o, &me.timezone));
            }
        }
    }
    upcoming.sort_by_key(|d| d.start);
    upcoming.truncate(5);
    let upcoming = crate::photos::with_faces(state, me, &upcoming, |d| (&d.event_id, d.key)).await?;
    let near_home = state.db.near_home_of(&me.id).await?.iter().any(|(id, _)| *id == v.id);
    let ctx = context! {
        venue, reviews, edits, reviewable, upcoming, outlets => OUTLETS, near_home,
        may_merge => super::may_merge(state, me).await?, ..extra
    };
    Ok((status, page("venue.html", Some(me), csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewForm {
    /// "event id|occurrence key".
    occurrence: String,
    noise: String,
    wifi: String,
    outlets: String,
    good_for_work: String,
    note: String,
}

/// `POST /venues/{id}/reviews`.
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<ReviewForm>,
) -> PageResult {
    let v = super::find(&state, &id).await?;
    let (event_id, key) = form.occurrence.split_once('|').unwrap_or(("", ""));
    let input = ReviewInput {
        event_id: event_id.to_owned(),
        occurrence_start: key.to_owned(),
        noise: form.noise.trim().parse().ok(),
        wifi: form.wifi == "yes",
        outlets: form.outlets.clone(),
        good_for_work: form.good_for_work == "yes",
        note: form.note.clone(),
    };
    match review_venue(&state, &me, &v, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/venues/{}#reviews", v.id)).into_response()),
        Err(AppError::Invalid(e)) => {
            let mut errors = error_map(&e);
            if let Some(d) = errors.remove("event_id").or_else(|| errors.remove("occurrence_start")) {
                errors.insert("occurrence".into(), d);
            }
            render_show(
                &state,
                &me,
                &csrf,
                &v,
                context! { review_errors => errors, review_values => form },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MergeForm {
    into: String,
}

/// `POST /venues/{id}/merge` (admins and group organisers).
pub async fn merge(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<MergeForm>,
) -> PageResult {
    let v = state.db.venue(&id).await?.ok_or(AppError::NotFound)?;
    match merge_venues(&state, &me, &v, &form.into).await {
        Ok(kept) => Ok(Redirect::to(&format!("/venues/{kept}")).into_response()),
        Err(AppError::Invalid(e)) => {
            render_show(
                &state,
                &me,
                &csrf,
                &v,
                context! { merge_errors => error_map(&e), merge_value => form.into },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
