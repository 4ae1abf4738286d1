//! Limits a member cannot dodge by opening more connections: one chat allowance per member and
//! room across all their connections, and at most five connections, the oldest closed first,
//! counted on every instance alike.

use serde_json::json;

use crate::rooms::{going, session, ws_path, Client};
use crate::support::TestApp;

/// A chat that is stored comes back to its sender; one over the allowance comes back refused.
async fn chat(c: &mut Client, text: &str) -> &'static str {
    c.send(json!({"type": "chat", "text": text})).await;
    loop {
        let f = c.next().await;
        if f["type"] == "chat" && f["text"] == text {
            return "sent";
        }
        if f["type"] == "error" {
            assert_eq!(f["code"], "rate_limited", "{f}");
            return "refused";
        }
    }
}

async fn open(base: &str, path: &str, token: &str) -> Client {
    let mut c = Client::connect(base, path, Some(token)).await.expect("enters");
    assert_eq!(c.next().await["type"], "welcome");
    c
}

#[tokio::test]
async fn the_chat_allowance_is_shared_by_all_of_a_members_connections() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Write").await;
    let path = ws_path(&id, key);
    let mut one = open(&app.base, &path, &ana.token).await;
    let mut two = open(&app.base, &path, &ana.token).await;
    for i in 0..5 {
        assert_eq!(chat(&mut one, &format!("message {i}")).await, "sent");
    }
    assert_eq!(chat(&mut two, "one more, elsewhere").await, "refused", "a second connection gives no more");
    assert_eq!(chat(&mut one, "and here").await, "refused");
    // The host has an allowance of their own.
    let mut h = open(&app.base, &path, &host.token).await;
    assert_eq!(chat(&mut h, "hello").await, "sent");
}

#[tokio::test]
async fn a_sixth_connection_closes_the_oldest() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Write").await;
    let path = ws_path(&id, key);
    let mut all = Vec::new();
    for _ in 0..6 {
        all.push(open(&app.base, &path, &ana.token).await);
    }
    let (error, code, reason) = all[0].until_closed().await;
    assert_eq!((code, reason.as_str()), (4403, "too many connections"));
    assert!(error["message"].as_str().is_some_and(|m| m.contains("more than five")), "{error}");
    for c in &mut all[1..] {
        c.send(json!({"type": "ping"})).await;
        assert_eq!(c.until("pong").await["type"], "pong", "the five newest stay open");
    }
}

#[tokio::test]
async fn the_limits_hold_across_instances() {
    let app = TestApp::spawn().await;
    if !app.database_url().starts_with("postgres") {
        eprintln!("several instances need PostgreSQL: run with ALONGSIDE_TEST_DATABASE_URL (CI does)");
        return;
    }
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Write").await;
    let path = ws_path(&id, key);
    let two = crate::rooms_shared::Server::start(app.database_url()).await;
    let mut here = Vec::new();
    for _ in 0..3 {
        here.push(open(&app.base, &path, &ana.token).await);
    }
    let mut there = Vec::new();
    for _ in 0..3 {
        there.push(open(&two.base, &path, &ana.token).await);
    }
    let (_, code, reason) = here[0].until_closed().await;
    assert_eq!((code, reason.as_str()), (4403, "too many connections"), "the oldest, on the other instance");
    for i in 0..5 {
        assert_eq!(chat(&mut here[1], &format!("message {i}")).await, "sent");
    }
    assert_eq!(chat(&mut there[0], "from the other instance").await, "refused");
    drop(two);
}
