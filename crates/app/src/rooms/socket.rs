//! One WebSocket connection to a room: who may open it (checked before the upgrade), the welcome
//! snapshot and the replay that makes resuming gap- and duplicate-free, then the loop that
//! forwards the room's frames and handles the member's.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use domain::FieldErrors;
use store::access_changes::Scope;
use store::room_presence::Entering;
use store::rooms::Room;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::commands::{self, post, timer_of, timer_view};
use super::hub::{AccessChange, Frame};
use super::protocol::{GoalView, Person, RoomInfo, ServerMsg, Welcome, HISTORY, MAX_FRAME_BYTES, PROTOCOL};
use super::revoke::{self, Credential};
use super::{access, Access, PRESENCE_TTL_MS};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::auth::{ApiUser, MaybeUser};
use crate::web::now_ms;

/// A frame that cannot be written within this long means the client is too slow: it is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// The server pings this often; a client silent for three intervals is gone.
const PING_EVERY: Duration = Duration::from_secs(25);

/// `GET /events/{id}/room/ws?at=KEY&v=1[&after=ID]`: a session cookie (from a page of this
/// site) or a bearer token.
pub async fn upgrade(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    bearer: Option<ApiUser>,
    MaybeUser(cookie_user): MaybeUser,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let user = match (bearer, cookie_user) {
        (Some(ApiUser(u)), _) => u,
        (None, Some(u)) if same_origin(&headers, &state) => u,
        (None, Some(_)) => return Err(AppError::Forbidden("Rooms open only from this site's pages.")),
        (None, None) => return Err(AppError::Unauthorized),
    };
    let key = crate::events::parse_key(q.get("at").map_or("", String::as_str)).map_err(|_| {
        AppError::Invalid(FieldErrors::one(
            "at",
            "Give the occurrence's start (epoch milliseconds or RFC 3339).",
        ))
    })?;
    let v = q.get("v").map_or(Ok(PROTOCOL), |v| v.parse::<u32>());
    if v != Ok(PROTOCOL) {
        let m = format!("This server speaks room protocol version {PROTOCOL}.");
        return Err(AppError::Invalid(FieldErrors::one("v", m)));
    }
    let after = match q.get("after").map(|a| a.parse::<i64>()) {
        None => None,
        Some(Ok(a)) if a >= 0 => Some(a),
        Some(_) => {
            return Err(AppError::Invalid(FieldErrors::one("after", "Give the last message id seen.")))
        }
    };
    let credential = Credential::of(&headers).ok_or(AppError::Unauthorized)?;
    // Subscribed before the check: a change committed after it reaches this connection.
    let changes = state.rooms.access_changes();
    let access = access(&state, &user, &id, key).await?;
    let room = access.room(&state).await?;
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| {
            // Boxed: the connection's task would otherwise carry it three times over (the
            // closure, `serve`'s argument and its local).
            let holder = Box::new(Holder { access, credential, changes, conn_id: store::new_id() });
            serve(socket, state, holder, room, after)
        }))
}

/// A browser's request must come from a page of this site (against cross-site WebSocket
/// hijacking with the session cookie): its Origin must name this host.
fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true; // not a browser
    };
    let Ok(origin) = url::Url::parse(origin) else { return false };
    let authority = |u: &url::Url| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_owned(),
        })
    };
    let Some(theirs) = authority(&origin) else { return false };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let public = url::Url::parse(&state.config.public_url()).ok().and_then(|u| authority(&u));
    host == Some(theirs.as_str()) || public.as_deref() == Some(theirs.as_str())
}

/// Who holds a connection: their access as checked at the upgrade, what they opened it with, and
/// the changes that may end it.
#[derive(Debug)]
pub struct Holder {
    access: Access,
    credential: Credential,
    changes: broadcast::Receiver<AccessChange>,
    /// Names the connection in the presence table.
    conn_id: String,
}

async fn serve(
    mut socket: WebSocket,
    state: AppState,
    mut holder: Box<Holder>,
    room: Room,
    after: Option<i64>,
) {
    let conn_id = holder.conn_id.clone();
    let mut frames = state.rooms.subscribe(&room.id, room.last_seq);
    if let Err(e) = session(&mut socket, &state, &mut holder, &room.id, &conn_id, after, &mut frames).await {
        tracing::warn!(error = %e, room = %room.id, "room connection failed");
    }
    drop(frames);
    state.rooms.unsubscribe(&room.id);
    Box::pin(leave(&state, &holder.access, &room.id, &conn_id)).await;
}

/// Forgets the connection; the room hears the member left if it was their last one.
async fn leave(state: &AppState, access: &Access, room_id: &str, conn_id: &str) {
    match state.db.leave_room(conn_id, now_ms() - PRESENCE_TTL_MS).await {
        Ok(true) => {
            let left = |id, at| ServerMsg::Left {
                id,
                at,
                user_id: access.user_id.clone(),
                name: access.name.clone(),
            };
            if let Err(e) = post(state, room_id, "left", Some(&access.user_id), None, left).await {
                tracing::warn!(error = %e, "room departure not stored");
            }
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "room presence not cleared"),
    }
}

/// The periodic check, its first tick at a random point of the first interval so that
/// connections opened together do not all ask at once.
fn recheck_timer(state: &AppState) -> tokio::time::Interval {
    let every = Duration::from_millis(state.config.room_recheck_ms.clamp(100, 60_000));
    let first = every.mul_f64(rand::random::<f64>());
    tokio::time::interval_at(tokio::time::Instant::now() + first, every)
}

/// Checks the connection's access again; if it is refused, says why and closes. Returns whether
/// it closed.
async fn end_if_refused(
    socket: &mut WebSocket,
    state: &AppState,
    (credential, a, conn_id): (&Credential, &Access, &str),
) -> bool {
    let Some(ended) = Box::pin(revoke::recheck(state, credential, a, conn_id)).await else { return false };
    let m = ServerMsg::error("access_ended", ended.message);
    let _ = send(socket, m.to_json().into()).await;
    close(socket, revoke::CLOSE_ACCESS_ENDED, ended.reason).await;
    true
}

async fn send(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), anyhow::Error> {
    tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text)))
        .await
        .map_err(|_| anyhow::anyhow!("client too slow"))??;
    Ok(())
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}

/// A connection's life. Its state lives as long as the connection, and an async function's state
/// is as large as its largest await: the database work of entering and of each command is boxed
/// so that only a pointer to it is kept between frames (in the rooms load test this took the
/// server from 30 to 17 KiB per connection; see docs/benchmarks.md).
async fn session(
    socket: &mut WebSocket,
    state: &AppState,
    holder: &mut Holder,
    room_id: &str,
    conn_id: &str,
    after: Option<i64>,
    frames: &mut broadcast::Receiver<Frame>,
) -> anyhow::Result<()> {
    let last = Box::pin(enter(socket, state, &holder.access, room_id, conn_id, after)).await?;
    live(socket, state, holder, room_id, frames, last).await
}

/// Enters the room: presence, the welcome snapshot and the replay. Returns the snapshot's last id.
async fn enter(
    socket: &mut WebSocket,
    state: &AppState,
    a: &Access,
    room_id: &str,
    conn_id: &str,
    after: Option<i64>,
) -> anyhow::Result<i64> {
    let now = now_ms();
    let live_after = now - PRESENCE_TTL_MS;
    let visit = a.counts_as_visit(now);
    let entering = Entering {
        room_id,
        conn_id,
        user_id: &a.user_id,
        instance_id: &state.rooms.instance_id,
        now,
        live_after,
        visit,
    };
    let entered = state.db.enter_room(&entering).await?;
    if entered.evicted > 0 {
        // The member's oldest connections beyond the cap were dropped: they close on their check.
        revoke::changed(state, Scope::User, &a.user_id).await;
    }
    if entered.arrived {
        let joined = |id, at| ServerMsg::Joined { id, at, user_id: a.user_id.clone(), name: a.name.clone() };
        post(state, room_id, "joined", Some(&a.user_id), None, joined).await?;
    }
    // The snapshot is read after subscribing: every frame numbered above `last` reaches us live.
    let room = state.db.room(room_id).await?.ok_or_else(|| anyhow::anyhow!("room vanished"))?;
    let last = room.last_seq;
    let present = state.db.present(room_id, live_after).await?;
    let goals = state.db.rsvps(&a.event_id, a.key).await?;
    let welcome = ServerMsg::Welcome(Box::new(Welcome {
        protocol: PROTOCOL,
        room: RoomInfo {
            event_id: a.event_id.clone(),
            occurrence_start: a.key,
            title: a.title.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            host_id: a.host_id.clone(),
            video_url: a.video_url.clone(),
        },
        me: Person { id: a.user_id.clone(), name: a.name.clone() },
        is_host: a.is_host,
        now,
        timer: timer_view(&timer_of(&room.timer, a), now, a.starts_at),
        present: present.into_iter().map(|(id, name)| Person { id, name }).collect(),
        goals: goals
            .into_iter()
            .filter(|r| r.status == "going")
            .map(|r| GoalView {
                user_id: r.user_id,
                name: r.display_name,
                goal: r.goal,
                done: r.goal_done.map(|d| d == 1),
            })
            .collect(),
        last_id: last,
        replay: if after.is_some() { "resume" } else { "history" },
    }));
    send(socket, welcome.to_json().into()).await?;
    let replay = match after {
        Some(seen) => state.db.room_messages_between(room_id, seen.min(last), last).await?,
        None => state.db.room_chat(room_id, last, HISTORY).await?,
    };
    for m in replay {
        send(socket, m.body.into()).await?;
    }
    Ok(last)
}

/// Forwards the room's frames numbered above `last` and handles the member's, until either side
/// stops.
async fn live(
    socket: &mut WebSocket,
    state: &AppState,
    holder: &mut Holder,
    room_id: &str,
    frames: &mut broadcast::Receiver<Frame>,
    last: i64,
) -> anyhow::Result<()> {
    let access = &holder.access;
    let mut sent = last;
    let mut recheck = recheck_timer(state);
    let mut closing = state.rooms.closing();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            f = frames.recv() => match f {
                Ok((seq, body)) if seq > sent => {
                    sent = seq;
                    send(socket, body).await?;
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    let m = ServerMsg::error("too_slow", "This connection fell behind the room; reconnect to catch up.");
                    let _ = send(socket, m.to_json().into()).await;
                    close(socket, 1008, "too slow").await;
                    return Ok(());
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            m = socket.recv() => {
                heard = tokio::time::Instant::now();
                match m {
                    Some(Ok(Message::Text(t))) => {
                        let handled = Box::pin(commands::handle(state, access, room_id, t.as_str()));
                        if let Some(reply) = handled.await {
                            send(socket, reply.to_json().into()).await?;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let m = ServerMsg::error("malformed", "Frames are JSON text, not binary.");
                        send(socket, m.to_json().into()).await?;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                    Some(Ok(_)) => {}
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > PING_EVERY * 3 {
                    close(socket, 1001, "gone quiet").await;
                    return Ok(());
                }
                tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Ping(Default::default()))).await??;
            }
            change = holder.changes.recv() => {
                let due = match &change {
                    Ok(c) => revoke::concerns(c, access),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => false,
                };
                if due && Box::pin(end_if_refused(socket, state, (&holder.credential, access, &holder.conn_id))).await {
                    return Ok(());
                }
            }
            _ = recheck.tick() => {
                if Box::pin(end_if_refused(socket, state, (&holder.credential, access, &holder.conn_id))).await {
                    return Ok(());
                }
            }
            _ = closing.changed() => {
                close(socket, 1012, "server restarting").await;
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The size of the future an async function returns, without calling it.
    fn future_size<A, B, C, D, E, F>(_f: impl FnOnce(A, B, C, D, E) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// A connection's task and what it keeps live as long as the connection: at 10,000 open
    /// connections each byte here is 10 kB of the server's memory (docs/benchmarks.md, "Live
    /// rooms"). The task was 4,880 bytes when it kept the member's and the event's whole rows
    /// and awaited the access check in place; a change that makes it grow fails here.
    #[test]
    fn a_connection_keeps_little() {
        let task = future_size(super::serve);
        assert!(task <= 2_560, "a room connection's task is {task} bytes");
        let kept = std::mem::size_of::<super::Access>();
        assert!(kept <= 256, "a room connection's access is {kept} bytes");
    }
}
