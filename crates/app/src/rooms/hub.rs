//! This instance's live rooms. Each room with a connection here has a small task that receives
//! the room's numbered messages — from this process on SQLite, from PostgreSQL's NOTIFY
//! otherwise — and hands them on to the room's connections strictly in order: a number seen out
//! of order, or announced without its body, is read from the table, so a connection never sees a
//! gap or a duplicate. Connections read from a bounded broadcast channel: one that falls too far
//! behind is dropped (it reconnects and resumes) instead of slowing the room.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use store::access_changes::Scope;
use store::rooms::{Heard, Message};
use store::{Backend, Db};
use tokio::sync::{broadcast, mpsc, watch};

/// How many frames a connection may fall behind before it is dropped.
pub const LAG: usize = 256;

/// A frame on its way to connections: its number and its JSON.
pub type Frame = (i64, Utf8Bytes);

/// A change after which connections about this member, event or group ask again whether they may
/// stay (`revoke.rs`).
pub type AccessChange = (Scope, String);

#[derive(Debug)]
enum Feed {
    Message(i64, Option<String>),
    Resync,
}

#[derive(Debug)]
struct Live {
    frames: broadcast::Sender<Frame>,
    feed: mpsc::UnboundedSender<Feed>,
}

/// The live rooms of this instance.
#[derive(Debug)]
pub struct Hub {
    db: Db,
    /// Names this instance's connections in the presence table.
    pub instance_id: String,
    rooms: Mutex<HashMap<String, Live>>,
    closing: watch::Sender<bool>,
    access: broadcast::Sender<AccessChange>,
}

impl Hub {
    /// An empty hub.
    pub fn new(db: Db) -> Hub {
        Hub {
            db,
            instance_id: store::new_id(),
            rooms: Mutex::new(HashMap::new()),
            closing: watch::Sender::new(false),
            access: broadcast::Sender::new(LAG),
        }
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Joins a room's stream of frames numbered after `last_seq`, starting its task if needed.
    pub fn subscribe(&self, room_id: &str, last_seq: i64) -> broadcast::Receiver<Frame> {
        let mut rooms = self.rooms();
        if let Some(live) = rooms.get(room_id) {
            return live.frames.subscribe();
        }
        let (frames, rx) = broadcast::channel(LAG);
        let (feed, feed_rx) = mpsc::unbounded_channel();
        tokio::spawn(run(self.db.clone(), room_id.to_owned(), feed_rx, frames.clone(), last_seq));
        rooms.insert(room_id.to_owned(), Live { frames, feed });
        rx
    }

    /// Called after a connection dropped its receiver: the room's task stops with its last one.
    pub fn unsubscribe(&self, room_id: &str) {
        let mut rooms = self.rooms();
        if rooms.get(room_id).is_some_and(|l| l.frames.receiver_count() == 0) {
            rooms.remove(room_id);
        }
    }

    /// Hands a stored message to the room's task, if the room is live here.
    pub fn deliver(&self, room_id: &str, seq: i64, body: Option<String>) {
        if let Some(live) = self.rooms().get(room_id) {
            let _ = live.feed.send(Feed::Message(seq, body));
        }
    }

    /// A message this process just stored: on SQLite it is delivered at once; on PostgreSQL it
    /// arrives through NOTIFY like everyone else's, which keeps one order for all instances.
    pub fn posted(&self, room_id: &str, m: &Message) {
        if self.db.backend() == Backend::Sqlite {
            self.deliver(room_id, m.seq, Some(m.body.clone()));
        }
    }

    /// Every live room catches up from the table (after a lost listener connection).
    pub fn resync(&self) {
        for live in self.rooms().values() {
            let _ = live.feed.send(Feed::Resync);
        }
    }

    /// Tells every connection to close (the server is stopping).
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    /// Changes when the server stops.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Changes of access heard from the database, for this instance's connections to check.
    pub fn access_changes(&self) -> broadcast::Receiver<AccessChange> {
        self.access.subscribe()
    }

    /// Hands a change of access to this instance's connections.
    pub fn access_changed(&self, change: AccessChange) {
        let _ = self.access.send(change);
    }

    /// How many rooms are live here.
    pub fn live_rooms(&self) -> usize {
        self.rooms().len()
    }
}

/// A room's task: hands on frames in number order, filling gaps from the table.
async fn run(
    db: Db,
    room_id: String,
    mut feed: mpsc::UnboundedReceiver<Feed>,
    frames: broadcast::Sender<Frame>,
    mut last: i64,
) {
    while let Some(f) = feed.recv().await {
        let upto = match f {
            Feed::Message(seq, _) if seq <= last => continue,
            Feed::Message(seq, Some(body)) if seq == last + 1 => {
                let _ = frames.send((seq, body.into()));
                last = seq;
                continue;
            }
            Feed::Message(seq, _) => seq,
            Feed::Resync => i64::MAX,
        };
        // Numbers before `upto` are committed already (each room's numbers commit in order).
        match db.room_messages_between(&room_id, last, upto).await {
            Ok(missing) => {
                for m in missing {
                    last = m.seq;
                    let _ = frames.send((m.seq, m.body.into()));
                }
                if upto != i64::MAX {
                    last = last.max(upto);
                }
            }
            Err(e) => tracing::warn!(error = %e, room = %room_id, "room catch-up failed"),
        }
    }
}

/// Listens for every instance's room messages on PostgreSQL until `stop`; returns at once on
/// SQLite.
pub async fn listen(db: Db, hub: Arc<Hub>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut listener = loop {
        match db.room_listener().await {
            Ok(Some(l)) => {
                // Messages committed before we listened reach live rooms from the table.
                hub.resync();
                break l;
            }
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "room listener cannot connect; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                    _ = stop.changed() => return,
                }
            }
        }
    };
    loop {
        tokio::select! {
            heard = listener.next() => match heard {
                Ok(Heard::Message { room_id, seq, body }) => hub.deliver(&room_id, seq, body),
                Ok(Heard::Resync) => hub.resync(),
                Err(e) => {
                    tracing::warn!(error = %e, "room listener failed; catching up");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    hub.resync();
                }
            },
            _ = stop.changed() => return,
        }
    }
}
