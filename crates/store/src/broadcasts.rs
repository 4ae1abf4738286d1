//! Broadcasts: an announcement an organiser or moderator sends to a whole group, or a message a
//! host sends to everyone going to one date. Each scope may send a few a day; the count and the
//! insert happen in one transaction, so two at once cannot both slip under the limit.

use crate::{new_id, Backend, Db, Result, StoreError};

/// Who a broadcast went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every member of the group.
    Group(&'a str),
    /// Everyone going to the date of the event starting (originally) at the key.
    Date(&'a str, i64),
}

impl Scope<'_> {
    fn key(self) -> (&'static str, String) {
        match self {
            Scope::Group(g) => ("group", g.to_owned()),
            Scope::Date(e, k) => ("date", format!("{e}:{k}")),
        }
    }
}

const COLS: &str = "b.id, b.author_id, u.display_name AS author_name, b.body, b.created_at";
const FROM: &str = "FROM broadcasts b JOIN users u ON u.id = b.author_id";

/// One broadcast, with its author's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Broadcast {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

impl Db {
    /// Records a broadcast unless `scope` already sent `max` in the day before `now`
    /// (Conflict("limit")) or the same words in the last ten minutes (Conflict("repeat")); then
    /// nothing is stored.
    pub async fn create_broadcast(
        &self,
        scope: Scope<'_>,
        author: &str,
        body: &str,
        max: i64,
        now: i64,
    ) -> Result<Broadcast> {
        let (kind, scope_id) = scope.key();
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            // One broadcast at a time per scope, so the limit holds under concurrency.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("{kind}:{scope_id}"))
                .execute(&mut *tx)
                .await?;
        }
        let (sent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM broadcasts WHERE scope = $1 AND scope_id = $2 AND created_at > $3",
        )
        .bind(kind)
        .bind(&scope_id)
        .bind(now - 86_400_000)
        .fetch_one(&mut *tx)
        .await?;
        if sent >= max {
            return Err(StoreError::Conflict("limit"));
        }
        // The same words again within ten minutes are a second click, not a second message.
        let (again,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM broadcasts WHERE scope = $1 AND scope_id = $2 AND body = $3 AND created_at > $4",
        )
        .bind(kind)
        .bind(&scope_id)
        .bind(body)
        .bind(now - 600_000)
        .fetch_one(&mut *tx)
        .await?;
        if again > 0 {
            return Err(StoreError::Conflict("repeat"));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO broadcasts (id, scope, scope_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(kind)
        .bind(&scope_id)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(sqlx::query_as(&format!("SELECT {COLS} {FROM} WHERE b.id = $1"))
            .bind(&id)
            .fetch_one(self.read())
            .await?)
    }

    /// The scope's broadcasts since `since` (exclusive), newest first, at most `limit`.
    pub async fn broadcasts(&self, scope: Scope<'_>, since: i64, limit: i64) -> Result<Vec<Broadcast>> {
        let (kind, scope_id) = scope.key();
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} {FROM} WHERE b.scope = $1 AND b.scope_id = $2 AND b.created_at > $3 \
             ORDER BY b.created_at DESC, b.id DESC LIMIT $4"
        ))
        .bind(kind)
        .bind(scope_id)
        .bind(since)
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }
}
