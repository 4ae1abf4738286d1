//! In-app notifications: adding one, a member's list newest first (paged by a cursor), the unread
//! count the bell shows, and marking some or all read; and how each member wants each category
//! delivered, with their quiet hours; what goes out, stored with its email in one go (inside a
//! caller's transaction when it must be); and things sent once per member and period.

use sqlx::AnyConnection;

use crate::{new_id, Db, Result};

/// A notification ready to store, as its member wants it: in the app, by email now, or both.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub user_id: String,
    pub kind: String,
    pub title: String,
    pub link: String,
    /// Whether it shows in the app (a digest is mail only).
    pub in_app: bool,
    pub mail: Option<OutMail>,
}

/// An email to queue.
#[derive(Debug, Clone)]
pub struct OutMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub unsubscribe_url: String,
    /// Not before (quiet hours).
    pub due: i64,
}

/// Stores `out`: its notification and its mail, on `conn` (a transaction's, to go with the rest).
pub(crate) async fn deliver_on(conn: &mut AnyConnection, out: &Outgoing, now: i64) -> Result<()> {
    if out.in_app {
        sqlx::query("INSERT INTO notifications (id, user_id, kind, title, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(&out.user_id)
            .bind(&out.kind)
            .bind(&out.title)
            .bind(&out.link)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(m) = &out.mail {
        sqlx::query(
            "INSERT INTO outbox (id, to_addr, subject, body_text, unsubscribe_url, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(&m.to)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.unsubscribe_url)
        .bind(m.due.max(now))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A notification in the app.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl Db {
    /// Stores a notification and its mail together.
    pub async fn deliver(&self, out: &Outgoing, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        deliver_on(&mut tx, out, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims `(user, topic, period)` and stores `out` in one transaction; false (and nothing
    /// stored) when it was claimed already, by this instance or another.
    pub async fn send_once(
        &self,
        user_id: &str,
        topic: &str,
        period: &str,
        out: &[Outgoing],
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO sent_once (user_id, topic, period, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, topic, period) DO NOTHING",
        )
        .bind(user_id)
        .bind(topic)
        .bind(period)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for o in out {
            deliver_on(&mut tx, o, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// What was sent once since `since`: (user, topic, period), for a job to skip cheaply.
    pub async fn sent_once_since(&self, since: i64) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as("SELECT user_id, topic, period FROM sent_once WHERE sent_at >= $1")
            .bind(since)
            .fetch_all(self.read())
            .await?)
    }

    /// The periods of `topic` sent to the user, ever.
    pub async fn sent_periods(&self, user_id: &str, topic: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT period FROM sent_once WHERE user_id = $1 AND topic = $2")
                .bind(user_id)
                .bind(topic)
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// When `topic` was last sent to the user, if ever.
    pub async fn last_sent(&self, user_id: &str, topic: &str) -> Result<Option<i64>> {
        let (at,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(sent_at) FROM sent_once WHERE user_id = $1 AND topic = $2")
                .bind(user_id)
                .bind(topic)
                .fetch_one(self.read())
                .await?;
        Ok(at)
    }

    /// The user's notifications made in `[from, to)`, oldest first.
    pub async fn notifications_between(
        &self,
        user_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<Notification>> {
        Ok(sqlx::query_as(
            "SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE user_id = $1 \
             AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id",
        )
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }

    /// Adds a notification.
    pub async fn notify(&self, user_id: &str, kind: &str, title: &str, link: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO notifications (id, user_id, kind, title, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(user_id)
            .bind(kind)
            .bind(title)
            .bind(link)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The user's latest notifications, newest first.
    pub async fn notifications(&self, user_id: &str, limit: i64) -> Result<Vec<Notification>> {
        self.notifications_before(user_id, None, limit).await
    }

    /// The user's notifications older than the cursor `(created_at, id)` (none: the newest),
    /// newest first.
    pub async fn notifications_before(
        &self,
        user_id: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        Ok(sqlx::query_as(
            "SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE user_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id > $3)) ORDER BY created_at DESC, id LIMIT $4",
        )
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// How many of the user's notifications are unread.
    pub async fn unread_count(&self, user_id: &str) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id)
                .fetch_one(self.read())
                .await?;
        Ok(n)
    }

    /// Marks all the user's notifications read.
    pub async fn mark_notifications_read(&self, user_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Marks one of the user's notifications read; false when it is not theirs.
    /// Marks one of `user_id`'s notifications read and returns where it leads; `None` when it is
    /// not theirs (or does not exist).
    pub async fn open_notification(&self, user_id: &str, id: &str, now: i64) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2 RETURNING link",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .fetch_optional(self.write())
        .await?;
        Ok(row.map(|(link,)| link))
    }

    pub async fn mark_notification_read(&self, user_id: &str, id: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// How the user chose to receive each category or kind they chose for: (key, delivery).
    pub async fn deliveries(&self, user_id: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT category, delivery FROM notification_prefs WHERE user_id = $1 ORDER BY category",
        )
        .bind(user_id)
        .fetch_all(self.read())
        .await?)
    }

    /// Forgets the user's choice for a category or kind (a kind then follows its category).
    pub async fn clear_delivery(&self, user_id: &str, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM notification_prefs WHERE user_id = $1 AND category = $2")
            .bind(user_id)
            .bind(key)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Sets how the user receives a category, or one kind of it (the `category` column holds
    /// either key: they never coincide).
    pub async fn set_delivery(&self, user_id: &str, category: &str, delivery: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO notification_prefs (user_id, category, delivery) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, category) DO UPDATE SET delivery = excluded.delivery",
        )
        .bind(user_id)
        .bind(category)
        .bind(delivery)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The user's quiet hours ("HH:MM", "HH:MM"), if any.
    pub async fn quiet_hours(&self, user_id: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT starts, ends FROM quiet_hours WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.read())
            .await?)
    }

    /// Sets (or, with `None`, clears) the user's quiet hours.
    pub async fn set_quiet_hours(&self, user_id: &str, hours: Option<(&str, &str)>) -> Result<()> {
        match hours {
            Some((starts, ends)) => {
                sqlx::query(
                    "INSERT INTO quiet_hours (user_id, starts, ends) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET starts = excluded.starts, ends = excluded.ends",
                )
                .bind(user_id)
                .bind(starts)
                .bind(ends)
                .execute(self.write())
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM quiet_hours WHERE user_id = $1")
                    .bind(user_id)
                    .execute(self.write())
                    .await?;
            }
        }
        Ok(())
    }
}
