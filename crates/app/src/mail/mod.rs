//! Outgoing mail. Handlers never talk to SMTP: [`queue`] stores the message in the outbox (so a
//! mail server outage loses nothing) and wakes [`run`], the job that leases due messages and sends
//! them through SMTP with lettre, or — when no SMTP server is configured — writes them as `.eml`
//! files for a developer to open. Each message goes as plain text with an HTML rendering of it
//! beside it (paragraphs, links made clickable). Failed sends are retried with exponential
//! backoff; after `mail_max_attempts` a message is a dead letter, listed for admins
//! (`admin/`), who may send it again. At most `mail_per_minute` messages leave a minute, counted
//! across instances in the outbox itself; personal mail goes before bulk invitations
//! ([`strangers`]), which carry a link to ask for no more mail.

mod message;
pub mod strangers;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// How long one instance holds a message while sending it; after that another may try.
const LEASE_MS: i64 = 60_000;
/// Messages leased per round.
const BATCH: i64 = 20;
/// How a failure that no retry can mend begins: the message becomes a dead letter at once.
const UNSENDABLE: &str = "unsendable";

/// Puts a plain-text message in the outbox and wakes the mail job.
pub async fn queue(state: &AppState, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
    state.db.enqueue_mail(to, subject, body, now_ms()).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Where messages go.
#[derive(Debug)]
pub enum Transport {
    /// A real SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder (created on the first message).
    Files(PathBuf),
}

impl Transport {
    /// SMTP when `smtp_url` is set, files otherwise.
    pub fn from_config(config: &Config) -> anyhow::Result<Transport> {
        match &config.smtp_url {
            Some(url) => {
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .context("smtp_url is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Transport::Smtp(smtp))
            }
            None => Ok(Transport::Files(PathBuf::from(&config.mail_dir))),
        }
    }

    async fn send(&self, id: &str, message: Message) -> Result<(), String> {
        match self {
            // A permanent refusal (a 5xx: no such mailbox, say) will not change on a retry.
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    format!("{UNSENDABLE}: refused for good: {e}")
                } else {
                    e.to_string()
                }
            }),
            Transport::Files(dir) => {
                // Written whole under a temporary name, then renamed: a reader never sees half.
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                let tmp = dir.join(format!(".{id}.tmp"));
                tokio::fs::write(&tmp, message.formatted()).await.map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await.map_err(|e| e.to_string())
            }
        }
    }
}

/// The mail job: drains the outbox, then sleeps until woken, the poll interval passes or `stop`
/// changes.
pub async fn run(state: AppState, transport: Transport, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.config.mail_poll_ms.max(10));
    loop {
        drain(&state, &transport).await;
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.mail_wakeup.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// Sends every due message, a batch at a time, while the minute's allowance lasts.
async fn drain(state: &AppState, transport: &Transport) {
    loop {
        let now = now_ms();
        let room = match state.db.mail_sent_since(now - 60_000, now).await {
            Ok(n) => state.config.mail_per_minute.max(1) - n,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the outbox");
                return;
            }
        };
        if room <= 0 {
            return;
        }
        let batch = match state.db.claim_mail(now, LEASE_MS, BATCH.min(room)).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the outbox");
                return;
            }
        };
        if batch.is_empty() {
            return;
        }
        let site = state.site.get(&state.db).await;
        for mail in batch {
            let outcome = match message::build(&state.config.mail_from, &site.name, &mail) {
                Ok(message) => transport.send(&mail.id, message).await,
                // A malformed address will never work: give up at once.
                Err(e) => Err(format!("{UNSENDABLE}: {e}")),
            };
            let recorded = match outcome {
                Ok(()) => state.db.mail_sent(&mail.id, now_ms()).await,
                Err(error) => {
                    let retry = retry_at(&state.config, &error, mail.attempts, now_ms());
                    tracing::warn!(mail = %mail.id, attempts = mail.attempts, %error, retry = retry.is_some(), "mail not sent");
                    state.db.mail_failed(&mail.id, &error, retry).await
                }
            };
            if let Err(e) = recorded {
                tracing::warn!(mail = %mail.id, error = %e, "could not record the mail's outcome");
            }
        }
    }
}

/// When to try again after `attempts` failed tries, or `None` to give up.
fn retry_at(config: &Config, error: &str, attempts: i64, now: i64) -> Option<i64> {
    if error.starts_with(UNSENDABLE) || attempts >= config.mail_max_attempts {
        return None;
    }
    let shift = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    Some(now + config.mail_retry_ms.max(1) * (1_i64 << shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn smtp_urls_name_tls_starttls_or_plain_and_nonsense_is_refused() {
        use crate::config::Secret;
        let with = |url: &str| Config { smtp_url: Some(Secret::new(url.to_owned())), ..Config::default() };
        for url in [
            "smtps://user:pass@mail.example.org",
            "smtp://user:pass@mail.example.org:587?tls=required",
            "smtp://127.0.0.1:2525",
        ] {
            let t = Transport::from_config(&with(url));
            assert!(matches!(t, Ok(Transport::Smtp(_))), "{url}: {t:?}");
        }
        for bad in ["mail.example.org", "http://mail.example.org", "smtp://"] {
            assert!(Transport::from_config(&with(bad)).is_err(), "{bad}");
        }
        assert!(matches!(Transport::from_config(&Config::default()), Ok(Transport::Files(_))));
    }

    #[test]
    fn retries_back_off_exponentially_then_stop() {
        let c = Config::default();
        assert_eq!(retry_at(&c, "connection refused", 1, 0), Some(30_000));
        assert_eq!(retry_at(&c, "connection refused", 2, 0), Some(60_000));
        assert_eq!(retry_at(&c, "connection refused", 4, 0), Some(240_000));
        assert_eq!(retry_at(&c, "connection refused", c.mail_max_attempts, 0), None);
        assert_eq!(retry_at(&c, "unsendable: recipient: bad", 1, 0), None);
        let quick = Config { mail_retry_ms: 10, mail_max_attempts: 3, ..Config::default() };
        assert_eq!((retry_at(&quick, "refused", 2, 5), retry_at(&quick, "refused", 3, 5)), (Some(25), None));
    }
}
