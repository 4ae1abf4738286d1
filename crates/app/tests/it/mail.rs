//! Mail goes through the outbox to a real SMTP server on 127.0.0.1, or to .eml files, and
//! survives an SMTP outage by retrying.

use std::time::Duration;

use app::config::Secret;
use reqwest::StatusCode;

use serde_json::json;

use crate::support::{reset_link, SmtpSink, TestApp, PASSWORD};

#[tokio::test]
async fn reset_mail_is_delivered_over_smtp() {
    let port = SmtpSink::free_port();
    let sink = SmtpSink::start(port);
    let app =
        TestApp::spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")))).await;
    let b = app.browser().await;
    b.signup("Xia", "xia@example.org").await;
    assert_eq!(b.post("/reset", &[("email", "xia@example.org")]).await.status, StatusCode::SEE_OTHER);
    let got = sink.wait_for(1).await;
    assert!(got[0].contains("To: xia@example.org"), "{}", got[0]);
    assert!(got[0].contains("Subject: Reset your Alongside password"));
    let link = reset_link(&got[0]);
    assert!(link.starts_with(&app.base), "{link}");
    assert!(std::fs::read_dir(&app.mail_dir).is_err(), "nothing written to files when SMTP is set");
}

#[tokio::test]
async fn a_notification_arrives_over_smtp_with_both_parts_and_a_one_click_unsubscribe() {
    let port = SmtpSink::free_port();
    let sink = SmtpSink::start(port);
    let app =
        TestApp::spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")))).await;
    let (ana, bo) = (app.member("Ana").await, app.member("Bo").await);
    let body = json!({"member_id": ana.id, "kind": "coworking"});
    let (s, body) = app.post_json("/api/v1/partnerships", Some(&bo.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let mut mail = None;
    for n in 1..=10 {
        let got = sink.wait_for(n).await;
        mail = got.into_iter().find(|m| m.contains("coworking partner"));
        if mail.is_some() {
            break;
        }
    }
    let mail = mail.expect("the partner request mail").replace("=\r\n", "");
    let headers = mail.split("\r\n\r\n").next().expect("headers");
    assert!(headers.contains(&format!("To: {}", ana.email)), "{headers}");
    assert!(headers.contains("From: Alongside <no-reply@alongside.localhost>"), "{headers}");
    assert!(headers.contains("Content-Type: multipart/alternative"), "{headers}");
    let unsubscribe = format!("List-Unsubscribe: <{}/unsubscribe/{}.partner_request.", app.base, ana.id);
    assert!(headers.contains(&unsubscribe), "{headers}");
    assert!(headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{headers}");
    let (text, html) = (mail.find("Content-Type: text/plain"), mail.find("Content-Type: text/html"));
    assert!(text.is_some_and(|t| html.is_some_and(|h| t < h)), "plain text first, then HTML: {mail}");
    assert!(mail.contains("Stop these emails:"), "{mail}");
}

#[tokio::test]
async fn mail_waits_in_the_outbox_while_smtp_is_down_and_goes_when_it_is_back() {
    let port = SmtpSink::free_port();
    let app =
        TestApp::spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")))).await;
    let b = app.browser().await;
    app.member_at("Yan", "yan@example.org").await;
    b.post("/reset", &[("email", "yan@example.org")]).await;
    // Wait until the job has tried and failed once.
    let mut status = None;
    for _ in 0..200 {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM outbox").fetch_all(app.state.db.read()).await.expect("db");
        if let Some((id,)) = rows.first() {
            status = app.state.db.mail_status(id).await.expect("db").map(|s| (id.clone(), s));
            if status.as_ref().is_some_and(|(_, s)| s.1 >= 1 && s.2.is_some()) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (id, (state, attempts, error)) = status.expect("a queued mail");
    assert_eq!(state, "pending", "kept for a retry");
    assert_eq!(attempts, 1);
    assert!(error.is_some());
    assert_eq!(app.state.db.outbox_depth().await.expect("db").pending, 1);
    // The server comes back; make the retry due now rather than in 30 s, then let the job run.
    let sink = SmtpSink::start(port);
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE id = $1")
        .bind(&id)
        .execute(app.state.db.write())
        .await
        .expect("db");
    app.state.mail_wakeup.notify_one();
    let got = sink.wait_for(1).await;
    assert!(got[0].contains("yan@example.org"));
    for _ in 0..100 {
        if app.state.db.mail_status(&id).await.expect("db").is_some_and(|s| s.0 == "sent") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the mail was never marked sent");
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    app.member_at("Zia", "zia@example.org").await;
    b.login("zia@example.org", crate::support::PASSWORD).await;
    b.post("/reset", &[("email", "zia@example.org")]).await;
    let mails = app.mails(1).await;
    assert!(mails[0].contains("Subject: Reset your Alongside password"));
    let files: Vec<_> = std::fs::read_dir(&app.mail_dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    // Once sent, the body (with its one-time link) is not kept; deleting the account removes
    // the rest of the row too.
    let mut bodies: Vec<(String, String)> = Vec::new();
    for _ in 0..100 {
        bodies = sqlx::query_as("SELECT status, body_text FROM outbox")
            .fetch_all(app.state.db.read())
            .await
            .expect("db");
        if bodies.iter().all(|(s, _)| s == "sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(bodies, vec![("sent".to_owned(), String::new())]);
    let page =
        b.post("/settings/delete", &[("password", crate::support::PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let (left,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(app.state.db.read()).await.expect("db");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_refusal_for_good_is_a_dead_letter_at_once() {
    use std::sync::atomic::Ordering::SeqCst;
    let port = SmtpSink::free_port();
    let sink = SmtpSink::start(port);
    sink.no_mailbox.store(true, SeqCst);
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")));
        c.mail_retry_ms = 20;
        c.mail_poll_ms = 20;
    })
    .await;
    let ben = app.member("Ben").await;
    let b = app.browser().await;
    assert_eq!(b.post("/reset", &[("email", ben.email.as_str())]).await.status, StatusCode::SEE_OTHER);
    let mut dead = Vec::new();
    for _ in 0..200 {
        dead = app.state.db.dead_letters(10).await.expect("db");
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dead.len(), 1, "refused {}", sink.refused.load(SeqCst));
    assert_eq!(dead[0].attempts, 1, "not retried");
    assert!(dead[0].last_error.as_deref().is_some_and(|e| e.contains("550")), "{:?}", dead[0].last_error);
    // The retry interval passes many times over; nothing more is tried.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.refused.load(SeqCst), 1);
}

#[tokio::test]
async fn a_refusing_server_is_retried_until_a_dead_letter_that_an_admin_sends_again() {
    use std::sync::atomic::Ordering::SeqCst;
    let port = SmtpSink::free_port();
    let sink = SmtpSink::start(port);
    sink.refuse.store(true, SeqCst);
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")));
        c.mail_retry_ms = 20;
        c.mail_max_attempts = 3;
        c.mail_poll_ms = 20;
    })
    .await;
    let admin = app.member("Ada").await;
    let ben = app.member("Ben").await;
    assert_eq!(
        app.state.db.user(&admin.id).await.expect("db").expect("ada").is_admin,
        1,
        "the first account"
    );
    let b = app.browser().await;
    assert_eq!(b.post("/reset", &[("email", ben.email.as_str())]).await.status, StatusCode::SEE_OTHER);

    // Three refusals, then it is given up on.
    let mut dead = Vec::new();
    for _ in 0..200 {
        dead = app.state.db.dead_letters(10).await.expect("db");
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows: Vec<(String, String, i64, Option<String>)> =
        sqlx::query_as("SELECT to_addr, status, attempts, last_error FROM outbox")
            .fetch_all(app.state.db.read())
            .await
            .expect("db");
    assert_eq!(dead.len(), 1, "one dead letter: {rows:?} refused {}", sink.refused.load(SeqCst));
    assert_eq!((dead[0].to_addr.as_str(), dead[0].attempts), (ben.email.as_str(), 3));
    assert!(dead[0].last_error.as_deref().is_some_and(|e| e.contains("451")), "{:?}", dead[0].last_error);
    assert_eq!(sink.refused.load(SeqCst), 3);
    assert!(sink.received.lock().expect("lock").is_empty());

    // Only an admin sees it, on the page and through the API.
    let (s, outbox) = app.get_json("/api/v1/admin/outbox", Some(&admin.token)).await;
    assert_eq!(s, StatusCode::OK, "{outbox}");
    assert_eq!(
        (outbox["dead"].clone(), outbox["dead_letters"][0]["to_addr"].clone()),
        (json!(1), json!(ben.email))
    );
    let (s, _) = app.get_json("/api/v1/admin/outbox", Some(&ben.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let ada = app.browser().await;
    ada.login(&admin.email, PASSWORD).await;
    let page = ada.get("/admin/outbox").await;
    assert!(
        page.body.contains("Reset your Alongside password") && page.body.contains("Send again"),
        "{}",
        page.body
    );
    let them = app.browser().await;
    them.login(&ben.email, PASSWORD).await;
    assert_eq!(them.get("/admin/outbox").await.status, StatusCode::NOT_FOUND);
    assert!(!them.get("/dashboard").await.body.contains("/admin/outbox"), "no Admin link for members");

    // The server takes mail again; the admin sends it again, and it arrives, text and HTML.
    sink.refuse.store(false, SeqCst);
    let id = dead[0].id.clone();
    let (s, _) =
        app.post_json(&format!("/api/v1/admin/outbox/{id}/retry"), Some(&ben.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let again = ada.post(&format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(again.location.as_deref(), Some("/admin/outbox"));
    let got = sink.wait_for(1).await;
    assert!(got[0].contains(&ben.email) && got[0].contains("multipart/alternative"), "{}", got[0]);
    assert!(got[0].contains("text/plain") && got[0].contains("text/html"), "{}", got[0]);
    let (s, _) =
        app.post_json(&format!("/api/v1/admin/outbox/{id}/retry"), Some(&admin.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not a dead letter any more");
}

#[tokio::test]
async fn a_restart_loses_no_queued_mail_and_sends_it_once() {
    let port = SmtpSink::free_port();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")));
        c.mail_retry_ms = 100;
    })
    .await;
    let b = app.browser().await;
    app.member_at("Rui", "rui@example.org").await;
    b.post("/reset", &[("email", "rui@example.org")]).await;
    // Tried at least once while the server is down, and still waiting.
    let mut tried = false;
    for _ in 0..200 {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, attempts FROM outbox")
            .fetch_all(app.state.db.read())
            .await
            .expect("db");
        if rows.first().is_some_and(|(s, a)| s == "pending" && *a >= 1) {
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(tried, "a first attempt failed");
    // The app stops and a new one starts on the same database, with the mail server up.
    let sink = SmtpSink::start(port);
    let app = app.restart_with(|_| {}).await;
    let got = sink.wait_for(1).await;
    assert!(got[0].contains("rui@example.org") && got[0].contains("Reset your Alongside password"));
    for _ in 0..100 {
        let (status,): (String,) =
            sqlx::query_as("SELECT status FROM outbox").fetch_one(app.state.db.read()).await.expect("db");
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received.lock().expect("lock").len(), 1, "sent once");
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM outbox").fetch_one(app.state.db.read()).await.expect("db");
    assert_eq!(status, "sent");
}
