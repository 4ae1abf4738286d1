//! Proving an email address: sign-up sends a link, following it (GET shows a button, POST
//! confirms) marks the address confirmed; a change of address needs the password, sends the link
//! to the new address, tells the old one, and changes nothing until the link is followed.

use reqwest::StatusCode;
use serde_json::json;

use crate::digests;
use crate::support::{csrf_of, error_fields, Member, TestApp, PASSWORD};

/// Signs up through the API, as a new member would; the address is not confirmed yet.
pub async fn signed_up(app: &TestApp, name: &str, email: &str) -> Member {
    let body = json!({"email": email, "password": PASSWORD, "display_name": name});
    let (s, made) = app.post_json("/api/v1/accounts", None, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, t) = app
        .post_json("/api/v1/tokens", None, &json!({"email": email, "password": PASSWORD, "name": "t"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    Member {
        id: made["id"].as_str().expect("id").to_owned(),
        email: email.to_owned(),
        token: t["token"].as_str().expect("token").to_owned(),
    }
}

/// Follows the newest confirmation link sent to `email`, as a person would (no sign-in needed).
pub async fn confirm(app: &TestApp, email: &str) {
    let path = app.verify_link(email).await;
    let b = app.browser().await;
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(email), "the page names the address");
    let csrf = csrf_of(&page.body).expect("a form");
    let done = b.post_raw(&path, &[("csrf", csrf.as_str())]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("is confirmed as your address"), "{}", done.body);
}

async fn verified(app: &TestApp, m: &Member) -> (String, bool) {
    let (s, me) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    (me["email"].as_str().expect("email").to_owned(), me["email_verified"] == true)
}

#[tokio::test]
async fn a_new_address_is_confirmed_by_the_link_sent_at_sign_up_once() {
    let app = TestApp::spawn().await;
    let m = signed_up(&app, "Ana", "ana@example.org").await;
    assert_eq!(verified(&app, &m).await, ("ana@example.org".to_owned(), false), "the account works at once");
    let path = app.verify_link("ana@example.org").await;
    // Opening the link (as a mail scanner would) changes nothing.
    app.client().get(app.url(&path)).send().await.expect("get");
    assert!(!verified(&app, &m).await.1);
    confirm(&app, "ana@example.org").await;
    assert!(verified(&app, &m).await.1);
    let again = app.client().get(app.url(&path)).send().await.expect("get");
    assert_eq!(again.status(), StatusCode::GONE, "a link works once");
    // Asking again when confirmed is refused; asking again before sends a new link.
    let (s, _) = app.post_json("/api/v1/me/email/verification", Some(&m.token), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn changing_the_address_needs_the_password_and_the_new_addresss_link() {
    let app = TestApp::spawn().await;
    let m = app.member_at("Ben", "ben@example.org").await;
    let other = app.member_at("Cy", "cy@example.org").await;
    let put = |body: serde_json::Value| {
        let (app, m) = (&app, &m);
        async move { app.put_json("/api/v1/me/email", &m.token, &body).await }
    };
    let (s, e) = put(json!({"current_password": "not-the-password", "new_email": "ben@new.example"})).await;
    assert_eq!(
        (s, error_fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["current_password".to_owned()])
    );
    let (s, e) = put(json!({"current_password": PASSWORD, "new_email": "not an address"})).await;
    assert_eq!((s, error_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["new_email".to_owned()]));
    let (s, e) = put(json!({"current_password": PASSWORD, "new_email": other.email})).await;
    assert_eq!((s, error_fields(&e)), (StatusCode::CONFLICT, vec!["new_email".to_owned()]));
    let (s, r) = put(json!({"current_password": PASSWORD, "new_email": "Ben@New.example"})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    assert_eq!(r["pending_email"], "ben@new.example");
    let notice = app.mail_with(&["To: ben@example.org", "about to change"]).await;
    assert!(!notice.contains("/verify/"), "the old address gets no link: {notice}");
    assert_eq!(verified(&app, &m).await, ("ben@example.org".to_owned(), true), "nothing changes yet");
    confirm(&app, "ben@new.example").await;
    assert_eq!(verified(&app, &m).await, ("ben@new.example".to_owned(), true));
    let (s, _) = app
        .post_json(
            "/api/v1/tokens",
            None,
            &json!({"email": "ben@new.example", "password": PASSWORD, "name": "n"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "signs in with the new address");
}

#[tokio::test]
async fn the_settings_page_changes_the_address_and_keeps_the_input_on_errors() {
    let app = TestApp::spawn().await;
    app.member_at("Di", "di@example.org").await;
    let b = app.browser().await;
    b.login("di@example.org", PASSWORD).await;
    let page = b
        .post("/settings/email", &[("new_email", "di@new.example"), ("email_password", "wrong-one-here")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("That isn't your current password."), "{}", page.body);
    assert!(page.body.contains("value=\"di@new.example\""), "the address typed is kept");
    let page =
        b.post("/settings/email", &[("new_email", "di@new.example"), ("email_password", PASSWORD)]).await;
    assert_eq!(page.location.as_deref(), Some("/settings#email"));
    confirm(&app, "di@new.example").await;
    let settings = b.get("/settings").await;
    assert!(
        settings.body.contains("di@new.example") && settings.body.contains("It is confirmed."),
        "{}",
        settings.body
    );
}

#[tokio::test]
async fn mail_waits_until_the_member_confirms_their_address() {
    let app = digests::app().await;
    let ana = signed_up(&app, "Ana", "ana.unconfirmed@example.org").await;
    let bo = app.member("Bo").await;
    digests::ask(&app, &bo, &ana).await;
    assert_eq!(digests::titles(&app, &ana).await.len(), 1, "the notice is in the app");
    assert!(
        digests::queued(&app, &ana, "").await.iter().all(|(s, _)| s.contains("Confirm")),
        "only the link to confirm"
    );
    digests::choose(&app, &ana, json!({"partners": "daily", "summary": "off"})).await;
    let seven = digests::next_at(7, |_| true);
    digests::digests(&app, seven).await;
    assert!(digests::queued(&app, &ana, "Your day").await.is_empty(), "no digest to an unconfirmed address");

    confirm(&app, &ana.email).await;
    digests::choose(&app, &ana, json!({"partners": "email"})).await;
    let cy = app.member("Cy").await;
    digests::ask(&app, &cy, &ana).await;
    app.mail_with(&["Cy asks you to be their coworking partner", &format!("To: {}", ana.email)]).await;
}
