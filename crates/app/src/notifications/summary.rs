//! The weekly summary in a member's Monday email: their week ahead, open asks for help that
//! match what they offer, contacts due a word, their group boards waiting for them, and members
//! who joined this week who would make good partners. Each section reuses the query of the page
//! it summarises (dashboard, help, contacts, board, partner suggestions).

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use domain::partners::Mode;
use store::users::User;

use crate::error::AppError;
use crate::partners::Filters;
use crate::state::AppState;

/// One line of a section: what, and where to see it (a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub link: String,
}

/// A section: its heading and lines (never empty in a summary).
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: &'static str,
    pub lines: Vec<Line>,
}

/// Lines a section shows at most.
const MOST: usize = 8;

/// Members who joined in the last week, for the "new members" section of everyone's summary.
pub async fn newcomers(state: &AppState, now: DateTime<Utc>) -> Result<HashSet<String>, AppError> {
    let since = (now - TimeDelta::days(7)).timestamp_millis();
    Ok(state.db.joined_since(since).await?.into_iter().collect())
}

/// The sections of `u`'s summary at `now` that have something in them.
pub async fn of(
    state: &AppState,
    u: &User,
    now: DateTime<Utc>,
    joined: &HashSet<String>,
) -> Result<Vec<Section>, AppError> {
    let mut sections = Vec::new();
    let mut add = |heading, lines: Vec<Line>| {
        if !lines.is_empty() {
            sections.push(Section { heading, lines: lines.into_iter().take(MOST).collect() });
        }
    };
    add("Your week ahead", week_ahead(state, u, now).await?);
    add("Asks for help you could answer", asks(state, u).await?);
    add("People to get back in touch with", contacts(state, u).await?);
    add("Your group boards", boards(state, u).await?);
    add("New members you might work well with", new_members(state, u, joined).await?);
    Ok(sections)
}

async fn week_ahead(state: &AppState, u: &User, now: DateTime<Utc>) -> Result<Vec<Line>, AppError> {
    let items = crate::events::agenda(state, u, now, now + TimeDelta::days(7)).await?;
    Ok(items
        .into_iter()
        .map(|o| {
            let how = match o.status.as_str() {
                "hosting" => " (you host)",
                "maybe" => " (maybe)",
                "waitlisted" => " (on the waitlist)",
                _ => "",
            };
            Line {
                text: format!("{}, {}{how}", o.title, o.when),
                link: format!("/events/{}?at={}", o.event_id, o.key),
            }
        })
        .collect())
}

async fn asks(state: &AppState, u: &User) -> Result<Vec<Line>, AppError> {
    let Some(profile) = state.db.profile(&u.id).await? else { return Ok(Vec::new()) };
    let offers: HashSet<&str> = profile.offers.iter().map(String::as_str).collect();
    Ok(state
        .db
        .help_posts(None, 200)
        .await?
        .into_iter()
        .filter(|p| p.kind == "request" && p.user_id != u.id && offers.contains(p.skill.as_str()))
        .map(|p| {
            let note = if p.note.is_empty() { String::new() } else { format!(": {}", p.note) };
            Line {
                text: format!("{} asks for help with {}{note}", p.display_name, p.skill),
                link: "/help".into(),
            }
        })
        .collect())
}

async fn contacts(state: &AppState, u: &User) -> Result<Vec<Line>, AppError> {
    Ok(crate::contacts::overdue(state, u)
        .await?
        .into_iter()
        .map(|c| Line {
            text: format!(
                "{}: last in touch {}",
                c.name,
                c.last_in_touch.as_deref().map(crate::web::dates::iso_day).unwrap_or_default()
            ),
            link: format!("/contacts/{}", c.id),
        })
        .collect())
}

async fn boards(state: &AppState, u: &User) -> Result<Vec<Line>, AppError> {
    let mut lines = Vec::new();
    for g in state.db.groups_of(&u.id).await? {
        let a = crate::groups::access(state, u, &g.group.id).await?;
        let week = crate::goals::board::week_of(&a);
        let link = format!("/groups/{}/board", g.group.id);
        let mine = |entries: Vec<store::boards::BoardEntry>| entries.into_iter().find(|e| e.user_id == u.id);
        let Some(last) = mine(state.db.board(&g.group.id, &week.prev().to_string()).await?) else { continue };
        if last.outcome.is_none() {
            let text = format!("{}: say how last week's focus went ({})", g.group.name, last.focus);
            lines.push(Line { text, link: link.clone() });
        }
        if mine(state.db.board(&g.group.id, &week.to_string()).await?).is_none() {
            lines.push(Line { text: format!("{}: post this week's focus", g.group.name), link });
        }
    }
    Ok(lines)
}

async fn new_members(state: &AppState, u: &User, joined: &HashSet<String>) -> Result<Vec<Line>, AppError> {
    if joined.iter().all(|id| *id == u.id) {
        return Ok(Vec::new());
    }
    let near = u.in_person == 1 && u.lat.is_some();
    let f = Filters {
        mode: if near { Mode::InPerson } else { Mode::Virtual },
        skill: None,
        max_km: near.then_some(50.0),
        kind: None,
        limit: crate::partners::MAX_LIMIT,
    };
    Ok(crate::partners::suggestions(state, u, &f)
        .await?
        .into_iter()
        .filter(|s| joined.contains(&s.member.id))
        .take(3)
        .map(|s| {
            let m = &s.member;
            let what =
                [m.trade.as_str(), m.city.as_str()].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>();
            let what = if what.is_empty() { String::new() } else { format!(" ({})", what.join(", ")) };
            let why = s.reasons.first().map(|r| format!(": {r}")).unwrap_or_default();
            Line { text: format!("{}{what}{why}", m.display_name), link: format!("/members/{}", m.id) }
        })
        .collect())
}
