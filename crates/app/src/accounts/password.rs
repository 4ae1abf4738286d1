//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, as OWASP advises),
//! run off the async threads because it is deliberately slow.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::FieldErrors;

use crate::error::AppError;

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

/// Hashes on the current thread (for the CLI and the demo).
pub fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// True when the password matches the PHC hash.
pub async fn verify(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

/// A hash of nothing in particular, for checks against unknown accounts.
pub fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_now("not-a-real-password-at-all").unwrap_or_default())
}

/// Length and common-password rules for a reset (there is no email to compare against here:
/// the account's address is checked at sign-up).
pub fn check_for_reset(password: &str) -> Result<(), AppError> {
    domain::password::check(password, "").map_err(|d| AppError::Invalid(FieldErrors::one("password", d)))
}
