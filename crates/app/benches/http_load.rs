//! Load harness: seeds a fixed data set (2,000 members, 100 groups, 5,000 events of which 60 % are
//! weekly series, 50,000 answers; one member going to 200 events), starts the release build of
//! `alongside serve` on it, and runs each scenario for `LOAD_SECONDS` (60) with `LOAD_CONNECTIONS` (64)
//! keep-alive connections of `wrk` (Debian's package). Prints one Markdown row per scenario:
//! requests/s, p50, p99, errors (socket errors and non-2xx answers) and the server's peak memory.
//!
//!   scripts/load.sh                        # both backends, into docs/benchmarks.md
//!   cargo bench -p app --bench http_load   # SQLite; ALONGSIDE_TEST_DATABASE_URL=postgres://… for PostgreSQL
//!   LOAD_ONLY=rsvp,ics cargo bench …        # only the scenarios whose names contain one of these words

#[path = "common/seed.rs"]
mod seed;

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{DateTime, SecondsFormat, Utc};
use store::testing::TestDatabase;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What the scenarios need from the data set.
struct World {
    /// The member going to 200 events: a session cookie and an API token.
    busy_cookie: String,
    busy_token: String,
    event: String,
    group: String,
    /// "token path body" lines for the RSVP writes.
    writes: Vec<String>,
}

async fn seed_world(db: &store::Db) -> anyhow::Result<World> {
    let t = std::time::Instant::now();
    let members = seed::members(db, "load", 2_000).await?;
    let mut groups = Vec::new();
    for g in 0..100 {
        let inside: Vec<&str> = (0..20).map(|i| members[(g * 20 + i) % members.len()].id.as_str()).collect();
        groups.push(seed::group(db, inside[0], &format!("Circle {g}"), &inside[1..]).await?);
    }
    let mut events = Vec::new();
    for e in 0..5_000usize {
        let g = e % 100;
        let host = &members[g * 20].id;
        let weekly = e % 5 < 3;
        events.push(
            seed::event(db, host, &format!("Session {e}"), 1 + (e as i64 % 28), weekly, Some(&groups[g]))
                .await?,
        );
    }
    // Ten answers per event from its group, and the busy member going to the first 200.
    let busy = &members[1];
    let mut answers = Vec::new();
    for (e, (id, key)) in events.iter().enumerate() {
        let g = e % 100;
        for i in 0..10 {
            let m = &members[(g * 20 + 1 + (e / 100 + i) % 19) % members.len()];
            answers.push((id.clone(), *key, m.id.clone()));
        }
        if e < 200 {
            answers.push((id.clone(), *key, busy.id.clone()));
        }
    }
    answers.sort();
    answers.dedup();
    answers.truncate(50_000);
    seed::going(db, &answers).await?;
    // A page session for the busy member, made as the app makes them.
    let session = app::web::secrets::random_token();
    let now = Utc::now().timestamp_millis();
    db.create_session(&app::web::secrets::hash_token(&session), &busy.id, now, now + 86_400_000).await?;
    // RSVP writes: members 1000.. answer events of all groups, going or maybe in turn.
    let mut writes = Vec::new();
    for i in 0..20_000usize {
        let m = &members[1_000 + i % 1_000];
        let (id, key) = &events[(i * 7) % events.len()];
        let at = DateTime::<Utc>::from_timestamp_millis(*key).unwrap_or_default();
        let status = if (i / 1_000) % 2 == 0 { "going" } else { "maybe" };
        let body = format!(
            r#"{{"occurrence_start":"{}","status":"{status}"}}"#,
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        writes.push(format!("{} /api/v1/events/{id}/rsvp {body}", m.token));
    }
    eprintln!(
        "seeded {} members, {} groups, {} events, {} answers in {:.1} s",
        members.len(),
        groups.len(),
        events.len(),
        answers.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(World {
        busy_cookie: format!("alng_session={session}"),
        busy_token: busy.token.clone(),
        event: events[0].0.clone(),
        group: groups[0].clone(),
        writes,
    })
}

/// A scenario: its name, path, headers, and a Lua script for wrk when it is not a plain GET.
struct Scenario {
    name: &'static str,
    path: String,
    headers: Vec<String>,
    script: Option<std::path::PathBuf>,
}

/// wrk's figures for one run.
#[derive(Debug, Default)]
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    requests: u64,
}

fn ms(s: &str) -> f64 {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| c.is_alphabetic()).unwrap_or(s.len()));
    let n: f64 = n.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn parse_wrk(out: &str) -> Figures {
    let mut f = Figures::default();
    for line in out.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", v] => f.p50_ms = ms(v),
            ["99%", v] => f.p99_ms = ms(v),
            ["Requests/sec:", v] => f.rps = v.parse().unwrap_or(0.0),
            ["Non-2xx", "or", "3xx", "responses:", n] => f.errors += n.parse::<u64>().unwrap_or(0),
            [n, "requests", "in", ..] => f.requests = n.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                f.errors +=
                    rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>();
            }
            _ => {}
        }
    }
    f
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds = env("LOAD_SECONDS", 60);
    let connections = env("LOAD_CONNECTIONS", 64);
    let threads = env("LOAD_THREADS", 2);
    // LOAD_DATABASE_URL: an empty database to seed and keep (to look into afterwards);
    // otherwise a fresh one that goes away at the end.
    let (database, url) = match std::env::var("LOAD_DATABASE_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let t = TestDatabase::create().await;
            let url = t.url.clone();
            (Some(t), url)
        }
    };
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let db = store::Db::connect(&url).await?;
    db.migrate().await?;
    let world = seed_world(&db).await?;
    db.close().await;
    if std::env::var("LOAD_SEED_ONLY").is_ok() {
        eprintln!("seeded {url}; the busy member's token: {}", world.busy_token);
        return Ok(());
    }

    // Only the measuring needs wrk (LOAD_SEED_ONLY does not).
    Command::new("wrk")
        .arg("--version")
        .output()
        .map_err(|_| anyhow::anyhow!("wrk is missing: apt-get install wrk"))?;
    let dir = tempfile::tempdir()?;
    let writes = dir.path().join("writes.txt");
    std::fs::write(&writes, world.writes.join("\n") + "\n")?;
    let script = dir.path().join("rsvp.lua");
    std::fs::File::create(&script)?
        .write_all(RSVP_LUA.replace("WRITES", &writes.display().to_string()).as_bytes())?;

    let port = seed::free_port();
    let server = seed::Server::start(dir.path(), &url, port, Stdio::inherit())?;
    let pid = server.0.id();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    seed::wait_ready(&client, port).await?;

    let bearer = format!("Authorization: Bearer {}", world.busy_token);
    let scenarios = [
        Scenario {
            name: "dashboard page (signed in)",
            path: "/dashboard".into(),
            headers: vec![format!("Cookie: {}", world.busy_cookie)],
            script: None,
        },
        Scenario {
            name: "event page (signed in)",
            path: format!("/events/{}", world.event),
            headers: vec![format!("Cookie: {}", world.busy_cookie)],
            script: None,
        },
        Scenario {
            name: "a group's upcoming events (JSON API)",
            path: format!("/api/v1/groups/{}/events", world.group),
            headers: vec![bearer.clone()],
            script: None,
        },
        Scenario {
            name: "ICS feed of a member going to 200 events",
            path: "/api/v1/me/calendar.ics".into(),
            headers: vec![bearer.clone()],
            script: None,
        },
        Scenario {
            name: "RSVP writes (API, 1,000 members)",
            path: "/".into(),
            headers: Vec::new(),
            script: Some(script.clone()),
        },
    ];
    println!("{backend}: {connections} connections, {threads} wrk threads, {seconds} s per scenario");
    println!();
    println!("| scenario | requests/s | p50 ms | p99 ms | errors | server peak memory |");
    println!("|---|---:|---:|---:|---:|---:|");
    let only = std::env::var("LOAD_ONLY").unwrap_or_default().to_lowercase();
    let wanted = |name: &str| {
        let name = name.to_lowercase();
        only.is_empty() || only.split(',').any(|w| name.contains(w.trim()))
    };
    for s in scenarios.into_iter().filter(|s| wanted(s.name)) {
        // Each path must work before it is measured.
        let mut check = client.get(format!("{base}{}", s.path));
        for h in &s.headers {
            let (k, v) = h.split_once(": ").unwrap_or_default();
            check = check.header(k, v);
        }
        let status = check.send().await?.status();
        anyhow::ensure!(s.script.is_some() || status.is_success(), "{}: {status}", s.name);
        seed::reset_peak(pid);
        let mut wrk = Command::new("wrk");
        wrk.args([
            "--latency",
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{seconds}s"),
        ]);
        for h in &s.headers {
            wrk.args(["-H", h]);
        }
        if let Some(script) = &s.script {
            wrk.args(["-s", &script.display().to_string()]);
        }
        let out = wrk.arg(format!("{base}{}", s.path)).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let f = parse_wrk(&text);
        let (_, peak) = seed::rss_kib(pid);
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} of {} | {:.0} MiB |",
            s.name,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.errors,
            f.requests,
            peak as f64 / 1024.0
        );
        if f.requests == 0 {
            eprintln!("wrk said:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    drop(server);
    drop(database);
    Ok(())
}

/// wrk's script for the writes: each request is the next line of WRITES ("token path body").
const RSVP_LUA: &str = r#"
local lines = {}
for line in io.lines("WRITES") do
  local token, path, body = line:match("^(%S+) (%S+) (.*)$")
  lines[#lines + 1] = wrk.format("PUT", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
local i = 0
function setup(thread)
  thread:set("offset", i * 9973)
  i = i + 1
end
function init(args)
  n = offset or 0
end
function request()
  n = n + 1
  return lines[(n % #lines) + 1]
end
"#;
