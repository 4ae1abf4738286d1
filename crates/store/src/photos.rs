//! Members' photos and events' cover pictures, stored in the database at each size they are
//! served in. A photo's id is a hash of its content (the caller makes it), so a photo is never
//! changed in place: a new picture is a new photo, and the old one is deleted in the same
//! transaction that points the member or the event at the new one.

use sqlx::Row;

use crate::{Db, Result};

/// A member's photo.
pub const AVATAR: &str = "avatar";
/// An event's cover picture.
pub const COVER: &str = "cover";

/// A processed picture, ready to store.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    /// The content hash the caller computed (32 hex digits).
    pub id: String,
    /// Each size as (width in pixels, JPEG bytes).
    pub files: Vec<(i64, Vec<u8>)>,
}

/// One stored size of a photo with what deciding who may see it needs.
#[derive(Debug, Clone)]
pub struct PhotoFile {
    pub kind: String,
    pub owner_id: String,
    /// A cover's event.
    pub event_id: Option<String>,
    /// Who may see a member's photo (everyone | groups | partners), while it is their photo.
    pub owner_visibility: Option<String>,
    pub bytes: Vec<u8>,
}

/// What points at a picture: a member (their photo) or an event (its cover).
#[derive(Debug, Clone, Copy)]
enum Holder<'a> {
    Member(&'a str),
    Event(&'a str),
}

impl Db {
    /// Makes `photo` the member's photo; the photo it replaces is deleted.
    pub async fn set_member_photo(&self, user_id: &str, photo: &NewPhoto, now: i64) -> Result<()> {
        self.repoint(Holder::Member(user_id), Some((photo, user_id)), now).await.map(drop)
    }

    /// Removes the member's photo (by them or by an admin). False when there was none.
    pub async fn remove_member_photo(&self, user_id: &str, now: i64) -> Result<bool> {
        self.repoint(Holder::Member(user_id), None, now).await
    }

    /// Who may see the member's photo: everyone | groups | partners.
    pub async fn set_photo_visibility(&self, user_id: &str, visibility: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET vis_photo = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(visibility)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Makes `photo`, uploaded by `owner_id`, the event's cover; the cover it replaces is deleted.
    pub async fn set_event_cover(
        &self,
        event_id: &str,
        owner_id: &str,
        photo: &NewPhoto,
        now: i64,
    ) -> Result<()> {
        self.repoint(Holder::Event(event_id), Some((photo, owner_id)), now).await.map(drop)
    }

    /// Removes the event's cover. False when it had none.
    pub async fn remove_event_cover(&self, event_id: &str, now: i64) -> Result<bool> {
        self.repoint(Holder::Event(event_id), None, now).await
    }

    /// Points `holder` at `new` (a picture and who uploaded it, stored first) or at nothing, and
    /// deletes the picture it pointed at before, in one transaction. False when it pointed at
    /// nothing and is to point at nothing.
    async fn repoint(&self, holder: Holder<'_>, new: Option<(&NewPhoto, &str)>, now: i64) -> Result<bool> {
        let (table, column, id, kind, event) = match holder {
            Holder::Member(user) => ("users", "photo_id", user, AVATAR, None),
            Holder::Event(event) => ("events", "cover_id", event, COVER, Some(event)),
        };
        let mut tx = self.begin().await?;
        let old: Option<(Option<String>,)> =
            sqlx::query_as(&format!("SELECT {column} FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let old = old.and_then(|(o,)| o);
        let new_id = new.map(|(photo, _)| photo.id.as_str());
        if old.is_none() && new_id.is_none() {
            return Ok(false);
        }
        if let Some((photo, owner)) = new {
            insert(&mut tx, owner, kind, event, photo, now).await?;
        }
        sqlx::query(&format!("UPDATE {table} SET {column} = $2, updated_at = $3 WHERE id = $1"))
            .bind(id)
            .bind(new_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let Some(old) = old.filter(|o| Some(o.as_str()) != new_id) {
            sqlx::query("DELETE FROM photos WHERE id = $1").bind(old).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// One size of a photo, if both exist.
    pub async fn photo_file(&self, id: &str, size: i64) -> Result<Option<PhotoFile>> {
        let row = sqlx::query(
            "SELECT p.kind, p.owner_id, p.event_id, \
             (SELECT u.vis_photo FROM users u WHERE u.id = p.owner_id AND u.photo_id = p.id) AS vis, f.bytes \
             FROM photos p JOIN photo_files f ON f.photo_id = p.id WHERE p.id = $1 AND f.size = $2",
        )
        .bind(id)
        .bind(size)
        .fetch_optional(self.read())
        .await?;
        Ok(match row {
            Some(r) => Some(PhotoFile {
                kind: r.try_get("kind")?,
                owner_id: r.try_get("owner_id")?,
                event_id: r.try_get("event_id")?,
                owner_visibility: r.try_get("vis")?,
                bytes: r.try_get("bytes")?,
            }),
            None => None,
        })
    }

    /// Every picture a member uploaded, as (id, kind, cover's event), oldest first.
    pub async fn photos_of(&self, owner_id: &str) -> Result<Vec<(String, String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT id, kind, event_id FROM photos WHERE owner_id = $1 ORDER BY created_at, id",
        )
        .bind(owner_id)
        .fetch_all(self.read())
        .await?)
    }

    /// The largest size of a photo (for a member's export).
    pub async fn photo_largest(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT bytes FROM photo_files WHERE photo_id = $1 ORDER BY size DESC LIMIT 1")
                .bind(id)
                .fetch_optional(self.read())
                .await?;
        Ok(row.map(|(b,)| b))
    }
}

/// Stores a photo and its files unless an identical one (same hash) is already there.
async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    owner_id: &str,
    kind: &str,
    event_id: Option<&str>,
    photo: &NewPhoto,
    now: i64,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO photos (id, owner_id, kind, event_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&photo.id)
    .bind(owner_id)
    .bind(kind)
    .bind(event_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        for (size, bytes) in &photo.files {
            sqlx::query("INSERT INTO photo_files (photo_id, size, bytes) VALUES ($1, $2, $3)")
                .bind(&photo.id)
                .bind(size)
                .bind(bytes.as_slice())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
