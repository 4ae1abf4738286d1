//! Checking what a member submits for a goal or a check-in (API or form).

use domain::goals::{check_date, check_progress, check_target, GoalVisibility};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::goals::{Goal, GoalFields};
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// A goal as submitted; left-out fields stay as they are when editing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub title: Option<String>,
    /// Why it matters.
    pub why: Option<String>,
    /// "2027-03-31", or "" for none.
    pub target_date: Option<String>,
    /// A measurable target, e.g. 10 (with `target_unit` "client calls"); null for none.
    pub target_value: Option<i64>,
    pub target_unit: Option<String>,
    /// private | partners | group
    #[schema(pattern = "^(private|partners|group)$")]
    pub visibility: Option<String>,
    /// With visibility "group": a group I belong to.
    pub group_id: Option<String>,
    /// When changing a goal: active | done | dropped (a new goal is active).
    #[schema(pattern = "^(active|done|dropped)$")]
    pub status: Option<String>,
}

/// The current fields of a goal, for an edit.
pub fn fields_of(g: &Goal) -> GoalFields {
    GoalFields {
        title: g.title.clone(),
        why: g.why.clone(),
        target_date: g.target_date.clone(),
        target_value: g.target_value,
        target_unit: g.target_unit.clone(),
        visibility: g.visibility.clone(),
        group_id: g.group_id.clone(),
    }
}

/// Checks an input against the current fields (an edit) or nothing (a new goal); a group must be
/// one the owner belongs to.
pub async fn apply(
    state: &AppState,
    owner: &User,
    input: &GoalInput,
    current: Option<GoalFields>,
) -> Result<GoalFields, AppError> {
    let creating = current.is_none();
    let mut f =
        current.unwrap_or_else(|| GoalFields { visibility: "private".into(), ..GoalFields::default() });
    let mut e = FieldErrors::new();
    match &input.title {
        Some(t) => match domain::profile::check_name(t, 120) {
            Ok(t) if t.is_empty() => e.add("title", "Say what the goal is."),
            Ok(t) => f.title = t,
            Err(d) => e.add("title", d),
        },
        None if creating => e.add("title", "Say what the goal is."),
        None => {}
    }
    if let Some(w) = &input.why {
        if let Some(w) = e.check("why", domain::profile::check_text(w, 1000)) {
            f.why = w;
        }
    }
    if let Some(d) = &input.target_date {
        if let Some(d) = e.check("target_date", check_date(d)) {
            f.target_date = d.map(|d| d.to_string()).unwrap_or_default();
        }
    }
    if input.target_value.is_some() || input.target_unit.is_some() {
        let value = input.target_value.map(|v| v.to_string()).unwrap_or_default();
        let unit = input.target_unit.clone().unwrap_or_else(|| f.target_unit.clone());
        let target = check_target(&value, &unit, &mut e);
        f.target_value = target.as_ref().map(|t| t.value);
        f.target_unit = target.map(|t| t.unit).unwrap_or_default();
    }
    if let Some(v) = &input.visibility {
        if let Some(v) = e.check("visibility", GoalVisibility::parse(v)) {
            f.visibility = v.as_str().to_owned();
        }
    }
    if let Some(g) = &input.group_id {
        f.group_id = (!g.trim().is_empty()).then(|| g.trim().to_owned());
    }
    if f.visibility == "group" {
        match &f.group_id {
            None => e.add("group_id", "Choose the group to share the goal with."),
            Some(g) => {
                if state.db.standing(g, &owner.id).await?.role.is_none() {
                    e.add("group_id", "Choose a group you belong to.");
                }
            }
        }
    } else {
        f.group_id = None;
    }
    e.into_result()?;
    Ok(f)
}

/// A check-in as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// How many so far (towards the target), or a percentage without one.
    pub progress: Option<i64>,
    #[serde(default)]
    pub note: String,
    /// What's in the way.
    #[serde(default)]
    pub blockers: String,
}

/// A checked check-in: progress, note, blockers.
pub fn check_checkin(input: &CheckinInput, g: &Goal) -> Result<(i64, String, String), FieldErrors> {
    let mut e = FieldErrors::new();
    let progress = match input.progress {
        Some(p) => e.check("progress", check_progress(p, g.target_value)),
        None => {
            e.add("progress", "Say how far you've got.");
            None
        }
    };
    let note = e.check("note", domain::profile::check_text(&input.note, 2000));
    let blockers = e.check("blockers", domain::profile::check_text(&input.blockers, 1000));
    e.into_result()?;
    Ok((progress.unwrap_or(0), note.unwrap_or_default(), blockers.unwrap_or_default()))
}
