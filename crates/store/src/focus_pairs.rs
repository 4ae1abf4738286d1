//! Focus pairs (two members paired from their slot bookings) are equals: either may leave, which
//! reopens the other's booking for the slot. (Attendance comes from the room, as for every online
//! session: `app::rooms::job`.)

use crate::bookings::Booking;
use crate::rsvps::mark;
use crate::{Db, Result};

impl Db {
    /// The bookings paired into this event; empty for any other event.
    pub async fn focus_pair_of(&self, event_id: &str) -> Result<Vec<Booking>> {
        Ok(sqlx::query_as(
            "SELECT b.id, b.user_id, b.starts_at, b.duration_minutes, b.goal, b.status, b.partner_id, \
             p.display_name AS partner_name, b.event_id, b.created_at \
             FROM bookings b LEFT JOIN users p ON p.id = b.partner_id \
             WHERE b.event_id = $1 AND b.status = 'matched' ORDER BY b.created_at",
        )
        .bind(event_id)
        .fetch_all(self.read())
        .await?)
    }

    /// `user` leaves the focus pair of `event_id` before it starts, in one transaction: their
    /// booking is cancelled (a late cancellation is marked when `late`), the partner's booking is
    /// open again for the slot, and the session is called off (its answers go, its date is
    /// cancelled). The partner's id, or `None` when `user` holds no live pair there.
    pub async fn leave_focus_pair(
        &self,
        event_id: &str,
        user: &str,
        late: bool,
        now: i64,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let mine: Option<(String, Option<String>, i64)> = sqlx::query_as(
            "SELECT id, partner_id, starts_at FROM bookings WHERE event_id = $1 AND user_id = $2 AND status = 'matched'",
        )
        .bind(event_id)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((booking, partner, key)) = mine else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query("UPDATE bookings SET status = 'cancelled', updated_at = $2 WHERE id = $1")
            .bind(&booking)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE bookings SET status = 'open', partner_id = NULL, event_id = NULL, updated_at = $3 \
             WHERE event_id = $1 AND user_id = $2 AND status = 'matched'",
        )
        .bind(event_id)
        .bind(partner.as_deref().unwrap_or(""))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if late {
            mark(&mut tx, user, event_id, key, "late_cancel", now).await?;
        }
        sqlx::query("DELETE FROM rsvps WHERE event_id = $1").bind(event_id).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO occurrence_overrides (event_id, occurrence_start, cancelled) VALUES ($1, $2, 1) \
             ON CONFLICT (event_id, occurrence_start) DO UPDATE SET cancelled = 1",
        )
        .bind(event_id)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(partner)
    }
}
