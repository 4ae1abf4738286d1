//! Account endpoints of the JSON API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::ApiUser;
use crate::web::ratelimit::{self, ClientIp};

/// Sign-up request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    /// 12 to 128 characters, not a common password.
    #[serde(default)]
    #[schema(required = true, min_length = 12, max_length = 128)]
    pub password: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 60)]
    pub display_name: String,
    /// The token of an invitation to a group (the last part of its link): needed while the
    /// site takes new accounts by invitation only.
    #[serde(default)]
    pub invite: String,
}

/// A created account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub display_name: String,
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccount,
    responses((status = 201, body = Account), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<NewAccount>,
) -> ApiResult<impl IntoResponse> {
    ratelimit::count_request(&state, ip, ratelimit::Request::SignUp).await?;
    super::may_sign_up(&state, Some(&req.invite)).await?;
    let u = super::register(&state, &req.email, &req.password, &req.display_name).await?;
    Ok((StatusCode::CREATED, Json(Account { id: u.id, email: u.email, display_name: u.display_name })))
}

/// Token request: the account's credentials and a name for the token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub password: String,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
}

/// A new token: the secret is shown only here, once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub id: String,
    pub name: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Creates a personal API token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<impl IntoResponse> {
    let user = super::authenticate(&state, ip, &req.email, &req.password).await?;
    let (secret, token) = super::settings::new_token(&state, &user, &req.name).await?;
    Ok((StatusCode::CREATED, Json(NewToken { id: token.id, name: token.name, token: secret })))
}

/// A token as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A list of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenInfo>,
}

/// Lists my live tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<TokenList>> {
    let items = state
        .db
        .tokens(&me.id)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        })
        .collect();
    Ok(Json(TokenList { items }))
}

/// Revokes one of my tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if super::revoke_token(&state, &me, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

/// When to be reminded of events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemindersRequest {
    /// Minutes before the start: [1440, 60], [1440], [60], [15] or [].
    #[serde(default)]
    pub minutes: Vec<i64>,
}

/// Sets when I am reminded of events I'm going to.
#[utoipa::path(put, path = "/api/v1/me/reminders", tag = "profile", security(("bearer" = [])), request_body = RemindersRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn reminders(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(r): ApiJson<RemindersRequest>,
) -> ApiResult<StatusCode> {
    let joined = r.minutes.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let m = super::settings::check_reminders(&joined)?;
    state.db.set_reminder_minutes(&me.id, &m).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// All my data as JSON.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "profile", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(super::export::export_json(&state, &me).await?))
}
