//! Keeping an account one's own: a password change or reset revokes every other way in (sessions,
//! API tokens, calendar feeds, reset links) and the mail says what went; sessions are listed with
//! their browser and can be ended one by one or everywhere.

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::groups::group;
use crate::support::{csrf_of, error_fields, reset_link, Browser, Member, TestApp, PASSWORD};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A browser that names itself `user_agent`, signed in as `m`.
async fn signed_in(app: &TestApp, m: &Member, user_agent: &str) -> Browser {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .user_agent(user_agent)
        .build()
        .expect("client");
    let mut b = Browser { client, base: app.base.clone(), csrf: String::new() };
    b.csrf = csrf_of(&b.get("/login").await.body).expect("a form");
    assert_eq!(b.login(&m.email, PASSWORD).await.status, StatusCode::SEE_OTHER);
    b
}

/// Whether the browser is still signed in.
async fn signed_in_still(b: &Browser) -> bool {
    b.get("/settings").await.status == StatusCode::OK
}

/// Everything a member can hold besides a password: two browsers, a token (theirs), a calendar
/// feed, a group feed and a reset link not yet used.
struct Holdings {
    here: Browser,
    there: Browser,
    feed: String,
    group_feed: String,
    reset: String,
}

async fn holdings(app: &TestApp, m: &Member) -> Holdings {
    let here = signed_in(app, m, FIREFOX).await;
    let there = signed_in(app, m, SAFARI).await;
    let (s, made) = app.post_json("/api/v1/me/calendar-feed", Some(&m.token), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let feed = made["url"].as_str().expect("url").to_owned();
    let g = group(app, m, "Circle", "open").await;
    here.post(&format!("/groups/{g}/calendar-feed"), &[]).await;
    let page = here.get(&format!("/groups/{g}/calendar")).await;
    let start = page.body.find("/feeds/group/").expect("a group feed URL");
    let group_feed = app.url(&page.body[start..].chars().take_while(|c| *c != '"').collect::<String>());
    app.browser().await.post("/reset", &[("email", m.email.as_str())]).await;
    let reset = reset_link(&app.mail_with(&["/reset/"]).await);
    Holdings { here, there, feed, group_feed, reset }
}

async fn status_of(url: &str) -> StatusCode {
    reqwest::get(url).await.expect("get").status()
}

/// Asserts that every holding but `here` was revoked, and the mail said so.
async fn all_revoked_but_here(app: &TestApp, m: &Member, h: &Holdings, mail: &str) {
    assert!(!signed_in_still(&h.there).await, "the other browser is signed out");
    let (s, _) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the API token is revoked");
    assert_eq!(status_of(&h.feed).await, StatusCode::NOT_FOUND, "the calendar feed is off");
    assert_eq!(status_of(&h.group_feed).await, StatusCode::NOT_FOUND, "the group feed is off");
    assert_eq!(status_of(&h.reset).await, StatusCode::GONE, "the reset link no longer works");
    for words in ["signed out", "API token was revoked", "calendar feed addresses were"] {
        assert!(mail.contains(words), "the mail says \"{words}\":\n{mail}");
    }
}

#[tokio::test]
async fn changing_the_password_keeps_this_browser_and_revokes_everything_else() {
    let app = TestApp::spawn().await;
    let m = app.member("Ana").await;
    let h = holdings(&app, &m).await;

    let wrong = h
        .here
        .post("/settings/password", &[("current_password", "not-my-password"), ("new_password", "x")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That isn't your current password."), "the error sits by the field");
    assert!(signed_in_still(&h.there).await, "a refused change revokes nothing");
    let weak =
        h.here.post("/settings/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("at least 12"), "{}", weak.body);

    let done = h
        .here
        .post(
            "/settings/password",
            &[("current_password", PASSWORD), ("new_password", "a-whole-new-phrase-7")],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/settings#password"), "{}", done.body);
    assert!(
        done.set_cookies.iter().any(|c| c.starts_with("alng_session=")),
        "a new session id for this browser"
    );
    let page = h.here.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK, "this browser stays signed in");
    assert!(page.body.contains("Your password was changed."));
    let mail =
        app.mail_with(&["Your Alongside password was changed", "was changed from your settings"]).await;
    all_revoked_but_here(&app, &m, &h, &mail).await;
    assert!(mail.contains("another reset link was cancelled"), "{mail}");
    let b = app.browser().await;
    assert_eq!(b.login(&m.email, "a-whole-new-phrase-7").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reset_revokes_tokens_feeds_and_other_reset_links_and_says_so() {
    let app = TestApp::spawn().await;
    let m = app.member("Ben").await;
    let h = holdings(&app, &m).await;
    // A second link: using it must cancel the first.
    let other = app.browser().await;
    other.post("/reset", &[("email", m.email.as_str())]).await;
    let mut second = None;
    for _ in 0..200 {
        let links: Vec<String> =
            app.mails(1).await.iter().filter(|m| m.contains("/reset/")).map(|m| reset_link(m)).collect();
        second = links.into_iter().find(|l| *l != h.reset);
        if second.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let second = second.expect("a second reset link");
    let path = second.strip_prefix(&app.base).expect("here").to_owned();
    let done = other.post(&path, &[("password", "a-whole-new-phrase-8")]).await;
    assert_eq!(done.location.as_deref(), Some("/login"), "{}", done.body);
    let mail = app.mail_with(&["Your Alongside password was changed", "was reset with a link"]).await;
    assert!(!signed_in_still(&h.here).await, "a reset signs out every browser");
    all_revoked_but_here(&app, &m, &h, &mail).await;
}

#[tokio::test]
async fn the_api_changes_a_password_with_field_errors_and_says_what_it_revoked() {
    let app = TestApp::spawn().await;
    let m = app.member("Cy").await;
    let b = signed_in(&app, &m, FIREFOX).await;
    let (app, m) = (&app, &m);
    let put =
        |body: serde_json::Value| async move { app.put_json("/api/v1/me/password", &m.token, &body).await };
    let (s, e) =
        put(json!({"current_password": "nope-nope-nope", "new_password": "a-whole-new-phrase-9"})).await;
    assert_eq!(
        (s, error_fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["current_password".to_owned()])
    );
    let (s, e) = put(json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_eq!((s, error_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["new_password".to_owned()]));
    let (s, _) =
        put(json!({"current_password": PASSWORD, "new_password": "a-whole-new-phrase-9", "admin": true}))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    assert!(signed_in_still(&b).await);
    let (s, r) = put(json!({"current_password": PASSWORD, "new_password": "a-whole-new-phrase-9"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["revoked_sessions"].clone(), r["revoked_api_tokens"].clone()), (json!(1), json!(1)));
    assert!(!signed_in_still(&b).await);
    let (s, _) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the token used is revoked too");
}

#[tokio::test]
async fn sessions_are_listed_by_browser_and_end_one_at_a_time_or_everywhere() {
    let app = TestApp::spawn().await;
    let m = app.member("Dee").await;
    let laptop = signed_in(&app, &m, FIREFOX).await;
    let phone = signed_in(&app, &m, SAFARI).await;
    let page = laptop.get("/settings").await;
    assert!(page.body.contains("Firefox on Linux"), "{}", page.body);
    assert!(page.body.contains("Safari on iPhone"), "{}", page.body);
    assert!(page.body.contains("This browser"));

    let (s, list) = app.get_json("/api/v1/me/sessions", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let phone_handle = items.iter().find(|i| i["device"] == "Safari on iPhone").expect("the phone")["handle"]
        .as_str()
        .expect("handle")
        .to_owned();
    let ended = laptop.post(&format!("/settings/sessions/{phone_handle}/end"), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(!signed_in_still(&phone).await, "the phone is signed out");
    assert!(signed_in_still(&laptop).await, "the laptop is not");
    assert_eq!(
        laptop.post("/settings/sessions/0123456789abcdef/end", &[]).await.status,
        StatusCode::NOT_FOUND
    );

    let phone = signed_in(&app, &m, SAFARI).await;
    let (s, _) = app.delete_json("/api/v1/me/sessions", &m.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(!signed_in_still(&phone).await && !signed_in_still(&laptop).await, "signed out everywhere");
    let (s, _) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK, "API tokens stay");

    let laptop = signed_in(&app, &m, FIREFOX).await;
    let out = laptop.post("/settings/sessions/end-all", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert!(!signed_in_still(&laptop).await);
}
