//! What one event's page needs beyond the event itself, in one statement: its host's name and
//! photo, its group, whether it is a focus pair's, all its overrides, and its seat counts and
//! one member's answers in a window of occurrence keys. (Read as five statements, the event page spent more time handing queries to
//! the database's thread than in the database.)

use std::ops::Range;

use crate::events::{Event, Override};
use crate::json_rows::JsonPart;
use crate::{Db, Result};

/// See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct EventDetails {
    /// The host's display name; empty when the host is gone.
    pub host_name: String,
    /// The host's photo and who may see it (everyone | groups | partners).
    pub host_photo: Option<String>,
    pub host_vis_photo: String,
    /// Whether the event is a focus pair's session (two members paired, no host).
    pub pair: bool,
    /// The event's group, (id, name), when it has one that still exists.
    pub group: Option<(String, String)>,
    /// Every override of the event, in occurrence order.
    pub overrides: Vec<Override>,
    /// (occurrence start, going, waitlisted) for occurrences keyed in the window.
    pub counts: Vec<(i64, i64, i64)>,
    /// The member's (occurrence start, status) for occurrences keyed in the window.
    pub mine: Vec<(i64, String)>,
}

#[derive(serde::Deserialize)]
struct Host {
    display_name: String,
    photo_id: Option<String>,
    vis_photo: String,
}

#[derive(serde::Deserialize)]
struct Count1 {
    n: i64,
}

#[derive(serde::Deserialize)]
struct GroupRow {
    id: String,
    name: String,
}

#[derive(serde::Deserialize)]
struct Count {
    occurrence_start: i64,
    going: i64,
    waitlisted: i64,
}

#[derive(serde::Deserialize)]
struct Answer {
    occurrence_start: i64,
    status: String,
}

#[derive(serde::Deserialize)]
struct Parts {
    host: Vec<Host>,
    pair: Vec<Count1>,
    group: Vec<GroupRow>,
    overrides: Vec<Override>,
    counts: Vec<Count>,
    mine: Vec<Answer>,
}

impl Db {
    /// [`EventDetails`] of `e` for `viewer`, with counts and answers for occurrences keyed in
    /// `keys`.
    pub async fn event_details(&self, e: &Event, viewer: &str, keys: Range<i64>) -> Result<EventDetails> {
        // $1 event, $2..$3 keys, $4 viewer, $5 host, $6 group ('' for none: no group has that id).
        let parts = [
            JsonPart {
                name: "host",
                inner: "SELECT display_name, photo_id, vis_photo FROM users WHERE id = $5",
                cols: &["display_name", "photo_id", "vis_photo"],
                order_by: "t.display_name",
            },
            JsonPart {
                name: "pair",
                inner: "SELECT COUNT(*) AS n FROM bookings WHERE event_id = $1 AND status = 'matched'",
                cols: &["n"],
                order_by: "t.n",
            },
            JsonPart {
                name: "group",
                inner: "SELECT id, name FROM groups WHERE id = $6",
                cols: &["id", "name"],
                order_by: "t.id",
            },
            JsonPart {
                name: "overrides",
                inner: "SELECT occurrence_start, cancelled, start_local, duration_minutes, title \
                        FROM occurrence_overrides WHERE event_id = $1",
                cols: &["occurrence_start", "cancelled", "start_local", "duration_minutes", "title"],
                order_by: "t.occurrence_start",
            },
            JsonPart {
                name: "counts",
                inner: "SELECT occurrence_start, \
                          COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0) AS going, \
                          COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waitlisted \
                        FROM seat_holders WHERE event_id = $1 AND occurrence_start >= $2 AND occurrence_start < $3 \
                        GROUP BY occurrence_start",
                cols: &["occurrence_start", "going", "waitlisted"],
                order_by: "t.occurrence_start",
            },
            JsonPart {
                name: "mine",
                // `user_id || ''` keeps SQLite on the primary key (see `Db::my_rsvps_of`).
                inner: "SELECT occurrence_start, status FROM rsvps WHERE event_id = $1 \
                        AND occurrence_start >= $2 AND occurrence_start < $3 AND user_id || '' = $4",
                cols: &["occurrence_start", "status"],
                order_by: "t.occurrence_start",
            },
        ];
        let sql = self.json_parts_sql("", &parts);
        let q = sqlx::query_scalar(&sql)
            .bind(e.id.clone())
            .bind(keys.start)
            .bind(keys.end)
            .bind(viewer.to_owned())
            .bind(e.host_id.clone())
            .bind(e.group_id.clone().unwrap_or_default());
        let p: Parts = self.json_value(q).await?;
        let host = p.host.into_iter().next();
        Ok(EventDetails {
            host_name: host.as_ref().map(|h| h.display_name.clone()).unwrap_or_default(),
            host_photo: host.as_ref().and_then(|h| h.photo_id.clone()),
            host_vis_photo: host.map(|h| h.vis_photo).unwrap_or_default(),
            pair: p.pair.first().is_some_and(|c| c.n > 0),
            group: p.group.into_iter().next().map(|g| (g.id, g.name)),
            overrides: p.overrides,
            counts: p.counts.into_iter().map(|c| (c.occurrence_start, c.going, c.waitlisted)).collect(),
            mine: p.mine.into_iter().map(|a| (a.occurrence_start, a.status)).collect(),
        })
    }
}
