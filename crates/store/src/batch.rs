//! What a list of events needs, read for many events at once: their overrides, seat counts and
//! one member's answers, one query per kind rather than one per event; their hosts' names; and
//! the events on a member's agenda. (The load harness found lists spending their time in per-event queries.)

use std::collections::HashMap;

use crate::events::{may_open_sql, Event, Override, EVENT_COLS};
use crate::{Db, Result};

/// Ids bound per statement (well below every backend's limit on parameters).
const CHUNK: usize = 400;

/// "$first, $first+1, …" for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[derive(sqlx::FromRow)]
struct OverrideRow {
    event_id: String,
    #[sqlx(flatten)]
    o: Override,
}

impl Db {
    /// Each event's overrides, by event id, in occurrence order.
    pub async fn overrides_of(&self, ids: &[String]) -> Result<HashMap<String, Vec<Override>>> {
        let mut out: HashMap<String, Vec<Override>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT event_id, occurrence_start, cancelled, start_local, duration_minutes, title \
                 FROM occurrence_overrides WHERE event_id IN ({}) ORDER BY event_id, occurrence_start",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, OverrideRow>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(self.read()).await? {
                out.entry(r.event_id).or_default().push(r.o);
            }
        }
        Ok(out)
    }

    /// Seats taken and waitlist length per occurrence, by event id: (start, going, waitlisted).
    pub async fn rsvp_counts_of(&self, ids: &[String]) -> Result<HashMap<String, Vec<(i64, i64, i64)>>> {
        let mut out: HashMap<String, Vec<(i64, i64, i64)>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT event_id, occurrence_start, COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0), \
                        COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) \
                 FROM rsvps WHERE event_id IN ({}) GROUP BY event_id, occurrence_start",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for (event, start, going, waiting) in q.fetch_all(self.read()).await? {
                out.entry(event).or_default().push((start, going, waiting));
            }
        }
        Ok(out)
    }

    /// `user`'s answers to each event, by event id: (occurrence start, status).
    pub async fn my_rsvps_of(
        &self,
        ids: &[String],
        user: &str,
    ) -> Result<HashMap<String, Vec<(i64, String)>>> {
        let mut out: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id = $1 AND event_id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql).bind(user);
            for id in chunk {
                q = q.bind(id);
            }
            for (event, start, status) in q.fetch_all(self.read()).await? {
                out.entry(event).or_default().push((start, status));
            }
        }
        Ok(out)
    }

    /// Display names by member id, for those of `ids` who exist.
    pub async fn display_names(&self, ids: &[String]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql =
                format!("SELECT id, display_name FROM users WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query_as::<_, (String, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(self.read()).await?);
        }
        Ok(out)
    }

    /// Events on `user`'s agenda in `[from, to)`: those they host that may have occurrences then,
    /// and those they answered for an occurrence then (or the day before, still running); only
    /// events they may still open, and none of a host either of them blocked.
    pub async fn agenda_events(&self, user: &str, from: i64, to: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.id IN ( \
                 SELECT h.id FROM events h WHERE h.host_id = $1 AND h.first_start_at < $3 \
                   AND (h.last_end_at IS NULL OR h.last_end_at > $2) \
                 UNION SELECT r.event_id FROM rsvps r WHERE r.user_id = $1 \
                   AND r.occurrence_start >= $2 - 86400000 AND r.occurrence_start < $3 AND r.status <> 'declined') \
               AND {may_open} \
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = e.host_id) \
                                                        OR (b.blocker_id = e.host_id AND b.blocked_id = $1)) \
             ORDER BY e.first_start_at, e.id",
            may_open = may_open_sql("$1")
        );
        Ok(sqlx::query_as(&sql).bind(user).bind(from).bind(to).fetch_all(self.read()).await?)
    }
}
