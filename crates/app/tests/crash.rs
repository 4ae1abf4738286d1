//! Crash safety: RSVP writes at full speed while the server is killed with SIGKILL at random
//! moments and started again, `KILLS` times (20 by default; the long form is 200). At the end
//! SQLite's integrity check passes, every answer the server acknowledged with a 2xx is stored,
//! and no request got a 5xx or a database-busy error while the server was up.
//!
//!   KILLS=200 cargo test --release -p app --test crash -- --ignored --nocapture
//!
//! Ignored in the plain test run (it takes a while); `.ci/run` runs the short form.

#[path = "../benches/common/seed.rs"]
mod seed;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

/// The server, its stderr appended to `server.log` in `dir` (checked for busy errors).
fn start(dir: &std::path::Path, url: &str, port: u16) -> seed::Server {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).expect("log");
    seed::Server::start(dir, url, port, log.into()).expect("the server starts")
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    seed::wait_ready(client, port).await.expect("the server comes back");
}

/// What the writers saw.
#[derive(Default)]
struct Seen {
    acknowledged: Mutex<Vec<usize>>,
    server_errors: AtomicU64,
    failed: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run with --ignored (the CI script does)"]
async fn killed_at_random_the_server_keeps_every_acknowledged_answer() {
    let kills: usize = std::env::var("KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let db = store::Db::connect(&url).await.expect("db");
    db.migrate().await.expect("migrate");
    let members = seed::members(&db, "crash", 300).await.expect("members");
    let mut events = Vec::new();
    for i in 0..200 {
        events.push(
            seed::event(&db, &members[0].id, &format!("Session {i}"), 1 + i % 30, false, None)
                .await
                .expect("event"),
        );
    }
    db.close().await;
    // Every (member, event) is answered once, so each acknowledged answer has one right value.
    let keys: Vec<(usize, usize)> =
        (0..members.len()).flat_map(|m| (0..events.len()).map(move |e| (m, e))).collect();
    let members = Arc::new(members);
    let events = Arc::new(events);

    let port = seed::free_port();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
    let mut server = start(dir.path(), &url, port);
    wait_ready(&client, port).await;

    let next = Arc::new(AtomicUsize::new(0));
    let retry: Arc<Mutex<Vec<usize>>> = Arc::default();
    let seen = Arc::new(Seen::default());
    let stop = Arc::new(AtomicBool::new(false));
    let keys = Arc::new(keys);
    let writers: Vec<_> = (0..16)
        .map(|_| {
            let (client, next, retry, seen, stop) = (client.clone(), next.clone(), retry.clone(), seen.clone(), stop.clone());
            let (members, events, keys) = (members.clone(), events.clone(), keys.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let i = match retry.lock().expect("lock").pop() {
                        Some(i) => i,
                        None => next.fetch_add(1, Ordering::Relaxed),
                    };
                    let Some(&(m, e)) = keys.get(i) else { break };
                    let (event, key) = &events[e];
                    let at = DateTime::<Utc>::from_timestamp_millis(*key).expect("key");
                    let body = serde_json::json!({"occurrence_start": at.to_rfc3339_opts(SecondsFormat::Secs, true), "status": "going"});
                    let sent = client
                        .put(format!("http://127.0.0.1:{port}/api/v1/events/{event}/rsvp"))
                        .bearer_auth(&members[m].token)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => seen.acknowledged.lock().expect("lock").push(i),
                        Ok(r) if r.status().is_server_error() => {
                            seen.server_errors.fetch_add(1, Ordering::Relaxed);
                            retry.lock().expect("lock").push(i);
                        }
                        Ok(r) => panic!("answer refused: {} {}", r.status(), r.text().await.unwrap_or_default()),
                        // The server is down (or was killed mid-request): try this one again.
                        Err(_) => {
                            seen.failed.fetch_add(1, Ordering::Relaxed);
                            retry.lock().expect("lock").push(i);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            })
        })
        .collect();

    for k in 0..kills {
        let pause = 30 + rand::random::<u64>() % 400;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill();
        server = start(dir.path(), &url, port);
        wait_ready(&client, port).await;
        if (k + 1) % 10 == 0 {
            eprintln!(
                "{} kills, {} answers acknowledged",
                k + 1,
                seen.acknowledged.lock().expect("lock").len()
            );
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    server.kill();

    let acknowledged: HashSet<usize> = seen.acknowledged.lock().expect("lock").iter().copied().collect();
    eprintln!(
        "{kills} kills; {} answers acknowledged, {} requests failed while the server was down",
        acknowledged.len(),
        seen.failed.load(Ordering::Relaxed)
    );
    assert!(acknowledged.len() > kills * 5, "the writers got through: {}", acknowledged.len());
    assert_eq!(seen.server_errors.load(Ordering::Relaxed), 0, "no 5xx while the server was up");
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    assert!(!log.contains("database is locked") && !log.contains("SQLITE_BUSY"), "no busy database: {log}");

    let db = store::Db::connect(&url).await.expect("db");
    let (check,): (String,) =
        sqlx::query_as("PRAGMA integrity_check").fetch_one(db.read()).await.expect("check");
    assert_eq!(check, "ok");
    let stored: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT event_id, occurrence_start, user_id FROM rsvps WHERE status = 'going'")
            .fetch_all(db.read())
            .await
            .expect("rsvps");
    let stored: HashSet<(String, i64, String)> = stored.into_iter().collect();
    let missing: Vec<usize> = acknowledged
        .iter()
        .copied()
        .filter(|&i| {
            let (m, e) = keys[i];
            let (event, key) = &events[e];
            !stored.contains(&(event.clone(), *key, members[m].id.clone()))
        })
        .collect();
    assert!(missing.is_empty(), "{} acknowledged answers lost", missing.len());
}
