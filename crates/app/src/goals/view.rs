//! Goals, check-ins and comments as the API and pages show them.

use serde::Serialize;
use store::goals::{Checkin, Comment, Goal, Task};
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::groups::view::{rfc3339, PersonRef};
use crate::state::AppState;

/// A task of a goal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub done: bool,
}

/// A weekly check-in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckinView {
    pub id: String,
    /// The week it counts for, e.g. "2026-W49" (in the owner's zone).
    pub week: String,
    /// "30 Nov – 6 Dec 2026".
    pub week_label: String,
    pub progress: i64,
    pub note: String,
    pub blockers: String,
    pub created_at: String,
    pub cheers: i64,
    pub cheered_by_me: bool,
    pub comments: Vec<CommentView>,
}

/// A comment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: String,
    pub author: PersonRef,
    pub body: String,
    pub created_at: String,
}

/// A goal with everything on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: String,
    pub owner: PersonRef,
    pub title: String,
    pub why: String,
    /// "2027-03-31", or null.
    pub target_date: Option<String>,
    /// e.g. 10, with `target_unit` "client calls"; null without a target.
    pub target_value: Option<i64>,
    pub target_unit: String,
    /// The latest check-in's: a count towards the target, or a percentage without one.
    pub progress: i64,
    /// Progress as a share of the way, 0–100.
    pub percent: u32,
    /// active | done | dropped
    pub status: String,
    /// private | partners | group
    pub visibility: String,
    pub group: Option<crate::events::view::GroupRef>,
    pub tasks: Vec<TaskView>,
    pub checkins: Vec<CheckinView>,
    /// Comments on the goal itself (comments on a check-in are with it).
    pub comments: Vec<CommentView>,
    pub cheers: i64,
    pub cheered_by_me: bool,
    /// Whether I own it (and may change it).
    pub mine: bool,
    pub created_at: String,
}

fn comment_view(c: &Comment) -> CommentView {
    CommentView {
        id: c.id.clone(),
        author: PersonRef { id: c.author_id.clone(), display_name: c.author_name.clone() },
        body: c.body.clone(),
        created_at: rfc3339(c.created_at),
    }
}

fn checkin_view(c: &Checkin, comments: &[Comment]) -> CheckinView {
    CheckinView {
        id: c.id.clone(),
        week: c.week.clone(),
        week_label: domain::weeks::WeekKey::parse(&c.week)
            .map(|w| w.label_as_of(chrono::Utc::now().date_naive()))
            .unwrap_or_default(),
        progress: c.progress,
        note: c.note.clone(),
        blockers: c.blockers.clone(),
        created_at: rfc3339(c.created_at),
        cheers: c.cheers,
        cheered_by_me: c.cheered_by_me > 0,
        comments: comments
            .iter()
            .filter(|x| x.checkin_id.as_deref() == Some(&c.id))
            .map(comment_view)
            .collect(),
    }
}

/// The whole goal as `viewer` sees it (they may: see `goals::visible`).
pub async fn of(state: &AppState, viewer: &User, g: &Goal) -> Result<GoalView, AppError> {
    let tasks: Vec<Task> = state.db.tasks(&g.id).await?;
    let checkins = state.db.checkins(&g.id, &viewer.id).await?;
    let comments = state.db.comments(&g.id).await?;
    let (cheers, cheered_by_me) = state.db.goal_cheers(&g.id, &viewer.id).await?;
    Ok(GoalView {
        id: g.id.clone(),
        owner: PersonRef { id: g.user_id.clone(), display_name: g.owner_name.clone() },
        title: g.title.clone(),
        why: g.why.clone(),
        target_date: (!g.target_date.is_empty()).then(|| g.target_date.clone()),
        target_value: g.target_value,
        target_unit: g.target_unit.clone(),
        progress: g.progress,
        percent: (domain::goals::share(g.progress, g.target_value) * 100.0).round() as u32,
        status: g.status.clone(),
        visibility: g.visibility.clone(),
        group: match (&g.group_id, &g.group_name) {
            (Some(id), Some(name)) => {
                Some(crate::events::view::GroupRef { id: id.clone(), name: name.clone() })
            }
            _ => None,
        },
        tasks: tasks.into_iter().map(|t| TaskView { id: t.id, title: t.title, done: t.done == 1 }).collect(),
        checkins: checkins.iter().map(|c| checkin_view(c, &comments)).collect(),
        comments: comments.iter().filter(|c| c.checkin_id.is_none()).map(comment_view).collect(),
        cheers,
        cheered_by_me,
        mine: g.user_id == viewer.id,
        created_at: rfc3339(g.created_at),
    })
}

/// A goal in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalSummary {
    pub id: String,
    pub owner: PersonRef,
    pub title: String,
    pub status: String,
    pub visibility: String,
    pub percent: u32,
    pub target_date: Option<String>,
}

impl GoalSummary {
    /// A stored goal, summed up.
    pub fn of(g: &Goal) -> GoalSummary {
        GoalSummary {
            id: g.id.clone(),
            owner: PersonRef { id: g.user_id.clone(), display_name: g.owner_name.clone() },
            title: g.title.clone(),
            status: g.status.clone(),
            visibility: g.visibility.clone(),
            percent: (domain::goals::share(g.progress, g.target_value) * 100.0).round() as u32,
            target_date: (!g.target_date.is_empty()).then(|| g.target_date.clone()),
        }
    }
}
