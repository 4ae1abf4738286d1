//! Notification rules: what a notification is about (its category, the unit members choose
//! delivery for), how it is delivered, and quiet hours read on the member's own clock.

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// What a notification is about; members choose how each reaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Events,
    Partners,
    Groups,
    Discussion,
    Goals,
    Referrals,
    Polls,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Events,
        Category::Partners,
        Category::Groups,
        Category::Discussion,
        Category::Goals,
        Category::Referrals,
        Category::Polls,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Category::Events => "events",
            Category::Partners => "partners",
            Category::Groups => "groups",
            Category::Discussion => "discussion",
            Category::Goals => "goals",
            Category::Referrals => "referrals",
            Category::Polls => "polls",
        }
    }

    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    /// In words, for the settings page and unsubscribe links.
    pub fn label(self) -> &'static str {
        match self {
            Category::Events => "Events: a seat that frees up, a date that moves",
            Category::Partners => "Partner requests and answers",
            Category::Groups => "Groups: invitations, requests, roles and new events",
            Category::Discussion => "Replies to my posts, and reports for moderators",
            Category::Goals => "Comments and cheers on my goals",
            Category::Referrals => "Referrals and help",
            Category::Polls => "Finding a time",
        }
    }

    /// How it reaches a member who chose nothing: chatty categories stay in the app.
    pub fn default_delivery(self) -> Delivery {
        match self {
            Category::Discussion | Category::Goals => Delivery::InApp,
            _ => Delivery::Email,
        }
    }

    /// The category of a notification kind, as the app names kinds ("partner_request" …).
    pub fn of_kind(kind: &str) -> Option<Category> {
        Some(match kind {
            "seat" | "event" => Category::Events,
            "partner_request" | "partner_accepted" => Category::Partners,
            "group_invite" | "group_request" | "group_role" | "group_welcome" | "group_event" => {
                Category::Groups
            }
            "post_reply" | "post_report" => Category::Discussion,
            "goal_comment" | "goal_cheer" => Category::Goals,
            "referral" | "referral_won" | "referral_thanks" | "help" => Category::Referrals,
            "poll" => Category::Polls,
            _ => return None,
        })
    }
}

/// How a category's notifications reach a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In the app, and by email at once (held back through quiet hours).
    Email,
    /// In the app only.
    InApp,
    /// Not at all.
    Off,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Email, Delivery::InApp, Delivery::Off];

    pub fn key(self) -> &'static str {
        match self {
            Delivery::Email => "email",
            Delivery::InApp => "in_app",
            Delivery::Off => "off",
        }
    }

    pub fn parse(key: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Email => "In the app and by email",
            Delivery::InApp => "In the app only",
            Delivery::Off => "Off",
        }
    }
}

/// Reads a quiet-hours time, "22:00"; empty for none.
pub fn check_quiet_time(s: &str) -> Result<Option<NaiveTime>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(Some)
        .map_err(|_| "Give a time like 22:00, or leave it empty.".to_owned())
}

/// When mail held back by quiet hours `[start, end)` on the member's clock in `zone` may go:
/// `None` when `now` is outside them (or they are empty). A span whose end is not after its
/// start runs past midnight; an end in a skipped hour is the first real minute after it.
pub fn quiet_until(now: DateTime<Utc>, zone: Tz, start: NaiveTime, end: NaiveTime) -> Option<DateTime<Utc>> {
    if start == end {
        return None;
    }
    let local = now.with_timezone(&zone);
    let t = local.time();
    let today = local.date_naive();
    let inside = if start < end { t >= start && t < end } else { t >= start || t < end };
    if !inside {
        return None;
    }
    // The end is today, unless the span runs past midnight and we are before midnight.
    let day = if start > end && t >= start { today.succ_opt()? } else { today };
    let mut at = day.and_time(end);
    for _ in 0..180 {
        if let Some(t) = zone.from_local_datetime(&at).earliest() {
            return Some(t.with_timezone(&Utc));
        }
        at += TimeDelta::minutes(1);
    }
    None
}
