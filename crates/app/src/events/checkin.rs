//! Door check-in. Each member going to a date has a personal QR code, made on the server
//! (`web::qr`), holding a check-in address with a token signed with the server's key for the
//! event, the date and the member. Opened by the host, or an organiser or moderator of the
//! event's group, from any phone's camera app, it marks the member present; opened by anyone
//! else it only says whose code it is. The host's check-in page marks people by a tap as well.
//!
//! Opening the address changes something, so nothing else may open it in the host's browser
//! behind their back (an image or a link in a post, a link sent in a chat): it marks at once only
//! on a top-level navigation the browser says no page started (`Sec-Fetch-Site: none`, a
//! document, not a prefetch), as a camera app's is, and only while the date is on (from two
//! hours before its start to three after its end); otherwise the host confirms with a button.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use minijinja::context;
use sha2::Sha256;
use store::events::Event;
use store::users::User;

use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

fn mac(key: &[u8], event: &str, at: i64, user: &str) -> Hmac<Sha256> {
    // A key of its own, derived from the server's, so no other signed value can pass for this.
    let mut derive = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    derive.update(b"alongside check-in key");
    let own = derive.finalize().into_bytes();
    let mut m = Hmac::<Sha256>::new_from_slice(&own).expect("HMAC takes a key of any length");
    for part in ["checkin", event, &at.to_string(), user] {
        m.update(part.as_bytes());
        m.update(b"\0");
    }
    m
}

/// The token of `user`'s check-in at the date of `event` keyed `at`.
pub fn token(key: &[u8], event: &str, at: i64, user: &str) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, event, at, user).finalize().into_bytes());
    format!("{event}.{at}.{user}.{sig}")
}

/// The event, date and member of a genuine token; `None` for anything else.
pub fn verify(key: &[u8], token: &str) -> Option<(String, i64, String)> {
    let mut parts = token.splitn(4, '.');
    let (event, at, user, sig) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let at: i64 = at.parse().ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    mac(key, event, at, user).verify_slice(&sig).ok()?;
    Some((event.to_owned(), at, user.to_owned()))
}

/// The check-in address of `user` for the date of `e` keyed `at`.
pub fn address(state: &AppState, e: &Event, at: i64, user: &str) -> String {
    format!("{}/checkin/{}", state.config.public_url(), token(&state.csrf_key, &e.id, at, user))
}

/// May `me` check people in at `e`: its host, or an organiser or moderator of its group; not at a
/// focus session for two, nor online.
pub async fn may_check_in(state: &AppState, me: &User, e: &Event) -> Result<bool, AppError> {
    if e.is_virtual == 1 || crate::partners::focus::is_pair(state, &e.id).await? {
        return Ok(false);
    }
    may_check_in_unpaired(state, me, e).await
}

/// [`may_check_in`] for an event known not to be a focus pair's.
pub async fn may_check_in_unpaired(state: &AppState, me: &User, e: &Event) -> Result<bool, AppError> {
    if e.is_virtual == 1 {
        return Ok(false);
    }
    if e.host_id == me.id {
        return Ok(true);
    }
    let Some(group) = &e.group_id else { return Ok(false) };
    let role = state.db.standing(group, &me.id).await?.role;
    Ok(matches!(role.as_deref(), Some("organiser" | "moderator")))
}

/// Whether the date of `e` keyed `at` is on now, give or take: from two hours before its start
/// to three hours after its end, and not cancelled.
pub(super) async fn is_on(state: &AppState, e: &Event, at: i64) -> Result<bool, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    let now = chrono::Utc::now();
    Ok(super::series::find(e, &overrides, at).is_some_and(|o| {
        !o.cancelled
            && now >= o.start - chrono::TimeDelta::hours(2)
            && now <= o.end + chrono::TimeDelta::hours(3)
    }))
}

/// The check-in a token names, when it still matches a member going to a date of an event.
async fn checkin_of(state: &AppState, token: &str) -> Result<(Event, i64, User), AppError> {
    let (event, at, member) = verify(&state.csrf_key, token).ok_or(AppError::NotFound)?;
    let e = state.db.event(&event).await?.ok_or(AppError::NotFound)?;
    let u = state.db.user(&member).await?.ok_or(AppError::NotFound)?;
    Ok((e, at, u))
}

/// Marks `member` present at the date; the page says so (or that they had not answered going).
async fn mark_present(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    e: &Event,
    at: i64,
    member: &User,
) -> PageResult {
    let going =
        state.db.rsvps(&e.id, at).await?.iter().any(|r| r.user_id == member.id && r.status == "going");
    let outcome = if !is_on(state, e, at).await? {
        "not_now"
    } else if going {
        state.db.mark_attendance(&e.id, at, &member.id, true, crate::web::now_ms()).await?;
        "checked"
    } else {
        "not_going"
    };
    let ctx =
        context! { state => outcome, name => member.display_name, title => e.title, event_id => e.id, at };
    Ok(page("checkin.html", Some(me), csrf, ctx)?.into_response())
}

/// `GET /checkin/{token}`: what a phone's camera opens.
pub async fn open(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    let (e, at, member) = checkin_of(&state, &token).await?;
    // Whoever may not see the event learns nothing from a code, not even whose it is.
    super::visible(&state, &me, &e.id).await?;
    if !may_check_in(&state, &me, &e).await? {
        let ctx = context! { state => "theirs", name => member.display_name, title => e.title, mine => member.id == me.id };
        return Ok(page("checkin.html", Some(&me), &csrf, ctx)?.into_response());
    }
    let fetch = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let from_nowhere = fetch("sec-fetch-site") == "none"
        && fetch("sec-fetch-mode") == "navigate"
        && fetch("sec-fetch-dest") == "document"
        && headers.get("sec-purpose").is_none();
    if from_nowhere {
        return mark_present(&state, &me, &csrf, &e, at, &member).await;
    }
    let ctx = context! { state => "confirm", name => member.display_name, title => e.title, token };
    Ok(page("checkin.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /checkin/{token}`: the host confirms.
pub async fn confirm(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(token): Path<String>,
    Posted { csrf, .. }: Posted<std::collections::HashMap<String, String>>,
) -> PageResult {
    let (e, at, member) = checkin_of(&state, &token).await?;
    super::visible(&state, &me, &e.id).await?;
    if !may_check_in(&state, &me, &e).await? {
        return Err(AppError::Forbidden("only the host checks people in").into());
    }
    mark_present(&state, &me, &csrf, &e, at, &member).await
}

/// `GET /checkin/{token}/qr.png`: the code as a picture, for mail. The token is the secret.
pub async fn qr_png(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    verify(&state.csrf_key, &token).ok_or(AppError::NotFound)?;
    let url = format!("{}/checkin/{token}", state.config.public_url());
    let bytes = crate::web::qr::png(&url)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the check-in code did not fit a QR code")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400")),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let key = b"a server key";
        let t = token(key, "ev1", 1_800_000_000_000, "u1");
        assert_eq!(verify(key, &t), Some(("ev1".to_owned(), 1_800_000_000_000, "u1".to_owned())));
        assert_eq!(verify(b"another key", &t), None);
        for bad in [t.replacen("u1", "u2", 1), t.replacen("ev1", "ev2", 1), t.replacen("1800", "1900", 1)] {
            assert_eq!(verify(key, &bad), None, "{bad}");
        }
        assert_eq!(verify(key, "ev1.12.u1"), None);
    }
}
