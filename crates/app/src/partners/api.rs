//! Partner endpoints of the JSON API: suggestions, partnerships, favourites, who may book me.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use domain::partners::Mode;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::partners::Partnership;
use utoipa::{IntoParams, ToSchema};

use super::partnerships::{self, Offer};
use super::{Filters, SuggestionItem, BOOKABLE_BY, KINDS, MAX_LIMIT};
use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::now_ms;

/// Suggestion filters, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SuggestionQuery {
    /// virtual | in_person; left out, as my profile says (both when I meet both ways)
    #[param(pattern = "^(virtual|in_person)?$")]
    pub mode: String,
    /// Only members who offer this skill.
    pub skill: String,
    /// In person: at most this many km away (1 to 20000).
    #[param(minimum = 1, maximum = 20000)]
    pub max_km: Option<f64>,
    /// coworking | accountability | referral: leave out members I already have this kind with.
    #[param(pattern = "^(coworking|accountability|referral)?$")]
    pub kind: String,
    /// 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

impl SuggestionQuery {
    /// Checked filters.
    pub fn filters(&self) -> Result<Filters, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mode = match self.mode.as_str() {
            "" | "virtual" => Mode::Virtual,
            "in_person" => Mode::InPerson,
            _ => {
                errors.add("mode", "Choose virtual or in_person.");
                Mode::Virtual
            }
        };
        if self.max_km.is_some_and(|k| !(k.is_finite() && (1.0..=20_000.0).contains(&k))) {
            errors.add("max_km", "Give a distance from 1 to 20000 km.");
        }
        if !self.kind.is_empty() && !KINDS.iter().any(|(k, _)| *k == self.kind) {
            errors.add("kind", "Choose coworking, accountability or referral.");
        }
        let limit = self.limit.unwrap_or(20);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.add("limit", format!("Ask for 1 to {MAX_LIMIT}."));
        }
        let skill = self.skill.trim().to_lowercase();
        errors.into_result()?;
        Ok(Filters {
            mode,
            skill: (!skill.is_empty()).then_some(skill),
            max_km: self.max_km,
            kind: (!self.kind.is_empty()).then(|| self.kind.clone()),
            limit,
        })
    }
}

/// PartnerSuggestions, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerSuggestions {
    pub items: Vec<SuggestionItem>,
}

/// Members who would make good partners, each with the reasons.
#[utoipa::path(get, path = "/api/v1/partners/suggestions", tag = "partners", security(("bearer" = [])),
    params(SuggestionQuery), responses((status = 200, body = PartnerSuggestions), (status = 422, body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<SuggestionQuery>,
) -> ApiResult<Json<PartnerSuggestions>> {
    let mut f = q.filters()?;
    if !q.mode.is_empty() {
        return Ok(Json(PartnerSuggestions { items: super::suggestions(&state, &me, &f).await? }));
    }
    // Unasked, the mode is the member's own: in person, online, or both (the best of each list).
    let modes = match (me.in_person == 1, me.is_virtual == 1) {
        (true, false) => vec![Mode::InPerson],
        (true, true) => vec![Mode::InPerson, Mode::Virtual],
        _ => vec![Mode::Virtual],
    };
    let mut best: Vec<super::SuggestionItem> = Vec::new();
    for mode in modes {
        f.mode = mode;
        for item in super::suggestions(&state, &me, &f).await? {
            match best.iter_mut().find(|b| b.member.id == item.member.id) {
                Some(b) if b.score < item.score => *b = item,
                Some(_) => {}
                None => best.push(item),
            }
        }
    }
    best.sort_by_key(|b| std::cmp::Reverse(b.score));
    best.truncate(f.limit);
    Ok(Json(PartnerSuggestions { items: best }))
}

/// A partnership as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnershipView {
    pub id: String,
    pub requester: Named,
    pub partner: Named,
    /// accountability | coworking | referral
    pub kind: String,
    pub message: String,
    /// requested | accepted | declined | ended
    pub status: String,
    /// Once accepted: the recurring event to create together.
    pub offer: Option<Offer>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A member's id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub display_name: String,
}

impl From<Partnership> for PartnershipView {
    fn from(p: Partnership) -> Self {
        let offer = (p.status == "accepted").then(|| partnerships::offer(&p)).flatten();
        PartnershipView {
            id: p.id,
            requester: Named { id: p.requester_id, display_name: p.requester_name },
            partner: Named { id: p.partner_id, display_name: p.partner_name },
            kind: p.kind,
            message: p.message,
            status: p.status,
            offer,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// My partnerships and requests, both ways.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnershipList {
    pub items: Vec<PartnershipView>,
}

/// My partnerships and requests.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = PartnershipList)))]
pub async fn partnerships(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<Json<PartnershipList>> {
    let items = state.db.partnerships_of(&me.id).await?.into_iter().map(PartnershipView::from).collect();
    Ok(Json(PartnershipList { items }))
}

/// A partnership request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RequestBody {
    pub member_id: String,
    /// accountability | coworking | referral
    pub kind: String,
    pub message: String,
}

/// Asks a member to partner.
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "partners", security(("bearer" = [])),
    request_body = RequestBody, responses((status = 201, body = PartnershipView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<RequestBody>,
) -> ApiResult<impl IntoResponse> {
    let p = partnerships::request(&state, &me, &b.member_id, &b.kind, &b.message).await?;
    Ok((StatusCode::CREATED, Json(PartnershipView::from(p))))
}

/// Accepts or declines a request made to me, or ends a partnership (or withdraws my request).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/{action}", tag = "partners", security(("bearer" = [])),
    params(("id" = String, Path), ("action" = String, Path, description = "accept | decline | end")),
    responses((status = 200, body = PartnershipView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path((id, action)): Path<(String, String)>,
) -> ApiResult<Json<PartnershipView>> {
    Ok(Json(partnerships::act(&state, &me, &id, &action).await?.into()))
}

/// My favourites.
#[derive(Debug, Serialize, ToSchema)]
pub struct Favourites {
    pub items: Vec<Named>,
}

/// The members I marked as favourites.
#[utoipa::path(get, path = "/api/v1/favourites", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = Favourites)))]
pub async fn favourites(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Favourites>> {
    let items = state.db.favourites_of(&me.id).await?;
    Ok(Json(Favourites {
        items: items.into_iter().map(|(id, display_name)| Named { id, display_name }).collect(),
    }))
}

/// Marks a member as a favourite: slot pairing strongly prefers them.
#[utoipa::path(put, path = "/api/v1/favourites/{id}", tag = "partners", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn add_favourite(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let them = state.db.user(&id).await?.filter(|u| u.id != me.id && u.suspended_at.is_none());
    let them = them.ok_or(AppError::NotFound)?;
    state.db.add_favourite(&me.id, &them.id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a favourite.
#[utoipa::path(delete, path = "/api/v1/favourites/{id}", tag = "partners", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204)))]
pub async fn remove_favourite(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.db.remove_favourite(&me.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who may book me.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookableBy {
    /// everyone | favourites | nobody
    #[schema(required = true, pattern = "^(everyone|favourites|nobody)$")]
    #[serde(default)]
    pub value: String,
}

/// Checks a "who may book me" choice.
pub fn check_bookable_by(value: &str) -> Result<&'static str, FieldErrors> {
    BOOKABLE_BY
        .iter()
        .find(|(k, _)| *k == value)
        .map(|(k, _)| *k)
        .ok_or_else(|| FieldErrors::one("value", "Choose everyone, favourites or nobody."))
}

/// Sets who may book me (be paired with me, or ask me to partner).
#[utoipa::path(put, path = "/api/v1/me/bookable-by", tag = "partners", security(("bearer" = [])),
    request_body = BookableBy, responses((status = 200, body = BookableBy), (status = 422, body = ErrorBody)))]
pub async fn set_bookable_by(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(b): ApiJson<BookableBy>,
) -> ApiResult<Json<BookableBy>> {
    let value = check_bookable_by(&b.value)?;
    state.db.set_bookable_by(&me.id, value, now_ms()).await?;
    Ok(Json(BookableBy { value: value.to_owned() }))
}
