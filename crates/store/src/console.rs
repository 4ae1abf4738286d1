//! What a group's console reads: its members with when they last came and the referrals they
//! gave and received in the group, and every answer to the group's dates in a window (for
//! attendance rates and the per-meeting export).

use crate::{Db, Result};

/// A member as the console lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsoleMember {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    /// Who may see the address: everyone | groups | partners.
    pub vis_email: String,
    pub role: String,
    pub joined_at: i64,
    /// The start of the last of the group's dates the host marked them present at.
    pub last_attended: Option<i64>,
    /// Referral slips given and received within the group.
    pub given: i64,
    pub received: i64,
}

/// One answer to one of the group's dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DateAnswer {
    pub event_id: String,
    pub occurrence_start: i64,
    pub user_id: String,
    pub display_name: String,
    /// going | maybe | waitlisted | not_going
    pub status: String,
    /// 1 present, 0 absent, none when not marked.
    pub attended: Option<i64>,
    /// '' | late | substitute, with who came instead.
    pub arrival: String,
    pub substitute: String,
}

impl Db {
    /// The group's members (organisers first, then by name), each with their last attendance and
    /// referrals in the group.
    pub async fn console_members(&self, group: &str) -> Result<Vec<ConsoleMember>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.display_name, u.email, u.vis_email, m.role, m.joined_at, \
               (SELECT MAX(r.occurrence_start) FROM rsvps r JOIN events e ON e.id = r.event_id \
                 WHERE e.group_id = m.group_id AND r.user_id = u.id AND r.attended = 1) AS last_attended, \
               (SELECT COUNT(*) FROM referrals f WHERE f.group_id = m.group_id AND f.giver_id = u.id) AS given, \
               (SELECT COUNT(*) FROM referrals f WHERE f.group_id = m.group_id AND f.receiver_id = u.id) AS received \
             FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 \
             ORDER BY CASE m.role WHEN 'organiser' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, u.sort_name, u.id",
        )
        .bind(group)
        .fetch_all(self.read())
        .await?)
    }

    /// Every answer to the group's dates whose original start is in `[from, to)`, by date.
    pub async fn group_date_answers(&self, group: &str, from: i64, to: i64) -> Result<Vec<DateAnswer>> {
        Ok(sqlx::query_as(
            "SELECT r.event_id, r.occurrence_start, r.user_id, u.display_name, r.status, r.attended, r.arrival, r.substitute \
             FROM rsvps r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id \
             WHERE e.group_id = $1 AND r.occurrence_start >= $2 AND r.occurrence_start < $3 \
             ORDER BY r.occurrence_start, r.event_id, u.sort_name, u.id",
        )
        .bind(group)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?)
    }
}
