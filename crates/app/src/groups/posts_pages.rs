//! Discussion pages: posting, a post with its replies, editing, "this helped", moderation,
//! reporting, and the moderators' queue of reports.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::groups::{Action, PostKind};
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::posts::Post;
use store::users::User;

use super::pages::{render_show, ShowQuery};
use super::posts::{self, Moderation, PostInput};
use super::view::{PostView, ReplyView};
use super::{access, Access};
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// The new-post form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PostForm {
    kind: String,
    title: String,
    body: String,
    confidential: String,
    /// Editing a reply: its id.
    reply: String,
}

impl PostForm {
    fn input(&self) -> PostInput {
        PostInput {
            kind: Some(self.kind.clone()),
            title: Some(self.title.clone()),
            body: Some(self.body.clone()),
            confidential: Some(self.confidential == "yes"),
        }
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    PostKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()
}

/// `POST /groups/{id}/posts`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<PostForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    match posts::create(&state, &me, &a, &form.input()).await {
        Ok(post) => Ok(Redirect::to(&format!("/groups/{id}/posts/{post}?notice=posted")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { post_values => form, post_errors => error_map(&e) };
            render_show(
                &state,
                &me,
                &csrf,
                &a,
                &ShowQuery::default(),
                extra,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThreadQuery {
    notice: String,
}

/// `GET /groups/{id}/posts/{post}`: the post, its replies and what I may do with them.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path((id, post)): Path<(String, String)>,
    PageQuery(q): PageQuery<ThreadQuery>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    let notice = match q.notice.as_str() {
        "posted" => Some("Posted. You can change it for 15 minutes."),
        "replied" => Some("Replied."),
        "reported" => Some("Reported. The group's moderators will look at it."),
        "saved" => Some("Saved."),
        _ => None,
    };
    render_thread(&state, &me, &csrf, &a, &p, context! { notice }, StatusCode::OK).await
}

async fn render_thread(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    a: &Access,
    p: &Post,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let now = now_ms();
    let replies: Vec<ReplyView> =
        state.db.replies(&p.id, &a.reader()).await?.iter().map(|r| ReplyView::new(r, a, now)).collect();
    let ctx = context! {
        group => a.group, post => PostView::new(p, a, now), replies,
        can_take => a.can(Action::Take), can_report => a.can(Action::Report), can_moderate => a.can(Action::Moderate),
        ..extra
    };
    Ok((status, page("post.html", Some(me), csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditQuery {
    reply: String,
}

/// `GET /groups/{id}/posts/{post}/edit[?reply=ID]`: edit my post or reply (for 15 minutes).
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path((id, post)): Path<(String, String)>,
    PageQuery(q): PageQuery<EditQuery>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    let values = if q.reply.is_empty() {
        if !PostView::new(&p, &a, now_ms()).can_edit {
            return Err(AppError::Forbidden(
                "Posts can be edited by their author for 15 minutes after they're written.",
            )
            .into());
        }
        PostForm { kind: p.kind.clone(), title: p.title.clone(), body: p.body.clone(), ..PostForm::default() }
    } else {
        let r = posts::load_reply(&state, &a, &p, &q.reply).await?;
        if !ReplyView::new(&r, &a, now_ms()).can_edit {
            return Err(AppError::Forbidden(
                "Replies can be edited by their author for 15 minutes after they're written.",
            )
            .into());
        }
        PostForm { body: r.body.clone(), reply: r.id.clone(), ..PostForm::default() }
    };
    let ctx =
        context! { group => a.group, post => PostView::new(&p, &a, now_ms()), values, kinds => kinds() };
    Ok(page("post_edit.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /groups/{id}/posts/{post}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, post)): Path<(String, String)>,
    Posted { form, csrf, .. }: Posted<PostForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    let result = if form.reply.is_empty() {
        let input = PostInput { confidential: None, ..form.input() };
        posts::edit(&state, &a, &p, &input).await
    } else {
        let r = posts::load_reply(&state, &a, &p, &form.reply).await?;
        posts::edit_reply(&state, &a, &r, &form.body).await
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}/posts/{post}?notice=saved")).into_response()),
        Err(AppError::Invalid(e)) => {
            let ctx = context! { group => a.group, post => PostView::new(&p, &a, now_ms()), values => form,
            kinds => kinds(), errors => error_map(&e) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("post_edit.html", Some(&me), &csrf, ctx)?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReplyForm {
    body: String,
    reply: String,
    on: String,
    action: String,
    reason: String,
}

/// `POST /groups/{id}/posts/{post}/replies`.
pub async fn reply(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, post)): Path<(String, String)>,
    Posted { form, csrf, .. }: Posted<ReplyForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    match posts::reply(&state, &me, &a, &p, &form.body).await {
        Ok(r) => Ok(Redirect::to(&format!("/groups/{id}/posts/{post}?notice=replied#r-{r}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { reply_value => form.body, reply_errors => error_map(&e) };
            render_thread(&state, &me, &csrf, &a, &p, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

fn reply_of(form: &ReplyForm) -> Option<&str> {
    (!form.reply.is_empty()).then_some(form.reply.as_str())
}

/// `POST /groups/{id}/posts/{post}/helped`: `on=yes|no`, and `reply` for a reply.
pub async fn helped(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, post)): Path<(String, String)>,
    Posted { form, .. }: Posted<ReplyForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    posts::helped(&state, &a, &p, reply_of(&form), form.on == "yes").await?;
    let anchor = reply_of(&form).map(|r| format!("#r-{r}")).unwrap_or_default();
    Ok(Redirect::to(&format!("/groups/{id}/posts/{post}{anchor}")).into_response())
}

/// `POST /groups/{id}/posts/{post}/moderate`: `action` (hide, unhide, lock, unlock, delete),
/// and `reply` for a reply.
pub async fn moderate(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, post)): Path<(String, String)>,
    Posted { form, .. }: Posted<ReplyForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    let m = Moderation::parse(&form.action)?;
    posts::moderate(&state, &a, &p, reply_of(&form), m).await?;
    if m == Moderation::Delete && reply_of(&form).is_none() {
        return Ok(Redirect::to(&format!("/groups/{id}?notice=removed")).into_response());
    }
    Ok(Redirect::to(&format!("/groups/{id}/posts/{post}")).into_response())
}

/// `POST /groups/{id}/posts/{post}/report`: `reason`, and `reply` for a reply.
pub async fn report(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, post)): Path<(String, String)>,
    Posted { form, csrf, .. }: Posted<ReplyForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    let p = posts::load(&state, &a, &post).await?;
    match posts::report(&state, &me, &a, &p, reply_of(&form), &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}/posts/{post}?notice=reported")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { report_errors => error_map(&e), report_reply => form.reply, report_value => form.reason };
            render_thread(&state, &me, &csrf, &a, &p, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /groups/{id}/reports`: open reports, oldest first (moderators).
pub async fn reports(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    a.require(Action::Moderate)?;
    let reports = state.db.open_reports(&id).await?;
    let reports: Vec<_> = reports
        .iter()
        .map(|r| {
            context! { id => r.id, post_id => r.post_id, reply_id => r.reply_id, title => r.post_title,
            reporter => r.reporter_name, reason => r.reason, at => r.created_at }
        })
        .collect();
    Ok(page("reports.html", Some(&me), &csrf, context! { group => a.group, reports })?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolveForm {
    report: String,
    action: String,
}

/// `POST /groups/{id}/reports`: `report` and `action` (dismiss, hide, delete).
pub async fn resolve(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<ResolveForm>,
) -> PageResult {
    let a = access(&state, &me, &id).await?;
    posts::resolve(&state, &a, &form.report, &form.action).await?;
    Ok(Redirect::to(&format!("/groups/{id}/reports")).into_response())
}
