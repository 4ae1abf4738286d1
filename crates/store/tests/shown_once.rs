//! A secret made on a page is kept for its session until shown once, five minutes at most: read
//! once, gone after; never read, deleted once its time is up; gone with the session.

use store::testing::TestDatabase;
use store::users::NewUser;
use store::Db;

#[tokio::test]
async fn a_secret_is_shown_once_and_never_outlives_its_time_or_its_session() {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let new = NewUser {
        email: "s@example.org",
        password_hash: "h",
        display_name: "Secret keeper",
        timezone: "UTC",
        admin_if_first: false,
    };
    let user = db.create_user(new, 0).await.expect("user");
    for s in ["session-a", "session-b"] {
        db.create_session_on(s, &user.id, "test", 0, 10_000_000).await.expect("session");
    }
    let count = |db: &Db| {
        let db = db.clone();
        async move {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM shown_once").fetch_one(db.read()).await.expect("count");
            n
        }
    };
    // Read once, then gone; another session never sees it.
    db.keep_shown_once("session-a", "token", "alng_secret", 1_000, 301_000).await.expect("keep");
    assert_eq!(db.take_shown_once("session-b", "token", 2_000).await.expect("take"), None);
    assert_eq!(
        db.take_shown_once("session-a", "token", 2_000).await.expect("take").as_deref(),
        Some("alng_secret")
    );
    assert_eq!(db.take_shown_once("session-a", "token", 2_000).await.expect("take"), None);
    // Never read: not shown once its time is up, and deleted by the next secret kept.
    db.keep_shown_once("session-a", "feed", "https://x/feeds/alcal_1", 1_000, 301_000).await.expect("keep");
    db.keep_shown_once("session-b", "token", "alng_other", 400_000, 700_000).await.expect("keep");
    assert_eq!(count(&db).await, 1, "the stale feed address is gone");
    // Gone with its session.
    db.delete_session("session-b").await.expect("sign out");
    assert_eq!(count(&db).await, 0);
}
