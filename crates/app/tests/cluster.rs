//! Several instances behaving as one: three `alongside serve` processes on one PostgreSQL database
//! behind HAProxy (health checks on `/readyz` every second, idempotent requests retried), under a
//! mixed load (sign-ins, reads, RSVPs, posts, room chat) while one instance is killed with
//! SIGKILL and started again. Afterwards: no GET failed, every write that got a 2xx is in the
//! database, room clients resumed with no gap and no duplicate, 500 queued mails, 50 due
//! reminders, 50 daily digests and 20 goal check-in reminders each went out once (a mail in
//! flight at the kill may go twice: reported by Message-ID), and a password-guessing limit held
//! across instances.
//!
//!   scripts/cluster.sh            # 60 s of load (CLUSTER_SECONDS), then the table
//!
//! Ignored in the plain test run; `.ci/run` runs the short form (15 s) through the script.

#[path = "../benches/common/seed.rs"]
mod seed;
#[path = "it/smtp.rs"]
mod smtp;

use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "quiet-cafe-table-42";

/// Requests made and failed, per scenario.
#[derive(Default)]
struct Tally {
    done: AtomicU64,
    failed: AtomicU64,
}

/// HAProxy in front of the instances, killed when dropped.
struct Balancer(Child);

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn haproxy(dir: &std::path::Path, port: u16, backends: &[u16]) -> Balancer {
    let servers: String =
        backends.iter().enumerate().map(|(i, p)| format!("    server s{i} 127.0.0.1:{p} check\n")).collect();
    // Only idempotent requests are retried (on a connection that failed or came back empty);
    // a POST or PUT that reached a dying instance fails, and the client knows it.
    let config = format!(
        "global\n    maxconn 4096\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n    \
         timeout tunnel 1h\n    retries 3\n    option redispatch 1\n    \
         retry-on conn-failure empty-response response-timeout 502 503 504\n\
         frontend front\n    bind 127.0.0.1:{port}\n    default_backend instances\n\
         backend instances\n    balance roundrobin\n    option httpchk GET /readyz\n    \
         http-request disable-l7-retry unless METH_GET || METH_HEAD\n    \
         default-server inter 1s fall 1 rise 1\n{servers}"
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config).expect("haproxy.cfg");
    let child = Command::new("haproxy")
        .args(["-db", "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy (Debian's haproxy package) starts");
    Balancer(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL and HAProxy: run scripts/cluster.sh"]
async fn three_instances_behind_a_balancer_behave_as_one() {
    let seconds: u64 = std::env::var("CLUSTER_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let t = store::testing::TestDatabase::create().await;
    assert!(t.url.starts_with("postgres"), "several instances share one PostgreSQL: run scripts/cluster.sh");
    let db = store::Db::connect(&t.url).await.expect("db");
    db.migrate().await.expect("migrate");
    let now = Utc::now().timestamp_millis();

    // Data: 200 members with tokens in one group, 100 events to answer, 5 who sign in with a
    // password, 500 mails waiting, and 50 members going to a session in 50 minutes whose
    // one-hour reminder is due at once.
    let members = seed::members(&db, "cluster", 200).await.expect("members");
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    let group = seed::group(&db, ids[0], "Cluster circle", &ids[1..]).await.expect("group");
    let mut events = Vec::new();
    for i in 0..100 {
        events.push(
            seed::event(&db, ids[0], &format!("Session {i}"), 1 + i % 20, false, None).await.expect("event"),
        );
    }
    let hash = app::accounts::password::hash_now(PASSWORD).expect("hash");
    for i in 0..5 {
        let new = store::users::NewUser {
            email: &format!("signin{i}@example.org"),
            password_hash: &hash,
            display_name: "Signs in",
            timezone: "UTC",
            admin_if_first: false,
        };
        db.create_user(new, now).await.expect("member");
    }
    for i in 0..500 {
        db.enqueue_mail(&format!("reader{i}@example.org"), &format!("Cluster mail {i}"), "Hello.", now)
            .await
            .expect("mail");
    }
    let soon = (Utc::now() + TimeDelta::minutes(50)).format("%Y-%m-%dT%H:%M").to_string();
    let reminded = &members[100..150];
    // 50 members who take partner news as a daily digest, each with one unread request (the
    // digest hour is set to midnight, so every digest is due as the instances start); 20 who
    // set a goal and have not checked in (the check-in reminder is due all week here).
    for (k, m) in members[50..100].iter().enumerate() {
        db.set_delivery(&m.id, "partners", "daily").await.expect("daily");
        db.set_delivery(&m.id, "summary", "off").await.expect("no summary");
        let title = format!("Member {} asks to cowork with you", k + 1);
        db.notify(&m.id, "partner_request", &title, "/partners", now).await.expect("notification");
    }
    for m in &members[150..170] {
        let goal = store::goals::GoalFields {
            title: "Ten client calls".into(),
            why: String::new(),
            target_date: String::new(),
            target_value: None,
            target_unit: String::new(),
            visibility: "private".into(),
            group_id: None,
        };
        db.create_goal(&m.id, &goal, now).await.expect("goal");
    }
    db.close().await;

    // Three instances, one SMTP sink, one balancer.
    let dir = tempfile::tempdir().expect("dir");
    let smtp_port = smtp::SmtpSink::free_port();
    let sink = smtp::SmtpSink::start(smtp_port);
    let ports: Vec<u16> = (0..3).map(|_| seed::free_port()).collect();
    let settings = vec![
        ("ALONGSIDE_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
        ("ALONGSIDE_MAIL_POLL_MS", "200".to_owned()),
        ("ALONGSIDE_MAIL_RETRY_MS", "500".to_owned()),
        // The 500 queued mails below are to go within the test, not at a provider's pace.
        ("ALONGSIDE_MAIL_PER_MINUTE", "1000000".to_owned()),
        ("ALONGSIDE_REMINDER_POLL_MS", "1000".to_owned()),
        ("ALONGSIDE_ROOM_POLL_MS", "1000".to_owned()),
        ("ALONGSIDE_DIGEST_POLL_MS", "1000".to_owned()),
        ("ALONGSIDE_DIGEST_HOUR", "0".to_owned()),
        ("ALONGSIDE_NUDGE_POLL_MS", "1000".to_owned()),
        ("ALONGSIDE_CHECKIN_REMINDER_HOURS", "168".to_owned()),
    ];
    let log = |i: usize| -> Stdio {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join(format!("instance{i}.log")))
            .expect("log")
            .into()
    };
    let start =
        |i: usize| seed::Server::start_with(dir.path(), &t.url, ports[i], log(i), &settings).expect("starts");
    let mut instances: Vec<seed::Server> = (0..3).map(start).collect();
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("client");
    for p in &ports {
        seed::wait_ready(&client, *p).await.expect("ready");
    }
    let lb_port = seed::free_port();
    let _balancer = haproxy(dir.path(), lb_port, &ports);
    let base = format!("http://127.0.0.1:{lb_port}");
    seed::wait_ready(&client, lb_port).await.expect("the balancer answers");

    // Through the balancer: the session in 50 minutes, and a live room now with 6 members.
    let api = |path: &str| format!("{base}{path}");
    let host = &members[0];
    let make = |title: &str, start: &str| json!({"kind": "cowork", "title": title, "time_zone": "UTC", "starts_at_local": start, "virtual": {}});
    let made: Value = client
        .post(api("/api/v1/events"))
        .bearer_auth(&host.token)
        .json(&make("Reminded session", &soon))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let (reminder_event, reminder_at) =
        (made["id"].as_str().expect("id").to_owned(), made["next"][0]["occurrence_start"].clone());
    let db = store::Db::connect(&t.url).await.expect("db");
    for m in reminded {
        sqlx::query("UPDATE users SET reminder_minutes = '60' WHERE id = $1")
            .bind(&m.id)
            .execute(db.write())
            .await
            .expect("db");
        let body = json!({"occurrence_start": reminder_at, "status": "going"});
        let r = client
            .put(api(&format!("/api/v1/events/{reminder_event}/rsvp")))
            .bearer_auth(&m.token)
            .json(&body)
            .send()
            .await
            .expect("rsvp");
        assert!(r.status().is_success());
    }
    let now_local = (Utc::now() + TimeDelta::minutes(2)).format("%Y-%m-%dT%H:%M").to_string();
    let room: Value = client
        .post(api("/api/v1/events"))
        .bearer_auth(&host.token)
        .json(&make("Live room", &now_local))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let room_event = room["id"].as_str().expect("id").to_owned();
    let room_key =
        chrono::DateTime::parse_from_rfc3339(room["next"][0]["occurrence_start"].as_str().expect("at"))
            .expect("RFC 3339")
            .timestamp_millis();
    for m in &members[190..196] {
        let body = json!({"occurrence_start": room["next"][0]["occurrence_start"], "status": "going"});
        client
            .put(api(&format!("/api/v1/events/{room_event}/rsvp")))
            .bearer_auth(&m.token)
            .json(&body)
            .send()
            .await
            .expect("rsvp");
    }

    // The load.
    let stop = Arc::new(AtomicBool::new(false));
    let tallies: BTreeMap<&str, Arc<Tally>> = ["reads (GET)", "RSVPs", "posts", "sign-ins", "room chat"]
        .into_iter()
        .map(|k| (k, Arc::new(Tally::default())))
        .collect();
    let acked_rsvps = Arc::new(Mutex::new(Vec::<(String, i64, String)>::new()));
    let acked_posts = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    let members = Arc::new(members);
    let events = Arc::new(events);
    for w in 0..4 {
        let (client, base, stop, tally, members, events) = (
            client.clone(),
            base.clone(),
            stop.clone(),
            tallies["reads (GET)"].clone(),
            members.clone(),
            events.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while !stop.load(Ordering::Relaxed) {
                let (id, _) = &events[i % events.len()];
                let r = client
                    .get(format!("{base}/api/v1/events/{id}"))
                    .bearer_auth(&members[i % 150].token)
                    .send()
                    .await;
                tally.done.fetch_add(1, Ordering::Relaxed);
                if !r.is_ok_and(|r| r.status().is_success()) {
                    tally.failed.fetch_add(1, Ordering::Relaxed);
                }
                i += 4;
            }
        }));
    }
    for w in 0..3 {
        let (client, base, stop, tally, members, events, acked) = (
            client.clone(),
            base.clone(),
            stop.clone(),
            tallies["RSVPs"].clone(),
            members.clone(),
            events.clone(),
            acked_rsvps.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while !stop.load(Ordering::Relaxed) && i < 150 * 100 {
                let (m, (id, key)) = (&members[i % 150], &events[i / 150]);
                let at = chrono::DateTime::from_timestamp_millis(*key).expect("key").to_rfc3339();
                let body = json!({"occurrence_start": at, "status": "going"});
                let r = client
                    .put(format!("{base}/api/v1/events/{id}/rsvp"))
                    .bearer_auth(&m.token)
                    .json(&body)
                    .send()
                    .await;
                tally.done.fetch_add(1, Ordering::Relaxed);
                match r {
                    Ok(r) if r.status().is_success() => {
                        acked.lock().expect("lock").push((id.clone(), *key, m.id.clone()))
                    }
                    _ => {
                        tally.failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                i += 3;
            }
        }));
    }
    {
        let (client, base, stop, tally, members, acked, group) = (
            client.clone(),
            base.clone(),
            stop.clone(),
            tallies["posts"].clone(),
            members.clone(),
            acked_posts.clone(),
            group.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"kind": "win", "title": format!("Win {i}"), "body": "Shipped it."});
                let r = client
                    .post(format!("{base}/api/v1/groups/{group}/posts"))
                    .bearer_auth(&members[1 + i % 100].token)
                    .json(&body)
                    .send()
                    .await;
                tally.done.fetch_add(1, Ordering::Relaxed);
                match r {
                    Ok(r) if r.status().is_success() => {
                        let v: Value = r.json().await.unwrap_or_default();
                        acked
                            .lock()
                            .expect("lock")
                            .push(v["post"]["id"].as_str().unwrap_or_default().to_owned());
                    }
                    _ => {
                        tally.failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    {
        let (client, base, stop, tally) =
            (client.clone(), base.clone(), stop.clone(), tallies["sign-ins"].clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"email": format!("signin{}@example.org", i % 5), "password": PASSWORD, "name": "cluster"});
                let r = client.post(format!("{base}/api/v1/tokens")).json(&body).send().await;
                tally.done.fetch_add(1, Ordering::Relaxed);
                if !r.is_ok_and(|r| r.status().is_success()) {
                    tally.failed.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }
    // Room clients: each keeps the numbers it saw, reconnecting with `after` when dropped.
    let seen_frames: Vec<Arc<Mutex<Vec<i64>>>> = (0..6).map(|_| Arc::new(Mutex::new(Vec::new()))).collect();
    for (c, m) in members[190..196].iter().enumerate() {
        let (stop, tally, seen, token) =
            (stop.clone(), tallies["room chat"].clone(), seen_frames[c].clone(), m.token.clone());
        let url = format!("ws://127.0.0.1:{lb_port}/events/{room_event}/room/ws?at={room_key}&v=1");
        tasks.push(tokio::spawn(async move {
            let mut last: Option<i64> = None;
            let mut sent = 0;
            while !stop.load(Ordering::Relaxed) {
                let full = match last {
                    Some(l) => format!("{url}&after={l}"),
                    None => url.clone(),
                };
                let mut req = full.into_client_request().expect("request");
                req.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
                let Ok((mut ws, _)) = tokio_tungstenite::connect_async(req).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let mut tick = tokio::time::interval(Duration::from_millis(2500));
                loop {
                    tokio::select! {
                        frame = ws.next() => match frame {
                            Some(Ok(Message::Text(t))) => {
                                let f: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                                if f["type"] == "welcome" {
                                    // A first visit is shown the recent chat up to `last_id` as
                                    // history; the stream proper starts after it. A resume
                                    // replays everything after `after` as part of the stream.
                                    if f["replay"] == "history" {
                                        last = f["last_id"].as_i64();
                                    }
                                } else if let Some(id) = f["id"].as_i64().filter(|id| last.is_none_or(|l| *id > l)) {
                                    seen.lock().expect("lock").push(id);
                                    last = Some(id);
                                }
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        },
                        _ = tick.tick() => {
                            if stop.load(Ordering::Relaxed) { break; }
                            sent += 1;
                            tally.done.fetch_add(1, Ordering::Relaxed);
                            if ws.send(Message::Text(json!({"type": "chat", "text": format!("note {sent}")}).to_string().into())).await.is_err() {
                                tally.failed.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                }
            }
        }));
    }

    // A third of the way in, one instance dies without warning and comes back.
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
    instances[1].kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    instances[1] = start(1);
    tokio::time::sleep(Duration::from_secs(seconds).saturating_sub(started.elapsed())).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(15), t).await;
    }
    let elapsed = started.elapsed().as_secs_f64();

    // Limits hold across instances: an account's eleventh failure in a row waits, whichever
    // instance the balancer picks.
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let body = json!({"email": "signin0@example.org", "password": "not the password", "name": "x"});
        statuses.push(
            client.post(api("/api/v1/tokens")).json(&body).send().await.expect("post").status().as_u16(),
        );
    }

    // What went out, and what is stored.
    // Each message by its recipient and subject, with the Message-IDs it went out under. A mail
    // leased by the killed instance waits out its lease (60 s) before another sends it.
    let by_message = || {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in sink.received.lock().expect("lock").iter() {
            let header = |name: &str| {
                m.lines()
                    .find(|l| l.len() > name.len() && l[..name.len()].eq_ignore_ascii_case(name))
                    .map_or(String::new(), |l| l[name.len()..].trim().to_owned())
            };
            out.entry(format!("{} {}", header("To:"), header("Subject:")))
                .or_default()
                .push(header("Message-ID:"));
        }
        out
    };
    let count =
        |all: &BTreeMap<String, Vec<String>>, what: &str| all.keys().filter(|k| k.contains(what)).count();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut subjects = by_message();
    let (digest, nudge) = ("Your day on Alongside", "Your week ends soon");
    while (count(&subjects, "Cluster mail") < 500
        || count(&subjects, "Reminder: Reminded session") < 50
        || count(&subjects, digest) < 50
        || count(&subjects, nudge) < 20)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(250)).await;
        subjects = by_message();
    }
    let twice: Vec<(&String, &Vec<String>)> = subjects.iter().filter(|(_, ids)| ids.len() > 1).collect();
    let mails = count(&subjects, "Cluster mail");
    let reminders = count(&subjects, "Reminder: Reminded session");
    let (digests, nudges) = (count(&subjects, digest), count(&subjects, nudge));
    let acked_rsvps = acked_rsvps.lock().expect("lock").clone();
    let mut missing_rsvps = 0;
    for (event, key, user) in &acked_rsvps {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT status FROM rsvps WHERE event_id = $1 AND occurrence_start = $2 AND user_id = $3",
        )
        .bind(event)
        .bind(key)
        .bind(user)
        .fetch_optional(db.read())
        .await
        .expect("db");
        if row.is_none() {
            missing_rsvps += 1;
        }
    }
    let acked_posts = acked_posts.lock().expect("lock").clone();
    let mut missing_posts = 0;
    for id in &acked_posts {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM posts WHERE id = $1")
            .bind(id)
            .fetch_optional(db.read())
            .await
            .expect("db");
        if row.is_none() {
            missing_posts += 1;
        }
    }
    let mut room_problems = Vec::new();
    for (c, seen) in seen_frames.iter().enumerate() {
        let seen = seen.lock().expect("lock").clone();
        let unique: HashSet<i64> = seen.iter().copied().collect();
        if unique.len() != seen.len() {
            room_problems.push(format!("client {c} saw a frame twice"));
        }
        if seen.windows(2).any(|w| w[1] != w[0] + 1) {
            room_problems.push(format!("client {c} saw a gap: {seen:?}"));
        }
    }

    println!("\n{seconds} s of mixed load through HAProxy onto 3 instances on one PostgreSQL; instance 2 killed (SIGKILL) at {} s and restarted 2 s later\n", seconds / 3);
    println!("| scenario | requests | failed | requests/s |\n|---|---:|---:|---:|");
    for (name, t) in &tallies {
        let done = t.done.load(Ordering::Relaxed);
        println!("| {name} | {done} | {} | {:.0} |", t.failed.load(Ordering::Relaxed), done as f64 / elapsed);
    }
    println!(
        "\nacknowledged RSVPs {} (missing {missing_rsvps}), posts {} (missing {missing_posts}); queued mails delivered {mails}/500, \
         reminders {reminders}/50, digests {digests}/50, goal nudges {nudges}/20, sent more than once: {}; room frames per client {:?}; eleven wrong passwords: {statuses:?}",
        acked_rsvps.len(),
        acked_posts.len(),
        twice.len(),
        seen_frames.iter().map(|s| s.lock().expect("lock").len()).collect::<Vec<_>>(),
    );
    for (what, ids) in &twice {
        println!("  twice: {what} (Message-IDs {ids:?})");
    }

    assert_eq!(tallies["reads (GET)"].failed.load(Ordering::Relaxed), 0, "no GET fails");
    assert_eq!((missing_rsvps, missing_posts), (0, 0), "every acknowledged write is stored");
    assert!(room_problems.is_empty(), "{room_problems:?}");
    assert_eq!(mails, 500, "every queued mail went out");
    assert_eq!(reminders, 50, "every reminder went out");
    assert_eq!(digests, 50, "every digest went out");
    assert_eq!(nudges, 20, "every check-in reminder went out");
    // Only what was in flight at the kill may go twice.
    assert!(twice.len() <= 10, "{} mails went out twice", twice.len());
    assert_eq!(&statuses[..10], &[422; 10], "ten wrong passwords are answered");
    assert_eq!(statuses[10], 429, "the eleventh waits, across instances");
    drop(instances);
}
