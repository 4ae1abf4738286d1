//! Reliability: how a member kept their last sessions. Shown as a badge next to their name, and
//! used to limit how many open bookings someone who often does not turn up may hold.

/// How many of a member's most recent sessions count.
pub const WINDOW: usize = 20;
/// Fewer sessions than this say too little: the member counts as new.
pub const MIN_SESSIONS: usize = 3;

/// What happened with one session a member had said they would attend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// They came (or the session went ahead without a mark against them).
    Kept,
    /// They cancelled shortly before the start.
    LateCancel,
    /// They did not turn up.
    NoShow,
}

/// A member's record over their last [`WINDOW`] sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    pub sessions: usize,
    pub late_cancels: usize,
    pub no_shows: usize,
}

/// The badge shown for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// Fewer than [`MIN_SESSIONS`] sessions.
    New,
    /// 90 % or more kept.
    Reliable,
    /// 75 % or more kept.
    Mostly,
    /// Less than 75 % kept.
    Unreliable,
}

impl Badge {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Badge::New => "new",
            Badge::Reliable => "reliable",
            Badge::Mostly => "mostly",
            Badge::Unreliable => "unreliable",
        }
    }

    /// The badge as a name says it, `as_str` read back.
    pub fn parse(s: &str) -> Option<Badge> {
        [Badge::New, Badge::Reliable, Badge::Mostly, Badge::Unreliable].into_iter().find(|b| b.as_str() == s)
    }

    /// The badge in words, for its chip: "Mostly reliable".
    pub fn label(self) -> &'static str {
        match self {
            Badge::New => "New",
            Badge::Reliable => "Reliable",
            Badge::Mostly => "Mostly reliable",
            Badge::Unreliable => "Often misses sessions",
        }
    }
}

impl Record {
    /// The record of the most recent [`WINDOW`] outcomes; `outcomes` is oldest first.
    pub fn of(outcomes: &[Outcome]) -> Record {
        let recent = &outcomes[outcomes.len().saturating_sub(WINDOW)..];
        Record {
            sessions: recent.len(),
            late_cancels: recent.iter().filter(|o| **o == Outcome::LateCancel).count(),
            no_shows: recent.iter().filter(|o| **o == Outcome::NoShow).count(),
        }
    }

    /// The share of sessions kept, from 0 to 1: a no-show counts as a session missed, a late
    /// cancellation as half of one. `None` for a new member.
    pub fn share(&self) -> Option<f64> {
        if self.sessions < MIN_SESSIONS {
            return None;
        }
        let missed = self.no_shows as f64 + self.late_cancels as f64 / 2.0;
        Some((1.0 - missed / self.sessions as f64).max(0.0))
    }

    /// The badge.
    pub fn badge(&self) -> Badge {
        match self.share() {
            None => Badge::New,
            Some(s) if s >= 0.9 => Badge::Reliable,
            Some(s) if s >= 0.75 => Badge::Mostly,
            Some(_) => Badge::Unreliable,
        }
    }

    /// How many open bookings the member may hold at once (`None`: no limit).
    pub fn booking_limit(&self) -> Option<usize> {
        match self.badge() {
            Badge::New | Badge::Reliable => None,
            Badge::Mostly => Some(3),
            Badge::Unreliable => Some(1),
        }
    }

    /// The badge in words: "kept 19 of the last 20 sessions".
    pub fn describe(&self) -> String {
        match self.badge() {
            Badge::New => "new here".to_owned(),
            _ => {
                let kept = self.sessions - self.no_shows - self.late_cancels;
                format!("kept {kept} of the last {} sessions", self.sessions)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome::*;
    use super::*;

    #[test]
    fn a_badge_reads_back_and_says_itself_in_words() {
        for b in [Badge::New, Badge::Reliable, Badge::Mostly, Badge::Unreliable] {
            assert_eq!(Badge::parse(b.as_str()), Some(b));
        }
        assert_eq!(Badge::parse("great"), None);
        assert_eq!(Badge::Mostly.label(), "Mostly reliable");
    }

    #[test]
    fn only_the_last_twenty_count() {
        let mut history = vec![NoShow; 10];
        history.extend([Kept; 20]);
        let r = Record::of(&history);
        assert_eq!(r, Record { sessions: 20, late_cancels: 0, no_shows: 0 });
        assert_eq!(r.badge(), Badge::Reliable);
        assert_eq!(r.booking_limit(), None);
        assert_eq!(r.describe(), "kept 20 of the last 20 sessions");
    }

    #[test]
    fn late_cancellations_count_half_and_limits_follow_the_badge() {
        let mut h = vec![Kept; 16];
        h.extend([LateCancel, LateCancel, NoShow, NoShow]);
        let r = Record::of(&h);
        assert_eq!(r.share(), Some(0.85));
        assert_eq!(r.badge(), Badge::Mostly);
        assert_eq!(r.booking_limit(), Some(3));
        let r = Record::of(&[Kept, NoShow, NoShow, LateCancel]);
        assert_eq!(r.badge(), Badge::Unreliable);
        assert_eq!(r.booking_limit(), Some(1));
    }

    #[test]
    fn newcomers_are_not_judged() {
        let r = Record::of(&[NoShow, NoShow]);
        assert_eq!((r.share(), r.badge(), r.booking_limit()), (None, Badge::New, None));
        assert_eq!(r.describe(), "new here");
    }
}
