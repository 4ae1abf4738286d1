//! Sessions, personal API tokens and password-reset tokens. Only hashes of secrets are stored.

use sqlx::{FromRow, Row};

use crate::sessions::{revoke_credentials, Revoked};
use crate::users::{User, USER_COLS};
use crate::{new_id, Db, Result};

/// A personal API token as listed to its owner (the secret itself is never stored).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters of the token, so the owner can tell tokens apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl Db {
    /// Stores a new session for `user_id`.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.create_session_on(id_hash, user_id, "", now, expires_at).await
    }

    /// Stores a new session for `user_id`, opened by the browser `user_agent` names.
    pub async fn create_session_on(
        &self,
        id_hash: &str,
        user_id: &str,
        user_agent: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, user_agent, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(user_agent)
        .bind(now)
        .bind(expires_at)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The active, unsuspended user behind a live session, noting when it was last used (at most
    /// once a minute, so pages stay reads).
    pub async fn session_user(&self, id_hash: &str, now: i64) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLS}, s.last_seen_at AS session_last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.suspended_at IS NULL"
        );
        let Some(row) = sqlx::query(&sql).bind(id_hash).bind(now).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let user = User::from_row(&row)?;
        let last_seen: Option<i64> = row.try_get("session_last_seen")?;
        if last_seen.is_none_or(|at| at < now - 60_000) {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 \
                 AND (last_seen_at IS NULL OR last_seen_at < $3)",
            )
            .bind(id_hash)
            .bind(now)
            .bind(now - 60_000)
            .execute(self.write())
            .await?;
        }
        Ok(Some(user))
    }

    /// Ends one session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.write()).await?;
        Ok(())
    }

    /// Removes expired sessions and reset tokens; returns how many rows went.
    pub async fn purge_expired(&self, now: i64) -> Result<u64> {
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.write())
            .await?;
        let b = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    /// Stores a new API token's hash; returns the token's id.
    pub async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        hash: &str,
        prefix: &str,
        now: i64,
    ) -> Result<ApiToken> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(name)
        .bind(hash)
        .bind(prefix)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(ApiToken {
            id,
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            created_at: now,
            last_used_at: None,
        })
    }

    /// The user's tokens that are not revoked, newest first.
    pub async fn tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(self.read())
        .await?)
    }

    /// Revokes one of the user's tokens; false when there was no such live token.
    pub async fn revoke_token(&self, user_id: &str, token_id: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(token_id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The active user owning a live token, noting when it was last used.
    pub async fn token_user(&self, hash: &str, now: i64) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLS}, t.last_used_at AS token_last_used FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.suspended_at IS NULL"
        );
        let Some(row) = sqlx::query(&sql).bind(hash).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let user = User::from_row(&row)?;
        let last_used: Option<i64> = row.try_get("token_last_used")?;
        self.touch_token(hash, last_used, now).await?;
        Ok(Some(user))
    }

    /// Writes down when a token was used, last written at `last_used`: only once a minute, and
    /// only then through the write connection, so busy API clients do not turn their reads
    /// into writes queued behind the single writer.
    pub(crate) async fn touch_token(&self, hash: &str, last_used: Option<i64>, now: i64) -> Result<()> {
        if last_used.is_none_or(|at| at < now - 60_000) {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(hash)
            .bind(now)
            .bind(now - 60_000)
            .execute(self.write())
            .await?;
        }
        Ok(())
    }

    /// Stores a reset token's hash; any earlier unused reset for the user stops working.
    pub async fn create_reset(&self, user_id: &str, hash: &str, now: i64, expires_at: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset token is live (unused, unexpired), without using it up.
    pub async fn reset_is_live(&self, hash: &str, now: i64) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }

    /// Uses up a live reset token and sets the new password in one step; returns the user's id
    /// and what else was revoked (every session, API token, calendar feed and other reset link),
    /// or `None` when the token was unknown, used or expired.
    pub async fn consume_reset(
        &self,
        hash: &str,
        new_password_hash: &str,
        now: i64,
    ) -> Result<Option<(String, Revoked)>> {
        let mut tx = self.begin().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE password_resets SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id,)) = row else { return Ok(None) };
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(&user_id)
            .bind(new_password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let revoked = revoke_credentials(&mut tx, &user_id, now).await?;
        tx.commit().await?;
        Ok(Some((user_id, revoked)))
    }
}
