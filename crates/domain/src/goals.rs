//! Goals: their fields and rules, who may see one, and how progress reads.

use chrono::NaiveDate;

use crate::FieldErrors;

/// Who may see a goal (and its check-ins, comments and cheers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalVisibility {
    /// Only its owner.
    Private,
    /// Its owner and their accountability partners.
    Partners,
    /// Its owner and the members of one group.
    Group,
}

impl GoalVisibility {
    /// Every level, narrowest first.
    pub const ALL: [GoalVisibility; 3] =
        [GoalVisibility::Private, GoalVisibility::Partners, GoalVisibility::Group];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalVisibility::Private => "private",
            GoalVisibility::Partners => "partners",
            GoalVisibility::Group => "group",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            GoalVisibility::Private => "Only me",
            GoalVisibility::Partners => "My accountability partners",
            GoalVisibility::Group => "A group I'm in",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<GoalVisibility, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "Choose only me, my accountability partners or a group.".to_owned())
    }

    /// Whether someone may see a goal at this level: its owner always; an accountability partner
    /// of the owner at `Partners`; a member of the goal's group at `Group`.
    pub fn allows(self, owner: bool, partner: bool, in_group: bool) -> bool {
        owner
            || match self {
                GoalVisibility::Private => false,
                GoalVisibility::Partners => partner,
                GoalVisibility::Group => in_group,
            }
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalStatus {
    /// Being worked on.
    Active,
    /// Reached.
    Done,
    /// Let go.
    Dropped,
}

impl GoalStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Active => "active",
            GoalStatus::Done => "done",
            GoalStatus::Dropped => "dropped",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<GoalStatus, String> {
        [GoalStatus::Active, GoalStatus::Done, GoalStatus::Dropped]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "Choose active, done or dropped.".to_owned())
    }
}

/// A measurable target, e.g. 10 client calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// How many.
    pub value: i64,
    /// Of what, e.g. "client calls".
    pub unit: String,
}

/// The most a target may be.
pub const MAX_TARGET: i64 = 1_000_000;

/// Checks a target date ("2027-03-31"); empty means none.
pub fn check_date(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
        .map(Some)
        .ok_or_else(|| "Give a date like 2027-03-31.".to_owned())
}

/// Checks a target typed as a number and a unit; both empty means none.
pub fn check_target(value: &str, unit: &str, e: &mut FieldErrors) -> Option<Target> {
    let (value, unit) = (value.trim(), unit.split_whitespace().collect::<Vec<_>>().join(" "));
    if value.is_empty() && unit.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(v) if (1..=MAX_TARGET).contains(&v) => {
            if unit.chars().count() > 40 {
                e.add("target_unit", "Keep the unit under 40 characters.");
                None
            } else if unit.is_empty() {
                e.add("target_unit", "Say what you count, e.g. client calls.");
                None
            } else {
                Some(Target { value: v, unit })
            }
        }
        _ => {
            e.add("target_value", format!("Give the target as a whole number from 1 to {MAX_TARGET}."));
            None
        }
    }
}

/// Checks a check-in's progress: a count towards the target (0 up to ten times it), or, without
/// a target, a percentage.
pub fn check_progress(progress: i64, target: Option<i64>) -> Result<i64, String> {
    match target {
        Some(t) if (0..=t.saturating_mul(10)).contains(&progress) => Ok(progress),
        Some(t) => Err(format!("Give how many so far, from 0 to {}.", t.saturating_mul(10))),
        None if (0..=100).contains(&progress) => Ok(progress),
        None => Err("Give progress as a percentage from 0 to 100.".to_owned()),
    }
}

/// Progress as a share of the way (0–1), capped at done.
pub fn share(progress: i64, target: Option<i64>) -> f64 {
    let whole = target.unwrap_or(100).max(1) as f64;
    (progress as f64 / whole).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_sees_a_goal() {
        assert!(GoalVisibility::Private.allows(true, false, false));
        assert!(
            !GoalVisibility::Private.allows(false, true, true),
            "a private goal never shows to partners or groups"
        );
        assert!(GoalVisibility::Partners.allows(false, true, false));
        assert!(!GoalVisibility::Partners.allows(false, false, true), "a partners' goal is not the group's");
        assert!(GoalVisibility::Group.allows(false, false, true));
        assert!(!GoalVisibility::Group.allows(false, true, false), "a group's goal only to that group");
    }

    #[test]
    fn targets_and_progress() {
        let mut e = FieldErrors::new();
        assert_eq!(
            check_target("10", " client   calls ", &mut e),
            Some(Target { value: 10, unit: "client calls".into() })
        );
        assert_eq!(check_target("", "", &mut e), None);
        assert!(e.is_empty());
        assert_eq!(check_target("0", "calls", &mut e), None);
        assert_eq!(check_target("3", "", &mut e), None);
        assert_eq!(e.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(), ["target_value", "target_unit"]);
        assert_eq!(check_progress(7, Some(10)), Ok(7));
        assert!(check_progress(101, None).is_err());
        assert!(check_progress(-1, Some(10)).is_err());
        assert!((share(5, Some(10)) - 0.5).abs() < 1e-9);
        assert!((share(150, None) - 1.0).abs() < 1e-9);
        assert_eq!(check_date("2027-03-31").map(|d| d.map(|d| d.to_string())), Ok(Some("2027-03-31".into())));
        assert!(check_date("31/03/2027").is_err());
        assert_eq!(check_date(" "), Ok(None));
    }
}
