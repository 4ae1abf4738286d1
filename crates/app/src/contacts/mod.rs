//! Contacts (C8): each member's private list of people — added by hand, or from the attendees of
//! an event they went to with one click — with tags, notes, where they met, and a stay-in-touch
//! cadence. The last contact moves by itself when they go to the same event, log a one-to-one,
//! or pass a referral; an overdue list shows on the dashboard, and a contact falling overdue is
//! a notification (`nudges.rs`). Import and export as vCard and CSV.
//!
//! Contacts are their owner's alone: every read is by owner, so anyone else gets 404.

pub mod api;
pub mod cards;
pub mod nudges;
pub mod pages;
pub mod vcard;

use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::referrals::{check_cadence, due_on, overdue_days};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::contacts::{Contact, ContactFields};
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(pages::list).post(pages::create))
        .route("/contacts/from-event", post(pages::from_event))
        .route("/contacts/export.vcf", get(pages::export_vcf))
        .route("/contacts/export.csv", get(pages::export_csv))
        .route("/contacts/import", post(pages::import))
        .route("/contacts/{id}", get(pages::show).post(pages::edit))
        .route("/contacts/{id}/touch", post(pages::touch))
        .route("/contacts/{id}/delete", post(pages::delete))
        .route("/api/v1/contacts", get(api::list).post(api::create))
        .route("/api/v1/contacts/from-event", post(api::from_event))
        .route("/api/v1/contacts/export", get(api::export))
        .route("/api/v1/contacts/import", post(api::import))
        .route("/api/v1/contacts/{id}", get(api::get).patch(api::patch).delete(api::delete))
        .route("/api/v1/contacts/{id}/touch", post(api::touch))
}

/// A contact as submitted; left-out fields stay as they are when editing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: Option<String>,
    pub email: Option<String>,
    /// As people write it, e.g. "+351 912 345 678"; "" for none.
    pub phone: Option<String>,
    pub company: Option<String>,
    pub trade: Option<String>,
    pub notes: Option<String>,
    /// Where we met, in words.
    pub met_at: Option<String>,
    /// Comma-separated, e.g. "client, designer".
    pub tags: Option<String>,
    /// Stay in touch every this many days (e.g. 42 for six weeks); "" or 0 for none.
    pub cadence_days: Option<String>,
    /// The day we were last in touch, e.g. "2026-11-20" (not in the future, my zone); left out
    /// or "", a new contact is in touch today and an edited one keeps its day.
    pub last_in_touch: Option<String>,
}

/// The zone a member's days are read and written in.
pub fn zone_of(me: &User) -> Tz {
    me.timezone.parse().unwrap_or(chrono_tz::UTC)
}

/// Checks an input against the current fields (an edit) or nothing (a new contact); days are
/// read in `zone`, the owner's.
pub fn apply(
    input: &ContactInput,
    current: Option<ContactFields>,
    zone: Tz,
) -> Result<ContactFields, FieldErrors> {
    let creating = current.is_none();
    let mut f = current.unwrap_or_default();
    let mut e = FieldErrors::new();
    match &input.name {
        Some(n) => match domain::profile::check_name(n, 120) {
            Ok(n) if n.is_empty() => e.add("name", "Give the contact's name."),
            Ok(n) => f.name = n,
            Err(d) => e.add("name", d),
        },
        None if creating => e.add("name", "Give the contact's name."),
        None => {}
    }
    if let Some(m) = &input.email {
        if m.trim().is_empty() {
            f.email.clear();
        } else if let Some(m) = e.check("email", domain::profile::check_email(m)) {
            f.email = m;
        }
    }
    if let Some(p) = &input.phone {
        if p.trim().is_empty() {
            f.phone.clear();
        } else if let Some(p) = e.check("phone", domain::profile::check_phone(p)) {
            f.phone = p;
        }
    }
    if let Some(d) = input.last_in_touch.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        if let Some(at) = e.check("last_in_touch", day_in_touch(d, zone, Utc::now())) {
            f.last_contact_at = Some(at);
        }
    }
    for (field, value, max, slot) in [
        ("company", &input.company, 120, &mut f.company),
        ("trade", &input.trade, 120, &mut f.trade),
        ("notes", &input.notes, 5000, &mut f.notes),
        ("met_at", &input.met_at, 200, &mut f.met_at),
    ] {
        if let Some(v) = value {
            if let Some(v) = e.check(field, domain::profile::check_text(v, max)) {
                *slot = v;
            }
        }
    }
    if let Some(t) = &input.tags {
        if let Some(t) = e.check("tags", domain::profile::parse_tags(t)) {
            f.tags = t;
        }
    }
    if let Some(c) = &input.cadence_days {
        if let Some(c) = e.check("cadence_days", check_cadence(c)) {
            f.cadence_days = c;
        }
    }
    e.into_result().map(|()| f)
}

/// A day we were in touch ("2026-11-20", not after today in `zone`) as the instant stored: noon
/// that day, which no clock change moves to another day.
pub fn day_in_touch(d: &str, zone: Tz, now: DateTime<Utc>) -> Result<i64, String> {
    let day = NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .filter(|d| d.year() >= 1900)
        .ok_or_else(|| "Give a day like 2026-11-20.".to_owned())?;
    if day > now.with_timezone(&zone).date_naive() {
        return Err("Give a day that has come already: it says when you were last in touch.".to_owned());
    }
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    Ok(zone.from_local_datetime(&noon).earliest().map_or(0, |t| t.timestamp_millis()))
}

/// A contact as the owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    /// The member this contact is, if they are one.
    pub member_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub trade: String,
    pub notes: String,
    pub met_at: String,
    pub tags: Vec<String>,
    pub cadence_days: Option<i64>,
    /// The day we were last in touch (logged, or a shared event, one-to-one or referral that
    /// has happened), in my zone; null when we have not been yet (added from an event to come).
    pub last_in_touch: Option<String>,
    /// When a word is due, in my zone; null without a cadence or before we were in touch.
    pub due_on: Option<String>,
    /// Days overdue (positive), or null when not overdue.
    pub overdue_days: Option<i64>,
}

/// The view of `c` for its owner `me`, with `tags`.
pub fn view(me: &User, c: &Contact, tags: Vec<String>) -> ContactView {
    let zone: Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let last = DateTime::<Utc>::from_timestamp_millis(c.last_in_touch).filter(|_| c.last_in_touch > 0);
    let due = last.and_then(|last| due_on(last, c.cadence_days, zone));
    ContactView {
        id: c.id.clone(),
        member_id: c.member_id.clone(),
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        company: c.company.clone(),
        trade: c.trade.clone(),
        notes: c.notes.clone(),
        met_at: c.met_at.clone(),
        tags,
        cadence_days: c.cadence_days,
        last_in_touch: last.map(|l| l.with_timezone(&zone).date_naive().to_string()),
        due_on: due.map(|d| d.to_string()),
        overdue_days: due.map(|d| overdue_days(d, Utc::now(), zone)).filter(|d| *d > 0),
    }
}

/// My contacts (a tag filters), each with its tags.
pub async fn mine(state: &AppState, me: &User, tag: Option<&str>) -> Result<Vec<ContactView>, AppError> {
    let tags = state.db.contact_tags(&me.id).await?;
    Ok(state
        .db
        .contacts(&me.id, tag, now_ms())
        .await?
        .iter()
        .map(|c| view(me, c, tags.iter().filter(|(id, _)| *id == c.id).map(|(_, t)| t.clone()).collect()))
        .collect())
}

/// My contacts due for a word, most overdue first.
pub async fn overdue(state: &AppState, me: &User) -> Result<Vec<ContactView>, AppError> {
    let mut all: Vec<ContactView> =
        mine(state, me, None).await?.into_iter().filter(|c| c.overdue_days.is_some()).collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.overdue_days));
    Ok(all)
}

/// One of my contacts, or 404.
pub async fn one(state: &AppState, me: &User, id: &str) -> Result<(Contact, Vec<String>), AppError> {
    let c = state.db.contact(&me.id, id, now_ms()).await?.ok_or(AppError::NotFound)?;
    let tags = state
        .db
        .contact_tags(&me.id)
        .await?
        .into_iter()
        .filter(|(cid, _)| *cid == c.id)
        .map(|(_, t)| t)
        .collect();
    Ok((c, tags))
}

/// The fields of a stored contact (its logged last contact left as it is).
pub fn fields_of(c: &Contact, tags: Vec<String>) -> ContactFields {
    ContactFields {
        member_id: c.member_id.clone(),
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        last_contact_at: None,
        company: c.company.clone(),
        trade: c.trade.clone(),
        notes: c.notes.clone(),
        met_at: c.met_at.clone(),
        cadence_days: c.cadence_days,
        tags,
    }
}

/// Adds the other attendees of an occurrence of an event I went to (or host) as contacts, met
/// there; those already in my contacts are left as they are. The meeting counts once it has
/// happened: until then they are not "in touch", and where we met says we are going. Returns how
/// many were added and how many were left (in my contacts already, or blocked either way).
pub async fn add_from_event(
    state: &AppState,
    me: &User,
    event: &str,
    key: i64,
) -> Result<(usize, usize), AppError> {
    let e = crate::events::visible(state, me, event).await?;
    let answers = state.db.rsvps(&e.id, key).await?;
    let went = e.host_id == me.id || answers.iter().any(|r| r.user_id == me.id && r.status == "going");
    if !went {
        return Err(AppError::Invalid(FieldErrors::one("event", "Add people from an event you went to.")));
    }
    let zone: Tz = me.timezone.parse().unwrap_or(chrono_tz::UTC);
    let start = DateTime::<Utc>::from_timestamp_millis(key).unwrap_or_default();
    let when = crate::web::dates::day(start, zone);
    let met_at = if start <= Utc::now() {
        format!("{}, {when}", e.title)
    } else {
        format!("Going to {}, {when}", e.title)
    };
    let mut people: Vec<(String, String)> = answers
        .iter()
        .filter(|r| r.status == "going")
        .map(|r| (r.user_id.clone(), r.display_name.clone()))
        .collect();
    if let Some(host) = state.db.user(&e.host_id).await? {
        people.push((host.id, host.display_name));
    }
    people.sort();
    people.dedup();
    let (mut added, mut skipped) = (0, 0);
    for (id, name) in people {
        if id == me.id {
            continue;
        }
        if state.db.contact_for_member(&me.id, &id).await?.is_some()
            || state.db.blocked_either_way(&me.id, &id).await?
        {
            skipped += 1;
            continue;
        }
        let trade = state
            .db
            .user(&id)
            .await?
            .filter(|u| u.vis_trade == "everyone")
            .map(|u| u.trade)
            .unwrap_or_default();
        let f = ContactFields {
            member_id: Some(id),
            name,
            trade,
            met_at: met_at.clone(),
            // The shared event is their contact, once it has happened.
            last_contact_at: Some(0),
            ..ContactFields::default()
        };
        state.db.create_contact(&me.id, &f, now_ms()).await?;
        added += 1;
    }
    Ok((added, skipped))
}
