//! Give-and-take: requests for help and offers of it by skill (with my groups' "ask for help"
//! posts beside them), and hours of help recorded by one side and confirmed by the other; only
//! confirmed hours count in the balance shown on profiles ("helped 6 h, was helped 4 h").

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::notices::Kind;
use domain::referrals::{check_hours, hours_words};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::help::{Help, HelpPost};
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates;

/// A request or offer as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpInput {
    /// request | offer
    #[schema(required = true, pattern = "^(request|offer)$")]
    #[serde(default)]
    pub kind: String,
    /// One skill, e.g. "seo".
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub skill: String,
    #[serde(default)]
    pub note: String,
}

/// Help given, as recorded by one side.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenInput {
    /// The other member.
    #[serde(default)]
    pub member_id: String,
    /// gave (I helped them) | received (they helped me)
    #[schema(required = true, pattern = "^(gave|received)$")]
    #[serde(default)]
    pub direction: String,
    /// e.g. "1.5"
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub note: String,
}

/// Posts a request or an offer; returns its id.
pub async fn post(state: &AppState, me: &User, h: &HelpInput) -> Result<String, AppError> {
    let mut e = FieldErrors::new();
    if h.kind != "request" && h.kind != "offer" {
        e.add("kind", "Say whether you ask for help or offer it.");
    }
    let skill = match domain::profile::parse_tags(&h.skill) {
        Ok(t) if t.len() == 1 => t[0].clone(),
        Ok(_) => {
            e.add("skill", "Name one skill, like seo or bookkeeping.");
            String::new()
        }
        Err(d) => {
            e.add("skill", d);
            String::new()
        }
    };
    let note = e.check("note", domain::profile::check_text(&h.note, 1000)).unwrap_or_default();
    e.into_result()?;
    Ok(state.db.create_help_post(&me.id, &h.kind, &skill, &note, None, now_ms()).await?)
}

/// Records help between me and another member; the other side is asked to confirm it.
pub async fn record(state: &AppState, me: &User, g: &GivenInput) -> Result<String, AppError> {
    let mut e = FieldErrors::new();
    let other =
        state.db.user(g.member_id.trim()).await?.filter(|u| u.id != me.id && u.suspended_at.is_none());
    if other.is_none() {
        e.add("member_id", "Choose the member you helped, or who helped you.");
    }
    if g.direction != "gave" && g.direction != "received" {
        e.add("direction", "Say whether you helped them or they helped you.");
    }
    let minutes = e.check("hours", check_hours(&g.hours)).unwrap_or(0);
    let note = e.check("note", domain::profile::check_text(&g.note, 500)).unwrap_or_default();
    e.into_result()?;
    let other = other.ok_or(AppError::NotFound)?;
    let (helper, helped) = if g.direction == "gave" { (&me.id, &other.id) } else { (&other.id, &me.id) };
    let now = now_ms();
    let id = state.db.record_help(helper, helped, minutes, &note, &me.id, now).await?;
    let title =
        format!("{} noted {} of help between you: please confirm", me.display_name, hours_words(minutes));
    let body = format!(
        "{title}.\n\n{}{}Confirm it, or say it isn't right, on your help page:\n\n{}/help#given\n",
        if g.direction == "gave" { "They helped you." } else { "You helped them." },
        if note.is_empty() { " ".to_owned() } else { format!(" Their note: {note}\n\n") },
        state.config.public_url()
    );
    let mail = crate::notifications::Mail { subject: &title, body: &body };
    crate::notifications::send(state, &other.id, Kind::Help, &title, "/help#given", Some(mail)).await?;
    Ok(id)
}

/// "Helped 6 h, was helped 4 h", from confirmed hours.
pub async fn balance_words(state: &AppState, user: &str) -> Result<Option<String>, AppError> {
    let (gave, got) = state.db.help_balance(user).await?;
    if gave == 0 && got == 0 {
        return Ok(None);
    }
    Ok(Some(format!("helped {}, was helped {}", hours_words(gave), hours_words(got))))
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HelpQuery {
    /// Only this skill.
    pub skill: String,
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    q: &HelpQuery,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let skill = domain::profile::parse_tags(&q.skill).ok().and_then(|t| t.into_iter().next());
    let posts = state.db.help_posts(skill.as_deref(), 50).await?;
    let given: Vec<minijinja::Value> = state
        .db
        .help_of(&me.id)
        .await?
        .iter()
        .map(|h| context! { hours => hours_words(h.minutes), ..minijinja::Value::from_serialize(h) })
        .collect();
    let mut asks = Vec::new();
    for g in state.db.groups_of(&me.id).await? {
        let a = crate::groups::access(state, me, &g.group.id).await?;
        for p in state.db.posts(&g.group.id, &a.reader(), Some("ask"), None, 5).await? {
            asks.push(context! { group => g.group.name, group_id => g.group.id, id => p.id, title => p.title, author => p.author_name });
        }
    }
    let ctx = context! {
        posts, given, asks, me_id => me.id, balance => balance_words(state, &me.id).await?, skill => q.skill,
        answered => state.db.help_answered_by(&me.id).await?,
        members => crate::venues::panel::companions(state, me).await?, ..extra
    };
    Ok((status, templates::page("help.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /help`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<HelpQuery>,
) -> PageResult {
    render(&state, &me, &csrf, &q, context! {}, StatusCode::OK).await
}

/// `POST /help`: a request or an offer.
pub async fn post_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<HelpInput>,
) -> PageResult {
    match post(&state, &me, &form).await {
        Ok(_) => Ok(Redirect::to("/help").into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { post_errors => error_map(&e), post_values => form };
            render(&state, &me, &csrf, &HelpQuery::default(), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /help/given`: help between me and another member.
pub async fn record_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<GivenInput>,
) -> PageResult {
    match record(&state, &me, &form).await {
        Ok(_) => Ok(Redirect::to("/help#given").into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { given_errors => error_map(&e), given_values => form };
            render(&state, &me, &csrf, &HelpQuery::default(), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /help/given/{id}/confirm` (the other side).
pub async fn confirm_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<HelpQuery>,
) -> PageResult {
    if !state.db.confirm_help(&id, &me.id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/help#given").into_response())
}

/// `POST /help/{id}/close` (its author).
pub async fn close_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<HelpQuery>,
) -> PageResult {
    if !state.db.close_help_post(&id, &me.id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/help").into_response())
}

/// Requests and offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpList {
    /// Each: id, user_id, display_name, kind (request | offer), skill, note, post_id, open, created_at.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<HelpPost>,
}

/// Open requests for help and offers of it, newest first (`skill` filters).
#[utoipa::path(get, path = "/api/v1/help", tag = "referrals", security(("bearer" = [])), params(HelpQuery),
    responses((status = 200, body = HelpList), (status = 401, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(_me): ApiUser,
    ApiQuery(q): ApiQuery<HelpQuery>,
) -> ApiResult<Json<HelpList>> {
    let skill = domain::profile::parse_tags(&q.skill).ok().and_then(|t| t.into_iter().next());
    Ok(Json(HelpList { items: state.db.help_posts(skill.as_deref(), 100).await? }))
}

/// A new id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Asks for help with a skill, or offers it.
#[utoipa::path(post, path = "/api/v1/help", tag = "referrals", security(("bearer" = [])), request_body = HelpInput,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn post_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(h): ApiJson<HelpInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(Created { id: post(&state, &me, &h).await? })))
}

/// Closes my request or offer.
#[utoipa::path(post, path = "/api/v1/help/{id}/close", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn close_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if !state.db.close_help_post(&id, &me.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Help between me and others, and my balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct GivenList {
    /// Each: id, helper_id, helper_name, helped_id, helped_name, minutes, note, helper_confirmed,
    /// helped_confirmed, created_at.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Help>,
    /// Confirmed minutes I helped others.
    pub helped_minutes: i64,
    /// Confirmed minutes others helped me.
    pub was_helped_minutes: i64,
}

/// Help I gave or received, with my balance of confirmed hours.
#[utoipa::path(get, path = "/api/v1/help/given", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, body = GivenList), (status = 401, body = ErrorBody)))]
pub async fn given_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<GivenList>> {
    let (helped_minutes, was_helped_minutes) = state.db.help_balance(&me.id).await?;
    Ok(Json(GivenList { items: state.db.help_of(&me.id).await?, helped_minutes, was_helped_minutes }))
}

/// Records help between me and another member (they confirm it).
#[utoipa::path(post, path = "/api/v1/help/given", tag = "referrals", security(("bearer" = [])), request_body = GivenInput,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn record_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(g): ApiJson<GivenInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(Created { id: record(&state, &me, &g).await? })))
}

/// Confirms help the other member recorded.
#[utoipa::path(post, path = "/api/v1/help/given/{id}/confirm", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn confirm_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if !state.db.confirm_help(&id, &me.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
