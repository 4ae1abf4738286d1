//! Calendar files (.ics, RFC 5545): the feeds and per-event files calendar apps subscribe to or
//! open, and the import of one event from an invite. Plain functions over rows the caller loaded:
//! no HTTP and no database here.
//!
//! A series is written the way calendar apps expect so they show it as we do: DTSTART in the
//! event's zone with a VTIMEZONE for it, the RRULE, dates taken out by an edit as EXDATEs, and
//! each cancelled, moved or renamed occurrence as a VEVENT with the same UID and a RECURRENCE-ID
//! naming the occurrence's original wall time (a cancelled one marked `STATUS:CANCELLED`).

mod import;
mod many;
mod write;
mod zones;

#[cfg(test)]
mod tests;

use store::events::{Event, Override};

pub use import::{parse_import, parse_import_full, Changed, Imported};
pub use many::{parse_calendar, Found, MAX_EVENTS};
pub use write::calendar;

/// One event to write into a calendar file, with what the file needs beyond the stored row.
#[derive(Debug, Clone, Copy)]
pub struct IcsEvent<'a> {
    /// The stored event or series.
    pub event: &'a Event,
    /// Its per-occurrence changes (cancelled, moved, lengthened or renamed occurrences).
    pub overrides: &'a [Override],
    /// The host's display name, shown as the organiser.
    pub host_name: &'a str,
    /// Only these occurrences (keys: original starts in UTC ms), each as an event of its own, for
    /// a member's feed of what they go to; `None` writes the whole series.
    pub only: Option<&'a [i64]>,
    /// A series taking venues in turn: each venue's place ("name, city"), in turn order; empty
    /// when it meets at one place.
    pub places: &'a [String],
}
