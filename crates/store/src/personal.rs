//! What a member made or answered that the capabilities' own exports leave out, for their data
//! export: each section one statement over the member's own rows (`$1`), read as JSON objects by
//! column name. Other people appear only by the display name every member sees.

use serde_json::{Map, Value};
use sqlx::{Column, Row};

use crate::portable::value_of;
use crate::{Db, Result};

/// (area, section, statement). The area names the file of the export it goes in.
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("events", "hosted", "SELECT e.id, e.title, e.kind, e.description, e.group_id, e.is_virtual, e.place_name, \
        e.city_label, e.video_url, e.start_local, e.time_zone, e.duration_minutes, e.rrule, e.exdates, e.capacity, \
        e.visibility, e.show_to_visitors, e.venue_id, e.created_at, e.updated_at FROM events e WHERE e.host_id = $1 \
        ORDER BY e.created_at, e.id"),
    ("events", "dates_changed", "SELECT o.event_id, e.title AS event_title, o.occurrence_start, o.cancelled, \
        o.start_local, o.duration_minutes, o.title FROM occurrence_overrides o JOIN events e ON e.id = o.event_id \
        WHERE e.host_id = $1 ORDER BY o.event_id, o.occurrence_start"),
    ("events", "answers", "SELECT r.event_id, e.title AS event_title, r.occurrence_start, r.status, r.goal, \
        r.goal_done, r.attended, r.arrival, r.substitute, r.updated_at FROM rsvps r JOIN events e ON e.id = r.event_id \
        WHERE r.user_id = $1 ORDER BY r.occurrence_start, r.event_id"),
    ("events", "room_messages", "SELECT m.room_id, ro.event_id, ro.occurrence_start, m.seq, m.kind, m.body, m.created_at \
        FROM room_messages m JOIN rooms ro ON ro.id = m.room_id WHERE m.user_id = $1 ORDER BY m.created_at, m.seq"),
    ("events", "visitors_written_down", "SELECT v.event_id, v.occurrence_start, v.name, v.created_at \
        FROM date_visitors v WHERE v.added_by = $1 ORDER BY v.created_at, v.id"),
    ("events", "messages_sent", "SELECT b.scope, b.scope_id, b.body, b.created_at FROM broadcasts b \
        WHERE b.author_id = $1 ORDER BY b.created_at, b.id"),
    ("polls", "made", "SELECT p.id, p.title, p.kind, p.duration_minutes, p.time_zone, p.preset, p.is_virtual, \
        p.place_name, p.city_label, p.event_id, p.created_at, p.closed_at FROM polls p WHERE p.organiser_id = $1 \
        ORDER BY p.created_at, p.id"),
    ("polls", "slots_proposed", "SELECT s.poll_id, s.start_at, s.end_at, s.explain FROM poll_slots s \
        JOIN polls p ON p.id = s.poll_id WHERE p.organiser_id = $1 ORDER BY s.poll_id, s.start_at"),
    ("polls", "votes", "SELECT v.poll_id, p.title AS poll_title, v.start_at, v.vote FROM poll_votes v \
        JOIN polls p ON p.id = v.poll_id WHERE v.user_id = $1 ORDER BY v.poll_id, v.start_at"),
    ("groups", "board_entries", "SELECT b.group_id, g.name AS group_name, b.week, b.focus, b.outcome, b.reported_at, \
        b.created_at FROM board_entries b JOIN groups g ON g.id = b.group_id WHERE b.user_id = $1 \
        ORDER BY b.week, b.group_id"),
    ("groups", "follows", "SELECT f.group_id, g.name AS group_name, f.created_at FROM group_follows f \
        JOIN groups g ON g.id = f.group_id WHERE f.user_id = $1 ORDER BY f.created_at, f.group_id"),
    ("groups", "classifications", "SELECT c.group_id, g.name AS group_name, c.name FROM group_classifications c \
        JOIN groups g ON g.id = c.group_id WHERE c.holder_id = $1 ORDER BY c.group_id"),
    ("groups", "this_helped", "SELECT h.target_id, h.post_id, h.created_at FROM helped h WHERE h.user_id = $1 \
        ORDER BY h.created_at, h.target_id"),
    ("groups", "reports_made", "SELECT r.group_id, r.post_id, r.reply_id, r.reason, r.created_at, r.resolved_at, \
        r.resolution FROM reports r WHERE r.reporter_id = $1 ORDER BY r.created_at, r.id"),
    ("goals", "cheers_given", "SELECT c.goal_id, c.target_id, c.created_at FROM cheers c WHERE c.user_id = $1 \
        ORDER BY c.created_at, c.target_id"),
    ("goals", "comments_written", "SELECT c.goal_id, c.checkin_id, c.body, c.created_at FROM goal_comments c \
        WHERE c.author_id = $1 ORDER BY c.created_at, c.id"),
    ("referrals", "one_to_one_notes", "SELECT o.id, o.other_id, u.display_name AS other_name, o.met_at, o.note, \
        o.created_at FROM one_to_ones o LEFT JOIN users u ON u.id = o.other_id WHERE o.user_id = $1 \
        ORDER BY o.met_at, o.id"),
    ("referrals", "help_asked_and_offered", "SELECT h.id, h.kind, h.skill, h.note, h.open, h.created_at \
        FROM help_posts h WHERE h.user_id = $1 ORDER BY h.created_at, h.id"),
    ("referrals", "help_answers", "SELECT r.help_id, r.message, r.created_at FROM help_replies r WHERE r.user_id = $1 \
        ORDER BY r.created_at, r.help_id"),
    ("venues", "added", "SELECT v.id, v.name, v.kind, v.address, v.city_label, v.lat, v.lon, v.time_zone, v.noise, \
        v.wifi, v.outlets, v.price, v.hours, v.exceptions, v.accessibility, v.created_at, v.updated_at \
        FROM venues v WHERE v.created_by = $1 ORDER BY v.created_at, v.id"),
    ("venues", "edits", "SELECT e.venue_id, v.name AS venue_name, e.at, e.summary FROM venue_edits e \
        JOIN venues v ON v.id = e.venue_id WHERE e.user_id = $1 ORDER BY e.at, e.id"),
    ("venues", "reviews", "SELECT r.venue_id, v.name AS venue_name, r.event_id, r.occurrence_start, r.noise, r.wifi, \
        r.outlets, r.good_for_work, r.note, r.created_at FROM venue_reviews r JOIN venues v ON v.id = r.venue_id \
        WHERE r.user_id = $1 ORDER BY r.created_at, r.id"),
    ("venues", "near_my_home", "SELECT n.venue_id, v.name AS venue_name, n.created_at FROM venue_near_home n \
        JOIN venues v ON v.id = n.venue_id WHERE n.user_id = $1 ORDER BY n.created_at, n.venue_id"),
    ("notification_settings", "delivery", "SELECT p.category, p.delivery FROM notification_prefs p WHERE p.user_id = $1 \
        ORDER BY p.category"),
    ("notification_settings", "quiet_hours", "SELECT q.starts, q.ends FROM quiet_hours q WHERE q.user_id = $1"),
];

impl Db {
    /// Every section of [`SECTIONS`] for `user`: (area, section, rows).
    pub async fn personal_sections(
        &self,
        user: &str,
    ) -> Result<Vec<(&'static str, &'static str, Vec<Value>)>> {
        let mut out = Vec::with_capacity(SECTIONS.len());
        for (area, name, sql) in SECTIONS {
            let rows = sqlx::query(sql).bind(user).fetch_all(self.read()).await?;
            let mut objects = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut o = Map::new();
                for (i, c) in row.columns().iter().enumerate() {
                    o.insert(c.name().to_owned(), value_of(row, i)?);
                }
                objects.push(Value::Object(o));
            }
            out.push((*area, *name, objects));
        }
        Ok(out)
    }
}
