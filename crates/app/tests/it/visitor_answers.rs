//! Visitors answering a public event without an account, where its host lets them: confirmed by
//! a mailed link (which lapses after a day), a seat counted like anyone's, seen by the host,
//! reminded and told of changes by mail, cancelled by the same link, forgotten 30 days after
//! the date, and taken over as a member's answer when an account proves the address.

use chrono::{TimeDelta, Utc};
use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::support::{csrf_of, Member, TestApp, PASSWORD};

/// A one-off meeting in two days at a café, shown to visitors who may answer, with `seats`.
async fn open_meeting(app: &TestApp, host: &Member, seats: i64) -> (String, i64) {
    let start = (Utc::now() + TimeDelta::days(2)).format("%Y-%m-%dT18:00").to_string();
    let body = json!({"kind": "meeting", "title": "Open studio", "time_zone": "Europe/Lisbon", "starts_at_local": start,
        "place": {"name": "Café Sossego", "city": "Lisbon"}, "visibility": "public", "capacity": seats,
        "show_to_visitors": true, "visitor_answers": true});
    let (s, made) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let at = made["next"][0]["occurrence_start"].as_str().expect("a date");
    let key = chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339").timestamp_millis();
    (made["id"].as_str().expect("id").to_owned(), key)
}

fn rfc3339(key: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(key).expect("key");
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A visitor's browser: no account, a CSRF token from the page it read.
async fn visitor(app: &TestApp, event: &str) -> (Client, String, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client
        .get(app.url(&format!("/events/{event}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let csrf = csrf_of(&page).expect("a form");
    (client, csrf, page)
}

/// Asks to come as `name` <`email`>; returns the page's status and text.
async fn ask(
    app: &TestApp,
    c: &Client,
    csrf: &str,
    event: &str,
    key: i64,
    name: &str,
    email: &str,
) -> (StatusCode, String) {
    let form = [("csrf", csrf), ("at", &key.to_string()), ("name", name), ("email", email)];
    let r =
        c.post(app.url(&format!("/events/{event}/visitor-answer"))).form(&form).send().await.expect("post");
    (r.status(), r.text().await.expect("body").replace("&#x2f;", "/"))
}

/// The link in the newest mail to `email` about `subject`.
async fn link_in(app: &TestApp, email: &str, subject: &str) -> String {
    let mail = app.mail_with(&[&format!("To: {email}"), subject]).await;
    let start = mail.find("/answers/").expect("a link to the answer");
    let token: String = mail[start + "/answers/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("/answers/{token}")
}

async fn press(app: &TestApp, c: &Client, path: &str, action: &str) -> String {
    let page = c.get(app.url(path)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&page).expect("a form");
    let r = c
        .post(app.url(path))
        .form(&[("csrf", csrf.as_str()), ("action", action)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.expect("body").replace("&#x27;", "'")
}

#[tokio::test]
async fn a_visitor_confirms_a_place_by_mail_takes_a_seat_and_cancels_it() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let (event, key) = open_meeting(&app, &host, 1).await;
    let (c, csrf, page) = visitor(&app, &event).await;
    assert!(page.contains("No account needed"), "the visitor's form is on the page");

    // Bad input is named next to the field, what was typed kept; nothing is stored.
    let (s, body) = ask(&app, &c, &csrf, &event, key, "", "not-an-address").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"not-an-address\""), "{body}");
    assert!(app.state.db.visitors_going(&event, key).await.expect("db").is_empty());

    let (s, body) = ask(&app, &c, &csrf, &event, key, "Vera Visitor", "vera@example.org").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Check your email"), "{body}");
    let link = link_in(&app, "vera@example.org", "Confirm your place").await;
    let mail = app.mail_with(&["To: vera@example.org", "Confirm your place"]).await;
    assert!(mail.contains("/no-mail/"), "mail to someone who is not a member can be stopped: {mail}");
    // Not a seat until confirmed; then the host sees her, and the date is full.
    assert!(app.state.db.visitors_going(&event, key).await.expect("db").is_empty());
    let done = press(&app, &c, &link, "confirm").await;
    assert!(done.contains("Your place is confirmed"), "{done}");
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let hosted = b.get(&format!("/events/{event}?at={key}")).await.body;
    assert!(hosted.contains("Vera Visitor") && hosted.contains("vera@example.org"), "{hosted}");
    let ana = app.member("Ana").await;
    let at = rfc3339(key);
    let (_, r) = app
        .put_json(
            &format!("/api/v1/events/{event}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(r["status"], "waitlisted", "the visitor holds the only seat: {r}");
    // A second visitor finds the date full when confirming.
    let (c2, csrf2, _) = visitor(&app, &event).await;
    ask(&app, &c2, &csrf2, &event, key, "Walt", "walt@example.org").await;
    let walt = link_in(&app, "walt@example.org", "Confirm your place").await;
    assert!(press(&app, &c2, &walt, "confirm").await.contains("every seat was taken"));

    // Cancelling gives the seat to the member waiting.
    let gone = press(&app, &c, &link, "cancel").await;
    assert!(gone.contains("Cancelled"), "{gone}");
    let (_, e) = app.get_json(&format!("/api/v1/events/{event}"), Some(&ana.token)).await;
    assert_eq!(e["next"][0]["my_status"], "going", "{e}");
}

#[tokio::test]
async fn visitors_are_reminded_told_of_changes_and_forgotten_unless_they_join() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let (event, key) = open_meeting(&app, &host, 10).await;
    let (c, csrf, _) = visitor(&app, &event).await;
    ask(&app, &c, &csrf, &event, key, "Vera", "vera@example.org").await;
    let link = link_in(&app, "vera@example.org", "Confirm your place").await;
    press(&app, &c, &link, "confirm").await;

    // The host moves the date: Vera hears of it, with her link.
    let at = rfc3339(key);
    let later = (chrono::DateTime::from_timestamp_millis(key).expect("key") + TimeDelta::hours(1))
        .with_timezone(&chrono_tz::Europe::Lisbon)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (s, body) = app
        .patch_json(
            &format!("/api/v1/events/{event}/occurrences/{at}"),
            &host.token,
            &json!({"starts_at_local": later}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    let moved = app.mail_with(&["To: vera@example.org", "Moved: Open studio"]).await;
    assert!(moved.contains(&link), "the change notice carries her link: {moved}");

    // A day before, one reminder (the job run for a moment half a day before the new time).
    let tomorrow = chrono::DateTime::from_timestamp_millis(key).expect("key") + TimeDelta::hours(1 - 12);
    app::events::reminders::send_due(&app.state, tomorrow).await.expect("reminders");
    app::events::reminders::send_due(&app.state, tomorrow).await.expect("reminders");
    let reminder = app.mail_with(&["To: vera@example.org", "Reminder: Open studio"]).await;
    assert!(reminder.contains(&link), "{reminder}");
    let reminders: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE 'Reminder:%'")
            .bind("vera@example.org")
            .fetch_one(app.state.db.read())
            .await
            .expect("db");
    assert_eq!(reminders.0, 1, "reminded once");

    // An account proving the address takes the place over as its own answer.
    let b = app.browser().await;
    b.signup("Vera Visitor", "vera@example.org").await;
    let verify = app.verify_link("vera@example.org").await;
    let page = b.get(&verify).await;
    let csrf = csrf_of(&page.body).expect("a form");
    b.post_raw(&verify, &[("csrf", &csrf)]).await;
    let vera = app.state.db.user_by_email("vera@example.org").await.expect("db").expect("vera");
    let answers = app.state.db.rsvps(&event, key).await.expect("db");
    assert!(answers.iter().any(|r| r.user_id == vera.id && r.status == "going"), "her place is hers");
    assert!(app.state.db.visitors_going(&event, key).await.expect("db").is_empty());

    // Someone else's answer is forgotten 30 days after the date; a pending one after a day.
    let (c, csrf, _) = visitor(&app, &event).await;
    ask(&app, &c, &csrf, &event, key, "Pat", "pat@example.org").await;
    let now = Utc::now().timestamp_millis();
    assert_eq!(
        app.state.db.purge_visitor_answers(now).await.expect("purge"),
        0,
        "still pending, within the day"
    );
    assert_eq!(app.state.db.purge_visitor_answers(now + 25 * 3_600_000).await.expect("purge"), 1, "lapsed");
}

#[tokio::test]
async fn a_visitor_who_answered_online_is_ticked_at_the_door_once() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let start = (Utc::now() + TimeDelta::minutes(30)).format("%Y-%m-%dT%H:%M").to_string();
    let body = json!({"kind": "meeting", "title": "Open studio", "time_zone": "UTC", "starts_at_local": start,
        "place": {"name": "Café Sossego", "city": "Lisbon"}, "visibility": "public",
        "show_to_visitors": true, "visitor_answers": true});
    let (s, made) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let event = made["id"].as_str().expect("id").to_owned();
    let at = made["next"][0]["occurrence_start"].as_str().expect("a date").to_owned();
    let key = chrono::DateTime::parse_from_rfc3339(&at).expect("RFC 3339").timestamp_millis();
    let (c, csrf, _) = visitor(&app, &event).await;
    ask(&app, &c, &csrf, &event, key, "Vera Visitor", "vera@example.org").await;
    let link = link_in(&app, "vera@example.org", "Confirm your place").await;
    press(&app, &c, &link, "confirm").await;
    let answer = app.state.db.visitors_going(&event, key).await.expect("db").remove(0).id;

    // The host's door list names her among those who said they're coming; one tap, or two, marks
    // her come once.
    let door = app.browser().await;
    door.login(&host.email, PASSWORD).await;
    let list = format!("/events/{event}/checkin?at={key}");
    let page = door.get(&list).await.body.replace("&#x27;", "'");
    assert!(page.contains("Said they're coming") && page.contains("Vera Visitor"), "{page}");
    assert!(!page.contains("1 visitor"), "not come yet: {page}");
    let visitors = format!("/events/{event}/checkin/visitors");
    for _ in 0..2 {
        let r = door.post(&visitors, &[("at", &key.to_string()), ("answer", &answer)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let page = door.get(&list).await.body;
    assert!(page.contains("✓ Vera Visitor") && page.contains("1 visitor"), "{page}");
    let api = format!("/api/v1/events/{event}/occurrences/{at}/visitors");
    let (_, v) = app.get_json(&api, Some(&host.token)).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(
        (v["items"][0]["answer_id"].as_str(), v["items"][0]["name"].as_str()),
        (Some(answer.as_str()), Some("Vera Visitor"))
    );
    assert_eq!(v["expected"], json!([]), "{v}");

    // Undone, she is expected again; the API marks her the same way, and no answer of this date
    // is refused.
    let entry = v["items"][0]["id"].as_str().expect("id");
    let r = door.post(&visitors, &[("at", &key.to_string()), ("visitor", entry)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, v) = app.get_json(&api, Some(&host.token)).await;
    assert_eq!(
        (v["items"].as_array().map(Vec::len), v["expected"][0]["name"].as_str()),
        (Some(0), Some("Vera Visitor")),
        "{v}"
    );
    let (s, came) = app.post_json(&api, Some(&host.token), &json!({"answer": answer})).await;
    assert_eq!((s, came["name"].as_str()), (StatusCode::CREATED, Some("Vera Visitor")), "{came}");
    let (s, _) = app.post_json(&api, Some(&host.token), &json!({"answer": "nobody"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
