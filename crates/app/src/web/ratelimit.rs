//! Limits on guessing passwords and on asking for accounts and reset links, counted in the
//! database (`store::throttle`) so that they hold across every instance behind a load balancer.
//!
//! - **Failed password checks** count per account and per address; successes never count, so a
//!   café full of members sharing one Wi-Fi address signs in freely. After
//!   `failed_sign_ins_per_account` failures in 15 minutes each further try waits a delay that
//!   doubles from 30 s up to 15 minutes (answered 429 with `Retry-After`); there is no lockout,
//!   a good password or a reset clears it, and an address with no account is answered the same.
//!   An address is stopped after `failed_sign_ins_per_address` failures in 5 minutes.
//! - **Sign-ups and reset requests**: `rate_limit_auth` per address per 5 minutes each.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;
use crate::web::secrets::hash_token;

const FIVE_MINUTES: i64 = 5 * 60_000;
const FIFTEEN_MINUTES: i64 = 15 * 60_000;
/// The first delay once an account's failures reach the limit; it doubles with each failure.
const FIRST_DELAY_MS: i64 = 30_000;

/// Requests limited per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Creating an account.
    SignUp,
    /// Asking for a reset link, or choosing a new password with one.
    Reset,
    /// A visitor's "going", "join" or "follow", kept until they sign in (each is a row).
    Intent,
}

/// Counts a request from `ip`; too many in five minutes gives 429 with the seconds to wait.
pub async fn count_request(state: &AppState, ip: IpAddr, kind: Request) -> Result<(), AppError> {
    let bucket = match kind {
        Request::SignUp => format!("signup:{ip}"),
        Request::Reset => format!("reset:{ip}"),
        Request::Intent => format!("intent:{ip}"),
    };
    let now = now_ms();
    let w = state.db.throttle_window(&bucket, now - FIVE_MINUTES).await?;
    if w.count >= i64::from(state.config.rate_limit_auth) {
        return Err(wait_until(w.oldest.unwrap_or(now) + FIVE_MINUTES, now));
    }
    state.db.throttle_note(&bucket, now).await?;
    Ok(())
}

/// A password about to be checked for `account` (an email address, whether or not an account
/// uses it) from `ip`. Made by [`before_password`]; say how the check went.
#[derive(Debug)]
pub struct PasswordTry {
    address: String,
    account: String,
}

/// Refuses a password check that must wait (429 with the seconds), else returns the try to
/// report on.
pub async fn before_password(state: &AppState, ip: IpAddr, account: &str) -> Result<PasswordTry, AppError> {
    let t = PasswordTry {
        address: format!("fail-ip:{ip}"),
        // Hashed: the table need not hold the addresses people typed.
        account: format!("fail-account:{}", hash_token(&account.trim().to_lowercase())),
    };
    let now = now_ms();
    let by_address = state.db.throttle_window(&t.address, now - FIVE_MINUTES).await?;
    if by_address.count >= i64::from(state.config.failed_sign_ins_per_address) {
        return Err(wait_until(by_address.oldest.unwrap_or(now) + FIVE_MINUTES, now));
    }
    let by_account = state.db.throttle_window(&t.account, now - FIFTEEN_MINUTES).await?;
    if let Some(delay) = account_delay(by_account.count, i64::from(state.config.failed_sign_ins_per_account))
    {
        let until = by_account.newest.unwrap_or(now) + delay;
        if until > now {
            return Err(wait_until(until, now));
        }
    }
    Ok(t)
}

impl PasswordTry {
    /// The password was wrong: counted against the account and the address.
    pub async fn failed(self, state: &AppState) -> Result<(), AppError> {
        let now = now_ms();
        state.db.throttle_note(&self.account, now).await?;
        state.db.throttle_note(&self.address, now).await?;
        Ok(())
    }

    /// The password was right: the account's failures are forgotten.
    pub async fn passed(self, state: &AppState) -> Result<(), AppError> {
        state.db.throttle_clear(&self.account).await?;
        Ok(())
    }
}

/// Forgets an account's failures (a reset proved the owner's mailbox).
pub async fn clear_account(state: &AppState, email: &str) -> Result<(), AppError> {
    let bucket = format!("fail-account:{}", hash_token(&email.trim().to_lowercase()));
    state.db.throttle_clear(&bucket).await?;
    Ok(())
}

/// Forgets attempts older than every window.
pub async fn purge(state: &AppState) -> Result<u64, AppError> {
    Ok(state.db.throttle_purge(now_ms() - FIFTEEN_MINUTES).await?)
}

/// How long after its latest failure an account with `failures` in 15 minutes must wait, once
/// they reach `limit`: 30 s, doubling with each further failure, at most 15 minutes.
pub fn account_delay(failures: i64, limit: i64) -> Option<i64> {
    let over = failures - limit.max(1);
    (over >= 0).then(|| FIRST_DELAY_MS.saturating_mul(1_i64 << over.min(20)).min(FIFTEEN_MINUTES))
}

fn wait_until(until: i64, now: i64) -> AppError {
    let secs = (until - now + 999) / 1000;
    AppError::TooManyRequests(u64::try_from(secs.max(1)).unwrap_or(1))
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
    fn an_accounts_delay_starts_at_the_limit_doubles_and_stops_at_fifteen_minutes() {
        assert_eq!(account_delay(9, 10), None);
        assert_eq!(account_delay(10, 10), Some(30_000));
        assert_eq!(account_delay(11, 10), Some(60_000));
        assert_eq!(account_delay(13, 10), Some(240_000));
        assert_eq!(account_delay(15, 10), Some(FIFTEEN_MINUTES));
        assert_eq!(account_delay(10_000, 10), Some(FIFTEEN_MINUTES), "never longer, never locked");
    }
}
