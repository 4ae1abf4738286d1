//! Changing a whole series' schedule (its start, zone or repeat rule) keeps what people said: the
//! n-th upcoming date under the old schedule hands its answers, goals, per-date changes and sent
//! reminders to the n-th upcoming date under the new one, and everyone who had answered an
//! upcoming date is told. Without this, answers stay keyed to dates that no longer exist.

use chrono::{TimeDelta, Utc};
use domain::notices::Kind;
use store::events::Event;

use super::{series, MAX_WINDOW_DAYS};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// The upcoming dates of a series before its schedule changes.
#[derive(Debug)]
pub struct Before {
    keys: Vec<i64>,
}

/// The keys of `e`'s upcoming dates (cancelled ones too: the n-th stays cancelled).
fn upcoming(e: &Event) -> Vec<i64> {
    let now = Utc::now();
    series::expand(e, &[], now, now + TimeDelta::days(MAX_WINDOW_DAYS)).into_iter().map(|o| o.key).collect()
}

/// Notes the upcoming dates of `e`, to call [`carry_over`] with once the new schedule is stored.
pub fn before(e: &Event) -> Before {
    Before { keys: upcoming(e) }
}

/// Moves what belonged to the old upcoming dates onto the new ones and tells those concerned.
pub async fn carry_over(state: &AppState, updated: &Event, before: &Before) -> Result<(), AppError> {
    let after = upcoming(updated);
    let pairs: Vec<(i64, i64)> =
        before.keys.iter().zip(after.iter()).map(|(a, b)| (*a, *b)).filter(|(a, b)| a != b).collect();
    let from = before.keys.first().copied().unwrap_or_else(now_ms);
    let people = state.db.answered_from(&updated.id, from).await?;
    if !pairs.is_empty() {
        state.db.remap_occurrences(&updated.id, &pairs).await?;
    }
    let link = format!("{}/events/{}", state.config.public_url(), updated.id);
    let summary = series::summary(updated);
    for user_id in people {
        if user_id == updated.host_id {
            continue;
        }
        let Some(u) = state.db.user(&user_id).await? else { continue };
        let subject = format!("New times for {}", updated.title);
        let body = format!(
            "Hello {},\n\nThe host changed when \"{}\" happens: it is now {summary}.\n\
             Your answers moved along with the dates, in order. Check them here:\n\n{link}\n",
            u.display_name, updated.title
        );
        let mail = crate::notifications::Mail { subject: &subject, body: &body };
        crate::notifications::send(state, &u.id, Kind::Event, &subject, &link, Some(mail)).await?;
    }
    Ok(())
}
