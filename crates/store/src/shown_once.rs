//! Secrets shown once (see migration 0021): kept for one session and one kind of secret, taken
//! with a single statement that deletes what it returns, so two tabs cannot both read it.

use crate::{Db, Result};

impl Db {
    /// Keeps `secret` for `session` until `expires_at`, replacing one of the same kind. Secrets
    /// nobody came back for are deleted here once their time is up, so none outlives it for long.
    pub async fn keep_shown_once(
        &self,
        session: &str,
        kind: &str,
        secret: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM shown_once WHERE expires_at <= $1").bind(now).execute(self.write()).await?;
        sqlx::query(
            "INSERT INTO shown_once (session_hash, kind, secret, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (session_hash, kind) DO UPDATE SET secret = excluded.secret, expires_at = excluded.expires_at",
        )
        .bind(session)
        .bind(kind)
        .bind(secret)
        .bind(expires_at)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Takes the secret of `kind` kept for `session`, if there is one still live; either way it
    /// is gone afterwards.
    pub async fn take_shown_once(&self, session: &str, kind: &str, now: i64) -> Result<Option<String>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "DELETE FROM shown_once WHERE session_hash = $1 AND kind = $2 RETURNING secret, expires_at",
        )
        .bind(session)
        .bind(kind)
        .fetch_optional(self.write())
        .await?;
        Ok(row.filter(|(_, expires)| *expires > now).map(|(s, _)| s))
    }
}
