//! Each member's private contacts, with tags, a stay-in-touch cadence, and the last time they
//! were in touch: logged by hand, or — for a contact who is a member — the latest event both went
//! to, one-to-one, or referral between them, whichever is latest.

use crate::{new_id, Db, Result};

/// A contact, with when its owner was last in touch (all sources considered).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Contact {
    pub id: String,
    pub owner_id: String,
    pub member_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub trade: String,
    pub notes: String,
    pub met_at: String,
    pub cadence_days: Option<i64>,
    /// As logged by hand; 0 for never (a contact added from an event still to come).
    pub last_contact_at: i64,
    /// The latest of the logged contact, a shared event, a one-to-one and a referral.
    pub last_in_touch: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What an owner sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFields {
    pub member_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub trade: String,
    pub notes: String,
    pub met_at: String,
    pub cadence_days: Option<i64>,
    pub tags: Vec<String>,
    /// The last contact logged by hand (epoch ms; 0 for none). Left out, a new contact is met
    /// at its creation and an edited one keeps its own.
    pub last_contact_at: Option<i64>,
}

/// The latest time the owner `$1` and the contact's member were in touch, up to `$2` (now).
const IN_TOUCH: &str = "MAX(c.last_contact_at, \
    COALESCE((SELECT MAX(a.occurrence_start) FROM rsvps a JOIN rsvps b ON b.event_id = a.event_id \
        AND b.occurrence_start = a.occurrence_start WHERE a.user_id = c.owner_id AND b.user_id = c.member_id \
        AND a.status = 'going' AND b.status = 'going' AND a.occurrence_start <= $2), 0), \
    COALESCE((SELECT MAX(r.occurrence_start) FROM rsvps r JOIN events e ON e.id = r.event_id WHERE r.status = 'going' \
        AND r.occurrence_start <= $2 AND ((e.host_id = c.owner_id AND r.user_id = c.member_id) \
        OR (e.host_id = c.member_id AND r.user_id = c.owner_id))), 0), \
    COALESCE((SELECT MAX(o.met_at) FROM one_to_ones o WHERE ((o.user_id = c.owner_id AND o.other_id = c.member_id) \
        OR (o.other_id = c.owner_id AND o.user_id = c.member_id)) AND o.met_at <= $2), 0), \
    COALESCE((SELECT MAX(r.created_at) FROM referrals r WHERE (r.giver_id = c.owner_id AND r.receiver_id = c.member_id) \
        OR (r.receiver_id = c.owner_id AND r.giver_id = c.member_id)), 0))";

fn contact_cols(backend: crate::Backend) -> String {
    // SQLite's MAX of several values is the scalar max; PostgreSQL calls it GREATEST.
    let in_touch = match backend {
        crate::Backend::Sqlite => IN_TOUCH.to_owned(),
        crate::Backend::Postgres => {
            IN_TOUCH.replacen("MAX(c.last_contact_at", "GREATEST(c.last_contact_at", 1)
        }
    };
    format!(
        "c.id, c.owner_id, c.member_id, c.name, c.email, c.phone, c.company, c.trade, c.notes, c.met_at, c.cadence_days, \
         c.last_contact_at, {in_touch} AS last_in_touch, c.created_at, c.updated_at"
    )
}

async fn set_tags(conn: &mut sqlx::AnyConnection, contact: &str, tags: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1").bind(contact).execute(&mut *conn).await?;
    for t in tags {
        sqlx::query("INSERT INTO contact_tags (contact_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(contact)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds what a contact's row holds of its fields, in column order: name, email, phone, company,
/// trade, notes, met_at, cadence_days.
fn bind_fields<'q>(q: AnyQuery<'q>, f: &'q ContactFields) -> AnyQuery<'q> {
    q.bind(&f.name)
        .bind(&f.email)
        .bind(&f.phone)
        .bind(&f.company)
        .bind(&f.trade)
        .bind(&f.notes)
        .bind(&f.met_at)
        .bind(f.cadence_days)
}

impl Db {
    /// The members who keep a stay-in-touch cadence with at least one contact.
    pub async fn contact_keepers(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT owner_id FROM contacts WHERE cadence_days IS NOT NULL ORDER BY owner_id",
        )
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Adds a contact for `owner` (last in touch as its fields say, or now); returns its id. A member already in the owner's
    /// contacts is a conflict.
    pub async fn create_contact(&self, owner: &str, f: &ContactFields, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        let q = sqlx::query(
            "INSERT INTO contacts (id, owner_id, member_id, name, email, phone, company, trade, notes, met_at, \
             cadence_days, last_contact_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(owner)
        .bind(&f.member_id);
        bind_fields(q, f)
            .bind(f.last_contact_at.unwrap_or(now))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::on_unique(e, "contact"))?;
        set_tags(&mut tx, &id, &f.tags).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a contact's fields (its member link stays; its logged last contact only when the
    /// fields carry one).
    pub async fn update_contact(&self, id: &str, f: &ContactFields, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let q = sqlx::query(
            "UPDATE contacts SET name = $2, email = $3, phone = $4, company = $5, trade = $6, notes = $7, \
             met_at = $8, cadence_days = $9, last_contact_at = COALESCE($10, last_contact_at), updated_at = $11 \
             WHERE id = $1",
        )
        .bind(id);
        bind_fields(q, f).bind(f.last_contact_at).bind(now).execute(&mut *tx).await?;
        set_tags(&mut tx, id, &f.tags).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Notes that the owner was in touch with a contact at `at`.
    pub async fn touch_contact(&self, id: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE contacts SET last_contact_at = $2 WHERE id = $1 AND last_contact_at < $2")
            .bind(id)
            .bind(at)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Deletes a contact.
    pub async fn delete_contact(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id).execute(self.write()).await?;
        Ok(())
    }

    /// The owner's contact with this id (none for anyone else's).
    pub async fn contact(&self, owner: &str, id: &str, now: i64) -> Result<Option<Contact>> {
        let sql = format!(
            "SELECT {} FROM contacts c WHERE c.owner_id = $1 AND c.id = $3",
            contact_cols(self.backend())
        );
        Ok(sqlx::query_as(&sql).bind(owner).bind(now).bind(id).fetch_optional(self.read()).await?)
    }

    /// The owner's contacts by name; `tag` filters.
    pub async fn contacts(&self, owner: &str, tag: Option<&str>, now: i64) -> Result<Vec<Contact>> {
        let sql = format!(
            "SELECT {} FROM contacts c WHERE c.owner_id = $1 AND ($3 = '' OR EXISTS (SELECT 1 FROM contact_tags t \
             WHERE t.contact_id = c.id AND t.tag = $3)) ORDER BY LOWER(c.name), c.id",
            contact_cols(self.backend())
        );
        Ok(sqlx::query_as(&sql).bind(owner).bind(now).bind(tag.unwrap_or("")).fetch_all(self.read()).await?)
    }

    /// The tags of the owner's contacts: (contact id, tag).
    pub async fn contact_tags(&self, owner: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT t.contact_id, t.tag FROM contact_tags t JOIN contacts c ON c.id = t.contact_id \
             WHERE c.owner_id = $1 ORDER BY t.tag",
        )
        .bind(owner)
        .fetch_all(self.read())
        .await?)
    }

    /// The owner's contact for a member, if any.
    pub async fn contact_for_member(&self, owner: &str, member: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT id FROM contacts WHERE owner_id = $1 AND member_id = $2")
                .bind(owner)
                .bind(member)
                .fetch_optional(self.read())
                .await?;
        Ok(row.map(|(id,)| id))
    }
}
