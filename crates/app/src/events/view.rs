//! Events and occurrences as the API and pages show them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use store::events::Event;
use utoipa::ToSchema;

use super::series::Occ;

/// Who hosts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostView {
    pub id: String,
    pub display_name: String,
}

/// The group an event belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

/// Where, for an in-person event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceView {
    pub name: String,
    pub city: String,
}

/// One occurrence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceView {
    /// RFC 3339; pass this back as `occurrence_start` to answer.
    pub occurrence_start: String,
    /// RFC 3339 start (differs from `occurrence_start` only when this occurrence was moved).
    pub start: String,
    /// RFC 3339 end.
    pub end: String,
    /// Local start in the event's zone, e.g. "2026-03-25T18:00".
    pub local_start: String,
    pub title: String,
    /// scheduled | cancelled
    pub status: String,
    /// Seats taken.
    pub going: i64,
    pub waitlisted: i64,
    /// My answer: going | maybe | declined | waitlisted, or null.
    pub my_status: Option<String>,
    /// Start in milliseconds (the page uses it to link to the occurrence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<i64>,
    /// Where this date is, for a series taking venues in turn (otherwise the event's `place`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<PlaceView>,
}

/// An event with its schedule in words and its next occurrences.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub host: HostView,
    pub place: Option<PlaceView>,
    /// https link to an external video room, if any (virtual events).
    pub video_url: Option<String>,
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    pub starts_at_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub rrule: Option<String>,
    /// "every week on Wednesday at 18:00 Berlin time, 2 hours".
    pub summary: String,
    pub capacity: Option<i64>,
    /// public | invite (not listed; anyone with the link may see it) | group (its group's
    /// members only).
    pub visibility: String,
    /// The group it belongs to, if any.
    pub group: Option<GroupRef>,
    pub next: Vec<OccurrenceView>,
    /// The cover picture's address (1200 by 630; the same ending in `/600` is half as wide).
    pub cover_url: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl OccurrenceView {
    /// An occurrence with its seat counts and the viewer's answer.
    pub fn new(o: &Occ, counts: &[(i64, i64, i64)], mine: &[(i64, String)]) -> OccurrenceView {
        let (going, waitlisted) = counts.iter().find(|c| c.0 == o.key).map(|c| (c.1, c.2)).unwrap_or((0, 0));
        OccurrenceView {
            occurrence_start: DateTime::from_timestamp_millis(o.key).map(rfc3339).unwrap_or_default(),
            start: rfc3339(o.start),
            end: rfc3339(o.end),
            local_start: super::input::format_local(o.local_start),
            title: o.title.clone(),
            status: if o.cancelled { "cancelled" } else { "scheduled" }.to_owned(),
            going,
            waitlisted,
            my_status: mine.iter().find(|m| m.0 == o.key).map(|m| m.1.clone()),
            key: Some(o.key),
            place: None,
        }
    }
}

impl EventView {
    /// The view of a stored event.
    pub fn new(e: &Event, host_name: &str, next: Vec<OccurrenceView>, group: Option<GroupRef>) -> EventView {
        EventView {
            id: e.id.clone(),
            kind: e.kind.clone(),
            title: e.title.clone(),
            description: e.description.clone(),
            host: HostView { id: e.host_id.clone(), display_name: host_name.to_owned() },
            place: (e.is_virtual == 0)
                .then(|| PlaceView { name: e.place_name.clone(), city: e.city_label.clone() }),
            video_url: (e.is_virtual == 1 && !e.video_url.is_empty()).then(|| e.video_url.clone()),
            is_virtual: e.is_virtual == 1,
            starts_at_local: e.start_local.clone(),
            time_zone: e.time_zone.clone(),
            duration_minutes: e.duration_minutes,
            rrule: (!e.rrule.is_empty()).then(|| e.rrule.clone()),
            summary: super::series::summary(e),
            capacity: e.capacity,
            visibility: e.visibility.clone(),
            group,
            next,
            cover_url: e.cover_id.as_deref().map(|c| crate::photos::url(c, 1200)),
        }
    }
}

/// A place as people read it: "Café Ceuta, Porto", either part left out when empty.
pub fn place_line(name: &str, city: &str) -> String {
    [name, city].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
}

/// "Wed 25 Mar, 18:00" in the viewer's zone, plus the event's local time when the zones differ.
pub fn when(start: DateTime<Utc>, viewer_zone: &str, event_zone: &str) -> String {
    let viewer: Tz = viewer_zone.parse().unwrap_or(chrono_tz::UTC);
    let here = crate::web::dates::day_time(start, viewer);
    if viewer_zone == event_zone {
        return here;
    }
    match event_zone.parse::<Tz>() {
        Ok(z) => format!(
            "{here} your time ({} {})",
            crate::web::dates::time(&start.with_timezone(&z)),
            domain::recurrence::zone_label(z)
        ),
        Err(_) => here,
    }
}

/// "Wed 25 Mar, 18:00 Lisbon time": the time in the event's own zone, named, for visitors
/// (whose zone is not known).
pub fn when_there(start: DateTime<Utc>, event_zone: &str) -> String {
    let zone: Tz = event_zone.parse().unwrap_or(chrono_tz::UTC);
    format!("{} {}", crate::web::dates::day_time(start, zone), domain::recurrence::zone_label(zone))
}

/// One date of an event as a card on a list (the events page, a venue's coming dates): its
/// badge, title and time on the viewer's clock, with the host for the faces of who is going.
#[derive(Debug, Serialize)]
pub struct DateCard {
    pub event_id: String,
    #[serde(skip)]
    pub host_id: String,
    pub key: i64,
    pub title: String,
    pub when: String,
    pub city: String,
    pub is_virtual: bool,
    pub day: String,
    pub month: String,
    #[serde(skip)]
    pub start: DateTime<Utc>,
}

impl DateCard {
    /// The card of `o`, a date of `e`, for a viewer in `viewer_zone`.
    pub fn new(e: &Event, o: Occ, viewer_zone: &str) -> DateCard {
        let zone: Tz = viewer_zone.parse().unwrap_or(chrono_tz::UTC);
        let (day, month) = crate::web::dates::badge(o.start, zone);
        DateCard {
            event_id: e.id.clone(),
            host_id: e.host_id.clone(),
            key: o.key,
            when: when(o.start, viewer_zone, &e.time_zone),
            title: o.title,
            city: e.city_label.clone(),
            is_virtual: e.is_virtual == 1,
            day,
            month,
            start: o.start,
        }
    }
}
