//! The pairing job: at each booked slot's lock time (`slot_lock_minutes` before the start) the
//! open bookings of the slot are paired by maximum-weight matching (`domain::matching`), and
//! each pair gets a one-to-one virtual event with both answered "going" and their goals filled in.
//! Later bookings for a locked slot are paired with whoever is still open, until the start.
//!
//! Every instance runs the job; the store claims the slot in the same transaction as the pairs it
//! makes, so each slot is locked exactly once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use domain::notices::Kind;
use domain::partners::{rate, Between, Member, Mode, Week, WEIGHTS};
use domain::profile::Company;
use store::bookings::{Booking, Paired, Pairing, Plan, Slot};
use store::events::EventFields;
use store::notifications::Outgoing;
use store::users::Profile;
use tokio::sync::watch;

use crate::events::input::format_local;
use crate::events::view::when;
use crate::notifications::{recipient_of, Mail, Recipient};
use crate::state::AppState;
use crate::web::dates::on_clock;

/// Points a pair gets when one marked the other a favourite (twice that when both did): more than
/// any score difference, so favourites are strongly preferred.
const FAVOURITE: u32 = 150;
/// The most a pair can get from score and favourites.
const MOST: u32 = 100 + 2 * FAVOURITE;

/// Pairs every slot due at `now`; returns the pairs made.
pub async fn pair_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let lead = state.config.slot_lock_minutes.max(0) * 60_000;
    let mut made = 0;
    for (slot, lock) in state.db.slots_to_pair(now.timestamp_millis(), lead).await? {
        if let Some(p) = pair(state, slot, lock, now).await? {
            made += p.pairs;
        }
    }
    Ok(made)
}

/// Pairs one slot's open bookings; `lock` when this is the slot's lock (not a later pass).
/// `None` when another runner locked it first.
pub async fn pair(
    state: &AppState,
    slot: Slot,
    lock: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Paired>> {
    let open = state.db.open_bookings(slot).await?;
    let mut profiles: HashMap<String, Profile> = HashMap::new();
    for b in &open {
        if !profiles.contains_key(&b.user_id) {
            if let Some(p) = state.db.profile(&b.user_id).await? {
                profiles.insert(b.user_id.clone(), p);
            }
        }
    }
    let ids: Vec<String> = profiles.keys().cloned().collect();
    let favourites: HashSet<(String, String)> = state.db.favourites_among(&ids).await?.into_iter().collect();
    let blocks: HashSet<(String, String)> = state.db.blocks_among(&ids).await?.into_iter().collect();
    let records = super::records(state, Some(&ids)).await?;
    let week = Week::containing(now);
    let members: HashMap<&str, Member> = profiles
        .iter()
        .map(|(id, p)| {
            let u = &p.user;
            let m = Member {
                offers: p.offers.clone(),
                needs: p.needs.clone(),
                windows: p.windows.clone(),
                zone: u.timezone.parse().unwrap_or(Tz::UTC),
                coords: None,
                in_person: false,
                is_virtual: true,
                company: Company::parse(&u.company).unwrap_or_default(),
                reliability: records.get(id).and_then(|r| r.share()),
            };
            (id.as_str(), m)
        })
        .collect();
    let prepared: HashMap<&str, _> = members.iter().map(|(id, m)| (*id, week.prepare(m))).collect();
    // The weight of each allowed pair of members, by their ids.
    let mut weight: HashMap<(&str, &str), u32> = HashMap::new();
    for (a, pa) in &profiles {
        for (b, pb) in &profiles {
            if a >= b || !allowed(pa, pb, &favourites, &blocks) {
                continue;
            }
            // Both are taken as working online here, so the score always exists.
            let score = rate(
                &WEIGHTS,
                &prepared[a.as_str()],
                &prepared[b.as_str()],
                Between::default(),
                Mode::Virtual,
            )
            .map_or(0, |s| s.score);
            let fav = |x: &str, y: &str| {
                if favourites.contains(&(x.to_owned(), y.to_owned())) {
                    FAVOURITE
                } else {
                    0
                }
            };
            weight.insert((a.as_str(), b.as_str()), score + fav(a, b) + fav(b, a));
        }
    }
    let base = state.config.public_url();
    // Never stamp mail in the future (a pass for a simulated later `now` still sends at once).
    let stamp = now.timestamp_millis().min(crate::web::now_ms());
    let mut recipients = HashMap::new();
    for (id, p) in &profiles {
        let email = Some(p.user.email.clone());
        let r = recipient_of(state, id, email, &p.user.timezone, stamp).await?;
        recipients.insert(id.clone(), r);
    }
    let to = Told { recipients: &recipients, base: &base };
    let planned = |bookings: &[Booking]| plan(bookings, &profiles, &weight, slot, lock, &to);
    let done = state.db.pair_slot(slot, lock, stamp, planned).await?;
    if done.is_some_and(|d| d.pairs > 0 || (lock && d.unmatched > 0)) {
        state.mail_wakeup.notify_one();
    }
    Ok(done)
}

/// May these two be paired? Not when either blocked the other, when either takes bookings from
/// nobody or only from favourites the other is not, or when one wants quiet and the other chat.
fn allowed(
    a: &Profile,
    b: &Profile,
    favourites: &HashSet<(String, String)>,
    blocks: &HashSet<(String, String)>,
) -> bool {
    let (ia, ib) = (a.user.id.clone(), b.user.id.clone());
    if blocks.contains(&(ia.clone(), ib.clone())) || blocks.contains(&(ib.clone(), ia.clone())) {
        return false;
    }
    let takes = |p: &Profile, other: &String| match p.user.bookable_by.as_str() {
        "nobody" => false,
        "favourites" => favourites.contains(&(p.user.id.clone(), other.clone())),
        _ => true,
    };
    let quiet_chatty = matches!(
        (Company::parse(&a.user.company), Company::parse(&b.user.company)),
        (Ok(Company::Quiet), Ok(Company::Chatty)) | (Ok(Company::Chatty), Ok(Company::Quiet))
    );
    takes(a, &ib) && takes(b, &ia) && !quiet_chatty
}

/// Who is told what, as each wants their partner news (read before the pairing transaction).
struct Told<'a> {
    recipients: &'a HashMap<String, Recipient>,
    base: &'a str,
}

impl Told<'_> {
    fn of(&self, user: &str, kind: Kind, title: &str, link: &str, body: &str) -> Option<Outgoing> {
        self.recipients.get(user)?.outgoing(kind, title, link, Some(Mail { subject: title, body }))
    }
}

/// Chooses the pairs among the bookings open inside the pairing transaction.
fn plan(
    bookings: &[Booking],
    profiles: &HashMap<String, Profile>,
    weight: &HashMap<(&str, &str), u32>,
    slot: Slot,
    lock: bool,
    to: &Told<'_>,
) -> Plan {
    let base = to.base;
    // Any allowed pair outweighs every difference of score, so the most people get a partner;
    // among matchings of as many pairs, the best scores and favourites win.
    let pairs_possible = u32::try_from(bookings.len() / 2 + 1).unwrap_or(u32::MAX);
    let floor = (MOST + 1).saturating_mul(pairs_possible);
    let mut edges = Vec::new();
    for (i, a) in bookings.iter().enumerate() {
        for (j, b) in bookings.iter().enumerate().skip(i + 1) {
            let key = if a.user_id < b.user_id {
                (a.user_id.as_str(), b.user_id.as_str())
            } else {
                (b.user_id.as_str(), a.user_id.as_str())
            };
            // A booking made after the weights were worked out has none: it waits for the next pass.
            if let Some(w) = weight.get(&key) {
                edges.push((i, j, floor.saturating_add(*w)));
            }
        }
    }
    let start = DateTime::from_timestamp_millis(slot.starts_at).unwrap_or_default();
    let mut out = Plan::default();
    let mut paired = vec![false; bookings.len()];
    for (i, j) in domain::matching::pair(bookings.len(), &edges) {
        let (a, b) = (&bookings[i], &bookings[j]);
        let (Some(pa), Some(pb)) = (profiles.get(&a.user_id), profiles.get(&b.user_id)) else { continue };
        paired[i] = true;
        paired[j] = true;
        let event_id = store::new_id();
        let zone: Tz = pa.user.timezone.parse().unwrap_or(Tz::UTC);
        let local = start.with_timezone(&zone).naive_local();
        // A wall time that occurs twice (autumn) reads as the first: keep the event in UTC then.
        let (zone, local) = if zone.from_local_datetime(&local).earliest().map(|t| t.to_utc()) == Some(start)
        {
            (zone, local)
        } else {
            (Tz::UTC, start.naive_utc())
        };
        let names = format!("{} & {}", pa.user.display_name, pb.user.display_name);
        let event = EventFields {
            kind: "cowork".into(),
            title: format!("Focus session: {names}"),
            description: format!(
                "Paired from your slot bookings.\n\n{}: {}\n{}: {}",
                pa.user.display_name, a.goal, pb.user.display_name, b.goal
            ),
            is_virtual: true,
            place_name: String::new(),
            city_id: None,
            city_label: String::new(),
            video_url: String::new(),
            start_local: format_local(local),
            time_zone: zone.name().to_owned(),
            duration_minutes: slot.duration_minutes,
            rrule: String::new(),
            exdates: String::new(),
            first_start_at: slot.starts_at,
            last_end_at: Some(slot.starts_at + slot.duration_minutes * 60_000),
            capacity: Some(2),
            visibility: "invite".into(),
            group_id: None,
            venue_id: None,
            venue_rotation: String::new(),
        };
        let link = format!("/events/{event_id}?at={}", slot.starts_at);
        for (me, other, goal) in [(pa, pb, &b.goal), (pb, pa, &a.goal)] {
            let at = on_clock(&me.user.clock, || when(start, &me.user.timezone, &me.user.timezone));
            let title = format!("Matched with {} for {at}", other.user.display_name);
            let body = format!(
                "Hello {},\n\nYou are paired with {} for {} minutes at {at}.\nTheir goal: {goal}\n\n{base}{link}\n",
                me.user.display_name, other.user.display_name, slot.duration_minutes
            );
            out.notices.extend(to.of(&me.user.id, Kind::MatchFound, &title, &link, &body));
        }
        out.pairs.push(Pairing {
            a: a.id.clone(),
            b: b.id.clone(),
            event_id,
            host_id: pa.user.id.clone(),
            event,
        });
    }
    if lock {
        for (b, _) in bookings.iter().zip(&paired).filter(|(_, p)| !**p) {
            let Some(p) = profiles.get(&b.user_id) else { continue };
            let at = on_clock(&p.user.clock, || when(start, &p.user.timezone, &p.user.timezone));
            let title = format!("No partner yet for {at}");
            let body = format!(
                "Hello {},\n\nNobody could be paired with you for {at} yet. Your booking stays open: \
                 if someone books the slot before it starts, you will be paired and told.\n\n{base}/bookings\n",
                p.user.display_name
            );
            out.notices.extend(to.of(&p.user.id, Kind::MatchPending, &title, "/bookings", &body));
        }
    }
    out
}

/// The background job: pairs due slots every `slot_poll_ms` until shutdown.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_millis(state.config.slot_poll_ms.max(500));
    loop {
        if let Err(e) = pair_due(&state, Utc::now()).await {
            tracing::error!(error = ?e, "pairing job failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// When a slot locks.
pub fn lock_time(state: &AppState, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    starts_at - TimeDelta::minutes(state.config.slot_lock_minutes.max(0))
}
