//! The venue panel of the event form: the venue chosen (if any), the partners to suggest for,
//! and — when asked — suggestions to pick from, or to take in turn for a repeating series. It
//! works without JavaScript: "Suggest venues" posts the form, which comes back with choices.

use chrono::{TimeZone, Utc};
use minijinja::context;
use store::users::User;

use super::suggest::suggest_for;
use crate::error::AppError;
use crate::events::input::{parse_local, EventInput};
use crate::state::AppState;

/// Whom I might meet: my accepted partners, then the members of my groups; (id, name), each once.
pub async fn companions(state: &AppState, me: &User) -> Result<Vec<(String, String)>, AppError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for p in state.db.partnerships_of(&me.id).await? {
        if p.status == "accepted" {
            let (id, name) = if p.requester_id == me.id {
                (p.partner_id, p.partner_name)
            } else {
                (p.requester_id, p.requester_name)
            };
            if !out.iter().any(|(i, _)| *i == id) {
                out.push((id, name));
            }
        }
    }
    for g in state.db.groups_of(&me.id).await? {
        for m in state.db.group_members(&g.group.id).await? {
            if m.user_id != me.id && !out.iter().any(|(i, _)| *i == m.user_id) && out.len() < 60 {
                out.push((m.user_id, m.display_name));
            }
        }
    }
    Ok(out)
}

/// The members ticked in the form's "with" boxes.
pub fn chosen(raw: &str) -> Vec<String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k == "with")
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// The panel, with suggestions when `suggest` (from the form's time, zone, length and kind).
pub async fn context(
    state: &AppState,
    me: &User,
    venue: &str,
    input: &EventInput,
    with: &[String],
    suggest: bool,
) -> Result<minijinja::Value, AppError> {
    let chosen_venue = match venue.trim() {
        "" => None,
        id => super::find(state, id)
            .await
            .ok()
            .map(|v| context! { id => v.id, name => v.name, city => v.city_label }),
    };
    let (mut suggestions, mut problem) = (None, None);
    if suggest {
        let zone: chrono_tz::Tz = input.time_zone.as_deref().unwrap_or("").parse().unwrap_or(chrono_tz::UTC);
        let start = input
            .starts_at_local
            .as_deref()
            .and_then(parse_local)
            .and_then(|t| zone.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc));
        let kind = input.kind.clone().unwrap_or_else(|| "cowork".into());
        let minutes = input.duration_minutes.unwrap_or(crate::events::input::DEFAULT_MINUTES);
        match start {
            None => problem = Some("Give the start first: venues are suggested for a time.".to_owned()),
            Some(start) => match suggest_for(state, me, with, start, minutes, &kind).await {
                Ok(items) => suggestions = Some(items),
                Err(AppError::Invalid(e)) => problem = e.iter().next().map(|e| e.detail.clone()),
                Err(e) => return Err(e),
            },
        }
    }
    let suggested = suggestions
        .as_ref()
        .map(|items: &Vec<super::suggest::SuggestionView>| {
            items
                .iter()
                .filter(|s| !s.too_close)
                .take(3)
                .map(|s| s.venue.id.clone())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    Ok(context! {
        venue => chosen_venue, partners => companions(state, me).await?, with, suggestions, problem, suggested,
    })
}
