//! Security checks across every route the source declares: each unsafe form route refuses a
//! post without its CSRF token, every response carries the security headers, and the secrets we
//! hand out are long and random. (Cookie flags, session rotation and rate limits are checked in
//! `accounts.rs`.)

use std::collections::{BTreeSet, HashMap, HashSet};

use reqwest::StatusCode;

use crate::authz_routes::source_routes;
use crate::support::{TestApp, PASSWORD};

/// The unsafe form routes without a CSRF token, by design: their signed token is the authority
/// and mail apps' one-click unsubscribe sends no cookies (docs/architecture.md).
const CSRF_EXEMPT: [&str; 2] = ["/unsubscribe/{token}", "/no-mail/{token}"];

/// The message a post without the form's token gets.
const EXPIRED: &str = "This form has expired or came from another site.";

/// A route's path with every `{param}` filled in.
fn filled(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push('1');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn form_routes() -> BTreeSet<String> {
    source_routes()
        .into_iter()
        .filter(|(m, p)| m == "POST" && !p.starts_with("/api/") && !CSRF_EXEMPT.contains(&p.as_str()))
        .map(|(_, p)| p)
        .collect()
}

#[tokio::test]
async fn every_unsafe_form_route_refuses_a_post_without_its_csrf_token() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Eve", "eve@example.org").await;
    let routes = form_routes();
    assert!(routes.len() > 60, "the source's form routes were found: {routes:?}");
    let mut let_through = Vec::new();
    for path in &routes {
        let url = format!("{}{}", app.base, filled(path));
        // Without a token, with a forged one, and (for file uploads) as multipart without one.
        let plain = b.client.post(&url).form(&[("name", "x")]).send().await.expect("post");
        let forged =
            b.client.post(&url).form(&[("csrf", "forged"), ("name", "x")]).send().await.expect("post");
        let part =
            reqwest::multipart::Part::bytes(b"BEGIN:VCARD\r\nEND:VCARD\r\n".to_vec()).file_name("x.vcf");
        let multipart = reqwest::multipart::Form::new().text("name", "x").part("file", part);
        let upload = b.client.post(&url).multipart(multipart).send().await.expect("post");
        let mut answers = Vec::new();
        for (how, resp) in [("multipart", upload), ("no token", plain), ("forged", forged)] {
            let status = resp.status();
            answers.push((how, status, resp.text().await.unwrap_or_default()));
        }
        let refused = |(_, status, body): &(&str, StatusCode, String)| {
            *status == StatusCode::FORBIDDEN && body.contains(EXPIRED)
        };
        // A file upload refuses its upload without a token, and turns other bodies away (400).
        let upload_only = refused(&answers[0]) && answers[1..].iter().all(|a| a.1 == StatusCode::BAD_REQUEST);
        if !upload_only {
            for a in answers.iter().filter(|a| !refused(a)) {
                let_through.push(format!("{path} ({}): {}", a.0, a.1));
            }
        }
    }
    assert!(let_through.is_empty(), "posted without a valid CSRF token: {let_through:#?}");
    // The exception is deliberate and signed: a made-up token is not found, not obeyed.
    for forged in ["/unsubscribe/u.partners.forged", "/no-mail/dmVyYUBleGFtcGxlLm9yZw.forged"] {
        let r = app.client().post(app.url(forged)).send().await.expect("post");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{forged}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Hal", "hal@example.org").await;
    let mut paths: BTreeSet<String> =
        source_routes().into_iter().filter(|(m, _)| m == "GET").map(|(_, p)| filled(&p)).collect();
    paths.extend(["/", "/no/such/page", "/assets/style.css", "/api/openapi.json"].map(str::to_owned));
    let mut wrong = Vec::new();
    for (signed_in, client) in [(true, b.client.clone()), (false, app.client())] {
        for path in &paths {
            let resp = client.get(app.url(path)).send().await.expect("get");
            let status = resp.status();
            assert!(!status.is_server_error(), "GET {path}: {status}");
            let h = resp.headers();
            let header = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let csp = header("content-security-policy");
            let problems = [
                (csp.contains("default-src 'self'"), "a CSP with default-src 'self'"),
                (
                    !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
                    "no unsafe-inline or unsafe-eval",
                ),
                (csp.contains("frame-ancestors 'none'"), "frame-ancestors 'none'"),
                (header("x-content-type-options") == "nosniff", "X-Content-Type-Options: nosniff"),
                (header("referrer-policy") == "same-origin", "Referrer-Policy: same-origin"),
                (
                    header("cache-control") == "no-store"
                        || path.starts_with("/assets/")
                        || ["/favicon.ico", "/robots.txt", "/sitemap.xml", "/manifest.webmanifest"]
                            .contains(&path.as_str()),
                    "Cache-Control: no-store (pages and API answers may hold secrets)",
                ),
                (header("strict-transport-security").is_empty(), "no HSTS over plain http"),
            ];
            for (ok, what) in problems {
                if !ok {
                    wrong.push(format!("GET {path} (signed in: {signed_in}, {status}) lacks {what}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // A new token is shown once: no cache may keep the answer.
    let body = serde_json::json!({"email": "hal@example.org", "password": PASSWORD, "name": "laptop"});
    let resp = app.client().post(app.url("/api/v1/tokens")).json(&body).send().await.expect("post");
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn with_an_https_address_every_response_asks_for_https_for_a_year() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://alongside.example".into())).await;
    let mut paths: BTreeSet<String> =
        source_routes().into_iter().filter(|(m, _)| m == "GET").map(|(_, p)| filled(&p)).collect();
    paths.extend(["/", "/no/such/page", "/assets/style.css", "/api/v1/nothing"].map(str::to_owned));
    let mut wrong = Vec::new();
    for path in &paths {
        let resp = app.client().get(app.url(path)).send().await.expect("get");
        let sts = resp.headers().get("strict-transport-security").and_then(|v| v.to_str().ok());
        let max_age = sts
            .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("max-age=")))
            .and_then(|a| a.parse::<u64>().ok());
        if max_age.is_none_or(|a| a < 31_536_000) {
            wrong.push(format!("GET {path} ({}): {sts:?}", resp.status()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Shannon entropy per character of all the strings together, in bits.
fn bits_per_char(all: &[String]) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    let mut n = 0usize;
    for s in all {
        for c in s.chars() {
            *counts.entry(c).or_default() += 1;
            n += 1;
        }
    }
    counts.values().map(|&k| k as f64 / n as f64).map(|p| -p * p.log2()).sum()
}

#[tokio::test]
async fn tokens_and_session_ids_are_long_random_and_never_repeat() {
    let app = TestApp::spawn().await;
    let m = app.member("Tia").await;
    // API tokens: 256 random bits after the prefix, in URL-safe base64.
    let mut tokens = Vec::new();
    for i in 0..120 {
        let body = serde_json::json!({"email": m.email, "password": PASSWORD, "name": format!("t{i}")});
        let (s, t) = app.post_json("/api/v1/tokens", None, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let t = t["token"].as_str().expect("token");
        let secret = t.strip_prefix("alng_").expect("prefixed").to_owned();
        tokens.push(secret);
    }
    // Session and CSRF cookies: one of each per browser.
    let mut sessions = Vec::new();
    let mut nonces = Vec::new();
    for _ in 0..60 {
        let b = app.browser().await;
        let page = b.login(&m.email, PASSWORD).await;
        let value = |name: &str| {
            page.set_cookies
                .iter()
                .find_map(|c| c.strip_prefix(&format!("{name}=")))
                .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        };
        sessions.push(value("alng_session").expect("a session cookie"));
        nonces.push(b.csrf.clone());
    }
    for (what, all) in [("API tokens", &tokens), ("session ids", &sessions), ("CSRF tokens", &nonces)] {
        let distinct: HashSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "{what} repeat");
        for s in all.iter() {
            assert!(s.len() >= 43, "{what}: at least 256 bits in base64, got {s:?}");
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{what}: {s:?}");
        }
        // Random base64 carries close to 6 bits a character; anything patterned carries less.
        let bits = bits_per_char(all);
        assert!(bits > 5.8, "{what} carry {bits:.2} bits per character");
    }
}

#[tokio::test]
async fn names_and_titles_refuse_characters_that_change_how_they_read() {
    let app = TestApp::spawn().await;
    let m = crate::support::TestApp::member(&app, "Ana").await;
    let reversed = "Invoice \u{202E}gpj.exe";
    let hidden = "Ana\u{200B}Sousa";
    let (s, body) =
        app.patch_json("/api/v1/me", &m.token, &serde_json::json!({"display_name": hidden})).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["display_name".to_owned()])
    );
    let event = serde_json::json!({"kind": "cowork", "title": reversed, "time_zone": "UTC",
                                   "starts_at_local": "2027-05-04T10:00", "virtual": {}});
    let (s, body) = app.post_json("/api/v1/events", Some(&m.token), &event).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["title".to_owned()])
    );
    let group = serde_json::json!({"name": reversed, "description": "d", "topics": ["coworking"], "city": "Lisbon",
                                   "time_zone": "Europe/Lisbon", "visibility": "open"});
    let (s, body) = app.post_json("/api/v1/groups", Some(&m.token), &group).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_owned()])
    );
    let venue = serde_json::json!({"name": "Caf\u{FEFF}é", "kind": "cafe", "city": "Lisbon, Portugal",
                                   "lat": 38.72, "lon": -9.15, "noise": 2});
    let (s, body) = app.post_json("/api/v1/venues", Some(&m.token), &venue).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(crate::support::error_fields(&body).contains(&"name".to_owned()), "{body}");
    // Joiners stay: an emoji sequence and a Persian name are names.
    let (s, body) = app
        .patch_json(
            "/api/v1/me",
            &m.token,
            &serde_json::json!({"display_name": "👩\u{200D}💻 می\u{200C}خواهم"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}
