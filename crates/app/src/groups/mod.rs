//! Groups (C6): referral chapters, coworking circles, meetups and classes, with roles, join
//! requests, invitations, followers, group events and calendars, a discussion with moderation,
//! and discovery of groups and public events.
//!
//! Every handler loads an [`Access`] with [`access`] and asks it [`Access::require`]; the rules
//! themselves are `domain::groups::decide`. A non-member of an invite-only group gets 404 from
//! every route, exactly as for a group that does not exist.

pub mod announcements;
pub mod api;
pub mod calendar;
pub mod classifications;
pub mod console;
pub mod discover;
pub mod input;
pub mod invites;
pub mod members;
pub mod members_api;
pub mod pages;
pub mod posts;
pub mod posts_api;
pub mod posts_pages;
pub mod roster;
pub mod roster_input;
pub mod view;

use axum::routing::{get, post};
use axum::Router;
use domain::groups::{decide, Action, Decision, Openness, Role};
use domain::notices::Kind;
use store::events::Event;
use store::groups::Group;
use store::posts::Reader;
use store::users::User;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(pages::list))
        .route("/groups/new", get(pages::new_page).post(pages::create))
        .route("/groups/{id}", get(pages::show))
        .route("/groups/{id}/edit", get(pages::edit_page).post(pages::edit))
        .route("/groups/{id}/delete", post(pages::delete))
        .route("/groups/{id}/join", post(members::join_page))
        .route("/groups/{id}/leave", post(members::leave_page))
        .route("/groups/{id}/follow", post(members::follow_page))
        .route("/groups/{id}/members", get(members::members_page))
        .route("/groups/{id}/members/manage", post(members::manage_page))
        .route("/groups/{id}/requests", post(members::requests_page))
        .route("/groups/{id}/invites", get(invites::page_get).post(invites::create_page))
        .route("/groups/{id}/invites/revoke", post(invites::revoke_page))
        .route("/groups/{id}/roster", get(roster::page_get).post(roster::post_page))
        .route("/groups/{id}/console", get(console::page_get))
        .route(
            "/groups/{id}/classifications",
            get(classifications::page_get).post(classifications::page_post),
        )
        .route("/groups/{id}/console/members.csv", get(console::members_csv))
        .route("/groups/{id}/console/attendance.csv", get(console::attendance_csv))
        .route("/invites/{token}", get(invites::landing).post(invites::accept_page))
        .route("/groups/{id}/calendar", get(calendar::page))
        .route("/groups/{id}/calendar-feed", post(calendar::feed_page))
        .route("/feeds/group/{token}/calendar.ics", get(calendar::feed))
        .route("/groups/{id}/announcements", post(announcements::page))
        .route("/groups/{id}/posts", post(posts_pages::create))
        .route("/groups/{id}/posts/{post}", get(posts_pages::show))
        .route("/groups/{id}/posts/{post}/edit", get(posts_pages::edit_page).post(posts_pages::edit))
        .route("/groups/{id}/posts/{post}/replies", post(posts_pages::reply))
        .route("/groups/{id}/posts/{post}/helped", post(posts_pages::helped))
        .route("/groups/{id}/posts/{post}/moderate", post(posts_pages::moderate))
        .route("/groups/{id}/posts/{post}/report", post(posts_pages::report))
        .route("/groups/{id}/reports", get(posts_pages::reports).post(posts_pages::resolve))
        .route("/discover", get(discover::page))
        .route("/api/v1/groups", get(api::list).post(api::create))
        .route("/api/v1/groups/{id}", get(api::get).patch(api::patch).delete(api::delete))
        .route("/api/v1/groups/{id}/membership", post(members_api::join_api).delete(members_api::leave_api))
        .route(
            "/api/v1/groups/{id}/follow",
            axum::routing::put(members_api::follow_api).delete(members_api::unfollow_api),
        )
        .route("/api/v1/groups/{id}/members", get(members_api::members_api))
        .route(
            "/api/v1/groups/{id}/members/{member}",
            axum::routing::patch(members_api::role_api).delete(members_api::remove_api),
        )
        .route("/api/v1/groups/{id}/handover", post(members_api::handover_api))
        .route("/api/v1/groups/{id}/requests", get(members_api::requests_api))
        .route("/api/v1/groups/{id}/requests/{member}", post(members_api::answer_api))
        .route("/api/v1/groups/{id}/invites", get(invites::list_api).post(invites::create_api))
        .route("/api/v1/groups/{id}/invites/{invite}", axum::routing::delete(invites::revoke_api))
        .route("/api/v1/invites/{token}", get(invites::preview_api).post(invites::accept_api))
        .route("/api/v1/groups/{id}/roster", get(roster::list_api).post(roster::post_api))
        .route("/api/v1/groups/{id}/console", get(console::api))
        .route(
            "/api/v1/groups/{id}/classifications",
            get(classifications::list_api).put(classifications::save_api),
        )
        .route(
            "/api/v1/groups/{id}/classification",
            axum::routing::put(classifications::take_api).delete(classifications::give_up_api),
        )
        .route("/api/v1/groups/{id}/classifications/ask", post(classifications::ask_api))
        .route("/api/v1/groups/{id}/events", get(calendar::events_api))
        .route("/api/v1/groups/{id}/calendar.ics", get(calendar::ics_api))
        .route("/api/v1/groups/{id}/posts", get(posts_api::list).post(posts_api::create))
        .route(
            "/api/v1/groups/{id}/announcements",
            get(announcements::list_api).post(announcements::create_api),
        )
        .route(
            "/api/v1/groups/{id}/posts/{post}",
            get(posts_api::get).patch(posts_api::patch).delete(posts_api::delete),
        )
        .route("/api/v1/groups/{id}/posts/{post}/replies", post(posts_api::reply))
        .route(
            "/api/v1/groups/{id}/posts/{post}/replies/{reply}",
            axum::routing::patch(posts_api::patch_reply).delete(posts_api::delete_reply),
        )
        .route(
            "/api/v1/groups/{id}/posts/{post}/helped",
            axum::routing::put(posts_api::helped).delete(posts_api::unhelped),
        )
        .route("/api/v1/groups/{id}/posts/{post}/moderation", post(posts_api::moderate))
        .route("/api/v1/groups/{id}/posts/{post}/reports", post(posts_api::report))
        .route("/api/v1/groups/{id}/reports", get(posts_api::reports))
        .route("/api/v1/groups/{id}/reports/{report}", post(posts_api::resolve))
        .route("/api/v1/discover", get(discover::api))
}

/// How the person asking stands to one group: everything a handler needs to decide.
#[derive(Debug, Clone)]
pub struct Access {
    pub group: Group,
    pub openness: Openness,
    pub role: Option<Role>,
    pub standing: store::groups::Standing,
    pub admin: bool,
    /// The person asking.
    pub viewer: String,
}

impl Access {
    /// The domain's answer for `action`.
    pub fn decide(&self, action: Action) -> Decision {
        let s = domain::groups::Standing { role: self.role, banned: self.standing.banned, admin: self.admin };
        decide(self.openness, self.group.members_public == 1, s, action)
    }

    /// `Ok` when allowed; 404 when the group must stay hidden, 403 with the reason otherwise.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        match self.decide(action) {
            Decision::Allow => Ok(()),
            Decision::Hidden => Err(AppError::NotFound),
            Decision::Deny(why) => Err(AppError::Forbidden(why)),
        }
    }

    /// Whether `action` is allowed (for showing buttons).
    pub fn can(&self, action: Action) -> bool {
        self.decide(action).allowed()
    }

    /// A member of the group.
    pub fn is_member(&self) -> bool {
        self.role.is_some()
    }

    /// What the discussion shows this person.
    pub fn reader(&self) -> Reader<'_> {
        Reader { viewer: &self.viewer, member: self.is_member(), moderator: self.can(Action::Moderate) }
    }
}

/// The group `id` as `viewer` stands to it; 404 when it does not exist or must stay hidden.
pub async fn access(state: &AppState, viewer: &User, id: &str) -> Result<Access, AppError> {
    let group = state.db.group(id).await?.ok_or(AppError::NotFound)?;
    let standing = state.db.standing(id, &viewer.id).await?;
    let a = Access {
        openness: Openness::parse(&group.visibility).unwrap_or(Openness::Invite),
        role: standing.role.as_deref().and_then(|r| Role::parse(r).ok()),
        group,
        standing,
        admin: viewer.is_admin == 1,
        viewer: viewer.id.clone(),
    };
    a.require(Action::See)?;
    Ok(a)
}

/// Whether `viewer` may open event `e` of group `group_id` (the rule of
/// `store::events::may_open_sql`, for one event): members always; others when the group is not
/// invite-only and the event is not for members only.
pub async fn may_open_event(state: &AppState, viewer: &User, e: &Event) -> Result<bool, AppError> {
    let Some(group_id) = &e.group_id else { return Ok(true) };
    if e.host_id == viewer.id {
        return Ok(true);
    }
    let Some(group) = state.db.group(group_id).await? else { return Ok(false) };
    if state.db.standing(group_id, &viewer.id).await?.role.is_some() {
        return Ok(true);
    }
    Ok(group.visibility != "invite" && e.visibility != "group")
}

/// Checks that `host` may put a new event in `group_id`, with a visibility the group allows.
pub async fn check_new_event(
    state: &AppState,
    host: &User,
    group_id: &str,
    visibility: &str,
) -> Result<(), AppError> {
    let a = access(state, host, group_id).await?;
    a.require(Action::Take)?;
    if a.openness == Openness::Invite && visibility != "group" {
        return Err(AppError::Invalid(domain::FieldErrors::one(
            "visibility",
            "Events of an invite-only group are for its members only: choose \"Group members only\".",
        )));
    }
    Ok(())
}

/// Tells the group's followers (who may see it), and its organisers and moderators, of a new
/// event by someone else, in the app and by email.
pub async fn tell_followers(state: &AppState, e: &Event) -> Result<(), AppError> {
    let Some(group_id) = &e.group_id else { return Ok(()) };
    let Some(group) = state.db.group(group_id).await? else { return Ok(()) };
    let members_only = group.visibility == "invite" || e.visibility == "group";
    let link = format!("/events/{}", e.id);
    let subject = format!("New in {}: {}", group.name, e.title);
    // (member, in the group, follows it)
    let mut told: Vec<(User, bool, bool)> =
        state.db.followers(group_id).await?.into_iter().map(|(u, m)| (u, m, true)).collect();
    for m in state.db.group_members(group_id).await? {
        if m.role != "member" && !told.iter().any(|(u, _, _)| u.id == m.user_id) {
            if let Some(u) = state.db.user(&m.user_id).await?.filter(|u| u.suspended_at.is_none()) {
                told.push((u, true, false));
            }
        }
    }
    for (u, is_member, follows) in told {
        if u.id == e.host_id || (members_only && !is_member) {
            continue;
        }
        if state.db.blocked_either_way(&u.id, &e.host_id).await? {
            continue;
        }
        let body = format!(
            "Hello {},\n\n{} has a new event: \"{}\" — {}.\n\n{}{link}\n\n\
             {}\n",
            u.display_name,
            group.name,
            e.title,
            crate::events::series::summary(e),
            state.config.public_url(),
            if follows {
                "You get this because you follow the group. Stop following it on the group's page."
            } else {
                "You get this because you help run the group."
            },
        );
        let mail = crate::notifications::Mail { subject: &subject, body: &body };
        crate::notifications::send(state, &u.id, Kind::GroupEvent, &subject, &link, Some(mail)).await?;
    }
    Ok(())
}

/// After `user` leaves or is removed from a group: their answers to upcoming events only
/// members may see are withdrawn, so seats free up for members and no reminder reaches them.
pub async fn after_leaving(state: &AppState, group_id: &str, user: &str) -> Result<(), AppError> {
    let now = now_ms();
    for (event_id, key) in state.db.member_only_answers(group_id, user, now).await? {
        let Some(e) = state.db.event(&event_id).await? else { continue };
        if let Some(promoted) = state.db.remove_attendee(&event_id, key, user, now).await? {
            crate::events::tell_promoted(state, &e, key, &promoted).await?;
        }
    }
    Ok(())
}

/// Before an account is deleted: each group it organises passes to its longest-standing
/// moderator (or member); a group with nobody else in it is deleted.
pub async fn before_account_deleted(state: &AppState, user: &User) -> Result<(), AppError> {
    for (group, next) in state.db.successors(&user.id).await? {
        match next {
            Some(next) => {
                state.db.hand_over(&group, &user.id, &next).await?;
                let link = format!("/groups/{group}");
                crate::notifications::send(
                    state,
                    &next,
                    Kind::GroupRole,
                    "You're now the organiser of a group",
                    &link,
                    None,
                )
                .await?;
            }
            None => state.db.delete_group(&group).await?,
        }
    }
    Ok(())
}

/// My groups data for the data export: memberships, follows and everything I wrote. Replies
/// to someone else's confidential post keep my words but not the post's title.
pub async fn export(state: &AppState, me: &User) -> Result<serde_json::Value, AppError> {
    let groups = state.db.groups_of(&me.id).await?;
    let posts = state.db.posts_by(&me.id).await?;
    let replies = state.db.replies_by(&me.id).await?;
    Ok(serde_json::json!({
        "memberships": groups.iter().map(|g| serde_json::json!({
            "group_id": g.group.id, "name": g.group.name, "role": g.role,
        })).collect::<Vec<_>>(),
        "posts": posts.iter().map(|(group, p)| serde_json::json!({
            "id": p.id, "group": group, "kind": p.kind, "title": p.title, "body": p.body,
            "confidential": p.confidential == 1, "created_at": p.created_at, "edited_at": p.edited_at,
        })).collect::<Vec<_>>(),
        "replies": replies.iter().map(|(post, title, body, at)| serde_json::json!({
            "post_id": post, "post_title": title, "body": body, "created_at": at,
        })).collect::<Vec<_>>(),
    }))
}
