//! A live-room connection closes once its member may no longer be there: one test for each
//! change that ends access, the periodic check behind them, a resume refused afterwards, and a
//! connection on another server process closed through PostgreSQL.

use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::rooms::{going, session, ws_path, Client};
use crate::support::{reset_link, Member, TestApp, PASSWORD};

/// A host's virtual session with Ana going and in its room over her token.
struct Room {
    host: Member,
    ana: Member,
    event: String,
    key: i64,
    socket: Client,
}

async fn ana_in_a_room(app: &TestApp) -> Room {
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (event, key) = session(app, &host, 10, 60).await;
    going(app, &event, key, &ana, "Draft the proposal").await;
    let mut socket =
        Client::connect(&app.base, &ws_path(&event, key), Some(&ana.token)).await.expect("enters");
    assert_eq!(socket.next().await["type"], "welcome");
    Room { host, ana, event, key, socket }
}

/// The connection is closed with 4403 and `reason`, after an `access_ended` error frame.
async fn closed_for(socket: &mut Client, reason: &str) {
    let (error, code, said) = socket.until_closed().await;
    assert_eq!((code, said.as_str()), (4403, reason), "closed for the right reason");
    assert_eq!(error["code"], "access_ended", "{error}");
    assert!(error["message"].as_str().is_some_and(|m| m.len() > 20), "says why in words: {error}");
}

/// Someone else's connection is still open: a ping is answered.
async fn still_open(socket: &mut Client) {
    socket.send(json!({"type": "ping"})).await;
    assert_eq!(socket.until("pong").await["type"], "pong");
}

#[tokio::test]
async fn answering_not_going_closes_the_room_and_a_resume_is_refused() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let mut host =
        Client::connect(&app.base, &ws_path(&r.event, r.key), Some(&r.host.token)).await.expect("host");
    host.next().await;
    let at = chrono::DateTime::from_timestamp_millis(r.key).expect("key").to_rfc3339();
    let (s, body) = app
        .put_json(
            &format!("/api/v1/events/{}/rsvp", r.event),
            &r.ana.token,
            &json!({"occurrence_start": at, "status": "declined"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    closed_for(&mut r.socket, "not going").await;
    still_open(&mut host).await;
    let resume = format!("{}&after=1", ws_path(&r.event, r.key));
    assert_eq!(Client::connect(&app.base, &resume, Some(&r.ana.token)).await.err(), Some(403));
}

#[tokio::test]
async fn a_host_removing_a_member_from_the_date_closes_their_room() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let at = chrono::DateTime::from_timestamp_millis(r.key).expect("key").to_rfc3339();
    let body = json!({"occurrence_start": at, "member_id": r.ana.id, "mark": "removed"});
    let (s, b) = app.put_json(&format!("/api/v1/events/{}/attendance", r.event), &r.host.token, &body).await;
    assert!(s.is_success(), "{s} {b}");
    closed_for(&mut r.socket, "not going").await;
}

/// An invite-only group's virtual meeting with Ana a member, going, and in its room.
async fn ana_in_a_group_room(app: &TestApp) -> (Member, Member, String, Client) {
    let org = app.member("Olga").await;
    let ana = app.member("Ana").await;
    let id = group(app, &org, "Mastermind", "invite").await;
    join_by_link(app, &org, &id, &ana).await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::minutes(10)).format("%Y-%m-%dT%H:%M").to_string();
    let body = json!({"kind": "meeting", "title": "Weekly call", "starts_at_local": start, "time_zone": "UTC",
                      "virtual": {}, "visibility": "group", "group_id": id});
    let (s, e) = app.post_json("/api/v1/events", Some(&org.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let event = e["id"].as_str().expect("id").to_owned();
    let at = e["next"][0]["occurrence_start"].as_str().expect("a date");
    let key = chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339").timestamp_millis();
    going(app, &event, key, &ana, "Pitch deck").await;
    let mut socket =
        Client::connect(&app.base, &ws_path(&event, key), Some(&ana.token)).await.expect("enters");
    socket.next().await;
    (org, ana, id, socket)
}

#[tokio::test]
async fn removal_from_an_invite_only_group_closes_the_room() {
    let app = TestApp::spawn().await;
    let (org, ana, group, mut socket) = ana_in_a_group_room(&app).await;
    let (s, _) =
        app.delete_json(&format!("/api/v1/groups/{group}/members/{}", ana.id), &org.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut socket, "no access").await;
}

#[tokio::test]
async fn a_ban_from_the_group_closes_the_room() {
    let app = TestApp::spawn().await;
    let (org, ana, group, mut socket) = ana_in_a_group_room(&app).await;
    let path = format!("/api/v1/groups/{group}/members/{}?ban=true", ana.id);
    let (s, _) = app.delete_json(&path, &org.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut socket, "no access").await;
}

#[tokio::test]
async fn a_cancelled_date_closes_its_room() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let path = format!("/api/v1/events/{}/occurrences/{}", r.event, r.key);
    let (s, body) = app.patch_json(&path, &r.host.token, &json!({"cancelled": true})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    closed_for(&mut r.socket, "no access").await;
}

#[tokio::test]
async fn a_deleted_event_closes_its_room() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let (s, _) = app.delete_json(&format!("/api/v1/events/{}", r.event), &r.host.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut r.socket, "no access").await;
}

#[tokio::test]
async fn a_block_by_the_host_closes_the_room() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", r.ana.id), Some(&r.host.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut r.socket, "no access").await;
}

#[tokio::test]
async fn a_revoked_token_closes_the_connection_it_opened() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let (_, list) = app.get_json("/api/v1/tokens", Some(&r.ana.token)).await;
    let id = list["items"][0]["id"].as_str().expect("a token").to_owned();
    let (s, _) = app.delete_json(&format!("/api/v1/tokens/{id}"), &r.ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut r.socket, "token revoked").await;
}

#[tokio::test]
async fn deleting_the_account_closes_its_rooms() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let (s, body) = app.delete_json("/api/v1/me", &r.ana.token, &json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    closed_for(&mut r.socket, "account deleted").await;
}

#[tokio::test]
async fn suspending_the_account_from_the_command_line_closes_its_rooms() {
    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let out = Command::new(env!("CARGO_BIN_EXE_alongside"))
        .args(["admin", "suspend", "--email", &r.ana.email])
        .env("DATABASE_URL", app.database_url())
        .env("ALONGSIDE_CONFIG", "/nonexistent.toml")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    closed_for(&mut r.socket, "account suspended").await;
}

#[tokio::test]
async fn suspending_or_deleting_from_the_admin_console_closes_the_members_rooms() {
    let app = TestApp::spawn().await;
    // Hana, the first account, is the admin.
    let mut r = ana_in_a_room(&app).await;
    let path = format!("/api/v1/admin/members/{}/suspension", r.ana.id);
    let (s, body) = app.put_json(&path, &r.host.token, &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    closed_for(&mut r.socket, "account suspended").await;

    let app = TestApp::spawn().await;
    let mut r = ana_in_a_room(&app).await;
    let path = format!("/api/v1/admin/members/{}", r.ana.id);
    assert_eq!(app.delete_json(&path, &r.host.token, &json!({})).await.0, StatusCode::NO_CONTENT);
    closed_for(&mut r.socket, "account deleted").await;
}

/// Ana signed in through the pages, in the room over her session cookie.
async fn ana_in_a_room_by_cookie(app: &TestApp) -> (crate::support::Browser, Member, Client) {
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (event, key) = session(app, &host, 10, 60).await;
    going(app, &event, key, &ana, "Invoices").await;
    let b = app.browser().await;
    let page = b.login(&ana.email, PASSWORD).await;
    let cookie = page
        .set_cookies
        .iter()
        .find_map(|c| c.split(';').next().filter(|kv| kv.starts_with("alng_session=")))
        .expect("a session cookie")
        .to_owned();
    let mut socket = Client::connect_with(&app.base, &ws_path(&event, key), Some(("cookie", cookie)))
        .await
        .expect("enters");
    socket.next().await;
    (b, ana, socket)
}

#[tokio::test]
async fn signing_out_closes_the_rooms_that_session_opened() {
    let app = TestApp::spawn().await;
    let (b, _, mut socket) = ana_in_a_room_by_cookie(&app).await;
    assert_eq!(b.post("/logout", &[]).await.status, StatusCode::SEE_OTHER);
    closed_for(&mut socket, "signed out").await;
}

#[tokio::test]
async fn a_password_reset_closes_the_rooms_of_every_session() {
    let app = TestApp::spawn().await;
    let (_, ana, mut socket) = ana_in_a_room_by_cookie(&app).await;
    let other = app.browser().await;
    other.post("/reset", &[("email", &ana.email)]).await;
    let link = reset_link(&app.mail_with(&["/reset/"]).await);
    let path = link.strip_prefix(&app.base).expect("link to this instance").to_owned();
    let done = other.post(&path, &[("password", "a-brand-new-passphrase-9")]).await;
    assert_eq!(done.location.as_deref(), Some("/login"), "{}", done.body);
    closed_for(&mut socket, "signed out").await;
}

#[tokio::test]
async fn the_periodic_check_closes_what_no_note_announced() {
    let app = TestApp::spawn_with(|c| c.room_recheck_ms = 300).await;
    let mut r = ana_in_a_room(&app).await;
    // Straight into the database, as a change made by hand would be: nothing is noted.
    let (_, list) = app.get_json("/api/v1/tokens", Some(&r.ana.token)).await;
    let id = list["items"][0]["id"].as_str().expect("a token");
    assert!(app.state.db.revoke_token(&r.ana.id, id, 1).await.expect("db"));
    closed_for(&mut r.socket, "token revoked").await;
}

#[tokio::test]
async fn a_connection_on_another_instance_closes_too() {
    let app = TestApp::spawn().await;
    if !app.database_url().starts_with("postgres") {
        eprintln!("several instances need PostgreSQL: run with ALONGSIDE_TEST_DATABASE_URL (CI does)");
        return;
    }
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (event, key) = session(&app, &host, 10, 60).await;
    going(&app, &event, key, &ana, "Ship it").await;
    let two = crate::rooms_shared::Server::start(app.database_url()).await;
    let mut socket =
        Client::connect(&two.base, &ws_path(&event, key), Some(&ana.token)).await.expect("on two");
    socket.next().await;
    let at = chrono::DateTime::from_timestamp_millis(key).expect("key").to_rfc3339();
    let body: Value = json!({"occurrence_start": at, "status": "maybe"});
    let (s, _) = app.put_json(&format!("/api/v1/events/{event}/rsvp"), &ana.token, &body).await;
    assert_eq!(s, StatusCode::OK);
    closed_for(&mut socket, "not going").await;
    drop(two);
}

#[tokio::test]
async fn signing_out_everywhere_closes_the_rooms_of_every_session() {
    let app = TestApp::spawn().await;
    let (_, ana, mut socket) = ana_in_a_room_by_cookie(&app).await;
    let (s, _) = app.delete_json("/api/v1/me/sessions", &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    closed_for(&mut socket, "signed out").await;
}
