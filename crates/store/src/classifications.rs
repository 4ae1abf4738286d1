//! A group's classifications, one member each: the organiser's list, who holds which, and taking
//! one in a transaction so two members asking at once cannot both get it.

use crate::{Db, Result};

/// A classification and who holds it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Classification {
    pub name: String,
    /// Its holder, while they are a member of the group.
    pub holder_id: Option<String>,
    pub holder_name: Option<String>,
}

/// What asking for a classification came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Take {
    /// It is now the member's (any other they held is free again).
    Taken,
    /// The group has no such classification.
    Unknown,
    /// Another member holds it.
    Held { by: String },
}

/// SQL true when the holder of row `c` is still a member of its group.
const HELD: &str =
    "c.holder_id IS NOT NULL AND EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = c.group_id AND m.user_id = c.holder_id)";

impl Db {
    /// The group's classifications by name, with their holders.
    pub async fn classifications(&self, group: &str) -> Result<Vec<Classification>> {
        let sql = format!(
            "SELECT c.name, CASE WHEN {HELD} THEN c.holder_id END AS holder_id, \
               CASE WHEN {HELD} THEN u.display_name END AS holder_name \
             FROM group_classifications c LEFT JOIN users u ON u.id = c.holder_id \
             WHERE c.group_id = $1 ORDER BY c.name"
        );
        Ok(sqlx::query_as(&sql).bind(group).fetch_all(self.read()).await?)
    }

    /// Makes `names` the group's list: new ones added, those no longer on it gone (with their
    /// holders), those kept kept with theirs.
    pub async fn set_classifications(&self, group: &str, names: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        let now: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM group_classifications WHERE group_id = $1")
                .bind(group)
                .fetch_all(&mut *tx)
                .await?;
        for (old,) in now.iter().filter(|(n,)| !names.contains(n)) {
            sqlx::query("DELETE FROM group_classifications WHERE group_id = $1 AND name = $2")
                .bind(group)
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        for name in names {
            sqlx::query(
                "INSERT INTO group_classifications (group_id, name) VALUES ($1, $2) ON CONFLICT (group_id, name) DO NOTHING",
            )
            .bind(group)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `user` takes the classification `name` of `group`, giving up any other they held.
    pub async fn take_classification(&self, group: &str, user: &str, name: &str) -> Result<Take> {
        let mut tx = self.begin().await?;
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(&format!(
            "SELECT CASE WHEN {HELD} THEN c.holder_id END, u.display_name FROM group_classifications c \
             LEFT JOIN users u ON u.id = c.holder_id WHERE c.group_id = $1 AND c.name = $2"
        ))
        .bind(group)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((holder, holder_name)) = row else { return Ok(Take::Unknown) };
        if let Some(h) = holder.filter(|h| h != user) {
            let by = holder_name.unwrap_or(h);
            return Ok(Take::Held { by });
        }
        sqlx::query(
            "UPDATE group_classifications SET holder_id = NULL WHERE group_id = $1 AND holder_id = $2",
        )
        .bind(group)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        // Guarded again: on PostgreSQL another member may have taken it since it was read.
        let taken = sqlx::query(&format!(
            "UPDATE group_classifications SET holder_id = $3 WHERE group_id = $1 AND name = $2 \
             AND NOT EXISTS (SELECT 1 FROM group_classifications c WHERE c.group_id = $1 AND c.name = $2 AND {HELD} \
                             AND c.holder_id <> $3)"
        ))
        .bind(group)
        .bind(name)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(Take::Held { by: String::new() });
        }
        tx.commit().await?;
        Ok(Take::Taken)
    }

    /// Frees whatever classification `user` holds in `group`.
    pub async fn give_up_classification(&self, group: &str, user: &str) -> Result<()> {
        sqlx::query(
            "UPDATE group_classifications SET holder_id = NULL WHERE group_id = $1 AND holder_id = $2",
        )
        .bind(group)
        .bind(user)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Frees the classification `name` of `group`, whoever holds it (the organiser's choice).
    pub async fn free_classification(&self, group: &str, name: &str) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE group_classifications SET holder_id = NULL WHERE group_id = $1 AND name = $2",
        )
        .bind(group)
        .bind(name)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }
}
