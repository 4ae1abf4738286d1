//! The accountability job, on every instance: a member with active goals who has not checked in
//! is reminded once in the last hours of their week (their own zone); once they have missed
//! `nudge_after_weeks` weeks in a row, their accountability partners are told, once per lapse.
//! A paused member gets neither. Each goes as its member wants it (`Kind::GoalRemind`,
//! `Kind::GoalPartners`). "Once" holds across instances and crashes: the store records the
//! nudge and queues its mail and notifications in one transaction (`Db::send_nudge_once`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::notices::Kind;
use domain::weeks::{lapse_start, missed_in_a_row, reminder_due, WeekKey};
use store::boards::Nudge;
use store::users::User;
use tokio::sync::watch;

use super::{checked_weeks, paused_weeks, zone_of};
use crate::error::AppError;
use crate::notifications::{recipient_of, Mail};
use crate::state::AppState;

/// What one run sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub reminders: usize,
    pub partner_notes: usize,
}

/// Sends every nudge due at `now`.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<Sent> {
    let mut sent = Sent::default();
    // Never queue mail in the future (a run for a simulated later `now` still sends at once).
    let stamp = now.timestamp_millis().min(crate::web::now_ms());
    for (u, since) in state.db.goal_setters().await? {
        let zone = zone_of(&u);
        let week = WeekKey::of(now, zone);
        let paused = paused_weeks(state, &u).await?;
        if paused.contains(&week) {
            continue;
        }
        let checked = checked_weeks(state, &u).await?;
        if !checked.contains(&week) && reminder_due(now, week, zone, state.config.checkin_reminder_hours) {
            let key = week.to_string();
            let n = reminder(state, &u, &week, &key, stamp).await?;
            if state.db.send_nudge_once(&n, stamp).await? {
                sent.reminders += 1;
            }
        }
        let threshold = u32::try_from(u.nudge_after_weeks).unwrap_or(0);
        let Some(started) = DateTime::<Utc>::from_timestamp_millis(since).map(|t| WeekKey::of(t, zone))
        else {
            continue;
        };
        let missed = missed_in_a_row(&checked, &paused, started, week);
        if threshold > 0 && missed >= threshold {
            let lapse = lapse_start(week, missed).to_string();
            if state.db.nudge_sent(&u.id, "partners", &lapse).await? {
                continue;
            }
            let partners = state.db.accountability_partners_of(&u.id).await?;
            if partners.is_empty() {
                continue;
            }
            let n = partners_note(state, &u, &lapse, missed, &partners, stamp).await?;
            if state.db.send_nudge_once(&n, stamp).await? {
                sent.partner_notes += 1;
            }
        }
    }
    if sent.reminders + sent.partner_notes > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(sent)
}

async fn reminder<'a>(
    state: &AppState,
    u: &'a User,
    week: &WeekKey,
    key: &'a str,
    now: i64,
) -> Result<Nudge<'a>, AppError> {
    let link = format!("{}/goals", state.config.public_url());
    let subject = "Your week ends soon: check in on your goals".to_owned();
    let body = format!(
        "Hello {},\n\nYour week ({}) ends soon and you haven't checked in on your goals yet. Two minutes \
         is enough: how far have you got, and what's in the way?\n\n{link}\n\nTaking a break? Pause \
         accountability on the same page.\n",
        u.display_name,
        week.label_as_of(DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default().date_naive())
    );
    let to = recipient_of(state, &u.id, Some(u.email.clone()), &u.timezone, now).await?;
    let out =
        to.outgoing(Kind::GoalRemind, &subject, "/goals", Some(Mail { subject: &subject, body: &body }));
    Ok(Nudge { user_id: &u.id, kind: "remind", week: key, out: out.into_iter().collect() })
}

async fn partners_note<'a>(
    state: &AppState,
    u: &'a User,
    lapse: &'a str,
    missed: u32,
    partners: &[User],
    now: i64,
) -> Result<Nudge<'a>, AppError> {
    let subject = format!("{} hasn't checked in for {missed} weeks", u.display_name);
    let link = format!("/members/{}", u.id);
    let mut out = Vec::new();
    for p in partners {
        let body = format!(
            "Hello {},\n\nYour accountability partner {} hasn't checked in on their goals for {missed} weeks. \
             A friendly word often helps: ask how it's going, or suggest a session together.\n\n{}{link}\n",
            p.display_name,
            u.display_name,
            state.config.public_url()
        );
        let email = Some(p.email.clone());
        let to = recipient_of(state, &p.id, email, &p.timezone, now).await?;
        out.extend(to.outgoing(
            Kind::GoalPartners,
            &subject,
            &link,
            Some(Mail { subject: &subject, body: &body }),
        ));
    }
    Ok(Nudge { user_id: &u.id, kind: "partners", week: lapse, out })
}

/// The background job: looks for due nudges every `nudge_poll_ms` until shutdown.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_millis(state.config.nudge_poll_ms.max(200));
    loop {
        if let Err(e) = send_due(&state, Utc::now()).await {
            tracing::error!(error = ?e, "accountability job failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
