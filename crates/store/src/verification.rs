//! Proving an email address: a link sent to it, followed once. A link for a new address carries
//! it, and following the link makes it the account's address.

use crate::{on_unique, Db, Result, StoreError};

/// What following a link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// The address is proved; `previous` is the address it replaced, if it changed.
    Done { user_id: String, email: String, previous: Option<String> },
    /// Unknown, used, cancelled or expired.
    Dead,
    /// The new address belongs to another account by now.
    Taken,
}

impl Db {
    /// Stores a link's hash for `email`; the member's earlier links stop working.
    pub async fn create_verification(
        &self,
        user_id: &str,
        email: &str,
        hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE email_verifications SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(email)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The address a live link would prove, without using it up.
    pub async fn verification_email(&self, hash: &str, now: i64) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT email FROM email_verifications WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(self.read())
        .await?;
        Ok(row.map(|(e,)| e))
    }

    /// Follows a link: in one transaction the link is used up and its address becomes the
    /// account's, proved at `now`.
    pub async fn verify_email(&self, hash: &str, now: i64) -> Result<Verified> {
        let mut tx = self.begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "UPDATE email_verifications SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, email",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, email)) = row else { return Ok(Verified::Dead) };
        let (current,): (String,) = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(&user_id)
            .fetch_one(&mut *tx)
            .await?;
        let changed =
            sqlx::query("UPDATE users SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1")
                .bind(&user_id)
                .bind(&email)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| on_unique(e, "email"));
        match changed {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => return Ok(Verified::Taken),
            Err(e) => return Err(e),
        }
        tx.commit().await?;
        let previous = (current != email).then_some(current);
        Ok(Verified::Done { user_id, email, previous })
    }

    /// Whether the member proved their current address (mail beyond the link that proves it
    /// waits for that).
    pub async fn email_confirmed(&self, user_id: &str) -> Result<bool> {
        let at: Option<Option<i64>> = sqlx::query_scalar("SELECT email_verified_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        Ok(at.flatten().is_some())
    }

    /// Marks the member's current address proved (accounts an operator makes, the demo).
    pub async fn mark_email_verified(&self, user_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET email_verified_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }
}
