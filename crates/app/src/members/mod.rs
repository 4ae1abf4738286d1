//! The member directory (C1): find members by skill, help wanted, trade, city or keywords,
//! as a page and as `GET /api/v1/members`. Only fields a member opened to everyone are searched.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::geo::{fold, Gazetteer};
use domain::profile::Relation;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::members::MemberQuery;
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiQuery, ErrorBody};
use crate::profiles::view::MemberView;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::CsrfToken;
use crate::web::templates::page;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new().route("/members", get(directory)).route("/api/v1/members", get(list_members))
}

/// Directory filters; all optional.
#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Search {
    /// Part of a skill the member offers.
    pub skill: String,
    /// Part of something the member wants help with.
    pub need: String,
    /// Part of the member's trade.
    pub trade: String,
    /// A city name or label.
    pub city: String,
    /// Words in the name, trade or bio.
    pub q: String,
    /// From a previous page's `next_cursor`.
    pub cursor: String,
    /// Page size (default 20, at most 100).
    #[param(pattern = "^([1-9][0-9]?|100)?$")]
    pub limit: String,
}

/// One page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

fn decode_cursor(c: &str) -> Option<(String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    let s = String::from_utf8(bytes).ok()?;
    let (name, id) = s.split_once('\u{0}')?;
    Some((name.to_owned(), id.to_owned()))
}

fn encode_cursor(u: &User) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\u{0}{}", u.display_name.to_lowercase(), u.id))
}

/// Runs a directory search for `viewer`; errors name the offending parameter.
pub async fn search(state: &AppState, viewer: &User, s: &Search) -> Result<MemberPage, AppError> {
    let mut errors = domain::FieldErrors::new();
    let after = if s.cursor.is_empty() {
        None
    } else {
        let c = decode_cursor(&s.cursor);
        if c.is_none() {
            errors.add("cursor", "This cursor is not one we gave out; start from the first page.");
        }
        c
    };
    // Exactly the documented digits: " 20" is refused rather than read.
    let limit = if s.limit.is_empty() { Ok(20) } else { s.limit.parse::<i64>() };
    let limit = match limit {
        Ok(n) if (1..=100).contains(&n) => n,
        _ => {
            errors.add("limit", "Ask for 1 to 100 members per page.");
            20
        }
    };
    // A city may be typed as a label ("Portland, OR, United States") or a name: a known city
    // matches exactly that city; an unknown name matches members whose city has that name.
    let (city_id, city_key) = if s.city.trim().is_empty() {
        (None, String::new())
    } else {
        match Gazetteer::bundled().resolve(&s.city) {
            Some(c) => (Some(c.id), String::new()),
            None => (None, fold(s.city.split(',').next().unwrap_or_default())),
        }
    };
    errors.into_result()?;
    let q = MemberQuery {
        skill: s.skill.clone(),
        need: s.need.clone(),
        trade: s.trade.clone(),
        city_key,
        city_id,
        q: s.q.clone(),
        after,
        limit,
    };
    let mut users = state.db.search_members(&viewer.id, &q).await?;
    let next_cursor = if users.len() as i64 > limit {
        users.truncate(limit as usize);
        users.last().map(encode_cursor)
    } else {
        None
    };
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let tags = state.db.tags_of(&ids).await?;
    let relations = relations(state, viewer).await?;
    let items = users
        .iter()
        .map(|u| {
            let pick = |kind: &str| -> Vec<String> {
                tags.iter().filter(|(id, k, _)| *id == u.id && k == kind).map(|(_, _, t)| t.clone()).collect()
            };
            let relation = relations.get(&u.id).copied().unwrap_or(Relation::Member);
            MemberView::new(u, &pick("offer"), &pick("need"), None, relation, Some(viewer))
        })
        .collect();
    Ok(MemberPage { items, next_cursor })
}

/// How `viewer` stands to the members they share something with: partners, then group mates.
pub async fn relations(
    state: &AppState,
    viewer: &User,
) -> Result<std::collections::HashMap<String, Relation>, AppError> {
    let mut out: std::collections::HashMap<String, Relation> = std::collections::HashMap::new();
    for (id, partner) in state.db.relations_of(&viewer.id).await? {
        // A partner is a partner, whatever groups they share.
        if partner {
            out.insert(id, Relation::Partner);
        } else {
            out.entry(id).or_insert(Relation::GroupMate);
        }
    }
    Ok(out)
}

/// `GET /members`: the directory page.
pub async fn directory(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(s): PageQuery<Search>,
) -> PageResult {
    let searched = !(s.skill.is_empty()
        && s.need.is_empty()
        && s.trade.is_empty()
        && s.city.is_empty()
        && s.q.is_empty());
    let (result, errors) = match search(&state, &me, &s).await {
        Ok(p) => (Some(p), None),
        Err(AppError::Invalid(e)) => (None, Some(crate::accounts::pages::error_map(&e))),
        Err(e) => return Err(e.into()),
    };
    let next = result.as_ref().and_then(|r| r.next_cursor.clone()).map(|c| {
        let mut more = s.clone();
        more.cursor = c;
        serde_urlencoded::to_string(&more).unwrap_or_default()
    });
    let ctx = context! { values => s, result, searched, next, errors };
    Ok(page("members.html", Some(&me), &csrf, ctx)?.into_response())
}

/// Searches members.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", security(("bearer" = [])), params(Search),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(s): ApiQuery<Search>,
) -> ApiResult<Json<MemberPage>> {
    Ok(Json(search(&state, &me, &s).await?))
}
