//! Configuration: defaults in code, then `alongside.toml`, then `ALONGSIDE_*` environment
//! variables (and `DATABASE_URL`), each overriding the one before.

use std::fmt;
use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// A string that never shows itself in `Debug` or logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself: call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything that can be configured.
#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite://FILE` or `postgres://…` (may hold a password, hence redacted in Debug).
    pub database_url: Secret,
    /// The address people use to reach this instance, for links in emails.
    pub public_url: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// Send mail through this SMTP server (`smtp://user:pass@host:port`); when unset, messages
    /// are written as `.eml` files to `mail_dir`.
    pub smtp_url: Option<Secret>,
    /// Where `.eml` files go without SMTP.
    pub mail_dir: String,
    /// The From address of outgoing mail.
    pub mail_from: String,
    /// Mark cookies Secure (defaults to true when `public_url` is https).
    pub secure_cookies: Option<bool>,
    /// Sign-ups, and reset requests, allowed per client address per five minutes (each).
    pub rate_limit_auth: u32,
    /// Failed password checks from one client address in five minutes, after which it waits.
    pub failed_sign_ins_per_address: u32,
    /// Failed password checks for one account in fifteen minutes, after which each further try
    /// waits longer (30 s, doubling, at most 15 minutes).
    pub failed_sign_ins_per_account: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Days a login lasts.
    pub session_days: i64,
    /// How often the mail job looks for due messages, in milliseconds.
    pub mail_poll_ms: u64,
    /// How long the first retry of a failed message waits, in milliseconds; each later one
    /// waits twice as long as the one before.
    pub mail_retry_ms: i64,
    /// After this many failed attempts a message is a dead letter, for an admin to look at.
    pub mail_max_attempts: i64,
    /// At most this many messages leave the outbox a minute, counted across every instance
    /// (mail providers throttle or block a sender that bursts; a roster import queues thousands).
    pub mail_per_minute: i64,
    /// Megabytes of rendered calendar files each instance keeps (0: none), kept by the versions
    /// of what they show, so a feed polled again is not rendered again.
    pub feed_cache_mb: usize,
    /// Load the demo community when serving.
    pub demo: bool,
    /// Giving up a seat closer than this to the start counts as a late cancellation.
    pub late_cancel_minutes: i64,
    /// How often the reminder job looks for due reminders, in milliseconds.
    pub reminder_poll_ms: u64,
    /// Booked slots are paired this many minutes before they start.
    pub slot_lock_minutes: i64,
    /// How often the pairing job looks for slots to lock, in milliseconds.
    pub slot_poll_ms: u64,
    /// Days a room's chat (and its other messages) are kept.
    pub room_history_days: i64,
    /// How often the room job settles attendance and refreshes presence, in milliseconds (at
    /// most 30 000: presence expires after 90 s without a refresh).
    pub room_poll_ms: u64,
    /// How often each open room connection asks again whether its member may still be there, in
    /// milliseconds (at most 60 000): the backstop behind the changes noted as they happen.
    pub room_recheck_ms: u64,
    /// Hours before the end of a member's week (in their zone) that they are reminded to check in
    /// on their goals, if they have not.
    pub checkin_reminder_hours: i64,
    /// How often the accountability job looks for nudges to send, in milliseconds.
    pub nudge_poll_ms: u64,
    /// The hour of a member's morning (on their clock) from which their daily digest and, on
    /// Mondays, their weekly email go out.
    pub digest_hour: u32,
    /// How often the digest job looks for digests due and contacts fallen overdue, in
    /// milliseconds; its first look is one interval after start.
    pub digest_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:3000".into(),
            database_url: Secret::new("sqlite://alongside.db"),
            public_url: None,
            log_format: LogFormat::Text,
            smtp_url: None,
            mail_dir: "mail".into(),
            mail_from: "Alongside <no-reply@alongside.localhost>".into(),
            secure_cookies: None,
            rate_limit_auth: 30,
            failed_sign_ins_per_address: 50,
            failed_sign_ins_per_account: 10,
            trust_proxy: false,
            session_days: 30,
            mail_poll_ms: 1000,
            mail_retry_ms: 30_000,
            mail_max_attempts: 10,
            mail_per_minute: 60,
            feed_cache_mb: 16,
            demo: false,
            late_cancel_minutes: 120,
            reminder_poll_ms: 60_000,
            slot_lock_minutes: 5,
            slot_poll_ms: 15_000,
            room_history_days: 30,
            room_poll_ms: 15_000,
            room_recheck_ms: 60_000,
            checkin_reminder_hours: 24,
            nudge_poll_ms: 60_000,
            digest_hour: 7,
            digest_poll_ms: 60_000,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &store_redact(self.database_url.expose()))
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .field("smtp_url", &self.smtp_url.as_ref().map(|s| store_redact(s.expose())))
            .field("mail_dir", &self.mail_dir)
            .field("rate_limit_auth", &self.rate_limit_auth)
            .field("failed_sign_ins_per_address", &self.failed_sign_ins_per_address)
            .field("failed_sign_ins_per_account", &self.failed_sign_ins_per_account)
            .field("trust_proxy", &self.trust_proxy)
            .finish_non_exhaustive()
    }
}

fn store_redact(url: &str) -> String {
    store::Db::redact_url(url)
}

impl Config {
    /// Loads defaults < TOML file (if it exists) < environment.
    pub fn load(file: &Path) -> Result<Config, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("ALONGSIDE_").ignore(&["CONFIG", "TEST_DATABASE_URL"]))
            .extract()
            .map_err(Box::new)
    }

    /// The public address, defaulting to the bind address.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Whether cookies carry the Secure flag.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| self.public_url().starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug() {
        let c = Config {
            database_url: Secret::new("postgres://al:hunter2hunter2@db/x"),
            smtp_url: Some(Secret::new("smtp://mail:pa55word@mx:25")),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("pa55word"), "{shown}");
        assert!(shown.contains("postgres://al:***@db/x"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API returns its own large error type
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "alongside.toml",
                "bind = \"0.0.0.0:8080\"\nmail_dir = \"from-file\"\nrate_limit_auth = 9",
            )?;
            jail.set_env("ALONGSIDE_MAIL_DIR", "from-env");
            jail.set_env("DATABASE_URL", "sqlite://other.db");
            let c = Config::load(Path::new("alongside.toml")).expect("loads");
            assert_eq!(c.bind, "0.0.0.0:8080");
            assert_eq!(c.mail_dir, "from-env");
            assert_eq!(c.rate_limit_auth, 9);
            assert_eq!(c.database_url.expose(), "sqlite://other.db");
            assert_eq!(c.session_days, 30);
            Ok(())
        });
    }
}
