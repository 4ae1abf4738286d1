//! Answering a request for help ("I can help") or an offer of it ("I'd like your help") straight
//! from the help page or the API. The author hears who answered, with their word and a link to
//! their profile, once per member and post; they take it from there (a message, a session, a
//! referral). Nobody answers their own post, a closed one, or across a block.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::notices::Kind;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::users::User;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::Posted;
use crate::web::now_ms;

/// An answer to a request or offer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerInput {
    /// An optional word for its author, e.g. "I did this for two clients last month."
    pub message: String,
}

/// What an answer did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Answered {
    /// False when I had answered this post before (its author was told then).
    pub new: bool,
}

/// `me` answers the open request or offer `id`; its author is told the first time.
pub async fn answer(state: &AppState, me: &User, id: &str, message: &str) -> Result<bool, AppError> {
    let p = state.db.open_help_post(id).await?.ok_or(AppError::NotFound)?;
    if p.user_id == me.id || state.db.blocked_either_way(&me.id, &p.user_id).await? {
        return Err(AppError::NotFound);
    }
    let message = domain::profile::check_text(message, 500)
        .map_err(|d| AppError::Invalid(FieldErrors::one("message", d)))?;
    if !state.db.reply_to_help(&p.id, &me.id, &message, now_ms()).await? {
        return Ok(false);
    }
    let title = if p.kind == "request" {
        format!("{} can help with {}", me.display_name, p.skill)
    } else {
        format!("{} would like your help with {}", me.display_name, p.skill)
    };
    let link = format!("/members/{}", me.id);
    let word = if message.is_empty() { String::new() } else { format!("They wrote: \"{message}\"\n\n") };
    let body = format!(
        "{title}, answering your {} on the help page.\n\n{word}See their profile, and ask them to partner or \
         for a session together:\n\n{}{link}\n",
        if p.kind == "request" { "request" } else { "offer" },
        state.config.public_url()
    );
    let mail = crate::notifications::Mail { subject: &title, body: &body };
    crate::notifications::send(state, &p.user_id, Kind::HelpAnswer, &title, &link, Some(mail)).await?;
    Ok(true)
}

/// `POST /help/{id}/answer`.
pub async fn answer_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<AnswerInput>,
) -> PageResult {
    answer(&state, &me, &id, &form.message).await?;
    Ok(Redirect::to(&format!("/help#h-{id}")).into_response())
}

/// Answers an open request for help ("I can help") or offer of it ("I'd like your help"); its
/// author is told once.
#[utoipa::path(post, path = "/api/v1/help/{id}/answers", tag = "referrals", security(("bearer" = [])),
    request_body = AnswerInput, params(("id" = String, Path)),
    responses((status = 201, body = Answered), (status = 200, body = Answered), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn answer_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<impl IntoResponse> {
    let new = answer(&state, &me, &id, &input.message).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(Answered { new })))
}
