//! A believable demo community: a few hundred solo professionals across trades, cities and time
//! zones (`members`), with skills, needs and availability, partnerships, venues (`venues`), groups
//! (`groups`), weekly sessions and focus bookings (`sessions`), goals (`goals`) and give and take
//! (`referrals`). Deterministic, and idempotent: members are keyed by email, so running it again
//! adds nothing.

mod goals;
mod groups;
mod members;
mod referrals;
mod sessions;
mod venues;

use domain::geo::{fold, Gazetteer};
use indicatif::{ProgressBar, ProgressStyle};
use members::{email, member, CITIES};
use store::users::{CityRef, NewUser};
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
        venues::load(db, first).await?;
        groups::load(db, &ids).await?;
        sessions::load(db, &ids).await?;
        let board = db.groups_of(first).await?.into_iter().find(|g| g.group.name == groups::BOARD_GROUP);
        let board = board.map(|g| g.group.id);
        goals::load(db, &ids, board.as_deref(), chrono_tz::Europe::Lisbon).await?;
        referrals::load(db, &ids).await?;
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
