//! Notification settings: how each category reaches me, and each kind of it where I want it
//! otherwise, and my quiet hours (page and API); and the unsubscribe link in every notification
//! email, which works without signing in.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::notices::{check_quiet_time, Category, Delivery, Kind, Period, Topic};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::User;
use utoipa::ToSchema;

use crate::accounts::pages::error_map;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// Quiet hours on my own clock, "HH:MM".
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct QuietHours {
    pub start: String,
    pub end: String,
}

/// One category and how it reaches me.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryPref {
    /// events | partners | groups | discussion | goals | referrals | polls | accountability |
    /// contacts | summary (the Monday email itself)
    pub category: String,
    pub label: String,
    /// email | daily | weekly | in_app | off
    pub delivery: String,
    /// What it is when I have not chosen.
    pub default: String,
    /// What I may choose (the summary: weekly or off).
    pub choices: Vec<String>,
    /// Its kinds, each following the category unless I chose for it.
    pub kinds: Vec<KindPref>,
}

/// One kind of notification and how it reaches me.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindPref {
    /// partner_request, post_reply, … (every kind is listed under its category)
    pub kind: String,
    pub label: String,
    /// How it reaches me: my choice for it, or else the category's.
    pub delivery: String,
    /// My own choice for this kind; null when it follows the category.
    pub chosen: Option<String>,
}

/// My notification settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Prefs {
    pub categories: Vec<CategoryPref>,
    /// Mail waits until these end; null for none.
    pub quiet_hours: Option<QuietHours>,
}

/// Settings to change: any categories or kinds (others stay as they are), and quiet hours (left
/// out: as they are; both times empty: none).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PrefsInput {
    /// category or kind → email | daily | weekly | in_app | off; for a kind, "" to follow its
    /// category again
    pub deliveries: BTreeMap<String, String>,
    pub quiet_hours: Option<QuietHours>,
}

async fn prefs(state: &AppState, me: &User) -> Result<Prefs, AppError> {
    let chosen = state.db.deliveries(&me.id).await?;
    let categories = Category::ALL
        .into_iter()
        .map(|c| CategoryPref {
            category: c.key().into(),
            label: c.label().into(),
            delivery: super::send::delivery_in(&chosen, c).key().into(),
            default: c.default_delivery().key().into(),
            choices: c.choices().iter().map(|d| d.key().to_owned()).collect(),
            kinds: Kind::ALL
                .into_iter()
                .filter(|k| k.category() == c)
                .map(|k| KindPref {
                    kind: k.key().into(),
                    label: k.label().into(),
                    delivery: super::send::delivery_of(&chosen, k).key().into(),
                    chosen: chosen
                        .iter()
                        .find(|(key, _)| key == k.key())
                        .and_then(|(_, d)| Delivery::parse(d))
                        .map(|d| d.key().to_owned()),
                })
                .collect(),
        })
        .collect();
    let quiet_hours = state.db.quiet_hours(&me.id).await?.map(|(start, end)| QuietHours { start, end });
    Ok(Prefs { categories, quiet_hours })
}

/// Checks and saves; nothing is saved when anything is wrong.
async fn save(state: &AppState, me: &User, input: &PrefsInput) -> Result<(), AppError> {
    let mut e = FieldErrors::new();
    // (key, delivery): `None` forgets a kind's own choice.
    let mut chosen: Vec<(&str, Option<Delivery>)> = Vec::new();
    for (key, d) in &input.deliveries {
        let kind = Kind::parse(key);
        let category = Category::parse(key).or(kind.map(Kind::category));
        match (category, Delivery::parse(d)) {
            (Some(c), Some(d)) if c.choices().contains(&d) => chosen.push((key, Some(d))),
            (Some(_), None) if kind.is_some() && d.is_empty() => chosen.push((key, None)),
            (Some(Category::Summary), _) => e.add(key, "Choose weekly or off."),
            (None, _) => e.add(key, "There is no such kind of notification."),
            (_, _) => e.add(key, "Choose at once, daily, weekly, in the app only, or off."),
        }
    }
    let quiet = match &input.quiet_hours {
        Some(q) => {
            let start = e.check("quiet_start", check_quiet_time(&q.start));
            let end = e.check("quiet_end", check_quiet_time(&q.end));
            match (start, end) {
                (Some(None), Some(None)) => Some(None),
                (Some(Some(s)), Some(Some(t))) if s == t => {
                    e.add("quiet_end", "Quiet hours end at a different time from when they start.");
                    None
                }
                (Some(Some(s)), Some(Some(t))) => {
                    Some(Some((s.format("%H:%M").to_string(), t.format("%H:%M").to_string())))
                }
                (Some(_), Some(_)) => {
                    e.add("quiet_end", "Give both a start and an end, or neither.");
                    None
                }
                _ => None,
            }
        }
        None => None,
    };
    e.into_result()?;
    for (key, d) in chosen {
        match d {
            Some(d) => state.db.set_delivery(&me.id, key, d.key()).await?,
            None => state.db.clear_delivery(&me.id, key).await?,
        }
    }
    if let Some(q) = quiet {
        state.db.set_quiet_hours(&me.id, q.as_ref().map(|(s, t)| (s.as_str(), t.as_str()))).await?;
    }
    Ok(())
}

/// The settings form as typed: `d_{category}` and `d_{kind}` for each, and the quiet hours.
type PrefsForm = BTreeMap<String, String>;

fn input_of(form: &PrefsForm) -> PrefsInput {
    let deliveries =
        form.iter().filter_map(|(k, v)| k.strip_prefix("d_").map(|c| (c.to_owned(), v.clone()))).collect();
    let quiet = QuietHours {
        start: form.get("quiet_start").cloned().unwrap_or_default(),
        end: form.get("quiet_end").cloned().unwrap_or_default(),
    };
    PrefsInput { deliveries, quiet_hours: Some(quiet) }
}

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let p = prefs(state, me).await?;
    let mut options: BTreeMap<&str, Vec<[&str; 2]>> = Category::ALL
        .iter()
        .map(|c| (c.key(), c.choices().iter().map(|d| [d.key(), d.label()]).collect()))
        .collect();
    for k in Kind::ALL {
        let same = std::iter::once(["", "As for the whole category"]);
        let choices = k.category().choices().iter().map(|d| [d.key(), d.label()]);
        options.insert(k.key(), same.chain(choices).collect());
    }
    let digest_at = format!("{:02}:00", state.config.digest_hour);
    let ctx = context! { prefs => p, options, digest_at, ..extra };
    Ok((status, page("notification_settings.html", Some(me), csrf, ctx)?).into_response())
}

/// After saving.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

/// `GET /settings/notifications`.
pub async fn settings_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let notice = (!q.saved.is_empty()).then_some("Saved.");
    render(&state, &me, &csrf, context! { notice }, StatusCode::OK).await
}

/// `POST /settings/notifications`.
pub async fn settings_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<PrefsForm>,
) -> PageResult {
    match save(&state, &me, &input_of(&form)).await {
        Ok(()) => Ok(Redirect::to("/settings/notifications?saved=1").into_response()),
        Err(AppError::Invalid(e)) => {
            render(
                &state,
                &me,
                &csrf,
                context! { errors => error_map(&e), values => form },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// My notification settings.
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Prefs), (status = 401, body = ErrorBody)))]
pub async fn get_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Prefs>> {
    Ok(Json(prefs(&state, &me).await?))
}

/// Changes my notification settings; returns them all.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])), request_body = PrefsInput,
    responses((status = 200, body = Prefs), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(input): ApiJson<PrefsInput>,
) -> ApiResult<Json<Prefs>> {
    save(&state, &me, &input).await?;
    Ok(Json(prefs(&state, &me).await?))
}

/// `GET /unsubscribe/{token}`: asks before stopping (a link scanner must not unsubscribe anyone).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    let Some((_, topic)) = super::send::verify(&state.csrf_key, &token) else {
        return Err(AppError::NotFound.into());
    };
    let ctx = context! { token, label => topic.label(), done => false };
    Ok(page("unsubscribe.html", None, &csrf, ctx)?.into_response())
}

/// `POST /unsubscribe/{token}`: the form above, or a mail app's one-click (RFC 8058). The signed
/// token is the authority, so there is no sign-in and no CSRF token. A kind stays in the app; a
/// category too, with any of its kinds chosen apart by email; a digest's categories and kinds
/// too, and the Monday email's summary stops.
pub async fn unsubscribe_post(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    let Some((user, topic)) = super::send::verify(&state.csrf_key, &token) else {
        return Err(AppError::NotFound.into());
    };
    if state.db.user(&user).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let chosen = state.db.deliveries(&user).await?;
    let own = |k: &Kind| chosen.iter().find(|(key, _)| key == k.key()).and_then(|(_, d)| Delivery::parse(d));
    let (categories, kinds): (Vec<Category>, Vec<Kind>) = match topic {
        Topic::Kind(k) => (Vec::new(), vec![k]),
        Topic::Category(c) => (
            vec![c],
            Kind::ALL.into_iter().filter(|k| k.category() == c && own(k).is_some_and(sends_mail)).collect(),
        ),
        Topic::Digest(p) => {
            let summary = (p == Period::Weekly).then_some(Category::Summary);
            let categories = Category::ALL
                .into_iter()
                .filter(|c| super::send::delivery_in(&chosen, *c).period() == Some(p))
                .chain(summary)
                .collect();
            (
                categories,
                Kind::ALL.into_iter().filter(|k| own(k).and_then(Delivery::period) == Some(p)).collect(),
            )
        }
    };
    for c in categories {
        state.db.set_delivery(&user, c.key(), c.unsubscribed().key()).await?;
    }
    for k in kinds {
        state.db.set_delivery(&user, k.key(), k.category().unsubscribed().key()).await?;
    }
    tracing::info!(%user, topic = topic.key(), "unsubscribed by link");
    let ctx = context! { token, label => topic.label(), done => true };
    Ok(page("unsubscribe.html", None, &csrf, ctx)?.into_response())
}

/// Whether a delivery sends email of any sort (at once or in a digest).
fn sends_mail(d: Delivery) -> bool {
    matches!(d, Delivery::Email | Delivery::Daily | Delivery::Weekly)
}
