//! The room page: a server-rendered shell (title, time, video link, the host's controls) that
//! `room.js` brings to life over the WebSocket.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use chrono::DateTime;
use minijinja::context;

use super::protocol::MAX_CHAT_CHARS;
use crate::error::{PageQuery, PageResult};
use crate::events::pages::AtQuery;
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::CsrfToken;
use crate::web::templates::page;

/// `GET /events/{id}/room?at=KEY`.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<AtQuery>,
) -> PageResult {
    let key = q.at.ok_or(crate::error::AppError::NotFound)?;
    let a = super::access(&state, &me, &id, key).await?;
    let start = DateTime::from_timestamp_millis(a.starts_at).unwrap_or_default();
    let when = crate::events::view::when(start, &me.timezone, &a.time_zone);
    let ctx = context! {
        event_id => a.event_id, key, title => a.title, when, video_url => a.video_url, is_host => a.is_host,
        me_id => me.id, max_chat => MAX_CHAT_CHARS,
    };
    Ok(page("room.html", Some(&me), &csrf, ctx)?.into_response())
}
