//! Partners: who can be suggested (the pool), what two members share already, favourites, who may
//! book a member, and partnerships (requested → accepted / declined → ended).

use std::collections::HashMap;

use domain::profile::Window;

use crate::users::{Profile, User, USER_COLS};
use crate::{new_id, Db, Result, StoreError};

/// A partnership as stored, with both names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Partnership {
    pub id: String,
    pub requester_id: String,
    pub requester_name: String,
    pub partner_id: String,
    pub partner_name: String,
    /// accountability | coworking | referral
    pub kind: String,
    pub message: String,
    /// requested | accepted | declined | ended
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const PARTNERSHIP_COLS: &str = "p.id, p.requester_id, r.display_name AS requester_name, p.partner_id, \
    q.display_name AS partner_name, p.kind, p.message, p.status, p.created_at, p.updated_at";
const PARTNERSHIP_FROM: &str =
    "FROM partnerships p JOIN users r ON r.id = p.requester_id JOIN users q ON q.id = p.partner_id";

impl Db {
    /// Every member who may be suggested: not suspended, with tags and weekly windows.
    pub async fn partner_pool(&self) -> Result<Vec<Profile>> {
        let users: Vec<User> = sqlx::query_as(&format!(
            "SELECT {USER_COLS} FROM users u WHERE u.suspended_at IS NULL ORDER BY u.id"
        ))
        .fetch_all(self.read())
        .await?;
        let tags: Vec<(String, String, String)> =
            sqlx::query_as("SELECT user_id, kind, tag FROM user_tags ORDER BY tag")
                .fetch_all(self.read())
                .await?;
        let windows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT user_id, weekday, start_min, end_min FROM availability ORDER BY weekday, start_min",
        )
        .fetch_all(self.read())
        .await?;
        let mut by_id: HashMap<String, Profile> = users
            .into_iter()
            .map(|u| {
                (
                    u.id.clone(),
                    Profile { user: u, offers: Vec::new(), needs: Vec::new(), windows: Vec::new() },
                )
            })
            .collect();
        for (id, kind, tag) in tags {
            if let Some(p) = by_id.get_mut(&id) {
                if kind == "offer" {
                    p.offers.push(tag)
                } else {
                    p.needs.push(tag)
                }
            }
        }
        for (id, d, s, e) in windows {
            let (Ok(d), Ok(s), Ok(e)) = (u8::try_from(d), u16::try_from(s), u16::try_from(e)) else {
                continue;
            };
            if let (Some(p), Ok(w)) = (by_id.get_mut(&id), Window::new(d, s, e)) {
                p.windows.push(w);
            }
        }
        let mut pool: Vec<Profile> = by_id.into_values().collect();
        pool.sort_by(|a, b| a.user.id.cmp(&b.user.id));
        Ok(pool)
    }

    /// Members `user` has blocked or is blocked by.
    pub async fn blocked_either_way_of(&self, user: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT blocked_id FROM blocks WHERE blocker_id = $1 UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Per other member, how many sessions `user` shared with them between `since` and `now`.
    pub async fn sessions_shared_with(&self, user: &str, since: i64, now: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT o.user_id, COUNT(*) FROM rsvps m JOIN rsvps o ON o.event_id = m.event_id \
             AND o.occurrence_start = m.occurrence_start AND o.user_id <> m.user_id \
             WHERE m.user_id = $1 AND m.status = 'going' AND o.status = 'going' \
             AND m.occurrence_start >= $2 AND m.occurrence_start < $3 GROUP BY o.user_id",
        )
        .bind(user)
        .bind(since)
        .bind(now)
        .fetch_all(self.read())
        .await?)
    }

    /// Each member's outcomes of their last 20 sessions before `now`, oldest first:
    /// (user id, kept | no_show | late_cancel). Only for `users` when given.
    pub async fn session_outcomes(
        &self,
        users: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<(String, String)>> {
        let filter = match users {
            Some(ids) if !ids.is_empty() => {
                let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
                format!("AND user_id IN ({})", marks.join(", "))
            }
            Some(_) => return Ok(Vec::new()),
            None => String::new(),
        };
        let sql = format!(
            "SELECT user_id, kind FROM (\
               SELECT user_id, at, kind, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY at DESC) AS rn FROM (\
                 SELECT r.user_id, r.occurrence_start AS at, \
                   CASE WHEN m.kind IS NULL THEN 'kept' ELSE 'no_show' END AS kind \
                 FROM rsvps r LEFT JOIN reliability_marks m ON m.user_id = r.user_id AND m.event_id = r.event_id \
                   AND m.occurrence_start = r.occurrence_start AND m.kind = 'no_show' \
                 WHERE r.status = 'going' AND r.occurrence_start < $1 \
                 UNION ALL \
                 SELECT user_id, occurrence_start AS at, kind FROM reliability_marks \
                 WHERE kind = 'late_cancel' AND occurrence_start < $1\
               ) u WHERE 1 = 1 {filter}\
             ) t WHERE rn <= 20 ORDER BY user_id, at"
        );
        let mut q = sqlx::query_as(&sql).bind(now);
        for id in users.unwrap_or_default() {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.read()).await?)
    }

    /// `user` marks `favourite` as a favourite (idempotent).
    pub async fn add_favourite(&self, user: &str, favourite: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO favourites (user_id, favourite_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, favourite_id) DO NOTHING",
        )
        .bind(user)
        .bind(favourite)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Removes a favourite (idempotent).
    pub async fn remove_favourite(&self, user: &str, favourite: &str) -> Result<()> {
        sqlx::query("DELETE FROM favourites WHERE user_id = $1 AND favourite_id = $2")
            .bind(user)
            .bind(favourite)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// `user`'s favourites: (id, name), by name.
    pub async fn favourites_of(&self, user: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name FROM favourites f JOIN users u ON u.id = f.favourite_id \
             WHERE f.user_id = $1 ORDER BY u.sort_name, u.id",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?)
    }

    /// Every favourite mark among `users`: (who, their favourite).
    pub async fn favourites_among(&self, users: &[String]) -> Result<Vec<(String, String)>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..users.len()).map(|i| format!("${}", i + 1)).collect();
        let list = marks.join(", ");
        let sql = format!(
            "SELECT user_id, favourite_id FROM favourites WHERE user_id IN ({list}) AND favourite_id IN ({list})"
        );
        let mut q = sqlx::query_as(&sql);
        for id in users {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.read()).await?)
    }

    /// Blocks among `users`: (blocker, blocked).
    pub async fn blocks_among(&self, users: &[String]) -> Result<Vec<(String, String)>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..users.len()).map(|i| format!("${}", i + 1)).collect();
        let list = marks.join(", ");
        let sql =
            format!("SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id IN ({list}) AND blocked_id IN ({list})");
        let mut q = sqlx::query_as(&sql);
        for id in users {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.read()).await?)
    }

    /// Sets who may book `user`: everyone | favourites | nobody.
    pub async fn set_bookable_by(&self, user: &str, who: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET bookable_by = $2, updated_at = $3 WHERE id = $1")
            .bind(user)
            .bind(who)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Asks `partner` to be `requester`'s partner. Conflict when the two already have a request
    /// or partnership of this kind open, either way.
    pub async fn request_partnership(
        &self,
        requester: &str,
        partner: &str,
        kind: &str,
        message: &str,
        now: i64,
    ) -> Result<String> {
        let mut tx = self.begin().await?;
        let open: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM partnerships WHERE kind = $3 AND status IN ('requested', 'accepted') \
             AND ((requester_id = $1 AND partner_id = $2) OR (requester_id = $2 AND partner_id = $1))",
        )
        .bind(requester)
        .bind(partner)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Err(StoreError::Conflict("partnership"));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO partnerships (id, requester_id, partner_id, kind, message, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'requested', $6, $6)",
        )
        .bind(&id)
        .bind(requester)
        .bind(partner)
        .bind(kind)
        .bind(message)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One partnership.
    pub async fn partnership(&self, id: &str) -> Result<Option<Partnership>> {
        Ok(sqlx::query_as(&format!("SELECT {PARTNERSHIP_COLS} {PARTNERSHIP_FROM} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?)
    }

    /// `user`'s partnerships and requests, both ways, newest first (declined and ended last).
    pub async fn partnerships_of(&self, user: &str) -> Result<Vec<Partnership>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PARTNERSHIP_COLS} {PARTNERSHIP_FROM} WHERE p.requester_id = $1 OR p.partner_id = $1 \
             ORDER BY CASE WHEN p.status IN ('requested', 'accepted') THEN 0 ELSE 1 END, p.updated_at DESC, p.id"
        ))
        .bind(user)
        .fetch_all(self.read())
        .await?)
    }

    /// Moves a partnership from one of `from` to `to`; false when it was not in one of `from`
    /// (someone else got there first).
    pub async fn set_partnership_status(&self, id: &str, from: &[&str], to: &str, now: i64) -> Result<bool> {
        let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE partnerships SET status = $2, updated_at = $3 WHERE id = $1 AND status IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(id).bind(to).bind(now);
        for s in from {
            q = q.bind(*s);
        }
        Ok(q.execute(self.write()).await?.rows_affected() == 1)
    }

    /// True when the two have an accepted partnership of any kind.
    pub async fn are_partners(&self, a: &str, b: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM partnerships WHERE status = 'accepted' \
             AND ((requester_id = $1 AND partner_id = $2) OR (requester_id = $2 AND partner_id = $1))",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }

    /// Everyone `user` shares a group with and everyone they are partners with, as (member,
    /// partner?) with a member on both lists twice, in one statement (who may see whose photo).
    pub async fn relations_of(&self, user: &str) -> Result<Vec<(String, bool)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT DISTINCT o.user_id, 0 FROM group_members m JOIN group_members o ON o.group_id = m.group_id \
             WHERE m.user_id = $1 AND o.user_id <> $1 \
             UNION ALL \
             SELECT CASE WHEN requester_id = $1 THEN partner_id ELSE requester_id END, 1 FROM partnerships \
             WHERE (requester_id = $1 OR partner_id = $1) AND status = 'accepted'",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(id, partner)| (id, partner == 1)).collect())
    }
}
