//! Attempts counted per address or per account, kept in the database so that every instance
//! behind a load balancer sees the same counts: failed password checks, sign-ups and reset
//! requests. Each bucket is a string the app chooses (e.g. `fail-ip:203.0.113.9`); rows older
//! than the longest window are purged.

use crate::{new_id, Db, Result};

/// What a bucket holds within a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub count: i64,
    /// The oldest and newest attempt in the window.
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

impl Db {
    /// Counts one attempt in `bucket` at `now`.
    pub async fn throttle_note(&self, bucket: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO throttle_events (id, bucket, at) VALUES ($1, $2, $3)")
            .bind(new_id())
            .bind(bucket)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The attempts in `bucket` after `since`.
    pub async fn throttle_window(&self, bucket: &str, since: i64) -> Result<Window> {
        let (count, oldest, newest): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at), MAX(at) FROM throttle_events WHERE bucket = $1 AND at > $2",
        )
        .bind(bucket)
        .bind(since)
        .fetch_one(self.read())
        .await?;
        Ok(Window { count, oldest, newest })
    }

    /// Forgets every attempt in `bucket` (e.g. an account's failures after a good password).
    pub async fn throttle_clear(&self, bucket: &str) -> Result<()> {
        sqlx::query("DELETE FROM throttle_events WHERE bucket = $1")
            .bind(bucket)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Forgets attempts older than `before`; returns how many.
    pub async fn throttle_purge(&self, before: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM throttle_events WHERE at <= $1")
            .bind(before)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected())
    }
}
