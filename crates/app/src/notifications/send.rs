//! The one path every capability raises notifications through: in the app, and by email, as the
//! member chose for the notification's category — held back through their quiet hours, and
//! carrying a one-click unsubscribe link for that category that works without signing in and
//! cannot be forged (it is signed with the server's key).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::notices::{check_quiet_time, quiet_until, Category, Delivery};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// The email form of a notification, when it has more to say than its title.
#[derive(Debug, Clone, Copy)]
pub struct Mail<'a> {
    pub subject: &'a str,
    pub body: &'a str,
}

/// How `user` receives `category`: their choice, or the category's default.
pub async fn delivery(state: &AppState, user: &str, category: Category) -> Result<Delivery, AppError> {
    Ok(delivery_in(&state.db.deliveries(user).await?, category))
}

/// A category's delivery among a member's choices (`Db::deliveries`), or its default.
pub fn delivery_in(chosen: &[(String, String)], category: Category) -> Delivery {
    chosen
        .iter()
        .find(|(c, _)| c == category.key())
        .and_then(|(_, d)| Delivery::parse(d))
        .unwrap_or_else(|| category.default_delivery())
}

/// Raises a notification of `kind` for member `user`: in the app unless they turned its category
/// off, and by email when they chose that (`mail`, or else the title and link).
pub async fn send(
    state: &AppState,
    user: &str,
    kind: &str,
    title: &str,
    link: &str,
    mail: Option<Mail<'_>>,
) -> Result<(), AppError> {
    let category = Category::of_kind(kind);
    let how = match category {
        Some(c) => delivery(state, user, c).await?,
        None => Delivery::Email,
    };
    if how == Delivery::Off {
        return Ok(());
    }
    let now = now_ms();
    state.db.notify(user, kind, title, link, now).await?;
    if how == Delivery::InApp {
        return Ok(());
    }
    let Some(member) = state.db.user(user).await?.filter(|u| u.suspended_at.is_none()) else { return Ok(()) };
    let public = state.config.public_url();
    let (subject, mut body) = match mail {
        Some(m) => (m.subject.to_owned(), m.body.trim_end().to_owned()),
        None if link.is_empty() => (title.to_owned(), title.to_owned()),
        None if link.starts_with("http") => (title.to_owned(), format!("{title}\n\n{link}")),
        None => (title.to_owned(), format!("{title}\n\n{public}{link}")),
    };
    let unsubscribe = category
        .map(|c| format!("{public}/unsubscribe/{}", token(&state.csrf_key, user, c)))
        .unwrap_or_default();
    if let Some(c) = category {
        body.push_str(&format!(
            "\n\n--\nYou get this because of your settings for \"{}\".\nStop these emails: {unsubscribe}\n\
             All your notification settings: {public}/settings/notifications\n",
            c.label()
        ));
    }
    let due = held_until(state, &member.id, &member.timezone, now).await?.unwrap_or(now);
    state.db.enqueue_mail_at(&member.email, &subject, &body, &unsubscribe, due, now).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// When the member's quiet hours end, if they are in them at `now`.
async fn held_until(state: &AppState, user: &str, zone: &str, now: i64) -> Result<Option<i64>, AppError> {
    let Some((starts, ends)) = state.db.quiet_hours(user).await? else { return Ok(None) };
    let (Ok(Some(start)), Ok(Some(end))) = (check_quiet_time(&starts), check_quiet_time(&ends)) else {
        return Ok(None);
    };
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let now = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default();
    Ok(quiet_until(now, zone, start, end).map(|t| t.timestamp_millis()))
}

fn mac(key: &[u8], user: &str, category: Category) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"unsubscribe\0");
    mac.update(user.as_bytes());
    mac.update(b"\0");
    mac.update(category.key().as_bytes());
    mac
}

/// The unsubscribe token for a member and category: "user.category.signature".
pub fn token(key: &[u8], user: &str, category: Category) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, user, category).finalize().into_bytes());
    format!("{user}.{}.{sig}", category.key())
}

/// The member and category of a genuine token; `None` for anything else.
pub fn verify(key: &[u8], token: &str) -> Option<(String, Category)> {
    let mut parts = token.splitn(3, '.');
    let (user, category, sig) = (parts.next()?, parts.next()?, parts.next()?);
    let category = Category::parse(category)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    mac(key, user, category).verify_slice(&sig).ok()?;
    Some((user.to_owned(), category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let key = b"a server key";
        let t = token(key, "u1", Category::Partners);
        assert_eq!(verify(key, &t), Some(("u1".to_owned(), Category::Partners)));
        assert_eq!(verify(b"another key", &t), None);
        let other_user = t.replacen("u1.", "u2.", 1);
        let other_category = t.replacen(".partners.", ".groups.", 1);
        for bad in
            [other_user.as_str(), other_category.as_str(), "u1.partners.", "u1.partners", "", "u1.nope.abc"]
        {
            assert_eq!(verify(key, bad), None, "{bad}");
        }
    }
}
