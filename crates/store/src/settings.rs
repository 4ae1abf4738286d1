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

/// The instance settings an admin changes at run time, stored as `settings` rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SiteSettings {
    /// What the site calls itself in page titles, the header and mail.
    pub name: String,
    /// Who may create an account: open | invite | closed.
    pub signup: String,
    /// Visitor pages on (the default) or off.
    pub visitor_pages: bool,
    /// The terms of use and the privacy notice, in Markdown; empty when the admin wrote none.
    pub terms: String,
    pub privacy: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            name: "Alongside".into(),
            signup: "open".into(),
            visitor_pages: true,
            terms: String::new(),
            privacy: String::new(),
        }
    }
}

/// The keys [`SiteSettings`] is stored under (never the secrets kept in the same table).
const SITE_KEYS: [&str; 5] = ["site_name", "signup", "visitor_pages", "legal_terms", "legal_privacy"];

impl Db {
    /// The site settings, each at its default where none was saved; one statement.
    pub async fn site_settings(&self) -> Result<SiteSettings> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM settings WHERE key IN ($1, $2, $3, $4, $5)")
                .bind(SITE_KEYS[0])
                .bind(SITE_KEYS[1])
                .bind(SITE_KEYS[2])
                .bind(SITE_KEYS[3])
                .bind(SITE_KEYS[4])
                .fetch_all(self.read())
                .await?;
        let mut s = SiteSettings::default();
        for (k, v) in rows {
            match k.as_str() {
                "site_name" => s.name = v,
                "signup" => s.signup = v,
                "visitor_pages" => s.visitor_pages = v != "off",
                "legal_terms" => s.terms = v,
                "legal_privacy" => s.privacy = v,
                _ => {}
            }
        }
        Ok(s)
    }

    /// Saves every site setting in one transaction.
    pub async fn save_site_settings(&self, s: &SiteSettings) -> Result<()> {
        let visitor = if s.visitor_pages { "on" } else { "off" };
        let values = [s.name.as_str(), s.signup.as_str(), visitor, s.terms.as_str(), s.privacy.as_str()];
        let mut tx = self.begin().await?;
        for (key, value) in SITE_KEYS.iter().zip(values) {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
