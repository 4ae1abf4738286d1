//! Bulk mail (a roster's invitations) waits behind personal mail, keeps to the rate's count, and
//! is dropped when its addressee asks for no mail.

use store::testing::TestDatabase;
use store::Db;

async fn bulk(db: &Db, id: &str, to: &str, at: i64) {
    sqlx::query(
        "INSERT INTO outbox (id, to_addr, subject, body_text, unsubscribe_url, next_attempt_at, created_at, bulk) \
         VALUES ($1, $2, 'Invitation', 'Join us', '', $3, $3, 1)",
    )
    .bind(id)
    .bind(to)
    .bind(at)
    .execute(db.write())
    .await
    .expect("bulk mail");
}

#[tokio::test]
async fn personal_mail_goes_first_and_an_opt_out_drops_what_waits_for_it() {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    bulk(&db, "b1", "vera@example.org", 1_000).await;
    bulk(&db, "b2", "wes@example.org", 1_000).await;
    let reset = db.enqueue_mail("ana@example.org", "Reset", "link", 2_000).await.expect("personal");

    let first = db.claim_mail(3_000, 60_000, 1).await.expect("claim");
    assert_eq!(
        first.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [reset.as_str()],
        "queued later, sent first"
    );
    assert_eq!(
        db.mail_sent_since(0, 3_000).await.expect("count"),
        1,
        "a leased message counts against the rate"
    );
    db.mail_sent(&reset, 3_500).await.expect("sent");
    assert_eq!(db.mail_sent_since(3_000, 4_000).await.expect("count"), 1);
    assert_eq!(
        db.mail_sent_since(3_600, 4_000).await.expect("count"),
        0,
        "a minute later it is gone from the count"
    );

    db.opt_out("Vera@Example.org", 4_000).await.expect("opt out");
    assert!(db.opted_out("vera@example.org").await.expect("read"));
    db.opt_out("vera@example.org", 5_000).await.expect("twice is fine");
    let rest = db.claim_mail(6_000, 60_000, 10).await.expect("claim");
    assert_eq!(rest.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["b2"], "hers was dropped");
    assert_eq!(db.mail_status("b1").await.expect("status").map(|s| s.0), Some("stopped".to_owned()));
}
