//! The settings an admin changes while Alongside runs: what the site calls itself, who may
//! create an account (anyone, whoever holds an invitation, nobody), whether visitors see the
//! events and groups shown to them, and the text of the terms of use and the privacy notice
//! (Markdown, shown at `/terms` and `/privacy` and linked from every page once written). Every
//! instance picks a change up within `web::site::FRESH`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Json;
use domain::site::SignUp;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::settings::SiteSettings;
use store::users::User;
use utoipa::ToSchema;

use super::admin;
use crate::error::{ApiResult, AppError, PageQuery, PageResult};
use crate::openapi::{ApiJson, ErrorBody};
use crate::state::AppState;
use crate::web::auth::{ApiUser, CurrentUser, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::templates::page;

/// The settings as a form or an API body sends them.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// What the site calls itself (at most 60 characters).
    #[schema(min_length = 1, max_length = 60)]
    pub site_name: String,
    /// Who may create an account: open | invite | closed.
    #[schema(pattern = "^(open|invite|closed)$")]
    pub signup: String,
    /// Whether visitors without an account see the events and groups shown to them.
    pub visitor_pages: bool,
    /// The terms of use, in Markdown; empty for none.
    #[schema(max_length = 50000)]
    pub terms: String,
    /// The privacy notice, in Markdown; empty for none.
    #[schema(max_length = 50000)]
    pub privacy: String,
}

impl From<&SiteSettings> for Settings {
    fn from(s: &SiteSettings) -> Self {
        Settings {
            site_name: s.name.clone(),
            signup: s.signup.clone(),
            visitor_pages: s.visitor_pages,
            terms: s.terms.clone(),
            privacy: s.privacy.clone(),
        }
    }
}

/// What changed, in words, for the audit log: "site name, sign-up: invite".
fn changes(old: &SiteSettings, new: &SiteSettings) -> String {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(format!("site name: {}", new.name));
    }
    if old.signup != new.signup {
        out.push(format!("sign-up: {}", new.signup));
    }
    if old.visitor_pages != new.visitor_pages {
        out.push(format!("visitor pages: {}", if new.visitor_pages { "on" } else { "off" }));
    }
    if old.terms != new.terms {
        out.push("terms of use".to_owned());
    }
    if old.privacy != new.privacy {
        out.push("privacy notice".to_owned());
    }
    out.join(", ")
}

/// Checks and saves; the change reaches this instance at once and the others within seconds.
async fn save(state: &AppState, me: &User, s: &Settings) -> Result<SiteSettings, AppError> {
    admin(me)?;
    let (name, signup, terms, privacy) = domain::site::check(&s.site_name, &s.signup, &s.terms, &s.privacy)?;
    let new = SiteSettings {
        name,
        signup: signup.as_str().to_owned(),
        visitor_pages: s.visitor_pages,
        terms,
        privacy,
    };
    let old = state.db.site_settings().await?;
    state.db.save_site_settings(&new).await?;
    state.site.forget();
    let what = changes(&old, &new);
    if !what.is_empty() {
        super::record(state, me, "settings", "", "", &what).await?;
    }
    Ok(new)
}

/// Why shared links would not work from the configured address, if they would not.
fn link_warning(public_url: &str, configured: bool) -> Option<String> {
    let host =
        url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    if loopback {
        Some(format!(
            "Links people share point at {public_url}, which only this machine can open. Set public_url in the \
             configuration to the address people use to reach Alongside."
        ))
    } else if !configured {
        Some(format!(
            "public_url is not set, so links people share point at {public_url}. Set it to the address people \
             use to reach Alongside."
        ))
    } else {
        None
    }
}

// ---------------------------------------------------------------- pages --

async fn render(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    values: &Settings,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let public_url = state.config.public_url();
    let warning = link_warning(&public_url, state.config.public_url.is_some());
    let ctx = context! { values, public_url, warning, tab => "settings", ..extra };
    Ok((status, page("admin_settings.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /admin/settings`.
pub async fn page_get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<std::collections::HashMap<String, String>>,
) -> PageResult {
    admin(&me)?;
    let s = state.db.site_settings().await?;
    let notice = (q.get("notice").map(String::as_str) == Some("saved"))
        .then_some("Saved. Every instance shows the change within a few seconds.");
    render(&state, &me, &csrf, &Settings::from(&s), context! { notice }, StatusCode::OK).await
}

/// The form as a browser sends it (an unticked box sends nothing).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    site_name: String,
    signup: String,
    visitor_pages: String,
    terms: String,
    privacy: String,
}

/// `POST /admin/settings`.
pub async fn page_post(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<SettingsForm>,
) -> PageResult {
    admin(&me)?;
    let s = Settings {
        site_name: form.site_name,
        signup: form.signup,
        visitor_pages: form.visitor_pages == "on",
        terms: form.terms,
        privacy: form.privacy,
    };
    match save(&state, &me, &s).await {
        Ok(_) => Ok(Redirect::to("/admin/settings?notice=saved").into_response()),
        Err(AppError::Invalid(e)) => {
            let ctx = context! { errors => crate::accounts::pages::error_map(&e) };
            render(&state, &me, &csrf, &s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /terms` and `GET /privacy`: the admin's text, or nothing there until they write one.
async fn legal(state: &AppState, me: Option<&User>, csrf: &CsrfToken, which: &str) -> PageResult {
    let s = state.site.get(&state.db).await;
    let (title, text) = match which {
        "terms" => ("Terms of use", &s.terms),
        _ => ("Privacy", &s.privacy),
    };
    if text.is_empty() {
        return Err(AppError::NotFound.into());
    }
    let ctx = context! { title, body => crate::web::markdown::render(text) };
    Ok(page("legal.html", me, csrf, ctx)?.into_response())
}

/// `GET /terms`.
pub async fn terms(State(state): State<AppState>, MaybeUser(me): MaybeUser, csrf: CsrfToken) -> PageResult {
    legal(&state, me.as_ref(), &csrf, "terms").await
}

/// `GET /privacy`.
pub async fn privacy(State(state): State<AppState>, MaybeUser(me): MaybeUser, csrf: CsrfToken) -> PageResult {
    legal(&state, me.as_ref(), &csrf, "privacy").await
}

// ------------------------------------------------------------------ API --

/// The instance's settings (admins only).
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_api(State(state): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Json<Settings>> {
    admin(&me)?;
    Ok(Json(Settings::from(&state.db.site_settings().await?)))
}

/// Replaces the instance's settings; every instance follows within seconds (admins only).
#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])), request_body = Settings,
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_api(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<Settings>,
) -> ApiResult<Json<Settings>> {
    admin(&me)?;
    let saved = save(&state, &me, &body).await?;
    Ok(Json(Settings::from(&saved)))
}

/// Whether sign-up is open to someone holding `invited` (a live invitation or not).
pub async fn sign_up_allowed(state: &AppState, invited: bool) -> Result<(), AppError> {
    let s = state.site.get(&state.db).await;
    SignUp::parse(&s.signup).allows(invited).map_err(AppError::Forbidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_links_from_a_loopback_address_are_flagged() {
        for url in
            ["http://127.0.0.1:3000", "http://localhost:8080", "http://[::1]:3000", "http://0.0.0.0:3000"]
        {
            assert!(link_warning(url, true).is_some_and(|w| w.contains("only this machine")), "{url}");
        }
        assert!(link_warning("https://alongside.example.org", true).is_none());
        assert!(link_warning("http://192.168.1.20:3000", false).is_some_and(|w| w.contains("not set")));
    }

    #[test]
    fn the_log_says_what_changed() {
        let old = SiteSettings::default();
        let new =
            SiteSettings { signup: "invite".into(), terms: "Be kind.".into(), ..SiteSettings::default() };
        assert_eq!(changes(&old, &new), "sign-up: invite, terms of use");
        assert_eq!(changes(&old, &old), "");
    }
}
