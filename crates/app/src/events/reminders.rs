//! Reminders before events: a background job on every instance looks for attendees whose
//! reminder time has come and sends each reminder once (the store makes "once" hold across
//! instances and crashes), in the app and by email as the member wants their event news
//! (`Kind::Reminder`); mail that quiet hours would hold past the start is not sent.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::notices::Kind;
use store::reminders::Reminder;
use tokio::sync::watch;

use super::series::expand;
use super::view::when;
use crate::notifications::{recipient_of, Mail};
use crate::state::AppState;

/// The reminder offsets a member may choose, in minutes before the start.
pub const CHOICES: [(&str, &str); 5] = [
    ("1440,60", "A day before and an hour before"),
    ("1440", "A day before"),
    ("60", "An hour before"),
    ("15", "15 minutes before"),
    ("", "No reminders"),
];

/// The furthest ahead a reminder can be due.
const HORIZON_MINUTES: i64 = 1440;

/// Parses a stored setting into offsets in minutes.
pub fn offsets(setting: &str) -> Vec<i64> {
    setting
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .filter(|m| (1..=HORIZON_MINUTES).contains(m))
        .collect()
}

fn words(minutes: i64) -> String {
    match minutes {
        m if m >= 1440 => "tomorrow".to_owned(),
        m if m >= 60 => format!("in {} hour{}", m / 60, if m >= 120 { "s" } else { "" }),
        m => format!("in {m} minutes"),
    }
}

/// Sends every reminder due at `now`; returns how many went out.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let to = now + TimeDelta::minutes(HORIZON_MINUTES + 1);
    let mut sent = 0;
    for e in state.db.all_events_between(now.timestamp_millis(), to.timestamp_millis()).await? {
        let overrides = state.db.overrides(&e.id).await?;
        for occ in expand(&e, &overrides, now, to).into_iter().filter(|o| !o.cancelled) {
            for a in state.db.going(&e.id, occ.key).await? {
                let due: Vec<i64> = offsets(&a.reminder_minutes)
                    .into_iter()
                    .filter(|m| now >= occ.start - TimeDelta::minutes(*m))
                    .collect();
                let Some(nearest) = due.iter().min().copied() else { continue };
                let path = format!("/events/{}?at={}", e.id, occ.key);
                let link = format!("{}{path}", state.config.public_url());
                let subject = format!("Reminder: {} {}", occ.title, words(nearest));
                let body = format!(
                    "Hello {},\n\n\"{}\" starts {} — {}.\n{}\n\n{link}\n\nCan't make it? Change your answer so someone on the waitlist can have your seat.\n",
                    a.display_name,
                    occ.title,
                    words(nearest),
                    when(occ.start, &a.timezone, &e.time_zone),
                    if e.is_virtual == 1 { "Online".to_owned() } else { format!("At {}, {}", e.place_name, e.city_label) },
                );
                // Never queue mail in the future (a run for a simulated later `now` still sends at once).
                let stamp = now.timestamp_millis().min(crate::web::now_ms());
                let email = Some(a.email.clone());
                let to = recipient_of(state, &a.user_id, email, &a.timezone, stamp).await?;
                let mut out = to.outgoing(
                    Kind::Reminder,
                    &subject,
                    &path,
                    Some(Mail { subject: &subject, body: &body }),
                );
                if let Some(o) = out.as_mut() {
                    o.mail = o.mail.take().filter(|m| m.due < occ.start.timestamp_millis());
                }
                let r = Reminder {
                    user_id: &a.user_id,
                    event_id: &e.id,
                    occurrence_start: occ.key,
                    offsets: &due,
                    out,
                };
                if state.db.send_reminder_once(&r, stamp).await? {
                    sent += 1;
                }
            }
        }
    }
    if sent > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(sent)
}

/// The background job: looks for due reminders every `reminder_poll_ms` until shutdown.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_millis(state.config.reminder_poll_ms.max(1000));
    loop {
        if let Err(e) = send_due(&state, Utc::now()).await {
            tracing::error!(error = ?e, "reminder job failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
