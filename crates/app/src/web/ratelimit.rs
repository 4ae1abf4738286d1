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
    /// Asking for or using a reset link.
    Reset,
}

/// The per-address limiter.
#[derive(Debug)]
pub struct Limiter {
    inner: DefaultKeyedRateLimiter<(IpAddr, Action)>,
}

impl Limiter {
    /// Allows `per_five_minutes` attempts per address and action in any five minutes.
    pub fn new(per_five_minutes: u32) -> Limiter {
        let n = NonZeroU32::new(per_five_minutes.max(1)).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs(300) / n.get();
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(n)).allow_burst(n);
        Limiter { inner: RateLimiter::keyed(quota) }
    }

    /// Counts one attempt; too many gives 429 with the seconds to wait.
    pub fn check(&self, ip: IpAddr, action: Action) -> Result<(), AppError> {
        self.inner.check_key(&(ip, action)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests(wait.as_secs().max(1))
        })
    }
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
                .and_then(|v| v.split(',').next())
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
            Err(AppError::TooManyRequests(s)) => assert!((1..=60).contains(&s), "{s}"),
            other => panic!("expected 429, got {other:?}"),
        }
        // Other addresses and other actions have their own buckets.
        l.check(IpAddr::from([10, 0, 0, 2]), Action::SignIn).expect("other address");
        l.check(ip, Action::SignUp).expect("other action");
    }
}
