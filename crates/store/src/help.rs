//! Help between members: hours one gave another, confirmed by both sides, and requests for help
//! and offers of it by skill.

use crate::{new_id, Db, Result};

/// Help one member gave another.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Help {
    pub id: String,
    pub helper_id: String,
    pub helper_name: String,
    pub helped_id: String,
    pub helped_name: String,
    pub minutes: i64,
    pub note: String,
    pub helper_confirmed: i64,
    pub helped_confirmed: i64,
    pub created_at: i64,
}

/// A request for help or an offer of it, by skill.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HelpPost {
    pub id: String,
    pub user_id: String,
    pub display_name: String,
    pub kind: String,
    pub skill: String,
    pub note: String,
    pub post_id: Option<String>,
    pub open: i64,
    pub created_at: i64,
}

impl Db {
    /// Records help `helper` gave `helped`, confirmed by whoever records it; returns its id.
    pub async fn record_help(
        &self,
        helper: &str,
        helped: &str,
        minutes: i64,
        note: &str,
        by: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO help_given (id, helper_id, helped_id, minutes, note, helper_confirmed, helped_confirmed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(helper)
        .bind(helped)
        .bind(minutes)
        .bind(note)
        .bind(i64::from(by == helper))
        .bind(i64::from(by == helped))
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// The other side confirms help; false when `by` is not its other side or it was confirmed.
    pub async fn confirm_help(&self, id: &str, by: &str) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE help_given SET helper_confirmed = CASE WHEN helper_id = $2 THEN 1 ELSE helper_confirmed END, \
             helped_confirmed = CASE WHEN helped_id = $2 THEN 1 ELSE helped_confirmed END \
             WHERE id = $1 AND ((helper_id = $2 AND helper_confirmed = 0) OR (helped_id = $2 AND helped_confirmed = 0))",
        )
        .bind(id)
        .bind(by)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Help `user` gave or received, newest first.
    pub async fn help_of(&self, user: &str) -> Result<Vec<Help>> {
        Ok(sqlx::query_as(
            "SELECT h.id, h.helper_id, a.display_name AS helper_name, h.helped_id, b.display_name AS helped_name, h.minutes, \
                    h.note, h.helper_confirmed, h.helped_confirmed, h.created_at \
             FROM help_given h JOIN users a ON a.id = h.helper_id JOIN users b ON b.id = h.helped_id \
             WHERE h.helper_id = $1 OR h.helped_id = $1 ORDER BY h.created_at DESC, h.id",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?)
    }

    /// Confirmed minutes `user` helped others, and was helped.
    pub async fn help_balance(&self, user: &str) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            // PostgreSQL sums BIGINTs as NUMERIC, which the Any driver cannot decode.
            "SELECT CAST(COALESCE(SUM(CASE WHEN helper_id = $1 THEN minutes ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN helped_id = $1 THEN minutes ELSE 0 END), 0) AS BIGINT) \
             FROM help_given WHERE (helper_id = $1 OR helped_id = $1) AND helper_confirmed = 1 AND helped_confirmed = 1",
        )
        .bind(user)
        .fetch_one(self.read())
        .await?)
    }

    /// Posts a request for help or an offer of it; returns its id.
    pub async fn create_help_post(
        &self,
        user: &str,
        kind: &str,
        skill: &str,
        note: &str,
        post: Option<&str>,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO help_posts (id, user_id, kind, skill, note, post_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(user)
        .bind(kind)
        .bind(skill)
        .bind(note)
        .bind(post)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// Open requests and offers, newest first; `skill` filters (exactly, folded by the caller).
    pub async fn help_posts(&self, skill: Option<&str>, limit: i64) -> Result<Vec<HelpPost>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.user_id, u.display_name, p.kind, p.skill, p.note, p.post_id, p.open, p.created_at \
             FROM help_posts p JOIN users u ON u.id = p.user_id WHERE p.open = 1 AND u.suspended_at IS NULL \
             AND ($1 = '' OR p.skill = $1) ORDER BY p.created_at DESC, p.id LIMIT $2",
        )
        .bind(skill.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// Closes a member's own request or offer; false when it is not theirs or closed.
    pub async fn close_help_post(&self, id: &str, user: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE help_posts SET open = 0 WHERE id = $1 AND user_id = $2 AND open = 1")
            .bind(id)
            .bind(user)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// An open request or offer by its id (none once closed, or when its author is suspended).
    pub async fn open_help_post(&self, id: &str) -> Result<Option<HelpPost>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.user_id, u.display_name, p.kind, p.skill, p.note, p.post_id, p.open, p.created_at \
             FROM help_posts p JOIN users u ON u.id = p.user_id WHERE p.id = $1 AND p.open = 1 AND u.suspended_at IS NULL",
        )
        .bind(id)
        .fetch_optional(self.read())
        .await?)
    }

    /// Notes that `user` answered a request or offer; false when they had already.
    pub async fn reply_to_help(&self, help: &str, user: &str, message: &str, now: i64) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO help_replies (help_id, user_id, message, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (help_id, user_id) DO NOTHING",
        )
        .bind(help)
        .bind(user)
        .bind(message)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The requests and offers `user` has answered.
    pub async fn help_answered_by(&self, user: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT help_id FROM help_replies WHERE user_id = $1")
            .bind(user)
            .fetch_all(self.read())
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
