//! What a visitor asked to do on a public page, done for them once they sign in or sign up.
//!
//! The intent is kept on the server (`store::visitors`), under the hash of a random token held
//! in a short-lived cookie; nothing about it travels in a URL, so a crafted link cannot make a
//! signed-in member act. It is taken (and so deleted) at the first sign-in or sign-up that
//! follows, and done as that member would do it by hand, with the same checks.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use store::users::User;
use store::visitors::Intent;

use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::MaybeUser;
use crate::web::csrf::Posted;
use crate::web::now_ms;
use crate::web::ratelimit::{self, ClientIp};
use crate::web::secrets::{hash_token, random_token};

const INTENT_COOKIE: &str = "alng_intent";
/// How long an intent waits for its visitor to sign in or sign up.
const INTENT_MINUTES: i64 = 60;

/// What a public page's buttons send.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    /// going | maybe (events); join | follow (groups)
    #[serde(default)]
    pub action: String,
    /// The event's date (its original start, epoch ms).
    #[serde(default)]
    pub at: Option<i64>,
    /// Whether the visitor would rather sign up than log in.
    #[serde(default)]
    pub new: String,
}

/// `POST /visit/{kind}/{id}`: a visitor's "Going", "Join" or "Follow" on a public page. The
/// intent is kept and the visitor sent to sign up (or log in), to come back to the same page.
/// A member who is already signed in is sent to the page itself, where the button acts at once.
pub async fn act(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    MaybeUser(me): MaybeUser,
    jar: CookieJar,
    Path((kind, id)): Path<(String, String)>,
    Posted { form, .. }: Posted<ActForm>,
) -> PageResult {
    let back = match kind.as_str() {
        "events" => format!("/events/{id}{}", form.at.map(|k| format!("?at={k}")).unwrap_or_default()),
        "groups" => format!("/groups/{id}"),
        _ => return Err(AppError::NotFound.into()),
    };
    if me.is_some() {
        return Ok(Redirect::to(&back).into_response());
    }
    let known = match (kind.as_str(), form.action.as_str()) {
        ("events", "going" | "maybe") => {
            super::enabled(&state).await? && state.db.visitor_event(&id).await?.is_some()
        }
        ("groups", "join" | "follow") => {
            super::enabled(&state).await? && state.db.visitor_group(&id).await?.is_some()
        }
        _ => false,
    };
    if !known {
        return Err(AppError::NotFound.into());
    }
    // Each intent is kept as a row: as many per address as sign-ups, so none can fill the table.
    ratelimit::count_request(&state, ip, ratelimit::Request::Intent).await?;
    let token = random_token();
    let intent = Intent { action: form.action.clone(), target_id: id, occurrence: form.at };
    let now = now_ms();
    state.db.keep_intent(&hash_token(&token), &intent, now, now + INTENT_MINUTES * 60_000).await?;
    let cookie = Cookie::build((INTENT_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(cookie::time::Duration::minutes(INTENT_MINUTES))
        .build();
    let to = if form.new == "yes" { "/signup" } else { "/login" };
    let next = serde_urlencoded::to_string([("next", back.as_str())]).unwrap_or_default();
    Ok((jar.add(cookie), Redirect::to(&format!("{to}?{next}"))).into_response())
}

/// After a sign-in or sign-up: does what the visitor asked for, if anything, and says where to
/// go to see it done (with its notice). The cookie is dropped either way.
pub async fn carry_out(
    state: &AppState,
    jar: CookieJar,
    user: &User,
) -> Result<(CookieJar, Option<String>), AppError> {
    let Some(token) = jar.get(INTENT_COOKIE).map(|c| c.value().to_owned()) else { return Ok((jar, None)) };
    let jar = jar.remove(Cookie::build(INTENT_COOKIE).path("/"));
    let Some(intent) = state.db.take_intent(&hash_token(&token), now_ms()).await? else {
        return Ok((jar, None));
    };
    let to = match intent.action.as_str() {
        "going" | "maybe" => rsvp(state, user, &intent).await?,
        "join" | "follow" => group(state, user, &intent).await?,
        _ => None,
    };
    Ok((jar, to))
}

async fn rsvp(state: &AppState, user: &User, intent: &Intent) -> Result<Option<String>, AppError> {
    let Ok(e) = crate::events::visible(state, user, &intent.target_id).await else { return Ok(None) };
    let Some(key) = intent.occurrence else { return Ok(Some(format!("/events/{}", e.id))) };
    let page = format!("/events/{}?at={key}", e.id);
    let mine = state.db.rsvps(&e.id, key).await?;
    if mine.iter().any(|r| r.user_id == user.id) {
        return Ok(Some(page)); // answered already: leave the answer as it is
    }
    let answer =
        if intent.action == "going" { store::rsvps::Answer::Going } else { store::rsvps::Answer::Maybe };
    let going = mine.iter().filter(|r| r.status == "going").count() as i64;
    if answer == store::rsvps::Answer::Going && e.capacity.is_some_and(|c| going >= c) {
        // The last seat went while they signed in: they choose the waitlist with one tap.
        return Ok(Some(format!("{page}&notice=filled")));
    }
    match crate::events::answer(state, user, &e, key, answer, None).await {
        Ok(status) => Ok(Some(format!("{page}&notice={status}"))),
        // A date that was cancelled or is over meanwhile: the page says so.
        Err(AppError::Invalid(_)) => Ok(Some(page)),
        Err(other) => Err(other),
    }
}

async fn group(state: &AppState, user: &User, intent: &Intent) -> Result<Option<String>, AppError> {
    let Ok(a) = crate::groups::access(state, user, &intent.target_id).await else { return Ok(None) };
    let page = format!("/groups/{}", a.group.id);
    if a.role.is_some() {
        return Ok(Some(page));
    }
    let notice = if intent.action == "join" {
        match crate::groups::members::join(state, user, &a, "").await {
            Ok("member") => "joined",
            Ok(_) => "requested",
            Err(AppError::Forbidden(_) | AppError::Conflict(_)) => return Ok(Some(page)),
            Err(other) => return Err(other),
        }
    } else {
        match crate::groups::members::follow(state, user, &a, true).await {
            Ok(()) => "following",
            Err(AppError::Forbidden(_)) => return Ok(Some(page)),
            Err(other) => return Err(other),
        }
    };
    Ok(Some(format!("{page}?notice={notice}")))
}
