//! In-app notifications: adding one, a member's list newest first (paged by a cursor), the unread
//! count the bell shows, and marking some or all read.

use crate::{new_id, Db, Result};

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
}
