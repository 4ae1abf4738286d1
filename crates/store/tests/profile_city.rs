//! A profile's city can be cleared and set again, over and over, on every connection: a missing
//! latitude and a present one go through the same statement on both backends (see
//! `users::bind_double`: on PostgreSQL a missing double had been declared as a float4, and the
//! next city set on that connection failed).

use store::testing::TestDatabase;
use store::users::{CityRef, NewUser, ProfileUpdate};
use store::Db;

#[tokio::test]
async fn a_city_is_cleared_and_set_again_on_every_connection() {
    let t = TestDatabase::create().await;
    let db = Db::connect(&t.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let new = NewUser {
        email: "c@example.org",
        password_hash: "h",
        display_name: "Rui",
        timezone: "UTC",
        admin_if_first: false,
    };
    let user = db.create_user(new, 0).await.expect("user");
    let lisbon = CityRef {
        id: 2267057,
        label: "Lisbon, Portugal".into(),
        key: "lisbon".into(),
        lat: 38.71667,
        lon: -9.13333,
    };
    let profile = |city: Option<CityRef>| ProfileUpdate {
        display_name: "Rui".into(),
        trade: String::new(),
        bio: String::new(),
        city,
        timezone: "UTC".into(),
        in_person: true,
        is_virtual: true,
        session_minutes: 90,
        company: "either".into(),
        home_radius_m: 1000,
        visibility: std::array::from_fn(|_| "everyone".to_owned()),
        offers: Vec::new(),
        needs: Vec::new(),
        windows: Vec::new(),
    };
    // More rounds than the pool has connections, and a pattern (clear, set, set) that no pool size
    // lines up with, so some connection sees a clear, then a set.
    for round in 0..36 {
        let city = (round % 3 != 0).then(|| lisbon.clone());
        db.update_profile(&user.id, &profile(city), round).await.expect("the profile is saved");
    }
    let u = db.user(&user.id).await.expect("db").expect("user");
    assert_eq!((u.lat, u.lon), (Some(38.71667), Some(-9.13333)));
}
