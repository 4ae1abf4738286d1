//! Profile endpoints of the JSON API.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::geo::Gazetteer;
use domain::profile::{Relation, Window};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::edit::Editor;
use super::view::MemberView;
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// My own profile, with my email and who may see each field.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub email: String,
    /// Whether the address was confirmed by following the link sent to it.
    pub email_verified: bool,
    pub is_admin: bool,
    #[serde(flatten)]
    pub profile: MemberView,
    pub city_id: Option<i64>,
    /// No longer used: venue suggestions avoid the venues a member marks as near their home
    /// (`PUT /api/v1/venues/{id}/near-home`). Kept for clients that send it.
    #[schema(deprecated)]
    pub home_radius_m: i64,
    /// Availability windows in my zone (weekday 0 = Monday; minutes after midnight).
    pub windows: Vec<WindowBody>,
    /// Field → everyone | groups | partners.
    pub visibility: BTreeMap<String, String>,
    /// How pages write times for me: "24" (18:00) or "12" (6:00 pm).
    pub clock: String,
}

/// A weekly availability window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WindowBody {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    pub start_min: u16,
    pub end_min: u16,
}

async fn me_body(state: &AppState, id: &str) -> ApiResult<Me> {
    let p = state.db.profile(id).await?.ok_or(AppError::NotFound)?;
    let u = &p.user;
    let visibility = domain::profile::PRIVATE_FIELDS
        .iter()
        .zip([
            &u.vis_trade,
            &u.vis_bio,
            &u.vis_skills,
            &u.vis_city,
            &u.vis_availability,
            &u.vis_preferences,
            &u.vis_photo,
            &u.vis_email,
        ])
        .map(|(f, v)| ((*f).to_owned(), v.clone()))
        .collect();
    Ok(Me {
        email: u.email.clone(),
        email_verified: u.email_verified_at.is_some(),
        is_admin: u.is_admin == 1,
        profile: MemberView::of_profile(&p, Relation::Myself, Some(u)),
        city_id: u.city_id,
        home_radius_m: u.home_radius_m,
        windows: p
            .windows
            .iter()
            .map(|w| WindowBody { weekday: w.weekday, start_min: w.start_min, end_min: w.end_min })
            .collect(),
        visibility,
        clock: u.clock.clone(),
    })
}

/// My profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "profile", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Me>> {
    Ok(Json(me_body(&state, &me.id).await?))
}

/// Changes to my profile; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    pub trade: Option<String>,
    pub bio: Option<String>,
    pub skills_offered: Option<Vec<String>>,
    pub help_wanted: Option<Vec<String>>,
    /// A city label or name ("Lisbon" or "Portland, OR, United States"); "" clears it.
    pub city: Option<String>,
    /// A GeoNames city id (from `/api/v1/cities`), instead of `city`.
    pub city_id: Option<i64>,
    /// IANA zone; defaults from the city when the city changes.
    pub timezone: Option<String>,
    pub in_person: Option<bool>,
    #[serde(rename = "virtual")]
    pub is_virtual: Option<bool>,
    /// 25, 50, 75, 90 or 120.
    pub session_minutes: Option<i64>,
    /// quiet, chatty or either.
    pub company: Option<String>,
    /// 0 to 50,000. No longer used (see the venues' near-home marks); kept for clients that send it.
    #[schema(deprecated)]
    pub home_radius_m: Option<i64>,
    pub windows: Option<Vec<WindowBody>>,
    /// Field (trade, bio, skills, city, availability, preferences, photo) → everyone | groups |
    /// partners.
    pub visibility: Option<BTreeMap<String, String>>,
    /// How pages write times for me: "24" (18:00) or "12" (6:00 pm).
    #[schema(pattern = "^(24|12)$")]
    pub clock: Option<String>,
}

/// Updates my profile.
#[utoipa::path(patch, path = "/api/v1/me", tag = "profile", security(("bearer" = [])), request_body = ProfilePatch,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_me(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> ApiResult<Json<Me>> {
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let mut ed = Editor::new(&p);
    if let Some(v) = &patch.display_name {
        ed.display_name("display_name", v)
    }
    if let Some(v) = &patch.trade {
        ed.trade("trade", v)
    }
    if let Some(v) = &patch.bio {
        ed.bio("bio", v)
    }
    if let Some(v) = &patch.skills_offered {
        ed.offers("skills_offered", &v.join(","))
    }
    if let Some(v) = &patch.help_wanted {
        ed.needs("help_wanted", &v.join(","))
    }
    match (&patch.city, patch.city_id) {
        (Some(_), Some(_)) => ed.errors.add("city", "Send either city or city_id, not both."),
        (Some(v), None) => ed.city("city", v),
        (None, Some(id)) => ed.city_id("city_id", id),
        (None, None) => {}
    }
    if let Some(v) = &patch.timezone {
        ed.timezone("timezone", v)
    }
    let in_person = patch.in_person.unwrap_or(ed.update.in_person);
    let is_virtual = patch.is_virtual.unwrap_or(ed.update.is_virtual);
    ed.modes(in_person, is_virtual);
    if let Some(v) = patch.session_minutes {
        ed.session_minutes("session_minutes", v)
    }
    if let Some(v) = &patch.company {
        ed.company("company", v)
    }
    if let Some(v) = patch.home_radius_m {
        ed.home_radius_m("home_radius_m", v)
    }
    if let Some(ws) = &patch.windows {
        let ws: Vec<Window> = ws
            .iter()
            .map(|w| Window { weekday: w.weekday, start_min: w.start_min, end_min: w.end_min })
            .collect();
        ed.availability("windows", &ws);
    }
    for (field, level) in patch.visibility.iter().flatten() {
        ed.visibility(&format!("visibility.{field}"), field, level);
    }
    let clock = patch.clock.as_deref().map(crate::accounts::settings::check_clock);
    if let Some(Err(why)) = clock {
        ed.errors.add("clock", why);
    }
    let update = ed.finish()?;
    state.db.update_profile(&me.id, &update, now_ms()).await?;
    if let Some(Ok(clock)) = clock {
        state.db.set_clock(&me.id, clock, now_ms()).await?;
    }
    Ok(Json(me_body(&state, &me.id).await?))
}

/// Confirmation for deleting my account.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    #[serde(default)]
    pub password: String,
}

/// Deletes my account and personal data (needs my password).
#[utoipa::path(delete, path = "/api/v1/me", tag = "profile", security(("bearer" = [])), request_body = DeleteRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn delete_me(
    State(state): State<AppState>,
    crate::web::ratelimit::ClientIp(ip): crate::web::ratelimit::ClientIp,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<DeleteRequest>,
) -> ApiResult<StatusCode> {
    crate::accounts::delete_account(&state, ip, &me, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Another member's profile, as they allow me to see it.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MemberView), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<MemberView>> {
    Ok(Json(super::pages::visible_profile(&state, &me, &id).await?))
}

/// Blocks a member: neither of us sees the other any more.
#[utoipa::path(post, path = "/api/v1/members/{id}/block", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn block(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if id == me.id || state.db.user(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    super::block(&state, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a block.
#[utoipa::path(delete, path = "/api/v1/members/{id}/block", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204)))]
pub async fn unblock(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.db.unblock(&me.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// City search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitySearch {
    /// The start of a city's name; ", country" narrows it.
    #[serde(default)]
    pub q: String,
    /// At most this many (default 10, 1 to 50).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// A city from the gazetteer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CityItem {
    pub id: i64,
    pub label: String,
    pub country_code: String,
    pub timezone: String,
}

/// Cities.
#[derive(Debug, Serialize, ToSchema)]
pub struct CityList {
    pub items: Vec<CityItem>,
}

/// Searches the bundled gazetteer (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/cities", tag = "profile", params(CitySearch), responses((status = 200, body = CityList)))]
pub async fn cities(ApiQuery(q): ApiQuery<CitySearch>) -> ApiResult<Json<CityList>> {
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(AppError::Invalid(FieldErrors::one("limit", "Ask for 1 to 50 cities.")));
    }
    let items = Gazetteer::bundled()
        .search(&q.q, limit)
        .into_iter()
        .map(|c| CityItem {
            id: c.id,
            label: c.label(),
            country_code: c.country_code.clone(),
            timezone: c.timezone.clone(),
        })
        .collect();
    Ok(Json(CityList { items }))
}
