//! Discovery through the API and the page: a fixed set of groups and events in and around
//! Lisbon and online, searched by words, topic, distance and "virtual", soonest first, in pages.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

async fn make_group(
    app: &TestApp,
    who: &Member,
    name: &str,
    place: Value,
    visibility: &str,
    topics: &[&str],
) -> String {
    let mut body = json!({"name": name, "description": format!("{name}, described"), "topics": topics,
                          "time_zone": "Europe/Lisbon", "visibility": visibility});
    for (k, v) in place.as_object().expect("place") {
        body[k] = v.clone();
    }
    let (s, g) = app.post_json("/api/v1/groups", Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    g["id"].as_str().expect("id").to_owned()
}

/// A one-off event `days` from now at 18:00 Lisbon time.
async fn make_event(
    app: &TestApp,
    who: &Member,
    title: &str,
    days: i64,
    place: Value,
    group: Option<&str>,
    visibility: &str,
) {
    let day = (Utc::now() + TimeDelta::days(days)).format("%Y-%m-%d");
    let mut body = json!({"kind": "meetup", "title": title, "starts_at_local": format!("{day}T18:00"),
                          "time_zone": "Europe/Lisbon", "visibility": visibility});
    for (k, v) in place.as_object().expect("place") {
        body[k] = v.clone();
    }
    if let Some(g) = group {
        body["group_id"] = json!(g);
    }
    let (s, e) = app.post_json("/api/v1/events", Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_filters_by_words_topic_place_and_virtual_soonest_first() {
    let app = TestApp::spawn().await;
    let o = app.member("Olga").await;
    let lisbon = json!({"city": "Lisbon, Portugal"});
    let wp = make_group(&app, &o, "WordPress Lisboa", lisbon.clone(), "open", &["wordpress", "web"]).await;
    make_group(
        &app,
        &o,
        "Porto Referral Chapter",
        json!({"city": "Porto, Portugal"}),
        "request",
        &["referrals"],
    )
    .await;
    make_group(&app, &o, "Remote Writers", json!({"virtual": true}), "open", &["writing"]).await;
    make_group(&app, &o, "Hidden Mastermind", lisbon.clone(), "invite", &["wordpress"]).await;
    make_event(
        &app,
        &o,
        "WordPress meetup",
        3,
        json!({"place": {"name": "Café", "city": "Lisbon"}}),
        Some(&wp),
        "public",
    )
    .await;
    make_event(
        &app,
        &o,
        "Members-only planning",
        1,
        json!({"place": {"name": "Café", "city": "Lisbon"}}),
        Some(&wp),
        "group",
    )
    .await;
    make_event(
        &app,
        &o,
        "Sintra coworking",
        5,
        json!({"place": {"name": "Library", "city": "Sintra"}}),
        None,
        "public",
    )
    .await;
    make_event(&app, &o, "Online writing sprint", 2, json!({"virtual": {}}), None, "public").await;
    make_event(
        &app,
        &o,
        "Unlisted lunch",
        1,
        json!({"place": {"name": "Tasca", "city": "Lisbon"}}),
        None,
        "invite",
    )
    .await;
    let me = app.member("Seeker").await;

    let (s, all) = app.get_json("/api/v1/discover", Some(&me.token)).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    // Soonest first: a group comes at the next of its events I may see (day 3, level with that
    // event, so by name), groups with nothing planned last; invite-only groups, members-only and
    // unlisted events never.
    assert_eq!(
        names(&all),
        [
            "Online writing sprint",
            "WordPress Lisboa",
            "WordPress meetup",
            "Sintra coworking",
            "Porto Referral Chapter",
            "Remote Writers"
        ],
        "{all}"
    );
    let wp_item = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["name"] == "WordPress meetup")
        .expect("event");
    assert_eq!(
        (wp_item["kind"].as_str(), wp_item["detail"].as_str()),
        (Some("event"), Some("WordPress Lisboa"))
    );
    assert_eq!(wp_item["topics"], json!(["web", "wordpress"]), "an event carries its group's topics");

    let (_, near) = app.get_json("/api/v1/discover?near=Lisbon&radius_km=10", Some(&me.token)).await;
    assert_eq!(names(&near), ["WordPress Lisboa", "WordPress meetup"], "{near}");
    assert_eq!(near["items"][0]["distance_km"], 1, "distances are rounded, never below 1 km");
    let (_, wider) = app.get_json("/api/v1/discover?near=Lisbon&radius_km=40", Some(&me.token)).await;
    assert_eq!(names(&wider), ["WordPress Lisboa", "WordPress meetup", "Sintra coworking"], "{wider}");
    let (_, online) = app.get_json("/api/v1/discover?virtual=true", Some(&me.token)).await;
    assert_eq!(names(&online), ["Online writing sprint", "Remote Writers"], "{online}");
    let (_, topic) = app.get_json("/api/v1/discover?topic=WordPress", Some(&me.token)).await;
    assert_eq!(names(&topic), ["WordPress Lisboa", "WordPress meetup"], "{topic}");
    let (_, words) = app.get_json("/api/v1/discover?q=referral%20porto", Some(&me.token)).await;
    assert_eq!(names(&words), ["Porto Referral Chapter"]);
    assert_eq!(words["items"][0]["detail"], "request");

    let (s, bad) = app
        .get_json(
            "/api/v1/discover?near=Atlantis-under-the-sea&radius_km=-3&virtual=maybe&page=0",
            Some(&me.token),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&bad), ["virtual", "radius_km", "near", "page"]);

    // The page shows the same, and keeps a bad search's words.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.get("/discover?near=Lisbon&radius_km=40").await;
    assert_eq!(page.status, StatusCode::OK);
    let (a, c) = (
        page.body.find("WordPress meetup").expect("event"),
        page.body.find("Sintra coworking").expect("far"),
    );
    assert!(a < c, "soonest first on the page");
    assert!(page.body.contains("about 2") || page.body.contains("km away"), "distances shown");
    let page = b.get("/discover?q=wordpress&near=Nowhereville").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Pick the city from the list.") && page.body.contains("value=\"wordpress\""));
}

#[tokio::test]
async fn discovery_pages_through_many_results() {
    let app = TestApp::spawn().await;
    let o = app.member("Olga").await;
    for i in 0..23 {
        make_group(&app, &o, &format!("Online circle {i:02}"), json!({"virtual": true}), "open", &["focus"])
            .await;
    }
    let me = app.member("Seeker").await;
    let (_, first) = app.get_json("/api/v1/discover?topic=focus", Some(&me.token)).await;
    assert_eq!((first["total"].clone(), first["next_page"].clone()), (json!(23), json!(2)));
    assert_eq!(first["items"].as_array().map(Vec::len), Some(20));
    assert_eq!(first["items"][0]["name"], "Online circle 00");
    let (_, second) = app.get_json("/api/v1/discover?topic=focus&page=2", Some(&me.token)).await;
    assert_eq!(names(&second), ["Online circle 20", "Online circle 21", "Online circle 22"]);
    assert_eq!(second["next_page"], Value::Null);
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.get("/discover?topic=focus").await;
    assert!(page.body.contains("More results") && page.body.contains("page=2"), "{}", page.body);
}
