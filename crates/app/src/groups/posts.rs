//! The steps of a group's discussion, shared by its pages and its API: posting, editing within
//! 15 minutes, replying, "this helped", moderation (hide, lock, delete) and reports.

use domain::groups::{may_edit, Action, PostKind};
use domain::notices::Kind;
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::posts::{Post, PostFlag, Reply};
use store::users::User;
use utoipa::ToSchema;

use super::Access;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// Longest post or reply body, in characters.
pub const MAX_BODY: usize = 10_000;

/// A post as submitted; left-out fields stay as they are when editing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// ask | offer | struggle | win | shoutout | idea
    #[schema(pattern = "^(ask|offer|struggle|win|shoutout|idea)$")]
    pub kind: Option<String>,
    pub title: Option<String>,
    /// Markdown (no raw HTML: it is shown as text).
    pub body: Option<String>,
    /// A struggle only: members only, never in digests or others' exports.
    pub confidential: Option<bool>,
}

/// A checked post: kind, title, body, confidential.
type Checked = (String, String, String, bool);

/// Checks a post against its current words (when editing) or nothing (when new).
pub fn check(input: &PostInput, current: Option<&Post>) -> Result<Checked, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut kind = current.map(|p| p.kind.clone()).unwrap_or_default();
    let mut title = current.map(|p| p.title.clone()).unwrap_or_default();
    let mut body = current.map(|p| p.body.clone()).unwrap_or_default();
    match &input.kind {
        Some(k) => {
            if let Some(k) = e.check("kind", PostKind::parse(k)) {
                kind = k.as_str().to_owned();
            }
        }
        None if current.is_none() => e.add("kind", "Choose what kind of post this is."),
        None => {}
    }
    if let Some(t) = &input.title {
        match domain::profile::check_name(t, 140) {
            Ok(t) if t.is_empty() => e.add("title", "Give your post a title."),
            Ok(t) => title = t,
            Err(d) => e.add("title", d),
        }
    } else if current.is_none() {
        e.add("title", "Give your post a title.");
    }
    if let Some(b) = &input.body {
        match domain::profile::check_text(b, MAX_BODY) {
            Ok(b) if b.is_empty() => e.add("body", "Write something first."),
            Ok(b) => body = b,
            Err(d) => e.add("body", d),
        }
    } else if current.is_none() {
        e.add("body", "Write something first.");
    }
    let confidential = input.confidential.unwrap_or_else(|| current.is_some_and(|p| p.confidential == 1));
    if confidential && !kind.is_empty() && kind != PostKind::Struggle.as_str() {
        e.add("confidential", "Only a struggle can be posted as confidential.");
    }
    e.into_result().map(|()| (kind, title, body, confidential))
}

/// Checks a reply's body.
pub fn check_body(body: &str) -> Result<String, AppError> {
    match domain::profile::check_text(body, MAX_BODY) {
        Ok(b) if b.is_empty() => Err(AppError::Invalid(FieldErrors::one("body", "Write something first."))),
        Ok(b) => Ok(b),
        Err(d) => Err(AppError::Invalid(FieldErrors::one("body", d))),
    }
}

/// Posts in the group; returns the post's id.
pub async fn create(state: &AppState, me: &User, a: &Access, input: &PostInput) -> Result<String, AppError> {
    a.require(Action::Take)?;
    let (kind, title, body, confidential) = check(input, None)?;
    Ok(state.db.create_post(&a.group.id, &me.id, &kind, &title, &body, confidential, now_ms()).await?)
}

/// A post of the group that `a`'s viewer may read; 404 otherwise (a confidential post does not
/// exist for non-members).
pub async fn load(state: &AppState, a: &Access, post: &str) -> Result<Post, AppError> {
    a.require(Action::Read)?;
    state.db.post(&a.group.id, post, &a.reader()).await?.ok_or(AppError::NotFound)
}

fn editable(author: &str, created_at: i64, a: &Access) -> Result<(), AppError> {
    if author != a.viewer || !a.is_member() {
        return Err(AppError::Forbidden("Only the author can edit this."));
    }
    if !may_edit(created_at, now_ms()) {
        return Err(AppError::Forbidden(
            "Posts and replies can be edited for 15 minutes after they're written.",
        ));
    }
    Ok(())
}

/// Changes a post's words (its author, within 15 minutes).
pub async fn edit(state: &AppState, a: &Access, p: &Post, input: &PostInput) -> Result<(), AppError> {
    editable(&p.author_id, p.created_at, a)?;
    let (kind, title, body, _) = check(input, Some(p))?;
    state.db.update_post(&p.id, &kind, &title, &body, now_ms()).await?;
    Ok(())
}

/// Replies to a post; tells its author. Returns the reply's id.
pub async fn reply(
    state: &AppState,
    me: &User,
    a: &Access,
    p: &Post,
    body: &str,
) -> Result<String, AppError> {
    a.require(Action::Take)?;
    if p.locked == 1 {
        return Err(AppError::Forbidden("This discussion is locked: no more replies."));
    }
    if p.hidden == 1 {
        return Err(AppError::Forbidden("A moderator hid this post: it takes no replies."));
    }
    let body = check_body(body)?;
    let now = now_ms();
    let id = state.db.create_reply(&p.id, &me.id, &body, now).await?;
    if p.author_id != me.id {
        // A confidential struggle's title never leaves the app: not in email, nor in a digest.
        let title = if p.confidential == 1 {
            format!("{} replied to your confidential post in {}", me.display_name, a.group.name)
        } else {
            format!("{} replied to \"{}\"", me.display_name, p.title)
        };
        let link = format!("/groups/{}/posts/{}#r-{id}", a.group.id, p.id);
        let said = if p.confidential == 1 {
            "What they wrote stays in the app, like your post.".to_owned()
        } else {
            format!("They wrote:\n\n{}", crate::web::markdown::excerpt(&body, 600))
        };
        let body = format!("{title}.\n\n{said}\n\nRead and answer:\n\n{}{link}\n", state.config.public_url());
        let mail = crate::notifications::Mail { subject: &title, body: &body };
        crate::notifications::send(state, &p.author_id, Kind::PostReply, &title, &link, Some(mail)).await?;
    }
    Ok(id)
}

/// One reply of a post that `a`'s viewer may see.
pub async fn load_reply(state: &AppState, a: &Access, p: &Post, reply: &str) -> Result<Reply, AppError> {
    let r = state.db.reply(&p.id, reply).await?.ok_or(AppError::NotFound)?;
    if r.hidden == 1 && r.author_id != a.viewer && !a.can(Action::Moderate) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Changes a reply's words (its author, within 15 minutes).
pub async fn edit_reply(state: &AppState, a: &Access, r: &Reply, body: &str) -> Result<(), AppError> {
    editable(&r.author_id, r.created_at, a)?;
    state.db.update_reply(&r.id, &check_body(body)?, now_ms()).await?;
    Ok(())
}

/// Says (or takes back) "this helped" on a post, or on one of its replies.
pub async fn helped(
    state: &AppState,
    a: &Access,
    p: &Post,
    reply: Option<&str>,
    on: bool,
) -> Result<(), AppError> {
    a.require(Action::Take)?;
    let (target, author) = match reply {
        Some(r) => {
            let r = load_reply(state, a, p, r).await?;
            (r.id, r.author_id)
        }
        None => (p.id.clone(), p.author_id.clone()),
    };
    if on && author == a.viewer {
        return Err(AppError::Forbidden("Others say whether your words helped them."));
    }
    state.db.set_helped(&target, &p.id, &a.viewer, on, now_ms()).await?;
    Ok(())
}

/// What a moderator (or, for deleting, the author) does to a post or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    /// Only moderators and the author see it.
    Hide,
    /// Everyone who may read sees it again.
    Unhide,
    /// No more replies (posts only).
    Lock,
    /// Replies are welcome again (posts only).
    Unlock,
    /// Gone for good (authors may delete their own).
    Delete,
}

impl Moderation {
    /// Parses a submitted name.
    pub fn parse(s: &str) -> Result<Moderation, AppError> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            AppError::Invalid(FieldErrors::one("action", "Choose hide, unhide, lock, unlock or delete."))
        })
    }
}

/// Applies a moderation step to a post, or to one of its replies; open reports of what was
/// hidden or deleted are closed.
pub async fn moderate(
    state: &AppState,
    a: &Access,
    p: &Post,
    reply: Option<&str>,
    m: Moderation,
) -> Result<(), AppError> {
    let reply = match reply {
        Some(r) => Some(load_reply(state, a, p, r).await?),
        None => None,
    };
    let author = reply.as_ref().map_or(&p.author_id, |r| &r.author_id);
    if !(m == Moderation::Delete && *author == a.viewer) {
        a.require(Action::Moderate)?;
    }
    let target = reply.as_ref().map_or(p.id.as_str(), |r| r.id.as_str());
    match (m, &reply) {
        (Moderation::Hide | Moderation::Unhide, Some(r)) => {
            state.db.set_reply_hidden(&r.id, m == Moderation::Hide).await?
        }
        (Moderation::Hide | Moderation::Unhide, None) => {
            state.db.set_post_flag(&p.id, PostFlag::Hidden, m == Moderation::Hide).await?
        }
        (Moderation::Lock | Moderation::Unlock, None) => {
            state.db.set_post_flag(&p.id, PostFlag::Locked, m == Moderation::Lock).await?
        }
        (Moderation::Lock | Moderation::Unlock, Some(_)) => {
            return Err(AppError::Invalid(FieldErrors::one(
                "action",
                "Lock or unlock the post, not a reply.",
            )))
        }
        (Moderation::Delete, Some(r)) => state.db.delete_reply(&r.id).await?,
        (Moderation::Delete, None) => state.db.delete_post(&p.id).await?,
    }
    let resolution = match m {
        Moderation::Hide => Some("hidden"),
        Moderation::Delete => Some("deleted"),
        _ => None,
    };
    if let Some(resolution) = resolution {
        if m != Moderation::Delete || reply.is_some() {
            state
                .db
                .resolve_reports(&a.group.id, None, Some(target), &a.viewer, resolution, now_ms())
                .await?;
        }
    }
    Ok(())
}

/// Reports a post or reply to the group's moderators.
pub async fn report(
    state: &AppState,
    me: &User,
    a: &Access,
    p: &Post,
    reply: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    a.require(Action::Report)?;
    let reply = match reply {
        Some(r) => Some(load_reply(state, a, p, r).await?),
        None => None,
    };
    let author = reply.as_ref().map_or(&p.author_id, |r| &r.author_id);
    if *author == me.id {
        return Err(AppError::Forbidden("You can delete your own words instead of reporting them."));
    }
    let reason = domain::profile::check_text(reason, 500)
        .map_err(|d| AppError::Invalid(FieldErrors::one("reason", d)))?;
    let now = now_ms();
    if state
        .db
        .report(&a.group.id, &p.id, reply.as_ref().map(|r| r.id.as_str()), &me.id, &reason, now)
        .await?
    {
        let title = format!("A post in {} was reported", a.group.name);
        let link = format!("/groups/{}/reports", a.group.id);
        let body = format!(
            "A member reported a post in {}, which you help moderate. Their reason: {}\n\nReview the \
             reports, and hide the post or dismiss the report:\n\n{}{link}\n",
            a.group.name,
            if reason.is_empty() { "none given" } else { reason.as_str() },
            state.config.public_url()
        );
        let mail = crate::notifications::Mail { subject: &title, body: &body };
        for m in state.db.group_members(&a.group.id).await? {
            if m.role != "member" {
                crate::notifications::send(state, &m.user_id, Kind::PostReport, &title, &link, Some(mail))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Closes a report: `dismiss` keeps the post or reply, `hide` and `delete` act on it.
pub async fn resolve(state: &AppState, a: &Access, report_id: &str, action: &str) -> Result<(), AppError> {
    a.require(Action::Moderate)?;
    let open = state.db.open_reports(&a.group.id).await?;
    let r = open.iter().find(|r| r.id == report_id).ok_or(AppError::NotFound)?;
    match action {
        "dismiss" => {
            state
                .db
                .resolve_reports(&a.group.id, Some(&r.id), None, &a.viewer, "dismissed", now_ms())
                .await?;
        }
        "hide" | "delete" => {
            let p = state.db.post(&a.group.id, &r.post_id, &a.reader()).await?.ok_or(AppError::NotFound)?;
            let m = if action == "hide" { Moderation::Hide } else { Moderation::Delete };
            moderate(state, a, &p, r.reply_id.as_deref(), m).await?;
            state.db.resolve_reports(&a.group.id, Some(&r.id), None, &a.viewer, action, now_ms()).await?;
        }
        _ => return Err(AppError::Invalid(FieldErrors::one("action", "Choose dismiss, hide or delete."))),
    }
    Ok(())
}
