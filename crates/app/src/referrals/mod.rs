//! Referrals and give-and-take (C7): BNI-style referral slips from member to member, moved by
//! their receiver from received to won or lost, with "thank you for closed business" credited to
//! the giver; one-to-ones; reports per member and group, per week, month or year (page, CSV,
//! API); help requested and offered by skill, with hours both sides confirm; and the insight
//! "you referred 4 clients to Bo this year — set up a quarterly coworking session?".
//!
//! A slip, and its prospect's contact details above all, are for its giver and receiver only:
//! [`slip`] answers 404 to anyone else.

pub mod api;
pub mod help;
pub mod help_replies;
pub mod pages;
pub mod report;

use axum::routing::{get, post};
use axum::Router;
use chrono::{TimeDelta, Utc};
use domain::notices::Kind;
use domain::referrals::{check_currency, parse_amount, SlipStatus, TEMPERATURES};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use store::referrals::{NewReferral, Referral};
use store::users::User;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::notifications::Mail;
use crate::state::AppState;
use crate::web::now_ms;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/referrals", get(pages::list).post(pages::give))
        .route("/referrals/report", get(report::page))
        .route("/referrals/report.csv", get(report::csv_page))
        .route("/referrals/{id}", get(pages::show))
        .route("/referrals/{id}/status", post(pages::status))
        .route("/referrals/{id}/thanks", post(pages::thanks))
        .route("/one-to-ones", post(pages::one_to_one))
        .route("/help", get(help::page).post(help::post_page))
        .route("/help/given", post(help::record_page))
        .route("/help/given/{id}/confirm", post(help::confirm_page))
        .route("/help/{id}/close", post(help::close_page))
        .route("/help/{id}/answer", post(help_replies::answer_page))
        .route("/api/v1/referrals", get(api::list).post(api::give))
        .route("/api/v1/referrals/report", get(report::api))
        .route("/api/v1/referrals/{id}", get(api::get))
        .route("/api/v1/referrals/{id}/status", post(api::status))
        .route("/api/v1/referrals/{id}/thanks", post(api::thanks))
        .route("/api/v1/one-to-ones", get(api::one_to_ones).post(api::log_one_to_one))
        .route("/api/v1/help", get(help::list_api).post(help::post_api))
        .route("/api/v1/help/{id}/close", post(help::close_api))
        .route("/api/v1/help/{id}/answers", post(help_replies::answer_api))
        .route("/api/v1/help/given", get(help::given_api).post(help::record_api))
        .route("/api/v1/help/given/{id}/confirm", post(help::confirm_api))
}

/// A slip as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SlipInput {
    /// The member who gets the referral.
    pub receiver_id: String,
    /// Within this group (for its report); both must belong to it.
    pub group_id: Option<String>,
    /// Who the prospect is.
    pub prospect: String,
    /// How to reach them (seen by the two of you only).
    pub contact: String,
    /// What they need.
    pub need: String,
    /// hot | warm | cold
    pub temperature: String,
    pub note: String,
}

/// The slip `id` if `me` gave or received it; 404 otherwise.
pub async fn slip(state: &AppState, me: &User, id: &str) -> Result<Referral, AppError> {
    let r = state.db.referral(id).await?.ok_or(AppError::NotFound)?;
    if r.giver_id != me.id && r.receiver_id != me.id {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Gives a referral; the receiver is told. Returns the slip's id.
pub async fn give(state: &AppState, me: &User, input: &SlipInput) -> Result<String, AppError> {
    let mut e = FieldErrors::new();
    let receiver = state.db.user(input.receiver_id.trim()).await?.filter(|u| u.suspended_at.is_none());
    match &receiver {
        None => e.add("receiver_id", "Choose the member to refer the prospect to."),
        Some(u) if u.id == me.id => e.add("receiver_id", "Refer the prospect to someone else."),
        Some(u) if state.db.blocked_either_way(&me.id, &u.id).await? => {
            e.add("receiver_id", "Choose the member to refer the prospect to.")
        }
        Some(_) => {}
    }
    let mut text = |field: &str, value: &str, max: usize, required: Option<&str>| -> String {
        match domain::profile::check_text(value, max) {
            Ok(v) if v.is_empty() && required.is_some() => {
                e.add(field, required.unwrap_or_default());
                v
            }
            Ok(v) => v,
            Err(d) => {
                e.add(field, d);
                String::new()
            }
        }
    };
    let prospect = text("prospect", &input.prospect, 120, Some("Say who the prospect is."));
    let contact = text("contact", &input.contact, 300, None);
    let need = text("need", &input.need, 1000, Some("Say what the prospect needs."));
    let note = text("note", &input.note, 1000, None);
    if !TEMPERATURES.contains(&input.temperature.as_str()) {
        e.add("temperature", "Say hot, warm or cold.");
    }
    let group = input.group_id.clone().filter(|g| !g.trim().is_empty());
    if let (Some(g), Some(u)) = (&group, &receiver) {
        let both = state.db.standing(g, &me.id).await?.role.is_some()
            && state.db.standing(g, &u.id).await?.role.is_some();
        if !both {
            e.add("group_id", "Choose a group you both belong to.");
        }
    }
    e.into_result()?;
    let receiver = receiver.ok_or(AppError::NotFound)?;
    let now = now_ms();
    let new = NewReferral {
        giver_id: me.id.clone(),
        receiver_id: receiver.id.clone(),
        group_id: group,
        prospect: prospect.clone(),
        contact,
        need,
        temperature: input.temperature.clone(),
        note,
    };
    let id = state.db.create_referral(&new, now).await?;
    let title = format!("{} referred {} to you", me.display_name, prospect);
    let body = format!(
        "Hello {},\n\n{} referred a prospect to you: {}. Their details are in Alongside, for the two of you only:\n\n{}/referrals/{id}\n",
        receiver.display_name,
        me.display_name,
        prospect,
        state.config.public_url()
    );
    let link = format!("/referrals/{id}");
    crate::notifications::send(
        state,
        &receiver.id,
        Kind::Referral,
        &title,
        &link,
        Some(Mail { subject: &title, body: &body }),
    )
    .await?;
    Ok(id)
}

/// A move of a slip.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatusInput {
    /// contacted | meeting | won | lost
    pub status: String,
    /// When won: the business's value, e.g. "1250.50".
    pub value: String,
    /// When won: e.g. "EUR".
    pub currency: String,
}

/// The receiver moves a slip on; illegal moves are refused with a clear message, and a win tells
/// the giver.
pub async fn advance(state: &AppState, me: &User, r: &Referral, input: &StatusInput) -> Result<(), AppError> {
    if r.receiver_id != me.id {
        return Err(AppError::Forbidden("Only the member who received the referral moves it on."));
    }
    let to =
        SlipStatus::parse(&input.status).map_err(|d| AppError::Invalid(FieldErrors::one("status", d)))?;
    let from = SlipStatus::parse(&r.status).unwrap_or(SlipStatus::Received);
    from.may_become(to).map_err(|d| AppError::Invalid(FieldErrors::one("status", d)))?;
    let mut value = None;
    if to == SlipStatus::Won {
        let mut e = FieldErrors::new();
        let amount = e.check("value", parse_amount(&input.value));
        let currency = e.check("currency", check_currency(&input.currency));
        e.into_result()?;
        value = amount.zip(currency);
    }
    let now = now_ms();
    let moved = state
        .db
        .set_referral_status(
            &r.id,
            from.as_str(),
            to.as_str(),
            value.as_ref().map(|(v, c)| (*v, c.as_str())),
            &me.id,
            now,
        )
        .await?;
    if !moved {
        return Err(AppError::Conflict(FieldErrors::one(
            "status",
            "This referral changed meanwhile: reload and try again.",
        )));
    }
    if let Some((v, c)) = &value {
        let title = format!(
            "{} won business from your referral: {} {c}",
            me.display_name,
            domain::referrals::format_amount(*v)
        );
        let link = format!("/referrals/{}", r.id);
        let body = format!(
            "{title}. Your referral of {} turned into business: it counts towards what you've given.\n\n{}{link}\n",
            r.prospect,
            state.config.public_url()
        );
        let mail = Mail { subject: &title, body: &body };
        crate::notifications::send(state, &r.giver_id, Kind::ReferralWon, &title, &link, Some(mail)).await?;
    }
    Ok(())
}

/// The receiver says "thank you for closed business": credited to the giver.
pub async fn thank(state: &AppState, me: &User, r: &Referral) -> Result<(), AppError> {
    if r.receiver_id != me.id {
        return Err(AppError::Forbidden("Only the member who received the referral thanks its giver."));
    }
    if r.status != "won" {
        return Err(AppError::Invalid(FieldErrors::one("status", "Say thank you once the business is won.")));
    }
    if !state.db.thank_for_referral(&r.id, &me.id, now_ms()).await? {
        return Err(AppError::Invalid(FieldErrors::one("status", "You thanked them already.")));
    }
    let title = format!("{} thanked you for closed business: {}", me.display_name, r.prospect);
    let link = format!("/referrals/{}", r.id);
    let body = format!(
        "{} says thank you for referring {} to them: the business is closed.\n\n{}{link}\n",
        me.display_name,
        r.prospect,
        state.config.public_url()
    );
    let mail = Mail { subject: &title, body: &body };
    crate::notifications::send(state, &r.giver_id, Kind::ReferralThanks, &title, &link, Some(mail)).await?;
    Ok(())
}

/// "You referred 4 clients to Bo this year — set up a quarterly coworking session?": the members
/// `me` referred to often in the last year, with a link to a prefilled series.
pub async fn insights(state: &AppState, me: &User) -> Result<Vec<minijinja::Value>, AppError> {
    let now = Utc::now();
    let from = (now - TimeDelta::days(365)).timestamp_millis();
    let rows = state.db.referral_counts(&me.id, from, now.timestamp_millis()).await?;
    let receivers: Vec<&str> = rows
        .iter()
        .flat_map(|(r, n)| std::iter::repeat_n(r.as_str(), usize::try_from(*n).unwrap_or(0)))
        .collect();
    let mut out = Vec::new();
    for (member, count) in domain::referrals::frequent(receivers) {
        let Some(u) = state.db.user(&member).await? else { continue };
        let title = format!("Quarterly coworking with {}", u.display_name);
        let mut link = url::Url::parse("http://x/events/new").map_err(|e| AppError::Internal(e.into()))?;
        link.query_pairs_mut()
            .append_pair("kind", "cowork")
            .append_pair("title", &title)
            .append_pair("repeat", "quarterly")
            .append_pair("duration_minutes", "120")
            .append_pair("visibility", "invite");
        let link = format!("/events/new?{}", link.query().unwrap_or(""));
        out.push(minijinja::context! {
            member => u.id, name => u.display_name, count,
            text => format!("You referred {count} clients to {} this year — set up a quarterly coworking session?", u.display_name),
            link,
        });
    }
    Ok(out)
}

/// My referrals data for the data export: slips I gave or received (with the prospects' details:
/// they are mine as much as theirs), one-to-ones and help.
pub async fn export(state: &AppState, me: &User) -> Result<serde_json::Value, AppError> {
    Ok(serde_json::json!({
        "referrals": state.db.referrals_of(&me.id, 0, i64::MAX).await?,
        "one_to_ones": state.db.one_to_ones(&me.id, 0, i64::MAX, now_ms()).await?.iter()
            .map(|(id, name, at, how)| serde_json::json!({"member_id": id, "name": name, "at": at, "how": how}))
            .collect::<Vec<_>>(),
        "help": state.db.help_of(&me.id).await?,
    }))
}
