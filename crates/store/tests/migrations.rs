//! The two backends' migrations stay in step, and the store behaves the same on both.

use std::collections::BTreeSet;
use std::path::Path;

use store::testing::TestDatabase;
use store::users::NewUser;
use store::Db;

fn names(dir: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
    std::fs::read_dir(path)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same file names");
}

async fn fresh() -> (TestDatabase, Db) {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (t, db)
}

#[tokio::test]
async fn migrating_twice_is_harmless_and_the_first_account_is_admin() {
    let (_t, db) = fresh().await;
    db.migrate().await.expect("second migrate");
    // Demo members come first but never become admin.
    let demo = db
        .create_user(
            NewUser {
                email: "d@x.org",
                password_hash: "h",
                display_name: "D",
                timezone: "UTC",
                admin_if_first: false,
            },
            0,
        )
        .await
        .expect("demo");
    assert_eq!(demo.is_admin, 0);
    let a = db
        .create_user(
            NewUser {
                email: "a@x.org",
                password_hash: "h",
                display_name: "A",
                timezone: "UTC",
                admin_if_first: true,
            },
            1,
        )
        .await
        .expect("first");
    let b = db
        .create_user(
            NewUser {
                email: "b@x.org",
                password_hash: "h",
                display_name: "B",
                timezone: "UTC",
                admin_if_first: true,
            },
            2,
        )
        .await
        .expect("second");
    assert_eq!((a.is_admin, b.is_admin), (1, 0));
    let dup = db
        .create_user(
            NewUser {
                email: "a@x.org",
                password_hash: "h",
                display_name: "A2",
                timezone: "UTC",
                admin_if_first: true,
            },
            3,
        )
        .await;
    assert!(matches!(dup, Err(store::StoreError::Conflict(_))), "{dup:?}");
}

#[tokio::test]
async fn unsupported_and_unreachable_urls_fail_clearly() {
    let e = Db::connect("mysql://localhost/x").await.expect_err("mysql is not supported");
    assert!(e.to_string().contains("unsupported DATABASE_URL scheme"), "{e}");
    let e = Db::connect("postgres://nobody:secret@127.0.0.1:1/none")
        .await
        .expect_err("nothing listens on port 1");
    let shown = e.to_string();
    assert!(shown.contains("cannot open the database"), "{shown}");
    assert!(!shown.contains("secret"), "the password must not be shown: {shown}");
}

#[tokio::test]
async fn a_leased_mail_is_not_claimed_twice_and_retries_after_its_backoff() {
    let (_t, db) = fresh().await;
    let id = db.enqueue_mail("a@x.org", "Hi", "Body", 1_000).await.expect("queue");
    let first = db.claim_mail(1_000, 60_000, 10).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(db.claim_mail(1_001, 60_000, 10).await.expect("claim again").is_empty(), "leased");
    db.mail_failed(&id, "connection refused", Some(31_000)).await.expect("fail");
    assert!(db.claim_mail(30_000, 60_000, 10).await.expect("too early").is_empty());
    let again = db.claim_mail(31_000, 60_000, 10).await.expect("due");
    assert_eq!(again[0].attempts, 2);
    db.mail_sent(&id, 32_000).await.expect("sent");
    assert_eq!(db.outbox_depth().await.expect("depth").pending, 0);
    assert_eq!(db.mail_status(&id).await.expect("status").map(|s| s.0), Some("sent".into()));
}

#[tokio::test]
async fn concurrent_claims_share_out_the_mail_without_overlap() {
    let (_t, db) = fresh().await;
    for i in 0..40 {
        db.enqueue_mail(&format!("m{i}@x.org"), "s", "b", 0).await.expect("queue");
    }
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let batch = db.claim_mail(10, 60_000, 3).await.expect("claim");
                    if batch.is_empty() {
                        return got;
                    }
                    got.extend(batch.into_iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let unique: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 40, "every message claimed once");
    assert_eq!(unique.len(), 40, "no message claimed twice");
}
