//! Changes after which a live-room connection may have lost its right to stay. The app notes one
//! after committing such a change (and the CLI after suspending an account; an answer that
//! gives up a seat is noted in its own transaction); every instance reads
//! the recent ones each second, so a connection held on another instance, or a change made by
//! another process on the same SQLite file, is asked again within about a second. A table rather
//! than PostgreSQL's NOTIFY because it serves SQLite and the CLI the same way.

use crate::{new_id, Db, Result};

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A member: a session or token ended, the account was suspended, deleted or blocked by
    /// someone, their group standing or their answer changed.
    User,
    /// An event: a date cancelled or moved, the event edited or deleted.
    Event,
    /// A group: its settings changed, so its events may be open to fewer people.
    Group,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Event => "event",
            Scope::Group => "group",
        }
    }

    fn parse(s: &str) -> Option<Scope> {
        match s {
            "user" => Some(Scope::User),
            "event" => Some(Scope::Event),
            "group" => Some(Scope::Group),
            _ => None,
        }
    }
}

/// A noted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessChange {
    pub id: String,
    pub scope: Scope,
    /// The member, event or group id.
    pub subject: String,
    pub at: i64,
}

/// Notes, inside the caller's transaction, that access for each of `subjects` may have narrowed
/// at `now` (so the note commits with the change, and costs no transaction of its own).
pub(crate) async fn note_in(
    conn: &mut sqlx::AnyConnection,
    scope: Scope,
    subjects: &[&str],
    now: i64,
) -> Result<()> {
    for subject in subjects {
        sqlx::query("INSERT INTO access_changes (id, scope, subject, at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(scope.as_str())
            .bind(*subject)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Db {
    /// Notes that access for `subject` may have narrowed at `now`.
    pub async fn note_access_change(&self, scope: Scope, subject: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO access_changes (id, scope, subject, at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(scope.as_str())
            .bind(subject)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Changes noted at or after `since`, oldest first.
    pub async fn access_changes_since(&self, since: i64) -> Result<Vec<AccessChange>> {
        let rows: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT id, scope, subject, at FROM access_changes WHERE at >= $1 ORDER BY at")
                .bind(since)
                .fetch_all(self.read())
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, scope, subject, at)| {
                Some(AccessChange { id, scope: Scope::parse(&scope)?, subject, at })
            })
            .collect())
    }

    /// Forgets changes noted before `before`; returns how many.
    pub async fn purge_access_changes(&self, before: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM access_changes WHERE at < $1")
            .bind(before)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected())
    }
}
