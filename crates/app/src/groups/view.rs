//! Groups, members, posts and replies as the API and pages show them.

use chrono::DateTime;
use domain::groups::{may_edit, Action, PostKind, EDIT_WINDOW_MS};
use serde::Serialize;
use store::posts::{Post, Reply};
use utoipa::ToSchema;

use super::Access;
use crate::web::markdown;

/// An instant as RFC 3339, for the API.
pub fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A member, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub display_name: String,
}

/// A group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub topics: Vec<String>,
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    /// The city it meets in, if not virtual.
    pub city: Option<String>,
    pub time_zone: String,
    /// open | request | invite
    pub visibility: String,
    /// Whether non-members may see the member list.
    pub members_public: bool,
    pub member_count: i64,
    /// My role (organiser | moderator | member), or null.
    pub my_role: Option<String>,
    /// Whether I follow its new events.
    pub following: bool,
    /// Whether my request to join waits for an answer.
    pub requested: bool,
    pub created_at: String,
}

impl GroupView {
    /// The view of the group `a` opens, as `a`'s viewer stands to it.
    pub fn new(a: &Access, topics: Vec<String>, member_count: i64) -> GroupView {
        let g = &a.group;
        GroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            topics,
            is_virtual: g.is_virtual == 1,
            city: (g.is_virtual == 0).then(|| g.city_label.clone()),
            time_zone: g.time_zone.clone(),
            visibility: g.visibility.clone(),
            members_public: g.members_public == 1,
            member_count,
            my_role: a.standing.role.clone(),
            following: a.standing.following,
            requested: a.standing.requested,
            created_at: rfc3339(g.created_at),
        }
    }
}

/// A post of a group's discussion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostView {
    pub id: String,
    /// ask | offer | struggle | win | shoutout | idea
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    /// Markdown, as written.
    pub body: String,
    /// The body rendered to safe HTML.
    pub html: String,
    pub author: PersonRef,
    /// Members only, never in digests or others' exports.
    pub confidential: bool,
    /// Hidden by a moderator (only moderators and the author see it).
    pub hidden: bool,
    /// No more replies.
    pub locked: bool,
    pub created_at: String,
    pub edited_at: Option<String>,
    /// Until when the author may still edit it, if that is still to come.
    pub editable_until: Option<String>,
    pub replies: i64,
    /// How many said "this helped".
    pub helped: i64,
    pub helped_by_me: bool,
    /// Whether I may hide or lock it.
    pub can_moderate: bool,
    /// Whether I may edit it now.
    pub can_edit: bool,
    /// Whether I may delete it.
    pub can_delete: bool,
}

impl PostView {
    /// The view of a stored post for `a`'s viewer at `now`.
    pub fn new(p: &Post, a: &Access, now: i64) -> PostView {
        let mine = p.author_id == a.viewer;
        let open = may_edit(p.created_at, now);
        PostView {
            id: p.id.clone(),
            kind: p.kind.clone(),
            kind_label: PostKind::parse(&p.kind).map(PostKind::label).unwrap_or("Post").to_owned(),
            title: p.title.clone(),
            body: p.body.clone(),
            html: markdown::render(&p.body),
            author: PersonRef { id: p.author_id.clone(), display_name: p.author_name.clone() },
            confidential: p.confidential == 1,
            hidden: p.hidden == 1,
            locked: p.locked == 1,
            created_at: rfc3339(p.created_at),
            edited_at: p.edited_at.map(rfc3339),
            editable_until: (mine && open).then(|| rfc3339(p.created_at + EDIT_WINDOW_MS)),
            replies: p.replies,
            helped: p.helped,
            helped_by_me: p.helped_by_me > 0,
            can_moderate: a.can(Action::Moderate),
            can_edit: mine && open && a.is_member(),
            can_delete: mine || a.can(Action::Moderate),
        }
    }
}

/// A reply to a post.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyView {
    pub id: String,
    /// Markdown, as written.
    pub body: String,
    /// The body rendered to safe HTML.
    pub html: String,
    pub author: PersonRef,
    pub hidden: bool,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub editable_until: Option<String>,
    pub helped: i64,
    pub helped_by_me: bool,
    /// Whether I may edit it now.
    pub can_edit: bool,
    /// Whether I may delete it.
    pub can_delete: bool,
}

impl ReplyView {
    /// The view of a stored reply for `a`'s viewer at `now`.
    pub fn new(r: &Reply, a: &Access, now: i64) -> ReplyView {
        let mine = r.author_id == a.viewer;
        let open = may_edit(r.created_at, now);
        ReplyView {
            id: r.id.clone(),
            body: r.body.clone(),
            html: markdown::render(&r.body),
            author: PersonRef { id: r.author_id.clone(), display_name: r.author_name.clone() },
            hidden: r.hidden == 1,
            created_at: rfc3339(r.created_at),
            edited_at: r.edited_at.map(rfc3339),
            editable_until: (mine && open).then(|| rfc3339(r.created_at + EDIT_WINDOW_MS)),
            helped: r.helped,
            helped_by_me: r.helped_by_me > 0,
            can_edit: mine && open && a.is_member(),
            can_delete: mine || a.can(Action::Moderate),
        }
    }
}

/// A post with its replies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Thread {
    pub post: PostView,
    pub replies: Vec<ReplyView>,
}
