//! What instance admins read and what they did: every member found by name or address, every
//! group with its size and waiting reports, reports across groups, and the audit log of admin
//! actions (migration 0033).

use crate::{new_id, Db, Result};

/// A member as the admin console lists them.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MemberRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_admin: i64,
    pub suspended_at: Option<i64>,
    pub created_at: i64,
    pub email_verified_at: Option<i64>,
    /// When one of their sessions was last used (none while suspended: suspending ends them).
    pub last_seen_at: Option<i64>,
    /// How many groups they belong to.
    pub groups: i64,
}

/// A group as the admin console lists it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    /// open | request | invite
    pub visibility: String,
    pub created_at: i64,
    pub members: i64,
    /// The longest-standing organiser's name.
    pub organiser: String,
    pub open_reports: i64,
    /// 1 when the admin asking belongs to the group.
    pub mine: i64,
}

/// An open report in any group, for the admin's queue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenReport {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub group_visibility: String,
    pub post_id: String,
    pub reply_id: Option<String>,
    pub post_title: String,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: i64,
    /// 1 when the admin asking belongs to the group.
    pub mine: i64,
}

/// One entry of the audit log.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AdminAction {
    pub id: String,
    pub at: i64,
    pub admin_id: String,
    pub admin_name: String,
    /// suspend | lift | delete | settings | report | retry-mail | photo-takedown
    pub action: String,
    pub target_id: String,
    pub target_name: String,
    pub detail: String,
}

/// What an admin did, to record.
#[derive(Debug, Clone, Copy)]
pub struct Did<'a> {
    pub admin_id: &'a str,
    pub admin_name: &'a str,
    pub action: &'a str,
    pub target_id: &'a str,
    pub target_name: &'a str,
    pub detail: &'a str,
}

/// A `LIKE` pattern that finds `words` anywhere, `%` and `_` taken literally.
fn contains_pattern(words: &str) -> String {
    let escaped: String = words
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// The columns of [`MemberRow`], from `users u`.
const MEMBER_COLS: &str = "u.id, u.email, u.display_name, u.is_admin, u.suspended_at, u.created_at, u.email_verified_at, \
    (SELECT MAX(COALESCE(s.last_seen_at, s.created_at)) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at, \
    (SELECT COUNT(*) FROM group_members m WHERE m.user_id = u.id) AS groups";

impl Db {
    /// One member as the console lists them.
    pub async fn admin_member(&self, id: &str) -> Result<Option<MemberRow>> {
        Ok(sqlx::query_as(&format!("SELECT {MEMBER_COLS} FROM users u WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?)
    }

    /// Members whose name or address holds `q` (everyone for an empty `q`), by name, `limit`
    /// after the member `after` (a cursor: the last id of the page before).
    pub async fn admin_members(&self, q: &str, after: Option<&str>, limit: i64) -> Result<Vec<MemberRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLS} FROM users u \
             WHERE ($1 = '%%' OR LOWER(u.display_name) LIKE $1 ESCAPE '\\' OR u.email LIKE $1 ESCAPE '\\') \
               AND ($2 = '' OR (u.sort_name, u.id) > (SELECT a.sort_name, a.id FROM users a WHERE a.id = $2)) \
             ORDER BY u.sort_name, u.id LIMIT $3"
        ))
        .bind(contains_pattern(q))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// How many members there are, and how many of them are suspended.
    pub async fn member_counts(&self) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), (SELECT COUNT(*) FROM users WHERE suspended_at IS NOT NULL) FROM users",
        )
        .fetch_one(self.read())
        .await?)
    }

    /// Every group, newest first, as `viewer` (an admin) lists them.
    pub async fn admin_groups(&self, viewer: &str) -> Result<Vec<GroupRow>> {
        Ok(sqlx::query_as(
            "SELECT g.id, g.name, g.visibility, g.created_at, \
                    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members, \
                    COALESCE((SELECT u.display_name FROM group_members m JOIN users u ON u.id = m.user_id \
                              WHERE m.group_id = g.id AND m.role = 'organiser' ORDER BY m.joined_at, u.id LIMIT 1), '') AS organiser, \
                    (SELECT COUNT(*) FROM reports r WHERE r.group_id = g.id AND r.resolved_at IS NULL) AS open_reports, \
                    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1) AS mine \
             FROM groups g ORDER BY g.created_at DESC, g.id",
        )
        .bind(viewer)
        .fetch_all(self.read())
        .await?)
    }

    /// Every open report in every group, oldest first.
    pub async fn all_open_reports(&self, viewer: &str) -> Result<Vec<OpenReport>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.group_id, g.name AS group_name, g.visibility AS group_visibility, r.post_id, r.reply_id, \
                    p.title AS post_title, u.display_name AS reporter_name, r.reason, r.created_at, \
                    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1) AS mine \
             FROM reports r JOIN groups g ON g.id = r.group_id JOIN posts p ON p.id = r.post_id \
                  JOIN users u ON u.id = r.reporter_id \
             WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id",
        )
        .bind(viewer)
        .fetch_all(self.read())
        .await?)
    }

    /// Records what an admin did.
    pub async fn record_admin_action(&self, did: Did<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO admin_actions (id, at, admin_id, admin_name, action, target_id, target_name, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(now)
        .bind(did.admin_id)
        .bind(did.admin_name)
        .bind(did.action)
        .bind(did.target_id)
        .bind(did.target_name)
        .bind(did.detail)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The audit log, newest first: `limit` entries older than the entry `before` (a cursor).
    pub async fn admin_actions(&self, before: Option<&str>, limit: i64) -> Result<Vec<AdminAction>> {
        Ok(sqlx::query_as(
            "SELECT id, at, admin_id, admin_name, action, target_id, target_name, detail FROM admin_actions \
             WHERE ($1 = '' OR (at, id) < (SELECT b.at, b.id FROM admin_actions b WHERE b.id = $1)) \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_typed_in_a_search_are_taken_literally() {
        assert_eq!(contains_pattern(" Ana "), "%ana%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
