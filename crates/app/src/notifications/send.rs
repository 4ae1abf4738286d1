//! The one path every capability raises notifications through: in the app, and by email, as the
//! member chose for the notification's kind (or else its category) — at once but held back through their quiet
//! hours, or gathered into a digest (`digest.rs`) — each email carrying a one-click unsubscribe
//! link that works without signing in and cannot be forged (it is signed with the server's key).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::notices::{check_quiet_time, quiet_until, Category, Delivery, Kind, Topic};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use store::notifications::{OutMail, Outgoing};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// The email form of a notification, when it has more to say than its title.
#[derive(Debug, Clone, Copy)]
pub struct Mail<'a> {
    pub subject: &'a str,
    pub body: &'a str,
}

/// A category's delivery among a member's choices (`Db::deliveries`), or its default.
pub fn delivery_in(chosen: &[(String, String)], category: Category) -> Delivery {
    chosen_for(chosen, category.key(), category).unwrap_or_else(|| category.default_delivery())
}

/// How a member's choices deliver `kind`: their choice for the kind itself, or else for its
/// category (`delivery_in`).
pub fn delivery_of(chosen: &[(String, String)], kind: Kind) -> Delivery {
    chosen_for(chosen, kind.key(), kind.category()).unwrap_or_else(|| delivery_in(chosen, kind.category()))
}

fn chosen_for(chosen: &[(String, String)], key: &str, category: Category) -> Option<Delivery> {
    let (_, d) = chosen.iter().find(|(k, _)| k == key)?;
    Delivery::parse(d).filter(|d| category.choices().contains(d))
}

/// A member's notification choices, read ahead so that notifications can be made up without
/// further reads (inside a store transaction, say).
#[derive(Debug, Clone)]
pub struct Recipient {
    user_id: String,
    /// Where mail goes; `None` for a suspended or unknown member, or one who has not confirmed
    /// their address yet (notices then stay in the app).
    email: Option<String>,
    /// Their choices per kind and per category (`Db::deliveries`).
    chosen: Vec<(String, String)>,
    /// Mail may go from then on (after quiet hours).
    due: i64,
    public: String,
    key: Vec<u8>,
    /// Mail that would wait for a digest goes at once (news that cannot wait, such as a date
    /// within two days moving).
    at_once: bool,
}

/// How `user` receives notifications at `now`.
pub async fn recipient(state: &AppState, user: &str, now: i64) -> Result<Recipient, AppError> {
    let member = state.db.user(user).await?.filter(|u| u.suspended_at.is_none());
    let (email, zone) = member.map(|u| (u.email, u.timezone)).unzip();
    recipient_of(state, user, email, zone.as_deref().unwrap_or("UTC"), now).await
}

/// As `recipient`, for a member already at hand: their email (`None`: no mail) and zone. Mail
/// goes only to a confirmed address: until the member follows the link sent at sign-up (or to a
/// changed address), their notices stay in the app.
pub async fn recipient_of(
    state: &AppState,
    user: &str,
    email: Option<String>,
    zone: &str,
    now: i64,
) -> Result<Recipient, AppError> {
    let email = match email {
        Some(e) if state.db.email_confirmed(user).await? => Some(e),
        _ => None,
    };
    let chosen = state.db.deliveries(user).await?;
    let due = if email.is_some() { held_until(state, user, zone, now).await?.unwrap_or(now) } else { now };
    Ok(Recipient {
        user_id: user.to_owned(),
        email,
        chosen,
        due,
        public: state.config.public_url(),
        key: state.csrf_key.clone(),
        at_once: false,
    })
}

impl Recipient {
    /// The same member, with mail that would wait for a digest sent at once instead.
    pub fn at_once(mut self) -> Recipient {
        self.at_once = true;
        self
    }

    /// A notification of `kind` as this member wants it: `None` when they turned it off; in the
    /// app, with an email (`mail`, or else the title and link) only when they chose one at once.
    /// The email's one-click unsubscribe stops this kind only.
    pub fn outgoing(&self, kind: Kind, title: &str, link: &str, mail: Option<Mail<'_>>) -> Option<Outgoing> {
        let delivery = match delivery_of(&self.chosen, kind) {
            Delivery::Daily | Delivery::Weekly if self.at_once => Delivery::Email,
            d => d,
        };
        if delivery == Delivery::Off {
            return None;
        }
        let email = self.email.as_ref().filter(|_| delivery == Delivery::Email);
        let mail = email.map(|to| {
            let public = &self.public;
            let (subject, mut body) = match mail {
                Some(m) => (m.subject.to_owned(), m.body.trim_end().to_owned()),
                None if link.is_empty() => (title.to_owned(), title.to_owned()),
                None if link.starts_with("http") => (title.to_owned(), format!("{title}\n\n{link}")),
                None => (title.to_owned(), format!("{title}\n\n{public}{link}")),
            };
            let unsubscribe =
                format!("{public}/unsubscribe/{}", token(&self.key, &self.user_id, Topic::Kind(kind)));
            body.push_str(&footer(public, kind.label(), &unsubscribe));
            OutMail { to: to.clone(), subject, body, unsubscribe_url: unsubscribe, due: self.due }
        });
        Some(Outgoing {
            user_id: self.user_id.clone(),
            kind: kind.key().to_owned(),
            title: title.to_owned(),
            link: link.to_owned(),
            in_app: true,
            mail,
        })
    }
}

/// The end of every notification email: why it came, and one link to stop it.
pub fn footer(public: &str, why: &str, unsubscribe: &str) -> String {
    format!(
        "\n\n--\nYou get this because of your settings for \"{why}\".\nStop these emails: {unsubscribe}\n\
         All your notification settings: {public}/settings/notifications\n"
    )
}

/// Raises a notification of `kind` for member `user`, as they want it (`Recipient::outgoing`).
pub async fn send(
    state: &AppState,
    user: &str,
    kind: Kind,
    title: &str,
    link: &str,
    mail: Option<Mail<'_>>,
) -> Result<(), AppError> {
    send_as(state, user, kind, title, link, mail, false).await
}

/// As [`send`]; with `at_once`, mail that would wait for a digest goes at once.
pub async fn send_as(
    state: &AppState,
    user: &str,
    kind: Kind,
    title: &str,
    link: &str,
    mail: Option<Mail<'_>>,
    at_once: bool,
) -> Result<(), AppError> {
    let now = now_ms();
    let r = recipient(state, user, now).await?;
    let r = if at_once { r.at_once() } else { r };
    let Some(out) = r.outgoing(kind, title, link, mail) else { return Ok(()) };
    state.db.deliver(&out, now).await?;
    if out.mail.is_some() {
        state.mail_wakeup.notify_one();
    }
    Ok(())
}

/// When the member's quiet hours end, if they are in them at `now`.
pub async fn held_until(state: &AppState, user: &str, zone: &str, now: i64) -> Result<Option<i64>, AppError> {
    let Some((starts, ends)) = state.db.quiet_hours(user).await? else { return Ok(None) };
    let (Ok(Some(start)), Ok(Some(end))) = (check_quiet_time(&starts), check_quiet_time(&ends)) else {
        return Ok(None);
    };
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let now = DateTime::<Utc>::from_timestamp_millis(now).unwrap_or_default();
    Ok(quiet_until(now, zone, start, end).map(|t| t.timestamp_millis()))
}

fn mac(key: &[u8], user: &str, topic: Topic) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"unsubscribe\0");
    mac.update(user.as_bytes());
    mac.update(b"\0");
    mac.update(topic.key().as_bytes());
    mac
}

/// The unsubscribe token for a member and topic: "user.topic.signature".
pub fn token(key: &[u8], user: &str, topic: Topic) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, user, topic).finalize().into_bytes());
    format!("{user}.{}.{sig}", topic.key())
}

/// The member and topic of a genuine token; `None` for anything else.
pub fn verify(key: &[u8], token: &str) -> Option<(String, Topic)> {
    let mut parts = token.splitn(3, '.');
    let (user, topic, sig) = (parts.next()?, parts.next()?, parts.next()?);
    let topic = Topic::parse(topic)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    mac(key, user, topic).verify_slice(&sig).ok()?;
    Some((user.to_owned(), topic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let key = b"a server key";
        let t = token(key, "u1", Topic::Category(Category::Partners));
        assert_eq!(verify(key, &t), Some(("u1".to_owned(), Topic::Category(Category::Partners))));
        let weekly = token(key, "u1", domain::notices::Topic::Digest(domain::notices::Period::Weekly));
        assert!(verify(key, &weekly).is_some());
        assert_eq!(verify(key, &weekly.replacen(".weekly.", ".daily.", 1)), None);
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
