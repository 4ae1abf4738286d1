//! A member's sessions as they see them in settings (the browser, when it was last used), ending
//! one or all of them, and changing a password, which revokes every other way into the account.

use sqlx::{Any, Transaction};

use crate::{Db, Result};

/// A live session as listed to its owner. Its `handle` names it in URLs: the first 16 hex digits
/// of the stored hash, which tells nothing about the cookie.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct SessionInfo {
    pub handle: String,
    pub user_agent: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
}

/// How many of each were revoked by a password change or reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Revoked {
    pub sessions: u64,
    pub api_tokens: u64,
    /// The member's own calendar feed and their group feeds.
    pub calendar_feeds: u64,
    /// Reset links sent but not used.
    pub reset_links: u64,
}

/// The length of a session's handle.
pub const HANDLE_LEN: usize = 16;

/// Ends every session, API token, calendar feed and live reset link of `user_id`, inside `tx`.
pub(crate) async fn revoke_credentials(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    now: i64,
) -> Result<Revoked> {
    let sessions =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    let tokens =
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    let feed =
        sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    let group_feeds =
        sqlx::query("DELETE FROM group_feeds WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    let resets = sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Revoked {
        sessions: sessions.rows_affected(),
        api_tokens: tokens.rows_affected(),
        calendar_feeds: feed.rows_affected() + group_feeds.rows_affected(),
        reset_links: resets.rows_affected(),
    })
}

impl Db {
    /// A member's live sessions, most recently used first.
    pub async fn sessions_of(&self, user_id: &str, now: i64) -> Result<Vec<SessionInfo>> {
        Ok(sqlx::query_as(
            "SELECT substr(id_hash, 1, 16) AS handle, user_agent, created_at, last_seen_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY COALESCE(last_seen_at, created_at) DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(self.read())
        .await?)
    }

    /// Ends the member's session named `handle`; false when there is none.
    pub async fn end_session_by_handle(&self, user_id: &str, handle: &str) -> Result<bool> {
        if handle.len() != HANDLE_LEN || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(id_hash, 1, 16) = $2")
            .bind(user_id)
            .bind(handle)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Ends every session of the member; returns how many.
    pub async fn end_sessions(&self, user_id: &str) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected())
    }

    /// Sets a new password and, in the same transaction, revokes every session, API token,
    /// calendar feed and live reset link of the member.
    pub async fn change_password(&self, user_id: &str, new_password_hash: &str, now: i64) -> Result<Revoked> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(new_password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let revoked = revoke_credentials(&mut tx, user_id, now).await?;
        tx.commit().await?;
        Ok(revoked)
    }
}
