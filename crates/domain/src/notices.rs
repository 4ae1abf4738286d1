//! Notification rules: what a notification is about (its category, the unit members choose
//! delivery for), how it is delivered (at once, in a daily or weekly digest, in the app only, or
//! not at all), when a digest is due on the member's own clock, and quiet hours read on it too.

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, TimeZone, Timelike, Utc, Weekday};
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
    Accountability,
    Contacts,
    /// The weekly summary mail itself (weekly or off); no notification is of this category.
    Summary,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Events,
        Category::Partners,
        Category::Groups,
        Category::Discussion,
        Category::Goals,
        Category::Referrals,
        Category::Polls,
        Category::Accountability,
        Category::Contacts,
        Category::Summary,
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
            Category::Accountability => "accountability",
            Category::Contacts => "contacts",
            Category::Summary => "summary",
        }
    }

    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    /// In words, for the settings page and unsubscribe links.
    pub fn label(self) -> &'static str {
        match self {
            Category::Events => "Events: reminders, a seat that frees up, a date that moves",
            Category::Partners => "Partner requests and answers, and focus-session matches",
            Category::Groups => "Groups: invitations, requests, roles and new events",
            Category::Discussion => "Replies to my posts, and reports for moderators",
            Category::Goals => "Comments and cheers on my goals",
            Category::Referrals => "Referrals and help",
            Category::Polls => "Finding a time",
            Category::Accountability => "Check-in reminders, and partners who haven't checked in",
            Category::Contacts => "People I haven't been in touch with for a while",
            Category::Summary => {
                "Weekly summary on Monday morning: my week ahead, asks I could help with, people to \
                 get back in touch with, board reminders and new members nearby"
            }
        }
    }

    /// How it reaches a member who chose nothing: chatty categories stay in the app.
    pub fn default_delivery(self) -> Delivery {
        match self {
            Category::Discussion | Category::Goals | Category::Contacts => Delivery::InApp,
            Category::Summary => Delivery::Weekly,
            _ => Delivery::Email,
        }
    }

    /// The deliveries a member may choose: the summary is a weekly mail or nothing.
    pub fn choices(self) -> &'static [Delivery] {
        match self {
            Category::Summary => &[Delivery::Weekly, Delivery::Off],
            _ => &Delivery::ALL,
        }
    }

    /// What a one-click unsubscribe leaves: no more mail, still in the app.
    pub fn unsubscribed(self) -> Delivery {
        match self {
            Category::Summary => Delivery::Off,
            _ => Delivery::InApp,
        }
    }

    /// The category of a notification kind stored by its key ("partner_request" …).
    pub fn of_kind(kind: &str) -> Option<Category> {
        Kind::parse(kind).map(Kind::category)
    }
}

/// Every kind of notification the app raises; the key is what the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Seat,
    Event,
    Reminder,
    PartnerRequest,
    PartnerAccepted,
    MatchFound,
    MatchPending,
    GroupInvite,
    GroupRequest,
    GroupRole,
    GroupWelcome,
    GroupEvent,
    /// An organiser's or moderator's announcement to the whole group.
    Announcement,
    /// A host's message to everyone going to a date.
    HostMessage,
    PostReply,
    PostReport,
    GoalComment,
    GoalCheer,
    Referral,
    ReferralWon,
    ReferralThanks,
    Help,
    /// A member answered my request for help or my offer of it.
    HelpAnswer,
    Poll,
    GoalRemind,
    GoalPartners,
    ContactOverdue,
}

impl Kind {
    pub const ALL: [Kind; 27] = [
        Kind::Seat,
        Kind::Event,
        Kind::Reminder,
        Kind::PartnerRequest,
        Kind::PartnerAccepted,
        Kind::MatchFound,
        Kind::MatchPending,
        Kind::GroupInvite,
        Kind::GroupRequest,
        Kind::GroupRole,
        Kind::GroupWelcome,
        Kind::GroupEvent,
        Kind::Announcement,
        Kind::HostMessage,
        Kind::PostReply,
        Kind::PostReport,
        Kind::GoalComment,
        Kind::GoalCheer,
        Kind::Referral,
        Kind::ReferralWon,
        Kind::ReferralThanks,
        Kind::Help,
        Kind::HelpAnswer,
        Kind::Poll,
        Kind::GoalRemind,
        Kind::GoalPartners,
        Kind::ContactOverdue,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Seat => "seat",
            Kind::Event => "event",
            Kind::Reminder => "reminder",
            Kind::PartnerRequest => "partner_request",
            Kind::PartnerAccepted => "partner_accepted",
            Kind::MatchFound => "match_found",
            Kind::MatchPending => "match_pending",
            Kind::GroupInvite => "group_invite",
            Kind::GroupRequest => "group_request",
            Kind::GroupRole => "group_role",
            Kind::GroupWelcome => "group_welcome",
            Kind::GroupEvent => "group_event",
            Kind::Announcement => "announcement",
            Kind::HostMessage => "host_message",
            Kind::PostReply => "post_reply",
            Kind::PostReport => "post_report",
            Kind::GoalComment => "goal_comment",
            Kind::GoalCheer => "goal_cheer",
            Kind::Referral => "referral",
            Kind::ReferralWon => "referral_won",
            Kind::ReferralThanks => "referral_thanks",
            Kind::Help => "help",
            Kind::HelpAnswer => "help_answer",
            Kind::Poll => "poll",
            Kind::GoalRemind => "goal_remind",
            Kind::GoalPartners => "goal_partners",
            Kind::ContactOverdue => "contact_overdue",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// In words, for the settings page, email footers and the unsubscribe page.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Seat => "A seat frees up for me at an event",
            Kind::Event => "An event I'm going to moves or is cancelled",
            Kind::Reminder => "Reminders before my events",
            Kind::PartnerRequest => "Partner requests",
            Kind::PartnerAccepted => "Answers to my partner requests",
            Kind::MatchFound => "A focus session partner is found",
            Kind::MatchPending => "A focus session waits for a partner",
            Kind::GroupInvite => "Invitations to groups",
            Kind::GroupRequest => "Requests to join groups I run, or for a classification in them",
            Kind::GroupRole => "My role in a group changes",
            Kind::GroupWelcome => "Welcome to a group",
            Kind::GroupEvent => "New events in my groups",
            Kind::Announcement => "Announcements from my groups' organisers",
            Kind::HostMessage => "Messages from the hosts of dates I'm going to",
            Kind::PostReply => "Replies to my posts",
            Kind::PostReport => "Reports on posts in groups I moderate",
            Kind::GoalComment => "Comments on my goals",
            Kind::GoalCheer => "Cheers on my goals",
            Kind::Referral => "Referrals to me",
            Kind::ReferralWon => "Business won from my referrals",
            Kind::ReferralThanks => "Thanks for my referrals",
            Kind::Help => "Help to confirm",
            Kind::HelpAnswer => "Answers to my requests and offers of help",
            Kind::Poll => "Finding a time",
            Kind::GoalRemind => "Check-in reminders",
            Kind::GoalPartners => "Partners who haven't checked in",
            Kind::ContactOverdue => "People I haven't been in touch with for a while",
        }
    }

    /// The category a member chooses this kind's delivery by.
    pub fn category(self) -> Category {
        match self {
            Kind::Seat | Kind::Event | Kind::Reminder | Kind::HostMessage => Category::Events,
            Kind::PartnerRequest | Kind::PartnerAccepted | Kind::MatchFound | Kind::MatchPending => {
                Category::Partners
            }
            Kind::GroupInvite
            | Kind::GroupRequest
            | Kind::GroupRole
            | Kind::GroupWelcome
            | Kind::GroupEvent
            | Kind::Announcement => Category::Groups,
            Kind::PostReply | Kind::PostReport => Category::Discussion,
            Kind::GoalComment | Kind::GoalCheer => Category::Goals,
            Kind::Referral | Kind::ReferralWon | Kind::ReferralThanks | Kind::Help | Kind::HelpAnswer => {
                Category::Referrals
            }
            Kind::Poll => Category::Polls,
            Kind::GoalRemind | Kind::GoalPartners => Category::Accountability,
            Kind::ContactOverdue => Category::Contacts,
        }
    }
}

/// How a category's notifications reach a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In the app, and by email at once (held back through quiet hours).
    Email,
    /// In the app, and gathered into one email a day.
    Daily,
    /// In the app, and gathered into the Monday email.
    Weekly,
    /// In the app only.
    InApp,
    /// Not at all.
    Off,
}

impl Delivery {
    pub const ALL: [Delivery; 5] =
        [Delivery::Email, Delivery::Daily, Delivery::Weekly, Delivery::InApp, Delivery::Off];

    pub fn key(self) -> &'static str {
        match self {
            Delivery::Email => "email",
            Delivery::Daily => "daily",
            Delivery::Weekly => "weekly",
            Delivery::InApp => "in_app",
            Delivery::Off => "off",
        }
    }

    /// The digest this delivery gathers into, if any.
    pub fn period(self) -> Option<Period> {
        match self {
            Delivery::Daily => Some(Period::Daily),
            Delivery::Weekly => Some(Period::Weekly),
            _ => None,
        }
    }

    pub fn parse(key: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Email => "In the app and by email at once",
            Delivery::Daily => "In the app and in a daily email",
            Delivery::Weekly => "In the app and in the Monday email",
            Delivery::InApp => "In the app only",
            Delivery::Off => "Off",
        }
    }
}

/// A digest: one email gathering a day's or a week's notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Daily,
    Weekly,
}

impl Period {
    pub fn key(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
        }
    }

    pub fn parse(key: &str) -> Option<Period> {
        [Period::Daily, Period::Weekly].into_iter().find(|p| p.key() == key)
    }

    /// The longest a digest looks back (a first digest, or after a gap).
    pub fn span(self) -> TimeDelta {
        match self {
            Period::Daily => TimeDelta::days(1),
            Period::Weekly => TimeDelta::days(7),
        }
    }

    /// The digest's key ("2026-12-03", "2026-W49") when it is due at `now` on the member's clock
    /// in `zone`: from `hour` o'clock to midnight (on Mondays for the weekly one). A day the
    /// server missed whole is skipped rather than sent late.
    pub fn due(self, now: DateTime<Utc>, zone: Tz, hour: u32) -> Option<String> {
        let local = now.with_timezone(&zone);
        if local.hour() < hour {
            return None;
        }
        match self {
            Period::Daily => Some(local.date_naive().format("%Y-%m-%d").to_string()),
            Period::Weekly if local.weekday() == Weekday::Mon => {
                let w = local.iso_week();
                Some(format!("{}-W{:02}", w.year(), w.week()))
            }
            Period::Weekly => None,
        }
    }
}

/// What a one-click unsubscribe link stops: one category's emails, or a digest's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Category(Category),
    Kind(Kind),
    Digest(Period),
}

impl Topic {
    pub fn key(self) -> &'static str {
        match self {
            Topic::Category(c) => c.key(),
            Topic::Kind(k) => k.key(),
            Topic::Digest(p) => p.key(),
        }
    }

    /// Category, kind and period keys never coincide ("events", "event", "daily").
    pub fn parse(key: &str) -> Option<Topic> {
        Category::parse(key)
            .map(Topic::Category)
            .or_else(|| Kind::parse(key).map(Topic::Kind))
            .or_else(|| Period::parse(key).map(Topic::Digest))
    }

    /// In words, for the unsubscribe page.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Category(c) => c.label(),
            Topic::Kind(k) => k.label(),
            Topic::Digest(Period::Daily) => "The daily digest email",
            Topic::Digest(Period::Weekly) => "The Monday email: weekly summary and digest",
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
