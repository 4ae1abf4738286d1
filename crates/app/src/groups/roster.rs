//! Roster import: an organiser or moderator brings a community in by uploading a CSV or pasting
//! addresses. They see every row checked first (what will be sent, and why a row will not), then
//! send: one single-use invitation per address, 30 days long, once per group however often the
//! same file comes in, at most 2,000 a day. The mail goes out at the outbox's rate, after
//! personal mail, each with a "don't email me again" link; the page shows each import's progress.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::groups::Action;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::roster::{Entry, ImportSummary, Invitation};
use store::users::User;
use utoipa::ToSchema;

use super::invites::{letter, new_token, url_of};
use super::roster_input::{self, check, Known, Row, DAILY_LIMIT};
use super::view::rfc3339;
use super::{access, Access};
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Uploaded};
use crate::web::now_ms;
use crate::web::secrets::hash_token;
use crate::web::templates::page;

/// How long an imported invitation lasts, in days.
const DAYS: i64 = 30;
/// Imports listed on the page and in the API.
const LISTED: i64 = 20;

fn zone(me: &User) -> Tz {
    domain::profile::check_timezone(&me.timezone).unwrap_or(chrono_tz::UTC)
}

/// Reads and checks `text` for `a`'s group: every row, and the entries to invite.
async fn preview(
    state: &AppState,
    a: &Access,
    me: &User,
    text: &str,
) -> Result<(Vec<Row>, Vec<Entry>), AppError> {
    a.require(Action::Manage)?;
    if text.trim().is_empty() {
        return Err(FieldErrors::one("text", "Choose a CSV file or paste some addresses.").into());
    }
    let rows = roster_input::read(text).map_err(|e| FieldErrors::one("text", &e))?;
    let now = now_ms();
    let known = Known {
        members: state.db.member_emails(&a.group.id).await?,
        invited: state.db.roster_invited(&a.group.id).await?.into_iter().collect(),
        room_today: DAILY_LIMIT - state.db.roster_count_since(&a.group.id, now - 86_400_000).await?,
    };
    let zone = zone(me);
    let when = |at: i64| {
        crate::web::dates::day(DateTime::<Utc>::from_timestamp_millis(at).unwrap_or_default(), zone)
    };
    Ok(check(&rows, &known, when))
}

/// Sends the invitations for `entries`; returns the import's id.
async fn send(state: &AppState, a: &Access, me: &User, entries: &[Entry]) -> Result<String, AppError> {
    a.require(Action::Manage)?;
    let now = now_ms();
    let import = state.db.create_roster_import(&a.group.id, &me.id, now).await?;
    let items: Vec<Invitation> = entries
        .iter()
        .map(|entry| {
            let token = new_token();
            let (subject, body) = letter(me, &a.group, &entry.name, &url_of(state, &token), DAYS);
            let (body, unsubscribe_url) = crate::mail::strangers::signed(
                state,
                &entry.email,
                &body,
                crate::mail::strangers::ENTERED_BY_ORGANISER,
            );
            Invitation { entry, token_hash: hash_token(&token), subject, body, unsubscribe_url }
        })
        .collect();
    let sent =
        state.db.send_roster(&a.group.id, &import, &me.id, now + DAYS * 86_400_000, &items, now).await?;
    tracing::info!(group = %a.group.id, queued = sent.queued, repeated = sent.repeated, held = sent.held, "roster imported");
    state.mail_wakeup.notify_one();
    Ok(import)
}

/// A hash of the text as checked, so sending can tell it is what the preview showed.
fn fingerprint(text: &str) -> String {
    let normal = text.replace("\r\n", "\n");
    hex(&Sha256::digest(normal.trim().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- pages --

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    a.require(Action::Manage)?;
    let imports = state.db.roster_imports(&a.group.id, LISTED).await?;
    let busy = imports.iter().any(|i| i.waiting > 0);
    let ctx = context! { group => a.group, imports, busy, limit => "2,000", days => DAYS, ..extra };
    Ok((status, page("group_roster.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /groups/{id}/roster` (organiser and moderators).
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let notice = q.get("sent").and_then(|n| n.parse::<usize>().ok()).map(|n| match n {
        1 => "One invitation is on its way.".to_owned(),
        n => format!("{n} invitations are on their way."),
    });
    render(&state, &me, &csrf, &a, context! { notice }, StatusCode::OK).await
}

/// `POST /groups/{id}/roster` (multipart: `csrf`, `file`, `text`, `step` = check | send, and
/// `checked`, the fingerprint of the text the preview showed).
pub async fn post_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    form: Multipart,
) -> PageResult {
    let mut up = Uploaded::read(&token, form, "file").await?;
    let (mut text, step, checked) = (up.text("text"), up.text("step"), up.text("checked"));
    let file = std::mem::take(&mut up.file);
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    if !file.is_empty() {
        match String::from_utf8(file) {
            Ok(t) => text = t,
            Err(_) => {
                let errors = FieldErrors::one("file", "Save the file as CSV (UTF-8) and choose it again.");
                let ctx = context! { errors => crate::accounts::pages::error_map(&errors), text };
                return render(&state, &me, &token, &a, ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    }
    let (rows, entries) = match preview(&state, &a, &me, &text).await {
        Ok(p) => p,
        Err(AppError::Invalid(e)) => {
            let ctx = context! { errors => crate::accounts::pages::error_map(&e), text };
            return render(&state, &me, &token, &a, ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e.into()),
    };
    let fp = fingerprint(&text);
    if step == "send" && checked == fp && !entries.is_empty() {
        send(&state, &a, &me, &entries).await?;
        return Ok(Redirect::to(&format!("/groups/{id}/roster?sent={}", entries.len())).into_response());
    }
    // A list changed after its check is checked again before anything is sent.
    let changed = step == "send" && checked != fp;
    let (good, bad): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.problem.is_none());
    let ctx = context! { text, checked => fp, good, bad, changed, to_send => entries.len() };
    render(&state, &me, &token, &a, ctx, StatusCode::OK).await
}

// ------------------------------------------------------------------ API --

/// A roster to check or send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterBody {
    /// A CSV with a header row (an `email` column; `name`, `trade`, `skills` optional), or
    /// addresses one per line or separated by commas, bare or as `Name <address>`.
    pub text: String,
    /// Send the invitations (otherwise only check the rows).
    #[serde(default)]
    pub send: bool,
}

/// One row as checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterRow {
    pub line: i64,
    pub email: String,
    pub name: String,
    /// Why no invitation goes to it; null when one does.
    pub problem: Option<String>,
}

/// One import and how its invitations are getting on.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterImport {
    pub id: String,
    pub created_at: String,
    pub by: String,
    pub total: i64,
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
    /// Not written to: the address asked for no mail from this site.
    pub held: i64,
}

impl From<ImportSummary> for RosterImport {
    fn from(i: ImportSummary) -> Self {
        RosterImport {
            id: i.id,
            created_at: rfc3339(i.created_at),
            by: i.by_name,
            total: i.total,
            sent: i.sent,
            waiting: i.waiting,
            failed: i.failed,
            held: i.held,
        }
    }
}

/// What checking (and sending) a roster did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterResult {
    pub rows: Vec<RosterRow>,
    /// Rows that get an invitation.
    pub valid: i64,
    pub invalid: i64,
    /// The import, when sent.
    pub import: Option<RosterImport>,
}

/// A group's roster imports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterImports {
    pub items: Vec<RosterImport>,
}

/// Checks a roster, and with `send` invites every valid row (organiser and moderators).
#[utoipa::path(post, path = "/api/v1/groups/{id}/roster", tag = "groups", security(("bearer" = [])),
    request_body = RosterBody, params(("id" = String, Path)),
    responses((status = 200, body = RosterResult, description = "checked"), (status = 201, body = RosterResult, description = "sent"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RosterBody>,
) -> ApiResult<impl IntoResponse> {
    let a = access(&state, &me, &id).await?;
    let (rows, entries) = preview(&state, &a, &me, &body.text).await?;
    let valid = entries.len() as i64;
    let rows: Vec<RosterRow> = rows
        .into_iter()
        .map(|r| RosterRow { line: r.line as i64, email: r.email, name: r.name, problem: r.problem })
        .collect();
    let invalid = rows.len() as i64 - valid;
    if !body.send || entries.is_empty() {
        return Ok((StatusCode::OK, Json(RosterResult { rows, valid, invalid, import: None })));
    }
    let import = send(&state, &a, &me, &entries).await?;
    let summary = state.db.roster_imports(&id, LISTED).await?.into_iter().find(|i| i.id == import);
    let result = RosterResult { rows, valid, invalid, import: summary.map(RosterImport::from) };
    Ok((StatusCode::CREATED, Json(result)))
}

/// A group's roster imports with their progress (organiser and moderators).
#[utoipa::path(get, path = "/api/v1/groups/{id}/roster", tag = "groups", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = RosterImports), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RosterImports>> {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let items = state.db.roster_imports(&id, LISTED).await?.into_iter().map(RosterImport::from).collect();
    Ok(Json(RosterImports { items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_ignores_how_a_browser_ends_lines() {
        assert_eq!(
            fingerprint("a@example.org\r\nb@example.org\r\n"),
            fingerprint("a@example.org\nb@example.org")
        );
        assert_ne!(fingerprint("a@example.org"), fingerprint("b@example.org"));
    }
}
