//! What a list of events needs, read for many events at once: their overrides, seat counts and
//! one member's answers, one query per kind rather than one per event; their hosts' names; and
//! the events on a member's agenda. (The load harness found lists spending their time in per-event queries.)
//!
//! Reads for a window take the range of occurrence keys (original starts) it needs, so a
//! series that has run for years costs no more than a new one.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::events::{host_not_blocked_sql, may_open_sql, Event, Override, EVENT_COLS};
use crate::{Db, Result};

/// Ids bound per statement (well below every backend's limit on parameters).
const CHUNK: usize = 400;

/// Up to this many events, a member's answers are looked up event by event (see `my_rsvps_of`).
const BY_EVENT_MAX: usize = 8;

/// "$first, $first+1, …" for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[derive(serde::Deserialize)]
struct OverrideRow {
    event_id: String,
    #[serde(flatten)]
    o: Override,
}

const OVERRIDE_FIELDS: &[&str] =
    &["event_id", "occurrence_start", "cancelled", "start_local", "duration_minutes", "title"];

/// Seats taken and waitlisted at one occurrence.
#[derive(serde::Deserialize)]
struct CountRow {
    event_id: String,
    occurrence_start: i64,
    going: i64,
    waitlisted: i64,
}

/// A member's answer to one occurrence.
#[derive(serde::Deserialize)]
struct AnswerRow {
    event_id: String,
    occurrence_start: i64,
    status: String,
}

const ANSWER_FIELDS: &[&str] = &["event_id", "occurrence_start", "status"];

/// Answers grouped by event.
fn by_event(rows: Vec<AnswerRow>, out: &mut HashMap<String, Vec<(i64, String)>>) {
    for r in rows {
        out.entry(r.event_id).or_default().push((r.occurrence_start, r.status));
    }
}

impl Db {
    /// Each event's overrides of occurrences keyed in `keys`, by event id, in occurrence order.
    pub async fn overrides_of(
        &self,
        ids: &[String],
        keys: Range<i64>,
    ) -> Result<HashMap<String, Vec<Override>>> {
        let mut out: HashMap<String, Vec<Override>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT event_id, occurrence_start, cancelled, start_local, duration_minutes, title \
                 FROM occurrence_overrides WHERE event_id IN ({}) AND occurrence_start >= $1 \
                 AND occurrence_start < $2",
                placeholders(3, chunk.len())
            );
            let sql = self.json_rows_sql(&sql, OVERRIDE_FIELDS, "t.event_id, t.occurrence_start");
            let mut q = sqlx::query_scalar(&sql).bind(keys.start).bind(keys.end);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in self.json_list::<OverrideRow>(q).await? {
                out.entry(r.event_id).or_default().push(r.o);
            }
        }
        Ok(out)
    }

    /// Seats taken and waitlist length per occurrence keyed in `keys`, by event id:
    /// (start, going, waitlisted).
    pub async fn rsvp_counts_of(
        &self,
        ids: &[String],
        keys: Range<i64>,
    ) -> Result<HashMap<String, Vec<(i64, i64, i64)>>> {
        let mut out: HashMap<String, Vec<(i64, i64, i64)>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT event_id, occurrence_start, \
                        COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0) AS going, \
                        COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waitlisted \
                 FROM rsvps WHERE event_id IN ({}) AND occurrence_start >= $1 AND occurrence_start < $2 \
                 GROUP BY event_id, occurrence_start",
                placeholders(3, chunk.len())
            );
            let sql = self.json_rows_sql(
                &sql,
                &["event_id", "occurrence_start", "going", "waitlisted"],
                "t.event_id, t.occurrence_start",
            );
            let mut q = sqlx::query_scalar(&sql).bind(keys.start).bind(keys.end);
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in self.json_list::<CountRow>(q).await? {
                out.entry(r.event_id).or_default().push((r.occurrence_start, r.going, r.waitlisted));
            }
        }
        Ok(out)
    }

    /// `user`'s answers to each event for occurrences keyed in `keys`, by event id:
    /// (occurrence start, status).
    ///
    /// For a few events, each one's answers in the window are looked up through the primary key;
    /// for more, all of the member's answers in the window are read by range through
    /// `rsvps_user` and those of other events dropped. (Left to choose, SQLite took the member's
    /// range even for one event, which for a busy member read 200 rows to find one.)
    pub async fn my_rsvps_of(
        &self,
        ids: &[String],
        user: &str,
        keys: Range<i64>,
    ) -> Result<HashMap<String, Vec<(i64, String)>>> {
        if ids.is_empty() {
            // `IN ()` is no SQL to PostgreSQL.
            return Ok(HashMap::new());
        }
        if ids.len() > BY_EVENT_MAX {
            let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
            let mut all = self.my_answers_in(user, keys).await?;
            all.retain(|event, _| wanted.contains(event.as_str()));
            return Ok(all);
        }
        // `user_id || ''` keeps the planner off `rsvps_user`.
        let sql = format!(
            "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id || '' = $1 \
             AND occurrence_start >= $2 AND occurrence_start < $3 AND event_id IN ({})",
            placeholders(4, ids.len())
        );
        let sql = self.json_rows_sql(&sql, ANSWER_FIELDS, "t.event_id, t.occurrence_start");
        let mut q = sqlx::query_scalar(&sql).bind(user.to_owned()).bind(keys.start).bind(keys.end);
        for id in ids {
            q = q.bind(id.clone());
        }
        let mut out = HashMap::new();
        by_event(self.json_list(q).await?, &mut out);
        Ok(out)
    }

    /// All of `user`'s answers for occurrences keyed in `keys`, by event id: (occurrence start,
    /// status). One range through `rsvps_user`, however many events they are spread over: the
    /// way to read a member's own agenda or feed, whose events are those answers'.
    pub async fn my_answers_in(
        &self,
        user: &str,
        keys: Range<i64>,
    ) -> Result<HashMap<String, Vec<(i64, String)>>> {
        let sql = self.json_rows_sql(
            "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id = $1 \
             AND occurrence_start >= $2 AND occurrence_start < $3",
            ANSWER_FIELDS,
            "t.event_id, t.occurrence_start",
        );
        let q = sqlx::query_scalar(&sql).bind(user.to_owned()).bind(keys.start).bind(keys.end);
        let mut out = HashMap::new();
        by_event(self.json_list(q).await?, &mut out);
        Ok(out)
    }

    /// Display names by member id, for those of `ids` who exist.
    pub async fn display_names(&self, ids: &[String]) -> Result<HashMap<String, String>> {
        #[derive(serde::Deserialize)]
        struct Name {
            id: String,
            display_name: String,
        }
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql =
                format!("SELECT id, display_name FROM users WHERE id IN ({})", placeholders(1, chunk.len()));
            let sql = self.json_rows_sql(&sql, &["id", "display_name"], "t.id");
            let mut q = sqlx::query_scalar(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            out.extend(self.json_list::<Name>(q).await?.into_iter().map(|n| (n.id, n.display_name)));
        }
        Ok(out)
    }

    /// Events on `user`'s agenda in `[from, to)`: those they host that may have occurrences then,
    /// and those they answered for an occurrence then (or the day before, still running); only
    /// events they may still open, and none of a host either of them blocked.
    pub async fn agenda_events(&self, user: &str, from: i64, to: i64) -> Result<Vec<Event>> {
        let inner = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.id IN ( \
                 SELECT h.id FROM events h WHERE h.host_id = $1 AND h.first_start_at < $3 \
                   AND (h.last_end_at IS NULL OR h.last_end_at > $2) \
                 UNION SELECT r.event_id FROM rsvps r WHERE r.user_id = $1 \
                   AND r.occurrence_start >= $2 - 86400000 AND r.occurrence_start < $3 AND r.status <> 'declined') \
               AND {may_open} AND {not_blocked}",
            may_open = may_open_sql("$1"),
            not_blocked = host_not_blocked_sql("$1")
        );
        self.events_list(&inner, |q| q.bind(user.to_owned()).bind(from).bind(to)).await
    }
}
