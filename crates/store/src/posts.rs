//! A group's discussion: posts, replies, "this helped" reactions and reports to moderators.
//! Reads take the viewer's standing so that confidential and hidden posts, and the posts of
//! members blocked either way, are filtered in one place.

use crate::{new_id, Db, Result};

/// A post with its counts, as one viewer sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Post {
    pub id: String,
    pub group_id: String,
    pub author_id: String,
    pub author_name: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub confidential: i64,
    pub hidden: i64,
    pub locked: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub activity_at: i64,
    pub replies: i64,
    pub helped: i64,
    pub helped_by_me: i64,
}

/// A reply, as one viewer sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reply {
    pub id: String,
    pub post_id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub hidden: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub helped: i64,
    pub helped_by_me: i64,
}

/// Who is reading, and what they asked for.
#[derive(Debug, Clone, Default)]
pub struct Reader<'a> {
    pub viewer: &'a str,
    /// A member sees confidential posts.
    pub member: bool,
    /// A moderator sees hidden posts and replies.
    pub moderator: bool,
}

/// An open report, for the moderation queue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Report {
    pub id: String,
    pub post_id: String,
    pub reply_id: Option<String>,
    pub post_title: String,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: i64,
}

const POST_COLS: &str =
    "p.id, p.group_id, p.author_id, u.display_name AS author_name, p.kind, p.title, p.body, \
    p.confidential, p.hidden, p.locked, p.created_at, p.edited_at, p.activity_at, \
    (SELECT COUNT(*) FROM replies r WHERE r.post_id = p.id AND r.hidden = 0) AS replies, \
    (SELECT COUNT(*) FROM helped h WHERE h.target_id = p.id) AS helped, \
    (SELECT COUNT(*) FROM helped h WHERE h.target_id = p.id AND h.user_id = $1) AS helped_by_me";

/// SQL true when the reader (`$1` viewer, `$2` member, `$3` moderator) may see post `p`.
const POST_SEEN: &str = "(p.confidential = 0 OR $2 = 1) AND (p.hidden = 0 OR $3 = 1 OR p.author_id = $1) \
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id) \
                                              OR (b.blocker_id = p.author_id AND b.blocked_id = $1))";

impl Db {
    /// Stores a new post; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_post(
        &self,
        group: &str,
        author: &str,
        kind: &str,
        title: &str,
        body: &str,
        confidential: bool,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO posts (id, group_id, author_id, kind, title, body, confidential, created_at, activity_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(group)
        .bind(author)
        .bind(kind)
        .bind(title)
        .bind(body)
        .bind(i64::from(confidential))
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// Changes a post's words.
    pub async fn update_post(&self, id: &str, kind: &str, title: &str, body: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE posts SET kind = $2, title = $3, body = $4, edited_at = $5 WHERE id = $1")
            .bind(id)
            .bind(kind)
            .bind(title)
            .bind(body)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// A post of `group` as the reader may see it.
    pub async fn post(&self, group: &str, id: &str, r: &Reader<'_>) -> Result<Option<Post>> {
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.group_id = $4 AND p.id = $5 AND {POST_SEEN}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(r.viewer)
            .bind(i64::from(r.member))
            .bind(i64::from(r.moderator))
            .bind(group)
            .bind(id)
            .fetch_optional(self.read())
            .await?)
    }

    /// A group's posts the reader may see, latest activity first; `kind` filters, `before`
    /// continues after (activity_at, id).
    pub async fn posts(
        &self,
        group: &str,
        r: &Reader<'_>,
        kind: Option<&str>,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<Post>> {
        let (at, id) = before.unwrap_or((i64::MAX, String::new()));
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.group_id = $4 AND {POST_SEEN} AND ($5 = '' OR p.kind = $5) \
               AND (p.activity_at < $6 OR (p.activity_at = $6 AND $7 <> '' AND p.id < $7)) \
             ORDER BY p.activity_at DESC, p.id DESC LIMIT $8"
        );
        Ok(sqlx::query_as(&sql)
            .bind(r.viewer)
            .bind(i64::from(r.member))
            .bind(i64::from(r.moderator))
            .bind(group)
            .bind(kind.unwrap_or(""))
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(self.read())
            .await?)
    }

    /// Deletes a post with its replies, reactions and reports.
    pub async fn delete_post(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM posts WHERE id = $1").bind(id).execute(self.write()).await?;
        Ok(())
    }

    /// Sets a post's `hidden` or `locked` flag.
    pub async fn set_post_flag(&self, id: &str, flag: PostFlag, on: bool) -> Result<()> {
        let col = match flag {
            PostFlag::Hidden => "hidden",
            PostFlag::Locked => "locked",
        };
        sqlx::query(&format!("UPDATE posts SET {col} = $2 WHERE id = $1"))
            .bind(id)
            .bind(i64::from(on))
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Stores a reply and moves its post up the list; returns the reply's id.
    pub async fn create_reply(&self, post: &str, author: &str, body: &str, now: i64) -> Result<String> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO replies (id, post_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(post)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE posts SET activity_at = $2 WHERE id = $1")
            .bind(post)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The replies to a post the reader may see, oldest first.
    pub async fn replies(&self, post: &str, r: &Reader<'_>) -> Result<Vec<Reply>> {
        Ok(sqlx::query_as(
            "SELECT x.id, x.post_id, x.author_id, u.display_name AS author_name, x.body, x.hidden, x.created_at, \
                    x.edited_at, (SELECT COUNT(*) FROM helped h WHERE h.target_id = x.id) AS helped, \
                    (SELECT COUNT(*) FROM helped h WHERE h.target_id = x.id AND h.user_id = $1) AS helped_by_me \
             FROM replies x JOIN users u ON u.id = x.author_id \
             WHERE x.post_id = $3 AND (x.hidden = 0 OR $2 = 1 OR x.author_id = $1) \
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = x.author_id) \
                                                        OR (b.blocker_id = x.author_id AND b.blocked_id = $1)) \
             ORDER BY x.created_at, x.id",
        )
        .bind(r.viewer)
        .bind(i64::from(r.moderator))
        .bind(post)
        .fetch_all(self.read())
        .await?)
    }

    /// One reply of a post, whoever may see it (callers check).
    pub async fn reply(&self, post: &str, id: &str) -> Result<Option<Reply>> {
        Ok(sqlx::query_as(
            "SELECT x.id, x.post_id, x.author_id, u.display_name AS author_name, x.body, x.hidden, x.created_at, \
                    x.edited_at, CAST(0 AS BIGINT) AS helped, CAST(0 AS BIGINT) AS helped_by_me \
             FROM replies x JOIN users u ON u.id = x.author_id WHERE x.post_id = $1 AND x.id = $2",
        )
        .bind(post)
        .bind(id)
        .fetch_optional(self.read())
        .await?)
    }

    /// Changes a reply's words.
    pub async fn update_reply(&self, id: &str, body: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE replies SET body = $2, edited_at = $3 WHERE id = $1")
            .bind(id)
            .bind(body)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Hides or shows a reply.
    pub async fn set_reply_hidden(&self, id: &str, on: bool) -> Result<()> {
        sqlx::query("UPDATE replies SET hidden = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(on))
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Deletes a reply with its reactions.
    pub async fn delete_reply(&self, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM helped WHERE target_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM replies WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Says (or takes back) "this helped" on a post or one of its replies.
    pub async fn set_helped(&self, target: &str, post: &str, user: &str, on: bool, now: i64) -> Result<()> {
        if on {
            sqlx::query(
                "INSERT INTO helped (target_id, post_id, user_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (target_id, user_id) DO NOTHING",
            )
            .bind(target)
            .bind(post)
            .bind(user)
            .bind(now)
            .execute(self.write())
            .await?;
        } else {
            sqlx::query("DELETE FROM helped WHERE target_id = $1 AND user_id = $2")
                .bind(target)
                .bind(user)
                .execute(self.write())
                .await?;
        }
        Ok(())
    }

    /// Queues a post or reply for the moderators; a second report by the same member of the same
    /// thing while the first is open adds nothing. Returns whether a report was added.
    pub async fn report(
        &self,
        group: &str,
        post: &str,
        reply: Option<&str>,
        reporter: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO reports (id, group_id, post_id, reply_id, reporter_id, reason, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM reports o WHERE o.post_id = $3 \
               AND COALESCE(o.reply_id, '') = COALESCE($4, '') AND o.reporter_id = $5 AND o.resolved_at IS NULL)",
        )
        .bind(new_id())
        .bind(group)
        .bind(post)
        .bind(reply)
        .bind(reporter)
        .bind(reason)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// A group's open reports, oldest first.
    pub async fn open_reports(&self, group: &str) -> Result<Vec<Report>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.post_id, r.reply_id, p.title AS post_title, u.display_name AS reporter_name, r.reason, \
                    r.created_at FROM reports r JOIN posts p ON p.id = r.post_id JOIN users u ON u.id = r.reporter_id \
             WHERE r.group_id = $1 AND r.resolved_at IS NULL ORDER BY r.created_at, r.id",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }

    /// Closes one open report of a group, or (with `target`) every open report of that post or
    /// reply. Returns how many were closed.
    pub async fn resolve_reports(
        &self,
        group: &str,
        report: Option<&str>,
        target: Option<&str>,
        by: &str,
        resolution: &str,
        now: i64,
    ) -> Result<u64> {
        let r = sqlx::query(
            "UPDATE reports SET resolved_at = $3, resolved_by = $4, resolution = $5 \
             WHERE group_id = $1 AND resolved_at IS NULL AND (id = $2 OR COALESCE(reply_id, post_id) = $6)",
        )
        .bind(group)
        .bind(report.unwrap_or(""))
        .bind(now)
        .bind(by)
        .bind(resolution)
        .bind(target.unwrap_or(""))
        .execute(self.write())
        .await?;
        Ok(r.rows_affected())
    }

    /// Everything `author` wrote in groups, for their data export: (group name, post).
    pub async fn posts_by(&self, author: &str) -> Result<Vec<(String, Post)>> {
        let sql = format!(
            "SELECT g.name AS group_name, {POST_COLS} FROM posts p JOIN users u ON u.id = p.author_id \
             JOIN groups g ON g.id = p.group_id WHERE p.author_id = $1 \
             ORDER BY p.created_at, p.id"
        );
        let rows = sqlx::query(&sql).bind(author).fetch_all(self.read()).await?;
        rows.iter()
            .map(|r| {
                use sqlx::{FromRow, Row};
                Ok((r.try_get::<String, _>("group_name")?, Post::from_row(r)?))
            })
            .collect()
    }

    /// Every reply `author` wrote, for their data export: (post id, post title unless the post is
    /// someone else's confidential one, reply).
    pub async fn replies_by(&self, author: &str) -> Result<Vec<(String, String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT x.post_id, CASE WHEN p.confidential = 1 AND p.author_id <> $1 THEN '' ELSE p.title END, \
                    x.body, x.created_at FROM replies x JOIN posts p ON p.id = x.post_id \
             WHERE x.author_id = $1 ORDER BY x.created_at, x.id",
        )
        .bind(author)
        .fetch_all(self.read())
        .await?)
    }
}

/// A moderator's switch on a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFlag {
    /// Only moderators and the author see it.
    Hidden,
    /// No more replies.
    Locked,
}
