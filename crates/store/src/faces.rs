//! Who is going to a list of occurrences, for the faces on event cards: the first few at each
//! occurrence and how many in all, read for the whole list in one statement (the load harness
//! found the dashboard spending most of its time reading every going member and every host
//! one by one).

use crate::{Db, Result};

/// A member going to an occurrence, with their photo and who may see it; `total` is how many
/// are going to that occurrence.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Going {
    pub event_id: String,
    pub occurrence_start: i64,
    pub user_id: String,
    pub display_name: String,
    pub photo_id: Option<String>,
    pub vis_photo: String,
    pub total: i64,
}

/// An event's host as a face: name, photo and who may see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Host {
    pub event_id: String,
    pub user_id: String,
    pub display_name: String,
    pub photo_id: Option<String>,
    pub vis_photo: String,
}

impl Db {
    /// Who is going to each of `occurrences` (event id, occurrence key): the first `first` in
    /// the order they took their seats, the host wherever they are in that order, and the
    /// count of all of them.
    pub async fn going_of(&self, occurrences: &[(String, i64)], first: usize) -> Result<Vec<Going>> {
        let mut out = Vec::new();
        for chunk in occurrences.chunks(crate::batch::CHUNK / 2) {
            let mut ids: Vec<&str> = chunk.iter().map(|(e, _)| e.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut keys: Vec<i64> = chunk.iter().map(|(_, k)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            // Events and keys are matched separately (portable across both backends); the
            // pairs not asked for are dropped below. Seats are numbered over the answers
            // alone and only the first few (and the host) are joined to their names: numbering
            // the joined rows took three times as long on SQLite. Ties in seat order go by id.
            let sql = format!(
                "SELECT t.event_id, t.occurrence_start, u.id AS user_id, u.display_name, u.photo_id, u.vis_photo, t.total \
                 FROM (SELECT r.event_id, r.occurrence_start, r.user_id, ROW_NUMBER() OVER seats AS rn, \
                   COUNT(*) OVER (PARTITION BY r.event_id, r.occurrence_start) AS total \
                   FROM rsvps r WHERE r.status = 'going' AND r.event_id IN ({}) AND r.occurrence_start IN ({}) \
                   WINDOW seats AS (PARTITION BY r.event_id, r.occurrence_start ORDER BY r.queued_at, r.user_id)) t \
                 JOIN users u ON u.id = t.user_id JOIN events e ON e.id = t.event_id \
                 WHERE t.rn <= $1 OR t.user_id = e.host_id ORDER BY t.event_id, t.occurrence_start, t.rn",
                crate::batch::placeholders(2, ids.len()),
                crate::batch::placeholders(2 + ids.len(), keys.len())
            );
            let mut q = sqlx::query_as::<_, Going>(&sql).bind(first as i64);
            for id in &ids {
                q = q.bind(*id);
            }
            for key in &keys {
                q = q.bind(*key);
            }
            let asked: std::collections::HashSet<(&str, i64)> =
                chunk.iter().map(|(e, k)| (e.as_str(), *k)).collect();
            out.extend(
                q.fetch_all(self.read())
                    .await?
                    .into_iter()
                    .filter(|g| asked.contains(&(g.event_id.as_str(), g.occurrence_start))),
            );
        }
        Ok(out)
    }

    /// The hosts of `events`, as faces.
    pub async fn hosts_of(&self, events: &[String]) -> Result<Vec<Host>> {
        let mut out = Vec::new();
        for chunk in events.chunks(crate::batch::CHUNK) {
            let sql = format!(
                "SELECT e.id AS event_id, u.id AS user_id, u.display_name, u.photo_id, u.vis_photo \
                 FROM events e JOIN users u ON u.id = e.host_id WHERE e.id IN ({})",
                crate::batch::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, Host>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(self.read()).await?);
        }
        Ok(out)
    }
}
