//! Who is in a room: one row per open connection, refreshed by the instance holding it, so the
//! rows of an instance that died expire; the first visit of each member; and settling an
//! occurrence's attendance from those visits, once.

use crate::{Db, Result};

/// A connection entering a room.
#[derive(Debug, Clone, Copy)]
pub struct Entering<'a> {
    pub room_id: &'a str,
    pub conn_id: &'a str,
    pub user_id: &'a str,
    /// The instance holding the connection (it keeps the row fresh).
    pub instance_id: &'a str,
    pub now: i64,
    /// The oldest `seen_at` that still counts as connected.
    pub live_after: i64,
    /// Whether entering now counts towards attendance.
    pub visit: bool,
}

/// How many connections one member may hold open in one room, across every instance.
pub const MAX_CONNECTIONS: usize = 5;

/// What entering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entered {
    /// The member had no other live connection in the room: they have just arrived.
    pub arrived: bool,
    /// How many of the member's oldest connections were dropped to stay within
    /// [`MAX_CONNECTIONS`] (their sockets close when they next check their access).
    pub evicted: usize,
}

impl Db {
    /// Records an open connection and, when it counts as a visit, the member's first visit; the
    /// member's oldest connections beyond [`MAX_CONNECTIONS`] are dropped.
    pub async fn enter_room(&self, e: &Entering<'_>) -> Result<Entered> {
        let Entering { room_id, conn_id, user_id, instance_id, now, live_after, visit } = *e;
        let mut tx = self.begin().await?;
        let others = live_connections(&mut tx, room_id, user_id, live_after).await?;
        // Joining times strictly increase per member and room, so "oldest" is never a tie.
        let (latest,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(joined_at) FROM room_presence WHERE room_id = $1 AND user_id = $2")
                .bind(room_id)
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        let joined = latest.map_or(now, |l| now.max(l + 1));
        sqlx::query(
            "INSERT INTO room_presence (conn_id, room_id, user_id, instance_id, joined_at, seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(conn_id)
        .bind(room_id)
        .bind(user_id)
        .bind(instance_id)
        .bind(joined)
        .execute(&mut *tx)
        .await?;
        let mine: Vec<(String,)> = sqlx::query_as(
            "SELECT conn_id FROM room_presence WHERE room_id = $1 AND user_id = $2 ORDER BY joined_at DESC",
        )
        .bind(room_id)
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        let extra: Vec<&str> = mine.iter().skip(MAX_CONNECTIONS).map(|(c,)| c.as_str()).collect();
        for c in &extra {
            sqlx::query("DELETE FROM room_presence WHERE conn_id = $1").bind(*c).execute(&mut *tx).await?;
        }
        if visit {
            sqlx::query(
                "INSERT INTO room_visits (room_id, user_id, first_joined_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (room_id, user_id) DO NOTHING",
            )
            .bind(room_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Entered { arrived: others == 0, evicted: extra.len() })
    }

    /// Whether a connection is still recorded (it is not once dropped for a newer one).
    pub async fn connection_open(&self, conn_id: &str) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT conn_id FROM room_presence WHERE conn_id = $1")
            .bind(conn_id)
            .fetch_optional(self.read())
            .await?;
        Ok(row.is_some())
    }

    /// Forgets a connection; true when it was the member's last live one in the room.
    pub async fn leave_room(&self, conn_id: &str, live_after: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let gone: Option<(String, String)> =
            sqlx::query_as("DELETE FROM room_presence WHERE conn_id = $1 RETURNING room_id, user_id")
                .bind(conn_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((room, user)) = gone else { return Ok(false) };
        let others = live_connections(&mut tx, &room, &user, live_after).await?;
        tx.commit().await?;
        Ok(others == 0)
    }

    /// Marks every connection held by `instance_id` as alive at `now`.
    pub async fn touch_presence(&self, instance_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE room_presence SET seen_at = $2 WHERE instance_id = $1")
            .bind(instance_id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Removes connections not refreshed since `live_after` (their instance stopped); returns the
    /// (room, member) pairs that no longer have any live connection. Each row is removed by one
    /// caller only, so every departure is reported once.
    pub async fn expire_presence(&self, live_after: i64) -> Result<Vec<(String, String)>> {
        let mut tx = self.begin().await?;
        let gone: Vec<(String, String)> =
            sqlx::query_as("DELETE FROM room_presence WHERE seen_at < $1 RETURNING room_id, user_id")
                .bind(live_after)
                .fetch_all(&mut *tx)
                .await?;
        let mut left = Vec::new();
        for (room, user) in gone {
            if left.contains(&(room.clone(), user.clone())) {
                continue;
            }
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM room_presence WHERE room_id = $1 AND user_id = $2")
                    .bind(&room)
                    .bind(&user)
                    .fetch_one(&mut *tx)
                    .await?;
            if n == 0 {
                left.push((room, user));
            }
        }
        tx.commit().await?;
        Ok(left)
    }

    /// The members connected to a room: (id, display name), by name.
    pub async fn present(&self, room_id: &str, live_after: i64) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT u.id, u.display_name, u.sort_name FROM room_presence p JOIN users u ON u.id = p.user_id \
             WHERE p.room_id = $1 AND p.seen_at >= $2 ORDER BY u.sort_name, u.id",
        )
        .bind(room_id)
        .bind(live_after)
        .fetch_all(self.read())
        .await?
        .into_iter()
        .map(|(id, name, _): (String, String, String)| (id, name))
        .collect())
    }

    /// Settles an occurrence's attendance from its room, once across instances: members going who
    /// entered by `deadline` attended, the others are no-shows (a reliability mark). Answers the
    /// host already marked are left alone. Returns the no-shows, or `None` when already settled.
    pub async fn settle_room_attendance(
        &self,
        event_id: &str,
        occurrence_start: i64,
        deadline: i64,
        now: i64,
    ) -> Result<Option<Vec<String>>> {
        let mut tx = self.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO room_checks (event_id, occurrence_start, checked_at) VALUES ($1, $2, $3) \
             ON CONFLICT (event_id, occurrence_start) DO NOTHING",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        // Came: entered in time, or still connected from before the visit window opened.
        let open: Vec<(String, i64)> = sqlx::query_as(
            "SELECT r.user_id, (SELECT COUNT(*) FROM rooms m WHERE m.event_id = r.event_id \
               AND m.occurrence_start = r.occurrence_start AND (\
                 EXISTS (SELECT 1 FROM room_visits v WHERE v.room_id = m.id AND v.user_id = r.user_id AND v.first_joined_at <= $3) \
                 OR EXISTS (SELECT 1 FROM room_presence p WHERE p.room_id = m.id AND p.user_id = r.user_id AND p.joined_at <= $3))) \
             FROM rsvps r WHERE r.event_id = $1 AND r.occurrence_start = $2 AND r.status = 'going' AND r.attended IS NULL",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(deadline)
        .fetch_all(&mut *tx)
        .await?;
        let mut no_shows = Vec::new();
        for (user, came) in open {
            let came = came > 0;
            sqlx::query(
                "UPDATE rsvps SET attended = $4, updated_at = $5 WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3",
            )
            .bind(event_id)
            .bind(occurrence_start)
            .bind(&user)
            .bind(i64::from(came))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if !came {
                crate::rsvps::mark(&mut tx, &user, event_id, occurrence_start, "no_show", now).await?;
                no_shows.push(user);
            }
        }
        tx.commit().await?;
        Ok(Some(no_shows))
    }

    /// Whether an occurrence's attendance has been settled from its room.
    pub async fn room_checked(&self, event_id: &str, occurrence_start: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT checked_at FROM room_checks WHERE event_id = $1 AND occurrence_start = $2",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }
}

/// How many connections of `user` in `room` were refreshed at or after `live_after`.
async fn live_connections(
    tx: &mut sqlx::AnyConnection,
    room: &str,
    user: &str,
    live_after: i64,
) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM room_presence WHERE room_id = $1 AND user_id = $2 AND seen_at >= $3",
    )
    .bind(room)
    .bind(user)
    .bind(live_after)
    .fetch_one(&mut *tx)
    .await?;
    Ok(n)
}
