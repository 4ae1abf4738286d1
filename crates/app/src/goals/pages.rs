//! Goal pages: my goals and those shared with me with my stats, setting and changing a goal, a
//! goal with its tasks, check-ins, comments and cheers, and pausing accountability.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::goals::GoalVisibility;
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::goals::Goal;
use store::users::User;

use super::input::{CheckinInput, GoalInput};
use super::view::GoalSummary;
use super::{owned, steps, visible};
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn notice(key: &str) -> Option<&'static str> {
    match key {
        "saved" => Some("Saved."),
        "checked-in" => Some("Checked in. See you next week!"),
        "paused" => Some("Paused: no nudges, and your streak waits for you."),
        "resumed" => Some("Welcome back: accountability is on again."),
        "settings" => Some("Saved your accountability settings."),
        "deleted" => Some("The goal was deleted."),
        _ => None,
    }
}

/// `GET /goals`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    render_list(&state, &me, &csrf, minijinja::context! { notice => notice(&q.notice) }, StatusCode::OK).await
}

async fn render_list(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let mine: Vec<GoalSummary> = state.db.goals_of(&me.id).await?.iter().map(GoalSummary::of).collect();
    let shared: Vec<GoalSummary> =
        state.db.shared_goals(&me.id, None).await?.iter().map(GoalSummary::of).collect();
    let stats = super::stats::of(state, me).await?;
    let chart = super::stats::chart(&stats);
    let ctx = context! {
        mine, shared, stats, chart, nudge_after => me.nudge_after_weeks,
        week => super::this_week(me).label_as_of(chrono::Utc::now().date_naive()), ..extra
    };
    Ok((status, page("goals.html", Some(me), csrf, ctx)?).into_response())
}

/// The goal form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GoalForm {
    title: String,
    why: String,
    target_date: String,
    target_value: String,
    target_unit: String,
    visibility: String,
    group: String,
}

impl GoalForm {
    fn input(&self) -> (GoalInput, FieldErrors) {
        let mut e = FieldErrors::new();
        let value = match self.target_value.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    e.add("target_value", "Give the target as a whole number, e.g. 10.");
                    None
                }
            },
        };
        let input = GoalInput {
            title: Some(self.title.clone()),
            why: Some(self.why.clone()),
            target_date: Some(self.target_date.clone()),
            target_value: value,
            target_unit: Some(self.target_unit.clone()),
            visibility: Some(self.visibility.clone()),
            group_id: Some(self.group.clone()),
            status: None,
        };
        (input, e)
    }

    fn of(g: &Goal) -> GoalForm {
        GoalForm {
            title: g.title.clone(),
            why: g.why.clone(),
            target_date: g.target_date.clone(),
            target_value: g.target_value.map(|v| v.to_string()).unwrap_or_default(),
            target_unit: g.target_unit.clone(),
            visibility: g.visibility.clone(),
            group: g.group_id.clone().unwrap_or_default(),
        }
    }
}

async fn render_form(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    values: &GoalForm,
    goal: Option<&Goal>,
    errors: Option<&FieldErrors>,
) -> PageResult {
    let groups: Vec<(String, String)> =
        state.db.groups_of(&me.id).await?.into_iter().map(|g| (g.group.id, g.group.name)).collect();
    let visibilities: Vec<(&str, &str)> =
        GoalVisibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect();
    let mut errs = errors.map(error_map).unwrap_or_default();
    if let Some(e) = errs.remove("group_id") {
        errs.insert("group".into(), e);
    }
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ctx = context! { values, goal, groups, visibilities, errors => errs };
    Ok((status, page("goal_form.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /goals/new`.
pub async fn new_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let values = GoalForm { visibility: "private".into(), ..GoalForm::default() };
    render_form(&state, &me, &csrf, &values, None, None).await
}

/// `POST /goals/new`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<GoalForm>,
) -> PageResult {
    let (input, mut errors) = form.input();
    let result = match errors.is_empty() {
        true => steps::create(&state, &me, &input).await,
        false => Err(AppError::Invalid(std::mem::take(&mut errors))),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/goals/{id}")).into_response()),
        Err(AppError::Invalid(e)) => render_form(&state, &me, &csrf, &form, None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// `GET /goals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    let g = visible(&state, &me, &id).await?;
    render_goal(&state, &me, &csrf, &g, context! { notice => notice(&q.notice) }, StatusCode::OK).await
}

async fn render_goal(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    g: &Goal,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let goal = super::view::of(state, me, g).await?;
    let ctx =
        context! { goal, week => super::this_week(me).label_as_of(chrono::Utc::now().date_naive()), ..extra };
    Ok((status, page("goal.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /goals/{id}/edit` (owner).
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    render_form(&state, &me, &csrf, &GoalForm::of(&g), Some(&g), None).await
}

/// `POST /goals/{id}/edit` (owner).
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GoalForm>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    let (input, errors) = form.input();
    let result = match errors.is_empty() {
        true => steps::update(&state, &me, &g, &input).await,
        false => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/goals/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(e)) => render_form(&state, &me, &csrf, &form, Some(&g), Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

/// Every small form on a goal's page.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GoalAction {
    status: String,
    title: String,
    task: String,
    done: String,
    progress: String,
    note: String,
    blockers: String,
    body: String,
    checkin: String,
    on: String,
    confirm: String,
}

impl GoalAction {
    fn checkin(&self) -> Option<&str> {
        (!self.checkin.is_empty()).then_some(self.checkin.as_str())
    }
}

/// `POST /goals/{id}/status` (owner): active, done or dropped.
pub async fn status(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    steps::set_status(&state, &g, &form.status).await?;
    Ok(Redirect::to(&format!("/goals/{id}?notice=saved")).into_response())
}

/// `POST /goals/{id}/delete` (owner): the goal goes, with everything on it.
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    if form.confirm != "yes" {
        let extra = context! { delete_error => "Tick the box to confirm: a deleted goal cannot come back." };
        return render_goal(&state, &me, &csrf, &g, extra, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.db.delete_goal(&g.id).await?;
    Ok(Redirect::to("/goals?notice=deleted").into_response())
}

/// `POST /goals/{id}/tasks` (owner): a new task (`title`), or a task ticked (`task`, `done`).
pub async fn task(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    let result = if form.task.is_empty() {
        steps::add_task(&state, &g, &form.title).await.map(|_| ())
    } else {
        steps::set_task(&state, &g, &form.task, form.done == "yes").await
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/goals/{id}#tasks")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { task_errors => error_map(&e), task_value => form.title };
            render_goal(&state, &me, &csrf, &g, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /goals/{id}/checkins` (owner).
pub async fn checkin(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = owned(&state, &me, &id).await?;
    let progress = form.progress.trim().parse::<i64>().ok();
    let input = CheckinInput { progress, note: form.note.clone(), blockers: form.blockers.clone() };
    let result = if progress.is_none() && !form.progress.trim().is_empty() {
        Err(AppError::Invalid(FieldErrors::one("progress", "Give progress as a whole number.")))
    } else {
        steps::checkin(&state, &me, &g, &input).await.map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/goals/{id}?notice=checked-in")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { checkin_errors => error_map(&e), checkin_values => form };
            render_goal(&state, &me, &csrf, &g, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /goals/{id}/comments`: on the goal, or on a check-in (`checkin`).
pub async fn comment(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = visible(&state, &me, &id).await?;
    match steps::comment(&state, &me, &g, form.checkin(), &form.body).await {
        Ok(c) => Ok(Redirect::to(&format!("/goals/{id}#c-{c}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { comment_errors => error_map(&e), comment_on => form.checkin, comment_value => form.body };
            render_goal(&state, &me, &csrf, &g, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /goals/{id}/cheer`: `on=yes|no`, on the goal or a check-in (`checkin`).
pub async fn cheer(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<GoalAction>,
) -> PageResult {
    let g = visible(&state, &me, &id).await?;
    steps::cheer(&state, &me, &g, form.checkin(), form.on == "yes").await?;
    Ok(Redirect::to(&format!("/goals/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PauseForm {
    weeks: String,
    nudge_after_weeks: String,
}

/// `POST /goals/pause`: pause for `weeks` (0 resumes), and/or set `nudge_after_weeks`.
pub async fn pause(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<PauseForm>,
) -> PageResult {
    let result = async {
        let mut said = "settings";
        if !form.weeks.trim().is_empty() {
            let weeks = form.weeks.trim().parse::<i64>();
            let weeks =
                weeks.map_err(|_| AppError::Invalid(FieldErrors::one("weeks", "Give a number of weeks.")))?;
            steps::pause(&state, &me, weeks).await?;
            said = if weeks == 0 { "resumed" } else { "paused" };
        }
        if !form.nudge_after_weeks.trim().is_empty() {
            let n = form.nudge_after_weeks.trim().parse::<i64>().map_err(|_| {
                AppError::Invalid(FieldErrors::one("nudge_after_weeks", "Give a number of weeks."))
            })?;
            steps::set_nudge_after(&state, &me, n).await?;
        }
        Ok::<_, AppError>(said)
    }
    .await;
    match result {
        Ok(n) => Ok(Redirect::to(&format!("/goals?notice={n}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let extra = context! { pause_errors => error_map(&e), pause_values => form };
            render_list(&state, &me, &csrf, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
