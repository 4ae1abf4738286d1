//! Groups (referral chapters, coworking circles, meetups, classes): who may do what in one, by
//! the group's visibility and the member's standing. Every handler asks [`decide`]; nothing else
//! in the product decides who may see or change a group.
//!
//! The rule that matters most: a non-member of an invite-only group learns nothing about it, not
//! even that it exists, so every answer for them is [`Decision::Hidden`] (the app answers 404).

use serde::{Deserialize, Serialize};

/// Who may find and join a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Openness {
    /// Anyone may see it and join at once.
    Open,
    /// Anyone may see it; joining needs an organiser's or moderator's yes.
    Request,
    /// Invisible to non-members; joining needs an invitation.
    Invite,
}

impl Openness {
    /// All values, most open first.
    pub const ALL: [Openness; 3] = [Openness::Open, Openness::Request, Openness::Invite];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Openness::Open => "open",
            Openness::Request => "request",
            Openness::Invite => "invite",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Openness::Open => "Open: anyone can join",
            Openness::Request => "Request to join: organisers say yes",
            Openness::Invite => "Invite only: hidden from everyone else",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Openness, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| "Choose open, request to join or invite only.".to_owned())
    }
}

/// A member's role in a group; later roles may do all the earlier ones may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Takes part: posts, replies, goes to events.
    Member,
    /// Also keeps the discussion healthy and lets people in.
    Moderator,
    /// Runs the group: its settings and roles. Exactly one per group.
    Organiser,
}

impl Role {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Organiser => "organiser",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Role, String> {
        [Role::Member, Role::Moderator, Role::Organiser]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| "Choose member, moderator or organiser.".to_owned())
    }
}

/// How the person asking stands to the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Their role, if they are a member.
    pub role: Option<Role>,
    /// Banned from the group by its moderators.
    pub banned: bool,
    /// An instance admin (who may moderate posts of groups they can see, but gets no look into
    /// invite-only groups they do not belong to).
    pub admin: bool,
}

/// What someone wants to do with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See its name, description, topics and public events.
    See,
    /// See who belongs.
    SeeMembers,
    /// Read its discussion (posts not marked confidential).
    Read,
    /// Read confidential posts.
    ReadConfidential,
    /// Join (an open group) or ask to join (a request-to-join group).
    Join,
    /// Be told of its new events.
    Follow,
    /// Post, reply, react, or host an event of the group.
    Take,
    /// Report a post or reply to the moderators.
    Report,
    /// Hide, lock or delete others' posts; handle reports.
    Moderate,
    /// Let people in, invite them, remove or ban members.
    Manage,
    /// Change the group's settings and roles, hand it over, delete it.
    Configure,
}

/// The answer to "may I?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Act as if the group did not exist (answered 404).
    Hidden,
    /// Refuse with this reason (answered 403).
    Deny(&'static str),
}

impl Decision {
    /// True for [`Decision::Allow`].
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Whether someone standing as `s` may do `action` in a group that is `openness`, whose member
/// list is open to non-members when `members_public`.
pub fn decide(openness: Openness, members_public: bool, s: Standing, action: Action) -> Decision {
    use Decision::{Allow, Deny, Hidden};
    let role = s.role;
    let member = role.is_some();
    if !member && openness == Openness::Invite {
        return Hidden;
    }
    let at_least = |r: Role| role.is_some_and(|mine| mine >= r);
    match action {
        Action::See => Allow,
        Action::SeeMembers if member || members_public => Allow,
        Action::SeeMembers => Deny("Only members see who belongs to this group."),
        Action::Read if member || openness == Openness::Open => Allow,
        Action::Read => Deny("Join the group to read its discussion."),
        // A confidential post does not exist for non-members.
        Action::ReadConfidential if member => Allow,
        Action::ReadConfidential => Hidden,
        Action::Join if member => Deny("You're already a member."),
        Action::Join if s.banned => Deny("The group's moderators have removed you from this group."),
        Action::Join => Allow,
        Action::Follow if s.banned => Deny("The group's moderators have removed you from this group."),
        Action::Follow => Allow,
        Action::Take if member => Allow,
        Action::Take => Deny("Join the group to take part."),
        Action::Report => decide(openness, members_public, s, Action::Read),
        Action::Moderate if at_least(Role::Moderator) || s.admin => Allow,
        Action::Moderate => Deny("Only the group's moderators can do that."),
        Action::Manage if at_least(Role::Moderator) => Allow,
        Action::Manage => Deny("Only the group's organiser and moderators can do that."),
        Action::Configure if at_least(Role::Organiser) => Allow,
        Action::Configure => Deny("Only the group's organiser can do that."),
    }
}

/// Whether a member with role `actor` may remove (or ban) one with role `target`: only someone
/// of a higher role, so moderators cannot remove each other and nobody removes the organiser.
pub fn may_remove(actor: Role, target: Role) -> bool {
    actor > target
}

/// The kinds of discussion post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostKind {
    /// "Can anyone help me with…"
    #[serde(rename = "ask")]
    Ask,
    /// "I can help with…"
    #[serde(rename = "offer")]
    Offer,
    /// Something that is hard right now (may be confidential).
    #[serde(rename = "struggle")]
    Struggle,
    /// Something that went well.
    #[serde(rename = "win")]
    Win,
    /// Thanks to, or praise of, someone.
    #[serde(rename = "shoutout")]
    Shoutout,
    /// An idea to share with the group.
    #[serde(rename = "idea")]
    Idea,
}

impl PostKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [PostKind; 6] = [
        PostKind::Ask,
        PostKind::Offer,
        PostKind::Struggle,
        PostKind::Win,
        PostKind::Shoutout,
        PostKind::Idea,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Ask => "ask",
            PostKind::Offer => "offer",
            PostKind::Struggle => "struggle",
            PostKind::Win => "win",
            PostKind::Shoutout => "shoutout",
            PostKind::Idea => "idea",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            PostKind::Ask => "Ask for help",
            PostKind::Offer => "Offer help",
            PostKind::Struggle => "Struggle",
            PostKind::Win => "Win",
            PostKind::Shoutout => "Shout-out",
            PostKind::Idea => "Idea",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<PostKind, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| "Choose ask for help, offer help, struggle, win, shout-out or idea.".to_owned())
    }
}

/// How long after writing a post or reply its author may still change it.
pub const EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Whether something written at `created_at` may still be edited at `now`.
pub fn may_edit(created_at: i64, now: i64) -> bool {
    now >= created_at && now - created_at <= EDIT_WINDOW_MS
}

/// Most topics a group may list.
pub const MAX_TOPICS: usize = 8;

/// Splits "WordPress, SEO" into the group's normalised topics (as profile tags are).
pub fn parse_topics(input: &str) -> Result<Vec<String>, String> {
    let topics = crate::profile::parse_tags(input)?;
    if topics.len() > MAX_TOPICS {
        return Err(format!("List at most {MAX_TOPICS} topics."));
    }
    Ok(topics)
}

/// Invitation links last this long unless the organiser chooses otherwise.
pub const DEFAULT_INVITE_DAYS: i64 = 7;

/// The lifetimes an invitation link may have, in days.
pub const INVITE_DAYS: [i64; 4] = [1, 7, 30, 90];

/// Checks a chosen invitation lifetime.
pub fn check_invite_days(days: i64) -> Result<i64, String> {
    if INVITE_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err("Choose 1, 7, 30 or 90 days.".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_role(role: Option<Role>) -> Standing {
        Standing { role, ..Standing::default() }
    }

    #[test]
    fn outsiders_learn_nothing_of_an_invite_only_group() {
        for action in [
            Action::See,
            Action::SeeMembers,
            Action::Read,
            Action::ReadConfidential,
            Action::Join,
            Action::Follow,
            Action::Take,
            Action::Report,
            Action::Moderate,
            Action::Manage,
            Action::Configure,
        ] {
            assert_eq!(decide(Openness::Invite, true, as_role(None), action), Decision::Hidden, "{action:?}");
            let admin = Standing { admin: true, ..Standing::default() };
            assert_eq!(decide(Openness::Invite, true, admin, action), Decision::Hidden, "admin {action:?}");
        }
    }

    #[test]
    fn roles_build_on_each_other() {
        let member = as_role(Some(Role::Member));
        let moderator = as_role(Some(Role::Moderator));
        let organiser = as_role(Some(Role::Organiser));
        for g in Openness::ALL {
            assert!(decide(g, false, member, Action::Take).allowed());
            assert!(!decide(g, false, member, Action::Moderate).allowed());
            assert!(decide(g, false, moderator, Action::Moderate).allowed());
            assert!(decide(g, false, moderator, Action::Manage).allowed());
            assert!(!decide(g, false, moderator, Action::Configure).allowed());
            assert!(decide(g, false, organiser, Action::Configure).allowed());
        }
    }

    #[test]
    fn non_members_of_visible_groups_see_what_the_group_shows() {
        let outsider = as_role(None);
        assert!(decide(Openness::Open, false, outsider, Action::Read).allowed());
        assert!(!decide(Openness::Request, false, outsider, Action::Read).allowed());
        assert_eq!(decide(Openness::Open, false, outsider, Action::ReadConfidential), Decision::Hidden);
        assert!(!decide(Openness::Open, false, outsider, Action::SeeMembers).allowed());
        assert!(decide(Openness::Open, true, outsider, Action::SeeMembers).allowed());
        assert!(!decide(Openness::Open, false, outsider, Action::Take).allowed());
        let banned = Standing { banned: true, ..Standing::default() };
        assert!(!decide(Openness::Open, false, banned, Action::Join).allowed());
        let admin = Standing { admin: true, ..Standing::default() };
        assert!(decide(Openness::Open, false, admin, Action::Moderate).allowed());
        assert!(!decide(Openness::Open, false, admin, Action::Manage).allowed());
    }

    #[test]
    fn only_a_higher_role_removes() {
        assert!(may_remove(Role::Organiser, Role::Moderator));
        assert!(may_remove(Role::Moderator, Role::Member));
        assert!(!may_remove(Role::Moderator, Role::Moderator));
        assert!(!may_remove(Role::Moderator, Role::Organiser));
    }

    #[test]
    fn edits_close_after_fifteen_minutes() {
        assert!(may_edit(0, EDIT_WINDOW_MS));
        assert!(!may_edit(0, EDIT_WINDOW_MS + 1));
        assert!(!may_edit(10, 5));
    }
}
