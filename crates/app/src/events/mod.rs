//! Events (C2): coworking sessions, check-ins, meetings, workshops and meetups — one or
//! recurring — with RSVPs, capacity and waitlist, goals per occurrence and attendance.

pub mod api;
pub mod calendar;
pub mod changes;
pub mod checkin;
pub mod door;
pub mod edit;
pub mod edit_pages;
pub mod feeds;
pub mod group_import;
pub mod ics;
pub mod import;
pub mod input;
pub mod one_date;
pub mod pages;
pub mod reminders;
pub mod reschedule;
pub mod series;
pub mod view;
pub mod whole_series;

use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use domain::notices::Kind;
use domain::FieldErrors;
use store::events::{Answer, Event, Override};
use store::users::User;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;
use view::{EventView, OccurrenceView};

/// The widest window one request may expand.
pub const MAX_WINDOW_DAYS: i64 = 366;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(pages::list))
        .route("/events/new", get(pages::new_page).post(pages::create))
        .route("/events/import", get(import::page_get).post(import::page_post))
        .route("/groups/{id}/calendar/import", get(group_import::page_get).post(group_import::page_post))
        .route("/events/summary", get(edit_pages::summary))
        .route("/events/{id}/edit", get(edit_pages::edit_page).post(edit_pages::edit))
        .route("/events/{id}/end", post(edit_pages::end))
        .route("/events/{id}/event.ics", get(feeds::event_file))
        .route("/feeds/{token}/calendar.ics", get(feeds::feed))
        .route("/settings/calendar-feed", post(feeds::settings_feed))
        .route("/api/v1/events/import", post(import::api))
        .route("/api/v1/groups/{id}/calendar/import", post(group_import::api))
        .route("/api/v1/me/calendar.ics", get(feeds::my_calendar))
        .route("/api/v1/me/calendar-feed", post(feeds::create_feed_api).delete(feeds::revoke_feed_api))
        .route("/calendar", get(calendar::page))
        .route("/events/{id}", get(pages::show))
        .route("/events/{id}/rsvp", post(pages::rsvp))
        .route("/events/{id}/series-rsvp", post(whole_series::page))
        .route("/events/{id}/checkin", get(door::door).post(door::tap))
        .route("/events/{id}/checkin/visitors", post(door::visitor_page))
        .route("/checkin/{token}", get(checkin::open).post(checkin::confirm))
        .route("/checkin/{token}/qr.png", get(checkin::qr_png))
        .route("/events/{id}/goal", post(pages::goal))
        .route("/events/{id}/cancel-occurrence", post(pages::cancel_occurrence))
        .route("/events/{id}/move-occurrence", post(one_date::move_page))
        .route("/events/{id}/message", post(one_date::message_page))
        .route("/events/{id}/attendance", post(pages::attendance))
        .route("/events/{id}/delete", post(pages::delete))
        .route("/api/v1/events", post(api::create).get(api::list))
        .route("/api/v1/events/{id}", get(api::get).patch(api::patch).delete(api::delete))
        .route("/api/v1/events/{id}/occurrences", get(api::occurrences))
        .route("/api/v1/events/{id}/occurrences/{start}", axum::routing::patch(api::patch_occurrence))
        .route("/api/v1/events/{id}/occurrences/{start}/message", post(one_date::message_api))
        .route("/api/v1/events/{id}/occurrences/{start}/visitors", get(door::list_api).post(door::add_api))
        .route(
            "/api/v1/events/{id}/occurrences/{start}/visitors/{visitor}",
            axum::routing::delete(door::remove_api),
        )
        .route("/api/v1/events/{id}/series-rsvp", put(whole_series::api))
        .route("/api/v1/events/{id}/split", post(api::split))
        .route("/api/v1/events/{id}/end", post(api::end))
        .route("/api/v1/events/{id}/rsvp", put(api::rsvp))
        .route("/api/v1/events/{id}/goal", put(api::goal))
        .route("/api/v1/events/{id}/attendance", put(api::attendance))
}

/// An event the viewer may see (invite events are unlisted, reachable by their link; a group's
/// events follow the group's rules, `store::events::may_open_sql`; none of a host either of them
/// blocked), read and checked in one statement.
pub async fn visible(state: &AppState, viewer: &User, id: &str) -> Result<Event, AppError> {
    state.db.event_for(id, &viewer.id).await?.ok_or(AppError::NotFound)
}

/// An event the viewer hosts. A focus pair's session has no host: its two members are equals.
pub async fn hosted(state: &AppState, viewer: &User, id: &str) -> Result<Event, AppError> {
    let e = visible(state, viewer, id).await?;
    if e.host_id != viewer.id {
        return Err(AppError::Forbidden("Only the host can change this event."));
    }
    if crate::partners::focus::is_pair(state, &e.id).await? {
        return Err(AppError::Forbidden(
            "A focus session for two has no host: either of you may cancel your place, nothing more.",
        ));
    }
    Ok(e)
}

/// Creates an event from checked input.
/// An event in a group is checked against the group's rules and its followers are told.
pub async fn create(state: &AppState, host: &User, input: &input::EventInput) -> Result<Event, AppError> {
    let e = create_quietly(state, host, input).await?;
    crate::groups::tell_followers(state, &e).await?;
    Ok(e)
}

/// [`create`] without telling the group's followers (an imported calendar's events).
pub async fn create_quietly(
    state: &AppState,
    host: &User,
    input: &input::EventInput,
) -> Result<Event, AppError> {
    let mut input = input.clone();
    crate::venues::fill_place(state, &mut input).await?;
    let fields = series::with_bounds(input::apply(&input, None)?)?;
    // A minute's grace: "now" typed into a form is already a little in the past.
    if fields.rrule.is_empty() && fields.first_start_at < now_ms() - 60_000 && input.allow_past != Some(true)
    {
        return Err(AppError::Invalid(FieldErrors::one(
            "starts_at_local",
            "That time has passed. To record a session that already happened, confirm that it is in the past.",
        )));
    }
    if let Some(group) = &fields.group_id {
        crate::groups::check_new_event(state, host, group, &fields.visibility).await.map_err(
            |e| match e {
                AppError::NotFound => {
                    AppError::Invalid(FieldErrors::one("group_id", "There is no such group."))
                }
                AppError::Forbidden(_) => AppError::Invalid(FieldErrors::one(
                    "group_id",
                    "Only members can add events to this group.",
                )),
                other => other,
            },
        )?;
    }
    let id = state.db.create_event(&host.id, &fields, now_ms()).await?;
    if input.show_to_visitors == Some(true) {
        state.db.set_event_shown(&id, true).await?;
    }
    if input.visitor_answers == Some(true) {
        state.db.set_visitor_answers(&id, true).await?;
    }
    state.db.event(&id).await?.ok_or(AppError::NotFound)
}

/// Ticks `me`'s goal for an occurrence done or not. Done is possible from the occurrence's start
/// on (not months before it); only members going have a goal to tick.
pub async fn tick_goal(state: &AppState, e: &Event, me: &User, key: i64, done: bool) -> Result<(), AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let occ = series::find(e, &overrides, key).filter(|o| !o.cancelled).ok_or(AppError::NotFound)?;
    let now = now_ms();
    if done && now < occ.start.timestamp_millis() {
        return Err(AppError::Invalid(FieldErrors::one(
            "done",
            "A goal can be ticked done once the session has started.",
        )));
    }
    if !state.db.set_goal_done(&e.id, key, &me.id, done, now).await? {
        return Err(AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "You're not going to that occurrence.",
        )));
    }
    Ok(())
}

/// Deletes an event with every date; rooms open on it close, and everyone who answered a date
/// to come is told.
pub async fn delete(state: &AppState, e: &Event) -> Result<(), AppError> {
    let concerned = changes::concerned(state, e, now_ms()).await?;
    let cancelled = dates_cancelled(state, e, now_ms()).await?;
    state.db.delete_event(&e.id).await?;
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
    changes::tell(state, e, &changes::Edit::Deleted, &cancelled, &concerned).await
}

/// The dates of `e` from `from` on that anyone answered, each as cancelled (the event is
/// deleted or its series ends).
pub async fn dates_cancelled(
    state: &AppState,
    e: &Event,
    from: i64,
) -> Result<std::collections::BTreeMap<i64, changes::DateChange>, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let mut keys: Vec<i64> = state.db.answers_from(&e.id, from).await?.into_iter().map(|(_, k)| k).collect();
    keys.sort_unstable();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter_map(|k| series::find(e, &overrides, k))
        .filter(|o| !o.cancelled)
        .map(|o| (o.key, changes::DateChange::Cancelled { was: o.start }))
        .collect())
}

/// Stores a change to one date (moved, retitled or cancelled); the room of a cancelled date
/// closes, and everyone who answered it is told when it moved, was cancelled or is on again.
pub async fn change_date(state: &AppState, e: &Event, o: &Override) -> Result<bool, AppError> {
    let key = o.occurrence_start;
    let span_of = |overrides: &[Override]| {
        series::find(e, overrides, key).filter(|d| !d.cancelled).map(|d| (d.start, d.end))
    };
    let before = state.db.overrides(&e.id).await?;
    let was = span_of(&before);
    let title_of = |overrides: &[Override]| series::find(e, overrides, key).map(|d| d.title);
    let concerned = changes::concerned(state, e, key).await?;
    state.db.set_override(&e.id, o).await?;
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
    let after = state.db.overrides(&e.id).await?;
    let now = span_of(&after);
    let change = changes::DateChange::between_spans(was, now);
    let changed: std::collections::BTreeMap<i64, changes::DateChange> =
        change.map(|c| (key, c)).into_iter().collect();
    changes::tell(state, e, &changes::Edit::Date, &changed, &concerned).await?;
    Ok(change.is_some() || title_of(&before) != title_of(&after))
}

/// Changes an event (the whole series) from checked input.
pub async fn update(state: &AppState, e: &Event, input: &input::EventInput) -> Result<Event, AppError> {
    let current = series::fields_of(e);
    let mut input = input.clone();
    crate::venues::fill_place(state, &mut input).await?;
    let fields = series::with_bounds(input::apply(&input, Some(&current))?)?;
    let rescheduled = fields.start_local != current.start_local
        || fields.time_zone != current.time_zone
        || fields.rrule != current.rrule;
    let before = if rescheduled { Some(reschedule::before(state, e).await?) } else { None };
    // A new place for the same dates: those who answered them hear where (new times say so
    // themselves, in `reschedule`).
    let place_of = |f: &store::events::EventFields| {
        if f.is_virtual {
            "online".to_owned()
        } else {
            view::place_line(&f.place_name, &f.city_label)
        }
    };
    let moved_place = (!rescheduled && place_of(&fields) != place_of(&current)).then(|| place_of(&fields));
    let placed = match &moved_place {
        Some(_) => Some(changes::concerned(state, e, now_ms()).await?),
        None => None,
    };
    state.db.update_event(&e.id, &fields, now_ms()).await?;
    if let Some(shown) = input.show_to_visitors {
        state.db.set_event_shown(&e.id, shown).await?;
    }
    if let Some(on) = input.visitor_answers {
        state.db.set_visitor_answers(&e.id, on).await?;
    }
    crate::rooms::revoke::changed(state, store::access_changes::Scope::Event, &e.id).await;
    let updated = state.db.event(&e.id).await?.ok_or(AppError::NotFound)?;
    if let Some(before) = &before {
        reschedule::carry_over(state, &updated, before).await?;
    }
    if let (Some(place), Some(concerned)) = (moved_place, placed) {
        let overrides = state.db.overrides(&updated.id).await?;
        let dates = state
            .db
            .answers_from(&updated.id, now_ms())
            .await?
            .into_iter()
            .filter_map(|(_, key)| series::find(&updated, &overrides, key))
            .filter(|o| !o.cancelled)
            .map(|o| (o.key, changes::DateChange::Placed { at: o.start }))
            .collect();
        changes::tell(state, &updated, &changes::Edit::Place(place), &dates, &concerned).await?;
    }
    // More seats (or no limit any more): the waitlists move up now, first come first served.
    let more_seats = match (e.capacity, updated.capacity) {
        (Some(old), Some(new)) => new > old,
        (Some(_), None) => true,
        _ => false,
    };
    if more_seats {
        let now = now_ms();
        for (key, _, waiting) in state.db.rsvp_counts(&e.id).await? {
            if waiting > 0 && key >= now {
                for user in state.db.fill_seats(&e.id, key, updated.capacity, now).await? {
                    tell_promoted(state, &updated, key, &user).await?;
                }
            }
        }
    }
    Ok(updated)
}

/// Occurrences of `e` in `[from, to)` with counts and the viewer's answers.
pub async fn occurrences(
    state: &AppState,
    viewer: &User,
    e: &Event,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OccurrenceView>, AppError> {
    let mut all = occurrences_of(state, viewer, std::slice::from_ref(e), from, to).await?;
    Ok(all.pop().unwrap_or_default())
}

/// `occurrences` for many events at once (one query for up to 400 events), in
/// the order of `events`.
pub async fn occurrences_of(
    state: &AppState,
    viewer: &User,
    events: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Vec<OccurrenceView>>, AppError> {
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let keys = series::keys_of(from, to);
    let state_of = state.db.occurrence_state_of(&ids, &viewer.id, keys).await?;
    let (no_overrides, no_counts, no_answers) = (Vec::new(), Vec::new(), Vec::new());
    let mut all: Vec<Vec<OccurrenceView>> = events
        .iter()
        .map(|e| {
            let counts = state_of.counts.get(&e.id).unwrap_or(&no_counts);
            let mine = state_of.mine.get(&e.id).unwrap_or(&no_answers);
            series::expand(e, state_of.overrides.get(&e.id).unwrap_or(&no_overrides), from, to)
                .iter()
                .map(|o| OccurrenceView::new(o, counts, mine))
                .collect()
        })
        .collect();
    for (e, dates) in events.iter().zip(all.iter_mut()) {
        place_dates(state, e, dates).await?;
    }
    Ok(all)
}

/// For a series taking venues in turn, each listed date's own place: the turns are counted
/// from one expansion of the series and each venue read once (not a few statements a date).
/// A date's turn is as `venues::venue_of_occurrence` counts it: the dates before it.
async fn place_dates(state: &AppState, e: &Event, dates: &mut [OccurrenceView]) -> Result<(), AppError> {
    let turns = crate::venues::rotation(e);
    let Some(last) = dates.iter().filter_map(|d| d.key).max() else { return Ok(()) };
    if turns.is_empty() {
        return Ok(());
    }
    let overrides = state.db.overrides(&e.id).await?;
    let instant = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let all = series::expand(e, &overrides, instant(e.first_start_at), instant(last));
    let mut places = std::collections::HashMap::new();
    for id in &turns {
        if !places.contains_key(id) {
            let place =
                state.db.venue(id).await?.map(|v| view::PlaceView { name: v.name, city: v.city_label });
            places.insert(id.clone(), place);
        }
    }
    for d in dates {
        let Some(key) = d.key else { continue };
        let at = instant(key);
        let n = all.iter().filter(|o| o.key < key && o.start < at).count();
        if let Some(Some(place)) = domain::venues::rotation_pick(&turns, n).and_then(|id| places.get(&id)) {
            d.place = Some(place.clone());
        }
    }
    Ok(())
}

/// The event with its next few occurrences (from now, or from the first start if later).
pub async fn view(state: &AppState, viewer: &User, e: &Event, next: usize) -> Result<EventView, AppError> {
    Ok(view_with_overrides(state, viewer, e, next).await?.0)
}

/// [`view`], and every override of the event, read with it.
pub async fn view_with_overrides(
    state: &AppState,
    viewer: &User,
    e: &Event,
    next: usize,
) -> Result<(EventView, store::event_details::EventDetails), AppError> {
    let from = Utc::now() - TimeDelta::hours(12);
    let to = from + TimeDelta::days(MAX_WINDOW_DAYS);
    let d = state.db.event_details(e, &viewer.id, series::keys_of(from, to)).await?;
    let mut occ: Vec<OccurrenceView> = series::expand(e, &d.overrides, from, to)
        .iter()
        .take(next)
        .map(|o| OccurrenceView::new(o, &d.counts, &d.mine))
        .collect();
    place_dates(state, e, &mut occ).await?;
    let group = d.group.clone().map(|(id, name)| view::GroupRef { id, name });
    Ok((EventView::new(e, &d.host_name, occ, group), d))
}

/// Parses an RSVP status.
pub fn parse_answer(s: &str) -> Result<Answer, AppError> {
    match s {
        "going" => Ok(Answer::Going),
        "maybe" => Ok(Answer::Maybe),
        "declined" | "not going" => Ok(Answer::Declined),
        _ => Err(AppError::Invalid(FieldErrors::one("status", "Answer going, maybe or declined."))),
    }
}

/// Parses an occurrence key given as RFC 3339 or as epoch milliseconds.
pub fn parse_key(s: &str) -> Result<i64, AppError> {
    let bad = || {
        AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "Give the occurrence's start as an RFC 3339 time.",
        ))
    };
    let ms = match s.trim().parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => DateTime::parse_from_rfc3339(s.trim()).map(|t| t.timestamp_millis()).map_err(|_| bad())?,
    };
    match DateTime::from_timestamp_millis(ms) {
        Some(t) if input::sane_instant(t) => Ok(ms),
        _ => Err(bad()),
    }
}

/// Answers for one occurrence: it must exist, not be cancelled and not be over. A freed seat goes
/// to the waitlist, whose first member is told by email.
pub async fn answer(
    state: &AppState,
    viewer: &User,
    e: &Event,
    key: i64,
    answer: Answer,
    goal: Option<&str>,
) -> Result<String, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let occ = series::find(e, &overrides, key).ok_or_else(|| {
        AppError::Invalid(FieldErrors::one("occurrence_start", "This event has no occurrence at that time."))
    })?;
    if occ.cancelled {
        return Err(AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "This occurrence was cancelled.",
        )));
    }
    let now = now_ms();
    if occ.end.timestamp_millis() <= now {
        return Err(AppError::Invalid(FieldErrors::one(
            "occurrence_start",
            "This occurrence is already over.",
        )));
    }
    let goal = match goal {
        Some(g) => Some(
            domain::profile::check_text(g, 280)
                .map_err(|d| AppError::Invalid(FieldErrors::one("goal", d)))?,
        ),
        None => None,
    };
    // In a focus pair, not going is leaving the pair (the other is told and paired again).
    if answer != Answer::Going && crate::partners::focus::is_pair(state, &e.id).await? {
        crate::partners::focus::leave(state, viewer, e).await?;
        return Ok("declined".to_owned());
    }
    let late = occ.start.timestamp_millis() - now < state.config.late_cancel_minutes * 60_000;
    let out = state.db.answer(&e.id, key, &viewer.id, answer, goal.as_deref(), e.capacity, late, now).await?;
    // (Giving up a seat is noted for the rooms in the answer's own transaction.)
    if let Some(promoted) = &out.promoted {
        tell_promoted(state, e, key, promoted).await?;
    }
    Ok(out.status)
}

/// Tells a member by email that a seat freed up and is now theirs.
pub(crate) async fn tell_promoted(
    state: &AppState,
    e: &Event,
    key: i64,
    user_id: &str,
) -> Result<(), AppError> {
    let Some(u) = state.db.user(user_id).await? else { return Ok(()) };
    let overrides = state.db.overrides(&e.id).await?;
    let Some(occ) = series::find(e, &overrides, key) else { return Ok(()) };
    let when = crate::web::dates::on_clock(&u.clock, || view::when(occ.start, &u.timezone, &e.time_zone));
    let body = format!(
        "Hello {},\n\nA seat freed up and it's yours: you're now going to \"{}\" on {when}.\n\n{}/events/{}?at={key}\n\n\
         If you can't make it any more, change your answer so the next person gets the seat.\n",
        u.display_name,
        occ.title,
        state.config.public_url(),
        e.id
    );
    let subject = format!("You're in: {}", occ.title);
    let link = format!("{}/events/{}?at={key}", state.config.public_url(), e.id);
    crate::notifications::send(
        state,
        &u.id,
        Kind::Seat,
        &subject,
        &link,
        Some(crate::notifications::Mail { subject: &subject, body: &body }),
    )
    .await
}

/// An occurrence on someone's agenda.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Upcoming {
    pub event_id: String,
    pub key: i64,
    pub title: String,
    pub when: String,
    /// "in 25 minutes", "today" or "tomorrow", where that helps (`web::dates::soon`).
    pub soon: Option<String>,
    /// The date badge's day of the month and month ("6", "Dec") on the member's clock.
    pub day: String,
    pub month: String,
    /// going | maybe | waitlisted | hosting
    pub status: String,
    #[serde(skip)]
    pub host_id: String,
    pub hosting: bool,
    #[serde(skip)]
    pub start: DateTime<Utc>,
    #[serde(skip)]
    pub end: DateTime<Utc>,
}

/// What `user` hosts or answered going, maybe or waitlisted in the next `days` days.
pub async fn upcoming(state: &AppState, user: &User, days: i64) -> Result<Vec<Upcoming>, AppError> {
    let from = Utc::now();
    agenda(state, user, from, from + TimeDelta::days(days)).await
}

/// What `user` hosts or answered going, maybe or waitlisted in `[from, to)`, soonest first.
pub async fn agenda(
    state: &AppState,
    user: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Upcoming>, AppError> {
    let mut items = Vec::new();
    let store::batch::Agenda { events, overrides, answers } = state
        .db
        .agenda_of(&user.id, from.timestamp_millis(), to.timestamp_millis(), series::keys_of(from, to))
        .await?;
    let none = Vec::new();
    for e in &events {
        let hosting = e.host_id == user.id;
        let mine = answers.get(&e.id).unwrap_or(&none);
        for o in series::expand(e, overrides.get(&e.id).map_or(&[][..], Vec::as_slice), from, to) {
            let answer = mine.iter().find(|m| m.0 == o.key).map(|m| m.1.as_str());
            let status = match (answer, hosting) {
                (Some(s), _) if s != "declined" => s.to_owned(),
                (_, true) => "hosting".to_owned(),
                _ => continue,
            };
            if o.cancelled {
                continue;
            }
            let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
            let (day, month) = crate::web::dates::badge(o.start, zone);
            items.push(Upcoming {
                host_id: e.host_id.clone(),
                day,
                month,
                event_id: e.id.clone(),
                key: o.key,
                title: o.title.clone(),
                when: view::when(o.start, &user.timezone, &e.time_zone),
                soon: crate::web::dates::soon(o.start, zone, Utc::now()),
                status,
                hosting,
                start: o.start,
                end: o.end,
            });
        }
    }
    items.sort_by_key(|i| i.start);
    Ok(items)
}

/// The host's attendance mark for one member: came, no-show or removed.
pub async fn mark(
    state: &AppState,
    e: &Event,
    key: i64,
    member: &str,
    mark: &str,
    substitute: &str,
) -> Result<(), AppError> {
    let now = now_ms();
    let not_attending =
        || AppError::Invalid(FieldErrors::one("member_id", "That member has not answered this occurrence."));
    match mark {
        "came" | "no-show" => {
            if !state.db.mark_attendance(&e.id, key, member, mark == "came", now).await? {
                return Err(not_attending());
            }
        }
        "late" => {
            if !state.db.mark_arrival(&e.id, key, member, true, "", now).await? {
                return Err(not_attending());
            }
        }
        "substitute" => {
            let who = domain::profile::check_name(substitute, 100)
                .map_err(|d| AppError::Invalid(FieldErrors::one("substitute", d)))?;
            if who.is_empty() {
                return Err(AppError::Invalid(FieldErrors::one("substitute", "Say who came instead.")));
            }
            if !state.db.mark_arrival(&e.id, key, member, false, &who, now).await? {
                return Err(not_attending());
            }
        }
        "removed" => {
            let promoted = state.db.remove_attendee(&e.id, key, member, now).await?;
            crate::rooms::revoke::changed(state, store::access_changes::Scope::User, member).await;
            if let Some(promoted) = promoted {
                tell_promoted(state, e, key, &promoted).await?;
            }
        }
        _ => {
            return Err(AppError::Invalid(FieldErrors::one(
                "mark",
                "Mark came, late, substitute, no-show or removed.",
            )))
        }
    }
    Ok(())
}
