//! What the store's integration tests share: a fresh database, members, an event's fields.

#![allow(dead_code)]

use store::events::EventFields;
use store::testing::TestDatabase;
use store::users::NewUser;
use store::Db;

/// A migrated database of its own; keep the `TestDatabase` alive while it is used.
pub async fn fresh() -> (TestDatabase, Db) {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    (t, db)
}

/// A new member, "Member {n:02}" in UTC; returns their id.
pub async fn user(db: &Db, n: usize) -> String {
    let email = format!("m{n}@example.org");
    let name = format!("Member {n:02}");
    db.create_user(
        NewUser {
            email: &email,
            password_hash: "h",
            display_name: &name,
            timezone: "UTC",
            admin_if_first: false,
        },
        0,
    )
    .await
    .expect("user")
    .id
}

/// A one-off event at 1,000 ms, ending at 2,000, without a seat limit.
pub fn fields() -> EventFields {
    EventFields {
        kind: "cowork".into(),
        title: "Library table".into(),
        description: String::new(),
        is_virtual: false,
        place_name: "Central library".into(),
        city_id: None,
        city_label: String::new(),
        video_url: String::new(),
        start_local: "2026-12-02T18:00".into(),
        time_zone: "Europe/Lisbon".into(),
        duration_minutes: 90,
        rrule: String::new(),
        exdates: String::new(),
        first_start_at: 1_000,
        last_end_at: Some(2_000),
        capacity: None,
        visibility: "public".into(),
        group_id: None,
        venue_id: None,
        venue_rotation: String::new(),
    }
}
