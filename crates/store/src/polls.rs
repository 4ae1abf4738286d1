//! Time-finding polls: invitees, candidate slots, votes, closing into an event.

use crate::{new_id, Db, Result};

/// A poll as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Poll {
    pub id: String,
    pub organiser_id: String,
    pub title: String,
    pub kind: String,
    pub duration_minutes: i64,
    pub time_zone: String,
    pub preset: String,
    pub is_virtual: i64,
    pub place_name: String,
    pub city_label: String,
    pub event_id: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

/// What a new poll stores.
#[derive(Debug, Clone)]
pub struct NewPoll<'a> {
    pub organiser_id: &'a str,
    pub title: &'a str,
    pub kind: &'a str,
    pub duration_minutes: i64,
    pub time_zone: &'a str,
    pub preset: &'a str,
    pub is_virtual: bool,
    pub place_name: &'a str,
    pub city_label: &'a str,
    pub invitees: &'a [String],
    /// (start, end, explanation), UTC ms.
    pub slots: &'a [(i64, i64, String)],
}

/// A slot with its votes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Slot {
    pub start_at: i64,
    pub end_at: i64,
    pub explain: String,
}

/// One vote: (slot start, member id, member name, yes | ifneedbe | no).
pub type Vote = (i64, String, String, String);

const POLL_COLS: &str = "id, organiser_id, title, kind, duration_minutes, time_zone, preset, is_virtual, \
    place_name, city_label, event_id, created_at, closed_at";

impl Db {
    /// Stores a poll with its invitees and slots in one transaction; returns its id.
    pub async fn create_poll(&self, p: &NewPoll<'_>, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO polls (id, organiser_id, title, kind, duration_minutes, time_zone, preset, is_virtual, \
             place_name, city_label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(p.organiser_id)
        .bind(p.title)
        .bind(p.kind)
        .bind(p.duration_minutes)
        .bind(p.time_zone)
        .bind(p.preset)
        .bind(i64::from(p.is_virtual))
        .bind(p.place_name)
        .bind(p.city_label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for user in p.invitees {
            sqlx::query("INSERT INTO poll_invitees (poll_id, user_id) VALUES ($1, $2) ON CONFLICT (poll_id, user_id) DO NOTHING")
                .bind(&id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        for (start, end, explain) in p.slots {
            sqlx::query("INSERT INTO poll_slots (poll_id, start_at, end_at, explain) VALUES ($1, $2, $3, $4) ON CONFLICT (poll_id, start_at) DO NOTHING")
                .bind(&id)
                .bind(start)
                .bind(end)
                .bind(explain)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The poll with this id.
    pub async fn poll(&self, id: &str) -> Result<Option<Poll>> {
        let sql = format!("SELECT {POLL_COLS} FROM polls WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Polls I organise or am invited to, newest first.
    pub async fn polls_of(&self, user: &str) -> Result<Vec<Poll>> {
        let sql = format!(
            "SELECT {POLL_COLS} FROM polls p WHERE p.organiser_id = $1 \
             OR EXISTS (SELECT 1 FROM poll_invitees i WHERE i.poll_id = p.id AND i.user_id = $1) \
             ORDER BY p.created_at DESC, p.id LIMIT 50"
        );
        Ok(sqlx::query_as(&sql).bind(user).fetch_all(self.read()).await?)
    }

    /// The invitees: (id, display name).
    pub async fn poll_invitees(&self, poll: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name FROM poll_invitees i JOIN users u ON u.id = i.user_id \
             WHERE i.poll_id = $1 ORDER BY u.sort_name",
        )
        .bind(poll)
        .fetch_all(self.read())
        .await?)
    }

    /// The candidate slots, earliest first.
    pub async fn poll_slots(&self, poll: &str) -> Result<Vec<Slot>> {
        Ok(sqlx::query_as(
            "SELECT start_at, end_at, explain FROM poll_slots WHERE poll_id = $1 ORDER BY start_at",
        )
        .bind(poll)
        .fetch_all(self.read())
        .await?)
    }

    /// Every vote.
    pub async fn poll_votes(&self, poll: &str) -> Result<Vec<Vote>> {
        Ok(sqlx::query_as(
            "SELECT v.start_at, v.user_id, u.display_name, v.vote FROM poll_votes v JOIN users u ON u.id = v.user_id \
             WHERE v.poll_id = $1 ORDER BY v.start_at, u.sort_name",
        )
        .bind(poll)
        .fetch_all(self.read())
        .await?)
    }

    /// Replaces a member's votes on an open poll.
    pub async fn set_votes(&self, poll: &str, user: &str, votes: &[(i64, String)]) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM poll_votes WHERE poll_id = $1 AND user_id = $2")
            .bind(poll)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        for (start, vote) in votes {
            sqlx::query("INSERT INTO poll_votes (poll_id, start_at, user_id, vote) VALUES ($1, $2, $3, $4)")
                .bind(poll)
                .bind(start)
                .bind(user)
                .bind(vote)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Closes the poll; false if it was closed already (by a concurrent request, say), so only
    /// one closer goes on to make the event.
    pub async fn close_poll(&self, poll: &str, now: i64) -> Result<bool> {
        let r = sqlx::query("UPDATE polls SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL")
            .bind(poll)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Records the event a closed poll's winner became.
    pub async fn set_poll_event(&self, poll: &str, event_id: &str) -> Result<()> {
        sqlx::query("UPDATE polls SET event_id = $2 WHERE id = $1")
            .bind(poll)
            .bind(event_id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Opens a poll again (when making its event failed after closing it).
    pub async fn reopen_poll(&self, poll: &str) -> Result<()> {
        sqlx::query("UPDATE polls SET closed_at = NULL WHERE id = $1 AND event_id IS NULL")
            .bind(poll)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Busy intervals of members from events they host or go to in `[from, to)`: the caller
    /// expands series, so this returns the events (id, host) and each member's answers.
    pub async fn availability_of(
        &self,
        users: &[String],
    ) -> Result<Vec<(String, Vec<domain::profile::Window>, String)>> {
        let mut out = Vec::new();
        for u in users {
            if let Some(p) = self.profile(u).await? {
                out.push((p.user.id.clone(), p.windows, p.user.timezone.clone()));
            }
        }
        Ok(out)
    }
}
