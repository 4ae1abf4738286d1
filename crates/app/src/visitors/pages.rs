//! The pages a visitor without an account sees: an event or a group its host or organiser chose
//! to show ("show to visitors"), with what a link preview needs (`meta`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{TimeDelta, Utc};
use minijinja::{context, Value};
use store::events::Event;

use crate::error::PageResult;
use crate::events::series;
use crate::events::view::when_there;
use crate::state::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::templates::page;

/// How far ahead a visitor sees an event's dates and a group's events (the first few of them).
const AHEAD_DAYS: i64 = 366;

/// What a page tells link previews (Open Graph, Twitter cards) and search engines. Every URL is
/// absolute, on the instance's `public_url`; the picture is `image` (an event's cover, 1200 by
/// 630) or the bundled one of the same shape.
pub fn meta(
    state: &AppState,
    (title, description): (&str, &str),
    path: &str,
    ics: Option<String>,
    image: Option<String>,
) -> Value {
    let public = state.config.public_url();
    // Addresses are written as they are (the template's escaping would turn every "/" into an
    // entity, which some preview fetchers do not decode); what could break out of the attribute
    // is escaped here.
    let url = |p: &str| Value::from_safe_string(crate::web::escape_markup(&format!("{public}{p}")));
    context! {
        title,
        description => crate::web::markdown::excerpt(description, 200),
        url => url(path),
        image => url(image.as_deref().unwrap_or("/assets/og.png")),
        ics => ics.map(|p| url(&p)),
    }
}

/// The way a signed-out reader reaches a page that is not shown to visitors: the sign-in page,
/// coming back here after (an event that does not exist looks the same).
fn sign_in_first(path: &str) -> PageResult {
    let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    Ok(Redirect::to(&format!("/login?{next}")).into_response())
}

/// One date of an event as a visitor sees it: `guests` took seats, and the host counts as going
/// too (seats are for the others).
pub(super) fn date(e: &Event, o: &series::Occ, guests: usize) -> Value {
    let seats_left = e.capacity.map(|c| (c - guests as i64).max(0));
    let going = guests + 1;
    let (day, month) =
        crate::web::dates::badge(o.start, e.time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC));
    context! {
        key => o.key,
        when => when_there(o.start, &e.time_zone),
        day, month,
        title => o.title, going, guests, seats_left,
    }
}

/// Seats taken at a date: members going and visitors whose answer is confirmed.
async fn seats_taken(state: &AppState, event: &str, key: i64) -> Result<usize, crate::error::AppError> {
    let members = state.db.rsvps(event, key).await?.iter().filter(|r| r.status == "going").count();
    Ok(members + state.db.visitors_going(event, key).await?.len())
}

/// `GET /events/{id}` for a visitor.
pub async fn event(state: &AppState, csrf: &CsrfToken, id: &str, at: Option<i64>) -> PageResult {
    let path = format!("/events/{id}");
    let found = if super::enabled(state).await? { state.db.visitor_event(id).await? } else { None };
    let Some(e) = found else { return sign_in_first(&path) };
    let overrides = state.db.overrides(&e.id).await?;
    let now = Utc::now();
    let mut dates = Vec::new();
    let mut first = None;
    for o in series::expand(&e, &overrides, now, now + TimeDelta::days(AHEAD_DAYS))
        .into_iter()
        .filter(|o| !o.cancelled)
    {
        if dates.len() == 6 {
            break;
        }
        let going = seats_taken(state, &e.id, o.key).await?;
        if first.is_none() || at == Some(o.key) {
            first = Some(date(&e, &o, going));
        }
        dates.push(date(&e, &o, going));
    }
    let host = state.db.user(&e.host_id).await?.map(|u| u.display_name).unwrap_or_default();
    let group = match &e.group_id {
        Some(g) => {
            let shown = state.db.visitor_group(g).await?.is_some();
            state.db.group(g).await?.map(|g| context! { id => g.id, name => g.name, shown })
        }
        None => None,
    };
    let venue = match &e.venue_id {
        Some(v) => {
            state.db.venue(v).await?.map(|v| context! { id => v.id, name => v.name, address => v.address })
        }
        None => None,
    };
    let place = if e.is_virtual == 1 { "Online".to_owned() } else { place_of(&e) };
    let summary = match &first {
        Some(d) => format!(
            "{} · {place} · hosted by {host}",
            d.get_attr("when").map(|w| w.to_string()).unwrap_or_default()
        ),
        None => format!("{place} · hosted by {host}"),
    };
    let description = if e.description.trim().is_empty() {
        summary.clone()
    } else {
        format!("{summary}. {}", e.description)
    };
    let cover = e.cover_id.as_deref().map(|c| crate::photos::url(c, 1200));
    let ics = Some(format!("/events/{id}/event.ics"));
    let meta = meta(state, (&e.title, &description), &path, ics, cover.clone());
    let ctx = context! {
        event => context! { id => e.id, title => e.title, kind => e.kind, description => crate::web::markdown::render(&e.description),
                            is_virtual => e.is_virtual == 1, place, capacity => e.capacity, cover },
        dates, first, host, group, venue, summary, meta,
        answer_here => state.db.visitor_answers_on(&e.id).await?,
    };
    Ok(page("visitor_event.html", None, csrf, ctx)?.into_response())
}

fn place_of(e: &Event) -> String {
    match (e.place_name.trim(), e.city_label.trim()) {
        ("", "") => "Place to be announced".to_owned(),
        (p, "") => p.to_owned(),
        ("", c) => c.to_owned(),
        (p, c) => format!("{p}, {c}"),
    }
}

/// `GET /groups/{id}` for a visitor.
pub async fn group(state: &AppState, csrf: &CsrfToken, id: &str) -> PageResult {
    let path = format!("/groups/{id}");
    let found = if super::enabled(state).await? { state.db.visitor_group(id).await? } else { None };
    let Some(g) = found else { return sign_in_first(&path) };
    let topics = state.db.group_topics(&g.id).await?;
    let members = state.db.member_count(&g.id).await?;
    let now = Utc::now();
    let mut upcoming = Vec::new();
    for e in state
        .db
        .visitor_events(
            now.timestamp_millis(),
            (now + TimeDelta::days(AHEAD_DAYS)).timestamp_millis(),
            Some(&g.id),
        )
        .await?
    {
        let overrides = state.db.overrides(&e.id).await?;
        if let Some(o) = series::expand(&e, &overrides, now, now + TimeDelta::days(AHEAD_DAYS))
            .into_iter()
            .find(|o| !o.cancelled)
        {
            let going = seats_taken(state, &e.id, o.key).await?;
            upcoming.push((
                o.start,
                context! { id => e.id, title => e.title, date => date(&e, &o, going),
                place => if e.is_virtual == 1 { "Online".to_owned() } else { place_of(&e) } },
            ));
        }
    }
    upcoming.sort_by_key(|(start, _)| *start);
    let upcoming: Vec<Value> = upcoming.into_iter().map(|(_, v)| v).take(8).collect();
    let people: Vec<String> = if g.members_public == 1 {
        state.db.group_members(&g.id).await?.into_iter().map(|m| m.display_name).collect()
    } else {
        Vec::new()
    };
    let place =
        if g.is_virtual == 1 { "Meets online".to_owned() } else { format!("Meets in {}", g.city_label) };
    let description = format!("{place} · {members} members. {}", g.description);
    let meta = meta(state, (&g.name, &description), &path, None, None);
    let ctx = context! {
        group => context! { id => g.id, name => g.name, description => crate::web::markdown::render(&g.description),
                            visibility => g.visibility, members_public => g.members_public == 1 },
        topics, members, upcoming, people, place, meta,
    };
    Ok((StatusCode::OK, page("visitor_group.html", None, csrf, ctx)?).into_response())
}

/// `GET /venues/{id}` for a visitor: what the place is like, its hours, and the sessions there
/// shown to visitors (reviews and who wrote them stay with members).
pub async fn venue(state: &AppState, csrf: &CsrfToken, id: &str) -> PageResult {
    let path = format!("/venues/{id}");
    if !super::enabled(state).await? {
        return sign_in_first(&path);
    }
    let Ok(v) = crate::venues::find(state, id).await else { return sign_in_first(&path) };
    if v.id != id {
        return Ok(Redirect::to(&format!("/venues/{}", v.id)).into_response());
    }
    let attrs = crate::venues::attributes(state, std::slice::from_ref(&v)).await?;
    let view = crate::venues::api::VenueView::new(&v, &attrs[0]);
    let now = Utc::now();
    let mut upcoming = Vec::new();
    for e in state.db.events_at_venue(&v.id).await? {
        if state.db.visitor_event(&e.id).await?.is_none() {
            continue;
        }
        let overrides = state.db.overrides(&e.id).await?;
        for o in series::expand(&e, &overrides, now, now + TimeDelta::days(90))
            .into_iter()
            .filter(|o| !o.cancelled)
        {
            if crate::venues::venue_of_occurrence(state, &e, o.key).await?.as_deref() == Some(v.id.as_str()) {
                upcoming.push((
                    o.start,
                    context! { url => format!("/events/{}?at={}", e.id, o.key), title => o.title,
                    date => date(&e, &o, 0) },
                ));
            }
        }
    }
    upcoming.sort_by_key(|(t, _)| *t);
    let upcoming: Vec<Value> = upcoming.into_iter().take(8).map(|(_, c)| c).collect();
    let description = format!(
        "{} in {}: {}, wifi {}.",
        view.name,
        view.city,
        view.noise_words.to_lowercase(),
        if view.wifi { "yes" } else { "no" }
    );
    let meta = meta(state, (&view.name, &description), &path, None, None);
    let zone = domain::recurrence::zone_label(view.time_zone.parse().unwrap_or(chrono_tz::UTC));
    Ok(page("visitor_venue.html", None, csrf, context! { venue => view, upcoming, meta, zone })?
        .into_response())
}
