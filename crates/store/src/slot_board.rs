//! The focus-session board: how many members booked each coming slot, and which of them are the
//! viewer's favourites (nobody else is named).

use crate::{Db, Result};

/// One slot with open bookings by others.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SlotCount {
    pub starts_at: i64,
    pub duration_minutes: i64,
    /// Open bookings by members other than the viewer.
    pub booked: i64,
}

impl Db {
    /// Slots starting in `[from, to)` that others booked and are still open, soonest first.
    pub async fn slot_counts(&self, viewer: &str, from: i64, to: i64) -> Result<Vec<SlotCount>> {
        Ok(sqlx::query_as(
            "SELECT b.starts_at, b.duration_minutes, COUNT(*) AS booked FROM bookings b \
             WHERE b.status = 'open' AND b.starts_at >= $2 AND b.starts_at < $3 AND b.user_id <> $1 \
             GROUP BY b.starts_at, b.duration_minutes ORDER BY b.starts_at, b.duration_minutes",
        )
        .bind(viewer)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }

    /// The viewer's favourites with an open booking in `[from, to)`: (start, length, name).
    pub async fn favourites_booked(
        &self,
        viewer: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT b.starts_at, b.duration_minutes, u.display_name FROM bookings b \
             JOIN favourites f ON f.favourite_id = b.user_id AND f.user_id = $1 \
             JOIN users u ON u.id = b.user_id \
             WHERE b.status = 'open' AND b.starts_at >= $2 AND b.starts_at < $3 ORDER BY b.starts_at, u.display_name",
        )
        .bind(viewer)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }
}
