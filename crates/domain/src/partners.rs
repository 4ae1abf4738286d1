//! Partner suggestions: how well two members would work together, as a score from 0 to 100 with
//! its reasons in plain words ("offers SEO — you need SEO", "both free Wednesday evenings",
//! "about 12 km away").
//!
//! The parts, each capped, are added up and then clamped: complementary skills (either way),
//! overlapping weekly availability, distance (in person) or time-zone gap (virtual), reliability,
//! shared groups and referrals passed, matching taste in company; meeting often lately costs
//! points so suggestions do not repeat the same few people. Every weight lives in [`WEIGHTS`].
//!
//! Availability is compared on the time line, not by weekday names: each member's windows are
//! placed in their own zone on one week of UTC time, so "Wednesday 18:00 in Lisbon" and
//! "Wednesday 19:00 in Berlin" are one overlapping hour, and the reason is said in the viewer's
//! zone. Any seven consecutive days hold each weekly window once, so a member is placed once per
//! week (see [`Week::prepare`]) and scored against any number of others. Reasons are kept as data
//! while scoring and put into words only for the pairs shown.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::geo::distance_km;
use crate::profile::{Company, Window};
use crate::timefinding::Invitee;

mod search;
mod words;

pub use search::{top, SkillIndex};
use words::word;

/// How much each part of the score weighs. Change them here and only here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Points for each skill one offers that the other needs (either way).
    pub per_skill: f64,
    /// The most the skills part gives.
    pub skills_cap: f64,
    /// Points for each hour a week both are free.
    pub per_shared_hour: f64,
    /// The most the availability part gives.
    pub availability_cap: f64,
    /// Points for living in the same place, falling to nothing at `max_km`.
    pub nearby: f64,
    /// Farther than this, two members are not suggested to meet in person.
    pub max_km: f64,
    /// Points for sharing a time zone (virtual), falling to nothing at `max_gap_hours`.
    pub same_zone: f64,
    /// The time-zone gap at which the zone part gives nothing.
    pub max_gap_hours: f64,
    /// Points for keeping every session; scaled by the share kept.
    pub reliability: f64,
    /// Points for someone without a history yet.
    pub new_member_reliability: f64,
    /// Points for each group both are in, and the most that gives.
    pub per_shared_group: f64,
    pub shared_groups_cap: f64,
    /// Points for each referral passed between the two, and the most that gives.
    pub per_referral: f64,
    pub referrals_cap: f64,
    /// Points when both like the same kind of company (quiet or chatty).
    pub same_company: f64,
    /// Points lost when one wants quiet and the other chatty.
    pub clashing_company: f64,
    /// Points lost for each session the two had together lately, and the most lost.
    pub per_recent_session: f64,
    pub recent_cap: f64,
}

/// The weights in use.
pub const WEIGHTS: Weights = Weights {
    per_skill: 15.0,
    skills_cap: 40.0,
    per_shared_hour: 2.0,
    availability_cap: 20.0,
    nearby: 15.0,
    max_km: 50.0,
    same_zone: 15.0,
    max_gap_hours: 8.0,
    reliability: 10.0,
    new_member_reliability: 6.0,
    per_shared_group: 4.0,
    shared_groups_cap: 8.0,
    per_referral: 3.0,
    referrals_cap: 9.0,
    same_company: 3.0,
    clashing_company: 10.0,
    per_recent_session: 6.0,
    recent_cap: 24.0,
};

/// How the two would meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At a café, library or coworking space: both must meet in person and have a city.
    InPerson,
    /// In a virtual room: both must work online.
    Virtual,
}

/// What the score needs to know of one member.
#[derive(Debug, Clone)]
pub struct Member {
    /// Skills offered and help wanted, as stored (lower case).
    pub offers: Vec<String>,
    pub needs: Vec<String>,
    /// Weekly windows when usually free, in `zone`.
    pub windows: Vec<Window>,
    pub zone: Tz,
    /// The city's coordinates (latitude, longitude), if a city is set.
    pub coords: Option<(f64, f64)>,
    pub in_person: bool,
    pub is_virtual: bool,
    pub company: Company,
    /// Share of recent sessions kept (0 to 1); `None` without a history.
    pub reliability: Option<f64>,
}

/// What two members share already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Between {
    /// Referrals passed either way in the last year.
    pub referrals: u32,
    /// Groups both belong to.
    pub shared_groups: u32,
    /// Sessions the two attended together lately.
    pub recent_sessions: u32,
}

/// A scored pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// 0 to 100.
    pub score: u32,
    /// Why, most important first, said to the viewer about the other member.
    pub reasons: Vec<String>,
}

/// A member made ready for scoring: their free time placed on the time line of one week.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    member: &'a Member,
    /// Free intervals in seconds since the epoch, sorted and disjoint.
    free: Vec<(i64, i64)>,
    /// Their sum: no pair can share more.
    free_seconds: i64,
    offers: HashSet<&'a str>,
    needs: HashSet<&'a str>,
    /// UTC offset in seconds at the reference instant.
    offset: i32,
}

/// The week of time line that availability is compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Week {
    /// The UTC week (Monday 00:00 to Monday 00:00) that contains `at`.
    pub fn containing(at: DateTime<Utc>) -> Week {
        let day = at.date_naive();
        let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
        let from = monday.and_time(NaiveTime::MIN).and_utc();
        Week { from, to: from + TimeDelta::days(7) }
    }

    /// Places `member` on this week.
    pub fn prepare<'a>(&self, member: &'a Member) -> Prepared<'a> {
        let invitee = Invitee { zone: member.zone, windows: member.windows.clone(), busy: Vec::new() };
        let free = invitee
            .free_between(self.from, self.to)
            .into_iter()
            .map(|(a, b)| (a.timestamp(), b.timestamp()))
            .collect::<Vec<_>>();
        let free_seconds = free.iter().map(|(a, b)| b - a).sum();
        // Mid-week, so a change of clocks at either end of the week does not decide it.
        let offset = offset_seconds(member.zone, self.from + TimeDelta::days(3));
        Prepared {
            member,
            free,
            free_seconds,
            offers: member.offers.iter().map(String::as_str).collect(),
            needs: member.needs.iter().map(String::as_str).collect(),
            offset,
        }
    }
}

fn offset_seconds(zone: Tz, at: DateTime<Utc>) -> i32 {
    let local = at.with_timezone(&zone).naive_local();
    i32::try_from((local - at.naive_utc()).num_seconds()).unwrap_or(0)
}

/// The most any pair can get without a single skill in common: lets a search skip members who
/// cannot beat what it already has.
pub fn max_without_skills(w: &Weights) -> f64 {
    w.availability_cap
        + w.nearby.max(w.same_zone)
        + w.reliability.max(w.new_member_reliability)
        + w.shared_groups_cap
        + w.referrals_cap
        + w.same_company
}

/// Why a pair scored, kept as data until it is put into words.
#[derive(Debug, Clone, PartialEq)]
enum Why {
    Distance(f64),
    SameZone,
    ZoneGap(f64),
    Skills { given: Vec<String>, taken: Vec<String> },
    Shared(Vec<(i64, i64)>),
    Reliable,
    Groups(u32),
    Referrals(u32),
    Company(Company),
}

/// A pair's score with its reasons not yet worded.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// 0 to 100.
    pub score: u32,
    whys: Vec<(f64, Why)>,
}

impl Scored {
    /// The reasons in words, the strongest first, said in `viewer_zone`.
    pub fn explain(&self, viewer_zone: Tz) -> Suggestion {
        let reasons = self.whys.iter().map(|(_, why)| word(why, viewer_zone)).collect();
        Suggestion { score: self.score, reasons }
    }
}

/// Scores `them` for `me` and words the reasons in `me`'s zone, or `None` when they cannot meet
/// this way (one of them does not meet in person, has no city, or lives farther than
/// [`Weights::max_km`]; or one does not work online).
pub fn score(me: &Prepared<'_>, them: &Prepared<'_>, between: Between, mode: Mode) -> Option<Suggestion> {
    Some(rate(&WEIGHTS, me, them, between, mode)?.explain(me.member.zone))
}

/// The score of a pair with `w`, reasons not yet worded; see [`score`].
pub fn rate(
    w: &Weights,
    me: &Prepared<'_>,
    them: &Prepared<'_>,
    between: Between,
    mode: Mode,
) -> Option<Scored> {
    let mut whys = Vec::new();
    let total = tally(w, me, them, between, mode, Some(&mut whys), Depth::Score)?;
    whys.sort_by(|a, b| b.0.total_cmp(&a.0));
    Some(Scored { score: clamp(total), whys })
}

/// 0 to 100; clamped first, so the cast cannot truncate.
fn clamp(total: f64) -> u32 {
    total.clamp(0.0, 100.0).round() as u32
}

/// How far [`tally`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The score, allocating nothing: how [`top`] ranks many candidates.
    Score,
    /// The most the pair could score if they share no skill, without comparing their weeks: how
    /// [`top`] passes over candidates who cannot make the list.
    BoundWithoutSkills,
}

/// Adds up the parts of a pair's score. With `whys`, the reasons are collected too; without, nothing
/// is allocated, which is how [`top`] ranks many candidates before wording the few it keeps.
fn tally(
    w: &Weights,
    me: &Prepared<'_>,
    them: &Prepared<'_>,
    between: Between,
    mode: Mode,
    mut whys: Option<&mut Vec<(f64, Why)>>,
    depth: Depth,
) -> Option<f64> {
    let explain = whys.is_some();
    let mut total = 0.0;
    let mut add = |points: f64, why: Option<Why>| {
        total += points;
        if let (Some(list), Some(why)) = (whys.as_deref_mut(), why) {
            list.push((points, why));
        }
    };
    match mode {
        Mode::InPerson => {
            let (a, b) = (me.member, them.member);
            if !a.in_person || !b.in_person {
                return None;
            }
            let km = distance_km(a.coords?, b.coords?);
            if km > w.max_km {
                return None;
            }
            add(w.nearby * (1.0 - km / w.max_km), Some(Why::Distance(km)));
        }
        Mode::Virtual => {
            if !me.member.is_virtual || !them.member.is_virtual {
                return None;
            }
            let gap = f64::from((me.offset - them.offset).unsigned_abs()) / 3600.0;
            let points = w.same_zone * (1.0 - gap / w.max_gap_hours).max(0.0);
            let why = if gap < 0.5 { Some(Why::SameZone) } else { (gap <= 3.0).then_some(Why::ZoneGap(gap)) };
            add(points, why);
        }
    }
    if depth == Depth::BoundWithoutSkills {
        let most = me.free_seconds.min(them.free_seconds) as f64 / 3600.0 * w.per_shared_hour;
        add(most.min(w.availability_cap), None);
    } else {
        let (points, why) = skills(w, me, them, explain);
        add(points, why);
        let (points, why) = availability(w, me, them, explain);
        add(points, why);
    }
    let (points, why) = reliability(w, them.member.reliability);
    add(points, why);
    let groups = (f64::from(between.shared_groups) * w.per_shared_group).min(w.shared_groups_cap);
    add(groups, (between.shared_groups > 0).then_some(Why::Groups(between.shared_groups)));
    let referrals = (f64::from(between.referrals) * w.per_referral).min(w.referrals_cap);
    add(referrals, (between.referrals > 0).then_some(Why::Referrals(between.referrals)));
    let (points, why) = company(w, me.member.company, them.member.company);
    add(points, why);
    let recent = (f64::from(between.recent_sessions) * w.per_recent_session).min(w.recent_cap);
    add(-recent, None);
    Some(total)
}

fn skills(w: &Weights, me: &Prepared<'_>, them: &Prepared<'_>, explain: bool) -> (f64, Option<Why>) {
    let count = them.offers.iter().filter(|s| me.needs.contains(*s)).count()
        + me.offers.iter().filter(|s| them.needs.contains(*s)).count();
    if count == 0 {
        return (0.0, None);
    }
    let points = (count as f64 * w.per_skill).min(w.skills_cap);
    if !explain {
        return (points, None);
    }
    let mut given: Vec<String> = them.offers.intersection(&me.needs).map(|s| (*s).to_owned()).collect();
    let mut taken: Vec<String> = me.offers.intersection(&them.needs).map(|s| (*s).to_owned()).collect();
    given.sort_unstable();
    taken.sort_unstable();
    (points, Some(Why::Skills { given, taken }))
}

fn availability(w: &Weights, me: &Prepared<'_>, them: &Prepared<'_>, explain: bool) -> (f64, Option<Why>) {
    // Both lists are sorted and disjoint: walk them together.
    let (mut i, mut j) = (0, 0);
    let mut seconds = 0;
    let mut shared = Vec::new();
    while i < me.free.len() && j < them.free.len() {
        let (a, b) = (me.free[i], them.free[j]);
        let (start, end) = (a.0.max(b.0), a.1.min(b.1));
        if start < end {
            seconds += end - start;
            if explain {
                shared.push((start, end));
            }
        }
        if a.1 < b.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    if seconds < 30 * 60 {
        return (0.0, None);
    }
    let points = (seconds as f64 / 3600.0 * w.per_shared_hour).min(w.availability_cap);
    (points, explain.then_some(Why::Shared(shared)))
}

fn reliability(w: &Weights, kept: Option<f64>) -> (f64, Option<Why>) {
    match kept {
        None => (w.new_member_reliability, None),
        Some(share) => {
            let share = share.clamp(0.0, 1.0);
            (w.reliability * share, (share >= 0.95).then_some(Why::Reliable))
        }
    }
}

fn company(w: &Weights, a: Company, b: Company) -> (f64, Option<Why>) {
    match (a, b) {
        (Company::Quiet, Company::Quiet) | (Company::Chatty, Company::Chatty) => {
            (w.same_company, Some(Why::Company(a)))
        }
        (Company::Quiet, Company::Chatty) | (Company::Chatty, Company::Quiet) => (-w.clashing_company, None),
        _ => (0.0, None),
    }
}
