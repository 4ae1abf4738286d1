//! Venues (C4): a directory of good places to work that members add and edit (every edit kept
//! with who and when), reviews by those who went to an event there (the venue shows what recent
//! reviews say), merging duplicates (admins and group organisers), and fair, quiet suggestions for
//! a set of participants from `domain::venues`.

pub mod api;
pub mod input;
pub mod near_home;
pub mod pages;
pub mod panel;
pub mod suggest;

use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::venues::{aggregate, Attributes, Candidate, OpeningHours, Review};
use store::events::Event;
use store::users::User;
use store::venues::Venue;

use crate::error::AppError;
use crate::state::AppState;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/venues", get(pages::directory))
        .route("/venues/new", get(pages::new_page).post(pages::create))
        .route("/venues/suggest", get(suggest::page))
        .route("/venues/{id}", get(pages::show))
        .route("/venues/{id}/edit", get(pages::edit_page).post(pages::edit))
        .route("/venues/{id}/reviews", post(pages::review))
        .route("/venues/{id}/merge", post(pages::merge))
        .route("/venues/{id}/near-home", post(near_home::mark_page))
        .route("/api/v1/venues", get(api::list).post(api::create))
        .route("/api/v1/venues/suggest", get(suggest::api))
        .route("/api/v1/venues/{id}", get(api::get).patch(api::patch))
        .route("/api/v1/venues/{id}/reviews", post(api::review))
        .route("/api/v1/venues/{id}/merge", post(api::merge))
        .route(
            "/api/v1/venues/{id}/near-home",
            axum::routing::put(near_home::mark_api).delete(near_home::unmark_api),
        )
        .route("/api/v1/me/near-home", get(near_home::list_api))
}

/// The venue `id`; a merged-away one answers with the venue it became.
pub async fn find(state: &AppState, id: &str) -> Result<Venue, AppError> {
    let mut v = state.db.venue(id).await?.ok_or(AppError::NotFound)?;
    // A merge points at the venue kept, which may itself have been merged since: follow a few.
    for _ in 0..5 {
        match &v.merged_into {
            Some(next) => v = state.db.venue(next).await?.ok_or(AppError::NotFound)?,
            None => return Ok(v),
        }
    }
    Ok(v)
}

/// The venue's zone.
pub fn zone_of(v: &Venue) -> Tz {
    v.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// The venue's opening hours (empty when unreadable).
pub fn hours_of(v: &Venue) -> OpeningHours {
    OpeningHours::parse(&v.hours, &v.exceptions).unwrap_or_default()
}

/// What the venue is like as stated when added.
fn stated(v: &Venue) -> Attributes {
    Attributes {
        noise: v.noise as f64,
        wifi: v.wifi == 1,
        outlets: v.outlets as u8,
        good_for_work: None,
        reviews: 0,
    }
}

/// What each venue is like, by its recent reviews (or as stated without any).
pub async fn attributes(state: &AppState, venues: &[Venue]) -> Result<Vec<Attributes>, AppError> {
    let ids: Vec<String> = venues.iter().map(|v| v.id.clone()).collect();
    let rows = state.db.reviews_of(&ids).await?;
    Ok(venues
        .iter()
        .map(|v| {
            let recent: Vec<Review> = rows
                .iter()
                .filter(|r| r.0 == v.id)
                .map(|r| Review {
                    noise: r.1 as u8,
                    wifi: r.2 == 1,
                    outlets: r.3 as u8,
                    good_for_work: r.4 == 1,
                })
                .collect();
            aggregate(stated(v), &recent)
        })
        .collect())
}

/// A venue as the suggestion sees it.
pub fn candidate(v: &Venue, a: Attributes) -> Candidate {
    Candidate { at: (v.lat, v.lon), zone: zone_of(v), hours: hours_of(v), attributes: a }
}

/// The venues of an event's rotation, in order.
pub fn rotation(e: &Event) -> Vec<String> {
    e.venue_rotation.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The places of an event's rotation in turn order ("name, city"), for calendar files; empty when
/// it meets at one place. A venue gone since keeps its turn, as an empty place (the event's own
/// place is said for it).
pub async fn rotation_places(state: &AppState, e: &Event) -> Result<Vec<String>, AppError> {
    let mut places = Vec::new();
    for id in rotation(e) {
        let place =
            state.db.venue(&id).await?.map(|v| crate::events::view::place_line(&v.name, &v.city_label));
        places.push(place.unwrap_or_default());
    }
    Ok(places)
}

/// The venue of the occurrence of `e` starting (originally) at `key`: the event's own, or, for a
/// series taking venues in turn, the one whose turn it is.
pub async fn venue_of_occurrence(state: &AppState, e: &Event, key: i64) -> Result<Option<String>, AppError> {
    let turns = rotation(e);
    if turns.is_empty() {
        return Ok(e.venue_id.clone());
    }
    let overrides = state.db.overrides(&e.id).await?;
    let first = DateTime::<Utc>::from_timestamp_millis(e.first_start_at).unwrap_or_default();
    let at = DateTime::<Utc>::from_timestamp_millis(key).unwrap_or_default();
    // Occurrences before this one, cancelled ones included: a cancelled date keeps its turn.
    let n = crate::events::series::expand(e, &overrides, first, at).iter().filter(|o| o.key < key).count();
    Ok(domain::venues::rotation_pick(&turns, n))
}

/// Fills an event's place from its venue (name and city) and checks the venues it takes in turn,
/// following merges; a venue that does not exist is a field error.
pub async fn fill_place(
    state: &AppState,
    input: &mut crate::events::input::EventInput,
) -> Result<(), AppError> {
    let missing = |field: &str| AppError::Invalid(domain::FieldErrors::one(field, "There is no such venue."));
    if let Some(turns) = &mut input.venue_rotation {
        for id in turns.iter_mut() {
            *id = find(state, id).await.map_err(|_| missing("venue_rotation"))?.id;
        }
        // The first date is at the first venue of the turn, whatever else was picked.
        if input.is_virtual.is_none() {
            if let Some(first) = turns.first() {
                let place = input.place.get_or_insert_with(Default::default);
                place.venue_id = Some(first.clone());
            }
        }
    }
    if let Some(place) = &mut input.place {
        if let Some(id) = place.venue_id.clone().filter(|v| !v.trim().is_empty()) {
            let v = find(state, &id).await.map_err(|_| missing("place.venue_id"))?;
            place.name = v.name.clone();
            place.city = v.city_label.clone();
            place.venue_id = Some(v.id);
        }
    }
    Ok(())
}

/// The venue of an event's occurrence (or of the event, without one) as its page shows it: what
/// it is like, and its hours on the day of the occurrence.
pub async fn panel_for(
    state: &AppState,
    e: &Event,
    occurrence: Option<(i64, DateTime<Utc>)>,
) -> Result<Option<minijinja::Value>, AppError> {
    let id = match occurrence {
        Some((key, _)) => venue_of_occurrence(state, e, key).await?,
        None => e.venue_id.clone(),
    };
    let Some(id) = id else { return Ok(None) };
    let Ok(v) = find(state, &id).await else { return Ok(None) };
    let a = attributes(state, std::slice::from_ref(&v)).await?;
    let view = api::VenueView::new(&v, &a[0]);
    let that_day =
        occurrence.map(|(_, start)| hours_of(&v).describe(start.with_timezone(&zone_of(&v)).date_naive()));
    Ok(Some(minijinja::context! { venue => view, that_day, rotating => !rotation(e).is_empty() }))
}

/// Whether `u` may merge duplicate venues: instance admins and organisers of any group.
pub async fn may_merge(state: &AppState, u: &User) -> Result<bool, AppError> {
    if u.is_admin == 1 {
        return Ok(true);
    }
    Ok(state.db.groups_of(&u.id).await?.iter().any(|g| g.role == "organiser"))
}

/// The occurrences at venue `v` that `u` went to and that have begun, not yet reviewed:
/// (event, occurrence key, title).
pub async fn reviewable(
    state: &AppState,
    u: &User,
    v: &Venue,
) -> Result<Vec<(String, i64, String)>, AppError> {
    let now = crate::web::now_ms();
    let reviewed: Vec<(String, i64)> = state
        .db
        .venue_reviews(&v.id, 500)
        .await?
        .into_iter()
        .filter(|r| r.user_id == u.id)
        .map(|r| (r.event_id, r.occurrence_start))
        .collect();
    let mut out = Vec::new();
    for e in state.db.events_at_venue(&v.id).await? {
        for (key, status) in state.db.my_rsvps(&e.id, &u.id).await? {
            if status != "going" || key > now || reviewed.contains(&(e.id.clone(), key)) {
                continue;
            }
            if venue_of_occurrence(state, &e, key).await?.as_deref() == Some(v.id.as_str()) {
                out.push((e.id.clone(), key, e.title.clone()));
            }
        }
    }
    Ok(out)
}
