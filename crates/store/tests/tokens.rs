//! An API token notes when it was last used, at most once a minute, on both backends.

use store::testing::TestDatabase;
use store::users::NewUser;
use store::Db;

#[tokio::test]
async fn a_token_notes_its_last_use_once_a_minute() {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let new = NewUser {
        email: "t@example.org",
        password_hash: "h",
        display_name: "Token owner",
        timezone: "UTC",
        admin_if_first: false,
    };
    let user = db.create_user(new, 0).await.expect("user");
    db.create_token(&user.id, "cli", "hash-1", "alng_ab", 1_000).await.expect("token");
    let last_used = |db: &Db| {
        let db = db.clone();
        let id = user.id.clone();
        async move { db.tokens(&id).await.expect("tokens")[0].last_used_at }
    };
    assert_eq!(last_used(&db).await, None, "a new token was never used");

    let found = db.token_user("hash-1", 100_000).await.expect("lookup").expect("a live token");
    assert_eq!(found.id, user.id);
    assert_eq!(last_used(&db).await, Some(100_000), "the first use is noted");

    db.token_user("hash-1", 130_000).await.expect("lookup").expect("a live token");
    assert_eq!(last_used(&db).await, Some(100_000), "within a minute nothing is written");

    db.token_user("hash-1", 170_000).await.expect("lookup").expect("a live token");
    assert_eq!(last_used(&db).await, Some(170_000), "after a minute the use is noted again");

    assert!(db.token_user("hash-2", 170_000).await.expect("lookup").is_none(), "unknown token");
}
