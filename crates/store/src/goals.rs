//! Goals, their tasks, weekly check-ins, comments and cheers, and the goals members stated in
//! sessions. Who may
//! see a goal is `domain::goals::GoalVisibility::allows`; [`Db::shared_goals`] is the same rule
//! in SQL for listing others' goals.

use crate::{new_id, Db, Result};

/// A goal as stored, with its owner's name and its group's.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Goal {
    pub id: String,
    pub user_id: String,
    pub owner_name: String,
    pub title: String,
    pub why: String,
    pub target_date: String,
    pub target_value: Option<i64>,
    pub target_unit: String,
    pub progress: i64,
    pub status: String,
    pub visibility: String,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

const GOAL_COLS: &str = "g.id, g.user_id, u.display_name AS owner_name, g.title, g.why, g.target_date, \
    g.target_value, g.target_unit, g.progress, g.status, g.visibility, g.group_id, gr.name AS group_name, \
    g.created_at, g.updated_at, g.closed_at";
const GOAL_FROM: &str = "goals g JOIN users u ON u.id = g.user_id LEFT JOIN groups gr ON gr.id = g.group_id";

/// What an owner sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoalFields {
    pub title: String,
    pub why: String,
    pub target_date: String,
    pub target_value: Option<i64>,
    pub target_unit: String,
    pub visibility: String,
    pub group_id: Option<String>,
}

/// A task of a goal.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub done: i64,
}

/// A weekly check-in, with its cheers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Checkin {
    pub id: String,
    pub week: String,
    pub progress: i64,
    pub note: String,
    pub blockers: String,
    pub created_at: i64,
    pub cheers: i64,
    pub cheered_by_me: i64,
}

/// A comment on a goal, or on one of its check-ins.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Comment {
    pub id: String,
    pub checkin_id: Option<String>,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

impl Db {
    /// Stores a new goal for `user`; returns its id.
    pub async fn create_goal(&self, user: &str, f: &GoalFields, now: i64) -> Result<String> {
        let id = new_id();
        write_goal(self, &id, user, f, now).await?;
        Ok(id)
    }

    /// Replaces a goal's fields.
    pub async fn update_goal(&self, id: &str, f: &GoalFields, now: i64) -> Result<()> {
        write_goal(self, id, "", f, now).await
    }

    /// Sets a goal active, done or dropped.
    pub async fn set_goal_status(&self, id: &str, status: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE goals SET status = $2, updated_at = $3, closed_at = CASE WHEN $2 = 'active' THEN NULL ELSE $3 END \
             WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Deletes a goal with everything on it.
    pub async fn delete_goal(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM goals WHERE id = $1").bind(id).execute(self.write()).await?;
        Ok(())
    }

    /// The goal with this id (callers check who may see it).
    pub async fn goal(&self, id: &str) -> Result<Option<Goal>> {
        let sql = format!("SELECT {GOAL_COLS} FROM {GOAL_FROM} WHERE g.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.read()).await?)
    }

    /// A member's own goals: active first, then by when they were set.
    pub async fn goals_of(&self, user: &str) -> Result<Vec<Goal>> {
        let sql = format!(
            "SELECT {GOAL_COLS} FROM {GOAL_FROM} WHERE g.user_id = $1 \
             ORDER BY CASE g.status WHEN 'active' THEN 0 ELSE 1 END, g.created_at DESC, g.id"
        );
        Ok(sqlx::query_as(&sql).bind(user).fetch_all(self.read()).await?)
    }

    /// Others' active goals that `viewer` may see: those shared with their accountability
    /// partners when the viewer is one, and those shared with a group the viewer belongs to;
    /// never a private one, and none of members blocked either way.
    pub async fn shared_goals(&self, viewer: &str, group: Option<&str>) -> Result<Vec<Goal>> {
        let sql = format!(
            "SELECT {GOAL_COLS} FROM {GOAL_FROM} WHERE g.user_id <> $1 AND g.status = 'active' \
               AND (($2 = '' AND g.visibility = 'partners' AND EXISTS (SELECT 1 FROM partnerships p \
                      WHERE p.status = 'accepted' AND p.kind = 'accountability' \
                        AND ((p.requester_id = $1 AND p.partner_id = g.user_id) \
                          OR (p.partner_id = $1 AND p.requester_id = g.user_id)))) \
                    OR (g.visibility = 'group' AND ($2 = '' OR g.group_id = $2) AND EXISTS (SELECT 1 FROM group_members m \
                      WHERE m.group_id = g.group_id AND m.user_id = $1))) \
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = g.user_id) \
                                                        OR (b.blocker_id = g.user_id AND b.blocked_id = $1)) \
             ORDER BY g.updated_at DESC, g.id"
        );
        Ok(sqlx::query_as(&sql).bind(viewer).bind(group.unwrap_or("")).fetch_all(self.read()).await?)
    }

    /// True when `a` and `b` are accepted accountability partners.
    pub async fn accountability_partners(&self, a: &str, b: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM partnerships WHERE status = 'accepted' AND kind = 'accountability' \
             AND ((requester_id = $1 AND partner_id = $2) OR (requester_id = $2 AND partner_id = $1))",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }

    /// The tasks of a goal, in the order added.
    pub async fn tasks(&self, goal: &str) -> Result<Vec<Task>> {
        Ok(sqlx::query_as(
            "SELECT id, title, done FROM goal_tasks WHERE goal_id = $1 ORDER BY created_at, id",
        )
        .bind(goal)
        .fetch_all(self.read())
        .await?)
    }

    /// Adds a task; returns its id.
    pub async fn add_task(&self, goal: &str, title: &str, now: i64) -> Result<String> {
        let id = new_id();
        sqlx::query("INSERT INTO goal_tasks (id, goal_id, title, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(goal)
            .bind(title)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(id)
    }

    /// Ticks a task done or not; false when the goal has no such task.
    pub async fn set_task_done(&self, goal: &str, task: &str, done: bool) -> Result<bool> {
        let r = sqlx::query("UPDATE goal_tasks SET done = $3 WHERE goal_id = $1 AND id = $2")
            .bind(goal)
            .bind(task)
            .bind(i64::from(done))
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Stores a check-in and makes its progress the goal's, in one transaction; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_checkin(
        &self,
        goal: &str,
        user: &str,
        week: &str,
        progress: i64,
        note: &str,
        blockers: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO checkins (id, goal_id, user_id, week, progress, note, blockers, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(goal)
        .bind(user)
        .bind(week)
        .bind(progress)
        .bind(note)
        .bind(blockers)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE goals SET progress = $2, updated_at = $3 WHERE id = $1")
            .bind(goal)
            .bind(progress)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A goal's check-ins, newest first, with cheers (and whether `viewer` cheered).
    pub async fn checkins(&self, goal: &str, viewer: &str) -> Result<Vec<Checkin>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.week, c.progress, c.note, c.blockers, c.created_at, \
                    (SELECT COUNT(*) FROM cheers h WHERE h.target_id = c.id) AS cheers, \
                    (SELECT COUNT(*) FROM cheers h WHERE h.target_id = c.id AND h.user_id = $2) AS cheered_by_me \
             FROM checkins c WHERE c.goal_id = $1 ORDER BY c.created_at DESC, c.id",
        )
        .bind(goal)
        .bind(viewer)
        .fetch_all(self.read())
        .await?)
    }

    /// The weeks in which `user` checked in on any goal.
    pub async fn checkin_weeks(&self, user: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT week FROM checkins WHERE user_id = $1 ORDER BY week")
                .bind(user)
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().map(|(w,)| w).collect())
    }

    /// Adds a comment; returns its id.
    pub async fn add_comment(
        &self,
        goal: &str,
        checkin: Option<&str>,
        author: &str,
        body: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO goal_comments (id, goal_id, checkin_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(goal)
        .bind(checkin)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// A goal's comments, oldest first.
    pub async fn comments(&self, goal: &str) -> Result<Vec<Comment>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.checkin_id, c.author_id, u.display_name AS author_name, c.body, c.created_at \
             FROM goal_comments c JOIN users u ON u.id = c.author_id WHERE c.goal_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(goal)
        .fetch_all(self.read())
        .await?)
    }

    /// Cheers (or takes back a cheer for) a goal or one of its check-ins.
    pub async fn set_cheer(&self, target: &str, goal: &str, user: &str, on: bool, now: i64) -> Result<()> {
        if on {
            sqlx::query(
                "INSERT INTO cheers (target_id, goal_id, user_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (target_id, user_id) DO NOTHING",
            )
            .bind(target)
            .bind(goal)
            .bind(user)
            .bind(now)
            .execute(self.write())
            .await?;
        } else {
            sqlx::query("DELETE FROM cheers WHERE target_id = $1 AND user_id = $2")
                .bind(target)
                .bind(user)
                .execute(self.write())
                .await?;
        }
        Ok(())
    }

    /// How many cheered a goal, and whether `viewer` did.
    pub async fn goal_cheers(&self, goal: &str, viewer: &str) -> Result<(i64, bool)> {
        let (n, mine): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM cheers WHERE target_id = $1), \
                    (SELECT COUNT(*) FROM cheers WHERE target_id = $1 AND user_id = $2)",
        )
        .bind(goal)
        .bind(viewer)
        .fetch_one(self.read())
        .await?;
        Ok((n, mine > 0))
    }

    /// What `user` said they'd do in sessions that have begun since `from`: (occurrence start,
    /// ticked done: 1, 0 or none yet).
    pub async fn session_goals(&self, user: &str, from: i64, now: i64) -> Result<Vec<(i64, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT occurrence_start, goal_done FROM rsvps WHERE user_id = $1 AND goal <> '' \
             AND status = 'going' AND occurrence_start >= $2 AND occurrence_start <= $3 ORDER BY occurrence_start",
        )
        .bind(user)
        .bind(from)
        .bind(now)
        .fetch_all(self.read())
        .await?)
    }
}

/// Inserts a goal for `user`, or replaces the fields of the one with this id (keeping its owner,
/// progress and status).
async fn write_goal(db: &Db, id: &str, user: &str, f: &GoalFields, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO goals (id, user_id, title, why, target_date, target_value, target_unit, visibility, group_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, why = excluded.why, \
         target_date = excluded.target_date, target_value = excluded.target_value, \
         target_unit = excluded.target_unit, visibility = excluded.visibility, group_id = excluded.group_id, \
         updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(user)
    .bind(&f.title)
    .bind(&f.why)
    .bind(&f.target_date)
    .bind(f.target_value)
    .bind(&f.target_unit)
    .bind(&f.visibility)
    .bind(&f.group_id)
    .bind(now)
    .execute(db.write())
    .await?;
    Ok(())
}
