//! Time-finding polls (C2): the organiser picks invitees and a date range, the server proposes
//! the best slots from everyone's weekly availability and existing events (explained: "7 of 8
//! free"), invitees vote yes / if need be / no, and closing the poll creates the event.

pub mod api;
pub mod pages;
pub mod view;

use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use domain::notices::Kind;
use domain::timefinding::{propose, Invitee, SlotRequest};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::polls::{NewPoll, Poll};
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::events::input::{format_local, EventInput, PlaceInput, VirtualInput, KINDS};
use crate::state::AppState;
use crate::web::now_ms;
pub use view::{view, PollView, SlotView};

/// Most invitees in one poll.
pub const MAX_INVITEES: usize = 50;
/// Longest date range one poll may search.
pub const MAX_DAYS: i64 = 31;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/polls/new", get(pages::new_page).post(pages::create))
        .route("/polls/{id}", get(pages::show))
        .route("/polls/{id}/votes", post(pages::vote))
        .route("/polls/{id}/close", post(pages::close))
        .route("/api/v1/polls", post(api::create))
        .route("/api/v1/polls/{id}", get(api::get))
        .route("/api/v1/polls/{id}/votes", put(api::vote))
        .route("/api/v1/polls/{id}/close", post(api::close))
}

/// A new poll as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PollInput {
    pub title: String,
    /// cowork | accountability | meeting | workshop | meetup (default cowork).
    pub kind: String,
    /// Default 90.
    pub duration_minutes: Option<i64>,
    /// The zone the dates and the event are in (default: the organiser's).
    pub time_zone: String,
    /// First and last date to search, YYYY-MM-DD, inclusive.
    pub from_date: String,
    pub to_date: String,
    /// Member ids.
    pub invitees: Vec<String>,
    /// The organiser's own candidate starts (local, "2027-03-17T18:00"); empty lets the server propose.
    pub slots: Vec<String>,
    /// Make the winner a series: weekly | fortnightly | monthly | every-two-months | quarterly.
    pub preset: String,
    /// Where, for in-person events; leave out for a virtual one.
    pub place: Option<PlaceInput>,
}

/// Busy intervals of a member: what they host or go to in the window.
async fn busy(
    state: &AppState,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, AppError> {
    Ok(crate::events::agenda(state, user, from, to)
        .await?
        .into_iter()
        .filter(|i| i.status != "maybe")
        .map(|i| (i.start, i.end))
        .collect())
}

fn date(field: &str, s: &str, e: &mut FieldErrors) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| crate::events::input::YEARS.contains(&d.year()));
    if d.is_none() {
        e.add(field, "Give a date like 2027-03-17.");
    }
    d
}

/// Checks the input, proposes (or checks) slots, and stores the poll.
pub async fn create(state: &AppState, organiser: &User, input: &PollInput) -> Result<Poll, AppError> {
    let mut e = FieldErrors::new();
    let title = match domain::profile::check_name(&input.title, 120) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            e.add("title", "Give the poll a title, like \"Quarterly coworking\".");
            String::new()
        }
        Err(d) => {
            e.add("title", d);
            String::new()
        }
    };
    let kind = if input.kind.is_empty() { "cowork".to_owned() } else { input.kind.clone() };
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        e.add("kind", "Choose cowork, accountability, meeting, workshop or meetup.");
    }
    let duration = input.duration_minutes.unwrap_or(crate::events::input::DEFAULT_MINUTES);
    if !(15..=480).contains(&duration) {
        e.add("duration_minutes", "Polls look for 15 minutes to 8 hours.");
    }
    let zone_name =
        if input.time_zone.is_empty() { organiser.timezone.clone() } else { input.time_zone.clone() };
    let zone = e.check("time_zone", domain::profile::check_timezone(&zone_name));
    let (from, to) = (date("from_date", &input.from_date, &mut e), date("to_date", &input.to_date, &mut e));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.add("to_date", "The last date must not be before the first.");
        } else if (t - f).num_days() >= MAX_DAYS {
            e.add("to_date", "Search at most 31 days at a time.");
        }
    }
    if !input.preset.is_empty() && domain::recurrence::Preset::parse(&input.preset).is_err() {
        e.add("preset", "Choose weekly, fortnightly, monthly, every two months or quarterly.");
    }
    let mut people = Vec::new();
    if input.invitees.is_empty() {
        e.add("invitees", "Invite at least one member.");
    } else if input.invitees.len() > MAX_INVITEES {
        e.add("invitees", "Invite at most 50 members.");
    } else {
        for id in &input.invitees {
            match state.db.user(id).await? {
                Some(u)
                    if u.id != organiser.id
                        && u.suspended_at.is_none()
                        && !state.db.blocked_either_way(&organiser.id, &u.id).await? =>
                {
                    if !people.iter().any(|p: &User| p.id == u.id) {
                        people.push(u);
                    }
                }
                _ => e.add("invitees", "One of the invitees is not a member you can invite."),
            }
        }
    }
    if let Some(p) = &input.place {
        if crate::events::input::apply(&place_probe(p), None)
            .is_err_and(|err| err.get("place.city").is_some() || err.get("place.name").is_some())
        {
            e.add(
                "place",
                "Give the place a name and a city from the list, or leave it out for a virtual event.",
            );
        }
    }
    e.clone().into_result()?;
    let (Some(zone), Some(from), Some(to)) = (zone, from, to) else { return Err(AppError::Invalid(e)) };
    let at = |d: NaiveDate| domain::recurrence::resolve(zone, d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let (start, end) = (at(from), at(to + Days::new(1)));
    let mut everyone = vec![organiser.clone()];
    everyone.extend(people.iter().cloned());
    let mut invitees = Vec::new();
    for u in &everyone {
        let windows = state.db.profile(&u.id).await?.map(|p| p.windows).unwrap_or_default();
        let zone: Tz = u.timezone.parse().unwrap_or(chrono_tz::UTC);
        invitees.push(Invitee { zone, windows, busy: busy(state, u, start, end).await? });
    }
    let not_before = Utc::now() + TimeDelta::hours(2);
    let duration_u = u32::try_from(duration).unwrap_or(90);
    let slots: Vec<(i64, i64, String)> = if input.slots.is_empty() {
        let req = SlotRequest {
            from: start,
            to: end,
            duration_minutes: duration_u,
            step_minutes: 15,
            not_before,
            limit: 6,
        };
        let found = propose(&invitees, &req);
        if found.is_empty() {
            return Err(AppError::Invalid(FieldErrors::one(
                "from_date",
                "Nobody's availability fits in those dates. Try a longer range, a shorter session, or pick times yourself.",
            )));
        }
        found.iter().map(|p| (p.start.timestamp_millis(), p.end.timestamp_millis(), p.explain())).collect()
    } else {
        let mut out = Vec::new();
        for s in input.slots.iter().take(20) {
            let Some(local) = crate::events::input::parse_local(s) else {
                return Err(AppError::Invalid(FieldErrors::one(
                    "slots",
                    format!("\"{s}\" is not a time like 2027-03-17T18:00."),
                )));
            };
            let st = domain::recurrence::resolve(zone, local);
            if st < Utc::now() {
                return Err(AppError::Invalid(FieldErrors::one("slots", format!("{s} is in the past."))));
            }
            let en = st + TimeDelta::minutes(duration);
            let req = SlotRequest {
                from: st,
                to: en,
                duration_minutes: duration_u,
                step_minutes: 1,
                not_before: st,
                limit: 1,
            };
            let explain = propose(&invitees, &req)
                .first()
                .map(|p| p.explain())
                .unwrap_or_else(|| "nobody marked free".to_owned());
            out.push((st.timestamp_millis(), en.timestamp_millis(), explain));
        }
        out
    };
    let ids: Vec<String> = people.iter().map(|u| u.id.clone()).collect();
    let place = input.place.clone().unwrap_or_default();
    let city_label =
        domain::geo::Gazetteer::bundled().resolve(&place.city).map(|c| c.label()).unwrap_or_default();
    let new = NewPoll {
        organiser_id: &organiser.id,
        title: &title,
        kind: &kind,
        duration_minutes: duration,
        time_zone: zone.name(),
        preset: &input.preset,
        is_virtual: input.place.is_none(),
        place_name: &place.name,
        city_label: &city_label,
        invitees: &ids,
        slots: &slots,
    };
    let id = state.db.create_poll(&new, now_ms()).await?;
    for u in &people {
        let subject = format!("{} asks when you're free: {title}", organiser.display_name);
        let link = format!("{}/polls/{id}", state.config.public_url());
        let body = format!(
            "Hello {},\n\n{} is finding a time for \"{title}\". Say which times work for you:\n\n{link}\n",
            u.display_name, organiser.display_name
        );
        let mail = crate::notifications::Mail { subject: &subject, body: &body };
        crate::notifications::send(state, &u.id, Kind::Poll, &subject, &link, Some(mail)).await?;
    }
    state.db.poll(&id).await?.ok_or(AppError::NotFound)
}

fn place_probe(p: &PlaceInput) -> EventInput {
    EventInput { place: Some(p.clone()), ..EventInput::default() }
}

/// A poll the viewer organises or is invited to.
pub async fn visible(
    state: &AppState,
    viewer: &User,
    id: &str,
) -> Result<(Poll, Vec<(String, String)>), AppError> {
    let poll = state.db.poll(id).await?.ok_or(AppError::NotFound)?;
    let invitees = state.db.poll_invitees(&poll.id).await?;
    if poll.organiser_id != viewer.id && !invitees.iter().any(|(u, _)| *u == viewer.id) {
        return Err(AppError::NotFound);
    }
    Ok((poll, invitees))
}

/// Replaces the viewer's votes; every start must be one of the poll's slots.
pub async fn vote(
    state: &AppState,
    viewer: &User,
    poll: &Poll,
    votes: &[(i64, String)],
) -> Result<(), AppError> {
    if poll.closed_at.is_some() {
        return Err(AppError::Invalid(FieldErrors::one("votes", "This poll is closed.")));
    }
    let slots = state.db.poll_slots(&poll.id).await?;
    let mut seen = std::collections::HashSet::new();
    for (start, v) in votes {
        if !seen.insert(*start) {
            return Err(AppError::Invalid(FieldErrors::one("votes", "Vote once for each time.")));
        }
        if !slots.iter().any(|s| s.start_at == *start) {
            return Err(AppError::Invalid(FieldErrors::one(
                "votes",
                "One of the times is not in this poll.",
            )));
        }
        if !matches!(v.as_str(), "yes" | "ifneedbe" | "no") {
            return Err(AppError::Invalid(FieldErrors::one("votes", "Vote yes, ifneedbe or no.")));
        }
    }
    state.db.set_votes(&poll.id, &viewer.id, votes).await?;
    Ok(())
}

/// Closes the poll with the slot starting at `start`: creates the event (a series when the poll
/// asked for one), answers "going" for everyone who voted yes, and tells the invitees.
pub async fn close(
    state: &AppState,
    organiser: &User,
    poll: &Poll,
    start: i64,
) -> Result<store::events::Event, AppError> {
    if poll.closed_at.is_some() {
        return Err(AppError::Invalid(FieldErrors::one("start", "This poll is closed already.")));
    }
    let slots = state.db.poll_slots(&poll.id).await?;
    let slot = slots
        .iter()
        .find(|s| s.start_at == start)
        .ok_or_else(|| AppError::Invalid(FieldErrors::one("start", "That time is not one of the poll's.")))?;
    let zone: Tz = poll.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let begin = DateTime::from_timestamp_millis(slot.start_at).unwrap_or_default();
    if begin <= Utc::now() {
        return Err(AppError::Invalid(FieldErrors::one("start", "That time has passed: pick a later one.")));
    }
    if !state.db.close_poll(&poll.id, now_ms()).await? {
        return Err(AppError::Invalid(FieldErrors::one("start", "This poll is closed already.")));
    }
    let input = EventInput {
        kind: Some(poll.kind.clone()),
        title: Some(poll.title.clone()),
        starts_at_local: Some(format_local(begin.with_timezone(&zone).naive_local())),
        time_zone: Some(poll.time_zone.clone()),
        duration_minutes: Some(poll.duration_minutes),
        preset: (!poll.preset.is_empty()).then(|| poll.preset.clone()),
        visibility: Some("invite".into()),
        place: (poll.is_virtual == 0).then(|| PlaceInput {
            name: poll.place_name.clone(),
            city: poll.city_label.clone(),
            venue_id: None,
        }),
        is_virtual: (poll.is_virtual == 1).then(VirtualInput::default),
        ..EventInput::default()
    };
    let event = match crate::events::create(state, organiser, &input).await {
        Ok(e) => e,
        Err(e) => {
            state.db.reopen_poll(&poll.id).await?;
            return Err(e);
        }
    };
    state.db.set_poll_event(&poll.id, &event.id).await?;
    let votes = state.db.poll_votes(&poll.id).await?;
    let key = event.first_start_at;
    let link = format!("{}/events/{}", state.config.public_url(), event.id);
    for (user_id, _) in state.db.poll_invitees(&poll.id).await? {
        let Some(u) = state.db.user(&user_id).await? else { continue };
        let said_yes = votes.iter().any(|(s, v, _, vote)| *s == start && *v == user_id && vote == "yes");
        // The event exists now: one invitee who cannot be answered for (suspended since, say)
        // must not stop the others from hearing about it.
        if said_yes {
            if let Err(e) =
                crate::events::answer(state, &u, &event, key, store::events::Answer::Going, None).await
            {
                tracing::warn!(poll = %poll.id, user = %u.id, error = %e, "could not answer for a yes voter");
            }
        }
        let when = crate::web::dates::on_clock(&u.clock, || {
            crate::events::view::when(begin, &u.timezone, &poll.time_zone)
        });
        let subject = format!("{} is on: {when}", poll.title);
        let body = format!(
            "Hello {},\n\n{} picked a time for \"{}\": {}.\n{}\n{link}\n",
            u.display_name,
            organiser.display_name,
            poll.title,
            when,
            if said_yes {
                "You said yes, so you're down as going."
            } else {
                "Say whether you're coming on the event page:"
            },
        );
        let mail = crate::notifications::Mail { subject: &subject, body: &body };
        crate::notifications::send(state, &u.id, Kind::Poll, &subject, &link, Some(mail)).await?;
    }
    crate::events::answer(state, organiser, &event, key, store::events::Answer::Going, None).await?;
    Ok(event)
}
