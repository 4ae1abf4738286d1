//! Digests: a member who chose "daily" or "weekly" for a category gets its notifications in the
//! app at once and gathered into one email — each morning from `digest_hour` on their clock, or
//! on Monday mornings, when the weekly summary (`summary.rs`) joins them. Only what they have not
//! read in the app yet is gathered. Each digest is claimed once per member and period in the
//! transaction that queues it (`Db::send_once`), so several instances and restarts never send
//! one twice; an empty one is claimed without mail.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use domain::notices::{Category, Kind, Period, Topic};
use store::notifications::{Notification, OutMail, Outgoing};
use store::users::User;
use tokio::sync::watch;

use super::send::{delivery_in, delivery_of, footer, held_until, token};
use super::summary::{self, Section};
use crate::error::AppError;
use crate::state::AppState;

/// How far back the job looks for digests it sent already (longer than a week).
const MEMORY_DAYS: i64 = 8;

/// Queues every digest due at `now`; returns how many emails it queued.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    // Never queue mail in the future (a run for a simulated later `now` still sends at once).
    let stamp = now.timestamp_millis().min(crate::web::now_ms());
    let since = (now - TimeDelta::days(MEMORY_DAYS)).timestamp_millis();
    let sent: HashSet<(String, String, String)> =
        state.db.sent_once_since(since).await?.into_iter().collect();
    let mut joined = None;
    let mut queued = 0;
    for u in state.db.active_users().await? {
        if u.email_verified_at.is_none() {
            continue; // a digest is mail only, and mail waits for a confirmed address
        }
        let zone: Tz = u.timezone.parse().unwrap_or(Tz::UTC);
        for period in [Period::Daily, Period::Weekly] {
            let Some(key) = period.due(now, zone, state.config.digest_hour) else { continue };
            if sent.contains(&(u.id.clone(), period.key().to_owned(), key.clone())) {
                continue;
            }
            if period == Period::Weekly && joined.is_none() {
                joined = Some(summary::newcomers(state, now).await?);
            }
            let compose = compose(state, &u, period, now, joined.as_ref(), stamp);
            let mail = crate::web::dates::on_clock_async(&u.clock, compose).await?;
            let out: Vec<Outgoing> = mail
                .map(|m| Outgoing {
                    user_id: u.id.clone(),
                    kind: format!("digest_{}", period.key()),
                    title: String::new(),
                    link: String::new(),
                    in_app: false,
                    mail: Some(m),
                })
                .into_iter()
                .collect();
            if state.db.send_once(&u.id, period.key(), &key, &out, stamp).await? && !out.is_empty() {
                queued += 1;
            }
        }
    }
    if queued > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(queued)
}

/// The digest email of `u` for `period` at `now`, or `None` when it would be empty.
async fn compose(
    state: &AppState,
    u: &User,
    period: Period,
    now: DateTime<Utc>,
    joined: Option<&HashSet<String>>,
    stamp: i64,
) -> Result<Option<OutMail>, AppError> {
    let chosen = state.db.deliveries(&u.id).await?;
    let gathered: Vec<Kind> =
        Kind::ALL.into_iter().filter(|k| delivery_of(&chosen, *k).period() == Some(period)).collect();
    let sections = match joined {
        Some(joined)
            if period == Period::Weekly
                && delivery_in(&chosen, Category::Summary) == domain::notices::Delivery::Weekly =>
        {
            summary::of(state, u, now, joined).await?
        }
        _ => Vec::new(),
    };
    let items =
        if gathered.is_empty() { Vec::new() } else { unread(state, u, period, now, &gathered).await? };
    if items.is_empty() && sections.is_empty() {
        return Ok(None);
    }
    let public = state.config.public_url();
    let (subject, intro) = match period {
        Period::Daily => ("Your day on Alongside", "Here is what happened since yesterday's email."),
        Period::Weekly => {
            ("Your week on Alongside", "Here is your week ahead, and what happened in the last one.")
        }
    };
    let mut body = format!("Hello {},\n\n{intro}\n", u.display_name);
    for s in &sections {
        body.push_str(&section_text(&public, s));
    }
    if !items.is_empty() {
        let heading = if sections.is_empty() { "New for you" } else { "Also new for you" };
        let lines =
            items.iter().map(|n| summary::Line { text: n.title.clone(), link: n.link.clone() }).collect();
        body.push_str(&section_text(&public, &Section { heading, lines }));
    }
    let unsubscribe =
        format!("{public}/unsubscribe/{}", token(&state.csrf_key, &u.id, Topic::Digest(period)));
    body.push_str(&footer(&public, Topic::Digest(period).label(), &unsubscribe));
    // Quiet hours are read at the digest's own moment (`now`), which a test may set ahead.
    let due = held_until(state, &u.id, &u.timezone, now.timestamp_millis()).await?.unwrap_or(stamp);
    Ok(Some(OutMail {
        to: u.email.clone(),
        subject: subject.to_owned(),
        body,
        unsubscribe_url: unsubscribe,
        due,
    }))
}

/// The member's unread notifications of `kinds` since their last digest for `period` (at most
/// one period back), oldest first.
async fn unread(
    state: &AppState,
    u: &User,
    period: Period,
    now: DateTime<Utc>,
    kinds: &[Kind],
) -> Result<Vec<Notification>, AppError> {
    let earliest = (now - period.span()).timestamp_millis();
    let from = state.db.last_sent(&u.id, period.key()).await?.unwrap_or(earliest).max(earliest);
    Ok(state
        .db
        .notifications_between(&u.id, from, now.timestamp_millis() + 1)
        .await?
        .into_iter()
        .filter(|n| n.read_at.is_none())
        .filter(|n| Kind::parse(&n.kind).is_some_and(|k| kinds.contains(&k)))
        .collect())
}

fn section_text(public: &str, s: &Section) -> String {
    let mut out = format!("\n{}\n{}\n", s.heading, "-".repeat(s.heading.chars().count()));
    for l in &s.lines {
        if l.link.is_empty() {
            out.push_str(&format!("- {}\n", l.text));
        } else if l.link.starts_with("http") {
            out.push_str(&format!("- {}\n  {}\n", l.text, l.link));
        } else {
            out.push_str(&format!("- {}\n  {public}{}\n", l.text, l.link));
        }
    }
    out
}

/// The background job: digests, and contacts fallen overdue, every `digest_poll_ms` until
/// shutdown; its first look is one interval after start.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_millis(state.config.digest_poll_ms.max(1000));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = send_due(&state, Utc::now()).await {
            tracing::error!(error = ?e, "digest job failed; retrying");
        }
        if let Err(e) = crate::contacts::nudges::send_due(&state).await {
            tracing::error!(error = ?e, "overdue-contacts job failed; retrying");
        }
    }
}
