//! The `alongside` binary: clear errors, migrate, demo (idempotent), admin, backup, and moving a
//! whole instance between databases with export and import.

use std::process::{Command, Output, Stdio};

use store::testing::TestDatabase;

fn alongside(db_url: &str, args: &[&str]) -> Output {
    let dir = std::env::temp_dir();
    Command::new(env!("CARGO_BIN_EXE_alongside"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", db_url)
        .env("ALONGSIDE_CONFIG", "/nonexistent/alongside.toml")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run alongside")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn bad_database_urls_give_one_clear_line_and_a_failure_code() {
    let o = alongside("mysql://localhost/x", &["migrate"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: unsupported DATABASE_URL scheme \"mysql\""), "{err}");
    let o = alongside("postgres://al:topsecret@127.0.0.1:1/x", &["migrate"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot open the database") && !err.contains("topsecret"), "{err}");
}

#[tokio::test]
async fn demo_fills_a_believable_community_once() {
    let t = TestDatabase::create().await;
    let o = alongside(&t.url, &["demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("240 members added, 0 already there"), "{}", text(&o));
    let o = alongside(&t.url, &["demo"]);
    assert!(text(&o).contains("0 members added, 240 already there"), "{}", text(&o));
    let db = store::Db::connect(&t.url).await.expect("db");
    assert_eq!(db.user_count().await.expect("count"), 240);
    let trades: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT trade FROM users").fetch_all(db.read()).await.expect("db");
    let zones: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT timezone FROM users").fetch_all(db.read()).await.expect("db");
    let cities: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT city_label FROM users").fetch_all(db.read()).await.expect("db");
    assert!(
        trades.len() >= 12 && zones.len() >= 10 && cities.len() >= 20,
        "{} {} {}",
        trades.len(),
        zones.len(),
        cities.len()
    );
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM availability").fetch_one(db.read()).await.expect("db");
    assert!(n >= 240);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT user_id) FROM user_tags WHERE kind = 'need'")
        .fetch_one(db.read())
        .await
        .expect("db");
    assert_eq!(n, 240, "everyone needs something");
    let (admins,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE is_admin = 1")
        .fetch_one(db.read())
        .await
        .expect("db");
    assert_eq!(admins, 0, "no demo member is an admin");
    // The member the README suggests has a partner, a request to answer and one waiting, once.
    let ana = db.user_by_email("ana.almeida.0@demo.alongside.test").await.expect("db").expect("ana");
    let mut states: Vec<String> =
        db.partnerships_of(&ana.id).await.expect("db").into_iter().map(|p| p.status).collect();
    states.sort();
    assert_eq!(states, ["accepted", "requested", "requested"]);
    assert_eq!(db.favourites_of(&ana.id).await.expect("db").len(), 1);
    // Groups of every kind, once: Ana organises two, waits to join one, follows another.
    let mut roles: Vec<(String, String)> =
        db.groups_of(&ana.id).await.expect("db").into_iter().map(|g| (g.group.visibility, g.role)).collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            ("invite".into(), "organiser".into()),
            ("open".into(), "moderator".into()),
            ("open".into(), "organiser".into())
        ]
    );
    let (groups, posts, events): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM posts), \
                (SELECT COUNT(*) FROM events WHERE group_id IS NOT NULL)",
    )
    .fetch_one(db.read())
    .await
    .expect("db");
    assert_eq!((groups, posts, events), (6, 8, 6));
    // A trade's core skill is always listed: a search for SEO finds every SEO consultant.
    let (unfound,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users u WHERE u.trade = 'SEO consultant' AND NOT EXISTS \
         (SELECT 1 FROM user_tags t WHERE t.user_id = u.id AND t.kind = 'offer' AND t.tag = 'seo')",
    )
    .fetch_one(db.read())
    .await
    .expect("db");
    assert_eq!(unfound, 0);
    // The meetings began weeks ago and most members kept them: badges say something.
    let mut outcomes: std::collections::HashMap<String, Vec<domain::reliability::Outcome>> =
        std::collections::HashMap::new();
    for (user, kind) in db.session_outcomes(None, chrono::Utc::now().timestamp_millis()).await.expect("db") {
        let o = match kind.as_str() {
            "no_show" => domain::reliability::Outcome::NoShow,
            "late_cancel" => domain::reliability::Outcome::LateCancel,
            _ => domain::reliability::Outcome::Kept,
        };
        outcomes.entry(user).or_default().push(o);
    }
    let badges: Vec<&str> =
        outcomes.values().map(|o| domain::reliability::Record::of(o).badge().as_str()).collect();
    let count = |b: &str| badges.iter().filter(|x| **x == b).count();
    assert!(count("reliable") >= 30 && count("mostly") + count("unreliable") >= 2, "{badges:?}");
    assert_ne!(domain::reliability::Record::of(&outcomes[&ana.id]).badge().as_str(), "new");
    let (kinds,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT kind) FROM posts").fetch_one(db.read()).await.expect("db");
    assert_eq!(kinds, 6, "every kind of post");
    // Ana and her accountability partner have goals with check-ins; the WordPress board has weeks.
    assert_eq!(db.goals_of(&ana.id).await.expect("db").len(), 1);
    let (checkins, entries): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM checkins), (SELECT COUNT(*) FROM board_entries WHERE outcome IS NOT NULL)",
    )
    .fetch_one(db.read())
    .await
    .expect("db");
    assert_eq!((checkins, entries), (8, 16));
    let (venues,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM venues").fetch_one(db.read()).await.expect("db");
    assert_eq!(venues, 8, "venues in three cities, once");
    // Weekly sessions meet at venues from the directory (one taking two in turn), shown to
    // visitors; past dates had goals, most of them done.
    let (at_venues, rotating, shown): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM events e JOIN venues v ON v.id = e.venue_id \
                 WHERE e.rrule <> '' AND e.place_name = v.name), \
                (SELECT COUNT(*) FROM events WHERE venue_rotation LIKE '%,%'), \
                (SELECT COUNT(*) FROM events WHERE show_to_visitors = 1 AND rrule <> '')",
    )
    .fetch_one(db.read())
    .await
    .expect("db");
    assert_eq!((at_venues, rotating, shown), (5, 1, 6));
    let (stated, done): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM rsvps WHERE goal <> '' AND occurrence_start < $1), \
                (SELECT COUNT(*) FROM rsvps WHERE goal <> '' AND occurrence_start < $1 AND goal_done = 1)",
    )
    .bind(chrono::Utc::now().timestamp_millis())
    .fetch_one(db.read())
    .await
    .expect("db");
    assert!(stated >= 100 && done * 2 > stated && done < stated, "{done} of {stated}");
    // The focus board has slots booked by several members, Ana's favourite among them, once.
    let (bookings, bookers, favourite): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT user_id), \
                (SELECT COUNT(*) FROM bookings b JOIN favourites f ON f.favourite_id = b.user_id \
                 WHERE f.user_id = $1) FROM bookings",
    )
    .bind(&ana.id)
    .fetch_one(db.read())
    .await
    .expect("db");
    assert!(bookings >= 20 && bookers >= 10 && favourite >= 1, "{bookings} {bookers} {favourite}");
    // Give and take around Ana: slips at every stage, help both ways, contacts with one overdue.
    let (slips, won, help, contacts): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM referrals), (SELECT COUNT(*) FROM referrals WHERE status = 'won'), \
                (SELECT COUNT(*) FROM help_given WHERE helper_confirmed = 1 AND helped_confirmed = 1), \
                (SELECT COUNT(*) FROM contacts)",
    )
    .fetch_one(db.read())
    .await
    .expect("db");
    assert_eq!((slips, won, help, contacts), (6, 2, 2, 3));
    let (statuses,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT status) FROM referrals")
        .fetch_one(db.read())
        .await
        .expect("db");
    assert_eq!(statuses, 5, "a slip at every stage");
    // The first real account on a demo instance is the admin.
    let new = store::users::NewUser {
        email: "owner@example.org",
        password_hash: "h",
        display_name: "Owner",
        timezone: "UTC",
        admin_if_first: true,
    };
    assert_eq!(db.create_user(new, 0).await.expect("sign up").is_admin, 1);
}

#[tokio::test]
async fn admins_are_created_and_accounts_suspended_from_the_command_line() {
    let t = TestDatabase::create().await;
    let run = |args: &[&str], password: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_alongside"));
        c.args(args)
            .env("DATABASE_URL", &t.url)
            .env("ALONGSIDE_CONFIG", "/nonexistent.toml")
            .stdin(Stdio::null());
        if let Some(p) = password {
            c.env("ALONGSIDE_ADMIN_PASSWORD", p);
        }
        c.output().expect("run")
    };
    let weak = run(&["admin", "create", "--email", "root@example.org"], Some("short"));
    assert!(!weak.status.success());
    assert!(text(&weak).contains("password: Use at least 12"), "{}", text(&weak));
    let ok = run(
        &["admin", "create", "--email", "root@example.org", "--name", "Root"],
        Some("a-long-admin-passphrase"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let db = store::Db::connect(&t.url).await.expect("db");
    let root = db.user_by_email("root@example.org").await.expect("db").expect("user");
    assert_eq!(root.is_admin, 1);
    let s = run(&["admin", "suspend", "--email", "root@example.org"], None);
    assert!(s.status.success(), "{}", text(&s));
    assert!(db.user(&root.id).await.expect("db").expect("user").suspended_at.is_some());
    let s = run(&["admin", "suspend", "--email", "root@example.org", "--lift"], None);
    assert!(s.status.success());
    assert!(db.user(&root.id).await.expect("db").expect("user").suspended_at.is_none());
    let s = run(&["admin", "suspend", "--email", "nobody@example.org"], None);
    assert!(!s.status.success());
    assert!(text(&s).contains("no account with email nobody@example.org"));
}

#[tokio::test]
async fn backup_writes_a_consistent_copy_or_points_to_pg_dump() {
    let t = TestDatabase::create().await;
    let out = std::env::temp_dir().join(format!("alongside-backup-{}.db", store::new_id()));
    let out_str = out.display().to_string();
    let o = alongside(&t.url, &["backup", &out_str]);
    if t.is_postgres() {
        assert!(!o.status.success());
        assert!(text(&o).contains("pg_dump"), "{}", text(&o));
        return;
    }
    assert!(o.status.success(), "{}", text(&o));
    let copy = store::Db::connect(&format!("sqlite://{out_str}")).await.expect("the copy opens");
    assert_eq!(copy.user_count().await.expect("the copy has the schema"), 0);
    let again = alongside(&t.url, &["backup", &out_str]);
    assert!(!again.status.success(), "never overwrites");
    let _ = std::fs::remove_file(&out);
}

/// `alongside serve` on `db_url` logging JSON at `rust_log` to a pipe, with more settings in its
/// environment; returns the process, the log lines read so far (up to "Alongside is listening"),
/// the rest of the log, and the address it listens on.
fn serve_with_json_log(
    db_url: &str,
    rust_log: &str,
    settings: &[(&str, &str)],
) -> (std::process::Child, Vec<String>, std::io::Lines<std::io::BufReader<std::process::ChildStderr>>, String)
{
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_alongside"))
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("ALONGSIDE_CONFIG", "/nonexistent.toml")
        .env("ALONGSIDE_BIND", "127.0.0.1:0")
        .env("ALONGSIDE_LOG_FORMAT", "json")
        .env("RUST_LOG", rust_log)
        .envs(settings.iter().copied())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = Vec::new();
    let address = loop {
        let line = lines.next().expect("a log line before listening").expect("utf-8");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        seen.push(line);
        if v["message"] == "Alongside is listening" {
            break v["address"].as_str().expect("address").to_owned();
        }
    };
    (child, seen, lines, address)
}

#[tokio::test]
async fn serve_logs_json_and_shuts_down_gracefully_on_sigterm() {
    let t = TestDatabase::create().await;
    let settings = [("ALONGSIDE_SMTP_URL", "smtp://mailer:hunter2secret@127.0.0.1:1")];
    let (mut child, mut seen, lines, address) = serve_with_json_log(&t.url, "info", &settings);
    let resp = reqwest::get(format!("http://{address}/healthz")).await.expect("healthz");
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
    for line in lines {
        let line = line.expect("utf-8");
        assert!(serde_json::from_str::<serde_json::Value>(&line).is_ok(), "not JSON: {line}");
        seen.push(line);
    }
    let all = seen.join("\n");
    assert!(all.contains("\"stopped\""), "{all}");
    assert!(!all.contains("hunter2secret"), "secrets never logged");
}

#[tokio::test]
async fn no_secret_in_a_path_reaches_the_log() {
    let t = TestDatabase::create().await;
    // Every request and response line, with the request's span.
    let (mut child, _, lines, address) = serve_with_json_log(&t.url, "debug", &[]);
    let client = reqwest::Client::new();
    let secret = |n: u32| format!("Sekr3tT0ken{n}xyz");
    for (n, path) in [
        (1, "/unsubscribe/{}"),
        (2, "/reset/{}"),
        (3, "/feeds/{}/calendar.ics"),
        (4, "/invites/{}"),
        (5, "/nowhere/{}/at/all"),
        (6, "/assets/{}"),
    ] {
        let url = format!("http://{address}{}", path.replace("{}", &secret(n)));
        client.get(&url).send().await.expect("get");
    }
    client.post(format!("http://{address}/api/v1/invites/{}", secret(7))).send().await.expect("post");
    client.get(format!("http://{address}/api/v1/nothing/{}", secret(8))).send().await.expect("get");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    assert!(child.wait().expect("wait").success());
    let all: Vec<String> = lines.map(|l| l.expect("utf-8")).collect();
    let all = all.join("\n");
    for n in 1..=8 {
        assert!(!all.contains(&secret(n)), "secret {n} was logged:\n{all}");
    }
    assert!(all.contains("/unsubscribe/{token}"), "requests are logged by route:\n{all}");
    assert!(all.contains("(no route)"), "a path no route matches is logged as a placeholder:\n{all}");
}

/// Every table of two databases, row by row.
async fn same_tables(a: &store::Db, b: &store::Db, what: &str) {
    let tables = a.tables_in_order().await.expect("tables");
    assert_eq!(
        tables,
        b.tables_in_order().await.expect("tables"),
        "{what}: the same tables, in the same order"
    );
    for t in &tables {
        let (ra, rb) = (a.table_rows(t).await.expect("rows"), b.table_rows(t).await.expect("rows"));
        assert!(ra == rb, "{what}: table {t} differs ({} rows and {} rows)", ra.len(), rb.len());
    }
}

#[tokio::test]
async fn an_instance_moves_from_sqlite_to_postgresql_and_back_with_nothing_lost() {
    // The demo community on SQLite, with a photo so that bytes travel too.
    let first = TestDatabase::sqlite();
    assert!(alongside(&first.url, &["demo"]).status.success());
    let a = store::Db::connect(&first.url).await.expect("connect");
    let ana = a.user_by_email("ana.almeida.0@demo.alongside.test").await.expect("db").expect("ana");
    let photo = store::photos::NewPhoto { id: "a".repeat(32), files: vec![(64, vec![0, 1, 2, 255, 254])] };
    a.set_member_photo(&ana.id, &photo, 1).await.expect("photo");

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("instance.jsonl");
    let o = alongside(&first.url, &["export", file.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("password hashes") && text(&o).contains("keep it private"), "{}", text(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner may read it");
    }
    let again = alongside(&first.url, &["export", file.to_str().expect("utf-8")]);
    assert!(!again.status.success() && text(&again).contains("must not exist"), "{}", text(&again));

    // Into PostgreSQL when the tests run on it (else another SQLite file), and back out.
    let second = TestDatabase::create().await;
    let o = alongside(&second.url, &["import", file.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    let b = store::Db::connect(&second.url).await.expect("connect");
    let file2 = dir.path().join("back.jsonl");
    assert!(alongside(&second.url, &["export", file2.to_str().expect("utf-8")]).status.success());
    let third = TestDatabase::sqlite();
    let o = alongside(&third.url, &["import", file2.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", text(&o));
    let c = store::Db::connect(&third.url).await.expect("connect");
    same_tables(&a, &b, "first to second").await;
    same_tables(&a, &c, "there and back").await;
    assert!(a.table_rows("users").await.expect("rows").len() >= 200, "the demo's members travelled");
    assert_eq!(c.photo_largest(&"a".repeat(32)).await.expect("db"), Some(vec![0, 1, 2, 255, 254]));

    // A database with anything in it is refused, and so is a file cut short (leaving nothing).
    let o = alongside(&third.url, &["import", file.to_str().expect("utf-8")]);
    assert!(!o.status.success() && text(&o).contains("not empty"), "{}", text(&o));
    let whole = std::fs::read_to_string(&file).expect("read");
    let cut = dir.path().join("cut.jsonl");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).expect("write");
    let fourth = TestDatabase::sqlite();
    let o = alongside(&fourth.url, &["import", cut.to_str().expect("utf-8")]);
    assert!(!o.status.success(), "{}", text(&o));
    let d = store::Db::connect(&fourth.url).await.expect("connect");
    assert!(d.table_rows("users").await.expect("rows").is_empty(), "all or nothing");
    // Another schema's file is refused with what to do.
    let old = dir.path().join("old.jsonl");
    let (head, rest) = whole.split_once('\n').expect("lines");
    let head =
        head.replace(&format!("\"schema\":{}", a.schema_version().await.expect("version")), "\"schema\":1");
    std::fs::write(&old, format!("{head}\n{rest}")).expect("write");
    let o = alongside(&fourth.url, &["import", old.to_str().expect("utf-8")]);
    assert!(!o.status.success() && text(&o).contains("same version of Alongside"), "{}", text(&o));
}
