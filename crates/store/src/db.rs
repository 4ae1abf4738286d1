//! Connecting to SQLite or PostgreSQL, chosen by the URL's scheme.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::{Result, StoreError};

/// Which database is behind the pool; a few statements differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database: a pool for reads and, on SQLite, a single-connection pool for writes, so
/// writers queue in the app instead of failing with "database is locked".
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    url: Url,
    /// SQLite only: the answer writer, which commits RSVPs that arrive together in one
    /// transaction (see `rsvp_batch`).
    answers: Option<crate::rsvp_batch::Queue>,
}

/// The URL the pools were opened with (for connections outside them, such as a PostgreSQL
/// listener); its password never shows in `Debug`.
#[derive(Clone)]
pub(crate) struct Url(std::sync::Arc<str>);

impl Url {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url_impl(&self.0))
    }
}

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn redact_url_impl(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Removes a password from a URL before it is shown anywhere.
    pub fn redact_url(url: &str) -> String {
        redact_url_impl(url)
    }

    /// Opens the database named by `url` (`sqlite://FILE` or `postgres://…`); a SQLite file is
    /// created if missing. Fails fast with a clear error when the server cannot be reached.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or(url);
        let backend = match scheme {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" => Backend::Postgres,
            other => return Err(StoreError::UnsupportedUrl(other.to_owned())),
        };
        let connect_err = |source| StoreError::Connect { url: redact_url_impl(url), source };
        let kept = Url(url.into());
        match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") };
                let opts = AnyConnectOptions::from_str(&url).map_err(connect_err)?;
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(30))
                        // A local file has no connection to lose: pinging it before every use
                        // only costs a round trip to the connection's thread.
                        .test_before_acquire(false)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                for pragma in [
                                    "PRAGMA journal_mode = WAL",
                                    "PRAGMA synchronous = NORMAL",
                                    "PRAGMA busy_timeout = 5000",
                                    "PRAGMA foreign_keys = ON",
                                ] {
                                    conn.execute(pragma).await?;
                                }
                                Ok(())
                            })
                        })
                };
                // Open the writer first: it creates the file and switches it to WAL.
                let write = pool(1).connect_with(opts.clone()).await.map_err(connect_err)?;
                let read = pool(8).connect_with(opts).await.map_err(connect_err)?;
                let mut db = Db { backend, read, write, url: kept, answers: None };
                db.answers = Some(crate::rsvp_batch::start(db.clone()));
                Ok(db)
            }
            Backend::Postgres => {
                let opts = AnyConnectOptions::from_str(url).map_err(connect_err)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(connect_err)?;
                Ok(Db { backend, read: pool.clone(), write: pool, url: kept, answers: None })
            }
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => MIGRATE_SQLITE.run(&self.write).await?,
            Backend::Postgres => MIGRATE_POSTGRES.run(&self.write).await?,
        }
        Ok(())
    }

    /// The URL the database was opened with.
    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    /// The answer writer, when there is one.
    pub(crate) fn answer_queue(&self) -> Option<&crate::rsvp_batch::Queue> {
        self.answers.as_ref()
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads.
    pub fn read(&self) -> &AnyPool {
        &self.read
    }

    /// The pool for single-statement writes.
    pub fn write(&self) -> &AnyPool {
        &self.write
    }

    /// Starts a write transaction; on SQLite it takes the write lock at once (`BEGIN IMMEDIATE`)
    /// so a transaction never fails half-way when it upgrades from reading to writing.
    ///
    /// The `BEGIN` runs in a task of its own, so it finishes even when the caller is dropped
    /// (a client that hangs up mid-request). sqlx 0.8 counts a PostgreSQL transaction only once
    /// the server has answered its `BEGIN`: a caller dropped while it waits for that answer hands
    /// the connection back to the pool inside a transaction nobody rolls back, and the next
    /// borrower's statements run in it. Finished in its own task, the transaction is always
    /// counted, and dropping it unused rolls it back.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let (backend, pool) = (self.backend, self.write.clone());
        let begun = tokio::spawn(async move {
            match backend {
                Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
                Backend::Postgres => pool.begin().await,
            }
        })
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("the task beginning a transaction failed: {e}")))?;
        Ok(begun?)
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> Result<()> {
        sqlx::query("VACUUM INTO $1").bind(path.to_owned()).execute(&self.write).await?;
        Ok(())
    }

    /// Closes all connections.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_in_urls() {
        assert_eq!(Db::redact_url("postgres://al:secret@db/x"), "postgres://al:***@db/x");
        assert_eq!(Db::redact_url("sqlite://a.db"), "sqlite://a.db");
    }
}
