//! "Time to get back in touch": when one of a member's contacts falls overdue for a word, they
//! are told once (in the app by default; `Kind::ContactOverdue`). Once per contact and due date:
//! keeping in touch moves the date, and the next lapse is told again. Run by the digest job.

use std::collections::HashSet;

use domain::notices::Kind;

use crate::notifications::{recipient_of, Mail};
use crate::state::AppState;
use crate::web::now_ms;

/// The `sent_once` topic of these notifications.
const TOPIC: &str = "contact_overdue";

/// Tells every member of their contacts newly overdue; returns how many they were told of.
pub async fn send_due(state: &AppState) -> anyhow::Result<usize> {
    let now = now_ms();
    let mut told = 0;
    for id in state.db.contact_keepers().await? {
        let Some(u) = state.db.user(&id).await?.filter(|u| u.suspended_at.is_none()) else { continue };
        let overdue = super::overdue(state, &u).await?;
        if overdue.is_empty() {
            continue;
        }
        let sent: HashSet<String> = state.db.sent_periods(&u.id, TOPIC).await?.into_iter().collect();
        let mut to = None;
        for c in overdue {
            let key = format!("{}@{}", c.id, c.due_on.as_deref().unwrap_or_default());
            if sent.contains(&key) {
                continue;
            }
            if to.is_none() {
                let email = Some(u.email.clone());
                to = Some(recipient_of(state, &u.id, email, &u.timezone, now).await?);
            }
            let Some(to) = &to else { continue };
            let title = format!("Time to get back in touch with {}", c.name);
            let link = format!("/contacts/{}", c.id);
            let body = format!(
                "Hello {},\n\nYou wanted to stay in touch with {} every {} days; you were last in touch on {}.\n\
                 A short note, a coffee or a session together?\n\n{}{link}\n",
                u.display_name,
                c.name,
                c.cadence_days.unwrap_or_default(),
                c.last_in_touch.as_deref().map(crate::web::dates::iso_day).unwrap_or_default(),
                state.config.public_url()
            );
            let out: Vec<_> = to
                .outgoing(Kind::ContactOverdue, &title, &link, Some(Mail { subject: &title, body: &body }))
                .into_iter()
                .collect();
            if state.db.send_once(&u.id, TOPIC, &key, &out, now).await? {
                told += 1;
            }
        }
    }
    if told > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(told)
}
