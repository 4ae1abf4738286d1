//! The versions of what calendar feeds show (migration 0036): one row per scope — `u:<member>`,
//! `e:<event>`, `g:<group>` — moved by triggers in the transaction of every write that changes
//! what a feed of that scope shows. Reading them is one indexed statement, so a feed can be
//! answered "not modified", or served from a cache keyed on them, on any instance.

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

impl Db {
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
