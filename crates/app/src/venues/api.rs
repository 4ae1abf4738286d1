//! Venue endpoints of the JSON API, the venue's view, and the steps the pages share.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use domain::venues::{noise_words, Attributes, KINDS, OUTLETS};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::users::User;
use store::venues::{NewReview, Venue, VenueFilter};
use utoipa::{IntoParams, ToSchema};

use super::input::{apply, changes, fields_of, outlets_of, VenueInput};
use crate::error::{ApiResult, AppError};
use crate::groups::view::rfc3339;
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// A venue with what recent reviews say of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueView {
    pub id: String,
    pub name: String,
    /// cafe | library | coworking | other
    pub kind: String,
    /// The kind in words: "Café".
    pub kind_label: String,
    pub address: String,
    pub city: String,
    pub lat: f64,
    pub lon: f64,
    /// The zone its hours are in.
    pub time_zone: String,
    /// 1 silent – 5 loud: the mean of recent reviews, or as stated.
    pub noise: f64,
    pub noise_words: String,
    pub wifi: bool,
    /// none | some | plenty
    pub outlets: String,
    /// Outlets in words: "a few".
    pub outlets_label: String,
    /// 1 cheap – 4 dear.
    pub price: i64,
    /// The price as "€" to "€€€€".
    pub price_label: String,
    /// e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00".
    pub hours: String,
    pub exceptions: String,
    /// Today's hours on the venue's clock, in words.
    pub today: String,
    pub open_now: bool,
    pub accessibility: String,
    /// How many recent reviews the figures rest on (0: as stated when added).
    pub reviews: usize,
    /// The share (0–100) of reviewers who found it good for working.
    pub good_for_work_percent: Option<u32>,
}

impl VenueView {
    /// A venue with its aggregate attributes.
    pub fn new(v: &Venue, a: &Attributes) -> VenueView {
        let zone = super::zone_of(v);
        let hours = super::hours_of(v);
        let now = Utc::now();
        VenueView {
            id: v.id.clone(),
            name: v.name.clone(),
            kind: v.kind.clone(),
            kind_label: KINDS.iter().find(|(k, _)| *k == v.kind).map_or("Other", |(_, l)| l).to_owned(),
            address: v.address.clone(),
            city: v.city_label.clone(),
            lat: v.lat,
            lon: v.lon,
            time_zone: v.time_zone.clone(),
            noise: (a.noise * 10.0).round() / 10.0,
            noise_words: noise_words(a.noise).to_owned(),
            wifi: a.wifi,
            outlets: OUTLETS[usize::from(a.outlets.min(2))].0.to_owned(),
            outlets_label: OUTLETS[usize::from(a.outlets.min(2))].1.to_lowercase(),
            price: v.price,
            price_label: "€".repeat(v.price.clamp(1, 4) as usize),
            hours: v.hours.clone(),
            exceptions: v.exceptions.clone(),
            today: hours.describe(now.with_timezone(&zone).date_naive()),
            open_now: hours.open_throughout(zone, now, now + chrono::TimeDelta::minutes(1)),
            accessibility: v.accessibility.clone(),
            reviews: a.reviews,
            good_for_work_percent: a.good_for_work.map(|g| (g * 100.0).round() as u32),
        }
    }
}

/// The view of venue `id`.
pub async fn view(state: &AppState, id: &str) -> Result<VenueView, AppError> {
    let v = super::find(state, id).await?;
    let a = super::attributes(state, std::slice::from_ref(&v)).await?;
    Ok(VenueView::new(&v, &a[0]))
}

/// Adds a venue; returns its id.
pub async fn create_venue(state: &AppState, me: &User, input: &VenueInput) -> Result<String, AppError> {
    let fields = apply(input, None)?;
    Ok(state.db.create_venue(&me.id, &fields, now_ms()).await?)
}

/// Changes a venue (any member), recording what changed.
pub async fn update_venue(
    state: &AppState,
    me: &User,
    v: &Venue,
    input: &VenueInput,
) -> Result<(), AppError> {
    let before = fields_of(v);
    let after = apply(input, Some(before.clone()))?;
    state.db.update_venue(&v.id, &me.id, &after, &changes(&before, &after), now_ms()).await?;
    Ok(())
}

/// A review as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// The event I went to there.
    #[serde(default)]
    pub event_id: String,
    /// Its occurrence's `occurrence_start`.
    #[serde(default)]
    pub occurrence_start: String,
    /// 1 silent – 5 loud.
    pub noise: Option<i64>,
    #[serde(default)]
    pub wifi: bool,
    /// none | some | plenty
    #[serde(default)]
    pub outlets: String,
    #[serde(default)]
    pub good_for_work: bool,
    #[serde(default)]
    pub note: String,
}

/// Reviews a venue after going to an event there.
pub async fn review_venue(state: &AppState, me: &User, v: &Venue, r: &ReviewInput) -> Result<(), AppError> {
    let key = crate::events::parse_key(&r.occurrence_start)?;
    let mut e = FieldErrors::new();
    let noise = r.noise.filter(|n| (1..=5).contains(n));
    if noise.is_none() {
        e.add("noise", "Rate the noise from 1 (silent) to 5 (loud).");
    }
    let outlets = outlets_of(&r.outlets);
    if outlets.is_none() {
        e.add("outlets", "Say none, some or plenty.");
    }
    let note = e.check("note", domain::profile::check_text(&r.note, 500));
    e.into_result()?;
    let may = super::reviewable(state, me, v).await?.iter().any(|(ev, k, _)| *ev == r.event_id && *k == key);
    if !may {
        return Err(AppError::Invalid(FieldErrors::one(
            "event_id",
            "You can review a venue after going to an event there (once per date).",
        )));
    }
    let new = NewReview {
        venue_id: &v.id,
        user_id: &me.id,
        event_id: &r.event_id,
        occurrence_start: key,
        noise: noise.unwrap_or(3),
        wifi: r.wifi,
        outlets: outlets.unwrap_or(0),
        good_for_work: r.good_for_work,
        note: note.as_deref().unwrap_or(""),
    };
    state.db.add_review(&new, now_ms()).await?;
    Ok(())
}

/// Merges venue `duplicate` into `keep` (admins and group organisers).
pub async fn merge_venues(
    state: &AppState,
    me: &User,
    duplicate: &Venue,
    keep: &str,
) -> Result<String, AppError> {
    if !super::may_merge(state, me).await? {
        return Err(AppError::Forbidden("Only admins and group organisers can merge venues."));
    }
    if duplicate.merged_into.is_some() {
        return Err(AppError::Invalid(FieldErrors::one(
            "into",
            "This venue was merged into another already.",
        )));
    }
    let id = keep.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned();
    let kept = match state.db.venue(&id).await? {
        Some(k) if k.merged_into.is_none() && k.id != duplicate.id => k,
        _ => return Err(AppError::Invalid(FieldErrors::one("into", "Give another venue's address or id."))),
    };
    let summary = format!("merged \"{}\" into \"{}\"", duplicate.name, kept.name);
    state.db.merge_venues(&duplicate.id, &kept.id, &me.id, &summary, now_ms()).await?;
    Ok(kept.id)
}

/// Which venues.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct VenueQuery {
    /// A gazetteer city.
    pub city: String,
    /// cafe | library | coworking | other
    #[param(pattern = "^(cafe|library|coworking|other)?$")]
    pub kind: String,
    /// "true": stated noise 2 or less.
    #[param(pattern = "^(|true|false|1|0|yes|no|on|off)$")]
    pub quiet: String,
    /// "true": with wifi.
    #[param(pattern = "^(|true|false|1|0|yes|no|on|off)$")]
    pub wifi: String,
    /// "true": open at this moment.
    #[param(pattern = "^(|true|false|1|0|yes|no|on|off)$")]
    pub open_now: String,
    /// 1 for the first page of 50 (at most 1000).
    #[param(pattern = "^([1-9][0-9]{0,2}|1000)?$")]
    pub page: String,
}

/// Venues on one page.
pub const PER_PAGE: i64 = 50;

/// The directory's venues for `q`, and whether there is a next page.
pub async fn directory(state: &AppState, q: &VenueQuery) -> Result<(Vec<VenueView>, bool), AppError> {
    let mut e = FieldErrors::new();
    let city = match q.city.trim() {
        "" => None,
        c => match domain::geo::Gazetteer::bundled().resolve(c) {
            Some(c) => Some(c.id),
            None => {
                e.add("city", "Pick the city from the list.");
                None
            }
        },
    };
    if !q.kind.is_empty() && !domain::venues::KINDS.iter().any(|(k, _)| *k == q.kind) {
        e.add("kind", "Choose café, library, coworking space or other.");
    }
    let page = match q.page.as_str() {
        "" => 1,
        p => p.parse::<i64>().ok().filter(|p| (1..=1000).contains(p)).unwrap_or_else(|| {
            e.add("page", "Pages start at 1.");
            1
        }),
    };
    let quiet = e.check("quiet", crate::web::flag(&q.quiet)).unwrap_or(false);
    let wifi = e.check("wifi", crate::web::flag(&q.wifi)).unwrap_or(false);
    let open_now = e.check("open_now", crate::web::flag(&q.open_now)).unwrap_or(false);
    e.into_result()?;
    let filter = VenueFilter {
        city_id: city,
        kind: (!q.kind.is_empty()).then(|| q.kind.clone()),
        max_noise: quiet.then_some(2),
        wifi,
    };
    let mut rows = state.db.venues(&filter, PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    let more = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    let attrs = super::attributes(state, &rows).await?;
    let mut items: Vec<VenueView> = rows.iter().zip(&attrs).map(|(v, a)| VenueView::new(v, a)).collect();
    if open_now {
        items.retain(|v| v.open_now);
    }
    Ok((items, more))
}

/// A page of venues.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueList {
    pub items: Vec<VenueView>,
    pub next_page: Option<i64>,
}

/// The directory: venues by name, filtered by city, kind, quiet, wifi and open now.
#[utoipa::path(get, path = "/api/v1/venues", tag = "venues", security(("bearer" = [])), params(VenueQuery),
    responses((status = 200, body = VenueList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_me): ApiUser,
    ApiQuery(q): ApiQuery<VenueQuery>,
) -> ApiResult<Json<VenueList>> {
    let (items, more) = directory(&state, &q).await?;
    let page = q.page.trim().parse::<i64>().unwrap_or(1);
    Ok(Json(VenueList { items, next_page: more.then_some(page + 1) }))
}

/// Adds a venue.
#[utoipa::path(post, path = "/api/v1/venues", tag = "venues", security(("bearer" = [])), request_body = VenueInput,
    responses((status = 201, body = VenueView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<VenueInput>,
) -> ApiResult<impl IntoResponse> {
    let id = create_venue(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &id).await?)))
}

/// A venue (a merged-away one answers with the venue it became).
#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "venues", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = VenueView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(_me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<VenueView>> {
    Ok(Json(view(&state, &id).await?))
}

/// Changes a venue (any member; the change is recorded with who and when).
#[utoipa::path(patch, path = "/api/v1/venues/{id}", tag = "venues", security(("bearer" = [])), request_body = VenueInput,
    params(("id" = String, Path)), responses((status = 200, body = VenueView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<VenueInput>,
) -> ApiResult<Json<VenueView>> {
    let v = super::find(&state, &id).await?;
    update_venue(&state, &me, &v, &input).await?;
    Ok(Json(view(&state, &v.id).await?))
}

/// Reviews a venue after going to an event there (once per date).
#[utoipa::path(post, path = "/api/v1/venues/{id}/reviews", tag = "venues", security(("bearer" = [])), request_body = ReviewInput,
    params(("id" = String, Path)), responses((status = 201, body = VenueView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<ReviewInput>,
) -> ApiResult<impl IntoResponse> {
    let v = super::find(&state, &id).await?;
    review_venue(&state, &me, &v, &r).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &v.id).await?)))
}

/// Which venue a duplicate is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The venue to keep: its id or address.
    #[serde(default)]
    pub into: String,
}

/// The venue kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct Merged {
    pub venue_id: String,
    pub merged_at: String,
}

/// Merges this venue, a duplicate, into another (admins and group organisers).
#[utoipa::path(post, path = "/api/v1/venues/{id}/merge", tag = "venues", security(("bearer" = [])), request_body = MergeBody,
    params(("id" = String, Path)), responses((status = 200, body = Merged), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<Merged>> {
    let v = state.db.venue(&id).await?.ok_or(AppError::NotFound)?;
    let kept = merge_venues(&state, &me, &v, &b.into).await?;
    Ok(Json(Merged { venue_id: kept, merged_at: rfc3339(now_ms()) }))
}
