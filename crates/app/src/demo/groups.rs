//! The demo community's groups: a WordPress meetup, a writers' circle, a referral chapter that
//! takes requests, an invite-only mastermind and more, with weekly meetings and a discussion of
//! every kind of post. Their weekly meetings (`sessions`) meet at venues from the directory
//! or online, and began weeks ago, so reliability badges say something. Added once: skipped when
//! the first demo member is in any group.

use store::groups::GroupFields;
use store::Db;

use super::sessions::{Place, Weekly};

/// The group whose weekly board the demo fills (see `goals`).
pub const BOARD_GROUP: &str = "WordPress Freelancers Lisbon";

struct DemoGroup {
    name: &'static str,
    description: &'static str,
    topics: &'static [&'static str],
    /// None: virtual.
    city: Option<&'static str>,
    zone: &'static str,
    visibility: &'static str,
    organiser: usize,
    members: std::ops::Range<usize>,
    /// A weekly meeting: title, weekday offset from Monday, hour, members only, where.
    meeting: (&'static str, i64, u32, bool, Place),
}

const GROUPS: [DemoGroup; 6] = [
    DemoGroup {
        name: "WordPress Freelancers Lisbon",
        description: "Designers, developers and writers who build with WordPress. We cowork on Wednesdays and trade referrals.",
        topics: &["wordpress", "web design", "referrals"],
        city: Some("Lisbon, Portugal"),
        zone: "Europe/Lisbon",
        visibility: "open",
        organiser: 0,
        members: 1..18,
        meeting: ("Wednesday coworking at the library", 2, 18, false, Place::Venues(&["Biblioteca Camões"])),
    },
    DemoGroup {
        name: "Quiet Writers' Circle",
        description: "Copywriters and authors. Two focused hours, cameras optional, then ten minutes of chat.",
        topics: &["copywriting", "writing"],
        city: None,
        zone: "Europe/London",
        visibility: "open",
        organiser: 7,
        members: 0..40,
        meeting: ("Writing sprint", 1, 9, false, Place::Online),
    },
    DemoGroup {
        name: "Porto Referral Chapter",
        description: "A BNI-style chapter for solo professionals in Porto. Ask to join and say what you do.",
        topics: &["referrals", "networking"],
        city: Some("Porto, Portugal"),
        zone: "Europe/Lisbon",
        visibility: "request",
        organiser: 11,
        members: 20..34,
        meeting: ("Chapter breakfast", 4, 8, true, Place::Venues(&["Café Ceuta"])),
    },
    DemoGroup {
        name: "Solo Bookkeepers Online",
        description: "Month-end is lonely. Weekly accountability check-ins for bookkeepers and accountants.",
        topics: &["bookkeeping", "accountability"],
        city: None,
        zone: "America/New_York",
        visibility: "open",
        organiser: 30,
        members: 40..60,
        meeting: ("Monday accountability check-in", 0, 12, false, Place::Online),
    },
    DemoGroup {
        name: "Mastermind Six",
        description: "Six freelancers holding each other to quarterly goals. By invitation.",
        topics: &["accountability", "goals"],
        city: None,
        zone: "Europe/Lisbon",
        visibility: "invite",
        organiser: 0,
        members: 1..6,
        meeting: ("Mastermind call", 3, 17, true, Place::Online),
    },
    DemoGroup {
        name: "Berlin Coworking Mornings",
        description: "Quiet cafés, a different one each month, never the one by your house.",
        topics: &["coworking"],
        city: Some("Berlin, Germany"),
        zone: "Europe/Berlin",
        visibility: "open",
        organiser: 60,
        members: 61..80,
        meeting: ("Coworking morning", 2, 9, false, Place::Venues(&["St. Oberholz", "Stadtbibliothek Mitte"])),
    },
];

/// (group, author, kind, title, body, confidential)
const POSTS: [(usize, usize, &str, &str, &str, bool); 8] = [
    (
        0,
        2,
        "ask",
        "Who knows a good accessibility checker?",
        "A client asks for **WCAG AA**. What do you run before launch?",
        false,
    ),
    (
        0,
        3,
        "win",
        "Signed a retainer!",
        "Three months of maintenance for a bakery chain. Thank you for the pricing advice.",
        false,
    ),
    (
        0,
        0,
        "shoutout",
        "Thank you, Ben",
        "Ben sent me two clients this month. If you need a copywriter, ask him.",
        false,
    ),
    (
        0,
        4,
        "idea",
        "Quarterly portfolio review",
        "Shall we spend one session a quarter reviewing each other's portfolios?",
        false,
    ),
    (
        0,
        5,
        "offer",
        "Free hour of SEO help",
        "I have an hour on Friday for anyone stuck with search rankings.",
        false,
    ),
    (
        1,
        8,
        "struggle",
        "Losing my mornings",
        "I keep answering emails until noon. How do you protect writing time?",
        false,
    ),
    (
        4,
        1,
        "struggle",
        "A client hasn't paid in 90 days",
        "It's keeping me up at night. What did you do when this happened?",
        true,
    ),
    (2, 21, "ask", "Accountant for a new business?", "Looking for a recommendation in Porto.", false),
];

/// Adds the demo groups once. `ids` are the demo members' ids in order.
pub async fn load(db: &Db, ids: &[String]) -> anyhow::Result<()> {
    let Some(first) = ids.first() else { return Ok(()) };
    if !db.groups_of(first).await?.is_empty() {
        return Ok(());
    }
    let now = crate::web::now_ms();
    let gazetteer = domain::geo::Gazetteer::bundled();
    let mut group_ids = Vec::new();
    for g in &GROUPS {
        let city = g.city.and_then(|c| gazetteer.resolve(c));
        let fields = GroupFields {
            name: g.name.into(),
            description: g.description.into(),
            is_virtual: city.is_none(),
            city_id: city.map(|c| c.id),
            city_label: city.map(|c| c.label()).unwrap_or_default(),
            time_zone: g.zone.into(),
            visibility: g.visibility.into(),
            members_public: g.visibility == "open",
            topics: g.topics.iter().map(|t| (*t).to_owned()).collect(),
        };
        let organiser = &ids[g.organiser % ids.len()];
        // Founded, and joined, before the weekly meetings began (`sessions::PAST_WEEKS`).
        let founded = now - (super::sessions::PAST_WEEKS + 2) * 7 * 86_400_000;
        let id = db.create_group(organiser, &fields, founded).await?;
        for i in g.members.clone() {
            db.add_member(&id, &ids[i % ids.len()], founded).await?;
        }
        if let Some(m) = ids.get(g.members.start) {
            db.set_role(&id, m, "moderator").await?;
        }
        let (title, weekday, hour, members_only, place) = g.meeting;
        let visibility = if members_only || g.visibility == "invite" { "group" } else { "public" };
        let weekly = Weekly { title, weekday, hour, zone: g.zone, visibility, group: Some(&id), place };
        let event = super::sessions::weekly(db, &weekly, organiser).await?;
        // Open and by-request groups, and their public meetings, are shown to visitors.
        if g.visibility != "invite" {
            db.set_group_shown(&id, true).await?;
        }
        if visibility == "public" {
            db.set_event_shown(&event, true).await?;
        }
        let members: Vec<String> = g.members.clone().map(|i| ids[i % ids.len()].clone()).collect();
        super::sessions::history(db, &event, &members).await?;
        group_ids.push(id);
    }
    // The WordPress group's organiser pinned an announcement yesterday.
    let words = "**We move upstairs from January**: the library gave us the reading room on the top floor. \
                 Same time, Wednesdays at 18:00. Bring a charger, the sockets are by the windows.";
    let scope = store::broadcasts::Scope::Group(&group_ids[0]);
    db.create_broadcast(scope, first, words, crate::groups::announcements::PER_DAY, now - 86_400_000).await?;
    // The first member waits for an answer from the referral chapter, and follows the writers.
    db.request_to_join(&group_ids[2], first, "I build websites and refer copywriters a lot.", now).await?;
    db.set_following(&group_ids[1], first, true, now).await?;
    for (i, (g, author, kind, title, body, confidential)) in POSTS.iter().enumerate() {
        let at = now - (POSTS.len() - i) as i64 * 3_600_000;
        let post =
            db.create_post(&group_ids[*g], &ids[*author], kind, title, body, *confidential, at).await?;
        if *kind == "ask" || *kind == "struggle" {
            let helper = &ids[(author + 1) % ids.len()];
            let words = "Been there. Happy to share what worked for me — shall we talk at the next session?";
            let reply = db.create_reply(&post, helper, words, at + 600_000).await?;
            db.set_helped(&reply, &post, &ids[*author], true, at + 900_000).await?;
        }
    }
    Ok(())
}
