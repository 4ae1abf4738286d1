//! Venues, their edit history, reviews, and merging duplicates.

use crate::{new_id, Db, Result};

/// A venue as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Venue {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub lat: f64,
    pub lon: f64,
    pub time_zone: String,
    pub noise: i64,
    pub wifi: i64,
    pub outlets: i64,
    pub price: i64,
    pub hours: String,
    pub exceptions: String,
    pub accessibility: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub merged_into: Option<String>,
}

const VENUE_COLS: &str =
    "v.id, v.name, v.kind, v.address, v.city_id, v.city_label, v.lat, v.lon, v.time_zone, \
    v.noise, v.wifi, v.outlets, v.price, v.hours, v.exceptions, v.accessibility, v.created_by, v.created_at, \
    v.updated_at, v.merged_into";

/// What members set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VenueFields {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub lat: f64,
    pub lon: f64,
    pub time_zone: String,
    pub noise: i64,
    pub wifi: bool,
    pub outlets: i64,
    pub price: i64,
    pub hours: String,
    pub exceptions: String,
    pub accessibility: String,
}

/// A review, with its author's name.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct VenueReview {
    pub id: String,
    pub user_id: String,
    pub author_name: String,
    pub event_id: String,
    pub occurrence_start: i64,
    pub noise: i64,
    pub wifi: i64,
    pub outlets: i64,
    pub good_for_work: i64,
    pub note: String,
    pub created_at: i64,
}

/// A new review.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub venue_id: &'a str,
    pub user_id: &'a str,
    pub event_id: &'a str,
    pub occurrence_start: i64,
    pub noise: i64,
    pub wifi: bool,
    pub outlets: i64,
    pub good_for_work: bool,
    pub note: &'a str,
}

/// Which venues the directory shows.
#[derive(Debug, Clone, Default)]
pub struct VenueFilter {
    pub city_id: Option<i64>,
    pub kind: Option<String>,
    /// Only venues whose stated noise is at most this.
    pub max_noise: Option<i64>,
    pub wifi: bool,
}

async fn write_venue(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    by: &str,
    f: &VenueFields,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO venues (id, name, kind, address, city_id, city_label, lat, lon, time_zone, noise, wifi, outlets, \
         price, hours, exceptions, accessibility, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) ON CONFLICT (id) DO UPDATE SET \
         name = excluded.name, kind = excluded.kind, address = excluded.address, city_id = excluded.city_id, \
         city_label = excluded.city_label, lat = excluded.lat, lon = excluded.lon, time_zone = excluded.time_zone, \
         noise = excluded.noise, wifi = excluded.wifi, outlets = excluded.outlets, price = excluded.price, \
         hours = excluded.hours, exceptions = excluded.exceptions, accessibility = excluded.accessibility, \
         updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(&f.name)
    .bind(&f.kind)
    .bind(&f.address)
    .bind(f.city_id)
    .bind(&f.city_label)
    .bind(f.lat)
    .bind(f.lon)
    .bind(&f.time_zone)
    .bind(f.noise)
    .bind(i64::from(f.wifi))
    .bind(f.outlets)
    .bind(f.price)
    .bind(&f.hours)
    .bind(&f.exceptions)
    .bind(&f.accessibility)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn record_edit(
    conn: &mut sqlx::AnyConnection,
    venue: &str,
    by: &str,
    summary: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO venue_edits (id, venue_id, user_id, at, summary) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(venue)
        .bind(by)
        .bind(now)
        .bind(summary)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Db {
    /// Adds a venue, recording who added it; returns its id.
    pub async fn create_venue(&self, by: &str, f: &VenueFields, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        write_venue(&mut tx, &id, by, f, now).await?;
        record_edit(&mut tx, &id, by, "added the venue", now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a venue, recording who changed what.
    pub async fn update_venue(
        &self,
        id: &str,
        by: &str,
        f: &VenueFields,
        summary: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        write_venue(&mut tx, id, by, f, now).await?;
        record_edit(&mut tx, id, by, summary, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The venue with this id (merged or not).
    pub async fn venue(&self, id: &str) -> Result<Option<Venue>> {
        let sql = format!("SELECT {VENUE_COLS} FROM venues v WHERE v.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Venues (not merged away) matching the filter, by name; at most `limit`, from `offset`.
    pub async fn venues(&self, f: &VenueFilter, limit: i64, offset: i64) -> Result<Vec<Venue>> {
        let sql = format!(
            "SELECT {VENUE_COLS} FROM venues v WHERE v.merged_into IS NULL AND ($1 < 0 OR v.city_id = $1) \
             AND ($2 = '' OR v.kind = $2) AND v.noise <= $3 AND ($4 = 0 OR v.wifi = 1) \
             ORDER BY LOWER(v.name), v.id LIMIT $5 OFFSET $6"
        );
        Ok(sqlx::query_as(&sql)
            .bind(f.city_id.unwrap_or(-1))
            .bind(f.kind.clone().unwrap_or_default())
            .bind(f.max_noise.unwrap_or(5))
            .bind(i64::from(f.wifi))
            .bind(limit)
            .bind(offset)
            .fetch_all(self.read())
            .await?)
    }

    /// Venues (not merged away) inside a box of latitudes and longitudes.
    pub async fn venues_within(&self, lat: (f64, f64), lon: (f64, f64)) -> Result<Vec<Venue>> {
        let sql = format!(
            "SELECT {VENUE_COLS} FROM venues v WHERE v.merged_into IS NULL AND v.lat >= $1 AND v.lat <= $2 \
             AND v.lon >= $3 AND v.lon <= $4 ORDER BY v.id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(lat.0)
            .bind(lat.1)
            .bind(lon.0)
            .bind(lon.1)
            .fetch_all(self.read())
            .await?)
    }

    /// A venue's edit history, newest first: (who, when, what).
    pub async fn venue_edits(&self, venue: &str) -> Result<Vec<(Option<String>, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.display_name, e.at, e.summary FROM venue_edits e LEFT JOIN users u ON u.id = e.user_id \
             WHERE e.venue_id = $1 ORDER BY e.at DESC, e.id",
        )
        .bind(venue)
        .fetch_all(self.read())
        .await?)
    }

    /// Stores a review; false when this member already reviewed this occurrence here.
    pub async fn add_review(&self, r: &NewReview<'_>, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO venue_reviews (id, venue_id, user_id, event_id, occurrence_start, noise, wifi, outlets, \
             good_for_work, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (venue_id, user_id, event_id, occurrence_start) DO NOTHING",
        )
        .bind(new_id())
        .bind(r.venue_id)
        .bind(r.user_id)
        .bind(r.event_id)
        .bind(r.occurrence_start)
        .bind(r.noise)
        .bind(i64::from(r.wifi))
        .bind(r.outlets)
        .bind(i64::from(r.good_for_work))
        .bind(r.note)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A venue's reviews, newest first.
    pub async fn venue_reviews(&self, venue: &str, limit: i64) -> Result<Vec<VenueReview>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.user_id, u.display_name AS author_name, r.event_id, r.occurrence_start, r.noise, r.wifi, \
                    r.outlets, r.good_for_work, r.note, r.created_at \
             FROM venue_reviews r JOIN users u ON u.id = r.user_id WHERE r.venue_id = $1 \
             ORDER BY r.created_at DESC, r.id LIMIT $2",
        )
        .bind(venue)
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// The recent reviews of many venues at once: (venue id, noise, wifi, outlets, good for work),
    /// newest first per venue.
    pub async fn reviews_of(&self, venues: &[String]) -> Result<Vec<(String, i64, i64, i64, i64)>> {
        if venues.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=venues.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT venue_id, noise, wifi, outlets, good_for_work FROM venue_reviews WHERE venue_id IN ({}) \
             ORDER BY venue_id, created_at DESC, id",
            marks.join(", ")
        );
        let mut q = sqlx::query_as(&sql);
        for v in venues {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.read()).await?)
    }

    /// Events at a venue: held there, or taking it in turn.
    pub async fn events_at_venue(&self, venue: &str) -> Result<Vec<crate::events::Event>> {
        let sql = format!(
            "SELECT {} FROM events e WHERE e.venue_id = $1 OR (',' || e.venue_rotation || ',') LIKE $2 \
             ORDER BY e.first_start_at, e.id",
            crate::events::EVENT_COLS
        );
        Ok(sqlx::query_as(&sql).bind(venue).bind(format!("%,{venue},%")).fetch_all(self.read()).await?)
    }

    /// Merges `duplicate` into `keep`: its reviews, events and rotations move over (a review the
    /// same member left of the same occurrence at both stays only at `keep`), and the duplicate
    /// points at `keep` from then on. One transaction.
    pub async fn merge_venues(
        &self,
        duplicate: &str,
        keep: &str,
        by: &str,
        summary: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "DELETE FROM venue_reviews WHERE venue_id = $1 AND EXISTS (SELECT 1 FROM venue_reviews k \
             WHERE k.venue_id = $2 AND k.user_id = venue_reviews.user_id AND k.event_id = venue_reviews.event_id \
             AND k.occurrence_start = venue_reviews.occurrence_start)",
        )
        .bind(duplicate)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE venue_reviews SET venue_id = $2 WHERE venue_id = $1")
            .bind(duplicate)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        // Marks of "near my home" follow the venue they mean.
        sqlx::query(
            "INSERT INTO venue_near_home (user_id, venue_id, created_at) \
             SELECT user_id, $2, created_at FROM venue_near_home WHERE venue_id = $1 \
             ON CONFLICT (user_id, venue_id) DO NOTHING",
        )
        .bind(duplicate)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM venue_near_home WHERE venue_id = $1")
            .bind(duplicate)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE events SET venue_id = $2 WHERE venue_id = $1")
            .bind(duplicate)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE events SET venue_rotation = REPLACE(venue_rotation, $1, $2) WHERE venue_rotation LIKE $3",
        )
        .bind(duplicate)
        .bind(keep)
        .bind(format!("%{duplicate}%"))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE venues SET merged_into = $2, updated_at = $3 WHERE id = $1")
            .bind(duplicate)
            .bind(keep)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        record_edit(&mut tx, keep, by, summary, now).await?;
        record_edit(&mut tx, duplicate, by, summary, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
