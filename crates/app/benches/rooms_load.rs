//! Load client for live rooms: seeds ROOMS virtual sessions with PER_ROOM members each, starts a
//! real `alongside serve` (release build) on that database, opens one WebSocket per member per
//! room, and drives every room with one host timer command (pause / resume) and one chat
//! message per second. It reports delivered frames per second, chat delivery latency (p50, p99,
//! from send to receipt, both measured in this process) and the server's memory per connection
//! (growth of its resident set divided by the connections).
//!
//! Run: `scripts/rooms-load.sh` (raises the open-file limit first), or
//! `ROOMS=500 PER_ROOM=20 SECONDS=30 cargo bench -p app --bench rooms_load`.

#[path = "common/seed.rs"]
mod seed;

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use futures_util::{SinkExt, StreamExt};
use store::events::EventFields;
use store::rsvps::Answer;
use store::Db;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What every connection reports into.
#[derive(Default)]
struct Tally {
    measuring: AtomicBool,
    delivered: AtomicU64,
    errors: AtomicU64,
    dropped: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
}

/// Members 0..per_room with API tokens (member 0 hosts) and `rooms` sessions that started ten
/// minutes ago with every other member going. Returns the tokens and (event id, key) per room.
async fn seed(db: &Db, rooms: u64, per_room: u64) -> anyhow::Result<(Vec<String>, Vec<(String, i64)>)> {
    let now = Utc::now().timestamp_millis();
    let members = seed::members(db, "load", usize::try_from(per_room)?).await?;
    let (ids, tokens): (Vec<String>, Vec<String>) = members.into_iter().map(|m| (m.id, m.token)).unzip();
    let start = (Utc::now() - TimeDelta::minutes(10)).format("%Y-%m-%dT%H:%M").to_string();
    let mut sessions = Vec::new();
    for r in 0..rooms {
        let fields = EventFields {
            kind: "cowork".into(),
            title: format!("Load room {r}"),
            description: String::new(),
            is_virtual: true,
            place_name: String::new(),
            city_id: None,
            city_label: String::new(),
            video_url: String::new(),
            start_local: start.clone(),
            time_zone: "UTC".into(),
            duration_minutes: 120,
            rrule: String::new(),
            exdates: String::new(),
            first_start_at: 0,
            last_end_at: None,
            capacity: None,
            visibility: "invite".into(),
            group_id: None,
            venue_id: None,
            venue_rotation: String::new(),
        };
        let fields = app::events::series::with_bounds(fields).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let key = fields.first_start_at;
        let event = db.create_event(&ids[0], &fields, now).await?;
        for member in &ids[1..] {
            db.answer(&event, key, member, Answer::Going, Some("Load test"), None, false, now).await?;
        }
        sessions.push((event, key));
    }
    Ok((tokens, sessions))
}

/// How one connection takes part.
struct Part {
    url: String,
    token: String,
    /// 0 runs the timer; the others take turns to chat, one per room per second.
    index: u64,
    per_room: u64,
    /// When in each second this room sends.
    offset: Duration,
}

async fn connection(
    p: Part,
    slot: OwnedSemaphorePermit,
    open: Arc<Semaphore>,
    tally: Arc<Tally>,
    base: Instant,
) {
    let mut req = p.url.into_client_request().expect("request");
    req.headers_mut().insert("authorization", format!("Bearer {}", p.token).parse().expect("header"));
    let ws = tokio_tungstenite::connect_async(req).await;
    drop(slot);
    open.add_permits(1);
    let Ok((ws, _)) = ws else {
        tally.dropped.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + p.offset, Duration::from_secs(1));
    let mut second: u64 = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                second += 1;
                let frame = if p.index == 0 {
                    let action = if second.is_multiple_of(2) { "resume" } else { "pause" };
                    Some(format!(r#"{{"type":"timer","action":"{action}"}}"#))
                } else if p.index == 1 + second % (p.per_room - 1) {
                    Some(format!(r#"{{"type":"chat","text":"t={}"}}"#, base.elapsed().as_micros()))
                } else {
                    None
                };
                if let Some(f) = frame {
                    if sink.send(Message::Text(f.into())).await.is_err() {
                        tally.dropped.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
            m = stream.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    if !tally.measuring.load(Ordering::Relaxed) {
                        continue;
                    }
                    tally.delivered.fetch_add(1, Ordering::Relaxed);
                    let t = t.as_str();
                    if t.starts_with(r#"{"type":"error""#) {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                    } else if let Some(rest) = t.split(r#""text":"t="#).nth(1) {
                        let sent: u64 = rest.split('"').next().and_then(|d| d.parse().ok()).unwrap_or(0);
                        let now = u64::try_from(base.elapsed().as_micros()).unwrap_or(u64::MAX);
                        tally.latencies_us.lock().expect("lock").push(now.saturating_sub(sent));
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    tally.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Opens `n` room connections at once, reads each one's welcome and closes them: the server has
/// then opened its database connections and prepared its statements, as any server that has
/// served a while has, so the growth measured afterwards is the connections' own.
async fn warm_up(urls: Vec<(String, String)>) -> anyhow::Result<()> {
    let mut tasks = Vec::new();
    for (url, token) in urls {
        tasks.push(tokio::spawn(async move {
            let mut req = url.into_client_request()?;
            req.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
            let _welcome = ws.next().await;
            ws.close(None).await?;
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

/// The `p` quantile of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n - 1) as f64 * p).round() as usize] as f64 / 1000.0,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rooms = env("ROOMS", 500);
    let per_room = env("PER_ROOM", 20).max(2);
    let seconds = env("SECONDS", 30);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("LOAD_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("load.db").display()));
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let t = Instant::now();
    let (tokens, sessions) = seed(&db, rooms, per_room).await?;
    eprintln!("seeded {rooms} rooms x {per_room} members in {:.1} s", t.elapsed().as_secs_f64());
    db.close().await;

    let port = seed::free_port();
    let server = seed::Server::start(dir.path(), &url, port, Stdio::inherit())?;
    let pid = server.0.id();
    let client = reqwest::Client::new();
    seed::wait_ready(&client, port).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_cold = seed::rss_kib(pid).0;
    let url_of =
        |(event, key): &(String, i64)| format!("ws://127.0.0.1:{port}/events/{event}/room/ws?at={key}&v=1");
    let warm = sessions.iter().flat_map(|s| tokens.iter().map(move |t| (url_of(s), t.clone())));
    warm_up(warm.take(64).collect()).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = seed::rss_kib(pid).0;

    let tally = Arc::new(Tally::default());
    let base = Instant::now();
    let total = rooms * per_room;
    let slots = Arc::new(Semaphore::new(64)); // handshakes in flight
    let open = Arc::new(Semaphore::new(0)); // one permit per finished handshake
    let t = Instant::now();
    for (r, session) in sessions.iter().enumerate() {
        let offset = Duration::from_millis(r as u64 * 1000 / rooms);
        for (i, token) in tokens.iter().enumerate() {
            let part = Part { url: url_of(session), token: token.clone(), index: i as u64, per_room, offset };
            let slot = slots.clone().acquire_owned().await?;
            tokio::spawn(connection(part, slot, open.clone(), tally.clone(), base));
        }
    }
    let _ = open.acquire_many(u32::try_from(total)?).await?;
    eprintln!("{total} handshakes done in {:.1} s", t.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_open = seed::rss_kib(pid).0;
    tally.measuring.store(true, Ordering::Relaxed);
    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    tally.measuring.store(false, Ordering::Relaxed);
    let elapsed = t.elapsed().as_secs_f64();
    let rss_after = seed::rss_kib(pid).0;

    let mut lat = std::mem::take(&mut *tally.latencies_us.lock().expect("lock"));
    lat.sort_unstable();
    let delivered = tally.delivered.load(Ordering::Relaxed) as f64 / elapsed;
    let per_conn = rss_after.saturating_sub(rss_before) as f64 / total as f64;
    let per_conn_cold = rss_after.saturating_sub(rss_cold) as f64 / total as f64;
    println!(
        "{total} connections in {rooms} rooms of {per_room} | {delivered:.0} frames delivered/s | chat latency \
         p50 {:.1} ms, p99 {:.1} ms ({} samples) | server RSS {rss_cold} KiB new, {rss_before} KiB warm -> {rss_open} KiB open -> {rss_after} KiB after \
         the run = {per_conn:.1} KiB per connection over the warm server ({per_conn_cold:.1} over the new one) | error frames {} | dropped connections {}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.len(),
        tally.errors.load(Ordering::Relaxed),
        tally.dropped.load(Ordering::Relaxed),
    );
    drop(server);
    Ok(())
}
