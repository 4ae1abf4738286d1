//! The demo community's weekly sessions: each group's meeting (`groups`) and two sessions of
//! no group, at venues from the directory (`venues`) or online, begun [`PAST_WEEKS`] ago,
//! with the dates that went by as they went (most came, a few cancelled late or did not turn up,
//! goals stated and mostly done), and people going to the next ones. Also the focus slots members
//! booked over the next days, so the board has something on it.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use store::bookings::Slot;
use store::rsvps::Answer;
use store::Db;

use crate::events::input::{apply, EventInput, PlaceInput, VirtualInput};

/// Weeks of meetings that have happened already.
pub const PAST_WEEKS: i64 = 8;

/// Where a weekly session happens.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Online,
    /// Venues from the directory by name, taken in turn when there are several.
    Venues(&'static [&'static str]),
}

/// A weekly session.
#[derive(Debug, Clone, Copy)]
pub struct Weekly<'a> {
    pub title: &'a str,
    /// Days after Monday.
    pub weekday: i64,
    pub hour: u32,
    pub zone: &'a str,
    /// public | group | invite
    pub visibility: &'a str,
    pub group: Option<&'a str>,
    pub place: Place,
}

/// Sessions of no group: (host, the session, who comes).
const SESSIONS: [(usize, Weekly<'static>, std::ops::Range<usize>); 2] = [
    (
        2,
        Weekly {
            title: "Friday focus at Café Sossego",
            weekday: 4,
            hour: 10,
            zone: "Europe/Lisbon",
            visibility: "public",
            group: None,
            place: Place::Venues(&["Café Sossego"]),
        },
        3..15,
    ),
    (
        21,
        Weekly {
            title: "Tuesday library table",
            weekday: 1,
            hour: 14,
            zone: "Europe/Lisbon",
            visibility: "public",
            group: None,
            place: Place::Venues(&["Biblioteca Almeida Garrett"]),
        },
        22..30,
    ),
];

/// Adds the sessions of no group once (skipped when their first host already hosts the first),
/// and books focus slots for the coming days.
pub async fn load(db: &Db, ids: &[String]) -> anyhow::Result<()> {
    let now = Utc::now();
    let (host, first, _) = &SESSIONS[0];
    let Some(host) = ids.get(*host) else { return Ok(()) };
    let hosted = db
        .events_between(
            host,
            (now - TimeDelta::weeks(PAST_WEEKS + 1)).timestamp_millis(),
            now.timestamp_millis(),
        )
        .await?;
    if !hosted.iter().any(|e| e.title == first.title && e.host_id == *host) {
        for (host, session, people) in &SESSIONS {
            let event = weekly(db, session, &ids[host % ids.len()]).await?;
            db.set_event_shown(&event, true).await?;
            let people: Vec<String> = people.clone().map(|i| ids[i % ids.len()].clone()).collect();
            history(db, &event, &people).await?;
        }
    }
    bookings(db, ids).await
}

/// Makes a weekly session hosted by `host`; returns its id.
pub async fn weekly(db: &Db, w: &Weekly<'_>, host: &str) -> anyhow::Result<String> {
    let today = Utc::now().date_naive();
    let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()) + 7 * PAST_WEEKS);
    let day = monday + TimeDelta::days(w.weekday);
    let mut input: EventInput = serde_json::from_value(serde_json::json!({
        "kind": if w.group.is_some() { "meeting" } else { "cowork" }, "title": w.title,
        "starts_at_local": format!("{day}T{:02}:00", w.hour), "time_zone": w.zone, "preset": "weekly",
        "capacity": 20, "visibility": w.visibility, "group_id": w.group,
    }))?;
    match w.place {
        Place::Online => input.is_virtual = Some(VirtualInput::default()),
        Place::Venues(names) => {
            let all = db.venues(&store::venues::VenueFilter::default(), 200, 0).await?;
            let found: Vec<_> = names.iter().filter_map(|n| all.iter().find(|v| v.name == *n)).collect();
            let first = found.first().ok_or_else(|| anyhow::anyhow!("no demo venue {names:?}"))?;
            input.place = Some(PlaceInput {
                name: first.name.clone(),
                city: first.city_label.clone(),
                venue_id: Some(first.id.clone()),
            });
            if found.len() > 1 {
                input.venue_rotation = Some(found.iter().map(|v| v.id.clone()).collect());
            }
        }
    }
    let fields =
        crate::events::series::with_bounds(apply(&input, None).map_err(|e| anyhow::anyhow!("{e:?}"))?)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(db.create_event(host, &fields, crate::web::now_ms()).await?)
}

/// Goals people bring to a session.
const GOALS: [&str; 6] = [
    "Send the Q1 invoices",
    "Finish the client proposal",
    "Draft two blog posts",
    "Update my portfolio",
    "Clear the inbox to zero",
    "Outline the workshop",
];

/// The session's past dates, as they went: up to twelve of `members` answered going to each
/// (each skips one week in four), a third of them with a goal, most of those done; most came
/// (checked in by the host), a few cancelled on the day or did not turn up. Then people going to the next two dates.
pub async fn history(db: &Db, event: &str, members: &[String]) -> anyhow::Result<()> {
    let e = db.event(event).await?.ok_or_else(|| anyhow::anyhow!("the session just made"))?;
    let first = DateTime::<Utc>::from_timestamp_millis(e.first_start_at).unwrap_or_default();
    let past = crate::events::series::expand(&e, &[], first, Utc::now() - TimeDelta::hours(3));
    const DAY: i64 = 86_400_000;
    for (k, occ) in past.iter().enumerate() {
        for (j, m) in members.iter().take(12).enumerate() {
            if (j + k) % 4 == 3 {
                continue;
            }
            // The first of each list (the demo's own member, in the writers' circle) brings a
            // goal every week; a third of the others do.
            let goal = (j == 0 || (j + k) % 3 == 0).then(|| GOALS[(j + k) % GOALS.len()]);
            db.answer(event, occ.key, m, Answer::Going, goal, e.capacity, false, occ.key - 2 * DAY).await?;
            if (j * 5 + k) % 41 == 7 {
                db.answer(event, occ.key, m, Answer::Declined, None, e.capacity, true, occ.key - DAY / 8)
                    .await?;
            } else if (j * 7 + k) % 47 == 5 {
                db.mark_attendance(event, occ.key, m, false, occ.key + DAY / 12).await?;
            } else {
                // The host checked them in (the group's console counts attendance from this).
                db.mark_attendance(event, occ.key, m, true, occ.key + DAY / 12).await?;
                if goal.is_some() && (j + 2 * k) % 5 != 0 {
                    db.set_goal_done(event, occ.key, m, true, occ.key + DAY / 12).await?;
                }
            }
        }
    }
    let now = Utc::now();
    let coming = crate::events::series::expand(&e, &[], now, now + TimeDelta::days(15));
    for (k, occ) in coming.iter().take(2).enumerate() {
        for (j, m) in members.iter().take(7 - 3 * k).enumerate() {
            let goal = (j % 2 == 0).then(|| GOALS[(j / 2 + k) % GOALS.len()]);
            let at = now.timestamp_millis() - DAY;
            db.answer(event, occ.key, m, Answer::Going, goal, e.capacity, false, at).await?;
        }
    }
    Ok(())
}

/// What demo members booked on the focus board over the next three days: one to three at most
/// working hours in Lisbon, the first member's favourite among them. Skipped while the board
/// shows bookings to the first member already.
async fn bookings(db: &Db, ids: &[String]) -> anyhow::Result<()> {
    const GOALS: [&str; 4] =
        ["Write the case study", "Reconcile November", "Edit the podcast intro", "Plan next week"];
    const HOURS: [u32; 8] = [8, 9, 10, 11, 14, 15, 16, 18];
    let now = Utc::now();
    let stamp = now.timestamp_millis();
    let Some(first) = ids.first() else { return Ok(()) };
    if !db.slot_counts(first, stamp, stamp + 3 * 86_400_000).await?.is_empty() {
        return Ok(());
    }
    let zone = chrono_tz::Europe::Lisbon;
    let today = now.with_timezone(&zone).date_naive();
    let mut n = 0usize;
    for d in 0..3usize {
        let day = today + TimeDelta::days(d as i64);
        for (k, hour) in HOURS.into_iter().enumerate() {
            let start = day.and_hms_opt(hour, 0, 0).and_then(|t| t.and_local_timezone(zone).earliest());
            let Some(start) = start.filter(|s| *s > now + TimeDelta::minutes(30)) else { continue };
            if (d + k) % 3 == 2 {
                continue; // nobody yet
            }
            for _ in 0..1 + (d * 3 + k) % 3 {
                n += 1;
                let who = if n == 3 { 1 } else { 1 + (n * 7) % 60 };
                let Some(user) = ids.get(who) else { continue };
                let slot = Slot { starts_at: start.timestamp_millis(), duration_minutes: [50, 25][n % 2] };
                db.create_booking(user, slot, GOALS[n % GOALS.len()], None, stamp).await?;
            }
        }
    }
    Ok(())
}
