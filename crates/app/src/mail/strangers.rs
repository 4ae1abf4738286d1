//! Mail to people who are not members (invitations by email, a roster import): each carries a
//! "don't email me again" link, and an address that used it gets no such mail from this instance
//! again, whichever group writes. The link's token is the address signed with a key derived from
//! the server's, so it works without an account and cannot be made for someone else's address.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use minijinja::context;
use sha2::Sha256;

use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::now_ms;
use crate::web::templates::page;

/// Routes of the link.
pub fn routes() -> Router<AppState> {
    Router::new().route("/no-mail/{token}", get(ask).post(stop))
}

fn mac(key: &[u8], email: &str) -> Hmac<Sha256> {
    // A key of its own, derived from the server's, so no other signed value can pass for this.
    let mut derive = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    derive.update(b"alongside no-mail key");
    let own = derive.finalize().into_bytes();
    let mut m = Hmac::<Sha256>::new_from_slice(&own).expect("HMAC takes a key of any length");
    m.update(email.to_lowercase().as_bytes());
    m
}

/// The token of the no-mail link for `email`: "address.signature", the address in base64url.
pub fn token(key: &[u8], email: &str) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, email).finalize().into_bytes());
    format!("{}.{sig}", URL_SAFE_NO_PAD.encode(email.to_lowercase()))
}

/// The address of a genuine token; `None` for anything else.
pub fn verify(key: &[u8], token: &str) -> Option<String> {
    let (address, sig) = token.split_once('.')?;
    let email = String::from_utf8(URL_SAFE_NO_PAD.decode(address).ok()?).ok()?;
    mac(key, &email).verify_slice(&URL_SAFE_NO_PAD.decode(sig).ok()?).ok()?;
    Some(email)
}

/// Why someone who is not a member gets mail: an organiser typed their address in.
pub const ENTERED_BY_ORGANISER: &str = "the organiser of a group on Alongside entered your address";
/// Why someone who is not a member gets mail: it was given to answer an event.
pub const GIVEN_TO_ANSWER: &str = "your address was given to come to an event on Alongside";

/// `body` for `to` with why they got it and the no-mail link below it, and the link.
pub fn signed(state: &AppState, to: &str, body: &str, why: &str) -> (String, String) {
    let link = format!("{}/no-mail/{}", state.config.public_url(), token(&state.csrf_key, to));
    let body = format!(
        "{body}\n--\nYou got this because {why} ({}). Don't want email from there again? {link}\n",
        state.config.public_url()
    );
    (body, link)
}

/// Queues `body` for `to`, who may not be a member, with the no-mail link below it (and in the
/// List-Unsubscribe header). Returns the outbox row, or none when the address asked for no mail.
/// (An import's invitations are queued together, as bulk mail: `store::roster`.)
pub async fn queue(
    state: &AppState,
    to: &str,
    subject: &str,
    body: &str,
    why: &str,
) -> Result<Option<String>, AppError> {
    if state.db.opted_out(to).await? {
        return Ok(None);
    }
    let (body, link) = signed(state, to, body, why);
    let now = now_ms();
    let id = state.db.enqueue_mail_at(to, subject, &body, &link, now, now).await?;
    state.mail_wakeup.notify_one();
    Ok(Some(id))
}

/// `GET /no-mail/{token}`: asks before stopping (a link scanner must not opt anyone out).
async fn ask(State(state): State<AppState>, csrf: CsrfToken, Path(token): Path<String>) -> PageResult {
    let email = verify(&state.csrf_key, &token).ok_or(AppError::NotFound)?;
    let ctx = context! { token, email, done => false };
    Ok(page("no_mail.html", None, &csrf, ctx)?.into_response())
}

/// `POST /no-mail/{token}`: the form above, or a mail app's one-click (RFC 8058). The signed token
/// is the authority, so there is no sign-in and no CSRF token.
async fn stop(State(state): State<AppState>, csrf: CsrfToken, Path(token): Path<String>) -> PageResult {
    let email = verify(&state.csrf_key, &token).ok_or(AppError::NotFound)?;
    state.db.opt_out(&email, now_ms()).await?;
    tracing::info!("an address asked for no more mail");
    let ctx = context! { token, email, done => true };
    Ok(page("no_mail.html", None, &csrf, ctx)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_address_and_forgeries_do_not_pass() {
        let key = b"a server key";
        let t = token(key, "Ana@Example.org");
        assert_eq!(verify(key, &t).as_deref(), Some("ana@example.org"));
        assert_eq!(verify(b"another key", &t), None);
        let (_, sig) = t.split_once('.').expect("two parts");
        let other = format!("{}.{sig}", URL_SAFE_NO_PAD.encode("bo@example.org"));
        assert_eq!(verify(key, &other), None, "a signature holds for its own address only");
        for junk in ["", ".", "abc", "abc.def", "%%.%%"] {
            assert_eq!(verify(key, junk), None, "{junk}");
        }
    }
}
