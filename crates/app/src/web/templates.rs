//! HTML templates (minijinja), compiled into the binary. Each capability keeps its templates in
//! its own folder; the shared layout and form macros live in `web/templates/`.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::Html;
use minijinja::{context, Environment, Value};
use store::users::User;

use crate::error::AppError;
use crate::web::csrf::CsrfToken;

macro_rules! embed {
    ($env:ident, $($name:literal => $path:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!($path)).expect(concat!("template ", $name)); )*
    };
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_filter("localtime", localtime);
    env.add_filter("day", |s: String| super::dates::iso_day(&s));
    env.add_filter("days_in", |s: String| super::dates::iso_days_in(&s));
    env.add_filter("initials", |s: String| initials(&s));
    env.add_filter("hue", |s: String| hue(&s));
    env.add_filter("badge_label", |s: String| {
        domain::reliability::Badge::parse(&s).map_or("", domain::reliability::Badge::label)
    });
    embed!(env,
        "base.html" => "templates/base.html",
        "forms.html" => "templates/forms.html",
        "people.html" => "templates/people.html",
        "cards.html" => "templates/cards.html",
        "photo.html" => "../photos/templates/photo.html",
        "cover.html" => "../photos/templates/cover.html",
        "error.html" => "templates/error.html",
        "home.html" => "../accounts/templates/home.html",
        "signup.html" => "../accounts/templates/signup.html",
        "login.html" => "../accounts/templates/login.html",
        "reset_request.html" => "../accounts/templates/reset_request.html",
        "reset_confirm.html" => "../accounts/templates/reset_confirm.html",
        "verify.html" => "../accounts/templates/verify.html",
        "dashboard.html" => "../accounts/templates/dashboard.html",
        "settings.html" => "../accounts/templates/settings.html",
        "profile.html" => "../profiles/templates/profile.html",
        "profile_edit.html" => "../profiles/templates/profile_edit.html",
        "welcome.html" => "../profiles/templates/welcome.html",
        "welcome_next.html" => "../profiles/templates/welcome_next.html",
        "city_options.html" => "../profiles/templates/city_options.html",
        "members.html" => "../members/templates/members.html",
        "events.html" => "../events/templates/events.html",
        "event_new.html" => "../events/templates/event_new.html",
        "event_import.html" => "../events/templates/event_import.html",
        "group_calendar_import.html" => "../events/templates/group_calendar_import.html",
        "event.html" => "../events/templates/event.html",
        "checkin.html" => "../events/templates/checkin.html",
        "door.html" => "../events/templates/door.html",
        "calendar.html" => "../events/templates/calendar.html",
        "poll_new.html" => "../polls/templates/poll_new.html",
        "poll.html" => "../polls/templates/poll.html",
        "partners.html" => "../partners/templates/partners.html",
        "partnerships.html" => "../partners/templates/partnerships.html",
        "bookings.html" => "../partners/templates/bookings.html",
        "room.html" => "../rooms/templates/room.html",
        "groups.html" => "../groups/templates/groups.html",
        "group_form.html" => "../groups/templates/group_form.html",
        "group.html" => "../groups/templates/group.html",
        "group_members.html" => "../groups/templates/group_members.html",
        "group_invites.html" => "../groups/templates/group_invites.html",
        "group_roster.html" => "../groups/templates/group_roster.html",
        "group_console.html" => "../groups/templates/group_console.html",
        "group_classifications.html" => "../groups/templates/group_classifications.html",
        "invite.html" => "../groups/templates/invite.html",
        "group_calendar.html" => "../groups/templates/group_calendar.html",
        "post.html" => "../groups/templates/post.html",
        "post_edit.html" => "../groups/templates/post_edit.html",
        "reports.html" => "../groups/templates/reports.html",
        "report_actions.html" => "../groups/templates/report_actions.html",
        "discover.html" => "../groups/templates/discover.html",
        "goals.html" => "../goals/templates/goals.html",
        "goal_form.html" => "../goals/templates/goal_form.html",
        "goal.html" => "../goals/templates/goal.html",
        "group_board.html" => "../goals/templates/group_board.html",
        "venues.html" => "../venues/templates/venues.html",
        "venue_form.html" => "../venues/templates/venue_form.html",
        "venue.html" => "../venues/templates/venue.html",
        "venue_suggest.html" => "../venues/templates/venue_suggest.html",
        "referrals.html" => "../referrals/templates/referrals.html",
        "referral.html" => "../referrals/templates/referral.html",
        "referral_report.html" => "../referrals/templates/referral_report.html",
        "help.html" => "../referrals/templates/help.html",
        "contacts.html" => "../contacts/templates/contacts.html",
        "contact.html" => "../contacts/templates/contact.html",
        "notifications.html" => "../notifications/templates/notifications.html",
        "bell.html" => "../notifications/templates/bell.html",
        "notification_settings.html" => "../notifications/templates/notification_settings.html",
        "unsubscribe.html" => "../notifications/templates/unsubscribe.html",
        "mail.html" => "../mail/templates/mail.html",
        "no_mail.html" => "../mail/templates/no_mail.html",
        "outbox.html" => "../admin/templates/outbox.html",
        "admin_tabs.html" => "../admin/templates/admin_tabs.html",
        "admin.html" => "../admin/templates/admin.html",
        "admin_members.html" => "../admin/templates/admin_members.html",
        "admin_member_delete.html" => "../admin/templates/admin_member_delete.html",
        "admin_groups.html" => "../admin/templates/admin_groups.html",
        "admin_reports.html" => "../admin/templates/admin_reports.html",
        "admin_settings.html" => "../admin/templates/admin_settings.html",
        "admin_audit.html" => "../admin/templates/admin_audit.html",
        "legal.html" => "../admin/templates/legal.html",
        "visitor_answer.html" => "../visitors/templates/visitor_answer.html",
        "visitor_meta.html" => "../visitors/templates/meta.html",
        "visitor_event.html" => "../visitors/templates/visitor_event.html",
        "visitor_group.html" => "../visitors/templates/visitor_group.html",
        "visitor_venue.html" => "../visitors/templates/visitor_venue.html",
    );
    env
});

/// Formats an instant (epoch milliseconds, or RFC 3339 text as the API writes it) in an IANA
/// zone: "Sun 22 Nov, 14:05" (`dates::day_time`).
fn localtime(at: Value, tz: Option<String>) -> String {
    let ms = match at.as_str() {
        Some(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.timestamp_millis(),
            Err(_) => return String::new(),
        },
        None => match i64::try_from(at) {
            Ok(ms) => ms,
            Err(_) => return String::new(),
        },
    };
    let zone: chrono_tz::Tz = tz.and_then(|t| t.parse().ok()).unwrap_or(chrono_tz::UTC);
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => super::dates::day_time(t, zone),
        None => String::new(),
    }
}

/// Renders a template with the context every page gets: who is signed in and the CSRF token.
pub fn page(name: &str, me: Option<&User>, csrf: &CsrfToken, ctx: Value) -> Result<Html<String>, AppError> {
    let me = me.map(|u| {
        context! {
            id => u.id, display_name => u.display_name, timezone => u.timezone, is_admin => u.is_admin == 1, photo => u.photo_id,
            zone => domain::recurrence::zone_label(u.timezone.parse().unwrap_or(chrono_tz::UTC)),
            clock => if u.clock == "12" { "12-hour" } else { "24-hour" },
        }
    });
    let full = context! { me, csrf => csrf.0, nav => super::nav::of(name), site => site(), ..ctx };
    let tmpl = ENV.get_template(name).map_err(|e| AppError::Internal(e.into()))?;
    tmpl.render(full).map(Html).map_err(|e| AppError::Internal(e.into()))
}

/// What every page says of the site: its name, and which legal pages it has.
fn site() -> Value {
    let s = super::site::current();
    context! { name => s.name, signup => s.signup, terms => !s.terms.is_empty(), privacy => !s.privacy.is_empty() }
}

/// Renders a fragment (no layout, no user context), e.g. for htmx.
pub fn fragment(name: &str, ctx: Value) -> Result<Html<String>, AppError> {
    let tmpl = ENV.get_template(name).map_err(|e| AppError::Internal(e.into()))?;
    tmpl.render(ctx).map(Html).map_err(|e| AppError::Internal(e.into()))
}

/// The friendly error page; falls back to plain text if even that fails.
pub fn render_error(status: StatusCode, message: &str) -> Html<String> {
    let ctx =
        context! { status => status.as_u16(), reason => status.canonical_reason(), message, site => site() };
    ENV.get_template("error.html")
        .and_then(|t| t.render(ctx))
        .map(Html)
        .unwrap_or_else(|_| Html(format!("<!doctype html><title>Error</title><p>{}</p>", status.as_u16())))
}

/// Up to two initials of a name, for an avatar: "Ana Almeida" → "AA", "ana" → "A".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// One of eight avatar colours, the same for a member every time.
pub fn hue(id: &str) -> u32 {
    id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in ENV.templates() {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
        assert!(ENV.templates().count() >= 20);
    }

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("Ana Almeida"), "AA");
        assert_eq!(initials("  bruno  "), "B");
        assert_eq!(initials("Zoë de la Cruz"), "ZD");
        assert_eq!(initials("(Rui) Costa"), "RC");
        assert!(hue("a") < 8 && hue("a") == hue("a"));
    }

    #[test]
    fn times_are_shown_in_the_viewers_zone() {
        // 2031-07-01T12:00:00Z is 13:00 in Lisbon (summer time) and 08:00 in New York; another
        // year than this one, so the year is written.
        let ms: i64 = 1_940_673_600_000;
        assert_eq!(localtime(Value::from(ms), Some("Europe/Lisbon".into())), "Tue 1 Jul 2031, 13:00");
        assert_eq!(localtime(Value::from(ms), Some("America/New_York".into())), "Tue 1 Jul 2031, 08:00");
        assert_eq!(localtime(Value::from(ms), None), "Tue 1 Jul 2031, 12:00");
        assert_eq!(
            localtime(Value::from("2031-07-01T12:00:00Z"), Some("Europe/Lisbon".into())),
            "Tue 1 Jul 2031, 13:00"
        );
        assert_eq!(localtime(Value::from("not a time"), None), "");
    }
}
