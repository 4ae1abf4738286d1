//! What a member says about themselves, and the rules for each field.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Who may see a profile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Every signed-in member.
    #[default]
    Everyone,
    /// Members who share a group with me (and my partners).
    Groups,
    /// Only my partners.
    Partners,
}

impl Visibility {
    /// All levels, widest first.
    pub const ALL: [Visibility; 3] = [Visibility::Everyone, Visibility::Groups, Visibility::Partners];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Everyone => "everyone",
            Visibility::Groups => "groups",
            Visibility::Partners => "partners",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Visibility, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "Choose everyone, my groups or my partners.".to_owned())
    }

    /// Whether a viewer standing in `relation` to the owner may see a field at this level.
    pub fn allows(self, relation: Relation) -> bool {
        match relation {
            Relation::Myself => true,
            Relation::Partner => true,
            Relation::GroupMate => matches!(self, Visibility::Everyone | Visibility::Groups),
            Relation::Member => self == Visibility::Everyone,
        }
    }
}

/// How a viewer stands to the member whose profile they look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Looking at one's own profile.
    Myself,
    /// An active partner.
    Partner,
    /// Shares at least one group.
    GroupMate,
    /// Any other signed-in member.
    Member,
}

/// The profile fields whose visibility a member chooses.
pub const PRIVATE_FIELDS: [&str; 8] =
    ["trade", "bio", "skills", "city", "availability", "preferences", "photo", "email"];

/// Quiet or chatty company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Company {
    /// Heads down, little talk.
    Quiet,
    /// Happy to chat between focus blocks.
    Chatty,
    /// No preference.
    #[default]
    Either,
}

impl Company {
    /// Every choice.
    pub const ALL: [Company; 3] = [Company::Quiet, Company::Chatty, Company::Either];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Company::Quiet => "quiet",
            Company::Chatty => "chatty",
            Company::Either => "either",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Company, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "Choose quiet, chatty or either.".to_owned())
    }
}

/// Session lengths offered, in minutes (the live rooms' presets plus "start small" 90 and 120).
pub const SESSION_MINUTES: [u32; 5] = [25, 50, 75, 90, 120];

/// Checks a preferred session length.
pub fn check_session_minutes(m: i64) -> Result<u32, String> {
    SESSION_MINUTES
        .iter()
        .copied()
        .find(|&s| i64::from(s) == m)
        .ok_or_else(|| "Choose 25, 50, 75, 90 or 120 minutes.".to_owned())
}

/// Default home radius: cafés closer than this to home are marked as "too close".
pub const DEFAULT_HOME_RADIUS_M: i64 = 1_000;

/// Checks a home radius in metres (0 to 50 km).
pub fn check_home_radius_m(m: i64) -> Result<i64, String> {
    if (0..=50_000).contains(&m) {
        Ok(m)
    } else {
        Err("The home radius must be between 0 and 50 km.".to_owned())
    }
}

/// Trims and checks a display name.
pub fn check_display_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.chars().count() {
        0 => Err("Tell people what to call you.".to_owned()),
        n if n > 60 => Err("Keep the name under 60 characters.".to_owned()),
        _ if s.chars().any(char::is_control) => Err("The name has characters we can't show.".to_owned()),
        _ if s.chars().any(is_deceptive) => Err(DECEPTIVE.to_owned()),
        _ => Ok(s.to_owned()),
    }
}

/// Characters that make a name read otherwise than it is stored: the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can reverse "gpj.exe" into
/// "exe.jpg", and the invisible zero-width space, word joiner and byte-order mark (U+200B, U+2060,
/// U+FEFF), which make two names that look the same differ. The zero-width joiner and non-joiner
/// (U+200D, U+200C) stay: emoji sequences and Persian and Indic names need them.
pub fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

const DECEPTIVE: &str =
    "This has invisible characters that change how it reads (direction marks or zero-width spaces); remove them.";

/// Trims and checks a name or title of at most `max` characters: one line, nothing invisible
/// that changes how it reads ([`is_deceptive`]).
pub fn check_name(s: &str, max: usize) -> Result<String, String> {
    let s = s.trim();
    if s.chars().count() > max {
        Err(format!("Keep this under {max} characters."))
    } else if s.chars().any(char::is_control) {
        Err("A name or title is one line, with no characters we can't show.".to_owned())
    } else if s.chars().any(is_deceptive) {
        Err(DECEPTIVE.to_owned())
    } else {
        Ok(s.to_owned())
    }
}

/// Trims and checks a free-text field of at most `max` characters (line breaks and tabs are
/// fine, other control characters are not).
pub fn check_text(s: &str, max: usize) -> Result<String, String> {
    let s = s.trim();
    if s.chars().count() > max {
        Err(format!("Keep this under {max} characters."))
    } else if has_control(s) {
        Err("This has characters we can't store; remove them and try again.".to_owned())
    } else {
        Ok(s.to_owned())
    }
}

/// True when `s` holds control characters other than line breaks and tabs.
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Checks an email address's shape and normalises it to lower case.
pub fn check_email(s: &str) -> Result<String, String> {
    let s = s.trim().to_lowercase();
    let ok = s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        });
    if ok {
        Ok(s)
    } else {
        Err("Enter an email address like name@example.com.".to_owned())
    }
}

/// Checks a phone number as people write them ("+351 912 345 678", "(020) 7946 0958 ext. 12"):
/// at most 40 characters, at least five digits, and nothing but digits, spaces and `+ - ( ) . /`
/// or an extension ("ext", "x", "#"). Returns it trimmed, its spacing kept.
pub fn check_phone(s: &str) -> Result<String, String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = s.to_lowercase();
    let rest = lower.replacen("ext.", "", 1).replacen("ext", "", 1);
    let ok = s.chars().count() <= 40
        && s.chars().filter(char::is_ascii_digit).count() >= 5
        && rest.chars().all(|c| c.is_ascii_digit() || " +-()./x#".contains(c));
    if ok {
        Ok(s)
    } else {
        Err("Give a phone number like +351 912 345 678.".to_owned())
    }
}

/// Most tags a member may list per kind.
pub const MAX_TAGS: usize = 20;

/// Splits "Web design, SEO ,seo" into normalised, unique tags: ["web design", "seo"].
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for raw in input.split([',', '\n', ';']) {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if has_control(&tag) {
            return Err("A tag has characters we can't store; remove them and try again.".to_owned());
        }
        if tag.chars().count() > 40 {
            return Err(format!("\"{tag}\" is too long: keep each one under 40 characters."));
        }
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("List at most {MAX_TAGS}."));
    }
    Ok(tags)
}

/// Parses an IANA zone name such as "Europe/Lisbon".
pub fn check_timezone(s: &str) -> Result<Tz, String> {
    s.trim().parse::<Tz>().map_err(|_| "Choose a time zone from the list, like Europe/Lisbon.".to_owned())
}

/// One weekly window when a member is usually free, in their own zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// Minutes after local midnight.
    pub start_min: u16,
    /// Minutes after local midnight, after `start_min`; 1440 means midnight at the end.
    pub end_min: u16,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Window {
    /// Checks the bounds.
    pub fn new(weekday: u8, start_min: u16, end_min: u16) -> Result<Window, String> {
        if weekday > 6 {
            return Err("Weekday must be 0 (Monday) to 6 (Sunday).".into());
        }
        if end_min > 1440 || start_min >= end_min {
            return Err("Each window must end after it starts, within one day.".into());
        }
        Ok(Window { weekday, start_min, end_min })
    }

    /// "Wed 18:00-20:00".
    pub fn label(&self) -> String {
        let day = DAYS[usize::from(self.weekday)];
        let mut d = day.to_owned();
        d[..1].make_ascii_uppercase();
        format!("{d} {}-{}", hhmm(self.start_min), hhmm(self.end_min))
    }
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':').unwrap_or((s.trim(), "0"));
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

/// Parses windows written one per line or separated by commas: "Mon 09:00-12:00, Wed 18-20".
/// Overlapping windows on the same day are merged.
pub fn parse_windows(input: &str) -> Result<Vec<Window>, String> {
    let mut out = Vec::new();
    for part in input.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("\"{part}\" is not like \"Mon 09:00-12:00\".");
        let (day, range) = part.split_once(char::is_whitespace).ok_or_else(bad)?;
        let day = day.to_lowercase();
        let weekday = DAYS.iter().position(|d| day.starts_with(d)).ok_or_else(bad)?;
        let (a, b) = range.split_once('-').ok_or_else(bad)?;
        let (a, b) = (parse_hhmm(a).ok_or_else(bad)?, parse_hhmm(b).ok_or_else(bad)?);
        out.push(Window::new(weekday as u8, a, b).map_err(|e| format!("\"{part}\": {e}"))?);
    }
    Ok(normalise_windows(out))
}

/// Sorts windows and merges those that overlap or touch on the same day.
pub fn normalise_windows(mut ws: Vec<Window>) -> Vec<Window> {
    ws.sort_by_key(|w| (w.weekday, w.start_min, w.end_min));
    let mut out: Vec<Window> = Vec::with_capacity(ws.len());
    for w in ws {
        match out.last_mut() {
            Some(last) if last.weekday == w.weekday && w.start_min <= last.end_min => {
                last.end_min = last.end_min.max(w.end_min);
            }
            _ => out.push(w),
        }
    }
    out
}

/// Writes windows back in the form [`parse_windows`] reads.
pub fn format_windows(ws: &[Window]) -> String {
    ws.iter().map(Window::label).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn phone_numbers_as_people_write_them() {
        use super::check_phone;
        assert_eq!(check_phone("  +351 912  345 678 ").as_deref(), Ok("+351 912 345 678"));
        assert!(check_phone("(020) 7946 0958 ext. 12").is_ok());
        assert!(check_phone("+1-555-0100 x7").is_ok());
        assert!(check_phone("call me").is_err());
        assert!(check_phone("1234").is_err(), "too few digits");
        assert!(check_phone("=1+2345678").is_err(), "a formula is not a number");
        assert!(check_phone(&"1".repeat(41)).is_err());
    }

    use super::*;

    #[test]
    fn names_refuse_invisible_direction_marks_and_keep_joiners() {
        for bad in
            ["\u{202E}gpj.exe", "Ana\u{2066}", "Ana\u{200B}Sousa", "Ana\u{2060}", "\u{FEFF}Ana", "A\u{202A}b"]
        {
            assert!(check_name(bad, 120).is_err(), "{bad:?}");
            assert!(check_display_name(bad).is_err(), "{bad:?}");
        }
        for good in ["👩\u{200D}💻 Ana", "می\u{200C}خواهم", "क्\u{200D}ष", "Zoë O'Brien"] {
            assert_eq!(check_name(good, 120).as_deref(), Ok(good), "{good:?}");
            assert_eq!(check_display_name(good).as_deref(), Ok(good), "{good:?}");
        }
        assert!(check_name("Two\nlines", 120).is_err(), "a title is one line");
    }

    #[test]
    fn visibility_levels_nest() {
        use Relation::*;
        assert!(Visibility::Partners.allows(Myself));
        assert!(Visibility::Partners.allows(Partner));
        assert!(!Visibility::Partners.allows(GroupMate));
        assert!(Visibility::Groups.allows(GroupMate));
        assert!(!Visibility::Groups.allows(Member));
        assert!(Visibility::Everyone.allows(Member));
    }

    #[test]
    fn tags_are_normalised_and_unique() {
        assert_eq!(parse_tags(" Web  Design, SEO ,seo,, ").unwrap(), vec!["web design", "seo"]);
        assert!(parse_tags(&"x".repeat(41)).is_err());
        assert!(parse_tags("seo\u{0}").is_err());
        assert!(check_text("bio\u{0}", 100).is_err());
        assert!(check_text("two\nlines", 100).is_ok());
        let many = (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert!(parse_tags(&many).is_err());
    }

    #[test]
    fn windows_parse_merge_and_round_trip() {
        let ws = parse_windows("Wed 18:00-20:00, mon 9-12\nMonday 11:30-13:00").unwrap();
        assert_eq!(format_windows(&ws), "Mon 09:00-13:00, Wed 18:00-20:00");
        assert_eq!(parse_windows(&format_windows(&ws)).unwrap(), ws);
        assert!(parse_windows("Mon 12:00-09:00").is_err());
        assert!(parse_windows("Someday 9-10").is_err());
        assert!(parse_windows("Tue 25:00-26:00").is_err());
        assert_eq!(parse_windows("Sun 22:00-24:00").unwrap()[0].end_min, 1440);
    }

    #[test]
    fn emails_names_and_numbers() {
        assert_eq!(check_email(" Ana@Example.ORG ").unwrap(), "ana@example.org");
        for bad in ["", "ana", "ana@", "@x.org", "ana@org", "a b@x.org", "ana@x.org."] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_display_name("   ").is_err());
        assert_eq!(check_display_name(" Ana ").unwrap(), "Ana");
        assert!(check_home_radius_m(-1).is_err());
        assert!(check_session_minutes(60).is_err());
        assert_eq!(check_session_minutes(50).unwrap(), 50);
        assert!(check_timezone("Mars/Olympus").is_err());
        assert!(check_timezone("Europe/Lisbon").is_ok());
    }
}
