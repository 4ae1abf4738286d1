//! Venue suggestions for a set of participants: the page, the API, and the step the event form
//! uses. Participants' homes are their cities' coordinates, which never leave the server: reasons
//! carry rounded distances, and name only those whose city the asker may see. Venues someone
//! marked as near their home go last, and are "near someone's home", whoever it is.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use domain::profile::Visibility;
use domain::venues::{suggest, Participant, VenueIndex};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::CsrfToken;
use crate::web::templates;

/// Most participants in one suggestion.
pub const MAX_PARTICIPANTS: usize = 12;
/// Venues suggested at once.
pub const LIMIT: usize = 5;
/// How far beyond the participants' cities venues are looked for, in degrees of latitude.
const MARGIN_DEG: f64 = 0.5;

/// A venue, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueBrief {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub city: String,
}

/// One suggested venue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    pub venue: VenueBrief,
    /// The longest anyone travels, rounded km.
    pub longest_km: u32,
    /// Everyone's trips together, rounded km.
    pub total_km: u32,
    /// Someone marked it as near their home ("not the café by your house"): ranked after the others.
    pub too_close: bool,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// VenueSuggestions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueSuggestions {
    pub items: Vec<SuggestionView>,
}

/// The best venues for `me` and the members `others` from `start` for `minutes`, for an event of
/// `kind`.
pub async fn suggest_for(
    state: &AppState,
    me: &User,
    others: &[String],
    start: DateTime<Utc>,
    minutes: i64,
    kind: &str,
) -> Result<Vec<SuggestionView>, AppError> {
    let mut people: Vec<User> = vec![me.clone()];
    for id in others.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if people.iter().any(|p| p.id == id) {
            continue;
        }
        let found = state.db.user(id).await?.filter(|u| u.suspended_at.is_none());
        match found {
            Some(u) if !state.db.blocked_either_way(&me.id, &u.id).await? => people.push(u),
            _ => {
                return Err(AppError::Invalid(FieldErrors::one(
                    "participants",
                    "One of those members can't be found.",
                )))
            }
        }
    }
    if people.len() > MAX_PARTICIPANTS {
        return Err(AppError::Invalid(FieldErrors::one(
            "participants",
            format!("Suggest for at most {MAX_PARTICIPANTS} people at once."),
        )));
    }
    let mut marks = Vec::with_capacity(people.len());
    for u in &people {
        marks.push(state.db.near_home_of(&u.id).await?);
    }
    let mut participants = Vec::with_capacity(people.len());
    for u in &people {
        let relation = state.db.relation(&me.id, &u.id).await?;
        let shown = Visibility::parse(&u.vis_city).unwrap_or(Visibility::Everyone).allows(relation);
        participants.push(Participant {
            name: if u.id == me.id {
                "you".into()
            } else if shown {
                u.display_name.clone()
            } else {
                "someone".into()
            },
            home: u.lat.zip(u.lon),
            near_home: Vec::new(),
        });
    }
    let homes: Vec<(f64, f64)> = participants.iter().filter_map(|p| p.home).collect();
    if homes.is_empty() {
        return Err(AppError::Invalid(FieldErrors::one(
            "participants",
            "Nobody here has a city on their profile yet: set yours to get suggestions.",
        )));
    }
    let (lat0, lat1) = homes.iter().fold((90.0_f64, -90.0_f64), |(a, b), h| (a.min(h.0), b.max(h.0)));
    let (lon0, lon1) = homes.iter().fold((180.0_f64, -180.0_f64), |(a, b), h| (a.min(h.1), b.max(h.1)));
    let stretch = MARGIN_DEG / lat0.abs().max(lat1.abs()).to_radians().cos().max(0.1);
    let venues = state
        .db
        .venues_within((lat0 - MARGIN_DEG, lat1 + MARGIN_DEG), (lon0 - stretch, lon1 + stretch))
        .await?;
    let position: std::collections::HashMap<&str, usize> =
        venues.iter().enumerate().map(|(i, v)| (v.id.as_str(), i)).collect();
    for (p, marked) in participants.iter_mut().zip(&marks) {
        p.near_home = marked.iter().filter_map(|(id, _)| position.get(id.as_str()).copied()).collect();
    }
    let attributes = super::attributes(state, &venues).await?;
    let index = VenueIndex::new(
        venues.iter().zip(attributes).map(|(v, a)| super::candidate(v, a)).collect::<Vec<_>>(),
    );
    let end = start + TimeDelta::minutes(minutes);
    Ok(suggest(&index, &participants, kind, start, end, LIMIT)
        .into_iter()
        .map(|s| {
            let v = &venues[s.index];
            SuggestionView {
                venue: VenueBrief {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    kind: v.kind.clone(),
                    address: v.address.clone(),
                    city: v.city_label.clone(),
                },
                longest_km: domain::geo::rounded_km(s.longest_km),
                total_km: domain::geo::rounded_km(s.total_km),
                too_close: !s.too_close.is_empty(),
                reasons: s.reasons,
            }
        })
        .collect())
}

/// What to suggest for. Every field is text so that a bad value is named rather than refused
/// whole.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SuggestQuery {
    /// Member ids, comma-separated (I am always one of the participants).
    pub participants: String,
    /// RFC 3339, e.g. 2026-12-09T09:00:00Z.
    #[param(required = true, format = DateTime)]
    pub starts_at: String,
    /// 5 to 1440; default 90.
    #[param(pattern = "^([5-9]|[1-9][0-9]{1,2}|1[0-3][0-9]{2}|14[0-3][0-9]|1440)?$")]
    pub duration_minutes: String,
    /// The kind of event (cowork, accountability, meeting, workshop, meetup); default cowork.
    #[param(pattern = "^(cowork|accountability|meeting|workshop|meetup)?$")]
    pub kind: String,
}

fn parse(q: &SuggestQuery) -> Result<(Vec<String>, DateTime<Utc>, i64, String), FieldErrors> {
    let mut e = FieldErrors::new();
    let start = DateTime::parse_from_rfc3339(q.starts_at.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| crate::events::input::sane_instant(*t));
    if start.is_none() {
        e.add("starts_at", "Give the start as an RFC 3339 time, like 2026-12-09T09:00:00Z.");
    }
    let minutes = match q.duration_minutes.trim() {
        "" => crate::events::input::DEFAULT_MINUTES,
        m => m.parse::<i64>().ok().filter(|m| (5..=1440).contains(m)).unwrap_or_else(|| {
            e.add("duration_minutes", "Give the length in minutes, from 5 to 1440.");
            0
        }),
    };
    let kind = if q.kind.trim().is_empty() { "cowork".to_owned() } else { q.kind.trim().to_owned() };
    if !crate::events::input::KINDS.iter().any(|(k, _)| *k == kind) {
        e.add("kind", "Choose cowork, accountability, meeting, workshop or meetup.");
    }
    let ids: Vec<String> =
        q.participants.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    e.into_result()?;
    Ok((ids, start.unwrap_or_default(), minutes, kind))
}

/// Suggests venues for me and other members: open for the whole time, quiet enough for the
/// kind, fair to everyone, and not one someone marked as near their home unless nothing else will do.
#[utoipa::path(get, path = "/api/v1/venues/suggest", tag = "venues", security(("bearer" = [])), params(SuggestQuery),
    responses((status = 200, body = VenueSuggestions), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<VenueSuggestions>> {
    let (ids, start, minutes, kind) = parse(&q)?;
    Ok(Json(VenueSuggestions { items: suggest_for(&state, &me, &ids, start, minutes, &kind).await? }))
}

/// `GET /venues/suggest?with=ID&with=ID&starts_local=…&duration_minutes=…&kind=…`: pick
/// partners, a time (on my own clock) and a kind, and see where to meet.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> PageResult {
    let partners = super::panel::companions(&state, &me).await?;
    let (mut chosen, mut starts_local, mut q) = (Vec::new(), String::new(), SuggestQuery::default());
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "with" => chosen.push(v.into_owned()),
            "starts_local" => starts_local = v.into_owned(),
            "duration_minutes" => q.duration_minutes = v.into_owned(),
            "kind" => q.kind = v.into_owned(),
            _ => {}
        }
    }
    let zone: chrono_tz::Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    q.participants = chosen.join(",");
    q.starts_at = crate::events::input::parse_local(&starts_local)
        .and_then(|t| chrono::TimeZone::from_local_datetime(&zone, &t).earliest())
        .map(|t| t.with_timezone(&Utc).to_rfc3339())
        .unwrap_or_else(|| if starts_local.is_empty() { String::new() } else { "unreadable".into() });
    let (items, errors, status) = if starts_local.is_empty() {
        (None, None, StatusCode::OK)
    } else {
        let result = match parse(&q) {
            Ok((ids, start, minutes, kind)) => suggest_for(&state, &me, &ids, start, minutes, &kind).await,
            Err(e) => Err(AppError::Invalid(e)),
        };
        match result {
            Ok(items) => (Some(items), None, StatusCode::OK),
            Err(AppError::Invalid(e)) => {
                let mut map = crate::accounts::pages::error_map(&e);
                if let Some(d) = map.remove("starts_at") {
                    map.insert("starts_local".into(), d);
                }
                (None, Some(map), StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return Err(e.into()),
        }
    };
    let ctx = context! {
        values => context! { starts_local, duration_minutes => q.duration_minutes, kind => q.kind },
        partners, chosen, items, errors, kinds => crate::events::input::KINDS, zone => me.timezone,
    };
    Ok((status, templates::page("venue_suggest.html", Some(&me), &csrf, ctx)?).into_response())
}
