//! Groups: their settings and topics, members and roles, join requests, bans and followers.
//! Who may do what is decided by `domain::groups`; this module only stores and reads.

use crate::users::{User, USER_COLS};
use crate::{new_id, Db, Result};

/// A group as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub is_virtual: i64,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub time_zone: String,
    /// open | request | invite
    pub visibility: String,
    pub members_public: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const GROUP_COLS: &str =
    "g.id, g.name, g.description, g.is_virtual, g.city_id, g.city_label, g.time_zone, \
    g.visibility, g.members_public, g.created_at, g.updated_at";

/// What an organiser sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupFields {
    pub name: String,
    pub description: String,
    pub is_virtual: bool,
    pub city_id: Option<i64>,
    pub city_label: String,
    pub time_zone: String,
    pub visibility: String,
    pub members_public: bool,
    pub topics: Vec<String>,
}

/// How one member stands to one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    /// organiser | moderator | member, when a member.
    pub role: Option<String>,
    pub banned: bool,
    /// Waiting for an answer to a join request.
    pub requested: bool,
    pub following: bool,
}

/// A member of a group, as the member list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupMember {
    pub user_id: String,
    pub display_name: String,
    pub trade: String,
    pub vis_trade: String,
    pub role: String,
    pub joined_at: i64,
}

/// A join request waiting for an answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JoinRequest {
    pub user_id: String,
    pub display_name: String,
    pub message: String,
    pub created_at: i64,
}

/// A group one member belongs to, with their role.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyGroup {
    #[sqlx(flatten)]
    pub group: Group,
    pub role: String,
    pub members: i64,
}

/// Inserts a group, or replaces the settings of the one with this id (keeping when it was made),
/// and its topics.
async fn write_group(conn: &mut sqlx::AnyConnection, id: &str, f: &GroupFields, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO groups (id, name, description, is_virtual, city_id, city_label, time_zone, visibility, \
         members_public, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
         is_virtual = excluded.is_virtual, city_id = excluded.city_id, city_label = excluded.city_label, \
         time_zone = excluded.time_zone, visibility = excluded.visibility, \
         members_public = excluded.members_public, updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(&f.name)
    .bind(&f.description)
    .bind(i64::from(f.is_virtual))
    .bind(f.city_id)
    .bind(&f.city_label)
    .bind(&f.time_zone)
    .bind(&f.visibility)
    .bind(i64::from(f.members_public))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    set_topics(conn, id, &f.topics).await
}

async fn set_topics(conn: &mut sqlx::AnyConnection, group_id: &str, topics: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM group_topics WHERE group_id = $1").bind(group_id).execute(&mut *conn).await?;
    for t in topics {
        sqlx::query("INSERT INTO group_topics (group_id, topic) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(group_id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Db {
    /// Stores a new group with `organiser` as its organiser; returns its id.
    pub async fn create_group(&self, organiser: &str, f: &GroupFields, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        write_group(&mut tx, &id, f, now).await?;
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, 'organiser', $3)",
        )
        .bind(&id)
        .bind(organiser)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a group's settings and topics.
    pub async fn update_group(&self, id: &str, f: &GroupFields, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        write_group(&mut tx, id, f, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The group with this id.
    pub async fn group(&self, id: &str) -> Result<Option<Group>> {
        let sql = format!("SELECT {GROUP_COLS} FROM groups g WHERE g.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// Deletes a group with its events, discussion, members and invitations.
    pub async fn delete_group(&self, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // Broadcasts name their scope in text (no foreign key): the group's and its dates' go too.
        sqlx::query(
            "DELETE FROM broadcasts WHERE (scope = 'group' AND scope_id = $1) OR (scope = 'date' AND \
             EXISTS (SELECT 1 FROM events e WHERE e.group_id = $1 AND broadcasts.scope_id LIKE e.id || ':%'))",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM events WHERE group_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM groups WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The topics of a group, in order.
    pub async fn group_topics(&self, id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT topic FROM group_topics WHERE group_id = $1 ORDER BY topic")
                .bind(id)
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    /// Every group that is not invite-only, with its topics (for discovery).
    pub async fn visible_groups(&self) -> Result<Vec<(Group, Vec<String>)>> {
        let sql = format!("SELECT {GROUP_COLS} FROM groups g WHERE g.visibility <> 'invite' ORDER BY g.id");
        let groups: Vec<Group> = sqlx::query_as(&sql).fetch_all(self.read()).await?;
        let topics: Vec<(String, String)> = sqlx::query_as(
            "SELECT t.group_id, t.topic FROM group_topics t JOIN groups g ON g.id = t.group_id \
             WHERE g.visibility <> 'invite' ORDER BY t.topic",
        )
        .fetch_all(self.read())
        .await?;
        let mut by_group: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
        for (g, t) in topics {
            by_group.entry(g).or_default().push(t);
        }
        Ok(groups
            .into_iter()
            .map(|g| {
                let t = by_group.remove(&g.id).unwrap_or_default();
                (g, t)
            })
            .collect())
    }

    /// How `user` stands to `group`.
    pub async fn standing(&self, group: &str, user: &str) -> Result<Standing> {
        let (role, banned, requested, following): (Option<String>, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT role FROM group_members WHERE group_id = $1 AND user_id = $2), \
                    (SELECT COUNT(*) FROM group_bans WHERE group_id = $1 AND user_id = $2), \
                    (SELECT COUNT(*) FROM group_requests WHERE group_id = $1 AND user_id = $2), \
                    (SELECT COUNT(*) FROM group_follows WHERE group_id = $1 AND user_id = $2)",
        )
        .bind(group)
        .bind(user)
        .fetch_one(self.read())
        .await?;
        Ok(Standing { role, banned: banned > 0, requested: requested > 0, following: following > 0 })
    }

    /// The groups `user` belongs to, with their role and the member count, by name.
    pub async fn groups_of(&self, user: &str) -> Result<Vec<MyGroup>> {
        let sql = format!(
            "SELECT {GROUP_COLS}, m.role, (SELECT COUNT(*) FROM group_members c WHERE c.group_id = g.id) AS members \
             FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY g.name, g.id"
        );
        Ok(sqlx::query_as(&sql).bind(user).fetch_all(self.read()).await?)
    }

    /// The members of a group: organiser first, then moderators, then by name.
    pub async fn group_members(&self, group: &str) -> Result<Vec<GroupMember>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.display_name, u.trade, u.vis_trade, m.role, m.joined_at \
             FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 AND u.suspended_at IS NULL \
             ORDER BY CASE m.role WHEN 'organiser' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, u.sort_name, u.id",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }

    /// How many members a group has.
    pub async fn member_count(&self, group: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM group_members WHERE group_id = $1")
            .bind(group)
            .fetch_one(self.read())
            .await?;
        Ok(n)
    }

    /// Makes (or replaces) `user`'s secret feed of `group`'s calendar.
    pub async fn set_group_feed(&self, group: &str, user: &str, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO group_feeds (group_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, user_id) DO UPDATE SET token_hash = excluded.token_hash, \
             created_at = excluded.created_at",
        )
        .bind(group)
        .bind(user)
        .bind(token_hash)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// The group and active member whose group-feed token hashes to `hash`.
    pub async fn group_feed(&self, hash: &str) -> Result<Option<(String, User)>> {
        let sql = format!(
            "SELECT f.group_id, {USER_COLS} FROM group_feeds f JOIN users u ON u.id = f.user_id \
             WHERE f.token_hash = $1 AND u.suspended_at IS NULL"
        );
        let row = sqlx::query(&sql).bind(hash).fetch_optional(self.read()).await?;
        row.map(|r| {
            use sqlx::{FromRow, Row};
            Ok((r.try_get::<String, _>("group_id")?, User::from_row(&r)?))
        })
        .transpose()
    }

    /// Events of a group that may have occurrences in `[from, to)`.
    pub async fn group_events(&self, group: &str, from: i64, to: i64) -> Result<Vec<crate::events::Event>> {
        let inner = format!(
            "SELECT {} FROM events e WHERE e.group_id = $1 AND e.first_start_at < $3 \
               AND (e.last_end_at IS NULL OR e.last_end_at > $2)",
            crate::events::EVENT_COLS
        );
        self.events_list(&inner, |q| q.bind(group.to_owned()).bind(from).bind(to)).await
    }
}
