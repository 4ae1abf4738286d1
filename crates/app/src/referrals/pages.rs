//! Referral pages: my slips given and received with the form to give one, a slip with its
//! history and the receiver's controls, logging a one-to-one, and the insight to cowork with
//! those I refer to most.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{NaiveDate, TimeZone, Utc};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;

use super::{advance, give as give_slip, insights, slip, thank, SlipInput, StatusInput};
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

async fn render_list(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let slips = state.db.referrals_of(&me.id, 0, i64::MAX).await?;
    let (given, received): (Vec<_>, Vec<_>) = slips.into_iter().partition(|s| s.giver_id == me.id);
    let members = crate::venues::panel::companions(state, me).await?;
    let groups: Vec<(String, String)> =
        state.db.groups_of(&me.id).await?.into_iter().map(|g| (g.group.id, g.group.name)).collect();
    let year_ago = (Utc::now() - chrono::TimeDelta::days(365)).timestamp_millis();
    let one_to_ones = state.db.one_to_ones(&me.id, year_ago, i64::MAX, crate::web::now_ms()).await?;
    let ctx = context! {
        given, received, members, groups, one_to_ones, insights => insights(state, me).await?,
        temperatures => domain::referrals::TEMPERATURES, ..extra
    };
    Ok((status, page("referrals.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /referrals`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    render_list(&state, &me, &csrf, context! {}, StatusCode::OK).await
}

/// `POST /referrals`: give a referral.
pub async fn give(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<SlipInput>,
) -> PageResult {
    match give_slip(&state, &me, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/referrals/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            render_list(
                &state,
                &me,
                &csrf,
                context! { errors => error_map(&e), values => form },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn render_slip(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    id: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let r = slip(state, me, id).await?;
    let history = state.db.referral_history(&r.id).await?;
    let current =
        domain::referrals::SlipStatus::parse(&r.status).unwrap_or(domain::referrals::SlipStatus::Received);
    let next: Vec<(&str, &str)> = domain::referrals::SlipStatus::ALL
        .iter()
        .filter(|s| current.may_become(**s).is_ok())
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let label = |s: &str| match domain::referrals::SlipStatus::parse(s) {
        Ok(s) => s.label().to_owned(),
        Err(_) if s == "thanked" => "Thanked for closed business".to_owned(),
        Err(_) => s.to_owned(),
    };
    let history: Vec<(String, Option<String>, i64)> =
        history.into_iter().map(|(status, by, at)| (label(&status), by, at)).collect();
    let status_label = current.label();
    let value = r.value_minor.map(domain::referrals::format_amount);
    let ctx = context! { slip => r, history, next, value, status_label, receiving => r.receiver_id == me.id, ..extra };
    Ok((status, page("referral.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /referrals/{id}` (its giver and receiver only).
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<SlipNotice>,
) -> PageResult {
    let notice = match q.notice.as_str() {
        "status-saved" => Some("Saved: the slip's giver sees where it stands."),
        "thanked" => Some("Thank you sent: the giver is credited for the closed business."),
        _ => None,
    };
    render_slip(&state, &me, &csrf, &id, context! { notice }, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct SlipNotice {
    #[serde(default)]
    notice: String,
}

/// `POST /referrals/{id}/status` (its receiver).
pub async fn status(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<StatusInput>,
) -> PageResult {
    let r = slip(&state, &me, &id).await?;
    match advance(&state, &me, &r, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/referrals/{id}?notice=status-saved")).into_response()),
        Err(AppError::Invalid(e) | AppError::Conflict(e)) => {
            render_slip(
                &state,
                &me,
                &csrf,
                &id,
                context! { errors => error_map(&e), values => form },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /referrals/{id}/thanks` (its receiver, once won).
pub async fn thanks(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { csrf, .. }: Posted<StatusInput>,
) -> PageResult {
    let r = slip(&state, &me, &id).await?;
    match thank(&state, &me, &r).await {
        Ok(()) => Ok(Redirect::to(&format!("/referrals/{id}?notice=thanked")).into_response()),
        Err(AppError::Invalid(e)) => {
            render_slip(
                &state,
                &me,
                &csrf,
                &id,
                context! { errors => error_map(&e) },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A one-to-one as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OneToOneForm {
    member_id: String,
    date: String,
    /// The note; named apart from the referral form's `note` on the same page.
    about: String,
}

/// Logs a one-to-one with `member` on `date` (in my zone); my contact of them counts it as
/// keeping in touch.
pub async fn log(state: &AppState, me: &User, member: &str, date: &str, note: &str) -> Result<(), AppError> {
    let mut e = FieldErrors::new();
    let other = state.db.user(member.trim()).await?.filter(|u| u.id != me.id && u.suspended_at.is_none());
    if other.is_none() {
        e.add("member_id", "Choose the member you met.");
    }
    let zone: chrono_tz::Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let when = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .and_then(|t| zone.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
        .filter(|t| *t <= crate::web::now_ms() + 86_400_000 && *t > 0);
    if when.is_none() {
        e.add("date", "Give the day you met, like 2026-12-03 (not in the future).");
    }
    let note = e.check("note", domain::profile::check_text(note, 1000)).unwrap_or_default();
    e.into_result()?;
    let (Some(other), Some(when)) = (other, when) else { return Err(AppError::NotFound) };
    state.db.log_one_to_one(&me.id, &other.id, when, &note, crate::web::now_ms()).await?;
    Ok(())
}

/// `POST /one-to-ones`.
pub async fn one_to_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<OneToOneForm>,
) -> PageResult {
    match log(&state, &me, &form.member_id, &form.date, &form.about).await {
        Ok(()) => Ok(Redirect::to("/referrals#one-to-ones").into_response()),
        Err(AppError::Invalid(e)) => {
            let mut errors = error_map(&e);
            if let Some(d) = errors.remove("note") {
                errors.insert("about".into(), d);
            }
            let extra = context! { one_errors => errors, one_values => form };
            render_list(&state, &me, &csrf, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
