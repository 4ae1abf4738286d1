//! Visitors answering a public event without an account, where its host lets them: a name and
//! an address on the event's visitor page; a link mailed to that address confirms the place while
//! a seat is free (it lapses after a day unconfirmed) and later cancels it. The host sees them by
//! name; they get a reminder and change notices by mail (`events::reminders`, `events::changes`);
//! 30 days after the date they are forgotten, unless an account proves the address and takes the
//! answer over (`accounts::verify`). The page never says whether an address has an account: the
//! mail does.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::events::Event;
use store::visitor_answers::{Confirmed, VisitorAnswer};

use crate::error::{AppError, PageResult};
use crate::events::series;
use crate::events::view::when_there;
use crate::state::AppState;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::ratelimit::ClientIp;
use crate::web::secrets::hash_token;
use crate::web::templates::page;

/// Answers asked for from one address (IP) in an hour.
const PER_IP_HOUR: i64 = 10;
/// Links sent to one address for one date in a day.
const PER_ADDRESS_DAY: i64 = 3;

/// The secret in the link to one answer: its id, signed, so every mail about the answer
/// (confirmation, reminder, change) carries the same link without the link itself being stored
/// (only its hash is, to find the answer).
pub fn link_token(key: &[u8], answer: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    // A key of its own, derived from the server's, so no other signed value can pass for this.
    let mut derive = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    derive.update(b"alongside visitor answer key");
    let own = derive.finalize().into_bytes();
    let mut m = Hmac::<Sha256>::new_from_slice(&own).expect("HMAC takes a key of any length");
    m.update(answer.as_bytes());
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

/// The address of an answer's page, for mail.
pub fn link(state: &AppState, a: &VisitorAnswer) -> String {
    let token = link_token(&state.csrf_key, &a.id);
    format!("{}/answers/{token}", state.config.public_url())
}

/// The visitor's form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AnswerForm {
    at: String,
    name: String,
    email: String,
}

/// The event a visitor may answer, and its date keyed `key` while it is to come; 404 otherwise.
async fn answerable(state: &AppState, id: &str) -> Result<Event, AppError> {
    let shown = if super::enabled(state).await? { state.db.visitor_event(id).await? } else { None };
    match shown {
        Some(e) if state.db.visitor_answers_on(&e.id).await? => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

async fn date_of(state: &AppState, e: &Event, key: i64) -> Result<Option<series::Occ>, AppError> {
    let overrides = state.db.overrides(&e.id).await?;
    Ok(series::find(e, &overrides, key).filter(|o| !o.cancelled && o.start > Utc::now()))
}

fn place_words(e: &Event) -> String {
    if e.is_virtual == 1 {
        "online".to_owned()
    } else {
        crate::events::view::place_line(&e.place_name, &e.city_label)
    }
}

/// `POST /events/{id}/visitor-answer`: a link to confirm goes to the address given; the page
/// says the same whatever the address.
pub async fn ask(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<AnswerForm>,
) -> PageResult {
    let e = answerable(&state, &id).await?;
    let key: i64 = form.at.trim().parse().map_err(|_| AppError::NotFound)?;
    let Some(occ) = date_of(&state, &e, key).await? else {
        return again(&state, &csrf, &e, &form, FieldErrors::one("at", "This date is over or called off."))
            .await;
    };
    let mut errors = FieldErrors::new();
    let name = errors.check("name", domain::profile::check_display_name(&form.name));
    let email = errors.check("email", domain::profile::check_email(&form.email));
    if let Err(e2) = errors.into_result() {
        return again(&state, &csrf, &e, &form, e2).await;
    }
    let (name, email) = (name.unwrap_or_default(), email.unwrap_or_default());
    let now = now_ms();
    let by_ip = format!("visitor-answer-ip:{ip}");
    let by_address = format!("visitor-answer:{}:{key}:{email}", e.id);
    if state.db.throttle_window(&by_ip, now - 3_600_000).await?.count >= PER_IP_HOUR {
        let why =
            FieldErrors::one("email", "Many answers came from here in the last hour: try again in a while.");
        return again(&state, &csrf, &e, &form, why).await;
    }
    if state.db.throttle_window(&by_address, now - 86_400_000).await?.count >= PER_ADDRESS_DAY {
        let why =
            FieldErrors::one("email", "We sent links to this address three times today: use the newest one.");
        return again(&state, &csrf, &e, &form, why).await;
    }
    state.db.throttle_note(&by_ip, now).await?;
    state.db.throttle_note(&by_address, now).await?;
    let when = when_there(occ.start, &e.time_zone);
    let (subject, body) = if state.db.user_by_email(&email).await?.is_some() {
        // A member answers as themselves; the page said nothing of it.
        let login = format!("{}/login?next=/events/{}%3Fat%3D{key}", state.config.public_url(), e.id);
        (
            format!("Answer as yourself: {}", occ.title),
            format!(
                "Hello,\n\nSomeone (perhaps you) asked to come to \"{}\" on {when} with this address, which has an \
                 account here. Log in and answer as yourself:\n\n{login}\n\nIf it wasn't you, nothing happens.\n",
                occ.title
            ),
        )
    } else {
        let signing = state.csrf_key.clone();
        let id = state
            .db
            .ask_as_visitor(&e.id, key, &name, &email, now, |id| hash_token(&link_token(&signing, id)))
            .await?;
        let link = format!("{}/answers/{}", state.config.public_url(), link_token(&state.csrf_key, &id));
        (
            format!("Confirm your place: {}, {when}", occ.title),
            format!(
                "Hello {name},\n\nTo take your place at \"{}\" on {when} ({}), confirm with this link within a day:\n\n\
                 {link}\n\nThe same link shows your place and cancels it if you can't come after all. If you didn't \
                 ask for this, ignore this mail: nothing happens without the link.\n",
                occ.title,
                place_words(&e)
            ),
        )
    };
    crate::mail::strangers::queue(&state, &email, &subject, &body, crate::mail::strangers::GIVEN_TO_ANSWER)
        .await?;
    let ctx = context! { mode => "sent", event => context! { id => e.id, title => occ.title }, when, email };
    Ok(page("visitor_answer.html", None, &csrf, ctx)?.into_response())
}

/// The form again with what was wrong, what was typed kept.
async fn again(
    state: &AppState,
    csrf: &CsrfToken,
    e: &Event,
    form: &AnswerForm,
    errors: FieldErrors,
) -> PageResult {
    let when = match form.at.trim().parse::<i64>() {
        Ok(key) => date_of(state, e, key).await?.map(|o| when_there(o.start, &e.time_zone)),
        Err(_) => None,
    };
    let ctx = context! {
        mode => "form", event => context! { id => e.id, title => e.title }, when, values => form,
        errors => crate::accounts::pages::error_map(&errors),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page("visitor_answer.html", None, csrf, ctx)?).into_response())
}

/// The answer behind a link, with its event and date.
async fn behind(
    state: &AppState,
    token: &str,
) -> Result<(VisitorAnswer, Event, Option<series::Occ>), AppError> {
    let a = state.db.visitor_answer(&hash_token(token)).await?.ok_or(AppError::NotFound)?;
    let e = state.db.event(&a.event_id).await?.ok_or(AppError::NotFound)?;
    let overrides = state.db.overrides(&e.id).await?;
    let occ = series::find(&e, &overrides, a.occurrence_start).filter(|o| !o.cancelled);
    Ok((a, e, occ))
}

async fn show(state: &AppState, csrf: &CsrfToken, token: &str, notice: Option<&str>) -> PageResult {
    let (a, e, occ) = behind(state, token).await?;
    let lapsed = a.status == "pending" && a.created_at < now_ms() - store::visitor_answers::PENDING_MS;
    let to_come = occ.as_ref().is_some_and(|o| o.start > Utc::now());
    let start = occ
        .as_ref()
        .map(|o| o.start)
        .unwrap_or(DateTime::from_timestamp_millis(a.occurrence_start).unwrap_or_default());
    let ctx = context! {
        mode => "answer", token, notice, lapsed, to_come, status => a.status, name => a.name,
        event => context! { id => e.id, title => occ.as_ref().map_or(e.title.clone(), |o| o.title.clone()) },
        when => when_there(start, &e.time_zone), place => place_words(&e), off => occ.is_none(),
    };
    Ok(page("visitor_answer.html", None, csrf, ctx)?.into_response())
}

/// `GET /answers/{token}`: the visitor's place, with a button to confirm or cancel it.
pub async fn page_get(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    show(&state, &csrf, &token, None).await
}

/// The button pressed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    /// confirm | cancel
    action: String,
}

/// `POST /answers/{token}`: confirm (while a seat is free) or cancel (a waiting member gets the
/// seat).
pub async fn page_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Posted { form, csrf, .. }: Posted<Decision>,
) -> PageResult {
    let (a, e, occ) = behind(&state, &token).await?;
    let notice = match form.action.as_str() {
        "confirm" if occ.as_ref().is_some_and(|o| o.start > Utc::now()) => {
            match state.db.confirm_visitor_answer(&a.id, e.capacity, now_ms()).await? {
                Confirmed::Going => "Your place is confirmed. See you there!",
                Confirmed::Full => "Sorry: every seat was taken before you confirmed.",
                Confirmed::Lapsed => "This link has lapsed: answer again from the event's page.",
            }
        }
        "confirm" => "This date is over or called off.",
        "cancel" => {
            if state.db.cancel_visitor_answer(&a.id).await? {
                let now = now_ms();
                for user in state.db.fill_seats(&e.id, a.occurrence_start, e.capacity, now).await? {
                    crate::events::tell_promoted(&state, &e, a.occurrence_start, &user).await?;
                }
            }
            "Cancelled. Thank you for saying so: someone else can have your seat."
        }
        _ => return Err(AppError::Invalid(FieldErrors::one("action", "Choose to confirm or cancel.")).into()),
    };
    show(&state, &csrf, &token, Some(notice)).await
}
