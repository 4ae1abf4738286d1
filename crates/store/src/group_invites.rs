//! Invitations to a group: links to share (expiring, revocable) and single-use invitations sent
//! by email. Only a hash of each token is kept.

use crate::{new_id, Db, Result};

/// An invitation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invite {
    pub id: String,
    pub group_id: String,
    /// Empty for a link to share.
    pub email: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub uses: i64,
}

impl Invite {
    /// Whether it can still be used at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now && self.max_uses.is_none_or(|max| self.uses < max)
    }
}

const INVITE_COLS: &str =
    "id, group_id, email, created_by, created_at, expires_at, revoked_at, max_uses, uses";

/// What a new invitation holds.
#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub group_id: &'a str,
    pub token_hash: &'a str,
    /// Empty for a link.
    pub email: &'a str,
    pub created_by: &'a str,
    pub expires_at: i64,
    pub max_uses: Option<i64>,
    /// The roster import that sent it.
    pub import_id: Option<&'a str>,
}

impl Db {
    /// Stores a new invitation; returns its id.
    pub async fn create_invite(&self, i: &NewInvite<'_>, now: i64) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO group_invites (id, group_id, token_hash, email, created_by, created_at, expires_at, max_uses, \
             import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(i.group_id)
        .bind(i.token_hash)
        .bind(i.email)
        .bind(i.created_by)
        .bind(now)
        .bind(i.expires_at)
        .bind(i.max_uses)
        .bind(i.import_id)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// The invitation whose token hashes to `hash`, live or not.
    pub async fn invite_by_token(&self, hash: &str) -> Result<Option<Invite>> {
        let sql = format!("SELECT {INVITE_COLS} FROM group_invites WHERE token_hash = $1");
        Ok(sqlx::query_as(&sql).bind(hash).fetch_optional(self.read()).await?)
    }

    /// A group's invitations made one at a time (not by a roster import), newest first.
    pub async fn invites(&self, group: &str) -> Result<Vec<Invite>> {
        let sql = format!(
            "SELECT {INVITE_COLS} FROM group_invites WHERE group_id = $1 AND import_id IS NULL \
             ORDER BY created_at DESC, id"
        );
        Ok(sqlx::query_as(&sql).bind(group).fetch_all(self.read()).await?)
    }

    /// Revokes one of a group's invitations; false when there is no such live one.
    pub async fn revoke_invite(&self, group: &str, id: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE group_invites SET revoked_at = $3 WHERE group_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(group)
        .bind(id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Uses a live invitation to make `user` a member, in one transaction (so a single-use one is
    /// used once however many accept it at the same moment). Returns the group's id, or none
    /// when the invitation is not live any more. A member accepting again uses nothing.
    pub async fn accept_invite(&self, hash: &str, user: &str, now: i64) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT id, group_id FROM group_invites WHERE token_hash = $1 AND revoked_at IS NULL \
             AND expires_at > $2 AND (max_uses IS NULL OR uses < max_uses)",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, group)) = row else { return Ok(None) };
        let joined = sqlx::query(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, 'member', $3) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(&group)
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if joined.rows_affected() > 0 {
            // Guarded again here: on PostgreSQL two transactions may both have read a last use.
            let used = sqlx::query(
                "UPDATE group_invites SET uses = uses + 1 WHERE id = $1 AND (max_uses IS NULL OR uses < max_uses)",
            )
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() == 0 {
                return Ok(None);
            }
            sqlx::query("DELETE FROM group_requests WHERE group_id = $1 AND user_id = $2")
                .bind(&group)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(group))
    }
}
