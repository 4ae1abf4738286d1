//! Attendance beyond present and absent, as referral chapters take it: a member who came late or
//! sent a substitute (who counts as there), and visitors a member brought to one date.

use crate::{new_id, Db, Result};

/// A visitor at one date.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Visitor {
    pub id: String,
    pub occurrence_start: i64,
    pub name: String,
    pub invited_by: String,
    pub created_at: i64,
    /// The answer of a visitor who answered online, when it is they who came.
    pub answer_id: Option<String>,
}

impl Db {
    /// Marks a member going to a date as there, having come late (`late`) or sent `substitute`
    /// in their place; false when they did not answer going.
    pub async fn mark_arrival(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        late: bool,
        substitute: &str,
        now: i64,
    ) -> Result<bool> {
        if !self.mark_attendance(event_id, occurrence_start, user, true, now).await? {
            return Ok(false);
        }
        let arrival = if late {
            "late"
        } else if substitute.is_empty() {
            ""
        } else {
            "substitute"
        };
        sqlx::query(
            "UPDATE rsvps SET arrival = $4, substitute = $5 WHERE event_id = $1 AND occurrence_start = $2 \
             AND user_id = $3",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(user)
        .bind(arrival)
        .bind(if late { "" } else { substitute })
        .execute(self.write())
        .await?;
        Ok(true)
    }

    /// Adds a visitor to a date; returns their id.
    pub async fn add_visitor(
        &self,
        event_id: &str,
        occurrence_start: i64,
        name: &str,
        invited_by: &str,
        added_by: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO date_visitors (id, event_id, occurrence_start, name, invited_by, added_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(event_id)
        .bind(occurrence_start)
        .bind(name)
        .bind(invited_by)
        .bind(added_by)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// Writes down a visitor who answered the date online as come (once however often the host
    /// taps); the entry's id, or `None` when `answer` is no confirmed answer to that date.
    pub async fn visitor_came(
        &self,
        event_id: &str,
        occurrence_start: i64,
        answer: &str,
        added_by: &str,
        now: i64,
    ) -> Result<Option<String>> {
        sqlx::query(
            "INSERT INTO date_visitors (id, event_id, occurrence_start, name, invited_by, added_by, created_at, answer_id) \
             SELECT $1, event_id, occurrence_start, name, '', $2, $3, id FROM visitor_answers \
             WHERE id = $4 AND event_id = $5 AND occurrence_start = $6 AND status = 'going' ON CONFLICT DO NOTHING",
        )
        .bind(new_id())
        .bind(added_by)
        .bind(now)
        .bind(answer)
        .bind(event_id)
        .bind(occurrence_start)
        .execute(self.write())
        .await?;
        // Written now or by an earlier tap.
        Ok(sqlx::query_scalar(
            "SELECT id FROM date_visitors WHERE answer_id = $1 AND event_id = $2 AND occurrence_start = $3",
        )
        .bind(answer)
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_optional(self.write())
        .await?)
    }

    /// Takes a visitor off a date's list; false when there was no such visitor.
    pub async fn remove_visitor(&self, event_id: &str, id: &str) -> Result<bool> {
        let r = sqlx::query("DELETE FROM date_visitors WHERE event_id = $1 AND id = $2")
            .bind(event_id)
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The visitors of one date, in the order they came.
    pub async fn visitors(&self, event_id: &str, occurrence_start: i64) -> Result<Vec<Visitor>> {
        Ok(sqlx::query_as(
            "SELECT id, occurrence_start, name, invited_by, created_at, answer_id FROM date_visitors \
             WHERE event_id = $1 AND occurrence_start = $2 ORDER BY created_at, id",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_all(self.read())
        .await?)
    }

    /// The visitors of a group's dates whose original start is in `[from, to)`: (event, visitor).
    pub async fn group_visitors(&self, group: &str, from: i64, to: i64) -> Result<Vec<(String, Visitor)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            event_id: String,
            #[sqlx(flatten)]
            visitor: Visitor,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT v.event_id, v.id, v.occurrence_start, v.name, v.invited_by, v.created_at, v.answer_id \
             FROM date_visitors v \
             JOIN events e ON e.id = v.event_id WHERE e.group_id = $1 AND v.occurrence_start >= $2 \
             AND v.occurrence_start < $3 ORDER BY v.occurrence_start, v.created_at, v.id",
        )
        .bind(group)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|r| (r.event_id, r.visitor)).collect())
    }
}
