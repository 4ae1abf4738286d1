//! Seeding for the load harness (`benches/http_load.rs`) and the crash test (`tests/crash.rs`):
//! members with API tokens, groups, events (many of them weekly series) and answers, written
//! straight through the store so that a large, fixed data set takes seconds, not minutes.

#![allow(dead_code)] // each user of this file takes what it needs

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use store::events::EventFields;
use store::groups::GroupFields;
use store::users::NewUser;
use store::Db;

/// A member the harness acts as.
pub struct Seeded {
    pub id: String,
    pub token: String,
}

/// `n` members "{prefix}{i}@example.org", each with an API token; none of them can sign in with
/// a password.
pub async fn members(db: &Db, prefix: &str, n: usize) -> anyhow::Result<Vec<Seeded>> {
    let now = Utc::now().timestamp_millis();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (email, name) = (format!("{prefix}{i}@example.org"), format!("Member {i}"));
        let user = NewUser {
            email: &email,
            password_hash: "-",
            display_name: &name,
            timezone: "UTC",
            admin_if_first: false,
        };
        let u = db.create_user(user, now).await?;
        db.mark_email_verified(&u.id, now).await?;
        let secret = format!("alng_{}", app::web::secrets::random_token());
        db.create_token(&u.id, "load", &app::web::secrets::hash_token(&secret), &secret[..11], now).await?;
        out.push(Seeded { id: u.id, token: secret });
    }
    Ok(out)
}

/// An open group organised by `organiser`, with `members` in it.
pub async fn group(db: &Db, organiser: &str, name: &str, members: &[&str]) -> anyhow::Result<String> {
    let now = Utc::now().timestamp_millis();
    let fields = GroupFields {
        name: name.to_owned(),
        description: format!("{name}: coworking and accountability"),
        is_virtual: true,
        city_id: None,
        city_label: String::new(),
        time_zone: "Europe/Lisbon".into(),
        visibility: "open".into(),
        members_public: true,
        topics: vec!["coworking".into()],
    };
    let id = db.create_group(organiser, &fields, now).await?;
    for m in members {
        db.add_member(&id, m, now).await?;
    }
    Ok(id)
}

/// A public virtual event hosted by `host`, starting `days_ahead` days from now at 09:00 UTC
/// (a weekly series when `weekly`), in `group` if given; returns its id and first occurrence.
pub async fn event(
    db: &Db,
    host: &str,
    title: &str,
    days_ahead: i64,
    weekly: bool,
    group: Option<&str>,
) -> anyhow::Result<(String, i64)> {
    let now = Utc::now().timestamp_millis();
    let day = (Utc::now() + TimeDelta::days(days_ahead)).date_naive();
    let fields = EventFields {
        kind: "cowork".into(),
        title: title.to_owned(),
        description: "Two hours, heads down, then coffee.".into(),
        is_virtual: true,
        place_name: String::new(),
        city_id: None,
        city_label: String::new(),
        video_url: String::new(),
        start_local: format!("{day}T09:00"),
        time_zone: "UTC".into(),
        duration_minutes: 120,
        rrule: if weekly { "FREQ=WEEKLY".into() } else { String::new() },
        exdates: String::new(),
        first_start_at: 0,
        last_end_at: None,
        capacity: None,
        visibility: "public".into(),
        group_id: group.map(str::to_owned),
        venue_id: None,
        venue_rotation: String::new(),
    };
    let fields = app::events::series::with_bounds(fields).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let key = fields.first_start_at;
    Ok((db.create_event(host, &fields, now).await?, key))
}

/// Answers "going" for each (event, occurrence, member), many rows per statement.
pub async fn going(db: &Db, answers: &[(String, i64, String)]) -> anyhow::Result<()> {
    let now = Utc::now().timestamp_millis();
    for chunk in answers.chunks(400) {
        let mut sql = String::from(
            "INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, queued_at, updated_at) VALUES ",
        );
        for (i, (event, key, user)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            // Ids are hex and keys numbers: nothing here needs quoting beyond the quotes.
            sql.push_str(&format!("('{event}', {key}, '{user}', 'going', '', {now}, {now})"));
        }
        sql.push_str(" ON CONFLICT DO NOTHING");
        sqlx::query(&sql).execute(db.write()).await?;
    }
    Ok(())
}

/// `alongside serve` (the build these benches and tests belong to) on `url`, from the folder
/// `dir`, on 127.0.0.1:`port`; killed (SIGKILL) when dropped.
pub struct Server(pub Child);

impl Server {
    pub fn start(dir: &Path, url: &str, port: u16, stderr: Stdio) -> std::io::Result<Server> {
        Self::start_with(dir, url, port, stderr, &[])
    }

    /// As [`Server::start`], with more `ALONGSIDE_*` settings in the environment.
    pub fn start_with(
        dir: &Path,
        url: &str,
        port: u16,
        stderr: Stdio,
        settings: &[(&str, String)],
    ) -> std::io::Result<Server> {
        let child = Command::new(env!("CARGO_BIN_EXE_alongside"))
            .arg("serve")
            .current_dir(dir)
            .env("DATABASE_URL", url)
            .env("ALONGSIDE_BIND", format!("127.0.0.1:{port}"))
            .env("ALONGSIDE_CONFIG", "/nonexistent/alongside.toml")
            .env("RUST_LOG", "warn")
            .envs(settings.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()?;
        Ok(Server(child))
    }

    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits (up to 15 s) until the server on `port` says it is ready.
pub async fn wait_ready(client: &reqwest::Client, port: u16) -> anyhow::Result<()> {
    let url = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..600 {
        if client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    anyhow::bail!("the server on port {port} did not get ready")
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// The resident set of a process now, and its peak, in KiB (from /proc).
pub fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets a process's peak resident set to its current one (Linux: `clear_refs` mode 5).
pub fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}
