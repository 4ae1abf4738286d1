//! Telling people when dates they answered change: a date cancelled, moved or put back on, an
//! event deleted, a series ended, split or given new times. Everyone going, maybe going or on a
//! waitlist for a changed date hears once per edit (an edit of a series sums up its dates), in
//! the app and by mail as they chose, and at once whatever their digest setting when a changed
//! date is within 48 hours, with what changed on their own clock and in their own zone. The
//! host made the change and is not told.
//!
//! Answers are read with [`concerned`] before the change is stored, since ending or deleting a
//! series drops them.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use domain::notices::Kind;
use store::events::Event;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::dates::{day_time, on_clock, time};

/// What happened to one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateChange {
    Cancelled {
        was: DateTime<Utc>,
    },
    Moved {
        was: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// A cancelled date is on again.
    Restored {
        at: DateTime<Utc>,
    },
    /// The date stays, at another place (the edit says which).
    Placed {
        at: DateTime<Utc>,
    },
    /// The date starts as before and ends at another time.
    Resized {
        at: DateTime<Utc>,
        was_end: DateTime<Utc>,
        end: DateTime<Utc>,
    },
}

impl DateChange {
    /// The change between a date as it was and as it is (`None`: it was or is cancelled).
    pub fn between(was: Option<DateTime<Utc>>, now: Option<DateTime<Utc>>) -> Option<DateChange> {
        match (was, now) {
            (Some(was), None) => Some(DateChange::Cancelled { was }),
            (None, Some(at)) => Some(DateChange::Restored { at }),
            (Some(was), Some(now)) if was != now => Some(DateChange::Moved { was, now }),
            _ => None,
        }
    }

    /// The change between a date's (start, end) as it was and as it is: a new start, or the
    /// same start with a new end.
    pub fn between_spans(
        was: Option<(DateTime<Utc>, DateTime<Utc>)>,
        now: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Option<DateChange> {
        match (was, now) {
            (Some((at, was_end)), Some((start, end))) if at == start && was_end != end => {
                Some(DateChange::Resized { at, was_end, end })
            }
            _ => DateChange::between(was.map(|w| w.0), now.map(|n| n.0)),
        }
    }

    fn times(self) -> [DateTime<Utc>; 2] {
        match self {
            DateChange::Cancelled { was } => [was, was],
            DateChange::Moved { was, now } => [was, now],
            DateChange::Restored { at } | DateChange::Placed { at } | DateChange::Resized { at, .. } => {
                [at, at]
            }
        }
    }

    /// Both the old and new time are over: nobody needs telling.
    fn over(self, now: DateTime<Utc>) -> bool {
        self.times().iter().all(|t| *t < now)
    }

    /// Within 48 hours of `now`, before or after: news that cannot wait for a digest.
    fn soon(self, now: DateTime<Utc>) -> bool {
        self.times().iter().any(|t| *t > now - TimeDelta::hours(1) && *t < now + TimeDelta::hours(48))
    }

    fn words(self, zone: Tz) -> String {
        match self {
            DateChange::Cancelled { was } => format!("{}: cancelled", day_time(was, zone)),
            DateChange::Moved { was, now } => {
                format!("moved from {} to {}", day_time(was, zone), day_time(now, zone))
            }
            DateChange::Restored { at } => format!("{}: on again", day_time(at, zone)),
            DateChange::Placed { at } => day_time(at, zone),
            DateChange::Resized { at, was_end, end } => format!(
                "{}: now until {} (was until {})",
                day_time(at, zone),
                time(&end.with_timezone(&zone)),
                time(&was_end.with_timezone(&zone))
            ),
        }
    }
}

/// What the host did, for the notice's first words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Changed one date.
    Date,
    /// Deleted the event with every date.
    Deleted,
    /// Ended the series from a date on.
    Ended,
    /// Gave the series new times; answers moved along with the dates.
    NewTimes,
    /// Changed the series' times from a date on; answers for those dates were cleared.
    Split,
    /// Moved the whole event to another place (said in words, or "online").
    Place(String),
}

/// Who answered which dates of an event (going, maybe or waitlisted), by member, and the
/// visitors going to them without an account.
#[derive(Debug, Default)]
pub struct Concerned(BTreeMap<String, Vec<i64>>, Vec<store::visitor_answers::VisitorAnswer>);

/// The answers to `e`'s dates from `from` on, read before a change.
pub async fn concerned(state: &AppState, e: &Event, from: i64) -> Result<Concerned, AppError> {
    let mut by = BTreeMap::<String, Vec<i64>>::new();
    for (user, key) in state.db.answers_from(&e.id, from).await? {
        by.entry(user).or_default().push(key);
    }
    Ok(Concerned(by, state.db.visitor_answers_from(&e.id, from).await?))
}

/// Tells each visitor going to a changed date, by mail in the event's zone, with the link to
/// their place.
async fn tell_visitors(
    state: &AppState,
    e: &Event,
    edit: &Edit,
    changes: &BTreeMap<i64, DateChange>,
    visitors: &[store::visitor_answers::VisitorAnswer],
) -> Result<(), AppError> {
    let now = Utc::now();
    let zone: Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
    for v in visitors {
        let Some(change) = changes.get(&v.occurrence_start).filter(|c| !c.over(now)) else { continue };
        let subject = subject(e, edit, *change, 1, zone);
        let link = crate::visitors::answers::link(state, v);
        let text = body(e, edit, &v.name, &[change.words(zone)], 1, zone, &link);
        crate::mail::strangers::queue(
            state,
            &v.email,
            &subject,
            &text,
            crate::mail::strangers::GIVEN_TO_ANSWER,
        )
        .await?;
    }
    Ok(())
}

/// At most this many dates are listed in one notice; the rest are counted.
const LISTED: usize = 8;

/// Tells everyone in `concerned` (but the host) what `changes`, keyed by date, did to the dates
/// they answered: one notice each.
pub async fn tell(
    state: &AppState,
    e: &Event,
    edit: &Edit,
    changes: &BTreeMap<i64, DateChange>,
    concerned: &Concerned,
) -> Result<(), AppError> {
    tell_visitors(state, e, edit, changes, &concerned.1).await?;
    let now = Utc::now();
    for (user, keys) in &concerned.0 {
        if *user == e.host_id {
            continue;
        }
        let mine: Vec<(i64, DateChange)> = keys
            .iter()
            .filter_map(|k| changes.get(k).map(|c| (*k, *c)))
            .filter(|(_, c)| !c.over(now))
            .collect();
        let Some((first_key, first)) = mine.first().copied() else { continue };
        let Some(u) = state.db.user(user).await? else { continue };
        let zone: Tz = u.timezone.parse().unwrap_or(chrono_tz::UTC);
        let (subject, lines) = on_clock(&u.clock, || {
            let lines: Vec<String> = mine.iter().take(LISTED).map(|(_, c)| c.words(zone)).collect();
            (subject(e, edit, first, mine.len(), zone), lines)
        });
        let link = match edit {
            Edit::Deleted => "/events".to_owned(),
            Edit::Date => format!("/events/{}?at={first_key}", e.id),
            _ => format!("/events/{}", e.id),
        };
        let url = format!("{}{link}", state.config.public_url());
        let body = body(e, edit, &u.display_name, &lines, mine.len(), zone, &url);
        let mail = crate::notifications::Mail { subject: &subject, body: &body };
        let soon = mine.iter().any(|(_, c)| c.soon(now));
        crate::notifications::send_as(state, &u.id, Kind::Event, &subject, &link, Some(mail), soon).await?;
    }
    Ok(())
}

/// The notice's title and mail subject.
fn subject(e: &Event, edit: &Edit, first: DateChange, dates: usize, zone: Tz) -> String {
    let title = &e.title;
    match (edit, first) {
        (Edit::Place(place), _) => format!("New place for {title}: {place}"),
        (Edit::Deleted, _) if dates > 1 => format!("Cancelled: {title} ({dates} of your dates)"),
        (Edit::Ended, _) if dates > 1 => format!("{title} ends: {dates} of your dates are off"),
        (Edit::NewTimes | Edit::Split, _) if dates > 1 => format!("New times for {title}"),
        (_, DateChange::Cancelled { was }) => format!("Cancelled: {title} on {}", day_time(was, zone)),
        (_, DateChange::Moved { now, .. }) => format!("Moved: {title}, now {}", day_time(now, zone)),
        (_, DateChange::Restored { at }) => format!("On again: {title} on {}", day_time(at, zone)),
        (_, DateChange::Placed { at }) => format!("New place for {title} on {}", day_time(at, zone)),
        (_, DateChange::Resized { at, end, .. }) => {
            format!("{title} on {} now ends at {}", day_time(at, zone), time(&end.with_timezone(&zone)))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn body(e: &Event, edit: &Edit, name: &str, lines: &[String], dates: usize, zone: Tz, url: &str) -> String {
    let title = &e.title;
    let lead = match edit {
        Edit::Date => format!("The host changed a date of \"{title}\" you answered:"),
        Edit::Deleted => format!("The host cancelled \"{title}\", with every date. Yours:"),
        Edit::Ended => format!("The host ended \"{title}\". These dates you answered are off:"),
        Edit::NewTimes => {
            format!("The host gave \"{title}\" new times, and your answers moved along with the dates:")
        }
        Edit::Split => format!(
            "The host changed the times of \"{title}\" from a date on. Your answers for these dates \
             were cleared, so answer again for the new ones:"
        ),
        Edit::Place(place) => {
            format!("The host moved \"{title}\" to a new place: {place}. Your dates there:")
        }
    };
    let mut listed: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    if dates > lines.len() {
        listed.push_str(&format!("- and {} more\n", dates - lines.len()));
    }
    let tail = match edit {
        Edit::Deleted | Edit::Ended => "Nothing to do: your answers are cleared.",
        _ => "Can't make it now? Change your answer, so someone on the waitlist can have your seat.",
    };
    format!(
        "Hello {name},\n\n{lead}\n\n{listed}\nTimes are in {}.\n\n{url}\n\n{tail}\n",
        domain::recurrence::zone_label(zone),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("instant") + TimeDelta::hours(h)
    }

    #[test]
    fn a_change_is_what_differs_and_is_news_while_near() {
        assert_eq!(DateChange::between(Some(at(0)), Some(at(0))), None);
        assert_eq!(DateChange::between(None, None), None);
        assert_eq!(DateChange::between(Some(at(0)), None), Some(DateChange::Cancelled { was: at(0) }));
        let moved = DateChange::between(Some(at(0)), Some(at(24))).expect("moved");
        assert!(moved.soon(at(-20)) && !moved.soon(at(-72)) && moved.soon(at(10)));
        assert!(!moved.over(at(10)) && moved.over(at(25)));
    }

    #[test]
    fn a_change_says_itself_in_the_readers_zone() {
        let moved = DateChange::Moved { was: at(0), now: at(24) };
        let words = moved.words(chrono_tz::Europe::Lisbon);
        assert!(words.starts_with("moved from ") && words.contains(" to "), "{words}");
        assert!(DateChange::Cancelled { was: at(0) }.words(chrono_tz::UTC).ends_with(": cancelled"));
    }

    #[test]
    fn the_same_start_with_another_end_is_a_change_too() {
        let longer = DateChange::between_spans(Some((at(0), at(1))), Some((at(0), at(2))));
        assert_eq!(longer, Some(DateChange::Resized { at: at(0), was_end: at(1), end: at(2) }));
        assert_eq!(DateChange::between_spans(Some((at(0), at(1))), Some((at(0), at(1)))), None);
        let moved = DateChange::between_spans(Some((at(0), at(1))), Some((at(3), at(5))));
        assert_eq!(moved, Some(DateChange::Moved { was: at(0), now: at(3) }));
        let words = longer.expect("a change").words(chrono_tz::UTC);
        assert!(words.contains("now until") && words.contains("(was until"), "{words}");
    }
}
