//! The group console, for organisers and moderators: every member with their role, when they
//! joined and last came, their attendance over the group's last 12 meetings (late, or through a
//! substitute, counts as there) and (where the group
//! passes referrals) the slips they gave and received; who is asking to join; the reports
//! waiting; and the roster and attendance per meeting as CSV. An address shows only where its
//! owner lets the members of their groups see it.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use domain::groups::Action;
use domain::profile::{Relation, Visibility};
use minijinja::context;
use serde::Serialize;
use utoipa::ToSchema;

use super::view::rfc3339;
use super::{access, Access};
use crate::error::{ApiResult, AppError, PageResult};
use crate::events::series;
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::CsrfToken;
use crate::web::csv::{Cell, CsvWriter};
use crate::web::templates::page;

/// Meetings the attendance rate looks back over.
const RATE_OVER: usize = 12;
/// How far back the console and the attendance export read.
const LOOKBACK_DAYS: i64 = 366;

/// One of the group's dates that has begun.
#[derive(Debug, Clone, Serialize)]
struct Meeting {
    event_id: String,
    /// Its host, who was there.
    host_id: String,
    key: i64,
    start: i64,
    title: String,
}

/// A member as the console shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsoleRow {
    pub id: String,
    pub name: String,
    /// organiser | moderator | member
    pub role: String,
    pub joined_at: String,
    /// The start of the last meeting they were marked present at.
    pub last_attended: Option<String>,
    /// Of the last 12 meetings held since they joined and whose attendance was taken: how many
    /// they were at, and how many there were.
    pub present: i64,
    pub held: i64,
    /// Referral slips given and received in the group.
    pub referrals_given: i64,
    pub referrals_received: i64,
    /// Their address, where they let the members of their groups see it.
    pub email: Option<String>,
}

/// The console.
#[derive(Debug, Serialize, ToSchema)]
pub struct Console {
    pub members: Vec<ConsoleRow>,
    /// People asking to join.
    pub requests: i64,
    /// Reports waiting for a moderator.
    pub reports: i64,
}

/// The group's dates in the last year that have begun and were not called off, newest first.
async fn meetings(state: &AppState, a: &Access, now: DateTime<Utc>) -> Result<Vec<Meeting>, AppError> {
    let from = now - TimeDelta::days(LOOKBACK_DAYS);
    let (f, t) = (from.timestamp_millis(), now.timestamp_millis());
    let events = state.db.group_events(&a.group.id, f, t).await?;
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let overrides = state.db.overrides_of(&ids, series::keys_of(from, now)).await?;
    let mut out: Vec<Meeting> = events
        .iter()
        .flat_map(|e| {
            let o = overrides.get(&e.id).map_or(&[][..], Vec::as_slice);
            series::expand(e, o, from, now).into_iter().filter(|o| !o.cancelled).map(|o| Meeting {
                event_id: e.id.clone(),
                host_id: e.host_id.clone(),
                key: o.key,
                start: o.start.timestamp_millis(),
                title: o.title,
            })
        })
        .collect();
    out.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.event_id.cmp(&b.event_id)));
    Ok(out)
}

/// Everything the console shows, and the meetings with their answers for the export.
async fn build(
    state: &AppState,
    a: &Access,
) -> Result<(Console, Vec<Meeting>, Vec<store::console::DateAnswer>), AppError> {
    a.require(Action::Manage)?;
    let now = Utc::now();
    let meetings = meetings(state, a, now).await?;
    let from = meetings.last().map_or(now.timestamp_millis(), |m| m.key.min(m.start));
    let answers = state.db.group_date_answers(&a.group.id, from, now.timestamp_millis() + 1).await?;
    let mut marked: HashMap<(&str, i64, &str), i64> = HashMap::new();
    let mut taken: HashSet<(&str, i64)> = HashSet::new();
    for r in &answers {
        if let Some(v) = r.attended {
            marked.insert((r.event_id.as_str(), r.occurrence_start, r.user_id.as_str()), v);
            taken.insert((r.event_id.as_str(), r.occurrence_start));
        }
    }
    let recent: Vec<&Meeting> = meetings.iter().take(RATE_OVER).collect();
    let members = state
        .db
        .console_members(&a.group.id)
        .await?
        .into_iter()
        .map(|m| {
            let came = |x: &Meeting| {
                x.host_id == m.user_id
                    || marked.get(&(x.event_id.as_str(), x.key, m.user_id.as_str())) == Some(&1)
            };
            let counted: Vec<&&Meeting> = recent
                .iter()
                .filter(|x| x.start >= m.joined_at && taken.contains(&(x.event_id.as_str(), x.key)))
                .collect();
            let present = counted.iter().filter(|x| came(x)).count();
            // The host was at the meetings they ran, marked or not.
            let hosted = meetings.iter().filter(|x| x.host_id == m.user_id).map(|x| x.start).max();
            let last_attended = m.last_attended.max(hosted);
            let shown =
                Visibility::parse(&m.vis_email).unwrap_or(Visibility::Partners).allows(Relation::GroupMate);
            ConsoleRow {
                id: m.user_id,
                name: m.display_name,
                role: m.role,
                joined_at: rfc3339(m.joined_at),
                last_attended: last_attended.map(rfc3339),
                present: present as i64,
                held: counted.len() as i64,
                referrals_given: m.given,
                referrals_received: m.received,
                email: shown.then_some(m.email),
            }
        })
        .collect();
    let requests = state.db.join_requests(&a.group.id).await?.len() as i64;
    let reports = state.db.open_reports(&a.group.id).await?.len() as i64;
    Ok((Console { members, requests, reports }, meetings, answers))
}

/// `GET /groups/{id}/console` (organisers and moderators).
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let (console, meetings, _) = build(&state, &a).await?;
    let referrals = console.members.iter().any(|m| m.referrals_given + m.referrals_received > 0);
    let mine: Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let day = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| crate::web::dates::day(t.with_timezone(&Utc), mine))
            .unwrap_or_default()
    };
    let rows: Vec<_> = console
        .members
        .iter()
        .map(|m| {
            let rate = (m.held > 0).then(|| m.present * 100 / m.held);
            context! { m, joined => day(&m.joined_at), last => m.last_attended.as_deref().map(day), rate }
        })
        .collect();
    let ctx = context! {
        group => a.group, rows, requests => console.requests, reports => console.reports, referrals,
        meetings => meetings.len().min(RATE_OVER),
    };
    Ok(page("group_console.html", Some(&me), &csrf, ctx)?.into_response())
}

/// The console's members (organisers and moderators).
#[utoipa::path(get, path = "/api/v1/groups/{id}/console", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Console), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Console>> {
    let a = access(&state, &me, &id).await?;
    Ok(Json(build(&state, &a).await?.0))
}

fn csv_file(name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A date and time in the group's zone as spreadsheets read it: "2026-12-03 18:00".
fn sheet_time(ms: i64, zone: Tz) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn zone(a: &Access) -> Tz {
    a.group.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// `GET /groups/{id}/console/members.csv`: the roster.
pub async fn members_csv(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let (console, _, _) = build(&state, &a).await?;
    let zone = zone(&a);
    let ms = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.timestamp_millis()).unwrap_or_default();
    let mut w = CsvWriter::new(&[
        "name",
        "role",
        "email",
        "joined",
        "last_attended",
        "meetings_attended",
        "meetings_held",
        "referrals_given",
        "referrals_received",
    ])?;
    for m in &console.members {
        w.row(&[
            Cell::text(&m.name),
            Cell::text(&m.role),
            Cell::text(m.email.as_deref().unwrap_or("")),
            Cell::text(sheet_time(ms(&m.joined_at), zone)),
            Cell::text(m.last_attended.as_deref().map(|t| sheet_time(ms(t), zone)).unwrap_or_default()),
            Cell::number(m.present),
            Cell::number(m.held),
            Cell::number(m.referrals_given),
            Cell::number(m.referrals_received),
        ])?;
    }
    Ok(csv_file("members.csv", w.finish()?))
}

/// `GET /groups/{id}/console/attendance.csv`: one row per answer to each meeting of the last year.
pub async fn attendance_csv(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let (_, meetings, answers) = build(&state, &a).await?;
    let zone = zone(&a);
    let from = meetings.last().map_or(0, |m| m.key.min(m.start));
    let visitors = state.db.group_visitors(&a.group.id, from, Utc::now().timestamp_millis() + 1).await?;
    let mut w = CsvWriter::new(&["meeting", "starts", "member", "answer", "attendance"])?;
    for m in meetings.iter().rev() {
        for r in answers.iter().filter(|r| r.event_id == m.event_id && r.occurrence_start == m.key) {
            let attendance = match (r.attended, r.arrival.as_str()) {
                (Some(1), "late") => "late".to_owned(),
                (Some(1), "substitute") => format!("substitute ({})", r.substitute),
                (Some(1), _) => "present".to_owned(),
                (Some(_), _) => "absent".to_owned(),
                (None, _) => String::new(),
            };
            w.row(&[
                Cell::text(&m.title),
                Cell::text(sheet_time(m.start, zone)),
                Cell::text(&r.display_name),
                Cell::text(&r.status),
                Cell::text(attendance),
            ])?;
        }
        for (_, v) in visitors.iter().filter(|(e, v)| *e == m.event_id && v.occurrence_start == m.key) {
            let brought = if v.invited_by.is_empty() {
                "visitor".to_owned()
            } else {
                format!("visitor (brought by {})", v.invited_by)
            };
            w.row(&[
                Cell::text(&m.title),
                Cell::text(sheet_time(m.start, zone)),
                Cell::text(&v.name),
                Cell::text("visitor"),
                Cell::text(brought),
            ])?;
        }
    }
    Ok(csv_file("attendance.csv", w.finish()?))
}
