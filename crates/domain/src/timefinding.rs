//! Time-finding: the slots of a poll's range when most invitees are free.
//!
//! Each invitee brings weekly availability windows in their own zone and the events they already
//! have. [`propose`] places every window on the time line on the real local dates of the range, so a
//! daylight-saving change moves the UTC instants with it, removes the busy intervals, counts for each
//! candidate start on the step grid who is free for the whole slot, and picks the best starts — most
//! invitees free, then earliest — greedily, so that no two proposals overlap.
//!
//! A window edge is placed at the first instant the member's clock shows that wall time. In the
//! autumn fold that is the earlier of the two instants, as [`crate::recurrence::resolve`] does; a
//! time the spring gap skips is placed at the jump itself. `resolve` instead moves a skipped time
//! forward by the gap, which suits an event ("the meetup still happens that day") but would stretch
//! a window ending inside the gap by time the member never offered. An edge at 24:00 and one at 00:00
//! the next day are the same instant, so windows on consecutive days that touch at midnight join.
//!
//! Cost: expanding is linear in the days of the range times the windows, counting is linear in the
//! free intervals plus the candidates (a difference array, no per-candidate scan of invitees), and
//! only the picked slots are checked invitee by invitee.

use std::cmp::Reverse;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};
use serde::{Deserialize, Serialize};

use crate::profile::Window;
use crate::recurrence::resolve;

/// The usual grid for candidate starts: the quarter hours.
pub const DEFAULT_STEP_MINUTES: u32 = 15;

/// Most candidate starts one request considers (the earliest ones); see [`SlotRequest::candidates`].
pub const MAX_CANDIDATES: usize = 100_000;

/// A half-open interval `[start, end)` in whole seconds since the Unix epoch.
type Span = (i64, i64);

/// One person invited to a poll: when they are usually free, and what they already have on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    /// The zone their windows are written in.
    pub zone: Tz,
    /// Weekly availability in `zone`; may overlap. Windows with a weekday past 6 or that end before
    /// they start are ignored, and an end past 1440 is read as 1440.
    pub windows: Vec<Window>,
    /// Existing commitments as half-open `[start, end)` intervals, in any order, possibly overlapping.
    pub busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// What slots to look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRequest {
    /// No slot starts before this.
    pub from: DateTime<Utc>,
    /// Every slot ends by this.
    pub to: DateTime<Utc>,
    /// How long each slot lasts, in elapsed minutes; 0 proposes nothing.
    pub duration_minutes: u32,
    /// Candidate starts are the multiples of this many minutes since the Unix epoch, so 15 gives
    /// the quarter hours in UTC (and in every zone whose offset is a whole quarter hour); 0 reads as 1.
    pub step_minutes: u32,
    /// Minimum notice: no slot starts before this either (the caller's "now" plus the notice).
    pub not_before: DateTime<Utc>,
    /// Most proposals returned.
    pub limit: usize,
}

impl SlotRequest {
    /// How many candidate starts the request spans (saturating). [`propose`] looks at no more than
    /// [`MAX_CANDIDATES`] of them, so callers should refuse a larger range up front.
    pub fn candidates(&self) -> usize {
        Grid::span(self).map_or(0, |(first, last, step, _)| {
            usize::try_from((last - first) / step + 1).unwrap_or(usize::MAX)
        })
    }
}

/// A proposed slot and who can make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends: the start plus the requested duration.
    pub end: DateTime<Utc>,
    /// Indexes into the invitees given to [`propose`] of those free for the whole slot, ascending.
    pub free: Vec<usize>,
    /// How many invitees there were.
    pub total: usize,
}

impl Proposal {
    /// How many invitees are free for the whole slot.
    pub fn free_count(&self) -> usize {
        self.free.len()
    }

    /// Indexes of the invitees who are not free, ascending: the ones an organiser may want to ask.
    pub fn not_free(&self) -> Vec<usize> {
        (0..self.total).filter(|i| self.free.binary_search(i).is_err()).collect()
    }

    /// The slot in words for the poll page: "7 of 8 free", or "everyone free (8)".
    pub fn explain(&self) -> String {
        if self.free.len() == self.total {
            format!("everyone free ({})", self.total)
        } else {
            format!("{} of {} free", self.free.len(), self.total)
        }
    }
}

impl Invitee {
    /// When this invitee is free within `[from, to)`: their windows on the time line less their busy
    /// intervals, sorted, disjoint and never touching.
    pub fn free_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let spans = self.free_spans(ceil_secs(from), to.timestamp());
        spans.into_iter().filter_map(|(a, b)| Some((instant(a)?, instant(b)?))).collect()
    }

    fn free_spans(&self, from: i64, to: i64) -> Vec<Span> {
        // Rounded outwards: a commitment ending half a second past the hour still takes that second.
        let busy = self.busy.iter().map(|&(a, b)| (a.timestamp(), ceil_secs(b)));
        let busy = merge(busy.filter(|&(a, b)| a < b && a < to && b > from).collect());
        subtract(self.available_spans(from, to), &busy)
    }

    fn available_spans(&self, from: i64, to: i64) -> Vec<Span> {
        let mut spans = Vec::new();
        // A window on local date D lies between the first instants the clock shows D 00:00 and
        // D+1 00:00, so only the local dates of `from` through `to` can reach into the range (a fold
        // never shows a wall time before jumping back over it, so the dates stay in order).
        let (Some(mut date), Some(last)) = (local_date(self.zone, from), local_date(self.zone, to)) else {
            return spans;
        };
        while date <= last {
            let weekday = date.weekday().num_days_from_monday();
            for w in self.windows.iter().filter(|w| u32::from(w.weekday) == weekday) {
                let edges =
                    (reach(self.zone, date, w.start_min), reach(self.zone, date, w.end_min.min(1440)));
                if let (Some(start), Some(end)) = edges {
                    let (start, end) = (start.max(from), end.min(to));
                    if start < end {
                        spans.push((start, end));
                    }
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        merge(spans)
    }
}

/// Proposes up to `req.limit` slots, most invitees free first, then earliest; see the module docs.
///
/// Slots where nobody is free are never proposed, and no two proposals overlap: once a slot is
/// picked, every candidate overlapping it is passed over, so the top few are genuinely different
/// times rather than the same one shifted by a quarter hour.
pub fn propose(invitees: &[Invitee], req: &SlotRequest) -> Vec<Proposal> {
    let Some(grid) = Grid::new(req) else { return Vec::new() };
    if invitees.is_empty() || req.limit == 0 {
        return Vec::new();
    }
    let range_end = grid.start(grid.len - 1) + grid.duration;
    let free_of: Vec<Vec<Span>> = invitees.iter().map(|i| i.free_spans(grid.first, range_end)).collect();

    // Each free span adds one to the run of candidates that fit inside it: +1 where the run starts
    // and -1 after it ends, summed once, instead of testing every invitee at every candidate.
    let mut diff = vec![0i64; grid.len + 1];
    for &(a, b) in free_of.iter().flatten() {
        if let Some((lo, hi)) = grid.inside(a, b) {
            diff[lo] += 1;
            diff[hi] -= 1;
        }
    }
    let counts: Vec<i64> = diff[..grid.len]
        .iter()
        .scan(0, |running, d| {
            *running += d;
            Some(*running)
        })
        .collect();

    let mut order: Vec<usize> = (0..grid.len).filter(|&k| counts[k] > 0).collect();
    order.sort_unstable_by_key(|&k| (Reverse(counts[k]), k));
    // Candidates fewer than a slot's length apart overlap.
    let radius = usize::try_from((grid.duration - 1) / grid.step).unwrap_or(usize::MAX);
    let mut overlaps_picked = vec![false; grid.len];
    let mut picked = Vec::new();
    for k in order {
        if picked.len() == req.limit {
            break;
        }
        if overlaps_picked[k] {
            continue;
        }
        picked.push(k);
        overlaps_picked[k.saturating_sub(radius)..=k.saturating_add(radius).min(grid.len - 1)].fill(true);
    }

    let total = invitees.len();
    let proposal = |k: usize| {
        let (start, end) = (grid.start(k), grid.start(k) + grid.duration);
        let free = (0..total).filter(|&i| covers(&free_of[i], start, end)).collect();
        Some(Proposal { start: instant(start)?, end: instant(end)?, free, total })
    };
    picked.into_iter().filter_map(proposal).collect()
}

/// The candidate starts of a request, in whole seconds.
#[derive(Debug)]
struct Grid {
    first: i64,
    step: i64,
    duration: i64,
    len: usize,
}

impl Grid {
    /// The first and last candidate start, the step and the duration; `None` when nothing fits.
    fn span(req: &SlotRequest) -> Option<(i64, i64, i64, i64)> {
        let step = i64::from(req.step_minutes.max(1)) * 60;
        let duration = i64::from(req.duration_minutes) * 60;
        let earliest = ceil_secs(req.from.max(req.not_before));
        let first = -(-earliest).div_euclid(step) * step;
        let last = (req.to.timestamp() - duration).div_euclid(step) * step;
        (duration > 0 && first <= last).then_some((first, last, step, duration))
    }

    fn new(req: &SlotRequest) -> Option<Grid> {
        let (first, last, step, duration) = Grid::span(req)?;
        let len = usize::try_from((last - first) / step + 1).unwrap_or(usize::MAX).min(MAX_CANDIDATES);
        Some(Grid { first, step, duration, len })
    }

    fn start(&self, k: usize) -> i64 {
        // k < len ≤ MAX_CANDIDATES, so the cast is exact.
        self.first + k as i64 * self.step
    }

    /// The candidates `lo..hi` whose whole slot lies inside `[a, b)`, if any.
    fn inside(&self, a: i64, b: i64) -> Option<(usize, usize)> {
        let lo = (-(-(a - self.first)).div_euclid(self.step)).max(0);
        let hi = ((b - self.duration - self.first).div_euclid(self.step) + 1).min(self.len as i64);
        // Both are now within 0..=len.
        (lo < hi).then_some((lo as usize, hi as usize))
    }
}

/// Whether one of these sorted, disjoint spans holds all of `[start, end)`.
fn covers(spans: &[Span], start: i64, end: i64) -> bool {
    // Only the first span ending at or after `end` can: any later one starts after it ends.
    let i = spans.partition_point(|s| s.1 < end);
    spans.get(i).is_some_and(|s| s.0 <= start)
}

/// The first instant, in seconds, at which a clock in `zone` shows `minute` minutes into `date` or
/// later; see the module docs for why a skipped time is not moved forward as [`resolve`] does.
fn reach(zone: Tz, date: NaiveDate, minute: u16) -> Option<i64> {
    let local = date.and_time(NaiveTime::MIN).checked_add_signed(TimeDelta::minutes(minute.into()))?;
    let at = match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.to_utc(),
        LocalResult::Ambiguous(a, b) => a.min(b).to_utc(),
        LocalResult::None => match GapInfo::new(&local, &zone).and_then(|g| g.end) {
            Some(after_the_jump) => after_the_jump.to_utc(),
            // Only at the edges of the tz database, where there is no jump to place it at.
            None => resolve(zone, local),
        },
    };
    Some(at.timestamp())
}

fn local_date(zone: Tz, secs: i64) -> Option<NaiveDate> {
    Some(instant(secs)?.with_timezone(&zone).date_naive())
}

fn instant(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}

/// Whole seconds, rounded up so a bound with a fraction of a second never lets in an earlier start.
fn ceil_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

/// Sorts spans and joins those that overlap or touch.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `spans` less `holes`; both sorted and merged.
fn subtract(spans: Vec<Span>, holes: &[Span]) -> Vec<Span> {
    if holes.is_empty() {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len() + holes.len());
    let mut h = 0;
    for (mut a, b) in spans {
        // A hole ending before this span starts ends before every later span starts too.
        while h < holes.len() && holes[h].1 <= a {
            h += 1;
        }
        for &(ha, hb) in holes[h..].iter().take_while(|hole| hole.0 < b) {
            if ha > a {
                out.push((a, ha));
            }
            a = a.max(hb);
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(free: Vec<usize>, total: usize) -> Proposal {
        let start = DateTime::UNIX_EPOCH;
        Proposal { start, end: start + TimeDelta::hours(1), free, total }
    }

    #[test]
    fn explanations_count_who_is_free() {
        assert_eq!(proposal(vec![0, 1, 2, 3, 4, 5, 7], 8).explain(), "7 of 8 free");
        assert_eq!(proposal((0..8).collect(), 8).explain(), "everyone free (8)");
        assert_eq!(proposal(vec![0, 2], 4).not_free(), [1, 3]);
        assert_eq!(proposal(vec![0, 2], 4).free_count(), 2);
    }

    #[test]
    fn spans_merge_when_they_touch_and_holes_cut_them() {
        assert_eq!(merge(vec![(5, 9), (0, 3), (3, 4), (8, 12)]), [(0, 4), (5, 12)]);
        let holes = merge(vec![(2, 3), (6, 20), (1, 2)]);
        assert_eq!(subtract(vec![(0, 4), (5, 12), (15, 30)], &holes), [(0, 1), (3, 4), (5, 6), (20, 30)]);
        assert_eq!(subtract(vec![(0, 10)], &[(0, 10)]), []);
    }

    #[test]
    fn a_time_skipped_by_the_spring_gap_is_placed_at_the_jump() {
        let sunday = NaiveDate::from_ymd_opt(2026, 3, 29).expect("a date");
        let jump = reach(chrono_tz::Europe::Berlin, sunday, 120);
        assert_eq!(reach(chrono_tz::Europe::Berlin, sunday, 150), jump);
        assert_eq!(
            jump.and_then(instant).map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-03-29T01:00:00+00:00")
        );
    }

    #[test]
    fn the_grid_is_aligned_and_bounded() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().expect("an instant");
        let req = SlotRequest {
            from: t("2026-01-05T09:07:30Z"),
            to: t("2026-01-05T11:00:00Z"),
            duration_minutes: 60,
            step_minutes: 0,
            not_before: t("2026-01-05T09:00:00Z"),
            limit: 3,
        };
        // Step 0 reads as one minute: 09:08 … 10:00.
        assert_eq!(req.candidates(), 53);
        let quarter = SlotRequest { step_minutes: 15, ..req.clone() };
        assert_eq!(quarter.candidates(), 4); // 09:15, 09:30, 09:45, 10:00
        assert_eq!(SlotRequest { duration_minutes: 0, ..quarter.clone() }.candidates(), 0);
        assert_eq!(SlotRequest { duration_minutes: 120, ..quarter }.candidates(), 0);
    }
}
