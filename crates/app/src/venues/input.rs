//! Checking what a member submits for a venue (API or form) into stored fields.

use domain::geo::{distance_km, Gazetteer};
use domain::venues::{OpeningHours, KINDS};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::venues::{Venue, VenueFields};
use utoipa::ToSchema;

/// How far from its city's centre a venue's coordinates may be.
pub const MAX_KM_FROM_CITY: f64 = 60.0;

/// A venue as submitted; left-out fields stay as they are when editing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    pub name: Option<String>,
    /// cafe | library | coworking | other
    pub kind: Option<String>,
    pub address: Option<String>,
    /// A gazetteer city, e.g. "Lisbon, Portugal".
    pub city: Option<String>,
    /// Where exactly; left out, the city's centre.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// 1 silent – 5 loud.
    pub noise: Option<i64>,
    pub wifi: Option<bool>,
    /// none | some | plenty
    pub outlets: Option<String>,
    /// 1 (cheap) – 4 (dear).
    pub price: Option<i64>,
    /// Weekly hours in the venue's zone, e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00".
    pub hours: Option<String>,
    /// Dates with other hours, e.g. "2026-12-25 closed; 2026-12-24 09:00-13:00".
    pub exceptions: Option<String>,
    pub accessibility: Option<String>,
}

/// The current fields of a stored venue.
pub fn fields_of(v: &Venue) -> VenueFields {
    VenueFields {
        name: v.name.clone(),
        kind: v.kind.clone(),
        address: v.address.clone(),
        city_id: v.city_id,
        city_label: v.city_label.clone(),
        lat: v.lat,
        lon: v.lon,
        time_zone: v.time_zone.clone(),
        noise: v.noise,
        wifi: v.wifi == 1,
        outlets: v.outlets,
        price: v.price,
        hours: v.hours.clone(),
        exceptions: v.exceptions.clone(),
        accessibility: v.accessibility.clone(),
    }
}

/// The stored number of a named outlet level.
pub fn outlets_of(s: &str) -> Option<i64> {
    domain::venues::OUTLETS.iter().position(|(k, _)| *k == s).map(|i| i as i64)
}

/// Checks an input against the current fields (an edit) or nothing (a new venue).
pub fn apply(input: &VenueInput, current: Option<VenueFields>) -> Result<VenueFields, FieldErrors> {
    let creating = current.is_none();
    let mut f = current.unwrap_or(VenueFields { noise: 3, price: 1, outlets: 1, ..VenueFields::default() });
    let mut e = FieldErrors::new();
    match &input.name {
        Some(n) => match domain::profile::check_name(n, 120) {
            Ok(n) if n.is_empty() => e.add("name", "Give the venue's name."),
            Ok(n) => f.name = n,
            Err(d) => e.add("name", d),
        },
        None if creating => e.add("name", "Give the venue's name."),
        None => {}
    }
    match &input.kind {
        Some(k) if KINDS.iter().any(|(v, _)| v == k) => f.kind = k.clone(),
        Some(_) => e.add("kind", "Choose café, library, coworking space or other."),
        None if creating => e.add("kind", "Choose what kind of place it is."),
        None => {}
    }
    for (field, value, max, slot) in [
        ("address", &input.address, 200, &mut f.address),
        ("accessibility", &input.accessibility, 1000, &mut f.accessibility),
    ] {
        if let Some(v) = value {
            if let Some(v) = e.check(field, domain::profile::check_text(v, max)) {
                *slot = v;
            }
        }
    }
    let mut city = None;
    match &input.city {
        Some(c) => match Gazetteer::bundled().resolve_asking(c, None).or_ask(c) {
            Ok(found) => {
                f.city_id = Some(found.id);
                f.city_label = found.label();
                f.time_zone = found.tz().map(|z| z.name().to_owned()).unwrap_or_else(|| "UTC".into());
                city = Some((found.lat, found.lon));
            }
            Err(_) if c.trim().is_empty() => e.add("city", "Pick the city from the list."),
            Err(d) => e.add("city", d),
        },
        None if creating => e.add("city", "Say which city the venue is in."),
        None => city = f.city_id.and_then(|id| Gazetteer::bundled().get(id)).map(|c| (c.lat, c.lon)),
    }
    match (input.lat, input.lon) {
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                e.add("lat", "Give a latitude from -90 to 90 and a longitude from -180 to 180.");
            } else if city.is_some_and(|c| distance_km(c, (lat, lon)) > MAX_KM_FROM_CITY) {
                e.add(
                    "lat",
                    format!(
                        "Those coordinates are more than {MAX_KM_FROM_CITY:.0} km from the city: check them."
                    ),
                );
            } else {
                (f.lat, f.lon) = (lat, lon);
            }
        }
        (None, None) => {
            if input.city.is_some() {
                if let Some((lat, lon)) = city {
                    (f.lat, f.lon) = (lat, lon);
                }
            }
        }
        _ => e.add("lat", "Give both latitude and longitude, or neither (the city's centre)."),
    }
    if let Some(n) = input.noise {
        if (1..=5).contains(&n) {
            f.noise = n;
        } else {
            e.add("noise", "Rate the noise from 1 (silent) to 5 (loud).");
        }
    }
    if let Some(w) = input.wifi {
        f.wifi = w;
    }
    if let Some(o) = &input.outlets {
        match outlets_of(o) {
            Some(o) => f.outlets = o,
            None => e.add("outlets", "Say none, some or plenty."),
        }
    }
    if let Some(p) = input.price {
        if (1..=4).contains(&p) {
            f.price = p;
        } else {
            e.add("price", "Price is from 1 (cheap) to 4 (dear).");
        }
    }
    if input.hours.is_some() || input.exceptions.is_some() {
        let weekly = input.hours.clone().unwrap_or_else(|| f.hours.clone());
        let exceptions = input.exceptions.clone().unwrap_or_else(|| f.exceptions.clone());
        match OpeningHours::parse(&weekly, &exceptions) {
            Ok(h) => {
                f.hours = h.weekly_text();
                f.exceptions = h.exceptions_text();
            }
            Err((field, detail)) => e.add(&field, detail),
        }
    } else if creating {
        e.add("hours", "Give the opening hours, like Mon-Fri 08:00-18:00; Sat 09:00-13:00.");
    }
    e.into_result().map(|()| f)
}

/// What changed between two versions of a venue, in words, for the edit history.
pub fn changes(before: &VenueFields, after: &VenueFields) -> String {
    let mut what = Vec::new();
    let mut note = |changed: bool, name: &str| {
        if changed {
            what.push(name.to_owned());
        }
    };
    note(before.name != after.name, "name");
    note(before.kind != after.kind, "kind");
    note(before.address != after.address, "address");
    note(before.city_id != after.city_id, "city");
    note(before.lat != after.lat || before.lon != after.lon, "position");
    note(before.noise != after.noise, "noise");
    note(before.wifi != after.wifi, "wifi");
    note(before.outlets != after.outlets, "outlets");
    note(before.price != after.price, "price");
    note(before.hours != after.hours || before.exceptions != after.exceptions, "opening hours");
    note(before.accessibility != after.accessibility, "accessibility");
    if what.is_empty() {
        "saved without changes".into()
    } else {
        format!("changed {}", what.join(", "))
    }
}
