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

/// When an occurrence starting at `start` is, seen at `now` on the member's clock: "at 14:00, in
/// 5 minutes", "tomorrow at 09:30", "on Tue 8 Dec at 18:00". Worked out from the time really
/// left when the reminder is sent, not from the reminder's setting (a 14:00 session reminded at
/// 13:55 is "in 5 minutes", not "in 1 hour").
pub fn time_left_words(now: DateTime<Utc>, start: DateTime<Utc>, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = start.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive();
    let day = match (local.date_naive() - today).num_days() {
        0 => String::new(),
        1 => "tomorrow ".to_owned(),
        _ => format!("on {} ", crate::web::dates::day_of(local.date_naive(), today)),
    };
    let at = crate::web::dates::time(&local);
    let minutes = ((start - now).num_seconds() + 59) / 60;
    match minutes {
        m if m <= 0 => format!("now, at {at}"),
        m if m < 180 => format!(
            "{day}at {at}, in {}",
            domain::recurrence::duration_words(u32::try_from(m).unwrap_or(u32::MAX))
        ),
        _ => format!("{day}at {at}"),
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
                if due.is_empty() {
                    continue;
                }
                let path = format!("/events/{}?at={}", e.id, occ.key);
                let link = format!("{}{path}", state.config.public_url());
                let (left, when) = crate::web::dates::on_clock(&a.clock, || {
                    (time_left_words(now, occ.start, &a.timezone), when(occ.start, &a.timezone, &e.time_zone))
                });
                let subject = format!("Reminder: {} starts {left}", occ.title);
                // At a place, the member's check-in code for the door, as a picture (PNG: mail
                // clients block SVG).
                let code = if e.is_virtual == 1 {
                    String::new()
                } else {
                    let token = super::checkin::token(&state.csrf_key, &e.id, occ.key, &a.user_id);
                    format!(
                        "\n\nYour check-in code for the door: {}/checkin/{token}/qr.png",
                        state.config.public_url()
                    )
                };
                let body = format!(
                    "Hello {},\n\n\"{}\" starts {} — {}.\n{}\n\n{link}{code}\n\nCan't make it? Change your answer so someone on the waitlist can have your seat.\n",
                    a.display_name,
                    occ.title,
                    left,
                    when,
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
                    // Claimed on the date's real start, not its key: a moved date is a new
                    // time to be reminded of.
                    occurrence_start: occ.start.timestamp_millis(),
                    offsets: &due,
                    out,
                };
                if state.db.send_reminder_once(&r, stamp).await? {
                    sent += 1;
                }
            }
        }
    }
    sent += remind_visitors(state, now).await?;
    if sent > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(sent)
}

/// Visitors going without an account get one reminder, a day before (or at once when they
/// confirmed later than that), following the date wherever it moved, with the link to their place.
async fn remind_visitors(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let window = |days: i64| (now + TimeDelta::days(days)).timestamp_millis();
    let mut sent = 0;
    for a in state.db.visitor_answers_to_remind(window(-2), window(3)).await? {
        let Some(e) = state.db.event(&a.event_id).await? else { continue };
        let overrides = state.db.overrides(&e.id).await?;
        let Some(occ) = super::series::find(&e, &overrides, a.occurrence_start).filter(|o| !o.cancelled)
        else {
            continue;
        };
        if now < occ.start - TimeDelta::days(1) || now >= occ.start {
            continue;
        }
        if !state.db.claim_visitor_reminder(&a.id, crate::web::now_ms()).await? {
            continue;
        }
        let left = time_left_words(now, occ.start, &e.time_zone);
        let subject = format!("Reminder: {} starts {left}", occ.title);
        let place = if e.is_virtual == 1 {
            "Online".to_owned()
        } else {
            format!("At {}, {}", e.place_name, e.city_label)
        };
        let body = format!(
            "Hello {},\n\n\"{}\" starts {left}: {}.\n{place}\n\nCan't come after all? Cancel your place, so \
             someone else can have it: {}\n",
            a.name,
            occ.title,
            when(occ.start, &e.time_zone, &e.time_zone),
            crate::visitors::answers::link(state, &a)
        );
        let why = crate::mail::strangers::GIVEN_TO_ANSWER;
        if crate::mail::strangers::queue(state, &a.email, &subject, &body, why)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_some()
        {
            sent += 1;
        }
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_reminder_says_the_time_really_left_on_the_members_clock() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).single().expect("time");
        let start = at(14, 0);
        assert_eq!(time_left_words(at(13, 55), start, "UTC"), "at 14:00, in 5 minutes");
        assert_eq!(time_left_words(at(13, 0), start, "UTC"), "at 14:00, in 1 hour");
        assert_eq!(time_left_words(at(12, 49), start, "UTC"), "at 14:00, in 71 minutes");
        assert_eq!(time_left_words(at(13, 55), start, "Europe/Lisbon"), "at 14:00, in 5 minutes");
        assert_eq!(time_left_words(at(13, 55), start, "Asia/Tokyo"), "at 23:00, in 5 minutes");
        let evening = Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).single().expect("time");
        assert_eq!(time_left_words(evening, start, "UTC"), "tomorrow at 14:00");
        let earlier = Utc.with_ymd_and_hms(2026, 12, 4, 18, 0, 0).single().expect("time");
        assert_eq!(time_left_words(earlier, start, "UTC"), "on Mon 7 Dec at 14:00");
        let late = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).single().expect("time");
        assert_eq!(time_left_words(late, at(0, 29), "UTC"), "tomorrow at 00:29, in 59 minutes");
    }
}
