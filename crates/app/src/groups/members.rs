//! Belonging to a group: joining (or asking to), leaving, following, the member list, roles,
//! removing and banning, handing the group over, and answering join requests — the steps and
//! their pages (the API is in `members_api.rs`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::groups::{may_remove, Action, Openness, Role};
use domain::notices::Kind;
use domain::FieldErrors;
use minijinja::context;
use serde::Deserialize;
use store::users::User;
use utoipa::ToSchema;

use super::{access, after_leaving, Access};
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Joins an open group, or asks to join one that takes requests. Returns "member" or "requested".
pub async fn join(state: &AppState, me: &User, a: &Access, message: &str) -> Result<&'static str, AppError> {
    a.require(Action::Join)?;
    let message = domain::profile::check_text(message, 500)
        .map_err(|d| AppError::Invalid(FieldErrors::one("message", d)))?;
    let now = now_ms();
    if a.openness == Openness::Open {
        state.db.add_member(&a.group.id, &me.id, now).await?;
        return Ok("member");
    }
    state.db.request_to_join(&a.group.id, &me.id, &message, now).await?;
    let title = format!("{} asks to join {}", me.display_name, a.group.name);
    let link = format!("/groups/{}/members", a.group.id);
    let said = if message.is_empty() { String::new() } else { format!(" Their message: {message}") };
    let body = format!("{title}.{said}\n\nAccept or decline:\n\n{}{link}\n", state.config.public_url());
    let mail = crate::notifications::Mail { subject: &title, body: &body };
    for m in state.db.group_members(&a.group.id).await? {
        if m.role != "member" {
            crate::notifications::send(state, &m.user_id, Kind::GroupRequest, &title, &link, Some(mail))
                .await?;
        }
    }
    Ok("requested")
}

/// Leaves a group (or withdraws a waiting request). The organiser hands the group over first.
pub async fn leave(state: &AppState, me: &User, a: &Access) -> Result<(), AppError> {
    if a.role == Some(Role::Organiser) {
        return Err(AppError::Forbidden(
            "Hand the organiser role to another member before you leave, or delete the group.",
        ));
    }
    if !a.is_member() {
        if state.db.drop_request(&a.group.id, &me.id).await? {
            return Ok(());
        }
        return Err(AppError::Forbidden("You're not a member of this group."));
    }
    state.db.remove_member(&a.group.id, &me.id, None, now_ms()).await?;
    crate::rooms::revoke::changed(state, store::access_changes::Scope::User, &me.id).await;
    after_leaving(state, &a.group.id, &me.id).await
}

/// Starts or stops following a group's new events.
pub async fn follow(state: &AppState, me: &User, a: &Access, on: bool) -> Result<(), AppError> {
    if on {
        a.require(Action::Follow)?;
    }
    state.db.set_following(&a.group.id, &me.id, on, now_ms()).await?;
    Ok(())
}

/// The role of `member` in the group, or a field error naming them.
async fn role_of(state: &AppState, a: &Access, member: &str) -> Result<Option<Role>, AppError> {
    let s = state.db.standing(&a.group.id, member).await?;
    Ok(s.role.as_deref().and_then(|r| Role::parse(r).ok()))
}

fn not_a_member() -> AppError {
    AppError::Invalid(FieldErrors::one("member", "That person is not a member of this group."))
}

/// What an organiser or moderator does to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Make them a moderator (organiser only).
    Moderator,
    /// Make them a plain member (organiser only).
    Member,
    /// Make them the organiser; I become a moderator (organiser only).
    Handover,
    /// Take them out of the group.
    Remove,
    /// Take them out and keep them out.
    Ban,
    /// Let a banned person join again.
    Unban,
}

/// Applies `change` to `member`, if `a`'s viewer may.
pub async fn change(state: &AppState, a: &Access, member: &str, change: Change) -> Result<(), AppError> {
    let target = role_of(state, a, member).await?;
    let now = now_ms();
    match change {
        Change::Moderator | Change::Member => {
            a.require(Action::Configure)?;
            let role = if change == Change::Moderator { "moderator" } else { "member" };
            match target {
                None => return Err(not_a_member()),
                Some(Role::Organiser) => {
                    return Err(AppError::Invalid(FieldErrors::one(
                        "member",
                        "The organiser's role changes only by handing the group over.",
                    )))
                }
                Some(_) => {
                    state.db.set_role(&a.group.id, member, role).await?;
                }
            }
        }
        Change::Handover => {
            a.require(Action::Configure)?;
            if target.is_none() || member == a.viewer {
                return Err(not_a_member());
            }
            state.db.hand_over(&a.group.id, &a.viewer, member).await?;
            let title = format!("You're now the organiser of {}", a.group.name);
            let link = format!("/groups/{}", a.group.id);
            let body = format!(
                "The organiser of {} handed the group over to you: you can now change its settings, \
                 name moderators and hand it on.\n\n{}{link}\n",
                a.group.name,
                state.config.public_url()
            );
            let mail = crate::notifications::Mail { subject: &title, body: &body };
            crate::notifications::send(state, member, Kind::GroupRole, &title, &link, Some(mail)).await?;
        }
        Change::Remove | Change::Ban => {
            a.require(Action::Manage)?;
            let mine = a.role.unwrap_or(Role::Member);
            match target {
                Some(t) if !may_remove(mine, t) => {
                    return Err(AppError::Forbidden("You can only remove members whose role is below yours."))
                }
                None if change == Change::Remove => return Err(not_a_member()),
                _ => {}
            }
            let ban = (change == Change::Ban).then_some(a.viewer.as_str());
            state.db.remove_member(&a.group.id, member, ban, now).await?;
            crate::rooms::revoke::changed(state, store::access_changes::Scope::User, member).await;
            after_leaving(state, &a.group.id, member).await?;
        }
        Change::Unban => {
            a.require(Action::Manage)?;
            if !state.db.unban(&a.group.id, member).await? {
                return Err(AppError::Invalid(FieldErrors::one("member", "That person is not banned.")));
            }
        }
    }
    Ok(())
}

/// Answers a join request.
pub async fn answer(state: &AppState, a: &Access, member: &str, approve: bool) -> Result<(), AppError> {
    a.require(Action::Manage)?;
    let waiting = state.db.join_requests(&a.group.id).await?;
    if !waiting.iter().any(|r| r.user_id == member) {
        return Err(AppError::Invalid(FieldErrors::one("member", "There is no request from that person.")));
    }
    let now = now_ms();
    let link = format!("/groups/{}", a.group.id);
    if approve {
        state.db.add_member(&a.group.id, member, now).await?;
        let title = format!("Welcome to {}", a.group.name);
        if let Some(u) = state.db.user(member).await? {
            let body = format!(
                "Hello {},\n\nYour request to join {} was accepted. Say hello:\n\n{}{link}\n",
                u.display_name,
                a.group.name,
                state.config.public_url()
            );
            let mail = crate::notifications::Mail { subject: &title, body: &body };
            crate::notifications::send(state, member, Kind::GroupWelcome, &title, &link, Some(mail)).await?;
        }
    } else {
        state.db.drop_request(&a.group.id, member).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- pages --

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    message: String,
}

/// `POST /groups/{id}/join`.
pub async fn join_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<JoinForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let outcome = join(&state, &me, &a, &form.message).await?;
    Ok(Redirect::to(&format!(
        "/groups/{id}?notice={}",
        if outcome == "member" { "joined" } else { "requested" }
    ))
    .into_response())
}

/// `POST /groups/{id}/leave`.
pub async fn leave_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<JoinForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    leave(&state, &me, &a).await?;
    // After leaving an invite-only group there is nothing left to see of it.
    let to = if a.openness == Openness::Invite {
        "/groups?notice=left".to_owned()
    } else {
        format!("/groups/{id}?notice=left")
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowForm {
    follow: String,
}

/// `POST /groups/{id}/follow`: `follow=yes` or `follow=no`.
pub async fn follow_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<FollowForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    follow(&state, &me, &a, form.follow == "yes").await?;
    Ok(Redirect::to(&format!("/groups/{id}")).into_response())
}

/// `GET /groups/{id}/members`: the member list; managers also see requests and bans.
pub async fn members_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    render_members(&state, &me, &csrf, &a, None, StatusCode::OK).await
}

async fn render_members(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    a.require(Action::SeeMembers)?;
    let manage = a.can(Action::Manage);
    let mine = a.role.unwrap_or(Role::Member);
    let members: Vec<_> = state
        .db
        .group_members(&a.group.id)
        .await?
        .into_iter()
        .map(|m| {
            let role = Role::parse(&m.role).unwrap_or(Role::Member);
            context! { id => m.user_id, name => m.display_name, role => m.role, joined_at => m.joined_at,
            removable => manage && may_remove(mine, role) && m.user_id != me.id }
        })
        .collect();
    let (requests, bans) = if manage {
        (state.db.join_requests(&a.group.id).await?, state.db.group_bans(&a.group.id).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let requests: Vec<_> = requests
        .iter()
        .map(|r| context! { id => r.user_id, name => r.display_name, message => r.message, at => r.created_at })
        .collect();
    let ctx = context! {
        group => a.group, manage, configure => a.can(Action::Configure), members, requests, bans, error,
    };
    Ok((status, page("group_members.html", Some(me), csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ManageForm {
    member: String,
    action: String,
}

/// `POST /groups/{id}/members/manage`: a role, removal, ban, unban or hand-over.
pub async fn manage_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<ManageForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Manage)?;
    let parsed: Result<Change, _> = serde_json::from_value(serde_json::Value::String(form.action.clone()));
    let Ok(what) = parsed else {
        return Err(AppError::Invalid(FieldErrors::one("action", "Choose what to do.")).into());
    };
    match change(&state, &a, &form.member, what).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}/members")).into_response()),
        Err(AppError::Invalid(e)) => {
            let msg = e.iter().next().map(|e| e.detail.clone());
            render_members(&state, &me, &csrf, &a, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    member: String,
    decision: String,
}

/// `POST /groups/{id}/requests`: `decision=approve` or `decision=decline`.
pub async fn requests_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<RequestForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    answer(&state, &a, &form.member, form.decision == "approve").await?;
    Ok(Redirect::to(&format!("/groups/{id}/members")).into_response())
}
