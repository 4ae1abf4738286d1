//! Referral slips and their history, and one-to-ones (logged, and 1:1 sessions both went to).
//! Who may see what is the app's to decide; prospects' contact details
//! are read only through [`Db::referral`] and the lists of the giver and the receiver.

use crate::{new_id, Db, Result};

/// A referral slip, with its members' names.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Referral {
    pub id: String,
    pub giver_id: String,
    pub giver_name: String,
    pub receiver_id: String,
    pub receiver_name: String,
    pub group_id: Option<String>,
    pub prospect: String,
    pub contact: String,
    pub need: String,
    pub temperature: String,
    pub note: String,
    pub status: String,
    pub value_minor: Option<i64>,
    pub currency: String,
    pub thanked_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

const REFERRAL_COLS: &str = "r.id, r.giver_id, g.display_name AS giver_name, r.receiver_id, v.display_name AS receiver_name, \
    r.group_id, r.prospect, r.contact, r.need, r.temperature, r.note, r.status, r.value_minor, r.currency, r.thanked_at, \
    r.created_at, r.updated_at, r.closed_at";
const REFERRAL_FROM: &str =
    "referrals r JOIN users g ON g.id = r.giver_id JOIN users v ON v.id = r.receiver_id";

/// A new slip.
#[derive(Debug, Clone, Default)]
pub struct NewReferral {
    pub giver_id: String,
    pub receiver_id: String,
    pub group_id: Option<String>,
    pub prospect: String,
    pub contact: String,
    pub need: String,
    pub temperature: String,
    pub note: String,
}

impl Db {
    /// Stores a slip (status received); returns its id.
    pub async fn create_referral(&self, r: &NewReferral, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO referrals (id, giver_id, receiver_id, group_id, prospect, contact, need, temperature, note, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(&r.giver_id)
        .bind(&r.receiver_id)
        .bind(&r.group_id)
        .bind(&r.prospect)
        .bind(&r.contact)
        .bind(&r.need)
        .bind(&r.temperature)
        .bind(&r.note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO referral_history (referral_id, status, by_user, at) VALUES ($1, 'received', $2, $3)",
        )
        .bind(&id)
        .bind(&r.giver_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The slip with this id (callers check it is the viewer's).
    pub async fn referral(&self, id: &str) -> Result<Option<Referral>> {
        let sql = format!("SELECT {REFERRAL_COLS} FROM {REFERRAL_FROM} WHERE r.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Moves a slip to `status` if it is still at `from` (so two changes at once cannot both
    /// apply); with a value when won. False when it had moved meanwhile.
    pub async fn set_referral_status(
        &self,
        id: &str,
        from: &str,
        status: &str,
        value: Option<(i64, &str)>,
        by: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let closed = matches!(status, "won" | "lost");
        let r = sqlx::query(
            "UPDATE referrals SET status = $3, value_minor = $4, currency = $5, updated_at = $6, \
             closed_at = CASE WHEN $7 = 1 THEN $6 ELSE NULL END WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from)
        .bind(status)
        .bind(value.map(|v| v.0))
        .bind(value.map(|v| v.1).unwrap_or(""))
        .bind(now)
        .bind(i64::from(closed))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO referral_history (referral_id, status, by_user, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(status)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records the receiver's "thank you for closed business"; false when said already.
    pub async fn thank_for_referral(&self, id: &str, by: &str, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE referrals SET thanked_at = $2 WHERE id = $1 AND status = 'won' AND thanked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        // The thanks is part of the slip's story, after "won".
        sqlx::query(
            "INSERT INTO referral_history (referral_id, status, by_user, at) VALUES ($1, 'thanked', $2, $3)",
        )
        .bind(id)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A slip's history: (status, who, when), oldest first.
    pub async fn referral_history(&self, id: &str) -> Result<Vec<(String, Option<String>, i64)>> {
        Ok(sqlx::query_as(
            "SELECT h.status, u.display_name, h.at FROM referral_history h LEFT JOIN users u ON u.id = h.by_user \
             WHERE h.referral_id = $1 ORDER BY h.at, h.status",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?)
    }

    /// Slips `user` gave or received made in `[from, to)`, newest first.
    pub async fn referrals_of(&self, user: &str, from: i64, to: i64) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {REFERRAL_COLS} FROM {REFERRAL_FROM} WHERE (r.giver_id = $1 OR r.receiver_id = $1) \
             AND r.created_at >= $2 AND r.created_at < $3 ORDER BY r.created_at DESC, r.id"
        );
        Ok(sqlx::query_as(&sql).bind(user).bind(from).bind(to).fetch_all(self.read()).await?)
    }

    /// Slips passed within a group made in `[from, to)`.
    pub async fn referrals_in_group(&self, group: &str, from: i64, to: i64) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {REFERRAL_COLS} FROM {REFERRAL_FROM} WHERE r.group_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
             ORDER BY r.created_at DESC, r.id"
        );
        Ok(sqlx::query_as(&sql).bind(group).bind(from).bind(to).fetch_all(self.read()).await?)
    }

    /// Logs a one-to-one of `user` with `other` at `met_at`; returns its id.
    pub async fn log_one_to_one(
        &self,
        user: &str,
        other: &str,
        met_at: i64,
        note: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query("INSERT INTO one_to_ones (id, user_id, other_id, met_at, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(user)
            .bind(other)
            .bind(met_at)
            .bind(note)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(id)
    }

    /// `user`'s one-to-ones in `[from, to)`: (other member, their name, when, logged or "session").
    /// An occurrence of just the two of them (those going and its host), begun by `now`, counts
    /// without being logged.
    pub async fn one_to_ones(
        &self,
        user: &str,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<Vec<(String, String, i64, String)>> {
        Ok(sqlx::query_as(
            "WITH people AS ( \
               SELECT r.event_id, r.occurrence_start, r.user_id FROM rsvps r \
                 WHERE r.status = 'going' AND r.occurrence_start >= $2 AND r.occurrence_start < $3 AND r.occurrence_start <= $4 \
               UNION \
               SELECT r.event_id, r.occurrence_start, e.host_id FROM rsvps r JOIN events e ON e.id = r.event_id \
                 WHERE r.status = 'going' AND r.occurrence_start >= $2 AND r.occurrence_start < $3 AND r.occurrence_start <= $4) \
             SELECT o.other_id, u.display_name, o.met_at, 'logged' FROM one_to_ones o JOIN users u ON u.id = o.other_id \
               WHERE o.user_id = $1 AND o.met_at >= $2 AND o.met_at < $3 \
             UNION ALL \
             SELECT o.user_id, u.display_name, o.met_at, 'logged' FROM one_to_ones o JOIN users u ON u.id = o.user_id \
               WHERE o.other_id = $1 AND o.met_at >= $2 AND o.met_at < $3 \
             UNION ALL \
             SELECT b.user_id, u.display_name, a.occurrence_start, 'session' FROM people a \
               JOIN people b ON b.event_id = a.event_id AND b.occurrence_start = a.occurrence_start AND b.user_id <> a.user_id \
               JOIN users u ON u.id = b.user_id \
               WHERE a.user_id = $1 \
                 AND (SELECT COUNT(*) FROM people c WHERE c.event_id = a.event_id AND c.occurrence_start = a.occurrence_start) = 2 \
             ORDER BY 3 DESC",
        )
        .bind(user)
        .bind(from)
        .bind(to)
        .bind(now)
        .fetch_all(self.read())
        .await?)
    }

    /// Attendance of `user` in `[from, to)`: occurrences answered going that have begun, and of
    /// those, how many the host marked as a no-show.
    pub async fn attendance(&self, user: &str, from: i64, to: i64) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attended = 0 THEN 1 ELSE 0 END), 0) FROM rsvps \
             WHERE user_id = $1 AND status = 'going' AND occurrence_start >= $2 AND occurrence_start < $3",
        )
        .bind(user)
        .bind(from)
        .bind(to)
        .fetch_one(self.read())
        .await?)
    }

    /// How many referrals `a` gave `b` in `[from, to)`, per receiver (for partner suggestions and
    /// the insight): (receiver, count).
    pub async fn referral_counts(&self, giver: &str, from: i64, to: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT receiver_id, COUNT(*) FROM referrals WHERE giver_id = $1 AND created_at >= $2 AND created_at < $3 \
             GROUP BY receiver_id",
        )
        .bind(giver)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }

    /// For each member `me` passed referrals to or got them from since `from`: how many, either way.
    pub async fn referrals_either_way(&self, me: &str, from: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT CASE WHEN giver_id = $1 THEN receiver_id ELSE giver_id END AS other, COUNT(*) FROM referrals \
             WHERE (giver_id = $1 OR receiver_id = $1) AND created_at >= $2 GROUP BY other",
        )
        .bind(me)
        .bind(from)
        .fetch_all(self.read())
        .await?)
    }
}
