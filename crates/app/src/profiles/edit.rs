//! Turning submitted profile fields into a checked [`ProfileUpdate`], shared by the edit page
//! and `PATCH /api/v1/me`. Fields not submitted keep their current value.

use domain::geo::{fold, Gazetteer};
use domain::profile::{self, Company, Visibility, Window, PRIVATE_FIELDS};
use domain::FieldErrors;
use store::users::{CityRef, Profile, ProfileUpdate};

/// The current profile as an update that changes nothing.
pub fn unchanged(p: &Profile) -> ProfileUpdate {
    let u = &p.user;
    ProfileUpdate {
        display_name: u.display_name.clone(),
        trade: u.trade.clone(),
        bio: u.bio.clone(),
        city: match (u.city_id, u.lat, u.lon) {
            (Some(id), Some(lat), Some(lon)) => Some(CityRef {
                id,
                label: u.city_label.clone(),
                key: fold(u.city_label.split(',').next().unwrap_or_default()),
                lat,
                lon,
            }),
            _ => None,
        },
        timezone: u.timezone.clone(),
        in_person: u.in_person == 1,
        is_virtual: u.is_virtual == 1,
        session_minutes: u.session_minutes,
        company: u.company.clone(),
        home_radius_m: u.home_radius_m,
        visibility: [
            u.vis_trade.clone(),
            u.vis_bio.clone(),
            u.vis_skills.clone(),
            u.vis_city.clone(),
            u.vis_availability.clone(),
            u.vis_preferences.clone(),
            u.vis_photo.clone(),
            u.vis_email.clone(),
        ],
        offers: p.offers.clone(),
        needs: p.needs.clone(),
        windows: p.windows.clone(),
    }
}

/// Applies checked changes to an update, collecting field errors under the caller's names.
#[derive(Debug)]
pub struct Editor {
    /// The update being built.
    pub update: ProfileUpdate,
    /// Problems so far.
    pub errors: FieldErrors,
    zone_set: bool,
    city_changed: bool,
}

impl Editor {
    /// Starts from the current profile.
    pub fn new(p: &Profile) -> Editor {
        Editor { update: unchanged(p), errors: FieldErrors::new(), zone_set: false, city_changed: false }
    }

    /// Display name.
    pub fn display_name(&mut self, field: &str, v: &str) {
        if let Some(v) = self.errors.check(field, profile::check_display_name(v)) {
            self.update.display_name = v;
        }
    }

    /// Trade, e.g. "web designer".
    pub fn trade(&mut self, field: &str, v: &str) {
        if let Some(v) = self.errors.check(field, profile::check_text(v, 80)) {
            self.update.trade = v;
        }
    }

    /// Bio.
    pub fn bio(&mut self, field: &str, v: &str) {
        if let Some(v) = self.errors.check(field, profile::check_text(v, 2000)) {
            self.update.bio = v;
        }
    }

    /// Skills offered, comma-separated.
    pub fn offers(&mut self, field: &str, v: &str) {
        if let Some(v) = self.errors.check(field, profile::parse_tags(v)) {
            self.update.offers = v;
        }
    }

    /// Help wanted, comma-separated.
    pub fn needs(&mut self, field: &str, v: &str) {
        if let Some(v) = self.errors.check(field, profile::parse_tags(v)) {
            self.update.needs = v;
        }
    }

    /// City, by label or name; empty clears it.
    pub fn city(&mut self, field: &str, v: &str) {
        self.city_changed = true;
        if v.trim().is_empty() {
            self.update.city = None;
            return;
        }
        // A name several places share is asked, unless one is in the member's own country (that
        // of their city so far, or of their zone until they have one).
        let g = Gazetteer::bundled();
        let country = match self.update.city.as_ref().and_then(|c| g.get(c.id)) {
            Some(c) => Some(c.country_code.as_str()),
            None => g.country_of_zone(&self.update.timezone),
        };
        match g.resolve_asking(v, country).or_ask(v) {
            Ok(c) => self.set_city(c),
            Err(d) => self.errors.add(field, d),
        }
    }

    /// City by GeoNames id.
    pub fn city_id(&mut self, field: &str, id: i64) {
        self.city_changed = true;
        match Gazetteer::bundled().get(id) {
            Some(c) => self.set_city(c),
            None => self.errors.add(field, "No city has this id."),
        }
    }

    fn set_city(&mut self, c: &domain::geo::City) {
        self.update.city =
            Some(CityRef { id: c.id, label: c.label(), key: fold(&c.name), lat: c.lat, lon: c.lon });
    }

    /// Time zone; empty means "my city's zone".
    pub fn timezone(&mut self, field: &str, v: &str) {
        if v.trim().is_empty() {
            return;
        }
        self.zone_set = true;
        if let Some(tz) = self.errors.check(field, profile::check_timezone(v)) {
            self.update.timezone = tz.name().to_owned();
        }
    }

    /// Modes.
    pub fn modes(&mut self, in_person: bool, is_virtual: bool) {
        self.update.in_person = in_person;
        self.update.is_virtual = is_virtual;
    }

    /// Preferred session length in minutes.
    pub fn session_minutes(&mut self, field: &str, m: i64) {
        if let Some(m) = self.errors.check(field, profile::check_session_minutes(m)) {
            self.update.session_minutes = i64::from(m);
        }
    }

    /// Quiet, chatty or either.
    pub fn company(&mut self, field: &str, v: &str) {
        if let Some(c) = self.errors.check(field, Company::parse(v)) {
            self.update.company = c.as_str().to_owned();
        }
    }

    /// Home radius in metres.
    pub fn home_radius_m(&mut self, field: &str, m: i64) {
        if let Some(m) = self.errors.check(field, profile::check_home_radius_m(m)) {
            self.update.home_radius_m = m;
        }
    }

    /// Availability written as text ("Mon 09:00-12:00, Wed 18-20").
    pub fn availability_text(&mut self, field: &str, v: &str) {
        if let Some(ws) = self.errors.check(field, profile::parse_windows(v)) {
            self.update.windows = ws;
        }
    }

    /// Availability as windows.
    pub fn availability(&mut self, field: &str, ws: &[Window]) {
        let checked: Result<Vec<Window>, String> =
            ws.iter().map(|w| Window::new(w.weekday, w.start_min, w.end_min)).collect();
        if let Some(ws) = self.errors.check(field, checked) {
            self.update.windows = profile::normalise_windows(ws);
        }
    }

    /// Visibility of one of `PRIVATE_FIELDS`.
    pub fn visibility(&mut self, field: &str, which: &str, v: &str) {
        let Some(i) = PRIVATE_FIELDS.iter().position(|f| *f == which) else {
            self.errors
                .add(field, format!("Unknown field {which:?}: choose from {}.", PRIVATE_FIELDS.join(", ")));
            return;
        };
        if let Some(level) = self.errors.check(field, Visibility::parse(v)) {
            self.update.visibility[i] = level.as_str().to_owned();
        }
    }

    /// The update, or every problem found. A new city sets the zone unless one was chosen.
    pub fn finish(mut self) -> Result<ProfileUpdate, FieldErrors> {
        if self.city_changed && !self.zone_set {
            if let Some(c) = self.update.city.as_ref().and_then(|c| Gazetteer::bundled().get(c.id)) {
                self.update.timezone = c.timezone.clone();
            }
        }
        self.errors.into_result().map(|()| self.update)
    }
}
