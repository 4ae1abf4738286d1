//! Referral reports: per member (me) or per group (its members), per week, month or year in my
//! zone: slips given and received, won business per currency (kept apart), thanks, one-to-ones
//! and attendance. A page, a CSV file, and the API.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use domain::groups::Action;
use domain::referrals::{format_amount, period, PeriodKind};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::groups::view::PersonRef;
use crate::openapi::{ApiQuery, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::CsrfToken;
use crate::web::csv::{Cell, CsvWriter};
use crate::web::templates;

/// Which report.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ReportQuery {
    /// week | month | year (default month).
    #[param(pattern = "^(week|month|year)?$")]
    pub period: String,
    /// A day in the period, e.g. 2026-12-03 (default today, in my zone), from 1900 to 2199.
    #[param(
        pattern = "^((19|2[01])[0-9]{2}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31))?$"
    )]
    pub date: String,
    /// A group I belong to: the report of its members; leave out for mine.
    pub group: String,
    /// "csv" for a CSV file (API only).
    pub format: String,
}

/// One member's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberFigures {
    pub member: PersonRef,
    pub given: u32,
    pub received: u32,
    /// Business won by those I referred, per currency ("credited to the giver").
    pub won_from_mine: BTreeMap<String, String>,
    /// Business I won from referrals, per currency.
    pub won_by_me: BTreeMap<String, String>,
    /// "Thank you for closed business" received.
    pub thanks: u32,
    pub one_to_ones: u32,
    pub attended: u32,
    pub no_shows: u32,
}

/// A report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    /// week | month | year
    pub period: String,
    /// Its first day, its last, and the day after its last.
    pub from: String,
    pub last: String,
    pub until: String,
    /// The group, for a group's report.
    pub group: Option<crate::events::view::GroupRef>,
    pub members: Vec<MemberFigures>,
    /// Won business in the period, per currency.
    pub won_total: BTreeMap<String, String>,
}

fn money(m: &BTreeMap<String, i64>) -> BTreeMap<String, String> {
    m.iter().map(|(c, v)| (c.clone(), format_amount(*v))).collect()
}

/// The report `q` asks of `me`.
pub async fn build(state: &AppState, me: &User, q: &ReportQuery) -> Result<Report, AppError> {
    let mut e = FieldErrors::new();
    let kind = match q.period.as_str() {
        "" => PeriodKind::Month,
        p => e.check("period", PeriodKind::parse(p)).unwrap_or(PeriodKind::Month),
    };
    let zone: chrono_tz::Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let at = match q.date.trim() {
        "" => Utc::now(),
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(12, 0, 0)) {
            Some(t) if (1900..=2200).contains(&t.year()) => zone
                .from_local_datetime(&t)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(Utc::now),
            _ => {
                e.add("date", "Give a date like 2026-12-03.");
                Utc::now()
            }
        },
    };
    e.into_result()?;
    let (start, end, first) = period(kind, at, zone);
    let (from, to) = (start.timestamp_millis(), end.timestamp_millis());
    let (group, people, slips) = if q.group.trim().is_empty() {
        (None, vec![(me.id.clone(), me.display_name.clone())], state.db.referrals_of(&me.id, from, to).await?)
    } else {
        let a = crate::groups::access(state, me, q.group.trim()).await?;
        a.require(Action::Take)?;
        let members = state.db.group_members(&a.group.id).await?;
        let slips = state.db.referrals_in_group(&a.group.id, from, to).await?;
        let group = crate::events::view::GroupRef { id: a.group.id.clone(), name: a.group.name.clone() };
        (Some(group), members.into_iter().map(|m| (m.user_id, m.display_name)).collect(), slips)
    };
    let mut members = Vec::with_capacity(people.len());
    let mut won_total: BTreeMap<String, i64> = BTreeMap::new();
    for s in slips.iter().filter(|s| s.status == "won") {
        *won_total.entry(s.currency.clone()).or_default() += s.value_minor.unwrap_or(0);
    }
    for (id, name) in people {
        let gave: Vec<_> = slips.iter().filter(|s| s.giver_id == id).collect();
        let got: Vec<_> = slips.iter().filter(|s| s.receiver_id == id).collect();
        let won = |list: &[&store::referrals::Referral]| {
            domain::referrals::totals(
                list.iter()
                    .filter(|s| s.status == "won")
                    .map(|s| (s.currency.as_str(), s.value_minor.unwrap_or(0))),
            )
        };
        let (attended, no_shows) = state.db.attendance(&id, from, to.min(crate::web::now_ms())).await?;
        members.push(MemberFigures {
            member: PersonRef { id: id.clone(), display_name: name },
            given: gave.len() as u32,
            received: got.len() as u32,
            won_from_mine: money(&won(&gave)),
            won_by_me: money(&won(&got)),
            thanks: gave.iter().filter(|s| s.thanked_at.is_some()).count() as u32,
            one_to_ones: state.db.one_to_ones(&id, from, to, crate::web::now_ms()).await?.len() as u32,
            attended: u32::try_from(attended).unwrap_or(0),
            no_shows: u32::try_from(no_shows).unwrap_or(0),
        });
    }
    let until = end.with_timezone(&zone).date_naive();
    Ok(Report {
        period: match kind {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Year => "year",
        }
        .into(),
        from: first.to_string(),
        last: until.pred_opt().unwrap_or(until).to_string(),
        until: until.to_string(),
        group,
        members,
        won_total: money(&won_total),
    })
}

fn money_cell(m: &BTreeMap<String, String>) -> String {
    m.iter().map(|(c, v)| format!("{v} {c}")).collect::<Vec<_>>().join("; ")
}

/// The report as CSV (one row per member).
pub fn csv(r: &Report) -> Result<String, AppError> {
    let mut w = CsvWriter::new(&[
        "member",
        "given",
        "received",
        "won_from_my_referrals",
        "won_by_me",
        "thanks",
        "one_to_ones",
        "attended",
        "no_shows",
    ])?;
    for m in &r.members {
        w.row(&[
            Cell::text(&m.member.display_name),
            Cell::number(m.given),
            Cell::number(m.received),
            Cell::text(money_cell(&m.won_from_mine)),
            Cell::text(money_cell(&m.won_by_me)),
            Cell::number(m.thanks),
            Cell::number(m.one_to_ones),
            Cell::number(m.attended),
            Cell::number(m.no_shows),
        ])?;
    }
    Ok(w.finish()?)
}

fn csv_response(r: &Report) -> Result<Response, AppError> {
    let name = format!("referrals-{}-{}.csv", r.period, r.from);
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv(r)?,
    )
        .into_response())
}

/// `GET /referrals/report`.
pub async fn page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<ReportQuery>,
) -> PageResult {
    let groups: Vec<(String, String)> =
        state.db.groups_of(&me.id).await?.into_iter().map(|g| (g.group.id, g.group.name)).collect();
    let (report, errors) = match build(&state, &me, &q).await {
        Ok(r) => (Some(r), None),
        Err(AppError::Invalid(e)) => (None, Some(crate::accounts::pages::error_map(&e))),
        Err(e) => return Err(e.into()),
    };
    let csv_link = serde_urlencoded::to_string(&q).unwrap_or_default();
    let status = if errors.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let ctx = context! { report, errors, values => q, groups, csv_link };
    Ok((status, templates::page("referral_report.html", Some(&me), &csrf, ctx)?).into_response())
}

/// `GET /referrals/report.csv`.
pub async fn csv_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    PageQuery(q): PageQuery<ReportQuery>,
) -> PageResult {
    Ok(csv_response(&build(&state, &me, &q).await?)?)
}

/// My referral report, or my group's, for a week, month or year (`format=csv` for CSV).
#[utoipa::path(get, path = "/api/v1/referrals/report", tag = "referrals", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let r = build(&state, &me, &q).await?;
    if q.format == "csv" {
        return csv_response(&r);
    }
    Ok(Json(r).into_response())
}
