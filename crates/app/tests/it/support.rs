//! `TestApp`: the real application on a fresh database (SQLite temp file, or PostgreSQL when
//! `ALONGSIDE_TEST_DATABASE_URL` is set), driven over HTTP like a user or an API client.

use std::path::PathBuf;
use std::time::Duration;

use app::config::{Config, Secret};
use app::state::AppState;
use app::Application;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use store::testing::TestDatabase;

/// A password that passes the rules.
pub const PASSWORD: &str = "quiet-cafe-table-42";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub mail_dir: PathBuf,
    /// Kept so the database lives as long as the app (and across a restart).
    _db: Option<TestDatabase>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// An API client's view of a member.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .try_init();
        let db = TestDatabase::create().await;
        let mail_dir = std::env::temp_dir().join(format!("alongside-mail-{}", store::new_id()));
        let mut config = Config {
            bind: "127.0.0.1:0".into(),
            database_url: Secret::new(db.url.clone()),
            mail_dir: mail_dir.display().to_string(),
            rate_limit_auth: 10_000,
            mail_poll_ms: 50,
            // Tests send mail in bursts; the one about the rate sets its own.
            mail_per_minute: 1_000_000,
            // Digests go by the clock: the tests about them run the job at the moments they choose.
            digest_poll_ms: 3_600_000,
            ..Config::default()
        };
        adjust(&mut config);
        Self::run(config, Some(db), mail_dir).await
    }

    async fn run(config: Config, db: Option<TestDatabase>, mail_dir: PathBuf) -> TestApp {
        let app = Application::build(config).await.expect("the app builds");
        let base = format!("http://{}", app.address());
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp { base, state, mail_dir, _db: db, stop: Some(tx), server: Some(server) }
    }

    /// Stops the server gracefully, then starts a new one on the same database and mail folder,
    /// with its configuration adjusted: a restart.
    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            s.await.expect("server task").expect("server ran cleanly");
        }
        let mut config = self.state.config.clone();
        config.bind = "127.0.0.1:0".into();
        adjust(&mut config);
        let db = self._db.take();
        // The old value must not remove the mail folder the new server writes to.
        let mail_dir = std::mem::replace(&mut self.mail_dir, PathBuf::new());
        Self::run(config, db, mail_dir).await
    }

    /// Another instance on `first`'s database, as behind a load balancer: its own process state
    /// (caches, rooms), the same data. Dropping it leaves the database and mail folder be.
    pub async fn run_on(first: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = first.state.config.clone();
        config.bind = "127.0.0.1:0".into();
        adjust(&mut config);
        Self::run(config, None, PathBuf::new()).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            s.await.expect("server task").expect("server ran cleanly");
        }
    }

    /// The database this app runs on.
    pub fn database_url(&self) -> &str {
        &self._db.as_ref().expect("a database").url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client with no cookies that does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder().redirect(Policy::none()).build().expect("client")
    }

    /// A new browser with its own cookie jar.
    pub async fn browser(&self) -> Browser {
        let client = Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
        let mut b = Browser { client, base: self.base.clone(), csrf: String::new() };
        let page = b.get("/login").await;
        b.csrf = csrf_of(&page.body).expect("the login page has a CSRF token");
        b
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut req = self.client().post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        json_of(req.send().await.expect("request")).await
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client().get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        json_of(req.send().await.expect("request")).await
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let resp =
            self.client().patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("request");
        json_of(resp).await
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let resp =
            self.client().put(self.url(path)).bearer_auth(token).json(body).send().await.expect("request");
        json_of(resp).await
    }

    pub async fn delete_json(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let resp =
            self.client().delete(self.url(path)).bearer_auth(token).json(body).send().await.expect("request");
        json_of(resp).await
    }

    /// Signs up through the API and gets a token.
    /// A member with a confirmed address and an API token. Made in the database, as a fixture:
    /// signing up through the API queues a confirmation mail, which tests about other mail
    /// would have to step around (sign-up and confirmation have tests of their own).
    pub async fn member(&self, name: &str) -> Member {
        let email =
            format!("{}.{}@example.org", name.to_lowercase().replace(' ', "."), &store::new_id()[..6]);
        self.member_at(name, &email).await
    }

    /// As [`TestApp::member`], with the address given.
    pub async fn member_at(&self, name: &str, email: &str) -> Member {
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let email = email.to_owned();
        let hash = HASH.get_or_init(|| app::accounts::password::hash_now(PASSWORD).expect("hash"));
        let new = store::users::NewUser {
            email: &email,
            password_hash: hash,
            display_name: name,
            timezone: "UTC",
            admin_if_first: true,
        };
        let now = chrono::Utc::now().timestamp_millis();
        let user = self.state.db.create_user(new, now).await.expect("a member");
        self.state.db.mark_email_verified(&user.id, now).await.expect("db");
        let (s, body) = self
            .post_json(
                "/api/v1/tokens",
                None,
                &json!({"email": email, "password": PASSWORD, "name": "tests"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        Member { id: user.id, email, token: body["token"].as_str().expect("token").to_owned() }
    }

    /// A member with a profile set through the API.
    pub async fn member_with(&self, name: &str, profile: Value) -> Member {
        let m = self.member(name).await;
        let (s, body) = self.patch_json("/api/v1/me", &m.token, &profile).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        m
    }

    /// Waits (up to 10 s) until at least `n` mails were written to the mail folder.
    /// Waits (up to 10 s) for a mail holding every one of `needles` (quoted-printable soft line
    /// breaks undone), and returns it so. Other mail may come before it or after.
    pub async fn mail_with(&self, needles: &[&str]) -> String {
        for _ in 0..200 {
            let found =
                read_mails(&self.mail_dir).into_iter().map(|m| m.replace("=\r\n", "").replace("=\n", ""));
            if let Some(m) = found.into_iter().find(|m| needles.iter().all(|n| m.contains(n))) {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail with {needles:?} in {}: {:?}", self.mail_dir.display(), read_mails(&self.mail_dir));
    }

    /// The path of the newest link (within 10 s) that confirms `email`, from the mails sent to
    /// it: at sign-up, or for a new address.
    pub async fn verify_link(&self, email: &str) -> String {
        for _ in 0..200 {
            let to = format!("To: {email}");
            let found = read_all_mails(&self.mail_dir)
                .into_iter()
                .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
                .filter(|m| m.contains(&to) && m.contains("/verify/"))
                .filter_map(|m| {
                    let at = m.find("/verify/")?;
                    let token: String = m[at + 8..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    let date = m.lines().find(|l| l.starts_with("Date:")).unwrap_or("").to_owned();
                    Some((date, format!("/verify/{token}")))
                })
                .max();
            if let Some((_, link)) = found {
                return link;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no confirmation link for {email}");
    }

    pub async fn mails(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let found = read_mails(&self.mail_dir);
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} mails in {}", self.mail_dir.display());
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if !self.mail_dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.mail_dir);
        }
    }
}

pub use crate::smtp::{SmtpSink, CONFIRM_SUBJECT};

fn read_mails(dir: &PathBuf) -> Vec<String> {
    read_all_mails(dir).into_iter().filter(|m| !m.contains(CONFIRM_SUBJECT)).collect()
}

fn read_all_mails(dir: &PathBuf) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    // Only finished messages: the job writes a hidden temporary file, then renames it.
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

pub async fn json_of(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The first `field` named in an API error body.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The fields named in an error body, in alphabetical order.
pub fn fields_sorted(body: &Value) -> Vec<String> {
    let mut f = error_fields(body);
    f.sort();
    f
}

pub fn csrf_of(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The reset link in a mail (undoing quoted-printable soft line breaks if any).
pub fn reset_link(mail: &str) -> String {
    let text = mail.replace("=\r\n", "").replace("=\n", "");
    let start = text.find("http://").expect("a link in the mail");
    text[start..].split_whitespace().next().expect("link").to_owned()
}

pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
}

/// A browser: cookies, CSRF token, forms.
pub struct Browser {
    pub client: Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    async fn page(resp: Response) -> Page {
        let status = resp.status();
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let set_cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        // Undo the template engine's escaping of "/" and "'" so assertions read naturally.
        let body = resp.text().await.expect("body").replace("&#x2f;", "/").replace("&#x27;", "'");
        Page { status, body, location, set_cookies }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")).await
    }

    /// Posts a form with this browser's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        Self::page(self.client.post(format!("{}{path}", self.base)).form(fields).send().await.expect("POST"))
            .await
    }

    pub async fn signup(&self, name: &str, email: &str) -> Page {
        self.post("/signup", &[("display_name", name), ("email", email), ("password", PASSWORD)]).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.post("/login", &[("email", email), ("password", password)]).await
    }
}
