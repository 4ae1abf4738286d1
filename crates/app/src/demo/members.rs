//! The demo's members: names, trades with what each offers and needs, cities, bios and weekly
//! availability, the same for member `i` on every run.

use domain::geo::{fold, Gazetteer};
use domain::profile::{normalise_windows, Window};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use store::users::{CityRef, ProfileUpdate};

const FIRST: [&str; 48] = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tomás",
    "Uma",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Emma",
    "Farah",
    "Gabriel",
    "Hannah",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Marco",
    "Nina",
    "Oscar",
    "Paula",
    "Rafael",
    "Sofia",
    "Theo",
    "Valentina",
    "Will",
    "Yara",
];
const LAST: [&str; 40] = [
    "Almeida",
    "Brooks",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "García",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Martins",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Andersen",
    "Bauer",
    "Chen",
    "Diaz",
    "Eriksen",
    "Ferreira",
    "Gomez",
    "Hart",
    "Ito",
    "Kaur",
    "Mensah",
    "Novak",
    "Okafor",
    "Reyes",
];

/// (trade, skills offered, help typically wanted)
const TRADES: [(&str, &[&str], &[&str]); 16] = [
    (
        "Web designer",
        &["web design", "wordpress", "ui design", "webflow"],
        &["seo", "copywriting", "bookkeeping", "photography"],
    ),
    (
        "Copywriter",
        &["copywriting", "editing", "content strategy", "newsletters"],
        &["web design", "seo", "photography"],
    ),
    (
        "SEO consultant",
        &["seo", "analytics", "content strategy", "keyword research"],
        &["web design", "copywriting", "bookkeeping"],
    ),
    (
        "Bookkeeper",
        &["bookkeeping", "invoicing", "xero", "tax returns"],
        &["web design", "marketing", "copywriting"],
    ),
    (
        "Photographer",
        &["photography", "photo editing", "product photography"],
        &["web design", "social media", "copywriting"],
    ),
    ("Illustrator", &["illustration", "branding", "procreate"], &["marketing", "bookkeeping", "web design"]),
    (
        "Translator",
        &["translation", "portuguese", "spanish", "proofreading"],
        &["marketing", "web design", "bookkeeping"],
    ),
    (
        "UX researcher",
        &["user research", "usability testing", "ui design"],
        &["copywriting", "public speaking", "bookkeeping"],
    ),
    (
        "Social media manager",
        &["social media", "instagram", "community building"],
        &["photography", "video editing", "bookkeeping"],
    ),
    ("Virtual assistant", &["scheduling", "inbox management", "notion"], &["web design", "marketing", "seo"]),
    (
        "Software developer",
        &["rust", "python", "api design", "web development"],
        &["copywriting", "marketing", "ui design"],
    ),
    (
        "Marketing consultant",
        &["marketing", "email marketing", "positioning"],
        &["web design", "photography", "bookkeeping"],
    ),
    (
        "Business coach",
        &["coaching", "accountability", "public speaking"],
        &["web design", "seo", "copywriting"],
    ),
    (
        "Video editor",
        &["video editing", "motion graphics", "youtube"],
        &["copywriting", "social media", "bookkeeping"],
    ),
    (
        "Graphic designer",
        &["branding", "graphic design", "print design"],
        &["copywriting", "seo", "bookkeeping"],
    ),
    (
        "Accountant",
        &["accounting", "tax returns", "bookkeeping"],
        &["web design", "marketing", "social media"],
    ),
];

pub const CITIES: [&str; 30] = [
    "Lisbon, Portugal",
    "Porto, Portugal",
    "London, United Kingdom",
    "Manchester, United Kingdom",
    "Edinburgh, United Kingdom",
    "Dublin, Ireland",
    "Berlin, Germany",
    "Hamburg, Germany",
    "Amsterdam, Netherlands",
    "Paris, France",
    "Lyon, France",
    "Barcelona, Spain",
    "Madrid, Spain",
    "Milan, Italy",
    "Copenhagen, Denmark",
    "Warsaw, Poland",
    "New York City, NY, United States",
    "Portland, OR, United States",
    "Austin, TX, United States",
    "Chicago, IL, United States",
    "Toronto, Canada",
    "Vancouver, Canada",
    "Mexico City, Mexico",
    "São Paulo, Brazil",
    "Cape Town, South Africa",
    "Nairobi, Kenya",
    "Bengaluru, India",
    "Singapore, Singapore",
    "Melbourne, Australia",
    "Auckland, New Zealand",
];

const BIOS: [&str; 8] = [
    "Solo for {years} years. I work best with someone across the table keeping me honest.",
    "Looking for a weekly accountability partner and the odd quiet café session.",
    "I refer clients to good people a lot — happy to cowork with the ones I send work to.",
    "Recovering agency person, now independent. Fond of libraries with good wifi.",
    "Two hours every couple of months is plenty to start. Let's get something done together.",
    "I like a focused morning and a chatty lunch. Always up for trading skills.",
    "Working from home with only a dog for company. Would love a coworking evening.",
    "Member of a local referral chapter; keen to meet people outside it too.",
];

/// The demo member `i`'s first and last name.
fn names(i: usize) -> (&'static str, &'static str) {
    (FIRST[i % FIRST.len()], LAST[(i * 7 + i / FIRST.len()) % LAST.len()])
}

/// The demo member `i`'s email address.
pub fn email(i: usize) -> String {
    let (first, last) = names(i);
    format!("{}.{}.{i}@demo.alongside.test", fold(first), fold(last).replace('\'', ""))
}

pub fn member(i: usize, cities: &[CityRef]) -> (String, String, ProfileUpdate) {
    let mut rng = StdRng::seed_from_u64(i as u64);
    let (first, last) = names(i);
    let name = format!("{first} {last}");
    let email = email(i);
    let (trade, offers, needs) = TRADES[i % TRADES.len()];
    let pick = |rng: &mut StdRng, from: &[&str], n: usize| -> Vec<String> {
        let mut v: Vec<String> = from.choose_multiple(rng, n).map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    };
    let (n_offers, n_needs) = (rng.gen_range(2..=offers.len().min(3)), rng.gen_range(1..=2));
    // A trade's first skill is its core one (an SEO consultant offers seo): always listed.
    let mut offers: Vec<String> =
        std::iter::once(offers[0].to_owned()).chain(pick(&mut rng, &offers[1..], n_offers - 1)).collect();
    offers.sort();
    let needs = pick(&mut rng, needs, n_needs);
    let city = cities[(i * 13 + i / 5) % cities.len()].clone();
    let timezone =
        Gazetteer::bundled().get(city.id).map(|c| c.timezone.clone()).unwrap_or_else(|| "UTC".into());
    let mut windows = Vec::new();
    for _ in 0..rng.gen_range(1..=4) {
        let start = rng.gen_range(8..=18u16) * 60;
        let len = [60u16, 90, 120, 180][rng.gen_range(0..4)];
        if let Ok(w) = Window::new(rng.gen_range(0..5), start, (start + len).min(1440)) {
            windows.push(w);
        }
    }
    let bio = BIOS[rng.gen_range(0..BIOS.len())].replace("{years}", &rng.gen_range(2..15).to_string());
    let private_bio = rng.gen_bool(0.1);
    let everyone = || "everyone".to_owned();
    let update = ProfileUpdate {
        display_name: name.clone(),
        trade: trade.to_owned(),
        bio,
        city: Some(city),
        timezone,
        in_person: rng.gen_bool(0.8),
        is_virtual: rng.gen_bool(0.7),
        session_minutes: [25, 50, 75, 90, 120][rng.gen_range(0..5)],
        company: ["quiet", "chatty", "either"][rng.gen_range(0..3)].to_owned(),
        home_radius_m: [500, 1000, 1000, 2000][rng.gen_range(0..4)],
        visibility: [
            everyone(),
            if private_bio { "partners".into() } else { everyone() },
            everyone(),
            everyone(),
            everyone(),
            everyone(),
            everyone(),
            // Most let their groups' organisers reach them; the private ones keep it to partners.
            if private_bio { "partners".into() } else { "groups".into() },
        ],
        offers,
        needs,
        windows: normalise_windows(windows),
    };
    (email, name, update)
}
