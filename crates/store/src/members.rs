//! The member directory, blocks, and how two members stand to each other.

use domain::profile::Relation;

use crate::users::{User, USER_COLS};
use crate::{Db, Result};

/// Filters for the member directory; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    /// Part of a skill the member offers.
    pub skill: String,
    /// Part of a skill the member wants help with.
    pub need: String,
    /// Part of the member's trade.
    pub trade: String,
    /// The folded name of the member's city (see `domain::geo::fold`), when no exact city is known.
    pub city_key: String,
    /// The member's city, when the search named one exactly.
    pub city_id: Option<i64>,
    /// Words in the name, trade or bio.
    pub q: String,
    /// Continue after this (sort name, id).
    pub after: Option<(String, String)>,
    /// Page size.
    pub limit: i64,
}

/// SQL that is true when the field with visibility column `col` of `u` may be searched by the
/// viewer `$1`: fields open to everyone, fields for "my groups" when the two share a group, and
/// every field of an accepted partner (the rule of `Visibility::allows`).
fn searchable(col: &str) -> String {
    format!(
        "(u.{col} = 'everyone' OR u.id = $1 \
          OR (u.{col} = 'groups' AND EXISTS (SELECT 1 FROM group_members sm JOIN group_members so \
              ON so.group_id = sm.group_id WHERE sm.user_id = $1 AND so.user_id = u.id)) \
          OR EXISTS (SELECT 1 FROM partnerships sp WHERE sp.status = 'accepted' \
              AND ((sp.requester_id = $1 AND sp.partner_id = u.id) OR (sp.requester_id = u.id AND sp.partner_id = $1))))"
    )
}

/// Escapes LIKE wildcards in user input and wraps it in `%…%`.
fn contains_pattern(s: &str) -> String {
    let escaped = s.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Db {
    /// Members the viewer may see, matching the query, ordered by name; one more than `limit`
    /// rows are fetched so the caller knows whether a next page exists.
    pub async fn search_members(&self, viewer: &str, q: &MemberQuery) -> Result<Vec<User>> {
        let (after_name, after_id) = q.after.clone().unwrap_or_default();
        let sql = format!(
            "SELECT {USER_COLS} FROM users u \
             WHERE u.suspended_at IS NULL AND u.id <> $1 \
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = u.id) \
                                                        OR (b.blocker_id = u.id AND b.blocked_id = $1)) \
               AND ($2 = '' OR ({skills} AND EXISTS (SELECT 1 FROM user_tags t WHERE t.user_id = u.id \
                    AND t.kind = 'offer' AND t.tag LIKE $3 ESCAPE '\\'))) \
               AND ($4 = '' OR ({skills} AND EXISTS (SELECT 1 FROM user_tags t WHERE t.user_id = u.id \
                    AND t.kind = 'need' AND t.tag LIKE $5 ESCAPE '\\'))) \
               AND ($6 = '' OR ({trade} AND u.trade_lc LIKE $7 ESCAPE '\\')) \
               AND ($8 = '' OR ({city} AND u.city_key = $8)) \
               AND ($14 < 0 OR ({city} AND u.city_id = $14)) \
               AND ($9 = '' OR u.sort_name LIKE $10 ESCAPE '\\' \
                    OR ({trade} AND u.trade_lc LIKE $10 ESCAPE '\\') \
                    OR ({bio} AND u.bio_lc LIKE $10 ESCAPE '\\')) \
               AND (u.sort_name > $11 OR (u.sort_name = $11 AND u.id > $12)) \
             ORDER BY u.sort_name, u.id LIMIT $13",
            skills = searchable("vis_skills"),
            trade = searchable("vis_trade"),
            city = searchable("vis_city"),
            bio = searchable("vis_bio"),
        );
        Ok(sqlx::query_as(&sql)
            .bind(viewer)
            .bind(q.skill.trim())
            .bind(contains_pattern(&q.skill))
            .bind(q.need.trim())
            .bind(contains_pattern(&q.need))
            .bind(q.trade.trim())
            .bind(contains_pattern(&q.trade))
            .bind(q.city_key.trim())
            .bind(q.q.trim())
            .bind(contains_pattern(&q.q))
            .bind(after_name)
            .bind(after_id)
            .bind(q.limit + 1)
            .bind(q.city_id.unwrap_or(-1))
            .fetch_all(self.read())
            .await?)
    }

    /// The tags of `kind` (offer | need) most members use, most used first.
    pub async fn popular_tags(&self, kind: &str, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT tag FROM user_tags WHERE kind = $1 GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT $2",
        )
        .bind(kind)
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }

    /// Tags of many users at once: (user id, kind, tag).
    pub async fn tags_of(&self, ids: &[String]) -> Result<Vec<(String, String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT user_id, kind, tag FROM user_tags WHERE user_id IN ({}) ORDER BY tag",
            marks.join(", ")
        );
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.read()).await?)
    }

    /// How `viewer` stands to `owner`: myself, an accepted partner, a member of one of the same
    /// groups, or any member.
    pub async fn relation(&self, viewer: &str, owner: &str) -> Result<Relation> {
        Ok(if viewer == owner {
            Relation::Myself
        } else if self.are_partners(viewer, owner).await? {
            Relation::Partner
        } else if self.share_a_group(viewer, owner).await? {
            Relation::GroupMate
        } else {
            Relation::Member
        })
    }

    /// True when either member has blocked the other.
    pub async fn blocked_either_way(&self, a: &str, b: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) \
             OR (blocker_id = $2 AND blocked_id = $1)",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(self.read())
        .await?;
        Ok(row.is_some())
    }

    /// `blocker` blocks `blocked` (idempotent).
    pub async fn block(&self, blocker: &str, blocked: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
        )
        .bind(blocker)
        .bind(blocked)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Lifts a block (idempotent).
    pub async fn unblock(&self, blocker: &str, blocked: &str) -> Result<()> {
        sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
            .bind(blocker)
            .bind(blocked)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The members `blocker` has blocked: (id, display name, when).
    pub async fn blocked_by(&self, blocker: &str) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.display_name, b.created_at FROM blocks b JOIN users u ON u.id = b.blocked_id \
             WHERE b.blocker_id = $1 ORDER BY u.sort_name",
        )
        .bind(blocker)
        .fetch_all(self.read())
        .await?)
    }
}
