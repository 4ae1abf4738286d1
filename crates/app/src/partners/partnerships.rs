//! Partnerships: a request (kind and message) → accepted / declined → ended. Accepting offers the
//! recurring event to start with: coworking every two months for two hours ("start small"),
//! accountability weekly.

use domain::notices::Kind;
use domain::profile::check_text;
use domain::FieldErrors;
use serde::Serialize;
use store::partners::Partnership;
use store::users::User;
use store::StoreError;
use utoipa::ToSchema;

use super::KINDS;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::now_ms;

/// Longest request message.
pub const MAX_MESSAGE: usize = 1000;

/// The event that accepting a partnership offers to create.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Offer {
    /// cowork | accountability
    pub kind: String,
    pub title: String,
    /// The repeat preset: every-two-months | weekly.
    pub repeat: String,
    pub duration_minutes: i64,
    /// The event form, prefilled.
    pub link: String,
}

/// The offer for an accepted partnership, if its kind has one.
pub fn offer(p: &Partnership) -> Option<Offer> {
    let names = format!("{} & {}", p.requester_name, p.partner_name);
    let (kind, title, repeat, minutes) = match p.kind.as_str() {
        "coworking" => ("cowork", format!("Coworking: {names}"), "every-two-months", 120),
        "accountability" => ("accountability", format!("Accountability check-in: {names}"), "weekly", 60),
        _ => return None,
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", kind)
        .append_pair("title", &title)
        .append_pair("repeat", repeat)
        .append_pair("duration_minutes", &minutes.to_string())
        .append_pair("mode", "virtual")
        .append_pair("visibility", "invite")
        .append_pair("partnership", &p.id)
        .finish();
    Some(Offer {
        kind: kind.to_owned(),
        title,
        repeat: repeat.to_owned(),
        duration_minutes: minutes,
        link: format!("/events/new?{query}"),
    })
}

/// After `me` made `event` from a partnership's offer: the other partner is invited to it.
/// Nothing happens unless `me` is in that partnership and it is accepted.
pub async fn invite_to_series(
    state: &AppState,
    me: &User,
    partnership: &str,
    event: &store::events::Event,
) -> Result<(), AppError> {
    let Some(p) = state.db.partnership(partnership).await? else { return Ok(()) };
    let other = if p.requester_id == me.id {
        &p.partner_id
    } else if p.partner_id == me.id {
        &p.requester_id
    } else {
        return Ok(());
    };
    if p.status != "accepted" {
        return Ok(());
    }
    let title = format!("{} set up your recurring session: {}", me.display_name, event.title);
    let intro = format!("{} set up the session you agreed on as partners", me.display_name);
    invite(state, other, event, &title, &intro).await
}

/// Invites `partner` to `event`, which `me` planned for the two of them (at a venue suggested
/// for them): only an active partner of `me` is invited.
pub async fn invite_partner(
    state: &AppState,
    me: &User,
    partner: &str,
    event: &store::events::Event,
) -> Result<(), AppError> {
    if state.db.relation(&me.id, partner).await? != domain::profile::Relation::Partner {
        return Ok(());
    }
    let title = format!("{} invites you to {}", me.display_name, event.title);
    let intro = format!("{} planned this for you both", me.display_name);
    invite(state, partner, event, &title, &intro).await
}

/// An invitation to `event`, in the app and by mail as `member` chose for event news; once they
/// answer "going" it is in their calendar.
async fn invite(
    state: &AppState,
    member: &str,
    event: &store::events::Event,
    title: &str,
    intro: &str,
) -> Result<(), AppError> {
    let link = format!("/events/{}", event.id);
    let body = format!(
        "{intro}: {}, {}.\n\nAnswer \"going\" to hold your place; it then shows in your calendar and \
         your calendar feed.\n\n{}{link}\n",
        event.title,
        crate::events::series::summary(event),
        state.config.public_url(),
    );
    let mail = crate::notifications::Mail { subject: title, body: &body };
    crate::notifications::send(state, member, Kind::Event, title, &link, Some(mail)).await
}

/// `me` asks `member_id` to partner.
pub async fn request(
    state: &AppState,
    me: &User,
    member_id: &str,
    kind: &str,
    message: &str,
) -> Result<Partnership, AppError> {
    let mut errors = FieldErrors::default();
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        errors.add("kind", "Choose coworking, accountability or referrals.");
    }
    let message = check_text(message, MAX_MESSAGE).unwrap_or_else(|e| {
        errors.add("message", e);
        String::new()
    });
    let target = match state.db.user(member_id).await? {
        Some(u) if u.suspended_at.is_none() && u.id != me.id => Some(u),
        _ => None,
    };
    let Some(target) = target else {
        errors.add("member_id", "Choose a member to ask (not yourself).");
        return Err(AppError::Invalid(errors));
    };
    if state.db.blocked_either_way(&me.id, &target.id).await?
        || !super::may_book(state, &me.id, &target).await?
    {
        errors.add("member_id", format!("{} is not taking partner requests.", target.display_name));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let id = match state.db.request_partnership(&me.id, &target.id, kind, &message, now_ms()).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(FieldErrors::one(
                "member_id",
                format!("You and {} already have a {kind} request or partnership.", target.display_name),
            )))
        }
        other => other?,
    };
    let link = format!("{}/partnerships", state.config.public_url());
    let title = format!("{} asks you to be their {kind} partner", me.display_name);
    let said = if message.is_empty() { String::new() } else { format!("\n\nThey wrote:\n{message}") };
    let body = format!("Hello {},\n\n{title}.{said}\n\nAccept or decline: {link}\n", target.display_name);
    let mail = crate::notifications::Mail { subject: &title, body: &body };
    crate::notifications::send(state, &target.id, Kind::PartnerRequest, &title, "/partnerships", Some(mail))
        .await?;
    state.db.partnership(&id).await?.ok_or(AppError::NotFound)
}

/// `me` accepts, declines or ends a partnership (or withdraws their own request with "end").
pub async fn act(state: &AppState, me: &User, id: &str, action: &str) -> Result<Partnership, AppError> {
    let p = state.db.partnership(id).await?.filter(|p| p.requester_id == me.id || p.partner_id == me.id);
    let p = p.ok_or(AppError::NotFound)?;
    let (from, to): (&[&str], &str) = match action {
        "accept" | "decline" if p.partner_id != me.id => {
            return Err(AppError::Forbidden("Only the member who was asked can answer a request."))
        }
        "accept" => (&["requested"], "accepted"),
        "decline" => (&["requested"], "declined"),
        "end" => (&["requested", "accepted"], "ended"),
        _ => return Err(AppError::NotFound),
    };
    if !state.db.set_partnership_status(id, from, to, now_ms()).await? {
        return Err(AppError::Conflict(FieldErrors::one(
            "status",
            format!("This partnership is {} already.", p.status),
        )));
    }
    if to == "accepted" {
        let title = format!("{} accepted your {} partnership", me.display_name, p.kind);
        if let Some(u) = state.db.user(&p.requester_id).await? {
            let link = format!("{}/partnerships", state.config.public_url());
            let body = format!("Hello {},\n\n{title}.\n\nSee your partners: {link}\n", u.display_name);
            let mail = crate::notifications::Mail { subject: &title, body: &body };
            crate::notifications::send(
                state,
                &u.id,
                Kind::PartnerAccepted,
                &title,
                "/partnerships",
                Some(mail),
            )
            .await?;
        }
    }
    state.db.partnership(id).await?.ok_or(AppError::NotFound)
}
