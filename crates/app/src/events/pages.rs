//! Event pages: the list, the create form, an event with its occurrences, attendees and goals,
//! and the forms to answer, tick goals and (for hosts) manage an occurrence.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, TimeDelta, Utc};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::input::{EventInput, PlaceInput, VirtualInput, KINDS};
use super::view::DateCard;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// `GET /events`: what I'm going to, and public events soon.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let mine = super::upcoming(&state, &me, 60).await?;
    let from = Utc::now();
    let to = from + TimeDelta::days(30);
    let mut public = Vec::new();
    let events: Vec<_> = state
        .db
        .events_between(&me.id, from.timestamp_millis(), to.timestamp_millis())
        .await?
        .into_iter()
        .filter(|e| e.visibility == "public" && e.host_id != me.id)
        .collect();
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let overrides = state.db.overrides_of(&ids, super::series::keys_of(from, to)).await?;
    for e in &events {
        let none = Vec::new();
        for o in super::series::expand(e, overrides.get(&e.id).unwrap_or(&none), from, to) {
            if !o.cancelled && !mine.iter().any(|m| m.event_id == e.id && m.key == o.key) {
                public.push((o.start, e, o));
            }
        }
    }
    public.sort_by_key(|(start, _, _)| *start);
    public.truncate(LISTED);
    let public: Vec<DateCard> =
        public.into_iter().map(|(_, e, o)| DateCard::new(e, o, &me.timezone)).collect();
    // The soonest of my own; the calendar has the rest.
    let more_mine = mine.len().saturating_sub(LISTED);
    let mut mine = mine;
    mine.truncate(LISTED);
    // Who is going, as faces, to everything listed (the host among them).
    let mine = crate::photos::with_faces(&state, &me, &mine, |i| (&i.event_id, i.key)).await?;
    let public = crate::photos::with_faces(&state, &me, &public, |i| (&i.event_id, i.key)).await?;
    Ok(page("events.html", Some(&me), &csrf, context! { mine, more_mine, public })?.into_response())
}

/// How many dates each list on the events page holds.
const LISTED: usize = 30;

/// The create form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventForm {
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) starts_at_local: String,
    pub(super) time_zone: String,
    pub(super) duration_minutes: String,
    pub(super) repeat: String,
    pub(super) capacity: String,
    pub(super) mode: String,
    pub(super) place_name: String,
    pub(super) city: String,
    pub(super) video_url: String,
    pub(super) visibility: String,
    /// The group's id, for a group's event.
    pub(super) group: String,
    /// A venue from the directory.
    pub(super) venue: String,
    /// "yes": a series takes the `suggested` venues in turn.
    pub(super) rotate: String,
    /// Venue ids, comma-separated: the ones suggested (or taken in turn).
    pub(super) suggested: String,
    /// "suggest": show venue suggestions instead of saving.
    pub(super) action: String,
    /// Editing: change this date (an occurrence key) and the ones after it.
    pub(super) from: String,
    /// Editing: the event's id (for the schedule in words).
    pub(super) event: String,
    /// "yes": a one-off in the past is meant (recording what happened).
    pub(super) allow_past: String,
    /// Made from this partnership's offer: the other partner is invited.
    pub(super) partnership: String,
    /// Partners to invite, comma-separated ids.
    pub(super) invite: String,
    /// "yes": visitors without an account may see it.
    pub(super) show_to_visitors: String,
    /// "yes": visitors may answer without an account.
    pub(super) visitor_answers: String,
}

fn options() -> minijinja::Value {
    options_with(None)
}

/// The form's choices; `keep` offers to keep a repeat rule that is not one of the presets.
pub(super) fn options_with(keep: Option<&str>) -> minijinja::Value {
    let zones: Vec<(&str, &str)> = chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name(), z.name())).collect();
    let repeats: Vec<(&str, &str)> = keep
        .map(|label| ("keep", label))
        .into_iter()
        .chain(std::iter::once(("", "Does not repeat")))
        .chain(domain::recurrence::Preset::ALL.iter().map(|p| (p.as_str(), p.label())))
        .collect();
    context! { kinds => KINDS, zones, repeats }
}

/// Field errors of the API's input, under the form's field names.
pub(super) fn form_errors(e: &domain::FieldErrors) -> BTreeMap<String, String> {
    error_map(e)
        .into_iter()
        .map(|(k, v)| {
            let k = match k.as_str() {
                "place.name" => "place_name",
                "place.city" => "city",
                "virtual.video_url" => "video_url",
                "preset" | "rrule" => "repeat",
                "place" => "mode",
                "group_id" => "group",
                "place.venue_id" | "venue_rotation" => "venue",
                other => other,
            };
            (k.to_owned(), v)
        })
        .collect()
}

/// The create form read from a raw body as `POST /events/new` reads it, then checked as far as
/// that goes without the database (a venue or group it names is not looked up). The `forms`
/// fuzz target drives it.
pub fn check_form(body: &[u8]) -> Result<store::events::EventFields, domain::FieldErrors> {
    let form: EventForm = serde_urlencoded::from_bytes(body)
        .map_err(|_| domain::FieldErrors::one("form", "That form could not be read."))?;
    let (input, errors) = input_of(&form);
    if !errors.is_empty() {
        return Err(errors);
    }
    super::input::apply(&input, None)
}

/// The API's input for a submitted form, with the errors only the form can have (numbers that
/// are not numbers).
pub(super) fn input_of(form: &EventForm) -> (EventInput, domain::FieldErrors) {
    let mut errors = domain::FieldErrors::new();
    let duration = form.duration_minutes.trim().parse::<i64>().ok();
    if duration.is_none() {
        errors.add("duration_minutes", "Give the length in minutes, e.g. 90.");
    }
    let capacity = if form.capacity.trim().is_empty() {
        None
    } else {
        form.capacity.trim().parse::<i64>().map(Some).unwrap_or(Some(-1))
    };
    let input = EventInput {
        kind: Some(form.kind.clone()),
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        starts_at_local: Some(form.starts_at_local.clone()),
        time_zone: Some(form.time_zone.clone()),
        duration_minutes: duration,
        rrule: None,
        preset: (!form.repeat.is_empty()).then(|| form.repeat.clone()),
        capacity,
        place: (form.mode != "virtual").then(|| PlaceInput {
            name: form.place_name.clone(),
            city: form.city.clone(),
            venue_id: (!form.venue.trim().is_empty()).then(|| form.venue.trim().to_owned()),
        }),
        is_virtual: (form.mode == "virtual").then(|| VirtualInput { video_url: form.video_url.clone() }),
        visibility: Some(form.visibility.clone()),
        group_id: (!form.group.trim().is_empty()).then(|| form.group.trim().to_owned()),
        venue_rotation: Some(if form.rotate == "yes" && form.mode != "virtual" {
            form.suggested.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        } else {
            Vec::new()
        }),
        allow_past: Some(form.allow_past == "yes"),
        show_to_visitors: Some(form.show_to_visitors == "yes"),
        visitor_answers: Some(form.visitor_answers == "yes"),
    };
    (input, errors)
}

/// `GET /events/new`.
///
/// Query parameters prefill the form (as a partnership's "create our recurring session" link does):
/// `kind`, `title`, `repeat`, `duration_minutes`, `mode`, `visibility`, `group`. Nothing is
/// checked until the form is sent.
pub async fn new_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Query(pre): Query<Prefill>,
) -> PageResult {
    let or = |v: String, default: String| if v.trim().is_empty() { default } else { v };
    let values = EventForm {
        group: pre.group,
        venue: pre.venue.clone(),
        kind: or(pre.kind, "cowork".into()),
        title: pre.title,
        repeat: pre.repeat,
        time_zone: me.timezone.clone(),
        duration_minutes: or(pre.duration_minutes, super::input::DEFAULT_MINUTES.to_string()),
        mode: or(pre.mode, "in_person".into()),
        visibility: or(pre.visibility, if pre.with.is_empty() { "public" } else { "invite" }.into()),
        partnership: pre.partnership,
        starts_at_local: pre.starts_at_local,
        invite: pre.with,
        ..EventForm::default()
    };
    let my_groups = my_groups(&state, &me).await?;
    let (input, _) = input_of(&values);
    let panel = crate::venues::panel::context(&state, &me, &values.venue, &input, &[], false).await?;
    Ok(page("event_new.html", Some(&me), &csrf, context! { values, opts => options(), my_groups, panel })?
        .into_response())
}

/// What a link may prefill on the new-event form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Prefill {
    kind: String,
    title: String,
    repeat: String,
    duration_minutes: String,
    mode: String,
    visibility: String,
    group: String,
    venue: String,
    partnership: String,
    starts_at_local: String,
    /// Partners to invite, comma-separated ids (from a venue suggestion for them).
    with: String,
}

/// The groups I may add an event to, for the form's choice: (id, name).
async fn my_groups(state: &AppState, me: &store::users::User) -> Result<Vec<(String, String)>, AppError> {
    Ok(state.db.groups_of(&me.id).await?.into_iter().map(|g| (g.group.id, g.group.name)).collect())
}

/// `POST /events/new`.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, raw }: Posted<EventForm>,
) -> PageResult {
    let (input, errors) = input_of(&form);
    let with = crate::venues::panel::chosen(&raw);
    if form.action == "suggest" {
        let panel = crate::venues::panel::context(&state, &me, &form.venue, &input, &with, true).await?;
        let ctx =
            context! { values => form, opts => options(), my_groups => my_groups(&state, &me).await?, panel };
        return Ok(page("event_new.html", Some(&me), &csrf, ctx)?.into_response());
    }
    let result = if errors.is_empty() {
        super::create(&state, &me, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(e) => {
            if !form.partnership.is_empty() {
                crate::partners::partnerships::invite_to_series(&state, &me, &form.partnership, &e).await?;
            }
            for partner in form.invite.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                crate::partners::partnerships::invite_partner(&state, &me, partner, &e).await?;
            }
            Ok(Redirect::to(&format!("/events/{}", e.id)).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let panel = crate::venues::panel::context(&state, &me, &form.venue, &input, &with, false).await?;
            let ctx = context! { values => form, errors => form_errors(&e), opts => options(),
            my_groups => my_groups(&state, &me).await?, panel };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("event_new.html", Some(&me), &csrf, ctx)?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AtQuery {
    /// The occurrence's key (its original start, UTC ms).
    #[serde(default)]
    pub at: Option<i64>,
    #[serde(default)]
    notice: String,
}

/// `GET /events/{id}?at=KEY`: the event, its next occurrences, and one occurrence's attendees
/// (without a key, the next one, or the latest when none is to come).
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<AtQuery>,
) -> PageResult {
    let Some(me) = me else { return crate::visitors::pages::event(&state, &csrf, &id, q.at).await };
    render(&state, &me, &csrf, &id, q.at, &q.notice, context! {}, StatusCode::OK).await
}

/// The event's page for a member at the date keyed `at`, with `extra` (a host's form shown again
/// with its errors, say).
#[allow(clippy::too_many_arguments)]
pub(super) async fn render(
    state: &AppState,
    me: &store::users::User,
    csrf: &CsrfToken,
    id: &str,
    at: Option<i64>,
    notice: &str,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let (state, me) = (state.clone(), me.clone());
    let e = super::visible(&state, &me, id).await?;
    let (event, details) = super::view_with_overrides(&state, &me, &e, 8).await?;
    let overrides = &details.overrides;
    let selected = match at {
        // A key far outside any real date names none (and must not overflow the search).
        Some(key) => {
            super::parse_key(&key.to_string()).ok().and_then(|k| super::series::find(&e, overrides, k))
        }
        None => match event.next.first().and_then(|o| o.key) {
            Some(k) => super::series::find(&e, overrides, k),
            // Nothing to come: the latest date of the past year, so who was there still shows.
            None => {
                super::series::expand(&e, overrides, Utc::now() - chrono::TimeDelta::days(366), Utc::now())
                    .pop()
            }
        },
    };
    let zone = |t: DateTime<Utc>| super::view::when(t, &me.timezone, &e.time_zone);
    let next: Vec<_> = event
        .next
        .iter()
        .map(|o| {
            let start = DateTime::parse_from_rfc3339(&o.start).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
            context! { key => o.key, when => zone(start), status => o.status, going => o.going, waitlisted => o.waitlisted, my_status => o.my_status }
        })
        .collect();
    let (occurrence, attendees, mine) = match &selected {
        Some(o) => {
            let list = state.db.rsvps(&e.id, o.key).await?;
            let mine = list.iter().find(|r| r.user_id == me.id).cloned();
            let over = o.end < Utc::now();
            let started = o.start <= Utc::now();
            let local_start = super::input::format_local(o.local_start);
            let minutes = (o.end - o.start).num_minutes();
            let occ = context! { key => o.key, when => zone(o.start), title => o.title, cancelled => o.cancelled, over, started, local_start, minutes };
            (Some(occ), list, mine)
        }
        None => (None, Vec::new(), None),
    };
    let relations = crate::members::relations(&state, &me).await?;
    let photo_of =
        |id: &str, photo: Option<&str>, vis: &str| crate::photos::shown_to(&me, id, photo, vis, &relations);
    let pair = details.pair;
    let mut shown: Vec<_> = Vec::new();
    // The host counts as going: first on the list, unless they answered like anyone else.
    // (A host whose account is gone has no name, and is not listed.)
    let hosting = !details.host_name.is_empty() && !attendees.iter().any(|r| r.user_id == e.host_id);
    if selected.is_some() && !pair && hosting {
        let photo = photo_of(&e.host_id, details.host_photo.as_deref(), &details.host_vis_photo);
        shown.push(context! { id => e.host_id, name => details.host_name, status => "hosting", photo });
    }
    shown.extend(attendees.iter().map(|r| {
        let photo = photo_of(&r.user_id, r.photo_id.as_deref(), &r.vis_photo);
        context! { id => r.user_id, name => r.display_name, status => r.status, goal => r.goal, goal_done => r.goal_done, attended => r.attended, photo }
    }));
    let attendees = shown;
    // Visitors without an account going to the date, by name (and address, for the host).
    let is_host = e.host_id == me.id;
    let visitors: Vec<minijinja::Value> = match &selected {
        Some(o) => state
            .db
            .visitors_going(&e.id, o.key)
            .await?
            .into_iter()
            .map(|v| context! { name => v.name, email => is_host.then_some(v.email) })
            .collect(),
        None => Vec::new(),
    };
    let mine = mine.map(|r| context! { status => r.status, goal => r.goal, goal_done => r.goal_done });
    let notice = match notice {
        "going" => Some("You're going. See you there!"),
        "waitlisted" => {
            Some("All seats are taken: you're on the waitlist, and we'll email you if a seat frees up.")
        }
        "maybe" => Some("Saved as maybe."),
        "filled" => {
            Some("The last seat went while you signed in. Choose \u{201c}Going\u{201d} to join the waitlist.")
        }
        "declined" => Some("Saved: you're not going."),
        "imported" => Some(
            "Imported. Check the details: you're the host, and only people you send the link to can find it.",
        ),
        "moved" => Some("Changed. Everyone who answered this date has been told."),
        "unchanged" => {
            Some("Nothing to change: the date already has that time and length, so nobody was told.")
        }
        "series-going" => Some("You're going to every date of the next six months."),
        "series-waitlisted" => Some(
            "You're going to every date of the next six months. Some are full: you're on their waitlists, \
             marked below.",
        ),
        "series-left" => Some("You've left every date you had answered."),
        "messaged" => Some("Sent to everyone going, as each of them chose to hear from hosts."),
        _ => None,
    };
    let venue = crate::venues::panel_for(&state, &e, selected.as_ref().map(|o| (o.key, o.start))).await?;
    let answered_any = event.next.iter().any(|o| o.my_status.as_deref().is_some_and(|s| s != "declined"));
    // A member going to a date to come has a check-in code for the door.
    let checkin_svg = match (&selected, &mine) {
        (Some(o), Some(m))
            if m.get_attr("status").is_ok_and(|s| s.as_str() == Some("going"))
                && o.end > Utc::now()
                && !o.cancelled
                && e.is_virtual == 0 =>
        {
            crate::web::qr::svg(&super::checkin::address(&state, &e, o.key, &me.id))
        }
        _ => None,
    };
    let may_check_in = !pair && super::checkin::may_check_in_unpaired(&state, &me, &e).await?;
    let ctx = context! { event, next, occurrence, attendees, visitors, mine, venue, is_host => is_host && !pair, pair, notice, answered_any, checkin_svg, may_check_in,
    late_minutes => state.config.late_cancel_minutes, zone_name => e.time_zone, ..extra };
    Ok((status, page("event.html", Some(&me), csrf, ctx)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RsvpForm {
    at: String,
    status: String,
    goal: String,
}

/// `POST /events/{id}/rsvp`.
pub async fn rsvp(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<RsvpForm>,
) -> PageResult {
    let e = super::visible(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    let status =
        super::answer(&state, &me, &e, key, super::parse_answer(&form.status)?, Some(&form.goal)).await?;
    Ok(Redirect::to(&format!("/events/{}?at={key}&notice={status}", e.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    at: String,
    done: String,
}

/// `POST /events/{id}/goal`.
pub async fn goal(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<GoalForm>,
) -> PageResult {
    let e = super::visible(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    super::tick_goal(&state, &e, &me, key, form.done == "yes").await?;
    Ok(Redirect::to(&format!("/events/{}?at={key}", e.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HostForm {
    at: String,
    member: String,
    mark: String,
}

/// `POST /events/{id}/cancel-occurrence` (host).
pub async fn cancel_occurrence(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<HostForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    let overrides = state.db.overrides(&e.id).await?;
    let mut o =
        overrides.iter().find(|o| o.occurrence_start == key).cloned().unwrap_or(store::events::Override {
            occurrence_start: key,
            cancelled: 0,
            start_local: None,
            duration_minutes: None,
            title: None,
        });
    super::series::find(&e, &overrides, key).ok_or(AppError::NotFound)?;
    o.cancelled = 1;
    super::change_date(&state, &e, &o).await?;
    Ok(Redirect::to(&format!("/events/{}?at={key}", e.id)).into_response())
}

/// `POST /events/{id}/attendance` (host): came, no-show or removed.
pub async fn attendance(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, .. }: Posted<HostForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    let key = super::parse_key(&form.at)?;
    super::mark(&state, &e, key, &form.member, &form.mark, "").await?;
    Ok(Redirect::to(&format!("/events/{}?at={key}", e.id)).into_response())
}

/// `POST /events/{id}/delete` (host).
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<HostForm>,
) -> PageResult {
    let e = super::hosted(&state, &me, &id).await?;
    super::delete(&state, &e).await?;
    Ok(Redirect::to("/events").into_response())
}
