//! Who is going to a list of occurrences, for the faces on event cards.

use crate::{Db, Result};

/// A member going to an occurrence, with their photo and who may see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Going {
    pub event_id: String,
    pub occurrence_start: i64,
    pub user_id: String,
    pub display_name: String,
    pub photo_id: Option<String>,
    pub vis_photo: String,
}

impl Db {
    /// Who is going to the occurrences of `ids` keyed in `keys`, in the order they took their
    /// seats (for the faces on event cards).
    pub async fn going_of(&self, ids: &[String], keys: std::ops::Range<i64>) -> Result<Vec<Going>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(crate::batch::CHUNK) {
            let sql = format!(
                "SELECT r.event_id, r.occurrence_start, u.id AS user_id, u.display_name, u.photo_id, u.vis_photo \
                 FROM rsvps r JOIN users u ON u.id = r.user_id \
                 WHERE r.status = 'going' AND r.occurrence_start >= $1 AND r.occurrence_start < $2 \
                 AND r.event_id IN ({}) ORDER BY r.event_id, r.occurrence_start, r.queued_at, u.sort_name",
                crate::batch::placeholders(3, chunk.len())
            );
            let mut q = sqlx::query_as(&sql).bind(keys.start).bind(keys.end);
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(self.read()).await?);
        }
        Ok(out)
    }
}
