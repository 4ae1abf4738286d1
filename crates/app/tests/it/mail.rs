//! Mail goes through the outbox to a real SMTP server on 127.0.0.1, or to .eml files, and
//! survives an SMTP outage by retrying.

use std::time::Duration;

use app::config::Secret;
use reqwest::StatusCode;

use crate::support::{reset_link, SmtpSink, TestApp};

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
async fn mail_waits_in_the_outbox_while_smtp_is_down_and_goes_when_it_is_back() {
    let port = SmtpSink::free_port();
    let app =
        TestApp::spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")))).await;
    let b = app.browser().await;
    b.signup("Yan", "yan@example.org").await;
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
    b.signup("Zia", "zia@example.org").await;
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
