//! Load harness: starts Alongside on a fresh database with the demo community, then drives the
//! busiest read paths with concurrent clients and prints throughput and latency percentiles.
//!
//!   cargo run --release -p app --example load -- [SECONDS] [CONCURRENCY]
//!
//! Uses SQLite in a temporary folder, or the server in ALONGSIDE_TEST_DATABASE_URL.

use std::time::{Duration, Instant};

use app::config::{Config, Secret};
use app::Application;
use serde_json::json;
use store::testing::TestDatabase;

struct Scenario {
    name: &'static str,
    path: &'static str,
    auth: bool,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "directory search by skill (API)",
        path: "/api/v1/members?skill=seo&limit=20",
        auth: true,
    },
    Scenario {
        name: "directory search by city (API)",
        path: "/api/v1/members?city=Lisbon&limit=20",
        auth: true,
    },
    Scenario { name: "city search-as-you-type (API)", path: "/api/v1/cities?q=lis", auth: false },
    Scenario { name: "health probe", path: "/healthz", auth: false },
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let concurrency: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let t = TestDatabase::create().await;
    let config = Config {
        bind: "127.0.0.1:0".into(),
        database_url: Secret::new(t.url.clone()),
        rate_limit_auth: 1_000_000,
        mail_dir: std::env::temp_dir().join("alongside-load-mail").display().to_string(),
        ..Config::default()
    };
    let db = app::startup::open_db(&config).await?;
    app::demo::load(&db, false).await?;
    let email: (String,) =
        sqlx::query_as("SELECT email FROM users ORDER BY email LIMIT 1").fetch_one(db.read()).await?;
    let application = Application::build(config).await?;
    let base = format!("http://{}", application.address());
    tokio::spawn(application.run_until(std::future::pending()));
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/tokens"))
        .json(&json!({"email": email.0, "password": app::demo::PASSWORD, "name": "load"}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token: {token}"))?.to_owned();

    println!(
        "backend: {}, {concurrency} clients, {seconds} s per scenario",
        if t.is_postgres() { "postgres" } else { "sqlite" }
    );
    println!("| scenario | requests/s | p50 ms | p95 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    for s in SCENARIOS {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, url, token) = (client.clone(), format!("{base}{}", s.path), token.clone());
                tokio::spawn(async move {
                    let (mut lat, mut errors) = (Vec::new(), 0u64);
                    while Instant::now() < deadline {
                        let started = Instant::now();
                        let mut req = client.get(&url);
                        if s.auth {
                            req = req.bearer_auth(&token);
                        }
                        match req.send().await {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                lat.push(started.elapsed());
                            }
                            _ => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        let (mut all, mut errors) = (Vec::new(), 0);
        for w in workers {
            let (lat, e) = w.await?;
            all.extend(lat);
            errors += e;
        }
        all.sort();
        let pct = |p: f64| {
            all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {errors} |",
            s.name,
            all.len() as f64 / seconds as f64,
            pct(0.50),
            pct(0.95),
            pct(0.99)
        );
    }
    Ok(())
}
