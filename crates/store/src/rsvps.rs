//! Answers per occurrence with capacity and a first-come waitlist, goals, attendance and the
//! reliability marks (late cancellations, no-shows) they leave.

use crate::{Backend, Db, Result};

/// One member's answer for one occurrence.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Rsvp {
    pub user_id: String,
    pub display_name: String,
    pub status: String,
    pub goal: String,
    pub goal_done: Option<i64>,
    pub attended: Option<i64>,
    /// '' | late | substitute (with `substitute` who came instead).
    pub arrival: String,
    pub substitute: String,
    pub queued_at: i64,
    /// The member's photo and who may see it (the caller decides whether the viewer may).
    pub photo_id: Option<String>,
    pub vis_photo: String,
}

/// What a member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A seat, or a place on the waitlist when full.
    Going,
    /// Interested; takes no seat.
    Maybe,
    /// Not coming.
    Declined,
}

/// What an RSVP did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsvpOutcome {
    /// going | maybe | declined | waitlisted
    pub status: String,
    /// A member moved from the waitlist into the freed seat.
    pub promoted: Option<String>,
}

/// One answer, as the writer receives it.
#[derive(Debug, Clone)]
pub(crate) struct AnswerRequest {
    pub event_id: String,
    pub occurrence_start: i64,
    pub user: String,
    pub answer: Answer,
    /// What I'll work on; `None` keeps what was there.
    pub goal: Option<String>,
    pub capacity: Option<i64>,
    /// The answer comes close to the start: leaving a seat now is a late cancellation.
    pub late: bool,
    pub now: i64,
}

/// Whether an answer asks for a seat it does not hold yet (and so needs the seat count).
pub(crate) fn needs_seat(answer: Answer, prev_status: Option<&str>) -> bool {
    answer == Answer::Going && !matches!(prev_status, Some("going" | "waitlisted"))
}

/// The status an answer leads to: "going" keeps a seat or a waitlist place already held, and
/// otherwise takes a seat when one is free.
pub(crate) fn status_for(answer: Answer, prev_status: Option<&str>, seat_free: bool) -> &'static str {
    match answer {
        Answer::Maybe => "maybe",
        Answer::Declined => "declined",
        Answer::Going => match prev_status {
            Some("going") => "going",
            Some("waitlisted") => "waitlisted",
            _ if seat_free => "going",
            _ => "waitlisted",
        },
    }
}

impl Db {
    /// The answers for one occurrence, seats first, then the waitlist in order.
    pub async fn rsvps(&self, event_id: &str, occurrence_start: i64) -> Result<Vec<Rsvp>> {
        Ok(sqlx::query_as(
            "SELECT r.user_id, u.display_name, r.status, r.goal, r.goal_done, r.attended, r.arrival, r.substitute, r.queued_at, \
             u.photo_id, u.vis_photo FROM rsvps r JOIN users u ON u.id = r.user_id \
             WHERE r.event_id = $1 AND r.occurrence_start = $2 \
             ORDER BY CASE r.status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'maybe' THEN 2 ELSE 3 END, \
                      r.queued_at, u.sort_name",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_all(self.read())
        .await?)
    }

    /// The user's answers to an event at or after `from`: (occurrence start, status).
    pub async fn my_rsvps(&self, event_id: &str, user: &str) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT occurrence_start, status FROM rsvps WHERE event_id = $1 AND user_id = $2")
            .bind(event_id)
            .bind(user)
            .fetch_all(self.read())
            .await?)
    }

    /// Seats taken and waitlist length per occurrence of an event: (start, going, waitlisted).
    pub async fn rsvp_counts(&self, event_id: &str) -> Result<Vec<(i64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT occurrence_start, COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) \
             FROM seat_holders WHERE event_id = $1 GROUP BY occurrence_start",
        )
        .bind(event_id)
        .fetch_all(self.read())
        .await?)
    }

    /// Answers for one occurrence. "going" takes a free seat or joins the waitlist; leaving a
    /// seat (a late cancellation marks it) gives it to the longest-waiting member, returned in
    /// the outcome. On SQLite, answers arriving together are committed together by the answer
    /// writer (`rsvp_batch`); the outcome comes back once it is committed.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        answer: Answer,
        goal: Option<&str>,
        capacity: Option<i64>,
        late: bool,
        now: i64,
    ) -> Result<RsvpOutcome> {
        let request = AnswerRequest {
            event_id: event_id.to_owned(),
            occurrence_start,
            user: user.to_owned(),
            answer,
            goal: goal.map(str::to_owned),
            capacity,
            late,
            now,
        };
        match self.answer_queue() {
            Some(queue) => crate::rsvp_batch::submit(queue, self, request).await,
            None => self.answer_alone(&request).await,
        }
    }

    /// One answer in a transaction of its own.
    pub(crate) async fn answer_alone(&self, r: &AnswerRequest) -> Result<RsvpOutcome> {
        let (event_id, occurrence_start, user) = (r.event_id.as_str(), r.occurrence_start, r.user.as_str());
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            // Serialise answers per event: the seat count below must not change under us.
            sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
        }
        let prev: Option<(String, i64)> = sqlx::query_as(
            "SELECT status, queued_at FROM rsvps WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let prev_status = prev.as_ref().map(|p| p.0.as_str());
        let seat_free = if needs_seat(r.answer, prev_status) {
            let (taken,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM seat_holders WHERE event_id = $1 AND occurrence_start = $2 AND status = 'going'",
            )
            .bind(event_id)
            .bind(occurrence_start)
            .fetch_one(&mut *tx)
            .await?;
            r.capacity.is_none_or(|c| taken < c)
        } else {
            true
        };
        let status = status_for(r.answer, prev_status, seat_free);
        let queued_at = match &prev {
            Some((s, at)) if s == "waitlisted" && status == "waitlisted" => *at,
            _ => r.now,
        };
        sqlx::query(
            "INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, queued_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, occurrence_start, user_id) DO UPDATE \
             SET status = excluded.status, goal = CASE WHEN $8 = 1 THEN excluded.goal ELSE rsvps.goal END, \
                 queued_at = excluded.queued_at, updated_at = excluded.updated_at",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(user)
        .bind(status)
        .bind(r.goal.clone().unwrap_or_default())
        .bind(queued_at)
        .bind(r.now)
        .bind(i64::from(r.goal.is_some()))
        .execute(&mut *tx)
        .await?;
        let mut promoted = None;
        if prev_status == Some("going") && status != "going" {
            if r.late {
                mark(&mut tx, user, event_id, occurrence_start, "late_cancel", r.now).await?;
            }
            promoted = promote(&mut tx, event_id, occurrence_start, r.now).await?;
            crate::access_changes::note_in(&mut tx, crate::access_changes::Scope::User, &[user], r.now)
                .await?;
        }
        tx.commit().await?;
        Ok(RsvpOutcome { status: status.to_owned(), promoted })
    }

    /// The host removes a member from an occurrence; their seat goes to the waitlist.
    pub async fn remove_attendee(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
        }
        let status: Option<(String,)> = sqlx::query_as(
            "SELECT status FROM rsvps WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM rsvps WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3")
            .bind(event_id)
            .bind(occurrence_start)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let promoted = if status.is_some_and(|(s,)| s == "going") {
            promote(&mut tx, event_id, occurrence_start, now).await?
        } else {
            None
        };
        tx.commit().await?;
        Ok(promoted)
    }

    /// Gives free seats of one occurrence to the waitlist, longest waiting first, until
    /// `capacity` (none: no limit) is reached; returns who got one. Used when a host adds seats.
    pub async fn fill_seats(
        &self,
        event_id: &str,
        occurrence_start: i64,
        capacity: Option<i64>,
        now: i64,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
        }
        let (mut going,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM seat_holders WHERE event_id = $1 AND occurrence_start = $2 AND status = 'going'",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .fetch_one(&mut *tx)
        .await?;
        let mut promoted = Vec::new();
        while capacity.is_none_or(|c| going < c) {
            let Some(user) = promote(&mut tx, event_id, occurrence_start, now).await? else { break };
            promoted.push(user);
            going += 1;
        }
        tx.commit().await?;
        Ok(promoted)
    }

    /// Members with an answer (other than declined) for an occurrence at or after `from`.
    pub async fn answered_from(&self, event_id: &str, from: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT user_id FROM rsvps WHERE event_id = $1 AND occurrence_start >= $2 \
             AND status <> 'declined' ORDER BY user_id",
        )
        .bind(event_id)
        .bind(from)
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(u,)| u).collect())
    }

    /// Who is going, may go or waits for a seat at an occurrence at or after `from`: (member,
    /// occurrence key), by member and key.
    pub async fn answers_from(&self, event_id: &str, from: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT user_id, occurrence_start FROM rsvps WHERE event_id = $1 AND occurrence_start >= $2 \
             AND status IN ('going', 'maybe', 'waitlisted') ORDER BY user_id, occurrence_start",
        )
        .bind(event_id)
        .bind(from)
        .fetch_all(self.read())
        .await?)
    }

    /// Re-keys occurrences after a schedule change: what belonged to each `(old, new)` pair's old
    /// start (answers, per-date changes) now belongs to its new start, in one transaction. Sent
    /// reminders stay with the time they were sent for, so the new time is reminded again. Old and new keys may overlap (a series moved by one period), so rows first
    /// move to a parking key far outside any real date, then to their new one.
    pub async fn remap_occurrences(&self, event_id: &str, pairs: &[(i64, i64)]) -> Result<()> {
        // Keys are epoch ms of years 1900–2200 (about ±7.3e12): this offset parks them far below.
        const PARK: i64 = 1_000_000_000_000_000;
        let mut tx = self.begin().await?;
        for table in ["rsvps", "occurrence_overrides"] {
            for (old, _) in pairs {
                sqlx::query(&format!(
                    "UPDATE {table} SET occurrence_start = $3 WHERE event_id = $1 AND occurrence_start = $2"
                ))
                .bind(event_id)
                .bind(old)
                .bind(old - PARK)
                .execute(&mut *tx)
                .await?;
            }
            for (old, new) in pairs {
                sqlx::query(&format!(
                    "UPDATE {table} SET occurrence_start = $3 WHERE event_id = $1 AND occurrence_start = $2"
                ))
                .bind(event_id)
                .bind(old - PARK)
                .bind(new)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The host marks whether a member came; a no-show is recorded for reliability.
    pub async fn mark_attendance(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        came: bool,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE rsvps SET attended = $4, arrival = '', substitute = '', updated_at = $5 WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3")
            .bind(event_id)
            .bind(occurrence_start)
            .bind(user)
            .bind(i64::from(came))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        if came {
            sqlx::query("DELETE FROM reliability_marks WHERE user_id = $1 AND event_id = $2 AND occurrence_start = $3 AND kind = 'no_show'")
                .bind(user)
                .bind(event_id)
                .bind(occurrence_start)
                .execute(&mut *tx)
                .await?;
        } else {
            mark(&mut tx, user, event_id, occurrence_start, "no_show", now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Takes back a check-in made by mistake: a member marked present is neither present nor a
    /// no-show again. A no-show mark stays as it was.
    pub async fn clear_attendance(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE rsvps SET attended = NULL, arrival = '', substitute = '', updated_at = $4 WHERE event_id = $1 \
             AND occurrence_start = $2 AND user_id = $3 AND attended = 1",
        )
        .bind(event_id)
        .bind(occurrence_start)
        .bind(user)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// An attendee ticks their goal done or not.
    pub async fn set_goal_done(
        &self,
        event_id: &str,
        occurrence_start: i64,
        user: &str,
        done: bool,
        now: i64,
    ) -> Result<bool> {
        let r = sqlx::query("UPDATE rsvps SET goal_done = $4, updated_at = $5 WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3 AND status = 'going'")
            .bind(event_id)
            .bind(occurrence_start)
            .bind(user)
            .bind(i64::from(done))
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// A member's late cancellations and no-shows: (kind, event id, occurrence start).
    pub async fn reliability_marks(&self, user: &str) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as("SELECT kind, event_id, occurrence_start FROM reliability_marks WHERE user_id = $1 ORDER BY occurrence_start")
            .bind(user)
            .fetch_all(self.read())
            .await?)
    }
}

pub(crate) async fn mark(
    tx: &mut sqlx::AnyConnection,
    user: &str,
    event_id: &str,
    occurrence_start: i64,
    kind: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO reliability_marks (user_id, event_id, occurrence_start, kind, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, event_id, occurrence_start, kind) DO NOTHING",
    )
    .bind(user)
    .bind(event_id)
    .bind(occurrence_start)
    .bind(kind)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Gives a freed seat to the longest-waiting member; returns who.
pub(crate) async fn promote(
    tx: &mut sqlx::AnyConnection,
    event_id: &str,
    occurrence_start: i64,
    now: i64,
) -> Result<Option<String>> {
    let next: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM rsvps WHERE event_id = $1 AND occurrence_start = $2 AND status = 'waitlisted' \
         ORDER BY queued_at, user_id LIMIT 1",
    )
    .bind(event_id)
    .bind(occurrence_start)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((user,)) = &next {
        sqlx::query("UPDATE rsvps SET status = 'going', updated_at = $4 WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3")
            .bind(event_id)
            .bind(occurrence_start)
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(next.map(|(u,)| u))
}
