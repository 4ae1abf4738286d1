//! The demo community's goals: the first member and her accountability partner each have a goal
//! with a few weeks of check-ins, and the WordPress group's weekly board has four weeks of focus
//! (reported) and this week's. Added once: skipped when the first demo member has any goal.

use chrono::{TimeDelta, Utc};
use domain::weeks::WeekKey;
use store::goals::GoalFields;
use store::Db;

/// A demo goal: (owner, title, why, target, unit, check-ins of the last weeks, oldest first).
type DemoGoal = (usize, &'static str, &'static str, i64, &'static str, &'static [i64]);

const GOALS: [DemoGoal; 3] = [
    (0, "Land two retainer clients", "Steady income through the summer.", 2, "retainers", &[0, 1, 1]),
    (1, "Finish my portfolio site", "Clients ask for examples first.", 10, "case studies", &[2, 4, 5, 7]),
    (2, "Publish a monthly newsletter", "Stay in touch with past clients.", 6, "issues", &[1]),
];

/// (member, last week's focus and outcome, this week's focus)
const BOARD: [(usize, &str, &str, &str); 4] = [
    (0, "Send three proposals", "done", "Follow up on last month's leads"),
    (2, "Redesign the bakery's menu page", "partly", "Finish the bakery's menu page"),
    (3, "Write the accessibility checklist", "not", "Write the accessibility checklist, for real"),
    (4, "Price the maintenance plans", "done", "Launch the maintenance plans"),
];

/// Earlier weeks' focus on the board, and how each went.
const OLDER: [(&str, &str); 5] = [
    ("Invoice every open project", "done"),
    ("Call three past clients", "partly"),
    ("Ship the plugin update", "done"),
    ("Write the onboarding guide", "not"),
    ("Move the site to the new host", "done"),
];

/// Adds the demo goals and board once. `ids` are the demo members' ids in order; `board_group`
/// is the group whose board gets entries (weeks in `zone`).
pub async fn load(
    db: &Db,
    ids: &[String],
    board_group: Option<&str>,
    zone: chrono_tz::Tz,
) -> anyhow::Result<()> {
    let Some(first) = ids.first() else { return Ok(()) };
    if !db.goals_of(first).await?.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    for (owner, title, why, target, unit, checkins) in GOALS {
        let Some(user) = ids.get(owner) else { continue };
        let created = now - TimeDelta::weeks(checkins.len() as i64);
        let fields = GoalFields {
            title: title.into(),
            why: why.into(),
            target_value: Some(target),
            target_unit: unit.into(),
            visibility: "partners".into(),
            ..GoalFields::default()
        };
        let goal = db.create_goal(user, &fields, created.timestamp_millis()).await?;
        for (i, progress) in checkins.iter().enumerate() {
            let at = created + TimeDelta::weeks(i as i64 + 1) - TimeDelta::days(1);
            let week = WeekKey::of(at, zone).to_string();
            let note = if *progress == 0 {
                "A slow week: two calls, no yes yet."
            } else {
                "Moving: one more this week."
            };
            db.add_checkin(&goal, user, &week, *progress, note, "", at.timestamp_millis()).await?;
        }
    }
    if let Some(group) = board_group {
        let this = WeekKey::of(now, zone);
        let stamp = now.timestamp_millis();
        for (n, (member, last_focus, outcome, focus)) in BOARD.into_iter().enumerate() {
            let Some(user) = ids.get(member) else { continue };
            // The three weeks before last, as they went.
            let mut week = this.prev();
            for back in 1..4 {
                week = week.prev();
                let (older, how) = OLDER[(n + back) % OLDER.len()];
                db.set_focus(group, user, &week.to_string(), older, stamp).await?;
                db.report_focus(group, user, &week.to_string(), how, stamp).await?;
            }
            db.set_focus(group, user, &this.prev().to_string(), last_focus, stamp).await?;
            db.report_focus(group, user, &this.prev().to_string(), outcome, stamp).await?;
            db.set_focus(group, user, &this.to_string(), focus, stamp).await?;
        }
    }
    Ok(())
}
