//! Account pages: home, sign-up, log in/out, password reset, dashboard.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::{end_session, start_session, CurrentUser, Device, MaybeUser};
use crate::web::csrf::{CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::ratelimit::{self, ClientIp};
use crate::web::templates::page;

/// Field errors as the templates want them: the first message per field.
pub fn error_map(e: &domain::FieldErrors) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for err in e.iter() {
        m.entry(err.field.clone()).or_insert_with(|| err.detail.clone());
    }
    m
}

/// Re-renders a form with its errors (422) when the error is about the input; other errors pass.
pub fn form_again<V: Serialize>(
    err: AppError,
    tmpl: &str,
    me: Option<&store::users::User>,
    csrf: &CsrfToken,
    values: &V,
) -> PageResult {
    match err {
        AppError::Invalid(e) | AppError::Conflict(e) => {
            let ctx = context! { values => values, errors => error_map(&e) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(tmpl, me, csrf, ctx)?).into_response())
        }
        other => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    pub notice: String,
    /// Where to go after signing in or up (a path on this site only).
    #[serde(default)]
    next: String,
}

/// The page to land on after signing in: `next` when it is a path on this site (never another
/// site: "//evil.example" and "/\\evil.example" are refused), else the dashboard.
pub fn landing(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 500
        && !next.chars().any(char::is_control);
    if ok {
        next.to_owned()
    } else {
        "/dashboard".to_owned()
    }
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "reset-sent" => "If an account uses that email, a reset link is on its way. It works for one hour.",
        "reset-done" => "Your password is changed. Log in with the new one.",
        "signed-out-everywhere" => "You're signed out everywhere. Log in again on the devices you use.",
        "deleted" => "Your account and personal data have been deleted. Thank you for being here.",
        "logged-out" => "You're logged out. See you soon.",
        "profile-saved" => "Profile saved.",
        _ => return None,
    })
}

/// `GET /`: what Alongside is for, and for visitors what is coming up in public.
pub async fn home(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    let (sessions, groups) =
        if me.is_none() { crate::visitors::coming_up(&state, 6, 4).await? } else { (Vec::new(), Vec::new()) };
    let ctx = context! { notice => notice_text(&q.notice), sessions, groups };
    Ok(page("home.html", me.as_ref(), &csrf, ctx)?.into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SignupForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    next: String,
    #[serde(default, skip_serializing)]
    password: String,
}

/// `GET /signup[?next=/path]`.
pub async fn signup_page(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    if me.is_some() {
        return Ok(Redirect::to(&landing(&q.next)).into_response());
    }
    let refused = match super::may_sign_up(&state, super::invite_in(&q.next)).await {
        Err(AppError::Forbidden(why)) => Some(why),
        other => other.map(|_| None)?,
    };
    let values = SignupForm { next: q.next, ..SignupForm::default() };
    Ok(page("signup.html", None, &csrf, context! { values, refused })?.into_response())
}

/// `POST /signup`: creates the account and signs in.
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<SignupForm>,
) -> PageResult {
    ratelimit::count_request(&state, ip, ratelimit::Request::SignUp).await?;
    match super::may_sign_up(&state, super::invite_in(&form.next)).await {
        Ok(()) => {}
        Err(AppError::Forbidden(why)) => {
            let ctx = context! { values => form, refused => why };
            return Ok((StatusCode::FORBIDDEN, page("signup.html", None, &csrf, ctx)?).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    match super::register(&state, &form.email, &form.password, &form.display_name).await {
        Ok(user) => {
            let jar = start_session(&state, jar, &user.id, &device).await?;
            // What they asked for as a visitor, if anything, is done now; they land on it.
            let (jar, done) = crate::visitors::intent::carry_out(&state, jar, &user).await?;
            // Otherwise the page they came from, or the first-run page.
            let to = done.unwrap_or_else(|| {
                if form.next.is_empty() {
                    "/welcome".to_owned()
                } else {
                    landing(&form.next)
                }
            });
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(e) => form_again(e, "signup.html", None, &csrf, &form),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    next: String,
    #[serde(default, skip_serializing)]
    password: String,
}

/// `GET /login`.
pub async fn login_page(
    MaybeUser(me): MaybeUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    if me.is_some() {
        return Ok(Redirect::to(&landing(&q.next)).into_response());
    }
    let values = LoginForm { next: q.next.clone(), ..LoginForm::default() };
    let ctx = context! { values, notice => notice_text(&q.notice) };
    Ok(page("login.html", None, &csrf, ctx)?.into_response())
}

/// `POST /login`: a new session id on every sign-in.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    device: Device,
    jar: CookieJar,
    Posted { form, csrf, .. }: Posted<LoginForm>,
) -> PageResult {
    match super::authenticate(&state, ip, &form.email, &form.password).await {
        Ok(user) => {
            let jar = start_session(&state, jar, &user.id, &device).await?;
            // What they asked for as a visitor, if anything, is done now; they land on it.
            let (jar, done) = crate::visitors::intent::carry_out(&state, jar, &user).await?;
            Ok((jar, Redirect::to(&done.unwrap_or_else(|| landing(&form.next)))).into_response())
        }
        Err(e) => form_again(e, "login.html", None, &csrf, &form),
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, jar: CookieJar, _form: Posted<NoticeQuery>) -> PageResult {
    let jar = end_session(&state, jar).await?;
    Ok((jar, Redirect::to("/?notice=logged-out")).into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

/// `GET /reset`.
pub async fn reset_request_page(csrf: CsrfToken) -> PageResult {
    Ok(page("reset_request.html", None, &csrf, context! { values => ResetRequestForm::default() })?
        .into_response())
}

/// `POST /reset`: always the same answer, whether or not the email has an account.
pub async fn reset_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Posted { form, csrf, .. }: Posted<ResetRequestForm>,
) -> PageResult {
    ratelimit::count_request(&state, ip, ratelimit::Request::Reset).await?;
    if let Err(e) = domain::profile::check_email(&form.email) {
        return form_again(
            AppError::Invalid(domain::FieldErrors::one("email", e)),
            "reset_request.html",
            None,
            &csrf,
            &form,
        );
    }
    super::send_reset(&state, &form.email).await?;
    Ok(Redirect::to("/login?notice=reset-sent").into_response())
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ResetConfirmForm {
    #[serde(default, skip_serializing)]
    password: String,
}

/// `GET /reset/{token}`.
pub async fn reset_confirm_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    csrf: CsrfToken,
) -> PageResult {
    let live = state.db.reset_is_live(&crate::web::secrets::hash_token(&token), now_ms()).await?;
    let status = if live { StatusCode::OK } else { StatusCode::GONE };
    Ok((status, page("reset_confirm.html", None, &csrf, context! { live, token })?).into_response())
}

/// `POST /reset/{token}`.
pub async fn reset_confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Posted { form, csrf, .. }: Posted<ResetConfirmForm>,
) -> PageResult {
    ratelimit::count_request(&state, ip, ratelimit::Request::Reset).await?;
    match super::finish_reset(&state, &token, &form.password).await {
        Ok(()) => Ok(Redirect::to("/login?notice=reset-done").into_response()),
        Err(AppError::Invalid(e)) => {
            let ctx = context! { live => true, token, errors => error_map(&e) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page("reset_confirm.html", None, &csrf, ctx)?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// How many of the next two weeks' dates the dashboard lists.
const DASHBOARD_DATES: usize = 8;

/// `GET /dashboard`: what to do next.
pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    let profile = state.db.profile_of(me.clone()).await?;
    let u = &profile.user;
    let todo: Vec<(&str, &str)> = [
        (u.trade.is_empty(), "Say what you do (your trade), so others can find you."),
        (profile.offers.is_empty(), "List the skills you can offer — help you could give."),
        (profile.needs.is_empty(), "Add what you'd like help with."),
        (u.city_id.is_none(), "Set your city, to meet people nearby at a quiet café or library."),
        (profile.windows.is_empty(), "Add when you're usually free for a session."),
    ]
    .into_iter()
    .filter(|(missing, _)| *missing)
    .map(|(_, text)| (text, "/profile/edit"))
    .collect();
    let stats = crate::goals::stats::of(&state, &me).await?;
    let chart = crate::goals::stats::chart(&stats);
    let mut upcoming = crate::events::upcoming(&state, &me, 14).await?;
    // The first few, soonest first; the calendar has the rest.
    let more = upcoming.len().saturating_sub(DASHBOARD_DATES);
    upcoming.truncate(DASHBOARD_DATES);
    let ctx = context! {
        todo,
        chart,
        now => now_ms(),
        member_count => state.db.user_count().await?,
        upcoming => crate::photos::with_faces(&state, &me, &upcoming, |i| (&i.event_id, i.key)).await?,
        more,
        notifications => state.db.notifications(&me.id, 5).await?,
        stats,
        overdue => crate::contacts::overdue(&state, &me).await?,
        insights => crate::referrals::insights(&state, &me).await?,
        notice => notice_text(&q.notice),
    };
    Ok(page("dashboard.html", Some(&me), &csrf, ctx)?.into_response())
}
