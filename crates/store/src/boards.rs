//! Accountability: each group's weekly board ("what are you working on this week?"), members'
//! pauses and how soon their partners hear of missed weeks, and the nudges of the accountability
//! job, each sent once per member, kind and week.

use crate::notifications::{deliver_on, Outgoing};
use crate::users::{User, USER_COLS};
use crate::{Db, Result};

/// One member's focus for one week, and how it went.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct BoardEntry {
    pub user_id: String,
    pub display_name: String,
    pub week: String,
    pub focus: String,
    /// done | partly | not, once reported.
    pub outcome: Option<String>,
    pub created_at: i64,
}

const ENTRY_COLS: &str =
    "b.user_id, u.display_name, b.week, b.focus, b.outcome, b.created_at FROM board_entries b JOIN users u ON u.id = b.user_id";

/// A nudge to send once: the mails and notifications go out in the transaction that records it.
#[derive(Debug, Clone)]
pub struct Nudge<'a> {
    pub user_id: &'a str,
    /// remind | partners
    pub kind: &'a str,
    pub week: &'a str,
    /// What goes out, to each as they want it.
    pub out: Vec<Outgoing>,
}

impl Db {
    /// A group's board for one week, by name.
    pub async fn board(&self, group: &str, week: &str) -> Result<Vec<BoardEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLS} WHERE b.group_id = $1 AND b.week = $2 AND u.suspended_at IS NULL ORDER BY u.sort_name, u.id"
        );
        Ok(sqlx::query_as(&sql).bind(group).bind(week).fetch_all(self.read()).await?)
    }

    /// One member's entries on a group's board, latest week first.
    pub async fn board_history(&self, group: &str, user: &str) -> Result<Vec<BoardEntry>> {
        let sql =
            format!("SELECT {ENTRY_COLS} WHERE b.group_id = $1 AND b.user_id = $2 ORDER BY b.week DESC");
        Ok(sqlx::query_as(&sql).bind(group).bind(user).fetch_all(self.read()).await?)
    }

    /// Sets (or changes) a member's focus for a week.
    pub async fn set_focus(&self, group: &str, user: &str, week: &str, focus: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO board_entries (group_id, user_id, week, focus, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (group_id, user_id, week) DO UPDATE SET focus = excluded.focus",
        )
        .bind(group)
        .bind(user)
        .bind(week)
        .bind(focus)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Reports how a week's focus went; false when there was no focus that week.
    pub async fn report_focus(
        &self,
        group: &str,
        user: &str,
        week: &str,
        outcome: &str,
        now: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE board_entries SET outcome = $4, reported_at = $5 WHERE group_id = $1 AND user_id = $2 AND week = $3",
        )
        .bind(group)
        .bind(user)
        .bind(week)
        .bind(outcome)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Every outcome `user` reported on any board.
    pub async fn board_outcomes(&self, user: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT outcome FROM board_entries WHERE user_id = $1 AND outcome IS NOT NULL")
                .bind(user)
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().map(|(o,)| o).collect())
    }

    /// Active members with at least one active goal, with when they set their first one (for the
    /// nudge job).
    pub async fn goal_setters(&self) -> Result<Vec<(User, i64)>> {
        let sql = format!(
            "SELECT {USER_COLS}, (SELECT MIN(g.created_at) FROM goals g WHERE g.user_id = u.id) AS since FROM users u \
             WHERE u.suspended_at IS NULL AND EXISTS (SELECT 1 FROM goals g WHERE g.user_id = u.id AND g.status = 'active') \
             ORDER BY u.id"
        );
        let rows = sqlx::query(&sql).fetch_all(self.read()).await?;
        rows.iter()
            .map(|r| {
                use sqlx::{FromRow, Row};
                Ok((User::from_row(r)?, r.try_get::<i64, _>("since")?))
            })
            .collect()
    }

    /// A member's accepted accountability partners who are not suspended.
    pub async fn accountability_partners_of(&self, user: &str) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM partnerships p JOIN users u \
               ON u.id = CASE WHEN p.requester_id = $1 THEN p.partner_id ELSE p.requester_id END \
             WHERE (p.requester_id = $1 OR p.partner_id = $1) AND p.status = 'accepted' AND p.kind = 'accountability' \
               AND u.suspended_at IS NULL ORDER BY u.id"
        );
        Ok(sqlx::query_as(&sql).bind(user).fetch_all(self.read()).await?)
    }

    /// Whether this nudge went out already.
    pub async fn nudge_sent(&self, user: &str, kind: &str, week: &str) -> Result<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM nudges_sent WHERE user_id = $1 AND kind = $2 AND week = $3")
                .bind(user)
                .bind(kind)
                .bind(week)
                .fetch_optional(self.read())
                .await?;
        Ok(row.is_some())
    }

    /// Records a nudge and queues its mails and notifications in one transaction; false when
    /// another instance (or an earlier run) sent it already, in which case nothing is queued.
    pub async fn send_nudge_once(&self, n: &Nudge<'_>, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO nudges_sent (user_id, kind, week, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind, week) DO NOTHING",
        )
        .bind(n.user_id)
        .bind(n.kind)
        .bind(n.week)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for out in &n.out {
            deliver_on(&mut tx, out, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Pauses a member's accountability for the weeks `from` to `to` (week keys).
    pub async fn add_pause(&self, user: &str, from: &str, to: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO accountability_pauses (user_id, from_week, to_week, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, from_week) DO UPDATE SET to_week = excluded.to_week",
        )
        .bind(user)
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Ends a member's pauses that reach `week` or later: they stop before it.
    pub async fn end_pause(&self, user: &str, week: &str, before: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM accountability_pauses WHERE user_id = $1 AND from_week >= $2")
            .bind(user)
            .bind(week)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE accountability_pauses SET to_week = $3 WHERE user_id = $1 AND to_week >= $2")
            .bind(user)
            .bind(week)
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member's pauses: (from week, to week), in order.
    pub async fn pauses(&self, user: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT from_week, to_week FROM accountability_pauses WHERE user_id = $1 ORDER BY from_week",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?)
    }

    /// Sets after how many missed weeks a member's partners are told (0: never).
    pub async fn set_nudge_after(&self, user: &str, weeks: i64) -> Result<()> {
        sqlx::query("UPDATE users SET nudge_after_weeks = $2 WHERE id = $1")
            .bind(user)
            .bind(weeks)
            .execute(self.write())
            .await?;
        Ok(())
    }
}
