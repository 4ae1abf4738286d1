//! The instance's own settings, as an admin changes them at run time: what the site calls
//! itself, who may create an account, and the legal pages' text.

use crate::errors::FieldErrors;
use crate::profile::{check_name, check_text};

/// Who may create an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUp {
    /// Anyone.
    Open,
    /// Whoever follows a live invitation to a group.
    Invite,
    /// Nobody.
    Closed,
}

impl SignUp {
    /// Parses the stored word; anything unknown is read as `Open`, the default.
    pub fn parse(s: &str) -> SignUp {
        match s {
            "invite" => SignUp::Invite,
            "closed" => SignUp::Closed,
            _ => SignUp::Open,
        }
    }

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            SignUp::Open => "open",
            SignUp::Invite => "invite",
            SignUp::Closed => "closed",
        }
    }

    /// Whether someone may create an account, given whether they hold a live invitation; the
    /// reason when not, to show them.
    pub fn allows(self, invited: bool) -> Result<(), &'static str> {
        match self {
            SignUp::Open => Ok(()),
            SignUp::Invite if invited => Ok(()),
            SignUp::Invite => Err("New accounts are by invitation: ask a group's organiser for an invitation, then follow it here."),
            SignUp::Closed => Err("This site is not taking new members at the moment."),
        }
    }
}

/// Longest site name.
pub const NAME_MAX: usize = 60;
/// Longest text of one legal page.
pub const LEGAL_MAX: usize = 50_000;

/// Checked site settings: (name, sign-up, terms, privacy).
pub fn check(
    name: &str,
    signup: &str,
    terms: &str,
    privacy: &str,
) -> Result<(String, SignUp, String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.check(
        "site_name",
        check_name(name, NAME_MAX).and_then(|n| {
            if n.is_empty() {
                Err("Give the site a name.".to_owned())
            } else {
                Ok(n)
            }
        }),
    );
    let mode = match signup {
        "open" | "invite" | "closed" => Some(SignUp::parse(signup)),
        _ => {
            errors.add("signup", "Choose open, by invitation or closed.");
            None
        }
    };
    let terms = errors.check("terms", check_text(terms, LEGAL_MAX));
    let privacy = errors.check("privacy", check_text(privacy, LEGAL_MAX));
    errors.into_result()?;
    Ok((
        name.unwrap_or_default(),
        mode.unwrap_or(SignUp::Open),
        terms.unwrap_or_default(),
        privacy.unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_open_an_invite_only_site_and_nothing_opens_a_closed_one() {
        assert!(SignUp::Open.allows(false).is_ok());
        assert!(SignUp::Invite.allows(true).is_ok());
        assert!(SignUp::Invite.allows(false).is_err());
        assert!(SignUp::Closed.allows(true).is_err());
        for m in [SignUp::Open, SignUp::Invite, SignUp::Closed] {
            assert_eq!(SignUp::parse(m.as_str()), m);
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let e = check("  ", "maybe", "fine", "ok").expect_err("two errors");
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["site_name", "signup"]);
        let (name, mode, terms, _) = check(" Lisbon Coworkers ", "invite", " Be kind. ", "").expect("valid");
        assert_eq!((name.as_str(), mode, terms.as_str()), ("Lisbon Coworkers", SignUp::Invite, "Be kind."));
        assert!(check("x", "open", &"a".repeat(LEGAL_MAX + 1), "").is_err());
    }
}
