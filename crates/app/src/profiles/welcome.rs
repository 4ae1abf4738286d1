//! The first ten minutes: after signing up, one short page asks where and when the member works
//! (the zone preselected from the browser, availability on a weekly grid) and what they offer and
//! want (chips from what other members use); the next shows three people to work alongside, three
//! sessions near them or online and two groups, each one tap from acting.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::profile::Window;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::edit::Editor;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

/// The weekly grid's parts of the day, as (name, label, start minute, end minute).
const PARTS: [(&str, &str, u16, u16); 3] = [
    ("morning", "Morning, 9–12", 540, 720),
    ("afternoon", "Afternoon, 13–17", 780, 1020),
    ("evening", "Evening, 18–21", 1080, 1260),
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// How many skills are offered as chips.
const CHIPS: i64 = 12;

/// The form as sent. Its checkboxes arrive as repeated fields, which are read from the raw
/// body (`ticks`): the form reader takes one value per name.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WelcomeForm {
    timezone: String,
    city: String,
    #[serde(skip_deserializing)]
    slot: Vec<String>,
    #[serde(skip_deserializing)]
    offer: Vec<String>,
    #[serde(skip_deserializing)]
    need: Vec<String>,
    offers_more: String,
    needs_more: String,
}

/// Zones people pick from: every IANA name, labelled by its place ("Lisbon · Europe").
fn zones() -> Vec<(String, String)> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| {
            let name = z.name();
            let label = match name.rsplit_once('/') {
                Some((region, place)) => {
                    format!("{} · {}", place.replace('_', " "), region.replace('_', " "))
                }
                None => name.replace('_', " "),
            };
            (name.to_owned(), label)
        })
        .collect()
}

/// The grid's windows from the boxes ticked ("wed-evening").
fn windows(slots: &[String]) -> Vec<Window> {
    let mut out = Vec::new();
    for (d, day) in DAYS.iter().enumerate() {
        for (part, _, start, end) in PARTS {
            if slots.iter().any(|s| *s == format!("{}-{part}", day.to_lowercase())) {
                if let Ok(w) = Window::new(d as u8, start, end) {
                    out.push(w);
                }
            }
        }
    }
    out
}

/// The boxes a member's windows tick: a part of the day they are free for at least half of.
fn ticked(ws: &[Window]) -> Vec<String> {
    let mut out = Vec::new();
    for w in ws {
        for (part, _, start, end) in PARTS {
            let overlap = w.end_min.min(end).saturating_sub(w.start_min.max(start));
            if overlap * 2 >= end - start {
                out.push(format!("{}-{part}", DAYS[usize::from(w.weekday)].to_lowercase()));
            }
        }
    }
    out
}

async fn render(
    state: &AppState,
    me: &store::users::User,
    csrf: &CsrfToken,
    values: &WelcomeForm,
    errors: Option<Value>,
) -> Result<axum::response::Html<String>, AppError> {
    let offers = state.db.popular_tags("offer", CHIPS).await?;
    let needs = state.db.popular_tags("need", CHIPS).await?;
    let chip_set = |popular: Vec<String>, mine: &[String]| -> Vec<(String, bool)> {
        let mut all: Vec<String> = mine.to_vec();
        all.extend(popular.into_iter().filter(|t| !mine.contains(t)));
        all.into_iter().map(|t| (t.clone(), mine.contains(&t))).collect()
    };
    let days: Vec<_> = DAYS
        .iter()
        .map(|d| {
            let cells: Vec<_> = PARTS
                .iter()
                .map(|(part, label, _, _)| {
                    let value = format!("{}-{part}", d.to_lowercase());
                    let on = values.slot.contains(&value);
                    context! { value, label, on }
                })
                .collect();
            context! { day => d, cells }
        })
        .collect();
    let parts: Vec<&str> = PARTS.iter().map(|p| p.1).collect();
    let ctx = context! {
        values, errors, days, parts, zones => zones(),
        offers => chip_set(offers, &values.offer), needs => chip_set(needs, &values.need),
    };
    page("welcome.html", Some(me), csrf, ctx)
}

/// `GET /welcome`.
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let values = WelcomeForm {
        // Empty for a new member: the page's script fills in the browser's zone.
        timezone: if me.timezone == "UTC" { String::new() } else { me.timezone.clone() },
        city: me.city_label.clone(),
        slot: ticked(&p.windows),
        offer: p.offers.clone(),
        need: p.needs.clone(),
        ..WelcomeForm::default()
    };
    Ok(render(&state, &me, &csrf, &values, None).await?.into_response())
}

/// `POST /welcome`: saves what was given and shows who and what is near.
pub async fn page_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { mut form, csrf, raw }: Posted<WelcomeForm>,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let ticks = |name: &str| -> Vec<String> {
        pairs.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.clone()).collect()
    };
    (form.slot, form.offer, form.need) = (ticks("slot"), ticks("offer"), ticks("need"));
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let mut ed = Editor::new(&p);
    ed.timezone("timezone", &form.timezone);
    ed.city("city", &form.city);
    ed.availability("slot", &windows(&form.slot));
    let join = |chips: &[String], more: &str| {
        chips
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(more))
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    ed.offers("offers_more", &join(&form.offer, &form.offers_more));
    ed.needs("needs_more", &join(&form.need, &form.needs_more));
    match ed.finish() {
        Ok(update) => {
            state.db.update_profile(&me.id, &update, now_ms()).await?;
            Ok(Redirect::to("/welcome/next").into_response())
        }
        Err(e) => {
            let html = render(&state, &me, &csrf, &form, Some(Value::from_serialize(error_map(&e)))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}

/// `GET /welcome/next`: three people, three sessions and two groups, each one tap away.
pub async fn next(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let mode = if me.in_person == 1 && me.city_id.is_some() {
        domain::partners::Mode::InPerson
    } else {
        domain::partners::Mode::Virtual
    };
    let filters = crate::partners::Filters {
        mode,
        skill: None,
        max_km: None,
        kind: Some("coworking".into()),
        limit: 3,
    };
    let people = crate::partners::suggestions(&state, &me, &filters).await?;
    let near = |q: crate::groups::discover::DiscoverQuery| {
        let state = state.clone();
        let me = me.clone();
        async move { crate::groups::discover::search(&state, Some(&me), &q).await }
    };
    let mut found = Vec::new();
    if me.city_id.is_some() {
        found.extend(
            near(crate::groups::discover::DiscoverQuery {
                near: me.city_label.clone(),
                ..Default::default()
            })
            .await?
            .items,
        );
    }
    found.extend(
        near(crate::groups::discover::DiscoverQuery { virtual_only: "true".into(), ..Default::default() })
            .await?
            .items,
    );
    let sessions: Vec<_> = found.iter().filter(|i| i.kind == "event").take(3).cloned().collect();
    // Groups near them or online first, then any open group.
    found.extend(near(crate::groups::discover::DiscoverQuery::default()).await?.items);
    let mut seen = std::collections::HashSet::new();
    found.retain(|i| seen.insert(i.id.clone()));
    let mine: std::collections::HashSet<String> =
        state.db.groups_of(&me.id).await?.into_iter().map(|g| g.group.id).collect();
    let groups: Vec<_> = found
        .iter()
        .filter(|i| i.kind == "group" && i.detail.as_deref() == Some("open") && !mine.contains(&i.id))
        .take(2)
        .cloned()
        .collect();
    Ok(page("welcome_next.html", Some(&me), &csrf, context! { people, sessions, groups })?.into_response())
}
