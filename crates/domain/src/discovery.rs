//! Discovery: finding groups and public events by words, topic and place, soonest first.
//!
//! The caller passes only what a searcher may see (never an invite-only group or a group-only
//! event); this module filters and orders it. Places are compared by great-circle distance
//! between city centres.

use crate::geo::{distance_km, fold};

/// Searches within this distance of the chosen city unless told otherwise.
pub const DEFAULT_RADIUS_KM: f64 = 25.0;
/// The widest radius a search may ask for.
pub const MAX_RADIUS_KM: f64 = 500.0;

/// Where a group meets or an event happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// Online.
    Virtual,
    /// In person, in the city with these coordinates (latitude, longitude).
    At((f64, f64)),
    /// In person, city unknown.
    Unknown,
}

/// One thing that may be found.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The name or title (the tie-breaker of the order).
    pub name: String,
    /// Other text searched by words: description, city.
    pub text: String,
    /// Normalised topics (see `groups::parse_topics`).
    pub topics: Vec<String>,
    /// Where.
    pub place: Place,
    /// The next start (UTC ms) of the event, or of the group's next event; none sorts last.
    pub next_start: Option<i64>,
}

/// What the searcher asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    /// Folded words that must all appear in the name, text or topics.
    pub words: Vec<String>,
    /// A topic the item must have.
    pub topic: Option<String>,
    /// Only in-person items within `radius_km` of here.
    pub near: Option<(f64, f64)>,
    /// The radius around `near`.
    pub radius_km: f64,
    /// Only virtual items.
    pub virtual_only: bool,
}

impl Search {
    /// A search from what was typed: `q` is split into words, `topic` is normalised.
    pub fn new(q: &str, topic: &str, near: Option<(f64, f64)>, radius_km: f64, virtual_only: bool) -> Search {
        let topic = topic.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        Search {
            words: fold(q).split_whitespace().map(str::to_owned).collect(),
            topic: (!topic.is_empty()).then_some(topic),
            near,
            radius_km,
            virtual_only,
        }
    }
}

/// Checks a radius typed by a searcher.
pub fn check_radius(km: f64) -> Result<f64, String> {
    if km.is_finite() && km > 0.0 && km <= MAX_RADIUS_KM {
        Ok(km)
    } else {
        Err(format!("Choose a radius between 1 and {MAX_RADIUS_KM:.0} km."))
    }
}

/// An item that matched, with its distance from the searched place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index into the items searched.
    pub index: usize,
    /// Kilometres from `near`, when a place was searched.
    pub distance_km: Option<f64>,
}

/// The items that match `s`, soonest first; among equally soon (or never) the nearer first,
/// then by name.
pub fn find(items: &[Item], s: &Search) -> Vec<Hit> {
    let mut hits: Vec<(Hit, String)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if s.topic.as_ref().is_some_and(|t| !item.topics.contains(t)) {
            continue;
        }
        let distance_km = match (item.place, s.near) {
            (Place::Virtual, _) if s.virtual_only => None,
            (_, _) if s.virtual_only => continue,
            (Place::At(at), Some(near)) => {
                let d = distance_km(near, at);
                if d > s.radius_km {
                    continue;
                }
                Some(d)
            }
            (_, Some(_)) => continue,
            (_, None) => None,
        };
        if !s.words.is_empty() {
            let haystack = fold(&format!("{} {} {}", item.name, item.text, item.topics.join(" ")));
            if !s.words.iter().all(|w| haystack.contains(w.as_str())) {
                continue;
            }
        }
        hits.push((Hit { index, distance_km }, fold(&item.name)));
    }
    hits.sort_by(|(a, an), (b, bn)| {
        let start = |h: &Hit| items[h.index].next_start.unwrap_or(i64::MAX);
        start(a)
            .cmp(&start(b))
            .then(a.distance_km.unwrap_or(0.0).total_cmp(&b.distance_km.unwrap_or(0.0)))
            .then(an.cmp(bn))
            .then(a.index.cmp(&b.index))
    });
    hits.into_iter().map(|(h, _)| h).collect()
}
