//! Group pages: my groups, starting one, a group's page (about, upcoming events, discussion),
//! its settings, and deleting it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::groups::{Action, Openness, PostKind};
use minijinja::context;
use serde::Deserialize;
use store::users::User;

use super::input::{fields_of, GroupForm};
use super::view::PostView;
use super::{access, Access};
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// Posts on one page of a group's discussion.
pub const POSTS_PER_PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn notice(key: &str) -> Option<&'static str> {
    match key {
        "created" => Some("Your group is ready. Invite people, or plan its first meeting."),
        "saved" => Some("Saved."),
        "joined" => Some("Welcome! You're a member now."),
        "requested" => Some("Asked. The organisers will answer your request."),
        "following" => Some("You follow this group: you'll hear of its new events."),
        "left" => Some("You've left the group."),
        "deleted" => Some("The group was deleted."),
        "posted" => Some("Posted."),
        "announced" => Some("Sent to every member, as each of them chose to hear from the group."),
        "removed" => Some("Removed."),
        _ => None,
    }
}

/// `GET /groups`: the groups I belong to.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    let groups = state.db.groups_of(&me.id).await?;
    let groups: Vec<_> = groups
        .iter()
        .map(|g| {
            context! { id => g.group.id, name => g.group.name, role => g.role, members => g.members,
            city => g.group.city_label, is_virtual => g.group.is_virtual == 1 }
        })
        .collect();
    Ok(page("groups.html", Some(&me), &csrf, context! { groups, notice => notice(&q.notice) })?
        .into_response())
}

fn form_options() -> minijinja::Value {
    let zones: Vec<(&str, &str)> = chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name(), z.name())).collect();
    let visibilities: Vec<(&str, &str)> = Openness::ALL.iter().map(|o| (o.as_str(), o.label())).collect();
    context! { zones, visibilities }
}

fn render_form(me: &User, csrf: &CsrfToken, ctx: minijinja::Value, status: StatusCode) -> PageResult {
    let full = context! { opts => form_options(), ..ctx };
    Ok((status, page("group_form.html", Some(me), csrf, full)?).into_response())
}

/// `GET /groups/new`.
pub async fn new_page(CurrentUser(me): CurrentUser, csrf: CsrfToken) -> PageResult {
    let values = GroupForm {
        time_zone: me.timezone.clone(),
        city: me.city_label.clone(),
        mode: "in_person".into(),
        visibility: "open".into(),
        ..GroupForm::default()
    };
    render_form(&me, &csrf, context! { values }, StatusCode::OK)
}

/// `POST /groups/new`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<GroupForm>,
) -> PageResult {
    match super::api::create_group(&state, &me, &form.input()).await {
        Ok(id) => Ok(Redirect::to(&format!("/groups/{id}?notice=created")).into_response()),
        Err(AppError::Invalid(e)) => render_form(
            &me,
            &csrf,
            context! { values => form, errors => error_map(&e) },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `GET /groups/{id}/edit` (organiser).
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Configure)?;
    let values = GroupForm::of(
        &fields_of(&a.group, state.db.group_topics(&id).await?),
        state.db.group_shown(&id).await?,
    );
    render_form(&me, &csrf, context! { values, group => a.group }, StatusCode::OK)
}

/// `POST /groups/{id}/edit` (organiser).
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GroupForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    match super::api::update_group(&state, &a, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(e)) => render_form(
            &me,
            &csrf,
            context! { values => form, errors => error_map(&e), group => a.group },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// `POST /groups/{id}/delete` (organiser; the group's name must be typed to confirm).
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<DeleteForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Configure)?;
    if form.confirm.trim() != a.group.name {
        let values = GroupForm::of(
            &fields_of(&a.group, state.db.group_topics(&id).await?),
            state.db.group_shown(&id).await?,
        );
        let errors = std::collections::BTreeMap::from([(
            "confirm".to_owned(),
            "Type the group's name exactly to delete it.".to_owned(),
        )]);
        return render_form(
            &me,
            &csrf,
            context! { values, group => a.group, errors },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    state.db.delete_group(&id).await?;
    crate::rooms::revoke::changed(&state, store::access_changes::Scope::Group, &id).await;
    Ok(Redirect::to("/groups?notice=deleted").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    notice: String,
    /// Only posts of this kind.
    kind: String,
    /// Continue after this cursor ("activity_at:id").
    before: String,
}

/// Parses a discussion cursor "activity_at:id".
pub fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (at, id) = s.split_once(':')?;
    Some((at.parse().ok()?, id.to_owned()))
        .filter(|(_, id)| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `GET /groups/{id}`: about, what's coming up, and the discussion.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ShowQuery>,
) -> PageResult {
    let Some(me) = me else { return crate::visitors::pages::group(&state, &csrf, &id).await };
    let a = access(&state, &me, &id).await?;
    render_show(&state, &me, &csrf, &a, &q, context! {}, StatusCode::OK).await
}

/// The group's page, with `extra` (e.g. a post form shown again with its errors).
pub async fn render_show(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    q: &ShowQuery,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let id = &a.group.id;
    let topics = state.db.group_topics(id).await?;
    let members = state.db.member_count(id).await?;
    let upcoming = super::calendar::upcoming(state, me, a, crate::events::MAX_WINDOW_DAYS, 5).await?;
    let upcoming = crate::photos::with_faces(state, me, &upcoming, |o| (&o.event_id, o.key)).await?;
    let kind = PostKind::parse(&q.kind).ok().map(PostKind::as_str);
    let (posts, next) = if a.can(Action::Read) {
        let now = now_ms();
        let mut rows =
            state.db.posts(id, &a.reader(), kind, parse_cursor(&q.before), POSTS_PER_PAGE + 1).await?;
        let more = rows.len() as i64 > POSTS_PER_PAGE;
        rows.truncate(POSTS_PER_PAGE as usize);
        let next = if more { rows.last().map(|p| format!("{}:{}", p.activity_at, p.id)) } else { None };
        (rows.iter().map(|p| PostView::new(p, a, now)).collect(), next)
    } else {
        (Vec::new(), None)
    };
    let open_reports = if a.can(Action::Moderate) { state.db.open_reports(id).await?.len() } else { 0 };
    let kinds: Vec<(&str, &str)> = PostKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let announcements = super::announcements::pinned(state, a).await?;
    let ctx = context! {
        group => a.group, topics, members, upcoming, posts, next, kind, kinds, open_reports, announcements,
        announce_max => super::announcements::MAX_LEN, announce_per_day => super::announcements::PER_DAY,
        openness => a.openness.as_str(), openness_label => a.openness.label(),
        role => a.standing.role, following => a.standing.following, requested => a.standing.requested,
        banned => a.standing.banned,
        can => context! {
            read => a.can(Action::Read), take => a.can(Action::Take), join => a.can(Action::Join),
            follow => a.can(Action::Follow), see_members => a.can(Action::SeeMembers),
            moderate => a.can(Action::Moderate), manage => a.can(Action::Manage), configure => a.can(Action::Configure),
        },
        notice => notice(&q.notice),
        ..extra
    };
    Ok((status, page("group.html", Some(me), csrf, ctx)?).into_response())
}
