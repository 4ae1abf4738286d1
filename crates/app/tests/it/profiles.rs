//! Profiles: every C1 field, validation, visibility, coordinates kept private, blocking.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{error_fields, TestApp};

#[tokio::test]
async fn every_profile_field_round_trips_and_the_zone_follows_the_city() {
    let app = TestApp::spawn().await;
    let m = app.member("Olu").await;
    let (s, me) = app
        .patch_json(
            "/api/v1/me",
            &m.token,
            &json!({
                "display_name": "Olu Mensah", "trade": "Copywriter", "bio": "Words for small brands.",
                "skills_offered": ["Copywriting", " editing ", "copywriting"], "help_wanted": ["SEO"],
                "city": "Lisbon", "in_person": true, "virtual": false, "session_minutes": 50,
                "company": "quiet", "home_radius_m": 1500,
                "windows": [{"weekday": 2, "start_min": 1080, "end_min": 1200}, {"weekday": 0, "start_min": 540, "end_min": 720}],
                "visibility": {"bio": "partners", "availability": "groups"}
            }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["display_name"], "Olu Mensah");
    assert_eq!(me["skills_offered"], json!(["copywriting", "editing"]));
    assert_eq!(me["help_wanted"], json!(["seo"]));
    assert_eq!(me["city"], "Lisbon, Portugal");
    assert_eq!(me["timezone"], "Europe/Lisbon", "the zone defaults from the city");
    assert_eq!(me["virtual"], false);
    assert_eq!(me["session_minutes"], 50);
    assert_eq!(me["company"], "quiet");
    assert_eq!(me["home_radius_m"], 1500);
    assert_eq!(me["availability"], "Mon 09:00-12:00, Wed 18:00-20:00");
    assert_eq!(me["visibility"]["bio"], "partners");
    assert_eq!(me["visibility"]["trade"], "everyone");
    assert!(me.get("lat").is_none() && !me.to_string().contains("38.7"), "no coordinates: {me}");
    // An explicit zone wins over the city's; fields left out stay.
    let (_, me) = app.patch_json("/api/v1/me", &m.token, &json!({"timezone": "America/New_York"})).await;
    assert_eq!(me["timezone"], "America/New_York");
    assert_eq!(me["trade"], "Copywriter");
    let (_, me) = app.patch_json("/api/v1/me", &m.token, &json!({"city": ""})).await;
    assert!(me["city"].is_null());
}

#[tokio::test]
async fn bad_profile_input_names_each_field_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let m = app.member_with("Pat", json!({"trade": "Illustrator"})).await;
    let (s, body) = app
        .patch_json(
            "/api/v1/me",
            &m.token,
            &json!({
                "display_name": " ", "trade": "x".repeat(81), "city": "Xyzzyville", "timezone": "Mars/Olympus",
                "session_minutes": 60, "company": "loud", "home_radius_m": -5,
                "windows": [{"weekday": 9, "start_min": 0, "end_min": 10}],
                "visibility": {"bio": "nobody", "shoe_size": "everyone"},
                "skills_offered": ["y".repeat(41)]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&body);
    for f in [
        "display_name",
        "trade",
        "city",
        "timezone",
        "session_minutes",
        "company",
        "home_radius_m",
        "windows",
        "visibility.bio",
        "visibility.shoe_size",
        "skills_offered",
    ] {
        assert!(fields.contains(&f.to_owned()), "{f} missing from {fields:?}");
    }
    let (_, me) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(me["trade"], "Illustrator", "nothing saved");
    let (s, body) = app.patch_json("/api/v1/me", &m.token, &json!({"favourite_colour": "green"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {body}");
    let (s, _) = app.patch_json("/api/v1/me", &m.token, &json!({"session_minutes": "fifty"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn others_see_only_what_each_field_allows_and_a_rounded_distance() {
    let app = TestApp::spawn().await;
    let owner = app
        .member_with(
            "Quin",
            json!({"trade": "SEO consultant", "bio": "Secret bio", "city": "Porto", "skills_offered": ["seo"],
                   "windows": [{"weekday": 1, "start_min": 600, "end_min": 660}],
                   "visibility": {"bio": "partners", "availability": "groups"}}),
        )
        .await;
    let viewer = app.member_with("Rui", json!({"city": "Lisbon"})).await;
    let (s, seen) = app.get_json(&format!("/api/v1/members/{}", owner.id), Some(&viewer.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(seen["trade"], "SEO consultant");
    assert!(seen["bio"].is_null(), "partners only");
    assert!(seen["availability"].is_null(), "groups only");
    assert_eq!(seen["city"], "Porto, Portugal");
    assert_eq!(seen["distance_km"], 250, "Lisbon–Porto, rounded");
    assert_eq!(seen["distance"], "about 250 km away");
    let text = seen.to_string();
    assert!(!text.contains("41.1") && !text.contains("lat"), "no coordinates: {text}");
    // The owner sees everything of their own.
    let (_, own) = app.get_json(&format!("/api/v1/members/{}", owner.id), Some(&owner.token)).await;
    assert_eq!(own["bio"], "Secret bio");
    // The page hides the same fields.
    let b = app.browser().await;
    b.signup("Sol", "sol@example.org").await;
    let page = b.get(&format!("/members/{}", owner.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("SEO consultant"));
    assert!(!page.body.contains("Secret bio"));
    assert_eq!(b.get("/members/does-not-exist").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn blocked_members_cannot_see_each_other_until_unblocked() {
    let app = TestApp::spawn().await;
    let a = app.member("Tia").await;
    let c = app.member("Uri").await;
    let resp = app
        .client()
        .post(app.url(&format!("/api/v1/members/{}/block", c.id)))
        .bearer_auth(&a.token)
        .send()
        .await
        .expect("block");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for (viewer, other) in [(&a, &c), (&c, &a)] {
        let (s, _) = app.get_json(&format!("/api/v1/members/{}", other.id), Some(&viewer.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "blocked both ways");
        let (_, list) = app.get_json("/api/v1/members", Some(&viewer.token)).await;
        assert!(!list.to_string().contains(&other.id));
    }
    let (_, export) = app.get_json("/api/v1/me/export", Some(&a.token)).await;
    assert_eq!(export["blocked_members"][0]["id"], c.id.as_str());
    let resp = app
        .client()
        .delete(app.url(&format!("/api/v1/members/{}/block", c.id)))
        .bearer_auth(&a.token)
        .send()
        .await
        .expect("unblock");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, _) = app.get_json(&format!("/api/v1/members/{}", c.id), Some(&a.token)).await;
    assert_eq!(s, StatusCode::OK);
    let resp = app
        .client()
        .post(app.url("/api/v1/members/nobody/block"))
        .bearer_auth(&a.token)
        .send()
        .await
        .expect("block");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_edit_page_shows_errors_by_their_fields_keeps_input_and_saves() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Vi", "vi@example.org").await;
    let form = b.get("/profile/edit").await;
    assert!(form.body.contains("Skills I offer"));
    let fields = |radius: &'static str, city: &'static str, hours: &'static str| {
        vec![
            ("display_name", "Vi"),
            ("trade", "Photographer"),
            ("bio", "Light and people."),
            ("skills_offered", "photography, photo editing"),
            ("help_wanted", "web design"),
            ("city", city),
            ("timezone", ""),
            ("in_person", "yes"),
            ("session_minutes", "90"),
            ("company", "either"),
            ("home_radius_km", radius),
            ("availability", hours),
            ("vis_trade", "everyone"),
            ("vis_bio", "everyone"),
            ("vis_skills", "everyone"),
            ("vis_city", "everyone"),
            ("vis_availability", "everyone"),
            ("vis_preferences", "everyone"),
            ("vis_photo", "everyone"),
            ("vis_email", "groups"),
        ]
    };
    let bad = b.post("/profile/edit", &fields("-3", "Xyzzyville", "Someday 9-10")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("We don't know a city called"));
    assert!(bad.body.contains("is not like"));
    assert!(bad.body.contains("value=\"Photographer\""), "input kept");
    let good = b.post("/profile/edit", &fields("1.5", "Madrid", "Tue 10:00-12:00")).await;
    assert_eq!(good.location.as_deref(), Some("/profile"));
    let profile = b.get("/profile").await;
    assert!(profile.body.contains("Profile saved."));
    assert!(profile.body.contains("Madrid, Spain"));
    assert!(profile.body.contains("photo editing"));
    assert!(profile.body.contains("Tue 10:00-12:00 (Europe/Madrid)"), "zone from the city");
    assert!(profile.body.contains("Mark the venues near your home"));
    let dash = b.get("/dashboard").await;
    assert!(dash.body.contains("Your profile is ready"));
}

#[tokio::test]
async fn city_suggestions_come_from_the_bundled_gazetteer() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    let frag = b.get("/cities?city=lisb").await;
    assert!(frag.body.contains("<option value=\"Lisbon, Portugal\">"), "{}", frag.body);
    let (s, body) = app.get_json("/api/v1/cities?q=portland", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["items"][0]["label"], "Portland, OR, United States");
    assert_eq!(body["items"][0]["timezone"], "America/Los_Angeles");
    let (s, body) = app.get_json("/api/v1/cities?q=x&limit=lots", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["query"]);
    // Out of range is refused, not quietly clamped.
    for limit in ["0", "51"] {
        let (s, body) = app.get_json(&format!("/api/v1/cities?q=lis&limit={limit}"), None).await;
        assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["limit".to_owned()]));
    }
}

#[tokio::test]
async fn members_block_and_unblock_from_the_pages() {
    let app = TestApp::spawn().await;
    let other = app.member_with("Rex", json!({"trade": "Translator"})).await;
    let b = app.browser().await;
    b.signup("Sue", "sue@example.org").await;
    let blocked = b.post(&format!("/members/{}/block", other.id), &[]).await;
    assert_eq!(blocked.location.as_deref(), Some("/settings"));
    assert!(b.get("/settings").await.body.contains("Unblock Rex"));
    assert_eq!(b.get(&format!("/members/{}", other.id)).await.status, StatusCode::NOT_FOUND);
    assert!(!b.get("/members").await.body.contains("Rex"));
    assert_eq!(b.post("/members/nobody/block", &[]).await.status, StatusCode::NOT_FOUND);
    b.post(&format!("/members/{}/unblock", other.id), &[]).await;
    assert_eq!(b.get(&format!("/members/{}", other.id)).await.status, StatusCode::OK);
}

/// A city name several places share is asked, not guessed (page and API), unless one of them is
/// in the member's own country, taken from their zone until they have a city.
#[tokio::test]
async fn a_city_name_several_places_share_is_asked_not_guessed() {
    let app = TestApp::spawn().await;
    let m = app.member("Rui").await;
    let (s, body) = app.patch_json("/api/v1/me", &m.token, &json!({"city": "Oeiras"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = body["errors"][0]["detail"].as_str().unwrap_or("");
    assert_eq!(body["errors"][0]["field"], "city");
    assert!(
        detail.contains("Oeiras, Portugal") && detail.contains("Oeiras, Brazil"),
        "the candidates: {detail}"
    );
    let (_, me) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert!(me["city"].is_null(), "nothing saved: {me}");
    // The page asks next to the field and keeps what was typed.
    let b = app.browser().await;
    b.login(&m.email, crate::support::PASSWORD).await;
    let page = b
        .post(
            "/profile/edit",
            &[
                ("display_name", "Rui"),
                ("city", "Oeiras"),
                ("timezone", ""),
                ("session_minutes", "90"),
                ("company", "either"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("More than one place is called") && page.body.contains(r#"value="Oeiras""#),
        "{}",
        page.body
    );
    // Typed with its country, it is that one.
    let (s, me) = app.patch_json("/api/v1/me", &m.token, &json!({"city": "Oeiras, Brazil"})).await;
    assert_eq!((s, me["city"].clone()), (StatusCode::OK, json!("Oeiras, Brazil")));

    // A member whose zone is Lisbon's means the Portuguese one.
    let lia = app.member_with("Lia", json!({"timezone": "Europe/Lisbon"})).await;
    let (s, me) = app.patch_json("/api/v1/me", &lia.token, &json!({"city": "Oeiras"})).await;
    assert_eq!((s, me["city"].clone()), (StatusCode::OK, json!("Oeiras, Portugal")));
}

#[tokio::test]
async fn times_are_written_on_the_members_clock_and_their_zone_is_said_once() {
    let app = TestApp::spawn().await;
    let ana = app.member_with("Ana", json!({"timezone": "Europe/Lisbon"})).await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(5)).format("%Y-%m-%dT18:30").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&ana.token),
            &json!({"kind": "cowork", "title": "Evening focus", "time_zone": "Europe/Lisbon",
                "starts_at_local": start, "virtual": {}, "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let page = format!("/events/{}", e["id"].as_str().expect("id"));
    let b = app.browser().await;
    b.login(&ana.email, crate::support::PASSWORD).await;
    let before = b.get(&page).await.body;
    assert!(before.contains(", 18:30") && !before.contains("6:30 pm"), "{before}");
    let said = "Times are in Lisbon time, on the 24-hour clock.";
    assert_eq!(before.matches(said).count(), 1, "the zone is said once: {before}");

    let bad = b.post("/settings/clock", &[("clock", "25")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Choose the 24-hour clock"), "{}", bad.body);
    let saved = b.post("/settings/clock", &[("clock", "12")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let after = b.get(&page).await.body;
    // Only the host's move form keeps the machine-readable time its date-and-time field needs.
    let shown = after.replace("T18:30\"", "");
    assert!(shown.contains(", 6:30 pm") && !shown.contains("18:30"), "{after}");
    assert_eq!(after.matches("Times are in Lisbon time, on the 12-hour clock.").count(), 1);
    // Another member keeps their own clock.
    let ben = app.member("Ben").await;
    let other = app.browser().await;
    other.login(&ben.email, crate::support::PASSWORD).await;
    assert!(other.get(&page).await.body.contains("18:30"));

    // The API says and sets the same choice; anything else is a field error.
    let (s, body) = app.patch_json("/api/v1/me", &ben.token, &json!({"clock": "13"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["clock"]);
    let (s, me) = app.patch_json("/api/v1/me", &ben.token, &json!({"clock": "12"})).await;
    assert_eq!((s, me["clock"].as_str()), (StatusCode::OK, Some("12")), "{me}");

    // Mail is written on its reader's clock too, whoever's request or job sends it.
    let at = e["next"][0]["occurrence_start"].as_str().expect("date").to_owned();
    let (s, _) = app
        .put_json(
            &format!("/api/v1{page}/rsvp"),
            &ben.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let start = chrono::DateTime::parse_from_rfc3339(&at).expect("rfc 3339").with_timezone(&chrono::Utc);
    let sent = app::events::reminders::send_due(&app.state, start - chrono::TimeDelta::minutes(59)).await;
    assert_eq!(sent.expect("run"), 1);
    let mail = app.mail_with(&["Reminder: Evening focus", &format!("To: {}", ben.email)]).await;
    assert!(mail.contains("starts at 6:30 pm, in 59 minutes") && !mail.contains("18:30"), "{mail}");
}
