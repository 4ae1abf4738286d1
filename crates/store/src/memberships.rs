//! Belonging to groups: members and their roles, bans, handing a group over, join requests,
//! followers, and who shares a group with whom.

use crate::groups::JoinRequest;
use crate::users::{User, USER_COLS};
use crate::{Db, Result};

impl Db {
    /// Adds `user` as a member (or leaves them as they are); clears any join request. False when
    /// they were a member already.
    pub async fn add_member(&self, group: &str, user: &str, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, 'member', $3) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group)
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() > 0 {
            // Joining follows the group's events; the member may stop following.
            follow(&mut tx, group, user, now).await?;
        }
        sqlx::query("DELETE FROM group_requests WHERE group_id = $1 AND user_id = $2")
            .bind(group)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }

    /// Removes `user` from a group (and stops them following it unless the group is open to
    /// them); with `ban`, they may not join again. Returns whether they were a member.
    pub async fn remove_member(&self, group: &str, user: &str, ban: Option<&str>, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 AND role <> 'organiser'",
        )
        .bind(group)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        for table in ["group_feeds", "group_requests"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE group_id = $1 AND user_id = $2"))
                .bind(group)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        // Following an invite-only group needs membership; following an open one does not.
        sqlx::query(
            "DELETE FROM group_follows WHERE group_id = $1 AND user_id = $2 \
             AND ($3 = 1 OR EXISTS (SELECT 1 FROM groups g WHERE g.id = $1 AND g.visibility = 'invite'))",
        )
        .bind(group)
        .bind(user)
        .bind(i64::from(ban.is_some()))
        .execute(&mut *tx)
        .await?;
        if let Some(by) = ban {
            sqlx::query(
                "INSERT INTO group_bans (group_id, user_id, banned_by, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (group_id, user_id) DO NOTHING",
            )
            .bind(group)
            .bind(user)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }

    /// Lifts a ban.
    pub async fn unban(&self, group: &str, user: &str) -> Result<bool> {
        let r = sqlx::query("DELETE FROM group_bans WHERE group_id = $1 AND user_id = $2")
            .bind(group)
            .bind(user)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Members banned from a group: (id, display name, when).
    pub async fn group_bans(&self, group: &str) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name, b.created_at FROM group_bans b JOIN users u ON u.id = b.user_id \
             WHERE b.group_id = $1 ORDER BY b.created_at DESC",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }

    /// Sets a member's role to moderator or member (never organiser: see [`Db::hand_over`]).
    /// False when they are not a member or are the organiser.
    pub async fn set_role(&self, group: &str, user: &str, role: &str) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE group_members SET role = $3 WHERE group_id = $1 AND user_id = $2 AND role <> 'organiser'",
        )
        .bind(group)
        .bind(user)
        .bind(role)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Makes `to` the organiser and `from` a moderator, in one transaction. False when `to` is
    /// not a member or `from` is not the organiser.
    pub async fn hand_over(&self, group: &str, from: &str, to: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let demoted = sqlx::query(
            "UPDATE group_members SET role = 'moderator' WHERE group_id = $1 AND user_id = $2 AND role = 'organiser' \
             AND EXISTS (SELECT 1 FROM group_members t WHERE t.group_id = $1 AND t.user_id = $3)",
        )
        .bind(group)
        .bind(from)
        .bind(to)
        .execute(&mut *tx)
        .await?;
        if demoted.rows_affected() == 0 || from == to {
            return Ok(false);
        }
        sqlx::query("UPDATE group_members SET role = 'organiser' WHERE group_id = $1 AND user_id = $2")
            .bind(group)
            .bind(to)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Asks to join (or updates the message of a waiting request).
    pub async fn request_to_join(&self, group: &str, user: &str, message: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO group_requests (group_id, user_id, message, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, user_id) DO UPDATE SET message = excluded.message",
        )
        .bind(group)
        .bind(user)
        .bind(message)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Withdraws or declines a join request; false when there was none.
    pub async fn drop_request(&self, group: &str, user: &str) -> Result<bool> {
        let r = sqlx::query("DELETE FROM group_requests WHERE group_id = $1 AND user_id = $2")
            .bind(group)
            .bind(user)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Join requests waiting for an answer, oldest first.
    pub async fn join_requests(&self, group: &str) -> Result<Vec<JoinRequest>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.display_name, r.message, r.created_at FROM group_requests r \
             JOIN users u ON u.id = r.user_id WHERE r.group_id = $1 ORDER BY r.created_at, u.id",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }

    /// Starts or stops following a group.
    pub async fn set_following(&self, group: &str, user: &str, on: bool, now: i64) -> Result<()> {
        if on {
            let mut conn = self.write().acquire().await?;
            follow(&mut conn, group, user, now).await?;
        } else {
            sqlx::query("DELETE FROM group_follows WHERE group_id = $1 AND user_id = $2")
                .bind(group)
                .bind(user)
                .execute(self.write())
                .await?;
        }
        Ok(())
    }

    /// Active followers of a group, with whether each is a member.
    pub async fn followers(&self, group: &str) -> Result<Vec<(User, bool)>> {
        let sql = format!(
            "SELECT {USER_COLS}, (SELECT COUNT(*) FROM group_members m WHERE m.group_id = $1 AND m.user_id = u.id) \
             AS is_member FROM group_follows f JOIN users u ON u.id = f.user_id \
             WHERE f.group_id = $1 AND u.suspended_at IS NULL ORDER BY u.id"
        );
        let rows = sqlx::query(&sql).bind(group).fetch_all(self.read()).await?;
        rows.iter()
            .map(|r| {
                use sqlx::{FromRow, Row};
                let n: i64 = r.try_get("is_member")?;
                Ok((User::from_row(r)?, n > 0))
            })
            .collect()
    }

    /// Everyone who shares a group with `a`, with how many groups they share.
    pub async fn shared_groups(&self, a: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT o.user_id, COUNT(*) FROM group_members m JOIN group_members o ON o.group_id = m.group_id \
             WHERE m.user_id = $1 AND o.user_id <> $1 GROUP BY o.user_id",
        )
        .bind(a)
        .fetch_all(self.read())
        .await?)
    }

    /// True when `a` and `b` share at least one group.
    pub async fn share_a_group(&self, a: &str, b: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM group_members m JOIN group_members o ON o.group_id = m.group_id \
             WHERE m.user_id = $1 AND o.user_id = $2 LIMIT 1",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }

    /// `user`'s answers from `from` on to events of `group` that only members may see (for
    /// when they leave): (event id, occurrence start).
    pub async fn member_only_answers(
        &self,
        group: &str,
        user: &str,
        from: i64,
    ) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT r.event_id, r.occurrence_start FROM rsvps r JOIN events e ON e.id = r.event_id \
             JOIN groups g ON g.id = e.group_id WHERE e.group_id = $1 AND r.user_id = $2 \
             AND r.occurrence_start >= $3 AND e.host_id <> $2 \
             AND (e.visibility = 'group' OR g.visibility = 'invite')",
        )
        .bind(group)
        .bind(user)
        .bind(from)
        .fetch_all(self.read())
        .await?)
    }

    /// For every group `user` organises: the member to take over (the longest-standing moderator,
    /// else the longest-standing member), or none when they are alone. Used before deleting an
    /// account.
    pub async fn successors(&self, user: &str) -> Result<Vec<(String, Option<String>)>> {
        let groups: Vec<(String,)> =
            sqlx::query_as("SELECT group_id FROM group_members WHERE user_id = $1 AND role = 'organiser'")
                .bind(user)
                .fetch_all(self.read())
                .await?;
        let mut out = Vec::new();
        for (g,) in groups {
            let next: Option<(String,)> = sqlx::query_as(
                "SELECT user_id FROM group_members WHERE group_id = $1 AND user_id <> $2 \
                 ORDER BY CASE role WHEN 'moderator' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1",
            )
            .bind(&g)
            .bind(user)
            .fetch_optional(self.read())
            .await?;
            out.push((g, next.map(|(id,)| id)));
        }
        Ok(out)
    }
}

/// `user` follows `group`'s events (once, however often asked).
async fn follow(conn: &mut sqlx::AnyConnection, group: &str, user: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO group_follows (group_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group)
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
