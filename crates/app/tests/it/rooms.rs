//! Live rooms over a real WebSocket: joining, presence, the server-held timer, chat, goals at
//! check-out, resuming without gaps or duplicates, bad input, limits and outsiders.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Member, TestApp};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A room client: one WebSocket with the frames it has read.
pub struct Client {
    ws: Socket,
}

impl Client {
    /// Connects with a bearer token; `Err(status)` when the handshake is refused.
    pub async fn connect(base: &str, path: &str, token: Option<&str>) -> Result<Client, u16> {
        let header = token.map(|t| ("authorization", format!("Bearer {t}")));
        Self::connect_with(base, path, header).await
    }

    /// Connects with one extra request header (a bearer token, or a browser's session cookie).
    pub async fn connect_with(base: &str, path: &str, header: Option<(&str, String)>) -> Result<Client, u16> {
        let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
        let mut req = url.into_client_request().expect("request");
        if let Some((name, value)) = header {
            let name =
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("name");
            req.headers_mut().insert(name, value.parse().expect("header"));
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => Ok(Client { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
            Err(e) => panic!("connect: {e}"),
        }
    }

    /// The next JSON frame (within 10 s).
    pub async fn next(&mut self) -> Value {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("a frame within 10 s")
                .expect("the connection is open")
                .expect("a frame");
            if let Message::Text(t) = m {
                return serde_json::from_str(t.as_str()).expect("JSON");
            }
        }
    }

    /// Reads frames until one of `kind` arrives; returns it.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let f = self.next().await;
            if f["type"] == kind {
                return f;
            }
        }
    }

    /// Reads until the server closes the connection (within 10 s); returns the last `error`
    /// frame before it and the close frame's code and reason.
    pub async fn until_closed(&mut self) -> (Value, u16, String) {
        let mut error = Value::Null;
        loop {
            let m = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("closed within 10 s")
                .expect("a close frame before the end")
                .expect("a frame");
            match m {
                Message::Text(t) => {
                    let f: Value = serde_json::from_str(t.as_str()).expect("JSON");
                    if f["type"] == "error" {
                        error = f;
                    }
                }
                Message::Close(Some(c)) => return (error, u16::from(c.code), c.reason.to_string()),
                Message::Close(None) => panic!("closed without saying why"),
                _ => {}
            }
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::Text(v.to_string().into())).await.expect("send");
    }

    pub async fn send_raw(&mut self, m: Message) {
        self.ws.send(m).await.expect("send");
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// A virtual one-off session starting `minutes` from now, with a video link.
pub async fn session(app: &TestApp, host: &Member, minutes: i64, duration: i64) -> (String, i64) {
    let start = Utc::now() + TimeDelta::minutes(minutes);
    let body = json!({
        "kind": "cowork", "title": "Morning focus", "time_zone": "UTC", "duration_minutes": duration,
        "starts_at_local": start.format("%Y-%m-%dT%H:%M").to_string(),
        "virtual": {"video_url": "https://meet.example/focus"},
    });
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let at = e["next"][0]["occurrence_start"].as_str().expect("an occurrence");
    let key = DateTime::parse_from_rfc3339(at).expect("RFC 3339").timestamp_millis();
    (e["id"].as_str().expect("id").to_owned(), key)
}

/// `member` answers going with a goal.
pub async fn going(app: &TestApp, event: &str, key: i64, member: &Member, goal: &str) {
    let at = DateTime::from_timestamp_millis(key).expect("key").to_rfc3339();
    let body = json!({"occurrence_start": at, "status": "going", "goal": goal});
    let (s, r) = app.put_json(&format!("/api/v1/events/{event}/rsvp"), &member.token, &body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

pub fn ws_path(event: &str, key: i64) -> String {
    format!("/events/{event}/room/ws?at={key}&v=1")
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or("").to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn members_meet_see_one_clock_chat_and_tick_goals_at_check_out() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Send three proposals").await;
    going(&app, &id, key, &ben, "Clear the inbox").await;
    let path = ws_path(&id, key);

    let mut h = Client::connect(&app.base, &path, Some(&host.token)).await.expect("host enters");
    let w = h.next().await;
    assert_eq!(w["type"], "welcome");
    assert_eq!(w["protocol"], 1);
    assert_eq!(w["is_host"], true);
    assert_eq!(w["room"]["video_url"], "https://meet.example/focus");
    assert_eq!(w["timer"]["state"], "waiting");
    assert_eq!(w["timer"]["focus_minutes"], 25, "a 60-minute session focuses for 25");
    assert_eq!(names(&w["present"]), ["Hana"]);
    let goals: Vec<&str> =
        w["goals"].as_array().expect("goals").iter().filter_map(|g| g["goal"].as_str()).collect();
    assert!(goals.contains(&"Send three proposals") && goals.contains(&"Clear the inbox"), "{goals:?}");

    let mut a = Client::connect(&app.base, &path, Some(&ana.token)).await.expect("Ana enters");
    let w = a.next().await;
    assert_eq!(names(&w["present"]), ["Ana", "Hana"]);
    assert_eq!(w["is_host"], false);
    let joined = h.until("joined").await;
    assert_eq!(joined["name"], "Ana");

    // Only the host runs the timer; the server is the clock.
    a.send(json!({"type": "timer", "action": "start"})).await;
    assert_eq!(a.until("error").await["code"], "forbidden");
    let before = Utc::now().timestamp_millis();
    h.send(json!({"type": "timer", "action": "start"})).await;
    let t = h.until("timer").await;
    let after = Utc::now().timestamp_millis();
    assert_eq!(
        (t["timer"]["state"].as_str(), t["timer"]["phase"].as_str()),
        (Some("running"), Some("check_in"))
    );
    let ends = t["timer"]["ends_at"].as_i64().expect("an end");
    assert!((before + 300_000..=after + 300_000).contains(&ends), "check-in lasts 5 minutes");
    let phases: Vec<&str> =
        t["timer"]["schedule"].as_array().expect("plan").iter().filter_map(|p| p["phase"].as_str()).collect();
    assert_eq!(phases, ["check_in", "focus", "break", "check_out"]);
    assert_eq!(a.until("timer").await["timer"]["ends_at"], ends);
    // A late joiner gets the same end instant, not a fresh countdown.
    let mut b = Client::connect(&app.base, &path, Some(&ben.token)).await.expect("Ben enters");
    let w = b.next().await;
    assert_eq!(w["timer"]["ends_at"], ends);
    assert_eq!(names(&w["present"]), ["Ana", "Ben", "Hana"]);

    a.send(json!({"type": "chat", "text": "  Morning all!  "})).await;
    for c in [&mut h, &mut b] {
        let m = c.until("chat").await;
        assert_eq!((m["name"].as_str(), m["text"].as_str()), (Some("Ana"), Some("Morning all!")));
    }

    // Goals are ticked at check-out: skip check-in, focus and break.
    a.send(json!({"type": "goal", "done": true})).await;
    assert_eq!(a.until("error").await["code"], "not_yet");
    for _ in 0..3 {
        h.send(json!({"type": "timer", "action": "skip"})).await;
        h.until("timer").await;
    }
    h.send(json!({"type": "timer", "action": "pause"})).await;
    let t = h.until("timer").await;
    assert_eq!(
        (t["timer"]["state"].as_str(), t["timer"]["phase"].as_str()),
        (Some("paused"), Some("check_out"))
    );
    a.send(json!({"type": "goal", "done": true})).await;
    let g = b.until("goal").await;
    assert_eq!((g["user_id"].as_str(), g["done"].as_bool()), (Some(ana.id.as_str()), Some(true)));
    let rsvps = app.state.db.rsvps(&id, key).await.expect("db");
    let mine = rsvps.iter().find(|r| r.user_id == ana.id).expect("Ana's answer");
    assert_eq!(mine.goal_done, Some(1), "written back to the occurrence's goals");
    // The host has no goal to tick (not going), and says so.
    h.send(json!({"type": "goal", "done": true})).await;
    assert_eq!(h.until("error").await["code"], "no_goal");

    // Leaving is seen by the others.
    a.close().await;
    let left = h.until("left").await;
    assert_eq!(left["user_id"], ana.id.as_str());
    b.close().await;
    h.close().await;
}

#[tokio::test]
async fn a_reconnect_resumes_after_the_last_id_with_no_gaps_or_duplicates() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 90).await;
    going(&app, &id, key, &ana, "Draft the talk").await;
    let path = ws_path(&id, key);
    let mut h = Client::connect(&app.base, &path, Some(&host.token)).await.expect("host");
    h.next().await;
    let mut a = Client::connect(&app.base, &path, Some(&ana.token)).await.expect("Ana");
    let w = a.next().await;
    assert_eq!(w["timer"]["focus_minutes"], 75, "90 minutes focus for 75");
    h.send(json!({"type": "chat", "text": "one"})).await;
    let last = a.until("chat").await["id"].as_i64().expect("id");
    a.close().await;
    h.until("left").await;
    for text in ["two", "three", "four"] {
        h.send(json!({"type": "chat", "text": text})).await;
        h.until("chat").await;
    }
    let mut a =
        Client::connect(&app.base, &format!("{path}&after={last}"), Some(&ana.token)).await.expect("back");
    let w = a.next().await;
    assert_eq!(w["replay"], "resume");
    let upto = w["last_id"].as_i64().expect("last id");
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    while ids.last().copied().unwrap_or(last) < upto {
        let f = a.next().await;
        ids.push(f["id"].as_i64().expect("numbered"));
        if f["type"] == "chat" {
            texts.push(f["text"].as_str().expect("text").to_owned());
        }
    }
    assert_eq!(ids, ((last + 1)..=upto).collect::<Vec<_>>(), "every id once, in order");
    assert_eq!(texts, ["two", "three", "four"]);
    // Live frames carry on from there.
    h.send(json!({"type": "chat", "text": "five"})).await;
    let f = a.until("chat").await;
    assert_eq!((f["text"].as_str(), f["id"].as_i64()), (Some("five"), Some(upto + 1)), "the next id, once");

    // A fresh join gets the latest chat as history.
    let mut again = Client::connect(&app.base, &path, Some(&ana.token)).await.expect("fresh");
    let w = again.next().await;
    assert_eq!(w["replay"], "history");
    let mut history = Vec::new();
    for _ in 0..5 {
        history.push(again.next().await["text"].as_str().expect("chat").to_owned());
    }
    assert_eq!(history, ["one", "two", "three", "four", "five"]);
    // Messages older than the retention period are forgotten.
    let future = Utc::now().timestamp_millis() + 1;
    assert!(app.state.db.purge_room_messages(future).await.expect("purge") >= 5);
    let mut later = Client::connect(&app.base, &path, Some(&ana.token)).await.expect("later");
    let w = later.next().await;
    assert_eq!(w["replay"], "history");
    a.send(json!({"type": "chat", "text": "six"})).await; // (the host has used up his burst)
    assert_eq!(later.next().await["text"], "six", "no history left before it");
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_room_carries_on() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Invoices").await;
    let path = ws_path(&id, key);
    let mut h = Client::connect(&app.base, &path, Some(&host.token)).await.expect("host");
    h.next().await;
    let mut a = Client::connect(&app.base, &path, Some(&ana.token)).await.expect("Ana");
    a.next().await;

    a.send_raw(Message::Text("this is not json".into())).await;
    assert_eq!(a.until("error").await["code"], "malformed");
    a.send(json!({"type": "shout", "text": "hi"})).await;
    assert_eq!(a.until("error").await["code"], "malformed");
    a.send_raw(Message::Binary(vec![1, 2, 3].into())).await;
    assert_eq!(a.until("error").await["code"], "malformed");
    a.send(json!({"type": "chat", "text": "x".repeat(2001)})).await;
    assert_eq!(a.until("error").await["code"], "too_long");
    a.send(json!({"type": "chat", "text": "   "})).await;
    assert_eq!(a.until("error").await["code"], "empty");
    a.send(json!({"type": "ping"})).await;
    assert!(a.until("pong").await["now"].as_i64().is_some());

    // A burst beyond the allowance is refused, not stored; the connection stays usable.
    for i in 0..8 {
        a.send(json!({"type": "chat", "text": format!("burst {i}")})).await;
    }
    let mut chats = 0;
    let mut limited = 0;
    while chats + limited < 8 {
        match a.next().await["type"].as_str() {
            Some("chat") => chats += 1,
            Some("error") => limited += 1,
            _ => {}
        }
    }
    assert!(limited >= 2 && chats >= 5, "{chats} sent, {limited} refused");
    // The host saw exactly the accepted ones, and the room still works for both.
    for _ in 0..chats {
        assert_eq!(h.until("chat").await["name"], "Ana");
    }
    h.send(json!({"type": "chat", "text": "still here"})).await;
    assert_eq!(a.until("chat").await["text"], "still here");
}

#[tokio::test]
async fn only_attendees_get_in() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let ana = app.member("Ana").await;
    let eve = app.member("Eve").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &ana, "Plan").await;
    let path = ws_path(&id, key);
    let refused = |r: Result<Client, u16>| r.err();
    assert_eq!(refused(Client::connect(&app.base, &path, Some(&eve.token)).await), Some(403), "not going");
    assert_eq!(refused(Client::connect(&app.base, &path, None).await), Some(401), "signed out");
    let nowhere = ws_path("no-such-event", key);
    assert_eq!(refused(Client::connect(&app.base, &nowhere, Some(&ana.token)).await), Some(404));
    let wrong_date = ws_path(&id, key + 3_600_000);
    assert_eq!(refused(Client::connect(&app.base, &wrong_date, Some(&ana.token)).await), Some(404));
    let newer = format!("/events/{id}/room/ws?at={key}&v=2");
    assert_eq!(
        refused(Client::connect(&app.base, &newer, Some(&ana.token)).await),
        Some(422),
        "unknown version"
    );
    // An in-person event has no room.
    let place = json!({"kind": "meetup", "title": "Drinks", "time_zone": "UTC",
        "starts_at_local": (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT%H:%M").to_string(),
        "place": {"name": "The Pub", "city": "Berlin"}});
    let (_, e) = app.post_json("/api/v1/events", Some(&host.token), &place).await;
    let at =
        DateTime::parse_from_rfc3339(e["next"][0]["occurrence_start"].as_str().expect("at")).expect("time");
    let in_person = ws_path(e["id"].as_str().expect("id"), at.timestamp_millis());
    assert_eq!(refused(Client::connect(&app.base, &in_person, Some(&host.token)).await), Some(404));

    // Pages: attendees see the room, others are refused, and the event page links to it.
    let web = app.browser().await;
    web.login(&ana.email, crate::support::PASSWORD).await;
    let room = web.get(&format!("/events/{id}/room?at={key}")).await;
    assert_eq!(room.status, StatusCode::OK);
    assert!(room.body.contains("Open the video call") && room.body.contains("/assets/room.js"));
    let event = web.get(&format!("/events/{id}?at={key}")).await;
    assert!(event.body.contains("Enter the room"), "{}", event.body);
    let web = app.browser().await;
    web.login(&eve.email, crate::support::PASSWORD).await;
    assert_eq!(web.get(&format!("/events/{id}/room?at={key}")).await.status, StatusCode::FORBIDDEN);
    assert!(!web.get(&format!("/events/{id}?at={key}")).await.body.contains("Enter the room"));
    let js = app.client().get(app.url("/assets/room.js")).send().await.expect("js");
    assert_eq!(js.status(), StatusCode::OK);

    // A browser's cookie only opens the room from this site's pages (no cross-site hijacking).
    let cookie = web_cookie(&app, &ana.email).await;
    let url = format!("{}{path}", app.base.replacen("http://", "ws://", 1));
    let mut req = url.clone().into_client_request().expect("request");
    req.headers_mut().insert("cookie", cookie.parse().expect("cookie"));
    req.headers_mut().insert("origin", "https://evil.example".parse().expect("origin"));
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 403),
        other => panic!("a foreign origin got in: {:?}", other.map(|_| ())),
    }
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert("cookie", cookie.parse().expect("cookie"));
    req.headers_mut().insert("origin", app.base.parse().expect("origin"));
    assert!(tokio_tungstenite::connect_async(req).await.is_ok(), "this site's own page gets in");
}

/// Signs in through the form and returns the session cookie header.
async fn web_cookie(app: &TestApp, email: &str) -> String {
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let login = client.get(app.url("/login")).send().await.expect("login page");
    let nonce: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let body = login.text().await.expect("body");
    let csrf = crate::support::csrf_of(&body).expect("csrf");
    let resp = client
        .post(app.url("/login"))
        .header("cookie", nonce.join("; "))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", crate::support::PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let session: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_owned))
        .filter(|c| c.starts_with("alng_session="))
        .collect();
    assert_eq!(session.len(), 1, "signed in");
    session[0].clone()
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_the_room_goes_on() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let sloth = app.member("Sloth").await;
    let (id, key) = session(&app, &host, 10, 60).await;
    going(&app, &id, key, &sloth, "Nap").await;
    let path = ws_path(&id, key);
    let mut h = Client::connect(&app.base, &path, Some(&host.token)).await.expect("host");
    h.next().await;
    // A member whose connection takes almost nothing and is never read again. (The server caps
    // each connection's send buffer, so a few thousand frames fill what the kernel holds for it.)
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(1024).expect("small buffer");
    let addr = app.base.trim_start_matches("http://").parse().expect("address");
    let stream = socket.connect(addr).await.expect("connect");
    let url = format!("{}{path}", app.base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert("authorization", format!("Bearer {}", sloth.token).parse().expect("header"));
    let (_never_read, _) = tokio_tungstenite::client_async(req, stream).await.expect("handshake");
    assert_eq!(h.until("joined").await["name"], "Sloth");
    // The host keeps the room busy and keeps up with it; the stalled member is dropped.
    h.send(json!({"type": "timer", "action": "start"})).await;
    h.until("timer").await;
    let mut dropped = false;
    for i in 0..3000 {
        let action = if i % 2 == 0 { "pause" } else { "resume" };
        h.send(json!({"type": "timer", "action": action})).await;
        loop {
            let f = h.next().await;
            if f["type"] == "left" && f["user_id"] == sloth.id.as_str() {
                dropped = true;
            }
            if f["type"] == "timer" {
                break;
            }
        }
        if dropped {
            break;
        }
    }
    // Its writes stalled: within the send timeout (5 s) it is gone, and everyone hears it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !dropped && tokio::time::Instant::now() < deadline {
        let f = h.next().await;
        dropped = f["type"] == "left" && f["user_id"] == sloth.id.as_str();
    }
    assert!(dropped, "the member who stopped reading was never dropped");
    // The room still answers the host at once.
    h.send(json!({"type": "chat", "text": "still moving"})).await;
    assert_eq!(h.until("chat").await["text"], "still moving");
}
