//! Alongside's store: the one data-access API over SQLite and PostgreSQL.
//!
//! It owns the schema (migrations for both backends, kept in step file by file), connection set-up
//! (SQLite pragmas, one writer), transactions, and every query. Queries are written once in
//! portable SQL through sqlx's `Any` driver; instants are integer epoch milliseconds.
//!
//! It must never import HTTP, templates or the app's configuration: callers pass plain values.

pub mod access_changes;
pub mod admin;
pub mod attendance;
pub mod auth;
pub mod batch;
pub mod boards;
pub mod bookings;
pub mod broadcasts;
pub mod classifications;
pub mod console;
pub mod contacts;
mod db;
pub mod event_details;
pub mod event_imports;
pub mod events;
pub mod faces;
pub mod feed_versions;
pub mod feeds;
pub mod focus_pairs;
pub mod goals;
pub mod group_invites;
pub mod groups;
pub mod help;
mod json_rows;
pub mod members;
pub mod memberships;
pub mod near_home;
pub mod notifications;
pub mod outbox;
pub mod partners;
pub mod personal;
pub mod photos;
pub mod polls;
pub mod portable;
pub mod posts;
pub mod referrals;
pub mod reminders;
pub mod room_presence;
pub mod rooms;
pub mod roster;
mod rsvp_batch;
pub mod rsvps;
pub mod sessions;
pub mod settings;
pub mod shown_once;
pub mod slot_board;
pub mod testing;
pub mod throttle;
pub mod users;
pub mod venues;
pub mod verification;
pub mod visitor_answers;
pub mod visitors;

pub use db::{Backend, Db};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names a backend we do not support.
    #[error("unsupported DATABASE_URL scheme {0:?}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A uniqueness rule was broken (e.g. an email already in use).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// An instance file could not be read or written (`portable`).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// An instance file that is not one, or a database that cannot take it; says why.
    #[error("{0}")]
    Refused(String),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A fresh opaque id: 128 random bits as 32 hex characters, unguessable in URLs.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Sql(e),
    }
}
