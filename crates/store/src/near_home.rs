//! Venues members mark, privately, as near their home (see migration 0022).

use crate::{Db, Result};

impl Db {
    /// Marks or unmarks a venue as near `user`'s home.
    pub async fn set_near_home(&self, user: &str, venue: &str, on: bool, now: i64) -> Result<()> {
        let q = if on {
            sqlx::query(
                "INSERT INTO venue_near_home (user_id, venue_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, venue_id) DO NOTHING",
            )
            .bind(user)
            .bind(venue)
            .bind(now)
        } else {
            sqlx::query("DELETE FROM venue_near_home WHERE user_id = $1 AND venue_id = $2")
                .bind(user)
                .bind(venue)
        };
        q.execute(self.write()).await?;
        Ok(())
    }

    /// The venues `user` marked as near their home: (id, name), by name.
    pub async fn near_home_of(&self, user: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT v.id, v.name FROM venue_near_home n JOIN venues v ON v.id = n.venue_id \
             WHERE n.user_id = $1 ORDER BY LOWER(v.name), v.id",
        )
        .bind(user)
        .fetch_all(self.read())
        .await?)
    }
}
