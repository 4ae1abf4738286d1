//! Visitors answering a public event without an account (migration 0034): asked for with a name
//! and an address, confirmed by the mailed link while a seat is free (a pending answer lapses
//! after a day), cancelled by the same link, reminded once, purged 30 days after the date, and
//! taken over as a member's answer when an account proves the address. Seats are counted over
//! members' and visitors' answers alike (`seat_holders`).

use crate::{new_id, Backend, Db, Result};

/// How long a pending answer waits for its confirmation.
pub const PENDING_MS: i64 = 24 * 60 * 60 * 1000;
/// How long after its date a visitor's answer is kept.
pub const KEPT_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A visitor's answer.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct VisitorAnswer {
    pub id: String,
    pub event_id: String,
    pub occurrence_start: i64,
    pub name: String,
    pub email: String,
    /// pending | going | cancelled
    pub status: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
}

const COLS: &str = "id, event_id, occurrence_start, name, email, status, created_at, confirmed_at";

/// What confirming came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// A seat is theirs (or already was).
    Going,
    /// Every seat is taken.
    Full,
    /// Cancelled, or pending for longer than a day: answer again.
    Lapsed,
}

impl Db {
    /// Whether the event's host lets visitors answer.
    pub async fn visitor_answers_on(&self, event: &str) -> Result<bool> {
        let on: Option<i64> = sqlx::query_scalar("SELECT visitor_answers FROM events WHERE id = $1")
            .bind(event)
            .fetch_optional(self.read())
            .await?;
        Ok(on == Some(1))
    }

    /// Lets visitors answer the event, or stops (answers given stay).
    pub async fn set_visitor_answers(&self, event: &str, on: bool) -> Result<()> {
        sqlx::query("UPDATE events SET visitor_answers = $2 WHERE id = $1")
            .bind(event)
            .bind(i64::from(on))
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// A visitor asks to come: a pending answer, or the one already given renewed (a confirmed
    /// answer stays confirmed). `hash_of` makes the hash of the answer's link from its id, which
    /// stays the answer's for good (a series split from its date takes it along).
    #[allow(clippy::too_many_arguments)]
    pub async fn ask_as_visitor(
        &self,
        event: &str,
        key: i64,
        name: &str,
        email: &str,
        now: i64,
        hash_of: impl FnOnce(&str) -> String,
    ) -> Result<String> {
        let mut tx = self.begin().await?;
        let fresh = new_id();
        let id: String = sqlx::query_scalar(
            "INSERT INTO visitor_answers (id, event_id, occurrence_start, name, email, token_hash, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $1, 'pending', $6) \
             ON CONFLICT (event_id, occurrence_start, email) DO UPDATE SET \
                 name = CASE WHEN visitor_answers.status = 'going' THEN visitor_answers.name ELSE excluded.name END, \
                 created_at = CASE WHEN visitor_answers.status = 'going' THEN visitor_answers.created_at ELSE excluded.created_at END, \
                 status = CASE WHEN visitor_answers.status = 'going' THEN 'going' ELSE 'pending' END \
             RETURNING id",
        )
        .bind(&fresh)
        .bind(event)
        .bind(key)
        .bind(name)
        .bind(email)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE visitor_answers SET token_hash = $2 WHERE id = $1")
            .bind(&id)
            .bind(hash_of(&id))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The answer behind a link.
    pub async fn visitor_answer(&self, token_hash: &str) -> Result<Option<VisitorAnswer>> {
        Ok(sqlx::query_as(&format!("SELECT {COLS} FROM visitor_answers WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.read())
            .await?)
    }

    /// Confirms a pending answer while a seat is free (`capacity` none: no limit), in one
    /// transaction with the seat count, as members' answers are.
    pub async fn confirm_visitor_answer(
        &self,
        id: &str,
        capacity: Option<i64>,
        now: i64,
    ) -> Result<Confirmed> {
        let mut tx = self.begin().await?;
        let row: Option<(String, i64, String, i64)> = sqlx::query_as(
            "SELECT event_id, occurrence_start, status, created_at FROM visitor_answers WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((event, key, status, created)) = row else { return Ok(Confirmed::Lapsed) };
        if status == "going" {
            return Ok(Confirmed::Going);
        }
        if status != "pending" || created < now - PENDING_MS {
            return Ok(Confirmed::Lapsed);
        }
        if self.backend() == Backend::Postgres {
            // Serialise with members' answers to the event: the seat count must not change under us.
            sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind(&event)
                .execute(&mut *tx)
                .await?;
        }
        let (taken,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM seat_holders WHERE event_id = $1 AND occurrence_start = $2 AND status = 'going'",
        )
        .bind(&event)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        if capacity.is_some_and(|c| taken >= c) {
            return Ok(Confirmed::Full);
        }
        sqlx::query("UPDATE visitor_answers SET status = 'going', confirmed_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Confirmed::Going)
    }

    /// Cancels an answer; true when it held a seat (someone waiting may have it now).
    pub async fn cancel_visitor_answer(&self, id: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let was: Option<String> = sqlx::query_scalar("SELECT status FROM visitor_answers WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query("UPDATE visitor_answers SET status = 'cancelled' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(was.as_deref() == Some("going"))
    }

    /// Visitors going to a date, by name.
    pub async fn visitors_going(&self, event: &str, key: i64) -> Result<Vec<VisitorAnswer>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM visitor_answers WHERE event_id = $1 AND occurrence_start = $2 AND status = 'going' \
             ORDER BY name, id"
        ))
        .bind(event)
        .bind(key)
        .fetch_all(self.read())
        .await?)
    }

    /// Visitors going to the event's dates from `from` on (to tell them of a change).
    pub async fn visitor_answers_from(&self, event: &str, from: i64) -> Result<Vec<VisitorAnswer>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM visitor_answers WHERE event_id = $1 AND occurrence_start >= $2 AND status = 'going' \
             ORDER BY occurrence_start, id"
        ))
        .bind(event)
        .bind(from)
        .fetch_all(self.read())
        .await?)
    }

    /// Confirmed answers not yet reminded, for dates keyed within `[from, to)`.
    pub async fn visitor_answers_to_remind(&self, from: i64, to: i64) -> Result<Vec<VisitorAnswer>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM visitor_answers WHERE status = 'going' AND reminded_at IS NULL \
             AND occurrence_start >= $1 AND occurrence_start < $2 ORDER BY occurrence_start, id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }

    /// Claims an answer's reminder; true for the one instance that may send it.
    pub async fn claim_visitor_reminder(&self, id: &str, now: i64) -> Result<bool> {
        let r =
            sqlx::query("UPDATE visitor_answers SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(self.write())
                .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Forgets lapsed pending answers, and every answer 30 days after its date; how many went.
    pub async fn purge_visitor_answers(&self, now: i64) -> Result<u64> {
        let r = sqlx::query(
            "DELETE FROM visitor_answers WHERE (status <> 'going' AND created_at < $1) OR occurrence_start < $2",
        )
        .bind(now - PENDING_MS)
        .bind(now - KEPT_MS)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected())
    }

    /// An account that proved `email` takes over its confirmed visitor answers as its own (going,
    /// unless it had answered those dates already); the visitor rows go. Returns how many.
    pub async fn claim_visitor_answers(&self, email: &str, user: &str, now: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, queued_at, updated_at) \
             SELECT v.event_id, v.occurrence_start, $2, 'going', '', $3, $3 FROM visitor_answers v \
             WHERE v.email = $1 AND v.status = 'going' \
             ON CONFLICT (event_id, occurrence_start, user_id) DO NOTHING",
        )
        .bind(email)
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM visitor_answers WHERE email = $1").bind(email).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(r.rows_affected())
    }
}
