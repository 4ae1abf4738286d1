//! Live rooms: the room of each virtual occurrence, its numbered messages, who is connected, who
//! came, and settling attendance once. Messages cross instances on PostgreSQL through
//! LISTEN/NOTIFY on [`CHANNEL`]: the notification is sent inside the transaction that stores the
//! message, so it is delivered exactly when the message is committed.

use crate::{new_id, Backend, Db, Result};

/// The PostgreSQL channel room messages are announced on: `ROOM_ID SEQ[ BODY]`.
pub const CHANNEL: &str = "alongside_rooms";
/// NOTIFY payloads must stay under 8000 bytes; larger bodies are read from the table instead.
const INLINE_BODY: usize = 7000;

/// A room as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Room {
    pub id: String,
    pub event_id: String,
    pub occurrence_start: i64,
    /// JSON of `domain::room::Timer`.
    pub timer: String,
    pub last_seq: i64,
}

/// A stored message: its number and the frame clients receive.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Message {
    pub seq: i64,
    pub body: String,
}

/// A message to store.
#[derive(Debug)]
pub struct NewMessage<'a> {
    /// chat | joined | left | timer | goal
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    /// When set, the room's timer changes from `.0` to `.1` with the message, or nothing is
    /// stored when the timer is no longer `.0` (someone else changed it first).
    pub timer: Option<(&'a str, &'a str)>,
    /// When set, nothing is stored if the sender already has `.0` messages of this kind in the
    /// room after `.1` (a chat allowance shared by all their connections, on every instance).
    pub allowance: Option<(i64, i64)>,
    pub now: i64,
}

impl Db {
    /// The room of an occurrence, made with `timer` if it does not exist yet.
    pub async fn open_room(
        &self,
        event_id: &str,
        occurrence_start: i64,
        timer: &str,
        now: i64,
    ) -> Result<Room> {
        sqlx::query(
            "INSERT INTO rooms (id, event_id, occurrence_start, timer, last_seq, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT (event_id, occurrence_start) DO NOTHING",
        )
        .bind(new_id())
        .bind(event_id)
        .bind(occurrence_start)
        .bind(timer)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(sqlx::query_as(
            "SELECT id, event_id, occurrence_start, timer, last_seq FROM rooms WHERE event_id = $1 AND occurrence_start = $2",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_one(self.write())
        .await?)
    }

    /// A room by id.
    pub async fn room(&self, id: &str) -> Result<Option<Room>> {
        Ok(sqlx::query_as("SELECT id, event_id, occurrence_start, timer, last_seq FROM rooms WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read())
            .await?)
    }

    /// Stores a message under the room's next number, built by `body` from that number; `None`
    /// when the expected timer had changed or the sender is over their allowance. On PostgreSQL the message is announced on
    /// [`CHANNEL`] when the transaction commits.
    pub async fn post_room_message(
        &self,
        room_id: &str,
        m: &NewMessage<'_>,
        body: impl FnOnce(i64) -> String,
    ) -> Result<Option<Message>> {
        let mut tx = self.begin().await?;
        let seq: Option<(i64,)> = match m.timer {
            Some((old, new)) => {
                sqlx::query_as(
                    "UPDATE rooms SET last_seq = last_seq + 1, timer = $3, updated_at = $4 \
                     WHERE id = $1 AND timer = $2 RETURNING last_seq",
                )
                .bind(room_id)
                .bind(old)
                .bind(new)
                .bind(m.now)
                .fetch_optional(&mut *tx)
                .await?
            }
            None => {
                sqlx::query_as("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
                    .bind(room_id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let Some((seq,)) = seq else { return Ok(None) };
        // Counted after the room's row is locked by the update above, so two connections of one
        // member cannot both slip under the allowance.
        if let (Some((max, since)), Some(user)) = (m.allowance, m.user_id) {
            let (sent,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM room_messages WHERE room_id = $1 AND user_id = $2 AND kind = $3 AND created_at > $4",
            )
            .bind(room_id)
            .bind(user)
            .bind(m.kind)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
            if sent >= max {
                return Ok(None);
            }
        }
        let body = body(seq);
        sqlx::query(
            "INSERT INTO room_messages (room_id, seq, kind, user_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(room_id)
        .bind(seq)
        .bind(m.kind)
        .bind(m.user_id)
        .bind(&body)
        .bind(m.now)
        .execute(&mut *tx)
        .await?;
        if self.backend() == Backend::Postgres {
            let payload = if body.len() <= INLINE_BODY {
                format!("{room_id} {seq} {body}")
            } else {
                format!("{room_id} {seq}")
            };
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Some(Message { seq, body }))
    }

    /// Messages numbered after `after`, up to `upto`, in order.
    pub async fn room_messages_between(&self, room_id: &str, after: i64, upto: i64) -> Result<Vec<Message>> {
        Ok(sqlx::query_as(
            "SELECT seq, body FROM room_messages WHERE room_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
        )
        .bind(room_id)
        .bind(after)
        .bind(upto)
        .fetch_all(self.read())
        .await?)
    }

    /// The last `limit` chat messages up to `upto`, oldest first.
    pub async fn room_chat(&self, room_id: &str, upto: i64, limit: i64) -> Result<Vec<Message>> {
        let mut v: Vec<Message> = sqlx::query_as(
            "SELECT seq, body FROM room_messages WHERE room_id = $1 AND kind = 'chat' AND seq <= $2 \
             ORDER BY seq DESC LIMIT $3",
        )
        .bind(room_id)
        .bind(upto)
        .bind(limit)
        .fetch_all(self.read())
        .await?;
        v.reverse();
        Ok(v)
    }

    /// Deletes messages older than `before`; returns how many.
    pub async fn purge_room_messages(&self, before: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM room_messages WHERE created_at < $1")
            .bind(before)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected())
    }
}

/// What a room listener hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Message `seq` of a room, with its body when it fitted in the notification.
    Message { room_id: String, seq: i64, body: Option<String> },
    /// The connection dropped and notifications may have been missed: catch up from the table.
    Resync,
}

/// Hears room messages committed by any instance (PostgreSQL only).
#[derive(Debug)]
pub struct RoomListener(sqlx::postgres::PgListener);

impl RoomListener {
    /// The next message; reconnects by itself after a dropped connection (reporting
    /// [`Heard::Resync`] first).
    pub async fn next(&mut self) -> Result<Heard> {
        loop {
            let Some(n) = self.0.try_recv().await? else { return Ok(Heard::Resync) };
            let mut parts = n.payload().splitn(3, ' ');
            let (Some(room_id), Some(seq)) = (parts.next(), parts.next().and_then(|s| s.parse().ok())) else {
                continue;
            };
            return Ok(Heard::Message {
                room_id: room_id.to_owned(),
                seq,
                body: parts.next().map(str::to_owned),
            });
        }
    }
}

impl Db {
    /// A listener for room messages, or `None` on SQLite (one process serves every room).
    pub async fn room_listener(&self) -> Result<Option<RoomListener>> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let mut l = sqlx::postgres::PgListener::connect(self.url().expose()).await?;
        l.listen(CHANNEL).await?;
        Ok(Some(RoomListener(l)))
    }
}
