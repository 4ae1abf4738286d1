//! Open doors: visitors without an account see the events and groups shown to them (and nothing
//! else), link previews describe them, and what a visitor asks to do is done once they sign in
//! or sign up, from the server's memory, never from a URL.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{csrf_of, Member, TestApp, PASSWORD};

/// A one-off session next week, in Lisbon's zone, made through the API; returns (id, date key).
async fn session(app: &TestApp, host: &Member, title: &str, extra: Value) -> (String, i64) {
    let start = (Utc::now() + TimeDelta::days(7)).format("%Y-%m-%dT18:00").to_string();
    let mut body = json!({"kind": "cowork", "title": title, "time_zone": "Europe/Lisbon",
        "starts_at_local": start, "virtual": {}, "visibility": "public"});
    body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    let (s, made) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let at = made["next"][0]["occurrence_start"].as_str().expect("a date");
    let key = chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339").timestamp_millis();
    (made["id"].as_str().expect("id").to_owned(), key)
}

async fn going(app: &TestApp, event: &str, key: i64) -> Vec<String> {
    app.state
        .db
        .rsvps(event, key)
        .await
        .expect("db")
        .into_iter()
        .filter(|r| r.status == "going")
        .map(|r| r.user_id)
        .collect()
}

#[tokio::test]
async fn visitors_see_only_what_is_shown_to_them() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let (shown, _) =
        session(&app, &host, "Friday focus", json!({"show_to_visitors": true, "capacity": 8})).await;
    let (hidden, _) = session(&app, &host, "Quiet Tuesday", json!({})).await;
    let (unlisted, _) =
        session(&app, &host, "Just us", json!({"show_to_visitors": true, "visibility": "invite"})).await;
    let visitor = app.client();
    let page = visitor.get(app.url(&format!("/events/{shown}"))).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains("Friday focus") && html.contains("Lisbon time"), "{html}");
    assert!(html.contains("8 seats left") && html.contains("Ana"), "{html}");
    assert!(html.contains(&format!("href=\"/events/{shown}/event.ics\"")), "{html}");
    for other in [&hidden, &unlisted, &"no-such-event".to_owned()] {
        let r = visitor.get(app.url(&format!("/events/{other}"))).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{other}");
        let to = r.headers()["location"].to_str().expect("location").to_owned();
        assert_eq!(to, format!("/login?next=%2Fevents%2F{other}"), "the same answer for hidden and missing");
    }
    let ics = visitor.get(app.url(&format!("/events/{shown}/event.ics"))).send().await.expect("get");
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(ics.text().await.expect("body").contains("SUMMARY:Friday focus"));
    let hidden_ics = visitor.get(app.url(&format!("/events/{hidden}/event.ics"))).send().await.expect("get");
    assert_ne!(hidden_ics.status(), StatusCode::OK);
    // The home page and discovery list it for visitors; the sitemap names it and no other.
    let home = visitor.get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(home.contains("Friday focus") && !home.contains("Quiet Tuesday"), "{home}");
    let found =
        visitor.get(app.url("/discover?q=focus")).send().await.expect("get").text().await.expect("body");
    assert!(found.contains("Friday focus"), "{found}");
    let sitemap = visitor.get(app.url("/sitemap.xml")).send().await.expect("get").text().await.expect("body");
    assert!(sitemap.contains(&format!("{}/events/{shown}</loc>", app.base)), "{sitemap}");
    assert!(!sitemap.contains(&hidden) && !sitemap.contains(&unlisted), "{sitemap}");
    let robots = visitor.get(app.url("/robots.txt")).send().await.expect("get").text().await.expect("body");
    assert!(robots.contains("Allow: /events/") && robots.contains("/sitemap.xml"), "{robots}");
    let manifest: Value =
        visitor.get(app.url("/manifest.webmanifest")).send().await.expect("get").json().await.expect("json");
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().expect("icons") {
        let r = visitor.get(app.url(icon["src"].as_str().expect("src"))).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{icon}");
    }

    // The admin turns visitor pages off: nothing is shown, and robots are kept out.
    app.state.db.set_admin(&host.id).await.expect("admin");
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let saved = b.post("/admin/settings", &[("site_name", "Alongside"), ("signup", "open")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let r = visitor.get(app.url(&format!("/events/{shown}"))).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let robots = visitor.get(app.url("/robots.txt")).send().await.expect("get").text().await.expect("body");
    assert_eq!(robots, "User-agent: *\nDisallow: /\n");
    let home = visitor.get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(!home.contains("Friday focus"));
    // A member still sees it as before.
    assert_eq!(b.get(&format!("/events/{shown}")).await.status, StatusCode::OK);
}

/// The link-preview tags of a public event, with its id and the test server's address written
/// as placeholders.
#[tokio::test]
async fn an_events_link_preview_names_it_its_time_and_place() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana Almeida").await;
    let (id, key) = session(
        &app,
        &host,
        "Friday focus",
        json!({"show_to_visitors": true,
        "description": "Two hours of quiet work, then coffee."}),
    )
    .await;
    let html = app
        .client()
        .get(app.url(&format!("/events/{id}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let start = chrono::DateTime::from_timestamp_millis(key).expect("a time");
    let when = app::web::dates::day_time(start, chrono_tz::Europe::Lisbon);
    let tags: Vec<String> = html
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("<meta name=\"description")
                || l.starts_with("<meta property=\"og:")
                || l.starts_with("<meta name=\"twitter:")
                || l.starts_with("<link rel=\"canonical")
                || l.starts_with("<link rel=\"alternate")
        })
        .map(|l| l.replace(&app.base, "{base}").replace(&id, "{id}").replace(&when, "{when}"))
        .collect();
    insta::assert_snapshot!(tags.join("\n"));
}

#[tokio::test]
async fn a_visitor_who_says_going_is_going_once_signed_up_and_a_crafted_link_does_nothing() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let (id, key) =
        session(&app, &host, "Friday focus", json!({"show_to_visitors": true, "capacity": 4})).await;
    let visitor = app.browser().await;
    let page = visitor.get(&format!("/events/{id}")).await;
    assert!(page.body.contains(&format!("action=\"/visit/events/{id}\"")), "{}", page.body);
    let at = key.to_string();
    let asked = visitor
        .post(&format!("/visit/events/{id}"), &[("action", "going"), ("at", &at), ("new", "yes")])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let to = asked.location.expect("to sign up");
    assert_eq!(to, format!("/signup?next=%2Fevents%2F{id}%3Fat%3D{key}"));
    assert!(!to.contains("going"), "the intent is not in the URL");
    let form = visitor.get(&to).await;
    assert!(form.body.contains(&format!("value=\"/events/{id}?at={key}\"")), "next survives: {}", form.body);
    let done = visitor
        .post(
            "/signup",
            &[
                ("display_name", "Rui"),
                ("email", "rui@example.org"),
                ("password", PASSWORD),
                ("next", &format!("/events/{id}?at={key}")),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(format!("/events/{id}?at={key}").as_str()));
    let rui = app.state.db.user_by_email("rui@example.org").await.expect("db").expect("Rui");
    assert_eq!(going(&app, &id, key).await, std::slice::from_ref(&rui.id));
    let there = visitor.get(&format!("/events/{id}?at={key}")).await;
    assert!(there.body.contains("You're going"), "{}", there.body);

    // Done once: logging in again does nothing more, and a signed-in member who follows a
    // crafted form to the same address is only shown the page.
    let member = app.member("Bo").await;
    let b = app.browser().await;
    b.login(&member.email, PASSWORD).await;
    let crafted = b.post(&format!("/visit/events/{id}"), &[("action", "going"), ("at", &at)]).await;
    assert_eq!(crafted.location.as_deref(), Some(format!("/events/{id}?at={key}").as_str()));
    assert_eq!(going(&app, &id, key).await, [rui.id], "nobody else was made to go");
    let by_get = app
        .client()
        .get(app.url(&format!("/visit/events/{id}?action=going&at={at}")))
        .send()
        .await
        .expect("get");
    assert_eq!(by_get.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn when_the_last_seat_goes_meanwhile_the_member_chooses_the_waitlist_and_a_group_is_joined() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let (id, key) =
        session(&app, &host, "Small table", json!({"show_to_visitors": true, "capacity": 1})).await;
    let late = app.member("Cy").await;
    let visitor = app.browser().await;
    visitor.get(&format!("/events/{id}")).await;
    visitor.post(&format!("/visit/events/{id}"), &[("action", "going"), ("at", &key.to_string())]).await;
    let first = app.member("Di").await;
    let (s, body) = app
        .put_json(&format!("/api/v1/events/{id}/rsvp"), &first.token,
            &json!({"occurrence_start": chrono::DateTime::from_timestamp_millis(key).expect("t").to_rfc3339(), "status": "going"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let signed_in = visitor.login(&late.email, PASSWORD).await;
    assert_eq!(signed_in.location.as_deref(), Some(format!("/events/{id}?at={key}").as_str()));
    assert_eq!(
        going(&app, &id, key).await,
        std::slice::from_ref(&first.id),
        "not put on the waitlist unasked"
    );
    let page = visitor.get(&format!("/events/{id}?at={key}")).await;
    assert!(page.body.contains("The last seat went while you signed in"), "{}", page.body);

    // A group shown to visitors: its page, and "Join" done after logging in.
    let (s, g) = app
        .post_json("/api/v1/groups", Some(&host.token), &json!({"name": "Lisbon freelancers", "virtual": true,
            "time_zone": "Europe/Lisbon", "visibility": "open", "show_to_visitors": true, "description": "We meet weekly."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let group = g["id"].as_str().expect("id").to_owned();
    let other = app.browser().await;
    let page = other.get(&format!("/groups/{group}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Lisbon freelancers") && page.body.contains("og:title"), "{}", page.body);
    let csrf = csrf_of(&page.body).expect("a form");
    let asked =
        other.post_raw(&format!("/visit/groups/{group}"), &[("csrf", &csrf), ("action", "join")]).await;
    assert_eq!(asked.location.as_deref(), Some(format!("/login?next=%2Fgroups%2F{group}").as_str()));
    let joiner = app.member("Eva").await;
    let done = other.login(&joiner.email, PASSWORD).await;
    assert_eq!(done.location.as_deref(), Some(format!("/groups/{group}").as_str()));
    let members = app.state.db.group_members(&group).await.expect("db");
    assert!(members.iter().any(|m| m.user_id == joiner.id), "joined");
    // An invite-only group is never shown, whatever its flag says.
    let (_, secret) = app
        .post_json(
            "/api/v1/groups",
            Some(&host.token),
            &json!({"name": "Inner circle", "virtual": true,
            "time_zone": "Europe/Lisbon", "visibility": "invite", "show_to_visitors": true}),
        )
        .await;
    let r = app
        .client()
        .get(app.url(&format!("/groups/{}", secret["id"].as_str().expect("id"))))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_signed_out_reader_comes_back_to_the_page_they_opened() {
    let app = TestApp::spawn().await;
    let r = app.client().get(app.url("/settings/notifications?tab=1")).send().await.expect("get");
    assert_eq!(r.headers()["location"], "/login?next=%2Fsettings%2Fnotifications%3Ftab%3D1");
    let m = app.member("Ana").await;
    let b = app.browser().await;
    let login = b.get("/login?next=%2Fsettings%2Fnotifications").await;
    assert!(login.body.contains("value=\"/settings/notifications\""), "{}", login.body);
    let done = b
        .post("/login", &[("email", &m.email), ("password", PASSWORD), ("next", "/settings/notifications")])
        .await;
    assert_eq!(done.location.as_deref(), Some("/settings/notifications"));
    let b2 = app.browser().await;
    let away =
        b2.post("/login", &[("email", &m.email), ("password", PASSWORD), ("next", "//evil.example/x")]).await;
    assert_eq!(away.location.as_deref(), Some("/dashboard"), "never another site");
}

#[tokio::test]
async fn one_address_keeps_no_more_intents_than_it_may_make_sign_ups() {
    let app = TestApp::spawn_with(|c| c.rate_limit_auth = 3).await;
    let host = app.member("Ana").await;
    let (id, key) = session(&app, &host, "Friday focus", json!({"show_to_visitors": true})).await;
    let visitor = app.browser().await;
    let at = key.to_string();
    for _ in 0..3 {
        let kept = visitor.post(&format!("/visit/events/{id}"), &[("action", "going"), ("at", &at)]).await;
        assert_eq!(kept.status, StatusCode::SEE_OTHER);
    }
    let refused = visitor.post(&format!("/visit/events/{id}"), &[("action", "going"), ("at", &at)]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
}

#[tokio::test]
async fn a_member_answers_with_one_tap_and_sees_their_answer_pressed() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let (id, key) = session(&app, &host, "Friday focus", json!({})).await;
    let m = app.member("Bo").await;
    let b = app.browser().await;
    b.login(&m.email, PASSWORD).await;
    let page = b.get(&format!("/events/{id}?at={key}")).await;
    for (value, label) in [("going", "Going"), ("maybe", "Maybe"), ("declined", "Can't go")] {
        assert!(
            page.body.contains(&format!("name=\"status\" value=\"{value}\" aria-pressed=\"false\" class=\"secondary\">{label}</button>")),
            "a button for {value}: {}",
            page.body
        );
    }
    let done = b
        .post(&format!("/events/{id}/rsvp"), &[("at", &key.to_string()), ("status", "maybe"), ("goal", "")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/events/{id}?at={key}")).await;
    assert!(page.body.contains("value=\"maybe\" aria-pressed=\"true\">Maybe</button>"), "{}", page.body);
}

#[tokio::test]
async fn a_new_member_is_shown_what_to_do_next_not_an_empty_chart() {
    let app = TestApp::spawn().await;
    let m = app.member("Ana").await;
    let b = app.browser().await;
    b.login(&m.email, PASSWORD).await;
    let home = b.get("/dashboard").await;
    assert!(!home.body.contains("<svg class=\"chart\""), "no chart of nothing: {}", home.body);
    assert!(
        home.body.contains("class=\"empty\"") && home.body.contains("href=\"/goals/new\">Set a goal</a>"),
        "{}",
        home.body
    );
    assert!(home.body.contains("href=\"/events\">Find a session</a>"), "{}", home.body);
    let events = b.get("/events").await;
    assert!(events.body.contains("href=\"/events/new\">Plan a session</a>"), "{}", events.body);
}

#[tokio::test]
async fn a_visitor_sees_a_venue_and_the_sessions_there_shown_to_visitors() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let (s, v) = app
        .post_json("/api/v1/venues", Some(&host.token), &json!({"name": "Café Tati", "kind": "cafe",
            "city": "Lisbon, Portugal", "lat": 38.71, "lon": -9.14, "noise": 2, "wifi": true, "outlets": "some",
            "price": 1, "hours": "Mon-Sun 08:00-20:00"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let venue = v["id"].as_str().expect("id").to_owned();
    let start = (Utc::now() + TimeDelta::days(3)).format("%Y-%m-%dT10:00").to_string();
    let at_venue = |title: &str, shown: bool| {
        json!({"kind": "cowork", "title": title, "time_zone": "Europe/Lisbon",
        "starts_at_local": start, "place": {"name": "", "city": "", "venue_id": venue}, "visibility": "public",
        "show_to_visitors": shown})
    };
    for (title, shown) in [("Morning focus at Tati", true), ("Members' table", false)] {
        let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &at_venue(title, shown)).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
    }
    let page = app.client().get(app.url(&format!("/venues/{venue}"))).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(
        html.contains("Café Tati") && html.contains("Mon-Sun 08:00-20:00") && html.contains("og:title"),
        "{html}"
    );
    assert!(html.contains("Morning focus at Tati") && !html.contains("Members&#x27; table"), "{html}");
    app.state.db.set_visitor_pages(false).await.expect("db");
    let off = app.client().get(app.url(&format!("/venues/{venue}"))).send().await.expect("get");
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_dashboard_says_how_soon_a_session_is() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let start = (Utc::now() + TimeDelta::minutes(40)).format("%Y-%m-%dT%H:%M").to_string();
    let body = json!({"kind": "cowork", "title": "Soon", "time_zone": "UTC", "starts_at_local": start, "virtual": {}});
    let (s, made) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let page = b.get("/dashboard").await;
    assert!(
        page.body.contains("<span class=\"chip\">in ") && page.body.contains(" minutes</span>"),
        "{}",
        page.body
    );
}
