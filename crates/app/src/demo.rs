//! A believable demo community: a few hundred solo professionals across trades, cities and time
//! zones, with skills, needs and availability, partnerships, venues (`demo_venues`), groups
//! (`demo_groups`), weekly sessions and focus bookings (`demo_sessions`), goals (`demo_goals`)
//! and give and take (`demo_referrals`). Deterministic,
//! and idempotent: members are keyed by email, so running it again adds nothing.

use domain::geo::{fold, Gazetteer};
use domain::profile::{normalise_windows, Window};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use store::users::{CityRef, NewUser, ProfileUpdate};
use store::Db;

/// How many demo members there are.
pub const MEMBERS: usize = 240;
/// Every demo member's password, so people trying the demo can sign in as one.
pub const PASSWORD: &str = "alongside-demo-password";

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub created: usize,
    pub existing: usize,
}

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

const CITIES: [&str; 30] = [
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
fn email(i: usize) -> String {
    let (first, last) = names(i);
    format!("{}.{}.{i}@demo.alongside.test", fold(first), fold(last).replace('\'', ""))
}

fn member(i: usize, cities: &[CityRef]) -> (String, String, ProfileUpdate) {
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

/// Adds the demo members that are not there yet.
pub async fn load(db: &Db, progress: bool) -> anyhow::Result<Report> {
    let g = Gazetteer::bundled();
    let cities: Vec<CityRef> = CITIES
        .iter()
        .filter_map(|label| g.resolve(label))
        .map(|c| CityRef { id: c.id, label: c.label(), key: fold(&c.name), lat: c.lat, lon: c.lon })
        .collect();
    anyhow::ensure!(!cities.is_empty(), "the gazetteer has none of the demo cities");
    let bar = if progress { ProgressBar::new(MEMBERS as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("demo community");
    let mut report = Report::default();
    let mut hash: Option<String> = None;
    for i in 0..MEMBERS {
        let (email, name, update) = member(i, &cities);
        bar.inc(1);
        if db.user_by_email(&email).await?.is_some() {
            report.existing += 1;
            continue;
        }
        // One slow hash for the whole run: every demo member shares the demo password.
        let hash = match &hash {
            Some(h) => h.clone(),
            None => {
                let h = crate::accounts::password::hash_now(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
                hash.insert(h).clone()
            }
        };
        let now = crate::web::now_ms();
        let new = NewUser {
            email: &email,
            password_hash: &hash,
            display_name: &name,
            timezone: &update.timezone,
            admin_if_first: false,
        };
        let user = db.create_user(new, now).await?;
        // Demo addresses are made up here, and count as confirmed.
        db.mark_email_verified(&user.id, now).await?;
        db.update_profile(&user.id, &update, now).await?;
        report.created += 1;
    }
    bar.finish_and_clear();
    partners(db).await?;
    let mut ids = Vec::with_capacity(MEMBERS);
    for i in 0..MEMBERS {
        if let Some(u) = db.user_by_email(&email(i)).await? {
            ids.push(u.id);
        }
    }
    if let Some(first) = ids.first() {
        // Venues first: weekly sessions meet at them.
        crate::demo_venues::load(db, first).await?;
        crate::demo_groups::load(db, &ids).await?;
        crate::demo_sessions::load(db, &ids).await?;
        let board =
            db.groups_of(first).await?.into_iter().find(|g| g.group.name == crate::demo_groups::BOARD_GROUP);
        let board = board.map(|g| g.group.id);
        crate::demo_goals::load(db, &ids, board.as_deref(), chrono_tz::Europe::Lisbon).await?;
        crate::demo_referrals::load(db, &ids).await?;
    }
    legal_pages(db).await?;
    tracing::info!(created = report.created, existing = report.existing, "demo community loaded");
    Ok(report)
}

/// The demo's terms of use and privacy notice, as an admin would write them; only where none
/// were written.
async fn legal_pages(db: &Db) -> anyhow::Result<()> {
    let mut s = db.site_settings().await?;
    if !s.terms.is_empty() || !s.privacy.is_empty() {
        return Ok(());
    }
    s.terms = "This is a demo community: every member, group and event in it is made up, and anything \
               you add may be wiped.\n\n- Be kind, and keep what members share in confidence.\n\
               - No selling in groups unless the group says so.\n"
        .into();
    s.privacy = "This demo keeps what you enter here on the machine it runs on, and sends no data \
                 anywhere else. Your profile fields show only to the people you choose in your \
                 settings. Delete your account from the settings page and everything of yours goes.\n"
        .into();
    db.save_site_settings(&s).await?;
    Ok(())
}

/// A few partnerships and favourites around the first demo member, so "My partners" shows each
/// state. Only added once: skipped when the first member has any partnership.
async fn partners(db: &Db) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for i in 0..4 {
        match db.user_by_email(&email(i)).await? {
            Some(u) => ids.push(u.id),
            None => return Ok(()),
        }
    }
    if !db.partnerships_of(&ids[0]).await?.is_empty() {
        return Ok(());
    }
    let now = crate::web::now_ms();
    let weekly = "Shall we check in on our goals every Monday morning?";
    let p = db.request_partnership(&ids[0], &ids[1], "accountability", weekly, now).await?;
    db.set_partnership_status(&p, &["requested"], "accepted", now).await?;
    db.request_partnership(&ids[2], &ids[0], "coworking", "Library table on Thursdays?", now).await?;
    db.request_partnership(&ids[0], &ids[3], "referral", "We serve the same clients.", now).await?;
    db.add_favourite(&ids[0], &ids[1], now).await?;
    db.add_favourite(&ids[1], &ids[0], now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_city_is_in_the_gazetteer() {
        for label in CITIES {
            assert!(Gazetteer::bundled().resolve(label).is_some(), "{label}");
        }
    }
}
