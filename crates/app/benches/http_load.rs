//! Load harness: seeds a fixed data set (2,000 members, 100 groups, 5,000 events of which 60 % are
//! weekly series, 50,000 answers; one member going to 200 events), starts the release build of
//! `alongside serve` on it, and runs each scenario for `LOAD_SECONDS` (60) with `LOAD_CONNECTIONS` (64)
//! keep-alive connections of `wrk` (Debian's package). Prints one Markdown row per scenario:
//! requests/s, its share of the floor (`GET /readyz`, axum and one SQL statement, measured first
//! in the same run: figures from one run compare, across runs and machines they do not), p50,
//! p99, errors (socket errors and answers other than the one expected) and the server's peak
//! memory. Then latency at a fixed arrival rate with `oha` (`cargo install --locked oha`; with
//! latency correction, the median p99 of `LOAD_RATE_RUNS` runs of `LOAD_RATE_SECONDS` each).
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

/// A scenario: its name, path, headers, a Lua script for wrk when it is not a plain GET, the
/// status each answer should have, and the arrival rate to measure its latency at, if any.
struct Scenario {
    name: &'static str,
    path: String,
    headers: Vec<String>,
    script: Option<std::path::PathBuf>,
    expect: u16,
    rate: Option<u64>,
}

impl Scenario {
    fn get(name: &'static str, path: String, headers: Vec<String>) -> Scenario {
        Scenario { name, path, headers, script: None, expect: 200, rate: None }
    }

    fn at(mut self, rate: u64) -> Scenario {
        self.rate = Some(rate);
        self
    }
}

/// wrk's figures for one run.
#[derive(Debug, Default)]
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    requests: u64,
    peak_kib: u64,
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
            // (wrk counts answers of 400 and above: the 304s expected of a conditional GET are not.)
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
    let cookie = format!("Cookie: {}", world.busy_cookie);
    let feed = "/api/v1/me/calendar.ics".to_owned();
    // The feed's current ETag, for the conditional GETs calendar apps make.
    let etag = client
        .get(format!("{base}{feed}"))
        .header("Authorization", format!("Bearer {}", world.busy_token))
        .send()
        .await?
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("\"none\"")
        .to_owned();
    let scenarios = [
        Scenario::get("floor: GET /readyz (one SQL statement)", "/readyz".into(), Vec::new()),
        Scenario::get("home page (visitor, a template)", "/".into(), Vec::new()),
        Scenario::get("dashboard page (signed in)", "/dashboard".into(), vec![cookie.clone()]).at(300),
        Scenario::get("event page (signed in)", format!("/events/{}", world.event), vec![cookie.clone()])
            .at(1_000),
        Scenario::get(
            "a group's upcoming events (JSON API)",
            format!("/api/v1/groups/{}/events", world.group),
            vec![bearer.clone()],
        )
        .at(1_000),
        Scenario::get(
            "the same group's events, gzip (Accept-Encoding: gzip)",
            format!("/api/v1/groups/{}/events", world.group),
            vec![bearer.clone(), "Accept-Encoding: gzip".into()],
        )
        .at(1_000),
        Scenario::get("ICS feed of a member going to 200 events, kept", feed.clone(), vec![bearer.clone()])
            .at(1_000),
        // As calendar apps ask for it: every one of them sends Accept-Encoding.
        Scenario::get(
            "same feed, kept, gzip (Accept-Encoding: gzip)",
            feed.clone(),
            vec![bearer.clone(), "Accept-Encoding: gzip".into()],
        )
        .at(1_000),
        Scenario {
            expect: 304,
            ..Scenario::get(
                "same feed, conditional GET that matches (304)",
                feed.clone(),
                vec![bearer.clone(), format!("If-None-Match: {etag}")],
            )
        },
        Scenario {
            name: "RSVP writes (API, 1,000 members)",
            path: "/".into(),
            headers: Vec::new(),
            script: Some(script.clone()),
            expect: 200,
            rate: None,
        },
    ];
    println!("{backend}: {connections} connections, {threads} wrk threads, {seconds} s per scenario");
    println!();
    println!("| scenario | requests/s | share of floor | p50 ms | p99 ms | errors | server peak memory |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let only = std::env::var("LOAD_ONLY").unwrap_or_default().to_lowercase();
    let wanted = |name: &str| {
        let name = name.to_lowercase();
        only.is_empty() || name.starts_with("floor") || only.split(',').any(|w| name.contains(w.trim()))
    };
    let mut floor = f64::NAN;
    let run = Closed { threads, connections, seconds };
    for s in scenarios.iter().filter(|s| wanted(s.name)) {
        let f = run.measure(&client, &base, s, pid).await?;
        if s.name.starts_with("floor") {
            floor = f.rps;
        }
        f.row(s.name, floor);
    }
    // The feed again on an instance that keeps no rendered feeds: every read renders.
    if wanted("ics feed cold") {
        let cold_port = seed::free_port();
        let cold = seed::Server::start_with(
            dir.path(),
            &url,
            cold_port,
            Stdio::inherit(),
            &[("ALONGSIDE_FEED_CACHE_MB", "0".to_owned())],
        )?;
        seed::wait_ready(&client, cold_port).await?;
        let s = Scenario::get(
            "same feed, nothing kept (cold: rendered each time)",
            feed.clone(),
            vec![bearer.clone()],
        );
        let f = run.measure(&client, &format!("http://127.0.0.1:{cold_port}"), &s, cold.0.id()).await?;
        f.row(s.name, floor);
    }

    // Latency at a fixed arrival rate (open loop), where oha is installed.
    let rate_runs = env("LOAD_RATE_RUNS", 3);
    let rate_seconds = env("LOAD_RATE_SECONDS", 20);
    let with_rate: Vec<&Scenario> = scenarios.iter().filter(|s| s.rate.is_some() && wanted(s.name)).collect();
    if !with_rate.is_empty() && Command::new("oha").arg("--version").output().is_ok() {
        println!();
        println!(
            "Latency at a fixed rate ({backend}, `oha -q RATE -c {connections} -z {rate_seconds}s --latency-correction`, \
             the median of {rate_runs} runs):"
        );
        println!();
        println!("| scenario | rate/s | p50 ms | p99 ms (median) | p99 ms of each run | errors |");
        println!("|---|---:|---:|---:|---:|---:|");
        for s in with_rate {
            let rate = s.rate.unwrap_or(0);
            let mut runs = Vec::new();
            for _ in 0..rate_runs {
                runs.push(open_loop(&base, s, rate, connections, rate_seconds)?);
            }
            let mut p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
            p99.sort_by(f64::total_cmp);
            let mut p50: Vec<f64> = runs.iter().map(|r| r.p50_ms).collect();
            p50.sort_by(f64::total_cmp);
            let each = runs.iter().map(|r| format!("{:.2}", r.p99_ms)).collect::<Vec<_>>().join(", ");
            let errors: u64 = runs.iter().map(|r| r.errors).sum();
            let requests: u64 = runs.iter().map(|r| r.requests).sum();
            println!(
                "| {} | {rate} | {:.2} | {:.2} | {each} | {errors} of {requests} |",
                s.name,
                p50[p50.len() / 2],
                p99[p99.len() / 2]
            );
        }
    } else if !with_rate.is_empty() {
        eprintln!("oha is missing (cargo install --locked oha): no fixed-rate latencies");
    }
    drop(server);
    drop(database);
    Ok(())
}

/// Closed-loop runs with wrk.
struct Closed {
    threads: u64,
    connections: u64,
    seconds: u64,
}

impl Closed {
    /// Checks the scenario answers as it should, then runs wrk on it against the server `pid`.
    async fn measure(
        &self,
        client: &reqwest::Client,
        base: &str,
        s: &Scenario,
        pid: u32,
    ) -> anyhow::Result<Figures> {
        let mut check = client.get(format!("{base}{}", s.path));
        for h in &s.headers {
            let (k, v) = h.split_once(": ").unwrap_or_default();
            check = check.header(k, v);
        }
        let status = check.send().await?.status();
        anyhow::ensure!(s.script.is_some() || status.as_u16() == s.expect, "{}: {status}", s.name);
        seed::reset_peak(pid);
        let mut wrk = Command::new("wrk");
        wrk.args([
            "--latency",
            "-t",
            &self.threads.to_string(),
            "-c",
            &self.connections.to_string(),
            "-d",
            &format!("{}s", self.seconds),
        ]);
        for h in &s.headers {
            wrk.args(["-H", h]);
        }
        if let Some(script) = &s.script {
            wrk.args(["-s", &script.display().to_string()]);
        }
        let out = wrk.arg(format!("{base}{}", s.path)).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut f = parse_wrk(&text);
        f.peak_kib = seed::rss_kib(pid).1;
        if f.requests == 0 {
            eprintln!("wrk said:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(f)
    }
}

impl Figures {
    fn row(&self, name: &str, floor: f64) {
        let share = if floor.is_finite() && floor > 0.0 {
            format!("{:.0} %", 100.0 * self.rps / floor)
        } else {
            "—".into()
        };
        println!(
            "| {name} | {:.0} | {share} | {:.2} | {:.2} | {} of {} | {:.0} MiB |",
            self.rps,
            self.p50_ms,
            self.p99_ms,
            self.errors,
            self.requests,
            self.peak_kib as f64 / 1024.0
        );
    }
}

/// One open-loop run with oha at `rate` requests/s.
fn open_loop(base: &str, s: &Scenario, rate: u64, connections: u64, seconds: u64) -> anyhow::Result<Figures> {
    let mut oha = Command::new("oha");
    oha.args(["--no-tui", "--output-format", "json", "--latency-correction", "-q", &rate.to_string()]);
    oha.args(["-c", &connections.to_string(), "-z", &format!("{seconds}s")]);
    // oha asks for compressed bodies unless told not to, and wrk never does: the scenario's own
    // headers say whether it asks, so both measure the same request.
    oha.arg("--disable-compression");
    for h in &s.headers {
        oha.args(["-H", h]);
    }
    let out = oha.arg(format!("{base}{}", s.path)).output()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| anyhow::anyhow!("oha said {e}: {}", String::from_utf8_lossy(&out.stderr)))?;
    let seconds_of = |k: &str| v["latencyPercentiles"][k].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let mut f = Figures { p50_ms: seconds_of("p50"), p99_ms: seconds_of("p99"), ..Figures::default() };
    for (status, n) in v["statusCodeDistribution"].as_object().into_iter().flatten() {
        let n = n.as_u64().unwrap_or(0);
        f.requests += n;
        if status.parse::<u16>().ok() != Some(s.expect) {
            f.errors += n;
        }
    }
    // Requests still open when the run's time is up are not errors.
    for (error, n) in v["errorDistribution"].as_object().into_iter().flatten() {
        if !error.contains("deadline") {
            f.errors += n.as_u64().unwrap_or(0);
        }
    }
    f.rps = v["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0);
    Ok(f)
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
