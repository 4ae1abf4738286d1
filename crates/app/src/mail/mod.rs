//! Outgoing mail. Handlers never talk to SMTP: [`queue`] stores the message in the outbox (so a
//! mail server outage loses nothing) and wakes [`run`], the job that leases due messages and sends
//! them through SMTP with lettre, or — when no SMTP server is configured — writes them as `.eml`
//! files for a developer to open. Failed sends are retried with exponential backoff.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
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
/// The first retry waits this long; each later one waits twice as long as the one before.
const FIRST_RETRY_MS: i64 = 30_000;
/// After this many attempts (about eight hours in all) a message is given up on.
const MAX_ATTEMPTS: i64 = 10;

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
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
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

/// Sends every due message, a batch at a time.
async fn drain(state: &AppState, transport: &Transport) {
    loop {
        let batch = match state.db.claim_mail(now_ms(), LEASE_MS, BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the outbox");
                return;
            }
        };
        if batch.is_empty() {
            return;
        }
        for mail in batch {
            let outcome = match build(&state.config.mail_from, &mail) {
                Ok(message) => transport.send(&mail.id, message).await,
                // A malformed address will never work: give up at once.
                Err(e) => Err(format!("unsendable: {e}")),
            };
            let recorded = match outcome {
                Ok(()) => state.db.mail_sent(&mail.id, now_ms()).await,
                Err(error) => {
                    let retry = retry_at(&error, mail.attempts, now_ms());
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

fn build(from: &str, mail: &store::outbox::Mail) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("mail_from: {e}"))?;
    let to: Mailbox = mail.to_addr.parse().map_err(|e| format!("recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone())
        .map_err(|e| e.to_string())
}

/// When to try again after `attempts` failed tries, or `None` to give up.
fn retry_at(error: &str, attempts: i64, now: i64) -> Option<i64> {
    if error.starts_with("unsendable") || attempts >= MAX_ATTEMPTS {
        return None;
    }
    let shift = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    Some(now + FIRST_RETRY_MS * (1_i64 << shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_then_stop() {
        assert_eq!(retry_at("connection refused", 1, 0), Some(30_000));
        assert_eq!(retry_at("connection refused", 2, 0), Some(60_000));
        assert_eq!(retry_at("connection refused", 4, 0), Some(240_000));
        assert_eq!(retry_at("connection refused", MAX_ATTEMPTS, 0), None);
        assert_eq!(retry_at("unsendable: recipient: bad", 1, 0), None);
    }

    #[test]
    fn messages_are_plain_text_from_the_configured_sender() {
        let mail = store::outbox::Mail {
            id: "m1".into(),
            to_addr: "ana@example.org".into(),
            subject: "Héllo".into(),
            body_text: "A line\n".into(),
            attempts: 1,
            created_at: 0,
        };
        let text =
            String::from_utf8(build("Alongside <no-reply@example.org>", &mail).expect("built").formatted())
                .expect("utf-8");
        assert!(text.contains("From: Alongside <no-reply@example.org>"), "{text}");
        assert!(text.contains("To: ana@example.org"), "{text}");
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"), "{text}");
        let bad = store::outbox::Mail { to_addr: "not an address".into(), ..mail };
        assert!(build("Alongside <no-reply@example.org>", &bad).is_err());
    }
}
