//! Group commit for RSVP answers on SQLite.
//!
//! SQLite has one writer, and each statement is a round trip to its connection's thread, so a
//! transaction per answer (begin, read the old answer, count the seats, write, commit) spends
//! most of its time waking threads. The answer writer instead takes every answer waiting in its
//! queue (up to [`MAX_BATCH`]), reads their old answers and their occurrences' seat counts in
//! two queries, decides each answer in arrival order exactly as [`Db::answer_alone`] would,
//! writes them with one multi-row upsert and commits once. A caller hears back only after the
//! commit, so an acknowledged answer is as durable as before.
//!
//! Leaving a seat while someone waits (or late) runs the promotion and the mark in the same
//! transaction, after writing what came before it. If the batch fails (say, one answer names an
//! event deleted meanwhile), nothing of it is kept and each answer is retried alone, so one bad
//! answer fails only its own request.

use std::collections::{HashMap, HashSet};

use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot};

use crate::rsvps::{mark, needs_seat, promote, status_for, AnswerRequest, RsvpOutcome};
use crate::{Db, Result, StoreError};

/// The most answers committed together (7 parameters each, far below SQLite's limit).
pub(crate) const MAX_BATCH: usize = 128;

/// Where answers wait for the writer.
pub(crate) type Queue = mpsc::Sender<Job>;

/// An answer and where its outcome goes.
#[derive(Debug)]
pub(crate) struct Job {
    request: AnswerRequest,
    reply: oneshot::Sender<Result<RsvpOutcome>>,
}

/// Starts the writer on the current runtime; it stops when the last sender is dropped. `db`
/// must have no queue of its own (the writer answers alone through it when it has to).
pub(crate) fn start(db: Db) -> Queue {
    let (queue, mut jobs) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
            run(&db, std::mem::take(&mut batch)).await;
        }
    });
    queue
}

/// Hands an answer to the writer and waits for its outcome. Should the writer be gone (its
/// runtime has ended), the answer is made here.
pub(crate) async fn submit(queue: &Queue, db: &Db, request: AnswerRequest) -> Result<RsvpOutcome> {
    let (reply, outcome) = oneshot::channel();
    match queue.send(Job { request, reply }).await {
        Ok(()) => outcome.await.map_err(|_| StoreError::Sql(sqlx::Error::WorkerCrashed))?,
        Err(mpsc::error::SendError(job)) => db.answer_alone(&job.request).await,
    }
}

async fn run(db: &Db, jobs: Vec<Job>) {
    let requests: Vec<&AnswerRequest> = jobs.iter().map(|j| &j.request).collect();
    let together = async {
        let mut tx = db.begin().await?;
        let outcomes = decide_and_write(&mut tx, &requests).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(outcomes)
    };
    match together.await {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) if jobs.len() == 1 => {
            let _ = jobs.into_iter().next().map(|j| j.reply.send(Err(e)));
        }
        Err(_) => {
            for job in jobs {
                let outcome = db.answer_alone(&job.request).await;
                let _ = job.reply.send(outcome);
            }
        }
    }
}

/// A member's answer for an occurrence: (event, occurrence start, member).
type Key = (String, i64, String);

/// An answer as stored: status, place on the waitlist, goal.
#[derive(Debug, Clone)]
struct Held {
    status: String,
    queued_at: i64,
    goal: String,
}

/// Seats taken and places on the waitlist of one occurrence.
#[derive(Debug, Clone, Copy, Default)]
struct Seats {
    going: i64,
    waiting: i64,
}

impl Seats {
    fn count(&mut self, status: &str, by: i64) {
        match status {
            "going" => self.going += by,
            "waitlisted" => self.waiting += by,
            _ => {}
        }
    }
}

async fn decide_and_write(conn: &mut AnyConnection, requests: &[&AnswerRequest]) -> Result<Vec<RsvpOutcome>> {
    let mut held = held_answers(conn, requests).await?;
    let mut seats = seat_counts(conn, requests).await?;
    let mut pending: Vec<(Key, Held, i64)> = Vec::new();
    let mut outcomes = Vec::with_capacity(requests.len());
    // Members who gave up their seat, whose room connections must be asked again.
    let mut left: Vec<&str> = Vec::new();
    for r in requests {
        let key: Key = (r.event_id.clone(), r.occurrence_start, r.user.clone());
        let occurrence = seats.entry((r.event_id.clone(), r.occurrence_start)).or_default();
        let before = held.get(&key).cloned();
        let prev_status = before.as_ref().map(|h| h.status.as_str());
        let seat_free = !needs_seat(r.answer, prev_status) || r.capacity.is_none_or(|c| occurrence.going < c);
        let status = status_for(r.answer, prev_status, seat_free);
        let queued_at = match &before {
            Some(h) if h.status == "waitlisted" && status == "waitlisted" => h.queued_at,
            _ => r.now,
        };
        let goal = r.goal.clone().or_else(|| before.as_ref().map(|h| h.goal.clone())).unwrap_or_default();
        if let Some(p) = prev_status {
            occurrence.count(p, -1);
        }
        occurrence.count(status, 1);
        let now_held = Held { status: status.to_owned(), queued_at, goal };
        held.insert(key.clone(), now_held.clone());
        // A key twice in one upsert statement is not something to rely on: write the first.
        if pending.iter().any(|(k, _, _)| *k == key) {
            write(conn, &mut pending).await?;
        }
        pending.push((key, now_held, r.now));

        let mut promoted = None;
        let left_seat = prev_status == Some("going") && status != "going";
        if left_seat {
            left.push(&r.user);
        }
        if left_seat && (r.late || occurrence.waiting > 0) {
            write(conn, &mut pending).await?;
            if r.late {
                mark(conn, &r.user, &r.event_id, r.occurrence_start, "late_cancel", r.now).await?;
            }
            if occurrence.waiting > 0 {
                promoted = promote(conn, &r.event_id, r.occurrence_start, r.now).await?;
            }
            if let Some(user) = &promoted {
                occurrence.count("waitlisted", -1);
                occurrence.count("going", 1);
                if let Some(h) = held.get_mut(&(r.event_id.clone(), r.occurrence_start, user.clone())) {
                    h.status = "going".into();
                }
            }
        }
        outcomes.push(RsvpOutcome { status: status.to_owned(), promoted });
    }
    write(conn, &mut pending).await?;
    if let Some(now) = requests.iter().map(|r| r.now).max() {
        crate::access_changes::note_in(conn, crate::access_changes::Scope::User, &left, now).await?;
    }
    Ok(outcomes)
}

/// The stored answers of the members and occurrences in `requests`.
async fn held_answers(conn: &mut AnyConnection, requests: &[&AnswerRequest]) -> Result<HashMap<Key, Held>> {
    let keys: HashSet<(&str, i64, &str)> =
        requests.iter().map(|r| (r.event_id.as_str(), r.occurrence_start, r.user.as_str())).collect();
    let terms: Vec<String> = (0..keys.len())
        .map(|i| {
            format!(
                "(event_id = ${} AND occurrence_start = ${} AND user_id = ${})",
                3 * i + 1,
                3 * i + 2,
                3 * i + 3
            )
        })
        .collect();
    let sql = format!(
        "SELECT event_id, occurrence_start, user_id, status, queued_at, goal FROM rsvps WHERE {}",
        terms.join(" OR ")
    );
    let mut q = sqlx::query_as::<_, (String, i64, String, String, i64, String)>(&sql);
    for (event, start, user) in &keys {
        q = q.bind(*event).bind(*start).bind(*user);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(e, s, u, status, queued_at, goal)| ((e, s, u), Held { status, queued_at, goal }))
        .collect())
}

/// Seats taken and waitlist places of the occurrences in `requests`.
async fn seat_counts(
    conn: &mut AnyConnection,
    requests: &[&AnswerRequest],
) -> Result<HashMap<(String, i64), Seats>> {
    let occurrences: HashSet<(&str, i64)> =
        requests.iter().map(|r| (r.event_id.as_str(), r.occurrence_start)).collect();
    let terms: Vec<String> = (0..occurrences.len())
        .map(|i| format!("(event_id = ${} AND occurrence_start = ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let sql = format!(
        "SELECT event_id, occurrence_start, \
         SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END) \
         FROM seat_holders WHERE status IN ('going', 'waitlisted') AND ({}) GROUP BY event_id, occurrence_start",
        terms.join(" OR ")
    );
    let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql);
    for (event, start) in &occurrences {
        q = q.bind(*event).bind(*start);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(e, s, going, waiting)| ((e, s), Seats { going, waiting })).collect())
}

/// Writes the pending answers with one upsert and empties the list.
async fn write(conn: &mut AnyConnection, pending: &mut Vec<(Key, Held, i64)>) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..pending.len())
        .map(|i| {
            let p: Vec<String> = (1..=7).map(|j| format!("${}", 7 * i + j)).collect();
            format!("({})", p.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, queued_at, updated_at) \
         VALUES {} ON CONFLICT (event_id, occurrence_start, user_id) DO UPDATE \
         SET status = excluded.status, goal = excluded.goal, queued_at = excluded.queued_at, \
             updated_at = excluded.updated_at",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for ((event, start, user), h, now) in pending.iter() {
        q = q.bind(event).bind(*start).bind(user).bind(&h.status).bind(&h.goal).bind(h.queued_at).bind(*now);
    }
    q.execute(&mut *conn).await?;
    pending.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventFields;
    use crate::rsvps::Answer;
    use crate::testing::TestDatabase;
    use crate::users::NewUser;

    async fn world() -> (TestDatabase, Db, String, Vec<String>) {
        let t = TestDatabase::create().await;
        let db = Db::connect(&t.url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let mut users = Vec::new();
        for n in 0..7 {
            let (email, name) = (format!("b{n}@example.org"), format!("Member {n}"));
            let new = NewUser {
                email: &email,
                password_hash: "h",
                display_name: &name,
                timezone: "UTC",
                admin_if_first: false,
            };
            users.push(db.create_user(new, 0).await.expect("user").id);
        }
        let fields = EventFields {
            kind: "cowork".into(),
            title: "Library table".into(),
            description: String::new(),
            is_virtual: false,
            place_name: "Library".into(),
            city_id: None,
            city_label: String::new(),
            video_url: String::new(),
            start_local: "2026-12-02T18:00".into(),
            time_zone: "UTC".into(),
            duration_minutes: 60,
            rrule: String::new(),
            exdates: String::new(),
            first_start_at: 1_000,
            last_end_at: Some(2_000),
            capacity: Some(2),
            visibility: "public".into(),
            group_id: None,
            venue_id: None,
            venue_rotation: String::new(),
        };
        let event = db.create_event(&users[0], &fields, 0).await.expect("event");
        (t, db, event, users[1..].to_vec())
    }

    /// A fixed, varied run of answers: six members, two occurrences of two seats each.
    fn answers(event: &str, members: &[String]) -> Vec<AnswerRequest> {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        (0..120)
            .map(|i| AnswerRequest {
                event_id: event.to_owned(),
                occurrence_start: [1_000, 5_000][next(2) as usize],
                user: members[next(members.len() as u64) as usize].clone(),
                answer: [Answer::Going, Answer::Going, Answer::Maybe, Answer::Declined][next(4) as usize],
                goal: (next(3) == 0).then(|| format!("goal {i}")),
                capacity: Some(2),
                late: next(5) == 0,
                now: 100 + i,
            })
            .collect()
    }

    type Stored = Vec<(i64, String, String, String, i64, i64)>;

    async fn stored(db: &Db, event: &str) -> (Stored, Vec<(String, i64, String)>) {
        let rows = sqlx::query_as(
            "SELECT occurrence_start, user_id, status, goal, queued_at, updated_at FROM rsvps \
             WHERE event_id = $1 ORDER BY occurrence_start, user_id",
        )
        .bind(event)
        .fetch_all(db.read())
        .await
        .expect("rsvps");
        let marks = sqlx::query_as(
            "SELECT user_id, occurrence_start, kind FROM reliability_marks ORDER BY user_id, occurrence_start",
        )
        .fetch_all(db.read())
        .await
        .expect("marks");
        (rows, marks)
    }

    #[tokio::test]
    async fn answers_committed_together_decide_exactly_as_answers_made_one_at_a_time() {
        let (_a, alone, event_a, members_a) = world().await;
        let (_b, together, event_b, members_b) = world().await;
        let mut one_by_one = Vec::new();
        for r in answers(&event_a, &members_a) {
            one_by_one.push(alone.answer_alone(&r).await.expect("answer"));
        }
        let batch = answers(&event_b, &members_b);
        let refs: Vec<&AnswerRequest> = batch.iter().collect();
        let mut tx = together.begin().await.expect("begin");
        let outcomes = decide_and_write(&mut tx, &refs).await.expect("batch");
        tx.commit().await.expect("commit");

        // Same members in the same places of each world, so ids map by position.
        let rename = |id: &str| members_b.iter().position(|m| m == id).map(|i| members_a[i].clone());
        let outcomes: Vec<RsvpOutcome> = outcomes
            .into_iter()
            .map(|o| RsvpOutcome { status: o.status, promoted: o.promoted.and_then(|p| rename(&p)) })
            .collect();
        assert!(one_by_one.iter().any(|o| o.status == "waitlisted"), "the run fills the seats");
        assert!(one_by_one.iter().any(|o| o.promoted.is_some()), "the run promotes from the waitlist");
        assert_eq!(outcomes, one_by_one);

        let (rows_a, marks_a) = stored(&alone, &event_a).await;
        let (rows_b, marks_b) = stored(&together, &event_b).await;
        let mut rows_b: Stored = rows_b
            .into_iter()
            .map(|(s, u, st, g, q, up)| (s, rename(&u).expect("member"), st, g, q, up))
            .collect();
        rows_b.sort();
        let mut marks_b: Vec<_> =
            marks_b.into_iter().map(|(u, s, k)| (rename(&u).expect("member"), s, k)).collect();
        marks_b.sort();
        assert!(!marks_a.is_empty(), "the run cancels late");
        assert_eq!(rows_b, rows_a);
        assert_eq!(marks_b, marks_a);
    }

    #[tokio::test]
    async fn one_bad_answer_fails_alone_and_the_rest_are_kept() {
        let (_t, db, event, members) = world().await;
        let mut requests = answers(&event, &members);
        requests.truncate(20);
        requests.insert(7, AnswerRequest { event_id: "no-such-event".into(), ..requests[0].clone() });
        let mut replies = Vec::new();
        let jobs = requests
            .into_iter()
            .map(|request| {
                let (reply, outcome) = oneshot::channel();
                replies.push(outcome);
                Job { request, reply }
            })
            .collect();
        run(&db, jobs).await;
        for (i, reply) in replies.into_iter().enumerate() {
            let outcome = reply.await.expect("a reply");
            assert_eq!(outcome.is_err(), i == 7, "answer {i}: {outcome:?}");
        }
        let (rows, _) = stored(&db, &event).await;
        assert!(!rows.is_empty(), "the good answers are kept");
    }
}
