//! Reminders before events, exactly once per attendee, occurrence and offset across instances
//! (with their notification and mail in the same transaction).

use crate::notifications::{deliver_on, Outgoing};
use crate::{Db, Result};

/// An attendee to remind, with their reminder offsets.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attendee {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    /// Comma-separated minutes before the start, e.g. "1440,60"; empty for none.
    pub reminder_minutes: String,
    /// '24' or '12': how they read the clock.
    pub clock: String,
}

/// One reminder to send, all or nothing.
#[derive(Debug, Clone)]
pub struct Reminder<'a> {
    pub user_id: &'a str,
    pub event_id: &'a str,
    /// The date's real start (epoch ms), which a moved date changes: its reminders go again
    /// for the new time.
    pub occurrence_start: i64,
    /// Every offset that is due now; all are marked sent, one message goes out.
    pub offsets: &'a [i64],
    /// What goes out, as the member wants it; `None` when they turned these off.
    pub out: Option<Outgoing>,
}

impl Db {
    /// Members going to an occurrence, with their reminder settings.
    pub async fn going(&self, event_id: &str, occurrence_start: i64) -> Result<Vec<Attendee>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.email, u.display_name, u.timezone, u.reminder_minutes, u.clock FROM rsvps r \
             JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 AND r.occurrence_start = $2 \
             AND r.status = 'going' AND u.suspended_at IS NULL",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_all(self.read())
        .await?)
    }

    /// Marks the reminder sent and queues its mail and notification in one transaction; false
    /// when another instance (or an earlier run) already did. Crash-safe: either everything is
    /// stored or nothing, so a reminder is neither lost nor sent twice.
    pub async fn send_reminder_once(&self, r: &Reminder<'_>, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let mut claimed = 0;
        for m in r.offsets {
            claimed += sqlx::query(
                "INSERT INTO reminders_sent (user_id, event_id, occurrence_start, minutes_before, sent_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, event_id, occurrence_start, minutes_before) DO NOTHING",
            )
            .bind(r.user_id)
            .bind(r.event_id)
            .bind(r.occurrence_start)
            .bind(m)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some(out) = &r.out {
            deliver_on(&mut tx, out, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Sets when the user wants reminders ("1440,60", "60", "" …).
    pub async fn set_reminder_minutes(&self, user_id: &str, minutes: &str) -> Result<()> {
        sqlx::query("UPDATE users SET reminder_minutes = $2 WHERE id = $1")
            .bind(user_id)
            .bind(minutes)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Every event that may have an occurrence in `[from, to)`, whoever can see it.
    pub async fn all_events_between(&self, from: i64, to: i64) -> Result<Vec<crate::events::Event>> {
        self.events_window_any(from, to).await
    }
}
