//! Checking what an organiser submits for an event (API or form) into stored fields.

use chrono::{Datelike, NaiveDateTime};
use domain::geo::Gazetteer;
use domain::recurrence::Rule;
use domain::FieldErrors;
use serde::Deserialize;
use store::events::EventFields;
use utoipa::ToSchema;

/// Kinds of gathering.
pub const KINDS: [(&str, &str); 5] = [
    ("cowork", "Coworking session"),
    ("accountability", "Accountability check-in"),
    ("meeting", "Group meeting"),
    ("workshop", "Workshop or class"),
    ("meetup", "Meetup"),
];

/// Default length: start small.
pub const DEFAULT_MINUTES: i64 = 90;

/// A physical place: a venue from the directory, or a name and a city.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
pub struct PlaceInput {
    #[serde(default)]
    pub name: String,
    /// A city label or name from the gazetteer.
    #[serde(default)]
    pub city: String,
    /// A venue from the directory: its name and city are used.
    #[serde(default)]
    pub venue_id: Option<String>,
}

/// A virtual room, with an optional external video link (https only).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VirtualInput {
    #[serde(default)]
    pub video_url: String,
}

/// An event as submitted. Every field is optional in the type so that each problem is reported
/// by its field rather than as one parse error.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// cowork | accountability | meeting | workshop | meetup
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Local wall time in `time_zone`, e.g. "2026-03-25T18:00".
    pub starts_at_local: Option<String>,
    /// IANA zone, e.g. "Europe/Berlin".
    pub time_zone: Option<String>,
    /// Default 90.
    pub duration_minutes: Option<i64>,
    /// An RRULE (RFC 5545 subset), e.g. "FREQ=WEEKLY;INTERVAL=2"; or use `preset`.
    pub rrule: Option<String>,
    /// weekly | fortnightly | monthly | every-two-months | quarterly
    pub preset: Option<String>,
    /// Seats; none means unlimited.
    pub capacity: Option<i64>,
    pub place: Option<PlaceInput>,
    #[serde(rename = "virtual")]
    pub is_virtual: Option<VirtualInput>,
    /// public | invite | group (the members of the event's group only)
    pub visibility: Option<String>,
    /// The group this event belongs to (set when it is made; you must be a member).
    pub group_id: Option<String>,
    /// For a repeating series: venues (ids) taken in turn, the first for the first date; at most 6.
    pub venue_rotation: Option<Vec<String>>,
    /// A one-off starting in the past is refused unless this is true (recording a meeting that
    /// already happened).
    pub allow_past: Option<bool>,
    /// Show it to visitors without an account, so a link to it can be shared (a public event
    /// only; off unless asked). Left out when editing, it stays as it was.
    pub show_to_visitors: Option<bool>,
    /// Let visitors answer without an account (a name and a confirmed address), where it is shown
    /// to visitors; off unless asked. Left out when editing, it stays as it was.
    pub visitor_answers: Option<bool>,
}

/// Parses "2026-03-25T18:00" (seconds optional).
pub fn parse_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .filter(|t| YEARS.contains(&t.year()))
}

/// The years any date we accept may fall in: wide enough for every real plan, and far from the
/// ends of the calendar types, where adding a day would overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// An instant within [`YEARS`].
pub fn sane_instant(t: chrono::DateTime<chrono::Utc>) -> bool {
    YEARS.contains(&t.year())
}

/// Formats a local start the way it is stored.
pub fn format_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Checks an input against the current fields (for a patch) or defaults (for a new event).
/// Returns the fields with `first_start_at`/`last_end_at` still to be computed by the caller.
pub fn apply(input: &EventInput, current: Option<&EventFields>) -> Result<EventFields, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut f = current.cloned().unwrap_or_else(|| EventFields {
        kind: String::new(),
        title: String::new(),
        description: String::new(),
        is_virtual: false,
        place_name: String::new(),
        city_id: None,
        city_label: String::new(),
        video_url: String::new(),
        start_local: String::new(),
        time_zone: String::new(),
        duration_minutes: DEFAULT_MINUTES,
        rrule: String::new(),
        exdates: String::new(),
        first_start_at: 0,
        last_end_at: None,
        capacity: None,
        visibility: "public".into(),
        group_id: None,
        venue_id: None,
        venue_rotation: String::new(),
    });
    let creating = current.is_none();
    if let Some(k) = &input.kind {
        if KINDS.iter().any(|(v, _)| v == k) {
            f.kind = k.clone();
        } else {
            e.add("kind", "Choose cowork, accountability, meeting, workshop or meetup.");
        }
    } else if creating {
        e.add("kind", "Choose what kind of gathering this is.");
    }
    if let Some(t) = &input.title {
        match domain::profile::check_name(t, 120) {
            Ok(t) if t.is_empty() => e.add("title", "Give the event a title."),
            Ok(t) => f.title = t,
            Err(d) => e.add("title", d),
        }
    } else if creating {
        e.add("title", "Give the event a title.");
    }
    if let Some(d) = &input.description {
        if let Some(d) = e.check("description", domain::profile::check_text(d, 5000)) {
            f.description = d;
        }
    }
    if let Some(z) = &input.time_zone {
        if let Some(tz) = e.check("time_zone", domain::profile::check_timezone(z)) {
            f.time_zone = tz.name().to_owned();
        }
    } else if creating {
        e.add("time_zone", "Choose the time zone the event happens in.");
    }
    if let Some(s) = &input.starts_at_local {
        match parse_local(s) {
            Some(t) => f.start_local = format_local(t),
            None => e.add("starts_at_local", "Give the start as date and time, like 2026-03-25T18:00."),
        }
    } else if creating {
        e.add("starts_at_local", "Give the start as date and time, like 2026-03-25T18:00.");
    }
    if let Some(m) = input.duration_minutes {
        if (5..=24 * 60).contains(&m) {
            f.duration_minutes = m;
        } else {
            e.add("duration_minutes", "Events last from 5 minutes to 24 hours.");
        }
    }
    match (&input.rrule, &input.preset) {
        (Some(_), Some(_)) => e.add("rrule", "Send either rrule or preset, not both."),
        (Some(r), None) if r.trim().is_empty() => f.rrule.clear(),
        (Some(r), None) => match Rule::parse(r) {
            Ok(rule) => f.rrule = rule.to_string(),
            Err(err) => e.add("rrule", err.to_string()),
        },
        (None, Some(p)) => match parse_local(&f.start_local).map(|s| super::series::preset(p, s)) {
            Some(Ok(rule)) => f.rrule = rule,
            Some(Err(d)) => e.add("preset", d),
            None => {} // the start's own error is reported already
        },
        (None, None) => {}
    }
    if let Some(c) = input.capacity {
        if (1..=10_000).contains(&c) {
            f.capacity = Some(c);
        } else {
            e.add("capacity", "Capacity must be between 1 and 10,000 seats (leave it out for no limit).");
        }
    }
    match (&input.place, &input.is_virtual) {
        (Some(_), Some(_)) => e.add("place", "An event is either at a place or virtual, not both."),
        (Some(p), None) => {
            f.is_virtual = false;
            f.video_url.clear();
            f.venue_id = p.venue_id.clone().filter(|v| !v.trim().is_empty());
            match domain::profile::check_name(&p.name, 120) {
                Ok(n) if n.is_empty() => e.add("place.name", "Say where: a café, a library, an address."),
                Ok(n) => f.place_name = n,
                Err(d) => e.add("place.name", d),
            }
            // A name several places share is asked, unless one is in the event's own country.
            let g = Gazetteer::bundled();
            match g.resolve_asking(&p.city, g.country_of_zone(&f.time_zone)).or_ask(&p.city) {
                Ok(c) => {
                    f.city_id = Some(c.id);
                    f.city_label = c.label();
                }
                Err(_) if p.city.trim().is_empty() => e.add("place.city", "Pick the city from the list."),
                Err(d) => e.add("place.city", d),
            }
        }
        (None, Some(v)) => {
            f.is_virtual = true;
            f.venue_id = None;
            f.venue_rotation.clear();
            f.place_name.clear();
            f.city_id = None;
            f.city_label.clear();
            let url = v.video_url.trim();
            if url.is_empty() {
                f.video_url.clear();
            } else if url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host().is_some()) {
                f.video_url = url.to_owned();
            } else {
                e.add("virtual.video_url", "The video link must be an https:// address.");
            }
        }
        (None, None) if creating => e.add("place", "Say where the event happens, or make it virtual."),
        (None, None) => {}
    }
    if let Some(r) = &input.venue_rotation {
        if r.len() > 6 {
            e.add("venue_rotation", "Take at most 6 venues in turn.");
        } else if !r.is_empty() && f.is_virtual {
            e.add("venue_rotation", "An online event has no venues.");
        } else {
            f.venue_rotation =
                r.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect::<Vec<_>>().join(",");
        }
    }
    if !f.venue_rotation.is_empty() && f.rrule.is_empty() {
        e.add("venue_rotation", "Only a repeating series can take venues in turn.");
    }
    if creating {
        f.group_id = input.group_id.as_deref().map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned);
    } else if input.group_id.as_deref().is_some_and(|g| Some(g.trim()) != f.group_id.as_deref()) {
        e.add("group_id", "An event stays in the group it was made in.");
    }
    if let Some(v) = &input.visibility {
        if v == "public" || v == "invite" || (v == "group" && f.group_id.is_some()) {
            f.visibility = v.clone();
        } else if v == "group" {
            e.add("visibility", "Only a group's event can be for its members only.");
        } else {
            e.add("visibility", "Choose public, invite or group.");
        }
    }
    e.into_result().map(|()| f)
}
