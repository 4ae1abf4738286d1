//! Venues: the kinds of place, how quiet a gathering needs them, what recent reviews say about
//! one, and the suggestion of venues for a set of participants — open for the whole time, quiet
//! enough, fair to everyone (the longest trip as short as can be, then the total), and never the
//! café by someone's house (inside a participant's home radius) unless nothing else will do.

pub mod hours;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use hours::OpeningHours;

/// Kinds of venue.
pub const KINDS: [(&str, &str); 4] =
    [("cafe", "Café"), ("library", "Library"), ("coworking", "Coworking space"), ("other", "Other")];

/// How outlets are: none, a few, plenty.
pub const OUTLETS: [(&str, &str); 3] = [("none", "None"), ("some", "A few"), ("plenty", "Plenty")];

/// The loudest a venue may be (1 silent – 5 loud) for a kind of event: coworking and
/// accountability want quiet; meetings and workshops a low murmur; meetups anything.
pub fn max_noise(event_kind: &str) -> u8 {
    match event_kind {
        "cowork" | "accountability" => 2,
        "meeting" | "workshop" => 3,
        _ => 5,
    }
}

/// Words for a noise level.
pub fn noise_words(noise: f64) -> &'static str {
    match noise.round() as i64 {
        ..=1 => "silent",
        2 => "quiet",
        3 => "a low murmur",
        4 => "lively",
        _ => "loud",
    }
}

/// One review's view of a venue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Review {
    /// 1–5.
    pub noise: u8,
    pub wifi: bool,
    /// 0 none, 1 some, 2 plenty.
    pub outlets: u8,
    pub good_for_work: bool,
}

/// What a venue is like: as stated when added, or as recent reviews say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attributes {
    /// 1–5 (a mean, when from reviews).
    pub noise: f64,
    pub wifi: bool,
    /// 0 none, 1 some, 2 plenty.
    pub outlets: u8,
    /// The share of reviews that found it good for working, if any reviewed.
    pub good_for_work: Option<f64>,
    /// How many reviews this rests on.
    pub reviews: usize,
}

/// Reviews that count: the most recent ones.
pub const RECENT_REVIEWS: usize = 10;

/// The venue as its `recent` reviews (newest first) say, or as `stated` without any: the noise is
/// their mean, wifi and outlets what most of them say.
pub fn aggregate(stated: Attributes, recent: &[Review]) -> Attributes {
    let recent = &recent[..recent.len().min(RECENT_REVIEWS)];
    if recent.is_empty() {
        return Attributes { reviews: 0, good_for_work: None, ..stated };
    }
    let n = recent.len() as f64;
    let mut outlets = [0usize; 3];
    for r in recent {
        outlets[usize::from(r.outlets.min(2))] += 1;
    }
    // Ties go to the lower count of outlets: better to promise less.
    let most =
        outlets.iter().enumerate().max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i))).map_or(0, |(i, _)| i);
    Attributes {
        noise: recent.iter().map(|r| f64::from(r.noise)).sum::<f64>() / n,
        wifi: recent.iter().filter(|r| r.wifi).count() * 2 > recent.len(),
        outlets: most as u8,
        good_for_work: Some(recent.iter().filter(|r| r.good_for_work).count() as f64 / n),
        reviews: recent.len(),
    }
}

/// A venue to choose from.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Latitude, longitude.
    pub at: (f64, f64),
    pub zone: Tz,
    pub hours: OpeningHours,
    pub attributes: Attributes,
}

/// Someone who will be there.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// "you" for the one asking; nobody else is ever named in a reason.
    pub name: String,
    /// Where they start from (their city), if known.
    pub home: Option<(f64, f64)>,
    /// The venues (indices into the index) they marked as near their home, privately: "not the
    /// café by your house". Nothing is guessed for those who marked none.
    pub near_home: Vec<usize>,
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

fn unit(at: (f64, f64)) -> [f64; 3] {
    let (lat, lon) = (at.0.to_radians(), at.1.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

fn chord(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

fn km_of_chord(c: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (c / 2.0).min(1.0).asin()
}

/// Venues prepared for many suggestions: positions as unit vectors, so that comparing trips is a
/// few multiplications (a chord orders places exactly as the great-circle distance does).
#[derive(Debug, Clone)]
pub struct VenueIndex {
    venues: Vec<Candidate>,
    units: Vec<[f64; 3]>,
}

impl VenueIndex {
    /// Prepares `venues`.
    pub fn new(venues: Vec<Candidate>) -> VenueIndex {
        let units = venues.iter().map(|v| unit(v.at)).collect();
        VenueIndex { venues, units }
    }

    /// The venue at `i`.
    pub fn get(&self, i: usize) -> &Candidate {
        &self.venues[i]
    }

    /// How many venues there are.
    pub fn len(&self) -> usize {
        self.venues.len()
    }

    /// True without venues.
    pub fn is_empty(&self) -> bool {
        self.venues.is_empty()
    }
}

/// A suggested venue, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// Index into the venues.
    pub index: usize,
    /// The longest trip of anyone, in km (from their city).
    pub longest_km: f64,
    /// Everyone's trips together, in km.
    pub total_km: f64,
    /// Participants (by index) who marked it as near their home.
    pub too_close: Vec<usize>,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// The best `limit` venues for `people` from `start` to `end` for an event of `event_kind`:
/// only venues open throughout and quiet enough; those someone marked as near their home after
/// all others; then the shortest longest trip, then the shortest total.
pub fn suggest(
    index: &VenueIndex,
    people: &[Participant],
    event_kind: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: usize,
) -> Vec<Suggestion> {
    let quiet = f64::from(max_noise(event_kind)) + 0.25;
    let homes: Vec<[f64; 3]> = people.iter().filter_map(|p| p.home.map(unit)).collect();
    let owners: Vec<usize> =
        people.iter().enumerate().filter(|(_, p)| p.home.is_some()).map(|(i, _)| i).collect();
    let mut marked = vec![0_usize; index.len()];
    for i in people.iter().flat_map(|p| &p.near_home) {
        if let Some(n) = marked.get_mut(*i) {
            *n += 1;
        }
    }
    // (how many are too close, longest chord, total chord, index)
    let mut ranked: Vec<(usize, f64, f64, usize)> = Vec::with_capacity(index.len() / 4);
    for (i, u) in index.units.iter().enumerate() {
        if index.venues[i].attributes.noise > quiet {
            continue;
        }
        let (mut longest, mut total) = (0.0_f64, 0.0);
        for home in &homes {
            let c = chord(u, home);
            longest = longest.max(c);
            total += c;
        }
        ranked.push((marked[i], longest, total, i));
    }
    ranked.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2)).then(a.3.cmp(&b.3))
    });
    let mut out = Vec::with_capacity(limit);
    for (_, _, _, i) in ranked {
        if out.len() >= limit {
            break;
        }
        let v = &index.venues[i];
        if !v.hours.open_throughout(v.zone, start, end) {
            continue;
        }
        out.push(explain(index, i, people, &owners, &homes, start));
    }
    out
}

fn explain(
    index: &VenueIndex,
    i: usize,
    people: &[Participant],
    owners: &[usize],
    homes: &[[f64; 3]],
    start: DateTime<Utc>,
) -> Suggestion {
    let v = &index.venues[i];
    let u = &index.units[i];
    let trips: Vec<(usize, f64)> =
        owners.iter().zip(homes).map(|(p, home)| (*p, km_of_chord(chord(u, home)))).collect();
    let longest = trips.iter().map(|t| t.1).fold(0.0, f64::max);
    let total: f64 = trips.iter().map(|t| t.1).sum();
    let too_close: Vec<usize> =
        people.iter().enumerate().filter(|(_, p)| p.near_home.contains(&i)).map(|(p, _)| p).collect();
    let mut reasons = Vec::new();
    let day = start.with_timezone(&v.zone).date_naive();
    reasons.push(format!("open {} that day", v.hours.describe(day)));
    let a = &v.attributes;
    let source = if a.reviews > 0 {
        format!(" ({} review{})", a.reviews, if a.reviews == 1 { "" } else { "s" })
    } else {
        String::new()
    };
    reasons.push(format!("{}: noise {:.0} of 5{source}", noise_words(a.noise), a.noise.round()));
    if a.wifi || a.outlets > 0 {
        let outlets = ["", "a few outlets", "plenty of outlets"][usize::from(a.outlets.min(2))];
        let both = match (a.wifi, outlets.is_empty()) {
            (true, true) => "wifi".to_owned(),
            (true, false) => format!("wifi and {outlets}"),
            (false, _) => outlets.to_owned(),
        };
        reasons.push(both);
    }
    if let Some((p, km)) = trips.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        if trips.len() > 1 {
            reasons.push(format!(
                "fair: the longest trip is about {} km ({}), {} km in all",
                crate::geo::rounded_km(*km),
                people[*p].name,
                crate::geo::rounded_km(total)
            ));
        } else {
            reasons.push(format!("about {} km from {}", crate::geo::rounded_km(*km), people[*p].name));
        }
    }
    // Whose home it is near is never said of anyone but the asker.
    let (mine, others) = too_close.iter().partition::<Vec<&usize>, _>(|p| people[**p].name == "you");
    if !mine.is_empty() {
        reasons.push("you marked it as near your home".to_owned());
    }
    if !others.is_empty() {
        reasons.push("near someone's home".to_owned());
    }
    Suggestion { index: i, longest_km: longest, total_km: total, too_close, reasons }
}

/// The venues a recurring series takes in turn: occurrence `n` (0 first) of a rotation.
pub fn rotation_pick<T: Clone>(rotation: &[T], n: usize) -> Option<T> {
    (!rotation.is_empty()).then(|| rotation[n % rotation.len()].clone())
}
