//! Roster imports: the addresses an organiser brought in, one invitation each and once per group
//! (a second import of the same file sends nothing again); and the instance-wide list of people
//! who asked never to get mail from this instance again.

use std::collections::HashSet;

use crate::{new_id, Db, Result};

/// One person to invite, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// Lower case.
    pub email: String,
    pub name: String,
    pub trade: String,
    pub skills: String,
}

/// One import and how its invitations are getting on.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ImportSummary {
    pub id: String,
    pub created_at: i64,
    /// Who imported it ("" when their account is gone).
    pub by_name: String,
    pub total: i64,
    pub sent: i64,
    pub waiting: i64,
    /// Given up on by the mail server.
    pub failed: i64,
    /// Not written to: the address asked for no mail from this instance.
    pub held: i64,
}

/// One invitation of an import, written ready to send.
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    pub entry: &'a Entry,
    pub token_hash: String,
    pub subject: String,
    pub body: String,
    /// The no-mail link, for the List-Unsubscribe header.
    pub unsubscribe_url: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Invitations queued.
    pub queued: i64,
    /// Addresses the group had invited before: nothing sent again.
    pub repeated: i64,
    /// Addresses that asked for no mail: recorded, not written to.
    pub held: i64,
}

impl Db {
    /// Sends an import's invitations in one transaction: for each address the group has not
    /// invited before, records it, makes its single-use invitation (expiring at `expires_at`)
    /// and queues its mail as bulk mail, unless the address asked for no mail.
    pub async fn send_roster(
        &self,
        group: &str,
        import: &str,
        by: &str,
        expires_at: i64,
        items: &[Invitation<'_>],
        now: i64,
    ) -> Result<Sent> {
        let mut tx = self.begin().await?;
        let mut sent = Sent::default();
        for i in items {
            let e = i.entry;
            let added = sqlx::query(
                "INSERT INTO roster_entries (group_id, email, import_id, name, trade, skills, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (group_id, email) DO NOTHING",
            )
            .bind(group)
            .bind(&e.email)
            .bind(import)
            .bind(&e.name)
            .bind(&e.trade)
            .bind(&e.skills)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 0 {
                sent.repeated += 1;
                continue;
            }
            let out: Option<(String,)> = sqlx::query_as("SELECT email FROM mail_optouts WHERE email = $1")
                .bind(&e.email)
                .fetch_optional(&mut *tx)
                .await?;
            if out.is_some() {
                sent.held += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO group_invites (id, group_id, token_hash, email, created_by, created_at, expires_at, \
                 max_uses, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
            )
            .bind(new_id())
            .bind(group)
            .bind(&i.token_hash)
            .bind(&e.email)
            .bind(by)
            .bind(now)
            .bind(expires_at)
            .bind(import)
            .execute(&mut *tx)
            .await?;
            let mail = new_id();
            sqlx::query(
                "INSERT INTO outbox (id, to_addr, subject, body_text, unsubscribe_url, next_attempt_at, created_at, \
                 bulk) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
            )
            .bind(&mail)
            .bind(&e.email)
            .bind(&i.subject)
            .bind(&i.body)
            .bind(&i.unsubscribe_url)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE roster_entries SET mail_id = $3 WHERE group_id = $1 AND email = $2")
                .bind(group)
                .bind(&e.email)
                .bind(&mail)
                .execute(&mut *tx)
                .await?;
            sent.queued += 1;
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// The trade and skills an import gave for `email` in `group` (to start the profile of
    /// someone who joins by its invitation).
    pub async fn roster_entry(&self, group: &str, email: &str) -> Result<Option<Entry>> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT email, name, trade, skills FROM roster_entries WHERE group_id = $1 AND email = $2",
        )
        .bind(group)
        .bind(email.to_lowercase())
        .fetch_optional(self.read())
        .await?;
        Ok(row.map(|(email, name, trade, skills)| Entry { email, name, trade, skills }))
    }

    /// Starts the profile of `user`, who joined by an import's invitation, with the trade and
    /// skills the import gave, where they have none of their own yet.
    pub async fn start_profile(&self, user: &str, trade: &str, skills: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET trade = $2 WHERE id = $1 AND trade = ''")
            .bind(user)
            .bind(trade)
            .execute(&mut *tx)
            .await?;
        let (offers,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM user_tags WHERE user_id = $1 AND kind = 'offer'")
                .bind(user)
                .fetch_one(&mut *tx)
                .await?;
        if offers == 0 {
            for tag in skills {
                sqlx::query("INSERT INTO user_tags (user_id, kind, tag) VALUES ($1, 'offer', $2)")
                    .bind(user)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Starts an import for `group`; returns its id.
    pub async fn create_roster_import(&self, group: &str, by: &str, now: i64) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO roster_imports (id, group_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(group)
        .bind(by)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(id)
    }

    /// Every address the group invited by an import, with the day it did.
    pub async fn roster_invited(&self, group: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT email, created_at FROM roster_entries WHERE group_id = $1")
            .bind(group)
            .fetch_all(self.read())
            .await?)
    }

    /// How many addresses the group invited by import since `since`.
    pub async fn roster_count_since(&self, group: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM roster_entries WHERE group_id = $1 AND created_at >= $2")
                .bind(group)
                .bind(since)
                .fetch_one(self.read())
                .await?;
        Ok(n)
    }

    /// The (lower-case) addresses of the group's members.
    pub async fn member_emails(&self, group: &str) -> Result<HashSet<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT u.email FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = $1",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(e,)| e.to_lowercase()).collect())
    }

    /// The group's imports, newest first, each with its invitations counted by state.
    pub async fn roster_imports(&self, group: &str, limit: i64) -> Result<Vec<ImportSummary>> {
        // COUNT subqueries rather than SUM: PostgreSQL's SUM of a bigint is a NUMERIC, which the
        // Any driver cannot decode.
        let count = |cond: &str| {
            format!(
                "(SELECT COUNT(*) FROM roster_entries e LEFT JOIN outbox o ON o.id = e.mail_id \
                 WHERE e.import_id = i.id AND {cond})"
            )
        };
        let sql = format!(
            "SELECT i.id, i.created_at, COALESCE(u.display_name, '') AS by_name, {} AS total, {} AS sent, \
             {} AS waiting, {} AS failed, {} AS held FROM roster_imports i LEFT JOIN users u ON u.id = i.created_by \
             WHERE i.group_id = $1 ORDER BY i.created_at DESC, i.id LIMIT $2",
            count("1 = 1"),
            count("o.status = 'sent'"),
            count("o.status = 'pending'"),
            count("o.status = 'failed'"),
            count("(e.mail_id IS NULL OR o.status = 'stopped')"),
        );
        Ok(sqlx::query_as(&sql).bind(group).bind(limit).fetch_all(self.read()).await?)
    }

    /// Records that `email` wants no mail from this instance unless they are a member, and drops
    /// the bulk mail already waiting for it.
    pub async fn opt_out(&self, email: &str, now: i64) -> Result<()> {
        let email = email.to_lowercase();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO mail_optouts (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&email)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET status = 'stopped', body_text = '' WHERE bulk = 1 AND status = 'pending' \
             AND LOWER(to_addr) = $1",
        )
        .bind(&email)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether `email` asked for no mail from this instance.
    pub async fn opted_out(&self, email: &str) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT email FROM mail_optouts WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(self.read())
            .await?;
        Ok(row.is_some())
    }
}
