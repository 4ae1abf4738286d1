//! The mail outbox: every email is stored first, then sent by a background job with retries.
//! Any instance may drain it; a row is leased while one instance sends it.

use crate::{new_id, Backend, Db, Result};

/// A message waiting to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mail {
    pub id: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    /// Where one click stops this kind of mail (List-Unsubscribe); empty for account mail.
    pub unsubscribe_url: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// A message given up on after its last attempt.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub to_addr: String,
    pub subject: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Counts of messages by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxDepth {
    pub pending: i64,
    pub failed: i64,
    /// Bulk mail not sent because its addressee asked for no more.
    pub stopped: i64,
}

impl Db {
    /// Queues a message, to go now.
    pub async fn enqueue_mail(&self, to: &str, subject: &str, body: &str, now: i64) -> Result<String> {
        self.enqueue_mail_at(to, subject, body, "", now, now).await
    }

    /// Queues a message that may go from `due` on, with its unsubscribe address (or "").
    pub async fn enqueue_mail_at(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        unsubscribe_url: &str,
        due: i64,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO outbox (id, to_addr, subject, body_text, unsubscribe_url, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(unsubscribe_url)
        .bind(due.max(now))
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// How many messages were sent since `since`, or are being sent now (leased), by any instance.
    pub async fn mail_sent_since(&self, since: i64, now: i64) -> Result<i64> {
        let (sent, leased): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at >= $1), \
                    (SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND locked_until > $2)",
        )
        .bind(since)
        .bind(now)
        .fetch_one(self.read())
        .await?;
        Ok(sent + leased)
    }

    /// Leases up to `limit` due messages (personal mail before bulk mail) for `lease_ms`, so no
    /// other instance sends them meanwhile. PostgreSQL skips rows another instance has locked;
    /// SQLite has one writer, so the statement is atomic as it stands.
    pub async fn claim_mail(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<Mail>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = $2, attempts = attempts + 1 WHERE id IN (\
               SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
               AND (locked_until IS NULL OR locked_until <= $1) \
               ORDER BY bulk, next_attempt_at, id LIMIT $3 {lock}) \
             RETURNING id, to_addr, subject, body_text, unsubscribe_url, attempts, created_at"
        );
        Ok(sqlx::query_as(&sql).bind(now).bind(now + lease_ms).bind(limit).fetch_all(self.write()).await?)
    }

    /// Marks a message sent.
    pub async fn mail_sent(&self, id: &str, now: i64) -> Result<()> {
        // The body goes once sent: it may hold a one-time link, and it is personal data.
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL, \
             body_text = '' WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up on when `None`.
    pub async fn mail_failed(&self, id: &str, error: &str, retry_at: Option<i64>) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET status = $2, next_attempt_at = COALESCE($3, next_attempt_at), \
             locked_until = NULL, last_error = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(if retry_at.is_some() { "pending" } else { "failed" })
        .bind(retry_at)
        .bind(error)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// How many messages wait and how many were given up on.
    pub async fn outbox_depth(&self) -> Result<OutboxDepth> {
        let (pending, failed, stopped): (i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'stopped' THEN 1 ELSE 0 END), 0) FROM outbox",
        )
        .fetch_one(self.read())
        .await?;
        Ok(OutboxDepth { pending, failed, stopped })
    }

    /// The status, attempts and last error of one message (for operators and tests).
    pub async fn mail_status(&self, id: &str) -> Result<Option<(String, i64, Option<String>)>> {
        Ok(sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read())
            .await?)
    }

    /// Messages given up on, newest first.
    pub async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>> {
        Ok(sqlx::query_as(
            "SELECT id, to_addr, subject, attempts, last_error, created_at FROM outbox WHERE status = 'failed' \
             ORDER BY created_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// Puts a dead letter back in the queue, due now, with its attempts counted afresh; false
    /// when it is not a dead letter.
    pub async fn requeue_mail(&self, id: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, locked_until = NULL \
             WHERE id = $1 AND status = 'failed'",
        )
        .bind(id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }
}
