//! Instance-wide settings shared by every instance (e.g. the key that signs CSRF tokens).

use crate::{Db, Result};

impl Db {
    /// The setting's value, storing `default` first if it has none. Every instance that races
    /// here ends up with the same value: the first write wins.
    pub async fn setting_or_init(&self, key: &str, default: &str) -> Result<String> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(default)
            .execute(self.write())
            .await?;
        let (v,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(self.write())
            .await?;
        Ok(v)
    }
}
