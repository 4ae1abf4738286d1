//! The steps of goals and accountability, shared by the pages and the API: setting and changing
//! goals, tasks, check-ins, comments, cheers, pausing, and how soon partners hear of missed weeks.

use domain::goals::GoalStatus;
use domain::notices::Kind;
use domain::FieldErrors;
use store::goals::Goal;
use store::users::User;

use super::input::{apply, check_checkin, fields_of, CheckinInput, GoalInput};
use super::this_week;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// The longest pause, in weeks.
pub const MAX_PAUSE_WEEKS: i64 = 12;
/// The most missed weeks a member may wait before their partners are told.
pub const MAX_NUDGE_AFTER: i64 = 8;

/// Sets a goal; returns its id.
pub async fn create(state: &AppState, me: &User, input: &GoalInput) -> Result<String, AppError> {
    let fields = apply(state, me, input, None).await?;
    Ok(state.db.create_goal(&me.id, &fields, now_ms()).await?)
}

/// Changes a goal I own.
pub async fn update(state: &AppState, me: &User, g: &Goal, input: &GoalInput) -> Result<(), AppError> {
    let fields = apply(state, me, input, Some(fields_of(g))).await?;
    state.db.update_goal(&g.id, &fields, now_ms()).await?;
    Ok(())
}

/// Marks a goal I own active, done or dropped.
pub async fn set_status(state: &AppState, g: &Goal, status: &str) -> Result<(), AppError> {
    let s = GoalStatus::parse(status).map_err(|d| AppError::Invalid(FieldErrors::one("status", d)))?;
    state.db.set_goal_status(&g.id, s.as_str(), now_ms()).await?;
    Ok(())
}

/// Adds a task to a goal I own; returns its id.
pub async fn add_task(state: &AppState, g: &Goal, title: &str) -> Result<String, AppError> {
    let title = match domain::profile::check_name(title, 200) {
        Ok(t) if t.is_empty() => return Err(AppError::Invalid(FieldErrors::one("title", "Name the task."))),
        Ok(t) => t,
        Err(d) => return Err(AppError::Invalid(FieldErrors::one("title", d))),
    };
    Ok(state.db.add_task(&g.id, &title, now_ms()).await?)
}

/// Ticks a task of a goal I own done, or not.
pub async fn set_task(state: &AppState, g: &Goal, task: &str, done: bool) -> Result<(), AppError> {
    if !state.db.set_task_done(&g.id, task, done).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Checks in on an active goal I own, for the week under way in my zone; returns its id.
pub async fn checkin(
    state: &AppState,
    me: &User,
    g: &Goal,
    input: &CheckinInput,
) -> Result<String, AppError> {
    if g.status != "active" {
        return Err(AppError::Invalid(FieldErrors::one(
            "progress",
            "This goal is closed: reopen it to check in.",
        )));
    }
    let (progress, note, blockers) = check_checkin(input, g)?;
    let week = this_week(me).to_string();
    Ok(state.db.add_checkin(&g.id, &me.id, &week, progress, &note, &blockers, now_ms()).await?)
}

/// A check-in of the goal, or 404.
async fn checkin_of(state: &AppState, viewer: &User, g: &Goal, id: &str) -> Result<String, AppError> {
    let all = state.db.checkins(&g.id, &viewer.id).await?;
    all.into_iter().find(|c| c.id == id).map(|c| c.id).ok_or(AppError::NotFound)
}

/// Comments on a goal I may see, or on one of its check-ins; its owner is told.
pub async fn comment(
    state: &AppState,
    me: &User,
    g: &Goal,
    checkin: Option<&str>,
    body: &str,
) -> Result<String, AppError> {
    let checkin = match checkin {
        Some(c) => Some(checkin_of(state, me, g, c).await?),
        None => None,
    };
    let body = match domain::profile::check_text(body, 1000) {
        Ok(b) if b.is_empty() => {
            return Err(AppError::Invalid(FieldErrors::one("body", "Write something first.")))
        }
        Ok(b) => b,
        Err(d) => return Err(AppError::Invalid(FieldErrors::one("body", d))),
    };
    let now = now_ms();
    let id = state.db.add_comment(&g.id, checkin.as_deref(), &me.id, &body, now).await?;
    if g.user_id != me.id {
        let title = format!("{} commented on \"{}\"", me.display_name, g.title);
        let link = format!("/goals/{}", g.id);
        let text = format!("{title}:\n\n{body}\n\nAnswer them:\n\n{}{link}\n", state.config.public_url());
        let mail = crate::notifications::Mail { subject: &title, body: &text };
        crate::notifications::send(state, &g.user_id, Kind::GoalComment, &title, &link, Some(mail)).await?;
    }
    Ok(id)
}

/// Cheers someone else's goal, or one of its check-ins (or takes the cheer back).
pub async fn cheer(
    state: &AppState,
    me: &User,
    g: &Goal,
    checkin: Option<&str>,
    on: bool,
) -> Result<(), AppError> {
    if g.user_id == me.id {
        return Err(AppError::Forbidden("Cheers are for others' goals: yours get theirs."));
    }
    let target = match checkin {
        Some(c) => checkin_of(state, me, g, c).await?,
        None => g.id.clone(),
    };
    let now = now_ms();
    let (_, mine) = state.db.goal_cheers(&target, &me.id).await?;
    state.db.set_cheer(&target, &g.id, &me.id, on, now).await?;
    if on && !mine {
        let title = format!("{} cheered you on: \"{}\"", me.display_name, g.title);
        let link = format!("/goals/{}", g.id);
        let body = format!(
            "{title}. Keep going!\n\nYour goal and its check-ins:\n\n{}{link}\n",
            state.config.public_url()
        );
        let mail = crate::notifications::Mail { subject: &title, body: &body };
        crate::notifications::send(state, &g.user_id, Kind::GoalCheer, &title, &link, Some(mail)).await?;
    }
    Ok(())
}

/// Pauses my accountability for `weeks` weeks from this one (no nudges, no word to partners,
/// streaks neither grow nor break), or with 0 ends a pause.
pub async fn pause(state: &AppState, me: &User, weeks: i64) -> Result<(), AppError> {
    if !(0..=MAX_PAUSE_WEEKS).contains(&weeks) {
        return Err(AppError::Invalid(FieldErrors::one(
            "weeks",
            format!("Pause for 1 to {MAX_PAUSE_WEEKS} weeks (0 ends a pause)."),
        )));
    }
    let now = this_week(me);
    if weeks == 0 {
        state.db.end_pause(&me.id, &now.to_string(), &now.prev().to_string()).await?;
        return Ok(());
    }
    let until = (1..weeks).fold(now, |w, _| w.next());
    state.db.add_pause(&me.id, &now.to_string(), &until.to_string(), now_ms()).await?;
    Ok(())
}

/// After how many missed weeks my accountability partners are told (0: never).
pub async fn set_nudge_after(state: &AppState, me: &User, weeks: i64) -> Result<(), AppError> {
    if !(0..=MAX_NUDGE_AFTER).contains(&weeks) {
        return Err(AppError::Invalid(FieldErrors::one(
            "nudge_after_weeks",
            format!("Choose 0 (never) to {MAX_NUDGE_AFTER} weeks."),
        )));
    }
    state.db.set_nudge_after(&me.id, weeks).await?;
    Ok(())
}
