//! Accounts and profiles.

use domain::profile::Window;
use sqlx::Row;

use crate::{new_id, on_unique, Db, Result};

/// A member's account and profile, as stored. Visibility is applied by the caller.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub trade: String,
    pub bio: String,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub timezone: String,
    pub in_person: i64,
    #[sqlx(rename = "virtual")]
    pub is_virtual: i64,
    pub session_minutes: i64,
    pub company: String,
    pub home_radius_m: i64,
    pub vis_trade: String,
    pub vis_bio: String,
    pub vis_skills: String,
    pub vis_city: String,
    pub vis_availability: String,
    pub vis_preferences: String,
    pub is_admin: i64,
    pub suspended_at: Option<i64>,
    /// Minutes before an event to remind, comma-separated ("1440,60"); empty for none.
    pub reminder_minutes: String,
    /// Who may be paired with or ask to partner this member: everyone | favourites | nobody.
    pub bookable_by: String,
    /// After how many missed weeks of check-ins the member's accountability partners are told
    /// (0: never).
    pub nudge_after_weeks: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the current address was last proved by following a link sent to it.
    pub email_verified_at: Option<i64>,
    /// The member's photo (`store::photos`), if they uploaded one.
    pub photo_id: Option<String>,
    /// Who may see the photo: everyone | groups | partners.
    pub vis_photo: String,
    /// How times are written for them: '24' ("18:00") or '12' ("6:00 pm").
    pub clock: String,
    /// Who may see the email address (on the profile, and in the member lists organisers
    /// download): everyone | groups | partners.
    pub vis_email: String,
}

pub(crate) const USER_COLS: &str = "u.id, u.email, u.display_name, u.trade, u.bio, u.city_id, \
    u.city_label, u.lat, u.lon, u.timezone, u.in_person, u.virtual, u.session_minutes, u.company, \
    u.home_radius_m, u.vis_trade, u.vis_bio, u.vis_skills, u.vis_city, u.vis_availability, \
    u.vis_preferences, u.is_admin, u.suspended_at, u.reminder_minutes, u.bookable_by, u.nudge_after_weeks, u.created_at, u.updated_at, \
    u.email_verified_at, u.photo_id, u.vis_photo, u.clock, u.vis_email";

/// A user with their tags and availability.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user: User,
    pub offers: Vec<String>,
    pub needs: Vec<String>,
    pub windows: Vec<Window>,
}

/// What signing up stores.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub timezone: &'a str,
    /// Becomes an admin when the instance has none yet (false for demo members).
    pub admin_if_first: bool,
}

/// A city as the profile keeps it: id, label, search key and private coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct CityRef {
    pub id: i64,
    pub label: String,
    pub key: String,
    pub lat: f64,
    pub lon: f64,
}

/// Every editable profile field at once (the caller merges partial updates first).
#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub trade: String,
    pub bio: String,
    pub city: Option<CityRef>,
    pub timezone: String,
    pub in_person: bool,
    pub is_virtual: bool,
    pub session_minutes: i64,
    pub company: String,
    pub home_radius_m: i64,
    /// Visibility per field, in the order of `domain::profile::PRIVATE_FIELDS`.
    pub visibility: [String; 8],
    pub offers: Vec<String>,
    pub needs: Vec<String>,
    pub windows: Vec<Window>,
}

impl Db {
    /// Creates an account; the first account that may be admin while the instance has no admin
    /// becomes one. Returns the new user.
    pub async fn create_user(&self, new: NewUser<'_>, now: i64) -> Result<User> {
        let mut tx = self.begin().await?;
        let (admins,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE is_admin = 1").fetch_one(&mut *tx).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, display_name, sort_name, timezone, is_admin, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(new.display_name)
        .bind(new.display_name.to_lowercase())
        .bind(new.timezone)
        .bind(i64::from(new.admin_if_first && admins == 0))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "email"))?;
        tx.commit().await?;
        self.user(&id).await?.ok_or(crate::StoreError::Sql(sqlx::Error::RowNotFound))
    }

    /// The user with this id, suspended or not.
    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// The user with this (normalised) email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.email = $1");
        Ok(sqlx::query_as(&sql).bind(email).fetch_optional(self.read()).await?)
    }

    /// The stored password hash for an email, with the user's id.
    pub async fn credentials(&self, email: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(self.read())
            .await?)
    }

    /// The stored password hash of a user.
    pub async fn password_hash(&self, user_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// A user with tags and availability.
    pub async fn profile(&self, id: &str) -> Result<Option<Profile>> {
        let Some(user) = self.user(id).await? else { return Ok(None) };
        Ok(Some(self.profile_of(user).await?))
    }

    /// The profile of a member already read (their skills and free windows).
    pub async fn profile_of(&self, user: User) -> Result<Profile> {
        let id = user.id.as_str();
        let tags: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, tag FROM user_tags WHERE user_id = $1 ORDER BY tag")
                .bind(id)
                .fetch_all(self.read())
                .await?;
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT weekday, start_min, end_min FROM availability WHERE user_id = $1 \
             ORDER BY weekday, start_min",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        let pick = |k: &str| tags.iter().filter(|(kind, _)| kind == k).map(|(_, t)| t.clone()).collect();
        let windows =
            rows.into_iter().filter_map(|(d, s, e)| Window::new(d as u8, s as u16, e as u16).ok()).collect();
        Ok(Profile { offers: pick("offer"), needs: pick("need"), windows, user })
    }

    /// Replaces every editable profile field in one transaction.
    pub async fn update_profile(&self, id: &str, p: &ProfileUpdate, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let city = p.city.as_ref();
        let q = sqlx::query(
            "UPDATE users SET display_name = $2, sort_name = $3, trade = $4, bio = $5, city_id = $6, \
             city_label = $7, city_key = $8, lat = $9, lon = $10, timezone = $11, in_person = $12, \
             virtual = $13, session_minutes = $14, company = $15, home_radius_m = $16, vis_trade = $17, \
             vis_bio = $18, vis_skills = $19, vis_city = $20, vis_availability = $21, \
             vis_preferences = $22, updated_at = $23, trade_lc = $24, bio_lc = $25, vis_photo = $26, \
             vis_email = $27 WHERE id = $1",
        )
        .bind(id)
        .bind(&p.display_name)
        .bind(p.display_name.to_lowercase())
        .bind(&p.trade)
        .bind(&p.bio)
        .bind(city.map(|c| c.id))
        .bind(city.map(|c| c.label.clone()).unwrap_or_default())
        .bind(city.map(|c| c.key.clone()).unwrap_or_default());
        let q = bind_double(bind_double(q, city.map(|c| c.lat)), city.map(|c| c.lon));
        q.bind(&p.timezone)
            .bind(i64::from(p.in_person))
            .bind(i64::from(p.is_virtual))
            .bind(p.session_minutes)
            .bind(&p.company)
            .bind(p.home_radius_m)
            .bind(&p.visibility[0])
            .bind(&p.visibility[1])
            .bind(&p.visibility[2])
            .bind(&p.visibility[3])
            .bind(&p.visibility[4])
            .bind(&p.visibility[5])
            .bind(now)
            .bind(p.trade.to_lowercase())
            .bind(p.bio.to_lowercase())
            .bind(&p.visibility[6])
            .bind(&p.visibility[7])
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM user_tags WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        for (kind, tags) in [("offer", &p.offers), ("need", &p.needs)] {
            for tag in tags {
                sqlx::query("INSERT INTO user_tags (user_id, kind, tag) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(kind)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM availability WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        for w in &p.windows {
            sqlx::query(
                "INSERT INTO availability (user_id, weekday, start_min, end_min) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i64::from(w.weekday))
            .bind(i64::from(w.start_min))
            .bind(i64::from(w.end_min))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password hash and ends every session of the user.
    pub async fn set_password(&self, user_id: &str, hash: &str, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Suspends (or lifts the suspension of) an account; suspension also ends its sessions.
    pub async fn set_suspended(&self, user_id: &str, at: Option<i64>) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET suspended_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Grants admin rights.
    pub async fn set_admin(&self, user_id: &str) -> Result<()> {
        sqlx::query("UPDATE users SET is_admin = 1 WHERE id = $1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Deletes an account and all its personal data: profile, tags, availability, sessions,
    /// tokens, resets and blocks go by cascade; mail to the address (sent or not) is removed too.
    pub async fn delete_user(&self, user_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let email: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((email,)) = email {
            sqlx::query("DELETE FROM outbox WHERE to_addr = $1").bind(email).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How times are written for the member: '24' or '12'.
    pub async fn set_clock(&self, user_id: &str, clock: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET clock = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(clock)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Every member not suspended, oldest first (for jobs that go through everyone).
    pub async fn active_users(&self) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM users u WHERE u.suspended_at IS NULL ORDER BY u.created_at, u.id"
        );
        Ok(sqlx::query_as(&sql).fetch_all(self.read()).await?)
    }

    /// The members who joined at or after `since`.
    pub async fn joined_since(&self, since: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE created_at >= $1 AND suspended_at IS NULL")
                .bind(since)
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Number of accounts.
    pub async fn user_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.read()).await?;
        Ok(n)
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a double that may be missing. sqlx 0.8.6's Any driver declares a missing double to
/// PostgreSQL as a float4 (`AnyArguments::convert_to` swaps its "real" and "double" kinds for
/// NULLs), PostgreSQL keeps the statement with that type, and the next present double (a float8)
/// on that connection then fails with "incorrect binary data format" (a 500 for setting a city
/// after clearing one). A missing value of the "real" kind is declared as float8, which matches.
fn bind_double<'q>(q: AnyQuery<'q>, v: Option<f64>) -> AnyQuery<'q> {
    match v {
        Some(x) => q.bind(x),
        None => q.bind(None::<f32>),
    }
}
