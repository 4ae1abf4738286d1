//! What a list of events needs, read for many events at once: their overrides, seat counts and
//! one member's answers, one query per kind rather than one per event; their hosts' names; and
//! the events on a member's agenda. (The load harness found lists spending their time in per-event queries.)
//!
//! Reads for a window take the range of occurrence keys (original starts) it needs, so a
//! series that has run for years costs no more than a new one.

use std::collections::HashMap;
use std::ops::Range;

use crate::events::{
    host_not_blocked_sql, may_open_sql, sort_by_start, Event, Override, EVENT_COLS, EVENT_FIELDS,
};
use crate::json_rows::JsonPart;
use crate::{Db, Result};

/// Ids bound per statement (well below every backend's limit on parameters).
pub(crate) const CHUNK: usize = 400;

/// Up to this many events, a member's answers are looked up event by event (see `my_rsvps_of`).
const BY_EVENT_MAX: usize = 8;

/// "$first, $first+1, …" for `n` parameters.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// An override with its event's id, as [`OVERRIDE_FIELDS`] (read as a JSON row: no flattening).
#[derive(serde::Deserialize)]
pub(crate) struct OverrideRow {
    event_id: String,
    occurrence_start: i64,
    cancelled: i64,
    start_local: Option<String>,
    duration_minutes: Option<i64>,
    title: Option<String>,
}

impl OverrideRow {
    pub(crate) fn split(self) -> (String, Override) {
        let o = Override {
            occurrence_start: self.occurrence_start,
            cancelled: self.cancelled,
            start_local: self.start_local,
            duration_minutes: self.duration_minutes,
            title: self.title,
        };
        (self.event_id, o)
    }
}

pub(crate) const OVERRIDE_FIELDS: &[&str] =
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
pub(crate) struct AnswerRow {
    event_id: String,
    occurrence_start: i64,
    status: String,
}

pub(crate) const ANSWER_FIELDS: &[&str] = &["event_id", "occurrence_start", "status"];

/// What a list of events shows about their occurrences in a window, by event id (see
/// [`Db::occurrence_state_of`]).
#[derive(Debug, Default)]
pub struct OccurrenceState {
    /// Overrides, in occurrence order.
    pub overrides: HashMap<String, Vec<Override>>,
    /// (occurrence start, going, waitlisted).
    pub counts: HashMap<String, Vec<(i64, i64, i64)>>,
    /// The member's (occurrence start, status).
    pub mine: HashMap<String, Vec<(i64, String)>>,
}

/// A member's agenda as [`Db::agenda_of`] reads it.
#[derive(Debug, Default)]
pub struct Agenda {
    /// The events, by first start.
    pub events: Vec<Event>,
    /// Their overrides by event id, in occurrence order (perhaps of a few more events).
    pub overrides: HashMap<String, Vec<Override>>,
    /// The member's (occurrence start, status) by event id, for any event.
    pub answers: HashMap<String, Vec<(i64, String)>>,
}

#[derive(serde::Deserialize)]
struct StateParts {
    overrides: Vec<OverrideRow>,
    counts: Vec<CountRow>,
    mine: Vec<AnswerRow>,
}

/// The overrides of the events bound as `list` keyed in `[$1, $2)`, as [`OVERRIDE_FIELDS`].
fn overrides_in(list: &str) -> String {
    format!(
        "SELECT event_id, occurrence_start, cancelled, start_local, duration_minutes, title \
         FROM occurrence_overrides WHERE event_id IN ({list}) AND occurrence_start >= $1 \
         AND occurrence_start < $2"
    )
}

/// Overrides grouped by event, in the order read.
pub(crate) fn overrides_by_event(rows: Vec<OverrideRow>, out: &mut HashMap<String, Vec<Override>>) {
    for (id, o) in rows.into_iter().map(OverrideRow::split) {
        out.entry(id).or_default().push(o);
    }
}

/// Answers grouped by event.
pub(crate) fn by_event(rows: Vec<AnswerRow>, out: &mut HashMap<String, Vec<(i64, String)>>) {
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
            let sql = overrides_in(&placeholders(3, chunk.len()));
            let sql = self.json_rows_sql(&sql, OVERRIDE_FIELDS, "t.event_id, t.occurrence_start");
            let mut q = sqlx::query_scalar(&sql).bind(keys.start).bind(keys.end);
            for id in chunk {
                q = q.bind(id.clone());
            }
            overrides_by_event(self.json_list::<OverrideRow>(q).await?, &mut out);
        }
        Ok(out)
    }

    /// What listing `ids` needs for occurrences keyed in `keys`, one statement per chunk of
    /// ids: each event's overrides, its seat counts, and `user`'s answers.
    ///
    /// For a few events, the member's answers are looked up through the primary key; for more,
    /// through the member's range in `rsvps_user`. Each `|| ''` keeps SQLite's planner off the
    /// other index: left to choose, it took the member's range even for one event, which for a
    /// busy member read 200 rows to find one.
    pub async fn occurrence_state_of(
        &self,
        ids: &[String],
        user: &str,
        keys: Range<i64>,
    ) -> Result<OccurrenceState> {
        let mut out = OccurrenceState::default();
        for chunk in ids.chunks(CHUNK) {
            // $1..$2 keys, $3 the member, $4.. the ids.
            let list = placeholders(4, chunk.len());
            let overrides = overrides_in(&list);
            let counts = format!(
                "SELECT event_id, occurrence_start, \
                        COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0) AS going, \
                        COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waitlisted \
                 FROM seat_holders WHERE event_id IN ({list}) AND occurrence_start >= $1 AND occurrence_start < $2 \
                 GROUP BY event_id, occurrence_start"
            );
            let (off_user, off_event) =
                if chunk.len() > BY_EVENT_MAX { ("", " || ''") } else { (" || ''", "") };
            let mine = format!(
                "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id{off_user} = $3 \
                 AND occurrence_start >= $1 AND occurrence_start < $2 AND event_id{off_event} IN ({list})"
            );
            let order = "t.event_id, t.occurrence_start";
            let sql = self.json_parts_sql(
                "",
                &[
                    JsonPart { name: "overrides", inner: &overrides, cols: OVERRIDE_FIELDS, order_by: order },
                    JsonPart {
                        name: "counts",
                        inner: &counts,
                        cols: &["event_id", "occurrence_start", "going", "waitlisted"],
                        order_by: order,
                    },
                    JsonPart { name: "mine", inner: &mine, cols: ANSWER_FIELDS, order_by: order },
                ],
            );
            let mut q = sqlx::query_scalar(&sql).bind(keys.start).bind(keys.end).bind(user.to_owned());
            for id in chunk {
                q = q.bind(id.clone());
            }
            let parts: StateParts = self.json_value(q).await?;
            overrides_by_event(parts.overrides, &mut out.overrides);
            for r in parts.counts {
                out.counts.entry(r.event_id).or_default().push((r.occurrence_start, r.going, r.waitlisted));
            }
            by_event(parts.mine, &mut out.mine);
        }
        Ok(out)
    }

    /// `user`'s agenda in `[from, to)`, in one statement: the events they host that may have
    /// occurrences then, and those they answered for an occurrence then (or the day before,
    /// still running), only those they may still open and none of a host either of them blocked;
    /// with those events' overrides and the member's answers keyed in `keys`.
    pub async fn agenda_of(&self, user: &str, from: i64, to: i64, keys: Range<i64>) -> Result<Agenda> {
        // $1 the member, $2..$3 the agenda's window, $4..$5 the keys.
        let ids = "SELECT h.id FROM events h WHERE h.host_id = $1 AND h.first_start_at < $3 \
                     AND (h.last_end_at IS NULL OR h.last_end_at > $2) \
                   UNION SELECT r.event_id FROM rsvps r WHERE r.user_id = $1 \
                     AND r.occurrence_start >= $2 - 86400000 AND r.occurrence_start < $3 AND r.status <> 'declined'";
        let events = format!(
            "SELECT {EVENT_COLS} FROM events e WHERE e.id IN (SELECT id FROM ids) AND {may_open} AND {not_blocked}",
            may_open = may_open_sql("$1"),
            not_blocked = host_not_blocked_sql("$1")
        );
        // Overrides of the events before the checks: perhaps a few more rows, no second pass.
        let overrides = "SELECT event_id, occurrence_start, cancelled, start_local, duration_minutes, title \
             FROM occurrence_overrides WHERE event_id IN (SELECT id FROM ids) AND occurrence_start >= $4 \
             AND occurrence_start < $5";
        let answers = "SELECT event_id, occurrence_start, status FROM rsvps WHERE user_id = $1 \
                       AND occurrence_start >= $4 AND occurrence_start < $5";
        let order = "t.event_id, t.occurrence_start";
        let sql = self.json_parts_sql(
            &format!("ids (id) AS ({ids})"),
            &[
                JsonPart { name: "events", inner: &events, cols: EVENT_FIELDS, order_by: "" },
                JsonPart { name: "overrides", inner: overrides, cols: OVERRIDE_FIELDS, order_by: order },
                JsonPart { name: "answers", inner: answers, cols: ANSWER_FIELDS, order_by: order },
            ],
        );
        #[derive(serde::Deserialize)]
        struct Parts {
            events: Vec<Event>,
            overrides: Vec<OverrideRow>,
            answers: Vec<AnswerRow>,
        }
        let q = sqlx::query_scalar(&sql)
            .bind(user.to_owned())
            .bind(from)
            .bind(to)
            .bind(keys.start)
            .bind(keys.end);
        let parts: Parts = self.json_value(q).await?;
        let mut out = Agenda { events: parts.events, ..Agenda::default() };
        sort_by_start(&mut out.events);
        overrides_by_event(parts.overrides, &mut out.overrides);
        by_event(parts.answers, &mut out.answers);
        Ok(out)
    }
}
