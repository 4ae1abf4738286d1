//! Limits on sign-up, sign-in and password reset per client address (a token bucket from the
//! `governor` crate: `n` attempts, refilled at `n` per five minutes).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::state::AppState;

/// The actions that are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creating an account.
    SignUp,
    /// Signing in or creating an API token with a password.
    SignIn,
    /// Asking for a reset link.
    Reset,
    /// Choosing a new password from a reset link.
    ResetConfirm,
}

/// The per-address limiter.
#[derive(Debug)]
pub struct Limiter {
    inner: DefaultKeyedRateLimiter<(IpAddr, Action)>,
}

impl Limiter {
    /// Allows at most `n` attempts per address and action in any five minutes: a burst of `n`,
    /// after which one attempt comes back every five minutes (GCRA allows `burst + window/period`
    /// in a window, so the period must be the whole window for the bound to hold).
    pub fn new(per_five_minutes: u32) -> Limiter {
        Limiter { inner: RateLimiter::keyed(quota(per_five_minutes)) }
    }

    /// Forgets addresses that have been quiet long enough to have a full allowance again.
    pub fn forget_idle(&self) {
        self.inner.retain_recent();
    }

    /// Counts one attempt; too many gives 429 with the seconds to wait.
    pub fn check(&self, ip: IpAddr, action: Action) -> Result<(), AppError> {
        self.inner.check_key(&(ip, action)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests(wait.as_secs().max(1))
        })
    }
}

fn quota(per_five_minutes: u32) -> Quota {
    let n = NonZeroU32::new(per_five_minutes.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(300)).unwrap_or_else(|| Quota::per_minute(n)).allow_burst(n)
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` entry when the
/// instance is configured to trust its proxy.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                // The last entry is the one our proxy appended; earlier ones are the client's word.
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok());
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(peer.unwrap_or(IpAddr::from([127, 0, 0, 1]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_five_minutes_is_refused_with_a_wait() {
        let l = Limiter::new(5);
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..5 {
            l.check(ip, Action::SignIn).expect("within the limit");
        }
        match l.check(ip, Action::SignIn) {
            Err(AppError::TooManyRequests(s)) => assert!((1..=300).contains(&s), "{s}"),
            other => panic!("expected 429, got {other:?}"),
        }
        // Other addresses and other actions have their own buckets.
        l.check(IpAddr::from([10, 0, 0, 2]), Action::SignIn).expect("other address");
        l.check(ip, Action::SignUp).expect("other action");
    }

    #[test]
    fn no_five_minute_window_ever_holds_more_than_five_attempts() {
        use governor::clock::FakeRelativeClock;
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::dashmap_with_clock(quota(5), clock.clone());
        // Try once every 10 s for an hour and record which tries were let through.
        let mut allowed = Vec::new();
        for t in 0..360u64 {
            if limiter.check_key(&"ip").is_ok() {
                allowed.push(t * 10);
            }
            clock.advance(Duration::from_secs(10));
        }
        for (i, start) in allowed.iter().enumerate() {
            let in_window = allowed[i..].iter().take_while(|t| **t < start + 300).count();
            assert!(in_window <= 5, "{in_window} attempts within 5 minutes from t={start}s");
        }
        assert!(allowed.len() >= 5 + 11, "the allowance comes back over the hour: {}", allowed.len());
    }
}
