//! Partners (C3): explained suggestions, partnership requests, favourites and who may book me,
//! Focusmate-style slot bookings paired by a background job (`slots.rs`), and reliability badges.
//!
//! The scoring itself is `domain::partners`; this module decides who is in the pool (not me, not
//! suspended, not blocked either way, not someone who only takes bookings from their favourites
//! unless I am one, nobody who takes none) and what of each member the viewer may see: a member
//! whose skills, city or availability are hidden from the viewer is scored without them, so a
//! reason never reveals a hidden field.

pub mod api;
pub mod bookings;
pub mod focus;
pub mod pages;
pub mod partnerships;
pub mod slot_board;
pub mod slots;

use std::collections::{HashMap, HashSet};

use axum::routing::{delete, get, post, put};
use axum::Router;
use chrono::{TimeDelta, Utc};
use chrono_tz::Tz;
use domain::partners::{top, Between, Member, Mode, SkillIndex, Week};
use domain::profile::{Company, Relation, Visibility};
use domain::reliability::{Outcome, Record};
use serde::Serialize;
use store::users::{Profile, User};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// The kinds of partnership, as stored and as shown.
pub const KINDS: [(&str, &str); 3] =
    [("coworking", "Coworking"), ("accountability", "Accountability"), ("referral", "Referrals")];

/// Who may book a member (and ask them to partner), as stored and as shown.
pub const BOOKABLE_BY: [(&str, &str); 3] =
    [("everyone", "Everyone"), ("favourites", "Only my favourites"), ("nobody", "No one")];

/// Most suggestions in one answer.
pub const MAX_LIMIT: usize = 50;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/partners", get(pages::find))
        .route("/partnerships", get(pages::list).post(pages::request))
        .route("/partnerships/{id}/{action}", post(pages::act))
        .route("/members/{id}/favourite", post(pages::favourite))
        .route("/bookings", get(bookings::show).post(bookings::book))
        .route("/bookings/{id}/cancel", post(bookings::cancel_page))
        .route("/events/{id}/leave", post(focus::leave_page))
        .route("/bookings/who-may-book-me", post(bookings::set_bookable_page))
        .route("/api/v1/partners/suggestions", get(api::suggestions))
        .route("/api/v1/partnerships", get(api::partnerships).post(api::request))
        .route("/api/v1/partnerships/{id}/{action}", post(api::act))
        .route("/api/v1/favourites", get(api::favourites))
        .route("/api/v1/favourites/{id}", put(api::add_favourite).delete(api::remove_favourite))
        .route("/api/v1/me/bookable-by", put(api::set_bookable_by))
        .route("/api/v1/bookings", get(bookings::list_api).post(bookings::create_api))
        .route("/api/v1/events/{id}/leave", post(focus::leave_api))
        .route("/api/v1/bookings/{id}", delete(bookings::cancel_api))
}

/// What a member shows next to their name in suggestions and matches.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberCard {
    pub id: String,
    pub display_name: String,
    /// Empty when hidden from the viewer.
    pub trade: String,
    /// Empty when hidden from the viewer.
    pub city: String,
    /// new | reliable | mostly | unreliable
    pub badge: String,
    /// "kept 19 of their last 20 sessions"
    pub reliability: String,
    /// Their photo where the viewer may see it (`/photos/{photo}/64`).
    pub photo: Option<String>,
}

/// One suggested partner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionItem {
    pub member: MemberCard,
    /// 0 to 100.
    pub score: u32,
    /// Why, most important first.
    pub reasons: Vec<String>,
}

/// What the viewer asked for.
#[derive(Debug, Clone)]
pub struct Filters {
    pub mode: Mode,
    /// Only members offering this skill (lower case).
    pub skill: Option<String>,
    /// In person: only members at most this far.
    pub max_km: Option<f64>,
    /// Leave out members I already have this kind of partnership (or request) with.
    pub kind: Option<String>,
    pub limit: usize,
}

/// Reliability records of members (all when `ids` is `None`).
pub async fn records(state: &AppState, ids: Option<&[String]>) -> Result<HashMap<String, Record>, AppError> {
    let mut outcomes: HashMap<String, Vec<Outcome>> = HashMap::new();
    for (user, kind) in state.db.session_outcomes(ids, crate::web::now_ms()).await? {
        let o = match kind.as_str() {
            "no_show" => Outcome::NoShow,
            "late_cancel" => Outcome::LateCancel,
            _ => Outcome::Kept,
        };
        outcomes.entry(user).or_default().push(o);
    }
    Ok(outcomes.into_iter().map(|(u, o)| (u, Record::of(&o))).collect())
}

/// One member's record.
pub async fn record_of(state: &AppState, id: &str) -> Result<Record, AppError> {
    Ok(records(state, Some(&[id.to_owned()])).await?.remove(id).unwrap_or_default())
}

/// The card of a member as `relation` may see it.
pub fn card(u: &User, relation: Relation, record: Record) -> MemberCard {
    let shows = |level: &str| Visibility::parse(level).unwrap_or(Visibility::Everyone).allows(relation);
    MemberCard {
        id: u.id.clone(),
        display_name: u.display_name.clone(),
        trade: if shows(&u.vis_trade) { u.trade.clone() } else { String::new() },
        city: if shows(&u.vis_city) { u.city_label.clone() } else { String::new() },
        badge: record.badge().as_str().to_owned(),
        reliability: record.describe(),
        photo: u.photo_id.clone().filter(|_| shows(&u.vis_photo)),
    }
}

/// The member as the scoring may see them from `relation`.
fn scored_member(p: &Profile, relation: Relation, record: Option<&Record>) -> Member {
    let u = &p.user;
    let shows = |level: &str| Visibility::parse(level).unwrap_or(Visibility::Everyone).allows(relation);
    let skills = shows(&u.vis_skills);
    Member {
        offers: if skills { p.offers.clone() } else { Vec::new() },
        needs: if skills { p.needs.clone() } else { Vec::new() },
        windows: if shows(&u.vis_availability) { p.windows.clone() } else { Vec::new() },
        zone: u.timezone.parse().unwrap_or(Tz::UTC),
        coords: if shows(&u.vis_city) { u.lat.zip(u.lon) } else { None },
        in_person: u.in_person == 1,
        is_virtual: u.is_virtual == 1,
        company: if shows(&u.vis_preferences) {
            Company::parse(&u.company).unwrap_or_default()
        } else {
            Company::Either
        },
        reliability: record.and_then(Record::share),
    }
}

/// The best partners for `me`, explained.
pub async fn suggestions(state: &AppState, me: &User, f: &Filters) -> Result<Vec<SuggestionItem>, AppError> {
    let now = Utc::now();
    let pool = state.db.partner_pool().await?;
    let Some(mine) = pool.iter().find(|p| p.user.id == me.id) else { return Ok(Vec::new()) };
    let blocked: HashSet<String> = state.db.blocked_either_way_of(&me.id).await?.into_iter().collect();
    let mut partners = HashSet::new();
    let mut same_kind = HashSet::new();
    for p in state.db.partnerships_of(&me.id).await? {
        let other = if p.requester_id == me.id { p.partner_id } else { p.requester_id };
        if p.status == "accepted" {
            partners.insert(other.clone());
        }
        if matches!(p.status.as_str(), "accepted" | "requested") && f.kind.as_deref() == Some(p.kind.as_str())
        {
            same_kind.insert(other);
        }
    }
    let favoured_me: HashSet<String> = state
        .db
        .favourites_among(&pool.iter().map(|p| p.user.id.clone()).collect::<Vec<_>>())
        .await?
        .into_iter()
        .filter(|(_, fav)| *fav == me.id)
        .map(|(who, _)| who)
        .collect();
    let records = records(state, None).await?;
    let since = (now - TimeDelta::days(90)).timestamp_millis();
    let shared: HashMap<String, i64> =
        state.db.sessions_shared_with(&me.id, since, now.timestamp_millis()).await?.into_iter().collect();
    let groups: HashMap<String, i64> = state.db.shared_groups(&me.id).await?.into_iter().collect();
    let year_ago = (now - TimeDelta::days(365)).timestamp_millis();
    let referred: HashMap<String, i64> =
        state.db.referrals_either_way(&me.id, year_ago).await?.into_iter().collect();
    let relation = |id: &str| {
        if partners.contains(id) {
            Relation::Partner
        } else if groups.contains_key(id) {
            Relation::GroupMate
        } else {
            Relation::Member
        }
    };

    let me_member = scored_member(mine, Relation::Myself, records.get(&me.id));
    let members: Vec<Member> =
        pool.iter().map(|p| scored_member(p, relation(&p.user.id), records.get(&p.user.id))).collect();
    let week = Week::containing(now);
    let prepared: Vec<_> = members.iter().map(|m| week.prepare(m)).collect();
    let index = SkillIndex::new(&prepared);
    let me_prepared = week.prepare(&me_member);
    let skip = |i: usize| {
        let p = &pool[i];
        let m = &members[i];
        p.user.id == me.id
            || blocked.contains(&p.user.id)
            || same_kind.contains(&p.user.id)
            || match p.user.bookable_by.as_str() {
                "nobody" => true,
                "favourites" => !favoured_me.contains(&p.user.id),
                _ => false,
            }
            || f.skill.as_ref().is_some_and(|s| !m.offers.contains(s))
            || (f.mode == Mode::InPerson
                && f.max_km.is_some_and(|max| match (me_member.coords, m.coords) {
                    (Some(a), Some(b)) => domain::geo::distance_km(a, b) > max,
                    _ => true,
                }))
    };
    let count = |m: &HashMap<String, i64>, i: usize| {
        m.get(&pool[i].user.id).map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    let between = |i: usize| Between {
        recent_sessions: count(&shared, i),
        shared_groups: count(&groups, i),
        referrals: count(&referred, i),
    };
    let best = top(&me_prepared, &prepared, &index, f.mode, f.limit.min(MAX_LIMIT), skip, between);
    Ok(best
        .into_iter()
        .map(|(i, s)| {
            let u = &pool[i].user;
            SuggestionItem {
                member: card(u, relation(&u.id), records.get(&u.id).copied().unwrap_or_default()),
                score: s.score,
                reasons: s.reasons,
            }
        })
        .collect())
}

/// Whether `who` may ask `target` to partner or be paired with them, by `target`'s setting.
pub async fn may_book(state: &AppState, who: &str, target: &User) -> Result<bool, AppError> {
    Ok(match target.bookable_by.as_str() {
        "nobody" => false,
        "favourites" => state.db.favourites_of(&target.id).await?.iter().any(|(id, _)| id == who),
        _ => true,
    })
}

/// My partners data for the data export: who may book me, favourites, partnerships, bookings and
/// the late cancellations and no-shows that make up my reliability.
pub async fn export(state: &AppState, me: &User) -> Result<serde_json::Value, AppError> {
    let favourites = state.db.favourites_of(&me.id).await?;
    let partnerships = state.db.partnerships_of(&me.id).await?;
    let bookings = state.db.bookings_of(&me.id, 0).await?;
    let marks = state.db.reliability_marks(&me.id).await?;
    Ok(serde_json::json!({
        "bookable_by": me.bookable_by,
        "favourites": favourites.iter().map(|(id, name)| serde_json::json!({"id": id, "display_name": name})).collect::<Vec<_>>(),
        "partnerships": partnerships.iter().map(|p| serde_json::json!({
            "id": p.id, "kind": p.kind, "status": p.status, "message": p.message,
            "requester": {"id": p.requester_id, "display_name": p.requester_name},
            "partner": {"id": p.partner_id, "display_name": p.partner_name},
            "created_at": p.created_at, "updated_at": p.updated_at,
        })).collect::<Vec<_>>(),
        "bookings": bookings.iter().map(|b| serde_json::json!({
            "id": b.id, "starts_at": b.starts_at, "duration_minutes": b.duration_minutes, "goal": b.goal,
            "status": b.status, "partner_id": b.partner_id, "event_id": b.event_id, "created_at": b.created_at,
        })).collect::<Vec<_>>(),
        "reliability_marks": marks.iter().map(|(kind, event, at)| serde_json::json!({
            "kind": kind, "event_id": event, "occurrence_start": at,
        })).collect::<Vec<_>>(),
    }))
}
