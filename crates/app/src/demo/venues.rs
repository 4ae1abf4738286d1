//! The demo community's venues: quiet cafés, libraries and coworking spaces in a few of its
//! cities, with opening hours. Added once: skipped when any venue exists.

use store::venues::VenueFields;
use store::Db;

/// (name, kind, address, city, lat, lon, noise, wifi, outlets, price, hours)
type DemoVenue =
    (&'static str, &'static str, &'static str, &'static str, f64, f64, i64, bool, i64, i64, &'static str);

const VENUES: [DemoVenue; 8] = [
    (
        "Biblioteca Camões",
        "library",
        "Largo do Calhariz 17",
        "Lisbon, Portugal",
        38.7105,
        -9.1446,
        1,
        true,
        2,
        1,
        "Mon-Fri 10:00-19:00; Sat 10:00-13:00",
    ),
    (
        "Café Sossego",
        "cafe",
        "Rua dos Fanqueiros 12",
        "Lisbon, Portugal",
        38.7110,
        -9.1365,
        2,
        true,
        1,
        2,
        "Mon-Sun 08:00-20:00",
    ),
    (
        "Second Home Lisboa",
        "coworking",
        "Mercado da Ribeira",
        "Lisbon, Portugal",
        38.7069,
        -9.1458,
        2,
        true,
        2,
        3,
        "Mon-Fri 08:00-22:00; Sat-Sun 10:00-18:00",
    ),
    (
        "Tasca do Bairro",
        "other",
        "Rua da Rosa 50",
        "Lisbon, Portugal",
        38.7130,
        -9.1450,
        5,
        false,
        0,
        1,
        "Tue-Sat 18:00-02:00",
    ),
    (
        "Biblioteca Almeida Garrett",
        "library",
        "Rua de Dom Manuel II",
        "Porto, Portugal",
        41.1489,
        -8.6254,
        1,
        true,
        2,
        1,
        "Mon-Fri 10:00-18:00; Sat 14:00-18:00",
    ),
    (
        "Café Ceuta",
        "cafe",
        "Rua de Ceuta 20",
        "Porto, Portugal",
        41.1485,
        -8.6127,
        3,
        true,
        1,
        1,
        "Mon-Sat 07:30-22:00",
    ),
    (
        "Stadtbibliothek Mitte",
        "library",
        "Brunnenstraße 1",
        "Berlin, Germany",
        52.5320,
        13.3990,
        1,
        true,
        1,
        1,
        "Mon-Fri 10:00-20:00; Sat 10:00-16:00",
    ),
    (
        "St. Oberholz",
        "coworking",
        "Rosenthaler Straße 72a",
        "Berlin, Germany",
        52.5295,
        13.4019,
        3,
        true,
        2,
        3,
        "Mon-Sun 08:00-20:00",
    ),
];

/// Adds the demo venues once, as added by `by`.
pub async fn load(db: &Db, by: &str) -> anyhow::Result<()> {
    if !db.venues(&store::venues::VenueFilter::default(), 1, 0).await?.is_empty() {
        return Ok(());
    }
    let g = domain::geo::Gazetteer::bundled();
    let now = crate::web::now_ms();
    for (name, kind, address, city, lat, lon, noise, wifi, outlets, price, hours) in VENUES {
        let Some(c) = g.resolve(city) else { continue };
        let fields = VenueFields {
            name: name.into(),
            kind: kind.into(),
            address: address.into(),
            city_id: Some(c.id),
            city_label: c.label(),
            lat,
            lon,
            time_zone: c.tz().map(|z| z.name().to_owned()).unwrap_or_else(|| "UTC".into()),
            noise,
            wifi,
            outlets,
            price,
            hours: hours.into(),
            exceptions: "2026-12-25 closed; 2027-01-01 closed".into(),
            accessibility: String::new(),
        };
        db.create_venue(by, &fields, now).await?;
    }
    Ok(())
}
