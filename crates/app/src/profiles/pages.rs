//! Profile pages: my profile, the edit form, another member's profile, block and unblock,
//! and the city suggestions used by the edit form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::geo::Gazetteer;
use domain::profile::{format_windows, Company, Relation, Visibility, PRIVATE_FIELDS, SESSION_MINUTES};
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::users::Profile;

use super::edit::Editor;
use super::view::MemberView;
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::{fragment, page};

/// The edit form's fields, all as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileForm {
    display_name: String,
    trade: String,
    bio: String,
    skills_offered: String,
    help_wanted: String,
    city: String,
    timezone: String,
    in_person: Option<String>,
    #[serde(rename = "virtual")]
    is_virtual: Option<String>,
    session_minutes: String,
    company: String,
    availability: String,
    vis_trade: String,
    vis_bio: String,
    vis_skills: String,
    vis_city: String,
    vis_availability: String,
    vis_preferences: String,
    vis_photo: String,
    vis_email: String,
}

impl ProfileForm {
    fn of(p: &Profile) -> ProfileForm {
        let u = &p.user;
        let city_zone = u.city_id.and_then(|id| Gazetteer::bundled().get(id)).map(|c| c.timezone.clone());
        ProfileForm {
            display_name: u.display_name.clone(),
            trade: u.trade.clone(),
            bio: u.bio.clone(),
            skills_offered: p.offers.join(", "),
            help_wanted: p.needs.join(", "),
            city: u.city_label.clone(),
            // Blank means "follow my city": shown when the zone is the city's (or there is none).
            timezone: if city_zone.as_deref().is_none_or(|z| z == u.timezone)
                && (u.city_id.is_some() || u.timezone == "UTC")
            {
                String::new()
            } else {
                u.timezone.clone()
            },
            in_person: (u.in_person == 1).then(|| "yes".into()),
            is_virtual: (u.is_virtual == 1).then(|| "yes".into()),
            session_minutes: u.session_minutes.to_string(),
            company: u.company.clone(),
            availability: format_windows(&p.windows),
            vis_trade: u.vis_trade.clone(),
            vis_bio: u.vis_bio.clone(),
            vis_skills: u.vis_skills.clone(),
            vis_city: u.vis_city.clone(),
            vis_availability: u.vis_availability.clone(),
            vis_preferences: u.vis_preferences.clone(),
            vis_photo: u.vis_photo.clone(),
            vis_email: u.vis_email.clone(),
        }
    }
}

fn options() -> minijinja::Value {
    let zones: Vec<(String, String)> = std::iter::once((String::new(), "Same as my city".to_owned()))
        .chain(chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name().to_owned(), z.name().replace('_', " "))))
        .collect();
    let visibility: Vec<(&str, &str)> = Visibility::ALL
        .iter()
        .map(|v| {
            (
                v.as_str(),
                match v {
                    Visibility::Everyone => "Everyone",
                    Visibility::Groups => "My groups",
                    Visibility::Partners => "My partners",
                },
            )
        })
        .collect();
    let sessions: Vec<(u32, String)> = SESSION_MINUTES.iter().map(|m| (*m, format!("{m} minutes"))).collect();
    let company: Vec<(&str, &str)> = Company::ALL
        .iter()
        .map(|c| {
            (
                c.as_str(),
                match c {
                    Company::Quiet => "Quiet: heads down",
                    Company::Chatty => "Chatty: happy to talk in breaks",
                    Company::Either => "Either is fine",
                },
            )
        })
        .collect();
    let fields: Vec<(&str, &str)> = PRIVATE_FIELDS
        .iter()
        .map(|f| {
            (
                *f,
                match *f {
                    "trade" => "Who can see my trade",
                    "bio" => "Who can see my bio",
                    "skills" => "Who can see my skills and help wanted",
                    "city" => "Who can see my city and distance",
                    "availability" => "Who can see my availability",
                    "photo" => "Who can see my photo",
                    "email" => "Who can see my email address (organisers of my groups count as my groups)",
                    _ => "Who can see my preferences (modes, session length, company, time zone)",
                },
            )
        })
        .collect();
    context! { zones, visibility, sessions, company, fields }
}

/// `GET /profile`: my profile as I see it, with who can see each part.
pub async fn own(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<SavedQuery>,
) -> PageResult {
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let member = MemberView::of_profile(&p, Relation::Myself, Some(&me));
    let stats = crate::goals::stats::of(&state, &me).await?;
    let chart = crate::goals::stats::chart(&stats);
    let help = crate::referrals::help::balance_words(&state, &me.id).await?;
    let ctx = context! { member, own => true, stats, chart, help, user => context! { vis_trade => me.vis_trade, vis_bio => me.vis_bio, vis_skills => me.vis_skills, vis_city => me.vis_city, vis_availability => me.vis_availability, vis_preferences => me.vis_preferences, vis_photo => me.vis_photo, vis_email => me.vis_email, near_home => state.db.near_home_of(&me.id).await? }, notice => q.saved.then_some("Profile saved.") };
    Ok(page("profile.html", Some(&me), &csrf, ctx)?.into_response())
}

/// A one-time confirmation carried to a member's page.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: bool,
}

/// `GET /profile/edit`.
pub async fn edit_page(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
) -> PageResult {
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let ctx = context! { values => ProfileForm::of(&p), opts => options() };
    Ok(page("profile_edit.html", Some(&me), &csrf, ctx)?.into_response())
}

/// `POST /profile/edit`: saves everything or nothing; errors are shown by their fields and
/// everything typed is kept.
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<ProfileForm>,
) -> PageResult {
    let p = state.db.profile(&me.id).await?.ok_or(AppError::NotFound)?;
    let mut ed = Editor::new(&p);
    ed.display_name("display_name", &form.display_name);
    ed.trade("trade", &form.trade);
    ed.bio("bio", &form.bio);
    ed.offers("skills_offered", &form.skills_offered);
    ed.needs("help_wanted", &form.help_wanted);
    ed.city("city", &form.city);
    ed.timezone("timezone", &form.timezone);
    ed.modes(form.in_person.is_some(), form.is_virtual.is_some());
    match form.session_minutes.trim().parse::<i64>() {
        Ok(m) => ed.session_minutes("session_minutes", m),
        Err(_) => ed.errors.add("session_minutes", "Choose a session length."),
    }
    ed.company("company", &form.company);
    ed.availability_text("availability", &form.availability);
    for (field, value) in PRIVATE_FIELDS.iter().zip([
        &form.vis_trade,
        &form.vis_bio,
        &form.vis_skills,
        &form.vis_city,
        &form.vis_availability,
        &form.vis_preferences,
        &form.vis_photo,
        &form.vis_email,
    ]) {
        ed.visibility(&format!("vis_{field}"), field, value);
    }
    match ed.finish() {
        Ok(update) => {
            state.db.update_profile(&me.id, &update, now_ms()).await?;
            Ok(Redirect::to("/profile?saved=true").into_response())
        }
        Err(errors) => {
            let ctx = context! { values => form, errors => error_map(&errors), opts => options() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("profile_edit.html", Some(&me), &csrf, ctx)?)
                .into_response())
        }
    }
}

/// Loads another member's profile if the viewer may see it at all.
pub async fn visible_profile(
    state: &AppState,
    viewer: &store::users::User,
    id: &str,
) -> Result<MemberView, AppError> {
    let p = state.db.profile(id).await?.ok_or(AppError::NotFound)?;
    if p.user.suspended_at.is_some() || state.db.blocked_either_way(&viewer.id, id).await? {
        return Err(AppError::NotFound);
    }
    let relation = state.db.relation(&viewer.id, id).await?;
    Ok(MemberView::of_profile(&p, relation, Some(viewer)))
}

/// `GET /members/{id}`.
pub async fn member(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    if id == me.id {
        return Ok(Redirect::to("/profile").into_response());
    }
    let member = visible_profile(&state, &me, &id).await?;
    let partner = crate::partners::pages::profile_panel(&state, &me, &id).await?;
    // Accountability stats are for the member and their accountability partners.
    let shown = state.db.user(&id).await?;
    // Admins may take down a photo whatever its owner chose to show.
    let admin_photo = me.is_admin == 1 && shown.as_ref().is_some_and(|u| u.photo_id.is_some());
    let notice = (q.notice == "photo-removed").then_some("Photo taken down.");
    let (stats, chart) = match shown {
        Some(u) if state.db.accountability_partners(&me.id, &id).await? => {
            let stats = crate::goals::stats::of(&state, &u).await?;
            let chart = crate::goals::stats::chart(&stats);
            (Some(stats), Some(chart))
        }
        _ => (None, None),
    };
    let help = crate::referrals::help::balance_words(&state, &id).await?;
    Ok(page(
        "profile.html",
        Some(&me),
        &csrf,
        context! { member, partner, stats, chart, help, admin_photo, notice, own => false, user => context! {} },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /members/{id}/block`.
pub async fn block(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<Empty>,
) -> PageResult {
    if id == me.id || state.db.user(&id).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    super::block(&state, &me, &id).await?;
    Ok(Redirect::to("/settings").into_response())
}

/// `POST /members/{id}/unblock`.
pub async fn unblock(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<Empty>,
) -> PageResult {
    state.db.unblock(&me.id, &id).await?;
    Ok(Redirect::to("/settings").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CityQuery {
    #[serde(default)]
    city: String,
    #[serde(default)]
    q: String,
}

/// `GET /cities?city=lis`: `<option>`s for the city field's datalist (htmx fills it as you type).
pub async fn city_options(PageQuery(q): PageQuery<CityQuery>) -> PageResult {
    let query = if q.q.is_empty() { q.city } else { q.q };
    let labels: Vec<String> = Gazetteer::bundled().search(&query, 8).into_iter().map(|c| c.label()).collect();
    Ok(fragment("city_options.html", context! { labels })?.into_response())
}
