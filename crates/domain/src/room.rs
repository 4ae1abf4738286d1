//! The phase timer of a live room. Every room follows one cycle — check-in, focus (the room's
//! preset), break, check-out — and then ends. The server is the clock: it stores one [`Timer`] and
//! sends clients absolute end instants. Nothing ticks: the timer as it stands is always computed
//! from the stored value and `now` (UTC epoch milliseconds) with [`Timer::at`].

use serde::{Deserialize, Serialize};

/// Length of the check-in phase.
pub const CHECK_IN_MINUTES: i64 = 5;
/// Length of the break.
pub const BREAK_MINUTES: i64 = 5;
/// Length of the check-out phase.
pub const CHECK_OUT_MINUTES: i64 = 5;
/// The focus lengths a room may use, in minutes.
pub const PRESETS: [i64; 3] = [25, 50, 75];

const MINUTE_MS: i64 = 60_000;

/// One phase of the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Members say what they will work on.
    CheckIn,
    /// Quiet work, for the room's preset.
    Focus,
    /// A short pause.
    Break,
    /// Members say how it went.
    CheckOut,
}

impl Phase {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::CheckIn => "check_in",
            Phase::Focus => "focus",
            Phase::Break => "break",
            Phase::CheckOut => "check_out",
        }
    }

    /// The phase of a stored or wire name.
    pub fn parse(s: &str) -> Option<Phase> {
        [Phase::CheckIn, Phase::Focus, Phase::Break, Phase::CheckOut].into_iter().find(|p| p.as_str() == s)
    }

    /// The phase after this one (`None` after check-out: the room ends).
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::CheckIn => Some(Phase::Focus),
            Phase::Focus => Some(Phase::Break),
            Phase::Break => Some(Phase::CheckOut),
            Phase::CheckOut => None,
        }
    }

    /// The name shown to members.
    pub fn label(self) -> &'static str {
        match self {
            Phase::CheckIn => "Check-in",
            Phase::Focus => "Focus",
            Phase::Break => "Break",
            Phase::CheckOut => "Check-out",
        }
    }
}

/// Where a timer stands, as stored. Serialised with a `"state"` tag, e.g.
/// `{"state":"running","phase":"focus","ends_at":1000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Not started: starts by itself at the scheduled start, or earlier when the host starts it.
    Waiting,
    /// In `phase` until the instant `ends_at`.
    Running { phase: Phase, ends_at: i64 },
    /// Held by the host in `phase`, with `remaining_ms` of it left.
    Paused { phase: Phase, remaining_ms: i64 },
    /// The cycle is over.
    Ended,
}

/// The timer of one room: its focus preset and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// The focus length in minutes, one of [`PRESETS`].
    pub focus_minutes: i64,
    /// Where the timer stands (as stored: bring it to now with [`Timer::at`]).
    pub state: State,
}

/// Why a host command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimerError {
    /// Start, but the room has started.
    #[error("the room has already started")]
    AlreadyStarted,
    /// Pause, resume or skip before the room has started.
    #[error("the room has not started yet")]
    NotStarted,
    /// Pause, but the timer is paused.
    #[error("the timer is already paused")]
    AlreadyPaused,
    /// Resume, but the timer is not paused.
    #[error("the timer is not paused")]
    NotPaused,
    /// Any command after the room has ended.
    #[error("the room has ended")]
    Ended,
    /// A focus length that is not a preset.
    #[error("focus can last 25, 50 or 75 minutes")]
    BadPreset,
    /// A focus length change once focus has started.
    #[error("the focus length can only change before focus starts")]
    TooLate,
}

impl Timer {
    /// A waiting timer with the given focus preset.
    pub fn new(focus_minutes: i64) -> Result<Timer, TimerError> {
        if !PRESETS.contains(&focus_minutes) {
            return Err(TimerError::BadPreset);
        }
        Ok(Timer { focus_minutes, state: State::Waiting })
    }

    /// A waiting timer whose focus fits a session of `duration_minutes` (see [`Timer::default_focus`]).
    pub fn for_session(duration_minutes: i64) -> Timer {
        Timer { focus_minutes: Timer::default_focus(duration_minutes), state: State::Waiting }
    }

    /// The focus preset for a session of `duration_minutes`: the largest preset that leaves room
    /// for the 15 minutes of check-in, break and check-out, else the shortest.
    pub fn default_focus(duration_minutes: i64) -> i64 {
        let fixed = CHECK_IN_MINUTES + BREAK_MINUTES + CHECK_OUT_MINUTES;
        PRESETS.into_iter().rev().find(|p| p.saturating_add(fixed) <= duration_minutes).unwrap_or(PRESETS[0])
    }

    /// The full length of a phase in milliseconds.
    pub fn phase_ms(&self, phase: Phase) -> i64 {
        let minutes = match phase {
            Phase::CheckIn => CHECK_IN_MINUTES,
            Phase::Focus => self.focus_minutes,
            Phase::Break => BREAK_MINUTES,
            Phase::CheckOut => CHECK_OUT_MINUTES,
        };
        minutes.saturating_mul(MINUTE_MS)
    }

    /// The state a phase starts in when it begins at `from` (`Ended` after check-out).
    fn begin(&self, phase: Option<Phase>, from: i64) -> State {
        match phase {
            Some(phase) => State::Running { phase, ends_at: from.saturating_add(self.phase_ms(phase)) },
            None => State::Ended,
        }
    }

    /// The timer as it stands at `now`. A waiting timer whose scheduled start has come runs from
    /// the scheduled start; a phase whose end has passed rolls into the next, which ends its own
    /// length later (as many phases as needed); after check-out the room has ended. A paused timer
    /// stays paused. `at(t2)` of `at(t1)` is `at(t2)` whenever `t1 <= t2`.
    pub fn at(&self, now: i64, scheduled_start: i64) -> Timer {
        let mut state = self.state;
        if state == State::Waiting && now >= scheduled_start {
            state = self.begin(Some(Phase::CheckIn), scheduled_start);
        }
        while let State::Running { phase, ends_at } = state {
            if ends_at > now {
                break;
            }
            state = self.begin(phase.next(), ends_at);
        }
        Timer { state, ..*self }
    }

    /// The host starts the room now, before its scheduled start.
    pub fn start(&self, now: i64, scheduled_start: i64) -> Result<Timer, TimerError> {
        let t = self.at(now, scheduled_start);
        match t.state {
            State::Waiting => Ok(Timer { state: self.begin(Some(Phase::CheckIn), now), ..t }),
            State::Ended => Err(TimerError::Ended),
            State::Running { .. } | State::Paused { .. } => Err(TimerError::AlreadyStarted),
        }
    }

    /// The host holds the current phase.
    pub fn pause(&self, now: i64, scheduled_start: i64) -> Result<Timer, TimerError> {
        let t = self.at(now, scheduled_start);
        match t.state {
            State::Running { phase, ends_at } => {
                Ok(Timer { state: State::Paused { phase, remaining_ms: ends_at.saturating_sub(now) }, ..t })
            }
            State::Waiting => Err(TimerError::NotStarted),
            State::Paused { .. } => Err(TimerError::AlreadyPaused),
            State::Ended => Err(TimerError::Ended),
        }
    }

    /// The host lets a held phase run on for what was left of it.
    pub fn resume(&self, now: i64, scheduled_start: i64) -> Result<Timer, TimerError> {
        let t = self.at(now, scheduled_start);
        match t.state {
            State::Paused { phase, remaining_ms } => {
                Ok(Timer { state: State::Running { phase, ends_at: now.saturating_add(remaining_ms) }, ..t })
            }
            State::Waiting => Err(TimerError::NotStarted),
            State::Running { .. } => Err(TimerError::NotPaused),
            State::Ended => Err(TimerError::Ended),
        }
    }

    /// The host ends the current phase now (running or paused): the next one runs from now for its
    /// full length, or the room ends after check-out.
    pub fn skip(&self, now: i64, scheduled_start: i64) -> Result<Timer, TimerError> {
        let t = self.at(now, scheduled_start);
        match t.state {
            State::Running { phase, .. } | State::Paused { phase, .. } => {
                Ok(Timer { state: self.begin(phase.next(), now), ..t })
            }
            State::Waiting => Err(TimerError::NotStarted),
            State::Ended => Err(TimerError::Ended),
        }
    }

    /// The host changes the focus length, which is allowed until focus starts (while waiting or
    /// during check-in, running or paused).
    pub fn set_focus(&self, minutes: i64, now: i64, scheduled_start: i64) -> Result<Timer, TimerError> {
        if !PRESETS.contains(&minutes) {
            return Err(TimerError::BadPreset);
        }
        let t = self.at(now, scheduled_start);
        match t.state {
            State::Waiting
            | State::Running { phase: Phase::CheckIn, .. }
            | State::Paused { phase: Phase::CheckIn, .. } => Ok(Timer { focus_minutes: minutes, ..t }),
            _ => Err(TimerError::TooLate),
        }
    }

    /// When running: the current phase and every later one, each with its end instant, so a client
    /// can show each change without another message. Empty unless running.
    pub fn schedule(&self) -> Vec<(Phase, i64)> {
        let State::Running { phase, ends_at } = self.state else {
            return Vec::new();
        };
        let mut out = vec![(phase, ends_at)];
        let mut next = (phase.next(), ends_at);
        while let (Some(p), from) = next {
            let end = from.saturating_add(self.phase_ms(p));
            out.push((p, end));
            next = (p.next(), end);
        }
        out
    }

    /// The phase of this timer (`None` while waiting or ended); call on a timer brought to now
    /// with [`Timer::at`].
    pub fn phase(&self) -> Option<Phase> {
        match self.state {
            State::Running { phase, .. } | State::Paused { phase, .. } => Some(phase),
            State::Waiting | State::Ended => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Phase::*;
    use super::*;
    use proptest::prelude::*;

    const M: i64 = MINUTE_MS;
    const S: i64 = 1_700_000_000_000;

    #[test]
    fn presets_and_default_focus() {
        for (duration, focus) in [(90, 75), (60, 25), (65, 50), (20, 25), (200, 75)] {
            assert_eq!(Timer::default_focus(duration), focus, "{duration} minutes");
        }
        assert_eq!(Timer::new(30), Err(TimerError::BadPreset));
        assert_eq!(Timer::new(50).map(|t| t.phase_ms(Focus)), Ok(50 * M));
        assert_eq!(Phase::parse("check_out"), Some(CheckOut));
        assert_eq!(Phase::parse("lunch"), None);
        assert_eq!(CheckIn.label(), "Check-in");
    }

    #[test]
    fn a_waiting_timer_runs_from_the_scheduled_start() {
        let t = Timer::new(25).unwrap();
        assert_eq!(t.at(S - 1, S).state, State::Waiting);
        assert_eq!(t.at(S, S).state, State::Running { phase: CheckIn, ends_at: S + 5 * M });
        let late = t.at(S + 12 * M, S);
        assert_eq!(late.state, State::Running { phase: Focus, ends_at: S + 30 * M });
        assert_eq!(late.schedule(), vec![(Focus, S + 30 * M), (Break, S + 35 * M), (CheckOut, S + 40 * M)]);
        assert_eq!(t.at(S + 40 * M, S).state, State::Ended);
        assert_eq!(t.at(S + 40 * M, S).phase(), None);
    }

    #[test]
    fn the_host_starts_early_once() {
        let t = Timer::new(25).unwrap().start(S - 10 * M, S).unwrap();
        assert_eq!(t.state, State::Running { phase: CheckIn, ends_at: S - 5 * M });
        assert_eq!(t.start(S - 9 * M, S), Err(TimerError::AlreadyStarted));
        assert_eq!(t.start(S + 60 * M, S), Err(TimerError::Ended));
    }

    #[test]
    fn a_pause_pushes_every_later_end() {
        let t = Timer::new(25).unwrap();
        let paused = t.pause(S + 10 * M, S).unwrap();
        assert_eq!(paused.state, State::Paused { phase: Focus, remaining_ms: 20 * M });
        assert_eq!(paused.at(S + 99 * M, S), paused);
        assert_eq!(paused.pause(S + 11 * M, S), Err(TimerError::AlreadyPaused));
        let resumed = paused.resume(S + 13 * M, S).unwrap();
        assert_eq!(
            resumed.schedule(),
            vec![(Focus, S + 33 * M), (Break, S + 38 * M), (CheckOut, S + 43 * M)]
        );
        assert_eq!(resumed.resume(S + 14 * M, S), Err(TimerError::NotPaused));
        assert_eq!(t.pause(S - 1, S), Err(TimerError::NotStarted));
    }

    #[test]
    fn skip_ends_the_phase_now() {
        let t = Timer::new(50).unwrap();
        let now = S + 2 * M;
        assert_eq!(t.skip(now, S).unwrap().state, State::Running { phase: Focus, ends_at: now + 50 * M });
        assert_eq!(t.skip(S + 62 * M, S).unwrap().state, State::Ended);
        assert_eq!(t.skip(S - 1, S), Err(TimerError::NotStarted));
        assert_eq!(t.skip(S + 65 * M, S), Err(TimerError::Ended));
        let paused = t.pause(now, S).unwrap();
        assert_eq!(
            paused.skip(now + M, S).unwrap().state,
            State::Running { phase: Focus, ends_at: now + 51 * M }
        );
    }

    #[test]
    fn focus_changes_only_before_focus() {
        let t = Timer::new(25).unwrap();
        assert_eq!(t.set_focus(75, S - M, S).unwrap().focus_minutes, 75);
        let changed = t.set_focus(50, S + M, S).unwrap();
        assert_eq!(changed.schedule()[1], (Focus, S + 55 * M));
        let paused = t.pause(S + M, S).unwrap();
        assert_eq!(paused.set_focus(75, S + 2 * M, S).map(|t| t.focus_minutes), Ok(75));
        assert_eq!(t.set_focus(50, S + 6 * M, S), Err(TimerError::TooLate));
        assert_eq!(t.set_focus(30, S + M, S), Err(TimerError::BadPreset));
    }

    #[test]
    fn the_stored_json_shape_round_trips() {
        let shapes = [
            (State::Waiting, r#"{"state":"waiting"}"#),
            (
                State::Running { phase: Focus, ends_at: 1000 },
                r#"{"state":"running","phase":"focus","ends_at":1000}"#,
            ),
            (
                State::Paused { phase: CheckIn, remaining_ms: 60000 },
                r#"{"state":"paused","phase":"check_in","remaining_ms":60000}"#,
            ),
            (State::Ended, r#"{"state":"ended"}"#),
        ];
        for (state, json) in shapes {
            let timer = Timer { focus_minutes: 25, state };
            let text = serde_json::to_string(&timer).unwrap();
            assert_eq!(text, format!(r#"{{"focus_minutes":25,"state":{json}}}"#));
            assert_eq!(serde_json::from_str::<Timer>(&text).unwrap(), timer);
        }
    }

    fn any_timer() -> impl Strategy<Value = Timer> {
        let phase = prop_oneof![Just(CheckIn), Just(Focus), Just(Break), Just(CheckOut)];
        let state = prop_oneof![
            Just(State::Waiting),
            (phase.clone(), -200 * M..200 * M)
                .prop_map(|(phase, d)| State::Running { phase, ends_at: S + d }),
            (phase, 0..80 * M).prop_map(|(phase, remaining_ms)| State::Paused { phase, remaining_ms }),
            Just(State::Ended),
        ];
        (prop::sample::select(PRESETS.to_vec()), state)
            .prop_map(|(focus_minutes, state)| Timer { focus_minutes, state })
    }

    proptest! {
        #[test]
        fn at_is_idempotent_and_monotone(t in any_timer(), a in -300 * M..300 * M, b in 0..300 * M) {
            let (t1, t2) = (S + a, S + a + b);
            prop_assert_eq!(t.at(t1, S).at(t1, S), t.at(t1, S));
            prop_assert_eq!(t.at(t1, S).at(t2, S), t.at(t2, S));
        }

        #[test]
        fn extreme_instants_never_panic(t in any_timer(), now in any::<i64>(), start in any::<i64>()) {
            let at = t.at(now, start);
            prop_assert_eq!(at.at(now, start), at);
            let _ = (t.start(now, start), t.pause(now, start), t.skip(now, start), at.schedule());
        }
    }
}
