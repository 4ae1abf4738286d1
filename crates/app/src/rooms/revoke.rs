//! Keeping a room connection honest after it opened. Access is checked at the upgrade, but a
//! connection lives for hours: a member removed from the group, no longer going, signed out,
//! suspended or deleted, a revoked token, a cancelled date or a block by the host must close it.
//!
//! Whoever commits such a change calls [`changed`], which notes it in the database; every
//! instance reads the recent notes each second ([`watch`]) and hands them to its connections,
//! and a connection the change concerns runs the whole check again ([`recheck`]). A connection
//! also checks again every `room_recheck_ms` (60 s by default), for anything no note covers.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use axum_extra::extract::CookieJar;
use store::access_changes::Scope;
use tokio::sync::watch;

use super::hub::AccessChange;
use super::{access, Access};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::auth::{bearer_token, SESSION_COOKIE};
use crate::web::now_ms;
use crate::web::secrets::hash_token;

/// The close code for a connection whose access ended; a client does not reconnect after it.
pub const CLOSE_ACCESS_ENDED: u16 = 4403;
/// How often each instance reads the noted changes.
const POLL: Duration = Duration::from_secs(1);
/// Notes are read this far back, so one committed late, or stamped by a clock a little behind,
/// is still seen (each is handed on once).
const WINDOW_MS: i64 = 10_000;
/// Notes older than this are purged.
const KEEP_MS: i64 = 60_000;

/// What a connection was opened with, so it can be asked about again.
#[derive(Debug, Clone)]
pub enum Credential {
    /// The hash of a session cookie's value.
    Session(String),
    /// The hash of a personal API token.
    Token(String),
}

impl Credential {
    /// The bearer token if the request has one, else the session cookie.
    pub fn of(headers: &HeaderMap) -> Option<Credential> {
        if headers.contains_key(header::AUTHORIZATION) {
            return bearer_token(headers).map(|t| Credential::Token(hash_token(t)));
        }
        let jar = CookieJar::from_headers(headers);
        jar.get(SESSION_COOKIE).map(|c| Credential::Session(hash_token(c.value())))
    }
}

/// Why a connection was closed: the close frame's reason (short, for programs) and a sentence
/// for the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    pub reason: &'static str,
    pub message: &'static str,
}

/// Notes that access for `subject` may have narrowed. Called after the change is committed; a
/// failure is logged, not returned, since the change itself stands and the periodic check
/// still closes what it must.
pub async fn changed(state: &AppState, scope: Scope, subject: &str) {
    if let Err(e) = state.db.note_access_change(scope, subject, now_ms()).await {
        tracing::warn!(error = %e, ?scope, "room access change not noted");
    }
}

/// Whether `change` may concern this connection.
pub fn concerns(change: &AccessChange, a: &Access) -> bool {
    let (scope, subject) = change;
    match scope {
        Scope::User => *subject == a.user_id,
        Scope::Event => *subject == a.event_id,
        Scope::Group => a.group_id.as_deref() == Some(subject.as_str()),
    }
}

/// Asks again whether the connection may stay: `Some` with the reason when it must close. A
/// database failure keeps it open (the next check asks again).
pub async fn recheck(state: &AppState, credential: &Credential, a: &Access, conn_id: &str) -> Option<Ended> {
    match still_allowed(state, credential, a, conn_id).await {
        Ok(ended) => ended,
        Err(e) => {
            tracing::warn!(error = %e, "room access could not be checked again");
            None
        }
    }
}

async fn still_allowed(
    state: &AppState,
    credential: &Credential,
    a: &Access,
    conn_id: &str,
) -> anyhow::Result<Option<Ended>> {
    let now = now_ms();
    let user = match credential {
        Credential::Session(h) => state.db.session_user(h, now).await?,
        Credential::Token(h) => state.db.token_user(h, now).await?,
    };
    let Some(user) = user.filter(|u| u.id == a.user_id) else {
        return Ok(Some(match (state.db.user(&a.user_id).await?, credential) {
            (None, _) => Ended { reason: "account deleted", message: "This account was deleted." },
            (Some(u), _) if u.suspended_at.is_some() => {
                Ended { reason: "account suspended", message: "This account is suspended." }
            }
            (Some(_), Credential::Session(_)) => Ended {
                reason: "signed out",
                message: "You were signed out, so you left the room. Sign in again to come back.",
            },
            (Some(_), Credential::Token(_)) => {
                Ended { reason: "token revoked", message: "The API token this connection used was revoked." }
            }
        }));
    };
    match access(state, &user, &a.event_id, a.key).await {
        // Asked last: deleting an event or an account drops its connections' rows too.
        Ok(_) if !state.db.connection_open(conn_id).await? => Ok(Some(Ended {
            reason: "too many connections",
            message: "You have this room open in more than five places, so its oldest connection closed.",
        })),
        Ok(_) => Ok(None),
        Err(AppError::Forbidden(_)) => Ok(Some(Ended {
            reason: "not going",
            message: "You are no longer going to this session, so you left its room.",
        })),
        Err(AppError::NotFound | AppError::Unauthorized) => Ok(Some(Ended {
            reason: "no access",
            message: "This session was cancelled, or it is no longer open to you.",
        })),
        Err(e) => Err(anyhow::anyhow!("{e:?}")),
    }
}

/// Reads the noted changes each second and hands the new ones to this instance's connections;
/// purges old notes once a minute. Runs until `stop`.
pub async fn watch(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut tick = tokio::time::interval(POLL);
    let mut purged = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let now = now_ms();
        if now - purged >= KEEP_MS {
            purged = now;
            if let Err(e) = state.db.purge_access_changes(now - KEEP_MS).await {
                tracing::warn!(error = %e, "old room access changes not purged");
            }
        }
        if state.rooms.live_rooms() == 0 {
            seen.clear();
            continue;
        }
        match state.db.access_changes_since(now - WINDOW_MS).await {
            Ok(changes) => {
                for c in changes {
                    if seen.insert(c.id, c.at).is_none() {
                        state.rooms.access_changed((c.scope, c.subject));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "room access changes not read"),
        }
        seen.retain(|_, at| *at >= now - 2 * WINDOW_MS);
    }
}
