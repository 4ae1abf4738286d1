//! A member's profile as one viewer may see it: fields hidden by the owner's visibility choices
//! are `null`; coordinates never leave the server, only the city and a rounded distance.

use domain::geo::{describe_distance, distance_km, rounded_km};
use domain::profile::{format_windows, Relation, Visibility};
use serde::Serialize;
use store::users::{Profile, User};
use utoipa::ToSchema;

/// A member's profile as seen by someone else (or by themselves).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub id: String,
    pub display_name: String,
    pub trade: Option<String>,
    pub bio: Option<String>,
    pub skills_offered: Option<Vec<String>>,
    pub help_wanted: Option<Vec<String>>,
    /// "Lisbon, Portugal".
    pub city: Option<String>,
    /// Rounded distance from the viewer's city, in km.
    pub distance_km: Option<u32>,
    /// "about 15 km away".
    pub distance: Option<String>,
    pub timezone: Option<String>,
    pub in_person: Option<bool>,
    #[serde(rename = "virtual")]
    pub is_virtual: Option<bool>,
    pub session_minutes: Option<i64>,
    /// quiet, chatty or either.
    pub company: Option<String>,
    /// "Mon 09:00-12:00, Wed 18:00-20:00" in the member's own zone.
    pub availability: Option<String>,
    /// The member's photo where they have one and their choice lets the viewer see it: served at
    /// `/photos/{photo}/64` and `/photos/{photo}/256`. Without one, pages show initials.
    pub photo: Option<String>,
    /// Their email address, where their choice lets the viewer see it.
    pub email: Option<String>,
}

fn level(s: &str) -> Visibility {
    Visibility::parse(s).unwrap_or(Visibility::Partners)
}

impl MemberView {
    /// What `viewer` (standing in `relation` to the owner) may see of `p`. Tags may be given
    /// separately for list views, which load them in bulk.
    pub fn new(
        u: &User,
        offers: &[String],
        needs: &[String],
        windows: Option<&str>,
        relation: Relation,
        viewer: Option<&User>,
    ) -> MemberView {
        let show = |vis: &str| level(vis).allows(relation);
        let city_visible = show(&u.vis_city) && u.city_id.is_some();
        let km = match (viewer, u.lat, u.lon) {
            (Some(v), Some(lat), Some(lon)) if city_visible && relation != Relation::Myself => {
                v.lat.zip(v.lon).map(|here| distance_km(here, (lat, lon)))
            }
            _ => None,
        };
        let prefs = show(&u.vis_preferences);
        MemberView {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            trade: show(&u.vis_trade).then(|| u.trade.clone()),
            bio: show(&u.vis_bio).then(|| u.bio.clone()),
            skills_offered: show(&u.vis_skills).then(|| offers.to_vec()),
            help_wanted: show(&u.vis_skills).then(|| needs.to_vec()),
            city: city_visible.then(|| u.city_label.clone()),
            distance_km: km.map(rounded_km),
            distance: km.map(describe_distance),
            timezone: prefs.then(|| u.timezone.clone()),
            in_person: prefs.then_some(u.in_person == 1),
            is_virtual: prefs.then_some(u.is_virtual == 1),
            session_minutes: prefs.then_some(u.session_minutes),
            company: prefs.then(|| u.company.clone()),
            availability: if show(&u.vis_availability) { windows.map(str::to_owned) } else { None },
            photo: u.photo_id.clone().filter(|_| show(&u.vis_photo)),
            email: show(&u.vis_email).then(|| u.email.clone()),
        }
    }

    /// The full view of a loaded profile.
    pub fn of_profile(p: &Profile, relation: Relation, viewer: Option<&User>) -> MemberView {
        let windows = format_windows(&p.windows);
        MemberView::new(&p.user, &p.offers, &p.needs, Some(&windows), relation, viewer)
    }
}
