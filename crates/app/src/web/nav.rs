//! The navigation: six places, grouped by what a member is doing, each with its own pages, and
//! the account (profile, settings, notifications, log out) apart. Which place a page belongs to
//! follows from its template, so every page marks where the member is without each handler
//! saying so.

use minijinja::{context, Value};

/// The places and their pages: (key, label, link, [(key, label, link)]).
type Place =
    (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, &'static str)]);

pub const PLACES: [Place; 6] = [
    ("today", "Today", "/dashboard", &[]),
    (
        "meet",
        "Meet",
        "/events",
        &[
            ("events", "Events", "/events"),
            ("focus", "Focus sessions", "/bookings"),
            ("calendar", "Calendar", "/calendar"),
            ("venues", "Venues", "/venues"),
        ],
    ),
    (
        "people",
        "People",
        "/partners",
        &[
            ("partners", "Partners", "/partners"),
            ("members", "Members", "/members"),
            ("contacts", "Contacts", "/contacts"),
        ],
    ),
    (
        "groups",
        "Groups",
        "/groups",
        &[("groups", "My groups", "/groups"), ("discover", "Discover", "/discover")],
    ),
    ("goals", "Goals", "/goals", &[]),
    (
        "referrals",
        "Referrals",
        "/referrals",
        &[("referrals", "My referrals", "/referrals"), ("help", "Give and take", "/help")],
    ),
];

/// The place and page of a template: ("meet", "venues") for `venue.html`; ("", "") for pages
/// of the account and the visitor's pages.
pub fn position(template: &str) -> (&'static str, &'static str) {
    let t = template.trim_end_matches(".html");
    let starts = |p: &str| t.starts_with(p);
    match t {
        "dashboard" => ("today", ""),
        "calendar" => ("meet", "calendar"),
        "bookings" => ("meet", "focus"),
        "room" | "door" | "checkin" => ("meet", "events"),
        "members" => ("people", "members"),
        "discover" => ("groups", "discover"),
        "group_board" => ("goals", ""),
        "help" => ("referrals", "help"),
        _ if starts("event") || starts("poll") => ("meet", "events"),
        _ if starts("venue") => ("meet", "venues"),
        _ if starts("partner") => ("people", "partners"),
        _ if starts("contact") => ("people", "contacts"),
        _ if starts("group") || starts("post") || t == "reports" || t == "invite" => ("groups", "groups"),
        _ if starts("goal") => ("goals", ""),
        _ if starts("referral") => ("referrals", "referrals"),
        _ => ("", ""),
    }
}

/// What the layout needs to draw the navigation for a page made from `template`.
pub fn of(template: &str) -> Value {
    let (place, page) = position(template);
    let places: Vec<Value> = PLACES
        .iter()
        .map(|(key, label, link, pages)| {
            let pages: Vec<Value> = pages
                .iter()
                .map(|(k, l, href)| context! { key => k, label => l, href => href, current => *key == place && *k == page })
                .collect();
            context! { key, label, href => link, current => *key == place, pages }
        })
        .collect();
    context! { place, page, places }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_of_a_place_marks_it() {
        assert_eq!(position("venue.html"), ("meet", "venues"));
        assert_eq!(position("event_new.html"), ("meet", "events"));
        assert_eq!(position("group_board.html"), ("goals", ""));
        assert_eq!(position("group_members.html"), ("groups", "groups"));
        assert_eq!(position("settings.html"), ("", ""));
        assert!(PLACES.len() <= 6, "at most six places");
    }
}
