//! The versions of what calendar feeds show (migration 0036): one row per scope — `u:<member>`,
//! `e:<event>`, `g:<group>` — moved by triggers in the transaction of every write that changes
//! what a feed of that scope shows. Reading them is one indexed statement, so a feed can be
//! answered "not modified", or served from a cache keyed on them, on any instance.

use sqlx::{FromRow, Row};

use crate::users::{User, USER_COLS};
use crate::{Db, Result};

/// Tables that only hold the versions: derived from the rest, left out of exports (the triggers
/// fill them again on import).
pub const DERIVED_TABLES: [&str; 3] = ["feed_versions", "feed_pending", "feed_flushes"];

/// The versions of some scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// Each scope asked for with its revision (0: never changed), in the order asked.
    pub revs: Vec<(String, i64)>,
    /// When the newest of them changed (epoch ms; 0 when none ever did).
    pub changed_at: i64,
}

/// How a member's own feed is asked for: the hash of an API token, or of a secret feed URL.
#[derive(Debug, Clone, Copy)]
pub enum FeedKey<'a> {
    ApiToken(&'a str),
    FeedUrl(&'a str),
}

impl Db {
    /// The member a feed key belongs to (live, not revoked, the account not suspended) with the
    /// version of their feed, in one statement: a calendar app's poll that finds nothing new
    /// costs this read and no more. When the key was last used is written down at most once a
    /// minute (tokens) or an hour (feed URLs), and only then through the writer.
    pub async fn feed_reader(&self, key: FeedKey<'_>, now: i64) -> Result<Option<(User, Versions)>> {
        let (hash, table, used, live) = match key {
            FeedKey::ApiToken(h) => (h, "api_tokens", "last_used_at", "AND t.revoked_at IS NULL"),
            FeedKey::FeedUrl(h) => (h, "calendar_feeds", "used_at", ""),
        };
        let sql = format!(
            "SELECT {USER_COLS}, t.{used} AS key_used_at, v.rev AS feed_rev, v.changed_at AS feed_changed \
             FROM {table} t JOIN users u ON u.id = t.user_id \
             LEFT JOIN feed_versions v ON v.scope = 'u:' || u.id \
             WHERE t.token_hash = $1 {live} AND u.suspended_at IS NULL"
        );
        let Some(row) = sqlx::query(&sql).bind(hash).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let user = User::from_row(&row)?;
        let used_at: Option<i64> = row.try_get("key_used_at")?;
        let rev: Option<i64> = row.try_get("feed_rev")?;
        let changed_at: Option<i64> = row.try_get("feed_changed")?;
        match key {
            FeedKey::ApiToken(h) => self.touch_token(h, used_at, now).await?,
            FeedKey::FeedUrl(h) => self.touch_feed(h, used_at, now).await?,
        }
        let versions = Versions {
            revs: vec![(format!("u:{}", user.id), rev.unwrap_or(0))],
            changed_at: changed_at.unwrap_or(0),
        };
        Ok(Some((user, versions)))
    }

    /// The versions of `scopes`.
    pub async fn feed_versions(&self, scopes: &[String]) -> Result<Versions> {
        let marks = (1..=scopes.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT scope, rev, changed_at FROM feed_versions WHERE scope IN ({marks})");
        let mut q = sqlx::query_as::<_, (String, i64, i64)>(&sql);
        for s in scopes {
            q = q.bind(s);
        }
        let rows = if scopes.is_empty() { Vec::new() } else { q.fetch_all(self.read()).await? };
        let rev = |scope: &str| rows.iter().find(|r| r.0 == scope).map_or(0, |r| r.1);
        Ok(Versions {
            revs: scopes.iter().map(|s| (s.clone(), rev(s))).collect(),
            changed_at: rows.iter().map(|r| r.2).max().unwrap_or(0),
        })
    }
}
