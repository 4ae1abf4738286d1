//! The settings page: personal API tokens, blocked members, account deletion (the data export is
//! `export.rs`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use domain::FieldErrors;
use minijinja::{context, Value};
use serde::Deserialize;
use store::users::User;

use super::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::{end_session, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::ratelimit::ClientIp;
use crate::web::secrets::{hash_token, random_token};

/// The prefix of every personal API token, so leaked tokens are easy to spot.
pub const TOKEN_PREFIX: &str = "alng_";

/// Creates a token and returns (secret shown once, listing).
pub async fn new_token(
    state: &AppState,
    user: &User,
    name: &str,
) -> Result<(String, store::auth::ApiToken), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::Invalid(FieldErrors::one(
            "name",
            "Name the token (up to 60 characters), e.g. \"laptop script\".",
        )));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let token = state.db.create_token(&user.id, name, &hash_token(&secret), &prefix, now_ms()).await?;
    Ok((secret, token))
}

pub(crate) async fn render(
    state: &AppState,
    me: &User,
    (csrf, jar): (&CsrfToken, &CookieJar),
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let sessions = super::security::sessions_view(state, me, jar).await?;
    let tokens = state.db.tokens(&me.id).await?;
    let blocked = state.db.blocked_by(&me.id).await?;
    let reminder_choices = crate::events::reminders::CHOICES;
    let feed = state.db.feed_of(&me.id).await?.map(|(made, used)| context! { made, used });
    let (email, email_verified) = (&me.email, me.email_verified_at.is_some());
    let clock = &me.clock;
    let ctx = context! { email, email_verified, tokens, sessions, blocked, feed, reminder_choices, reminders => me.reminder_minutes, clock, ..extra };
    Ok((status, crate::web::templates::page("settings.html", Some(me), csrf, ctx)?).into_response())
}

/// What `GET /settings?notice=…` confirms.
fn notice_text(notice: &str) -> Option<&'static str> {
    match notice {
        "password-changed" => Some(
            "Your password was changed. Your other sessions, API tokens and calendar feed addresses \
             were revoked; this browser stays signed in.",
        ),
        "session-ended" => Some("That session was signed out."),
        "email-link-sent" => Some(
            "We sent a link to the new address. Your account keeps its current address until the link \
             is followed; we told the current address too.",
        ),
        "verify-link-sent" => Some("We sent the link again. It works for two days."),
        "clock-saved" => Some("Saved: times are written on the clock you chose."),
        _ => None,
    }
}

/// `GET /settings`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    jar: CookieJar,
    PageQuery(q): PageQuery<crate::accounts::pages::NoticeQuery>,
) -> PageResult {
    let new_token = crate::web::once::take(&state, &jar, "token").await?;
    let new_feed = crate::web::once::take(&state, &jar, "feed").await?;
    let extra = context! { notice => notice_text(&q.notice), new_token, new_feed };
    render(&state, &me, (&csrf, &jar), extra, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /settings/tokens`: makes a token, then shows it once on the settings page.
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<TokenForm>,
) -> PageResult {
    match new_token(&state, &me, &form.name).await {
        Ok((secret, _)) => {
            crate::web::once::keep(&state, &jar, "token", &secret).await?;
            Ok(Redirect::to("/settings#tokens").into_response())
        }
        Err(AppError::Invalid(e)) => {
            let extra = context! { token_errors => error_map(&e), token_name => form.name };
            render(&state, &me, (&csrf, &jar), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _form: Posted<TokenForm>,
) -> PageResult {
    if !super::revoke_token(&state, &me, &id).await? {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/settings").into_response())
}

#[derive(Debug, Deserialize)]
pub struct RemindersForm {
    #[serde(default)]
    minutes: String,
}

/// Checks a reminder setting against the offered choices.
pub fn check_reminders(minutes: &str) -> Result<String, AppError> {
    crate::events::reminders::CHOICES
        .iter()
        .find(|(v, _)| *v == minutes)
        .map(|(v, _)| (*v).to_owned())
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("minutes", "Choose one of the reminder options.")))
}

/// `POST /settings/reminders`.
pub async fn reminders(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<RemindersForm>,
) -> PageResult {
    match check_reminders(&form.minutes) {
        Ok(m) => {
            state.db.set_reminder_minutes(&me.id, &m).await?;
            Ok(Redirect::to("/settings").into_response())
        }
        Err(AppError::Invalid(e)) => {
            render(
                &state,
                &me,
                (&csrf, &jar),
                context! { reminder_errors => error_map(&e) },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A clock choice as sent: "24" or "12".
pub fn check_clock(s: &str) -> Result<&'static str, &'static str> {
    match s {
        "24" => Ok("24"),
        "12" => Ok("12"),
        _ => Err("Choose the 24-hour clock (18:00) or the 12-hour clock (6:00 pm)."),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClockForm {
    clock: String,
}

/// `POST /settings/clock`.
pub async fn clock(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<ClockForm>,
) -> PageResult {
    match check_clock(&form.clock) {
        Ok(c) => {
            state.db.set_clock(&me.id, c, now_ms()).await?;
            Ok(Redirect::to("/settings?notice=clock-saved").into_response())
        }
        Err(why) => {
            let errors = error_map(&domain::FieldErrors::one("clock", why));
            render(
                &state,
                &me,
                (&csrf, &jar),
                context! { clock_errors => errors },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /settings/delete`: needs the password and the confirmation box.
pub async fn delete_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<DeleteForm>,
) -> PageResult {
    let result = if form.confirm != "yes" {
        Err(AppError::Invalid(FieldErrors::one(
            "confirm",
            "Tick the box to confirm that you want to delete everything.",
        )))
    } else {
        super::delete_account(&state, ip, &me, &form.password).await
    };
    match result {
        Ok(()) => {
            let jar = end_session(&state, jar).await?;
            Ok((jar, Redirect::to("/?notice=deleted")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            render(
                &state,
                &me,
                (&csrf, &jar),
                context! { delete_errors => error_map(&e) },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
