//! Rooms beyond one connection: attendance settled from who came (once, whoever runs the job),
//! and two real server processes sharing rooms through PostgreSQL LISTEN/NOTIFY.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use crate::rooms::{going, session, ws_path, Client};
use crate::support::TestApp;

#[tokio::test]
async fn members_not_in_the_room_five_minutes_after_the_start_are_no_shows_once() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Write").await;
    going(&app, &id, key, &ben, "Read").await;
    // Ana comes (ten minutes early counts); Ben never does.
    let mut a = Client::connect(&app.base, &ws_path(&id, key), Some(&ana.token)).await.expect("Ana");
    a.next().await;
    let start = DateTime::from_timestamp_millis(key).expect("start");
    // Not yet: the five minutes of grace are not over.
    let early = app::rooms::job::settle_due(&app.state, start + TimeDelta::minutes(4)).await.expect("job");
    assert_eq!(early, 0);
    // Two instances' jobs at once: one settles, the other finds it done.
    let when = start + TimeDelta::minutes(6);
    let (x, y) = tokio::join!(
        app::rooms::job::settle_due(&app.state, when),
        app::rooms::job::settle_due(&app.state, when)
    );
    assert_eq!(x.expect("job") + y.expect("job"), 1, "Ben, once");
    let marks = app.state.db.reliability_marks(&ben.id).await.expect("db");
    assert_eq!(marks, [("no_show".to_owned(), id.clone(), key)]);
    assert!(app.state.db.reliability_marks(&ana.id).await.expect("db").is_empty());
    let rsvps = app.state.db.rsvps(&id, key).await.expect("db");
    let attended = |who: &str| rsvps.iter().find(|r| r.user_id == who).and_then(|r| r.attended);
    assert_eq!((attended(&ana.id), attended(&ben.id)), (Some(1), Some(0)));
    assert_eq!(app::rooms::job::settle_due(&app.state, when + TimeDelta::minutes(1)).await.expect("job"), 0);
    a.close().await;
}

#[tokio::test]
async fn an_instance_that_dies_leaves_its_members_marked_gone() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Write").await;
    let mut h = Client::connect(&app.base, &ws_path(&id, key), Some(&host.token)).await.expect("host");
    h.next().await;
    let room = app.state.db.open_room(&id, key, "{}", 0).await.expect("room");
    // A connection row of an instance that stopped refreshing it two minutes ago.
    let stale = Utc::now().timestamp_millis() - 120_000;
    let entering = store::room_presence::Entering {
        room_id: &room.id,
        conn_id: "dead-conn",
        user_id: &ana.id,
        instance_id: "dead-instance",
        now: stale,
        live_after: stale,
        visit: true,
    };
    app.state.db.enter_room(&entering).await.expect("db");
    let gone =
        app::rooms::job::refresh_presence(&app.state, Utc::now().timestamp_millis()).await.expect("job");
    assert_eq!(gone, 1);
    let left = h.until("left").await;
    assert_eq!((left["user_id"].as_str(), left["name"].as_str()), (Some(ana.id.as_str()), Some("Ana")));
    // The live host's own connection was refreshed, not expired.
    let present = app.state.db.present(&room.id, Utc::now().timestamp_millis() - 1000).await.expect("db");
    assert_eq!(present.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(), ["Hana"]);
}

/// A real `alongside serve` process on `db_url`.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(db_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("addr")
            .port();
        let dir = std::env::temp_dir().join(format!("alongside-proc-{}", store::new_id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let child = Command::new(env!("CARGO_BIN_EXE_alongside"))
            .arg("serve")
            .current_dir(&dir)
            .env("DATABASE_URL", db_url)
            .env("ALONGSIDE_BIND", format!("127.0.0.1:{port}"))
            .env("ALONGSIDE_CONFIG", "/nonexistent/alongside.toml")
            .env("ALONGSIDE_MAIL_DIR", dir.join("mail"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start alongside serve");
        // Owned at once, so a failure below still stops the process (Drop).
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..200 {
            if reqwest::get(format!("{}/readyz", server.base)).await.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("alongside serve did not become ready on port {port}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_server_processes_share_a_room_through_postgres() {
    let app = TestApp::spawn().await;
    if !app.database_url().starts_with("postgres") {
        eprintln!("rooms across processes need PostgreSQL: run with ALONGSIDE_TEST_DATABASE_URL (CI does)");
        return;
    }
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Ship it").await;
    let (one, two) = tokio::join!(Server::start(app.database_url()), Server::start(app.database_url()));
    let path = ws_path(&id, key);
    let mut h = Client::connect(&one.base, &path, Some(&host.token)).await.expect("host on one");
    h.next().await;
    let mut a = Client::connect(&two.base, &path, Some(&ana.token)).await.expect("Ana on two");
    let w = a.next().await;
    let mut present: Vec<&str> =
        w["present"].as_array().expect("present").iter().filter_map(|p| p["name"].as_str()).collect();
    present.sort_unstable();
    assert_eq!(present, ["Ana", "Hana"], "presence across instances");
    assert_eq!(h.until("joined").await["name"], "Ana", "one hears of a join on two");
    // Timer on one, seen on two with the same end; chat both ways.
    h.send(json!({"type": "timer", "action": "start"})).await;
    let mine = h.until("timer").await;
    let theirs = a.until("timer").await;
    assert_eq!(mine["id"], theirs["id"]);
    assert_eq!(mine["timer"]["ends_at"], theirs["timer"]["ends_at"]);
    a.send(json!({"type": "chat", "text": "hello from two"})).await;
    assert_eq!(h.until("chat").await["text"], "hello from two");
    assert_eq!(a.until("chat").await["text"], "hello from two", "her own, back through PostgreSQL");
    h.send(json!({"type": "chat", "text": "hello from one"})).await;
    assert_eq!(a.until("chat").await["text"], "hello from one");
    a.close().await;
    assert_eq!(h.until("left").await["name"], "Ana");
    drop((one, two));
}
