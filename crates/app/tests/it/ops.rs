//! Health, readiness, metrics, the OpenAPI document, headers, errors, graceful shutdown.

use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let c = app.client();
    assert_eq!(c.get(app.url("/healthz")).send().await.expect("get").status(), StatusCode::OK);
    assert_eq!(c.get(app.url("/readyz")).send().await.expect("get").text().await.expect("text"), "ready");
    c.get(app.url("/login")).send().await.expect("get");
    app.state.db.enqueue_mail("x@example.org", "s", "b", i64::MAX / 2).await.expect("future mail");
    let metrics = c.get(app.url("/metrics")).send().await.expect("get").text().await.expect("text");
    assert!(
        metrics.contains("alongside_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("alongside_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("alongside_jobs_queue_depth{queue=\"mail\",state=\"pending\"} 1"), "{metrics}");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.state.db.close().await;
    let resp = app.client().get(app.url("/readyz")).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.client().get(app.url("/healthz")).send().await.expect("get").status(), StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_pinned() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in
        ["/api/v1/accounts", "/api/v1/tokens", "/api/v1/me", "/api/v1/members", "/api/v1/members/{id}"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_pages_are_friendly() {
    let app = TestApp::spawn().await;
    let resp = app.client().get(app.url("/")).send().await.expect("get");
    let h = resp.headers();
    assert!(h["content-security-policy"].to_str().expect("csp").contains("default-src 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("x-request-id"));
    let missing = app.client().get(app.url("/no/such/page")).send().await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.expect("text").contains("find that page"));
    let css = app.client().get(app.url("/assets/style.css")).send().await.expect("get");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let htmx = app.client().get(app.url("/assets/htmx.min.js")).send().await.expect("get");
    assert!(htmx.text().await.expect("text").contains("htmx"), "vendored, served from the binary");
}

#[tokio::test]
async fn times_on_pages_are_in_the_viewers_zone() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Wen", "wen@example.org").await;
    let user = app.state.db.user_by_email("wen@example.org").await.expect("db").expect("user");
    b.post("/settings/tokens", &[("name", "zone check")]).await;
    let p = app.state.db.profile(&user.id).await.expect("db").expect("profile");
    let mut update = app::profiles::edit::unchanged(&p);
    update.timezone = "Asia/Tokyo".into();
    app.state.db.update_profile(&user.id, &update, 0).await.expect("update");
    let dash = b.get("/dashboard").await;
    assert!(dash.body.contains("where you are (Asia/Tokyo)"));
    let created = app.state.db.tokens(&user.id).await.expect("db")[0].created_at;
    let tokyo = app::web::dates::day_time(
        chrono::DateTime::from_timestamp_millis(created).expect("instant"),
        chrono_tz::Asia::Tokyo,
    );
    assert!(!tokyo.contains(&chrono::Utc::now().format("%Y").to_string()), "this year goes unsaid: {tokyo}");
    assert!(b.get("/settings").await.body.contains(&tokyo), "token time shown in Tokyo time");
}

#[tokio::test]
async fn the_server_stops_gracefully() {
    let app = TestApp::spawn().await;
    let url = app.url("/healthz");
    assert_eq!(reqwest::get(&url).await.expect("get").status(), StatusCode::OK);
    app.stop().await;
    assert!(reqwest::get(&url).await.is_err(), "no longer listening");
}

/// Every type the API document describes has a name of its own: two types of one name become one
/// schema in the document, and one of them is described wrongly (schemathesis found partner
/// suggestions described as venue suggestions).
#[test]
fn api_schema_names_are_unique() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                let mut derived = false;
                for line in text.lines().map(str::trim) {
                    if line.starts_with("#[derive(") && line.contains("ToSchema") {
                        derived = true;
                    } else if derived && (line.starts_with("pub struct ") || line.starts_with("pub enum ")) {
                        let name =
                            line.split_whitespace().nth(2).unwrap_or("").trim_end_matches(['{', '(', ';']);
                        out.push((
                            name.split('<').next().unwrap_or(name).to_owned(),
                            path.display().to_string(),
                        ));
                        derived = false;
                    } else if !line.starts_with("#[") && !line.starts_with("///") {
                        derived = false;
                    }
                }
            }
        }
    }
    let mut named = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut named);
    assert!(named.len() > 50, "the API's types were found: {}", named.len());
    let mut seen = std::collections::HashMap::new();
    let mut twice = Vec::new();
    for (name, file) in &named {
        if let Some(other) = seen.insert(name.clone(), file.clone()) {
            twice.push(format!("{name}: {other} and {file}"));
        }
    }
    assert!(twice.is_empty(), "{twice:#?}");
}

#[tokio::test]
async fn every_error_under_the_api_has_the_one_json_shape() {
    let app = TestApp::spawn().await;
    let m = app.member("Ana").await;
    let c = app.client();
    let check = |resp: reqwest::Response, want: u16, what: &'static str| async move {
        assert_eq!(resp.status().as_u16(), want, "{what}");
        let allow = resp.headers().get("allow").map(|v| v.to_str().unwrap_or("").to_owned());
        let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
        let body: serde_json::Value = resp.json().await.unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        assert!(kind.is_some_and(|k| k.starts_with("application/json")), "{what}");
        let detail = body["errors"][0]["detail"].as_str().unwrap_or("");
        assert!(!detail.is_empty(), "{what}: {body}");
        allow
    };
    check(c.get(app.url("/api/v1/no-such-thing")).send().await.expect("get"), 404, "an unknown path").await;
    let allow =
        check(c.patch(app.url("/api/v1/tokens")).send().await.expect("patch"), 405, "a wrong method").await;
    assert!(allow.is_some_and(|a| a.contains("GET") && a.contains("POST")), "405 says what is allowed");
    let bad = c.get(app.url("/api/v1/events/%FF%FE")).bearer_auth(&m.token).send().await.expect("get");
    let status = bad.status().as_u16();
    assert!((400..500).contains(&status), "bad path encoding: {status}");
    check(
        c.get(app.url("/api/v1/events/%FF%FE")).bearer_auth(&m.token).send().await.expect("get"),
        status,
        "bad path encoding",
    )
    .await;
    let big = "x".repeat(3 * 1024 * 1024);
    let body = format!("{{\"name\": \"{big}\"}}");
    let resp = c
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post");
    check(resp, 413, "a body over the limit").await;
    let ws = c.get(app.url("/events/x/room/ws?at=1&v=1")).bearer_auth(&m.token).send().await.expect("get");
    let status = ws.status().as_u16();
    assert!((400..500).contains(&status), "a GET that is no upgrade: {status}");
    check(
        c.get(app.url("/events/x/room/ws?at=1&v=1")).bearer_auth(&m.token).send().await.expect("get"),
        status,
        "not an upgrade",
    )
    .await;
    // The Bearer scheme is case-insensitive.
    let lower = c
        .get(app.url("/api/v1/me"))
        .header("authorization", format!("bearer {}", m.token))
        .send()
        .await
        .expect("get");
    assert_eq!(lower.status(), reqwest::StatusCode::OK);
    // Unknown fields are refused, not ignored: marking read takes ids or "all".
    let (s, body) =
        app.post_json("/api/v1/me/notifications/read", Some(&m.token), &serde_json::json!({"id": "x"})).await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) =
        app.post_json("/api/v1/me/notifications/read", Some(&m.token), &serde_json::json!({"ids": []})).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (reqwest::StatusCode::UNPROCESSABLE_ENTITY, vec!["ids".to_owned()])
    );
    let (s, _) = app
        .post_json("/api/v1/me/notifications/read", Some(&m.token), &serde_json::json!({"all": true}))
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    let (s, body) = app
        .post_json(
            "/api/v1/groups",
            Some(&m.token),
            &serde_json::json!({"name": "Circle", "secret_admin": true}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("secret_admin"), "the unknown field is named: {body}");
}

/// Bodies that a page form and the API share refuse unknown fields in the API too; the pages,
/// which send their CSRF token beside the fields, keep working.
#[tokio::test]
async fn bodies_shared_with_pages_refuse_unknown_fields() {
    let app = TestApp::spawn().await;
    let (ana, bo) = (app.member("Ana").await, app.member("Bo").await);
    let extra = |mut v: serde_json::Value| {
        v["admin"] = true.into();
        v
    };
    let cases = [
        ("PUT", "/api/v1/me/bookable-by".to_owned(), serde_json::json!({"value": "everyone"})),
        (
            "POST",
            "/api/v1/help".to_owned(),
            serde_json::json!({"kind": "offer", "skill": "seo", "note": "Audits."}),
        ),
        (
            "POST",
            "/api/v1/help/given".to_owned(),
            serde_json::json!({"member_id": bo.id, "direction": "gave", "hours": "1", "note": "Logo."}),
        ),
        (
            "POST",
            "/api/v1/referrals".to_owned(),
            serde_json::json!({"receiver_id": bo.id, "prospect": "A bakery", "need": "A website", "temperature": "warm"}),
        ),
    ];
    let c = app.client();
    for (method, path, body) in &cases {
        let send = |body: serde_json::Value| {
            let req = if *method == "PUT" { c.put(app.url(path)) } else { c.post(app.url(path)) };
            req.bearer_auth(&ana.token).json(&body).send()
        };
        let r = send(extra(body.clone())).await.expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}");
        let text = r.text().await.expect("text");
        assert!(text.contains("admin"), "the unknown field is named: {text}");
        let r = send(body.clone()).await.expect("send");
        assert!(r.status().is_success(), "{method} {path} without it: {}", r.status());
    }
    let (_, slips) = app.get_json("/api/v1/referrals", Some(&bo.token)).await;
    let slip = slips["received"][0]["id"].as_str().expect("a slip").to_owned();
    let status = format!("/api/v1/referrals/{slip}/status");
    let (s, _) =
        app.post_json(&status, Some(&bo.token), &serde_json::json!({"status": "contacted", "x": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The page form carries its token beside the same fields.
    let b = app.browser().await;
    b.login(&ana.email, crate::support::PASSWORD).await;
    let page = b.post("/help", &[("kind", "request"), ("skill", "vat"), ("note", "Spanish VAT.")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = b.post("/bookings/who-may-book-me", &[("value", "favourites")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test]
async fn the_openapi_document_names_each_operation_once_and_puts_query_parameters_in_the_query() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value =
        app.client().get(app.url("/api/openapi.json")).send().await.expect("get").json().await.expect("json");
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let declared: Vec<String> = path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| s.trim_matches(['{', '}']).to_owned())
            .collect();
        for (method, op) in item.as_object().expect("item") {
            let id = op["operationId"].as_str().expect("an operationId").to_owned();
            assert!(ids.insert(id.clone()), "{id} is used twice");
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().expect("name");
                if p["in"] == "path" {
                    assert!(
                        declared.iter().any(|d| d == name),
                        "{method} {path}: {name} is no path parameter"
                    );
                }
            }
        }
    }
}

/// Sends `head` and `body` on `conn`, and reads one answer's head (up to the blank line).
async fn exchange(conn: &mut tokio::net::TcpStream, head: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    conn.write_all(head.as_bytes()).await.expect("write head");
    // A server that stops reading resets the connection; what it answered still counts.
    let _ = conn.write_all(body).await;
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut buf))
            .await
            .expect("an answer within 10 s")
            .expect("the connection is not reset");
        assert!(n > 0, "closed without an answer");
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn an_answer_given_before_the_body_was_read_keeps_the_connection_usable() {
    let app = TestApp::spawn().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    for _ in 0..20 {
        let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        let body = vec![b'x'; 100_000];
        let head = format!(
            "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let answer = exchange(&mut conn, &head, &body).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        // The same connection carries the next request.
        let next = exchange(&mut conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"").await;
        assert!(next.contains("HTTP/1.1 200"), "{next}");
    }
    // A body over the limit is answered 413, and the connection still carries the next request.
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let body = vec![b'x'; 8 * 1024 * 1024];
    let head = format!(
        "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let answer = exchange(&mut conn, &head, &body).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let next = exchange(&mut conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"").await;
    assert!(next.contains("HTTP/1.1 200"), "{next}");
    // A body that stops coming is not waited for: the answer says the connection closes.
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let head = "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    let answer = exchange(&mut conn, head, b"{\"title\":").await.to_lowercase();
    assert!(answer.starts_with("http/1.1 401") && answer.contains("connection: close"), "{answer}");
}

#[tokio::test]
async fn the_site_has_an_icon_where_browsers_look_for_it() {
    let app = TestApp::spawn().await;
    for path in ["/favicon.ico", "/assets/icon.svg"] {
        let resp = app.client().get(app.url(path)).send().await.expect("get");
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "{path}");
        assert_eq!(resp.headers()["content-type"], "image/svg+xml", "{path}");
        assert!(resp.text().await.expect("body").starts_with("<svg"), "{path}");
    }
    let home = app.client().get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(
        home.contains(r#"<link rel="icon" href="/assets/icon.svg""#)
            || home.contains(r#"<link rel="icon" href="&#x2f;assets&#x2f;icon.svg""#),
        "the pages name it"
    );
}

#[tokio::test]
async fn icons_come_from_one_bundled_sprite() {
    let app = TestApp::spawn().await;
    let resp = app.client().get(app.url("/assets/icons.svg")).send().await.expect("get");
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    let sprite = resp.text().await.expect("body");
    let b = app.browser().await;
    b.signup("Ana", "ana@example.org").await;
    let page = b.get("/dashboard").await.body;
    let used: std::collections::BTreeSet<&str> =
        page.split("/assets/icons.svg#").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert!(used.contains("bell") && used.contains("menu"), "{used:?}");
    for name in used {
        assert!(sprite.contains(&format!("<symbol id=\"{name}\"")), "{name} is in the sprite");
    }
    assert!(!page.contains("<path"), "no icon is drawn inline");
}

#[tokio::test]
async fn api_bodies_read_as_the_document_says() {
    let app = TestApp::spawn().await;
    let m = app.member("Ana").await;
    // JSON Schema counts 2.0 as an integer; 2.5 is not one.
    let (s, body) =
        app.put_json("/api/v1/me/accountability", &m.token, &serde_json::json!({"pause_weeks": 2.0})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) =
        app.put_json("/api/v1/me/accountability", &m.token, &serde_json::json!({"pause_weeks": 2.5})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A body is an object: serde alone would read a struct from an array.
    let (s, body) =
        app.put_json("/api/v1/me/notification-preferences", &m.token, &serde_json::json!([])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(crate::support::error_fields(&body), ["body"]);
    // A yes-or-no filter is one or the other, never read as no.
    let (s, body) = app.get_json("/api/v1/venues?wifi=maybe", Some(&m.token)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(crate::support::error_fields(&body), ["wifi"]);
    let (s, body) = app.get_json("/api/v1/venues?wifi=on&quiet=false", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}
