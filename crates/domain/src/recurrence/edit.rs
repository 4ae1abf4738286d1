//! Editing a series from an occurrence on: "this and following" splits it, "cancel from a date on"
//! ends it. Edits and cancellations of single occurrences are the caller's overrides and EXDATEs,
//! keyed by [`Occurrence::recurrence_id`](super::Occurrence::recurrence_id).

use chrono::{Days, NaiveDate, NaiveDateTime};

use super::expand::{Slot, Slots};
use super::rule::{End, Until};
use super::Series;

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The rule schedules nothing at that wall time.
    #[error("This event has no occurrence on {}.", .0.format("%a %-d %b %Y at %H:%M"))]
    NotAnOccurrence(NaiveDateTime),
}

/// A series cut in two for a "this and following" edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The occurrences before the cut, ending with the last of them; `None` when the cut is at the
    /// first start (then the edit applies to the whole series).
    pub head: Option<Series>,
    /// The cut occurrence and all that follow, starting at the cut: the series to edit.
    pub tail: Series,
}

impl Series {
    /// Cuts the series at the occurrence the rule scheduled at `recurrence_id` (cancelled or not).
    ///
    /// The head keeps the rule and ends with the occurrence before the cut: a COUNT becomes the
    /// number of occurrences before it, otherwise UNTIL becomes that occurrence's start, so it reads
    /// "until" the right day. The tail starts at the cut and keeps the rest of the COUNT, or the
    /// original ending. EXDATEs go with the half they fall in.
    pub fn split_at(&self, recurrence_id: NaiveDateTime) -> Result<Split, EditError> {
        let (mut before, mut cut) = (None, None);
        for slot in Slots::new(self, None, recurrence_id.date()) {
            if slot.nominal >= recurrence_id {
                cut = Some(slot).filter(|s| s.nominal == recurrence_id);
                break;
            }
            before = Some(slot);
        }
        let cut = cut.ok_or(EditError::NotAnOccurrence(recurrence_id))?;
        let mut tail = self.clone();
        tail.first_start = recurrence_id;
        tail.exdates.retain(|d| *d >= recurrence_id);
        if let Some(rule) = tail.rule.as_mut() {
            if let End::Count(n) = rule.end() {
                rule.set_end(End::Count(n - as_count(cut.index)));
            }
        }
        Ok(Split { head: before.map(|last| self.ending_with(last)), tail })
    }

    /// The series without its occurrences scheduled on or after local `date`; `None` when none is
    /// left (the caller then deletes or cancels the whole event).
    pub fn cancel_from(&self, date: NaiveDate) -> Option<Series> {
        let last_kept = date.checked_sub_days(Days::new(1))?;
        let last = Slots::new(self, None, last_kept).last()?;
        Some(self.ending_with(last))
    }

    fn ending_with(&self, last: Slot) -> Series {
        let mut head = self.clone();
        if let Some(rule) = head.rule.as_mut() {
            let end = match rule.end() {
                End::Count(_) => End::Count(as_count(last.index) + 1),
                End::Never | End::Until(_) => End::Until(Until::Instant(last.start)),
            };
            rule.set_end(end);
        }
        head.exdates.retain(|d| *d <= last.nominal);
        head
    }
}

/// A slot's position as a COUNT; positions never exceed the COUNT they were walked under.
fn as_count(index: u64) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}
