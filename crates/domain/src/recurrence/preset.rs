//! The cadences the create and edit forms offer, as rules.

use chrono::{Datelike, NaiveDate};

use super::rule::{ByDay, Frequency, Rule};

/// A cadence offered by the forms; each is an ordinary [`Rule`] once chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Every week on the first start's weekday.
    Weekly,
    /// Every two weeks on the first start's weekday.
    Fortnightly,
    /// Every month on the same weekday of the month as the first start ("second Wednesday").
    Monthly,
    /// Like monthly, every two months.
    EveryTwoMonths,
    /// Like monthly, every three months.
    Quarterly,
}

impl Preset {
    /// Every preset, most frequent first.
    pub const ALL: [Preset; 5] =
        [Preset::Weekly, Preset::Fortnightly, Preset::Monthly, Preset::EveryTwoMonths, Preset::Quarterly];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Weekly => "weekly",
            Preset::Fortnightly => "fortnightly",
            Preset::Monthly => "monthly",
            Preset::EveryTwoMonths => "every-two-months",
            Preset::Quarterly => "quarterly",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Preset, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| "Choose weekly, fortnightly, monthly, every two months or quarterly.".to_owned())
    }

    /// The label shown in forms.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Weekly => "Every week",
            Preset::Fortnightly => "Every two weeks",
            Preset::Monthly => "Every month",
            Preset::EveryTwoMonths => "Every two months",
            Preset::Quarterly => "Every three months",
        }
    }

    /// The rule for this cadence given the first start's local date.
    ///
    /// Monthly cadences keep the weekday of the month rather than the day of the month, because
    /// groups meet on "the second Wednesday", not "the 14th" (which drifts across weekdays). A start
    /// in the month's fifth week becomes "the last" weekday, since most months have no fifth one.
    pub fn rule(self, first_start: NaiveDate) -> Rule {
        let weekday = first_start.weekday();
        let nth = match (first_start.day() - 1) / 7 + 1 {
            5 => -1,
            n => n as i8,
        };
        let (freq, interval, day) = match self {
            Preset::Weekly => (Frequency::Weekly, 1, ByDay::every(weekday)),
            Preset::Fortnightly => (Frequency::Weekly, 2, ByDay::every(weekday)),
            Preset::Monthly => (Frequency::Monthly, 1, ByDay::nth(nth, weekday)),
            Preset::EveryTwoMonths => (Frequency::Monthly, 2, ByDay::nth(nth, weekday)),
            Preset::Quarterly => (Frequency::Monthly, 3, ByDay::nth(nth, weekday)),
        };
        Rule::from_valid_parts(freq, interval, vec![day])
    }

    /// The preset a rule is, for a series starting on `first_start`, so edit forms can preselect it.
    /// Endings are ignored: "weekly, 6 times" is still weekly.
    pub fn of(rule: &Rule, first_start: NaiveDate) -> Option<Preset> {
        let open = rule.clone().with_end(super::End::Never).ok()?;
        Self::ALL.into_iter().find(|p| {
            let mut preset = p.rule(first_start);
            if preset == open {
                return true;
            }
            // A weekly rule without BYDAY repeats on the first start's weekday, as the preset says.
            preset.by_day.clear();
            preset.freq == Frequency::Weekly && preset == open
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn presets_are_plain_rules() {
        let wed = date(2026, 3, 11); // the second Wednesday of March 2026
        let text = |p: Preset| p.rule(wed).to_string();
        assert_eq!(text(Preset::Weekly), "FREQ=WEEKLY;BYDAY=WE");
        assert_eq!(text(Preset::Fortnightly), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE");
        assert_eq!(text(Preset::Monthly), "FREQ=MONTHLY;BYDAY=2WE");
        assert_eq!(text(Preset::EveryTwoMonths), "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE");
        assert_eq!(text(Preset::Quarterly), "FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE");
    }

    #[test]
    fn a_start_in_the_fifth_week_repeats_on_the_last_weekday() {
        assert_eq!(Preset::Monthly.rule(date(2026, 4, 29)).to_string(), "FREQ=MONTHLY;BYDAY=-1WE");
        assert_eq!(Preset::Monthly.rule(date(2026, 4, 22)).to_string(), "FREQ=MONTHLY;BYDAY=4WE");
    }

    #[test]
    fn rules_are_recognised_as_presets_whatever_their_ending() {
        let start = date(2026, 3, 11);
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.as_str()), Ok(p));
            let rule = p.rule(start).with_end(super::super::End::Count(6)).unwrap();
            assert_eq!(Preset::of(&rule, start), Some(p));
        }
        assert_eq!(Preset::of(&Rule::parse("FREQ=DAILY").unwrap(), start), None);
        assert_eq!(
            Preset::of(&Rule::parse("FREQ=WEEKLY;INTERVAL=2").unwrap(), start),
            Some(Preset::Fortnightly)
        );
        assert_eq!(
            Preset::of(&Rule::parse("FREQ=MONTHLY").unwrap(), start),
            None,
            "the 11th is not the 2nd Wednesday"
        );
        assert!(Preset::parse("yearly").is_err());
    }
}
