//! Which of a group's events came from an imported calendar, under which UID (so importing the
//! same calendar again updates them, and can name those missing from the new file).

use crate::{Db, Result};

impl Db {
    /// Notes that `event` is the imported event whose UID was `uid`.
    pub async fn set_import_uid(&self, event: &str, uid: &str) -> Result<()> {
        sqlx::query("UPDATE events SET import_uid = $2 WHERE id = $1")
            .bind(event)
            .bind(uid)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The group's imported events: (UID, event id, title), by title.
    pub async fn imported_events(&self, group: &str) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT import_uid, id, title FROM events WHERE group_id = $1 AND import_uid IS NOT NULL \
             ORDER BY title, id",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }
}
