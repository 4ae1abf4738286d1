//! Venues through the API and pages: adding and editing with a history, the directory's filters,
//! reviews only after going to an event there, events at a venue or taking venues in turn,
//! suggestions that are fair and never next door, and merging duplicates.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::group;
use crate::support::{error_fields, Member, TestApp, PASSWORD};

/// Lisbon's centre in the gazetteer.
const LISBON: (f64, f64) = (38.7251, -9.1498);

fn cafe(name: &str, at: (f64, f64), noise: i64) -> Value {
    json!({"name": name, "kind": "cafe", "city": "Lisbon, Portugal", "lat": at.0, "lon": at.1, "noise": noise,
           "wifi": true, "outlets": "some", "price": 2, "hours": "Mon-Sun 07:00-22:00"})
}

async fn venue(app: &TestApp, who: &Member, body: Value) -> String {
    let (s, v) = app.post_json("/api/v1/venues", Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(app.state.db.write()).await.expect(statement);
}

/// A one-off event at `venue` that `who` goes to, moved a week into the past.
async fn past_session(app: &TestApp, host: &Member, who: &Member, venue: &str) -> (String, String) {
    let start = (Utc::now() + TimeDelta::days(2)).format("%Y-%m-%dT10:00").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Morning session", "starts_at_local": start, "time_zone": "UTC",
                    "place": {"venue_id": venue}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let key = e["next"][0]["occurrence_start"].as_str().expect("key").to_owned();
    let (s, body) = app
        .put_json(
            &format!("/api/v1/events/{id}/rsvp"),
            &who.token,
            &json!({"occurrence_start": key, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let week = 7 * 86_400_000_i64;
    let past = (Utc::now() - TimeDelta::days(5)).format("%Y-%m-%dT10:00").to_string();
    sql(app, &format!("UPDATE events SET start_local = '{past}', first_start_at = first_start_at - {week}, last_end_at = last_end_at - {week} WHERE id = '{id}'")).await;
    sql(
        app,
        &format!("UPDATE rsvps SET occurrence_start = occurrence_start - {week} WHERE event_id = '{id}'"),
    )
    .await;
    let moved = chrono::DateTime::parse_from_rfc3339(&key).expect("key").timestamp_millis() - week;
    (id, moved.to_string())
}

#[tokio::test]
async fn venues_are_added_edited_with_a_history_and_filtered() {
    let app = TestApp::spawn().await;
    let me = app.member("Mia").await;
    let (s, body) = app.post_json("/api/v1/venues", Some(&me.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["name", "kind", "city", "hours"]);
    let (s, body) = app
        .post_json(
            "/api/v1/venues",
            Some(&me.token),
            &json!({"name": "X", "kind": "bar", "city": "Lisbon", "lat": 10.0, "lon": 10.0, "noise": 9, "outlets": "lots",
                    "price": 7, "hours": "Monday 9-5"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["kind", "lat", "noise", "outlets", "price", "hours"]);
    let quiet = venue(&app, &me, cafe("Café Quieto", LISBON, 2)).await;
    let loud = venue(&app, &me, json!({"name": "Bar Barulho", "kind": "other", "city": "Lisbon", "noise": 5, "hours": "Mon-Sun 18:00-02:00"})).await;
    let (_, v) = app.get_json(&format!("/api/v1/venues/{loud}"), Some(&me.token)).await;
    assert_eq!(
        (v["lat"].as_f64().map(|l| (l * 10.0).round()), v["wifi"].clone()),
        (Some(387.0), json!(false)),
        "the city's centre: {v}"
    );
    assert_eq!(v["hours"], "Mon-Sun 18:00-02:00");

    let other = app.member("Ode").await;
    let (s, v) = app
        .patch_json(
            &format!("/api/v1/venues/{quiet}"),
            &other.token,
            &json!({"noise": 1, "exceptions": "2026-12-25 closed"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["noise"], 1.0);
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.get(&format!("/venues/{quiet}")).await;
    assert!(
        page.body.contains("Ode changed noise, opening hours") && page.body.contains("Mia added the venue"),
        "{}",
        page.body
    );

    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|v| v["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let (_, all) = app.get_json("/api/v1/venues?city=Lisbon", Some(&me.token)).await;
    assert_eq!(names(&all), ["Bar Barulho", "Café Quieto"]);
    let (_, q) = app.get_json("/api/v1/venues?quiet=true&wifi=true", Some(&me.token)).await;
    assert_eq!(names(&q), ["Café Quieto"]);
    let (_, k) = app.get_json("/api/v1/venues?kind=other", Some(&me.token)).await;
    assert_eq!(names(&k), ["Bar Barulho"]);
    let (s, bad) = app.get_json("/api/v1/venues?city=Nowhere-at-all&kind=pub", Some(&me.token)).await;
    assert_eq!(
        (s, error_fields(&bad)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["city".to_owned(), "kind".to_owned()])
    );
    let page = b
        .post(
            "/venues/new",
            &[("name", "Keep me"), ("kind", "cafe"), ("city", "Lisbon"), ("hours", "Mon 25:00-26:00")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Keep me") && page.body.contains("is not like 08:00-18:00"), "{}", page.body);
}

#[tokio::test]
async fn only_those_who_went_review_and_reviews_decide_what_a_venue_is_like() {
    let app = TestApp::spawn().await;
    let (host, me) = (app.member("Hal").await, app.member("Mia").await);
    let v = venue(&app, &host, cafe("Café Lumen", LISBON, 1)).await;
    let review = json!({"event_id": "x", "occurrence_start": "2026-01-01T00:00:00Z", "noise": 4, "wifi": false, "outlets": "none", "good_for_work": false});
    let (s, body) = app.post_json(&format!("/api/v1/venues/{v}/reviews"), Some(&me.token), &review).await;
    assert_eq!(
        (s, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["event_id".to_owned()]),
        "nobody reviews a place they did not go to"
    );
    let (event, key) = past_session(&app, &host, &me, &v).await;
    let mut review = review.clone();
    review["event_id"] = json!(event);
    review["occurrence_start"] = json!(key);
    review["note"] = json!("Busy at lunch");
    let (s, body) = app.post_json(&format!("/api/v1/venues/{v}/reviews"), Some(&me.token), &review).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["noise"].as_f64(), body["wifi"].clone(), body["outlets"].clone(), body["reviews"].clone()),
        (Some(4.0), json!(false), json!("none"), json!(1))
    );
    let (s, _) = app.post_json(&format!("/api/v1/venues/{v}/reviews"), Some(&me.token), &review).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "once per date");
    // The event page shows the venue and its hours that day.
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let page = b.get(&format!("/events/{event}?at={key}")).await;
    assert!(
        page.body.contains("Café Lumen") && page.body.contains("Open that day: 07:00–22:00"),
        "{}",
        page.body
    );
    let page = b.get(&format!("/venues/{v}")).await;
    assert!(
        page.body.contains("Busy at lunch") && page.body.contains("From the 1 most recent review"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_series_takes_its_venues_in_turn() {
    let app = TestApp::spawn().await;
    let host = app.member("Hal").await;
    let a = venue(&app, &host, cafe("First Café", LISBON, 2)).await;
    let b = venue(&app, &host, cafe("Second Café", (38.72, -9.14), 2)).await;
    let (s, body) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "One-off", "starts_at_local": "2027-01-06T10:00", "time_zone": "UTC",
                    "place": {"venue_id": a}, "venue_rotation": [a, b]}),
        )
        .await;
    assert_eq!(
        (s, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["venue_rotation".to_owned()])
    );
    let (s, body) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Nowhere", "starts_at_local": "2027-01-06T10:00", "time_zone": "UTC",
                    "place": {"venue_id": "0123456789abcdef0123456789abcdef"}}),
        )
        .await;
    assert_eq!(
        (s, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["place.venue_id".to_owned()])
    );
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Weekly rotation", "starts_at_local": "2027-01-06T10:00", "time_zone": "UTC",
                    "preset": "weekly", "venue_rotation": [a, b]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["place"]["name"], "First Café");
    // Whatever else was picked, the first date is at the first venue of the turn.
    let (_, other) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Picked", "starts_at_local": "2027-01-06T10:00", "time_zone": "UTC",
                    "preset": "weekly", "place": {"venue_id": b}, "venue_rotation": [a, b]}),
        )
        .await;
    assert_eq!(other["place"]["name"], "First Café", "{other}");
    let id = e["id"].as_str().expect("id");
    let bw = app.browser().await;
    bw.login(&host.email, PASSWORD).await;
    let key = |date: &str| chrono::DateTime::parse_from_rfc3339(date).expect("date").timestamp_millis();
    let mut names = Vec::new();
    for d in ["2027-01-06T10:00:00Z", "2027-01-13T10:00:00Z", "2027-01-20T10:00:00Z"] {
        let page = bw.get(&format!("/events/{id}?at={}", key(d))).await;
        assert!(page.body.contains("This date at <a href=\"/venues/"), "{}", page.body);
        names.push(page.body.contains("Second Café</a></h2>"));
    }
    assert_eq!(names, [false, true, false], "first, second, first again");
    // The API and the calendar file say each date's own venue.
    let (_, api) = app.get_json(&format!("/api/v1/events/{id}"), Some(&host.token)).await;
    let places: Vec<&str> =
        (0..3).map(|i| api["next"][i]["place"]["name"].as_str().unwrap_or("none")).collect();
    assert_eq!(places, ["First Café", "Second Café", "First Café"], "{api}");
    let ics = bw.get(&format!("/events/{id}/event.ics")).await.body;
    let second = ics.split("BEGIN:VEVENT").find(|v| v.contains("RECURRENCE-ID:20270113T100000Z"));
    let second = second.unwrap_or_else(|| panic!("the second date has its own entry: {ics}"));
    assert!(
        second.contains("LOCATION:Second Café") && second.contains("DTSTART:20270113T100000Z"),
        "{second}"
    );
    assert!(
        !ics.contains("RECURRENCE-ID:20270120T100000Z"),
        "the third is at the first café, as the series says"
    );
    let (_, at_b) = app.get_json(&format!("/api/v1/venues/{b}"), Some(&host.token)).await;
    assert_eq!((at_b["name"].as_str(), at_b["kind_label"].as_str()), (Some("Second Café"), Some("Café")));
    // The venue's page lists only the dates whose turn it is, as cards, the kind in words.
    let page = bw.get(&format!("/venues/{b}")).await.body;
    assert!(page.contains("<p class=\"meta\">Café · "), "{page}");
    let soon = &page[page.find("Coming up here").expect("the list")..];
    let soon = &soon[..soon.find("</ul>").expect("its end")];
    assert!(soon.contains("Weekly rotation") && soon.contains("<span class=\"day\">13</span>"), "{soon}");
    assert!(!soon.contains("<span class=\"day\">6</span>"), "the 6th is at the first café: {soon}");

    // Split from the second date: the new part goes on with the turn, not back to the first café.
    let (s, tail) = app
        .post_json(
            &format!("/api/v1/events/{id}/split"),
            Some(&host.token),
            &json!({"occurrence_start": "2027-01-13T10:00:00Z", "changes": {"title": "Weekly rotation, upstairs"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tail}");
    let tail_id = tail["id"].as_str().expect("id");
    let (_, api) = app.get_json(&format!("/api/v1/events/{tail_id}"), Some(&host.token)).await;
    let places: Vec<&str> =
        (0..3).map(|i| api["next"][i]["place"]["name"].as_str().unwrap_or("none")).collect();
    assert_eq!(places, ["Second Café", "First Café", "Second Café"], "{api}");
}

#[tokio::test]
async fn suggestions_are_fair_quiet_open_and_keep_the_cafe_someone_marked_for_last() {
    let app = TestApp::spawn().await;
    // Ana lives in Lisbon, Bo in Amadora, Cy in Oeiras, Di in Odivelas: cities around Lisbon.
    let with_city = |name: &'static str, city: &'static str| {
        let app = &app;
        async move { app.member_with(name, json!({"city": city})).await }
    };
    let (ana, bo) = (with_city("Ana", "Lisbon, Portugal").await, with_city("Bo", "Amadora, Portugal").await);
    let (cy, di) = (with_city("Cy", "Oeiras, Portugal").await, with_city("Di", "Odivelas, Portugal").await);
    let next_door = venue(&app, &ana, cafe("Café da Esquina", LISBON, 1)).await;
    let farther = venue(&app, &ana, json!({"name": "Biblioteca Norte", "kind": "library", "city": "Lisbon", "lat": 38.78, "lon": -9.10,
                                            "noise": 1, "wifi": true, "outlets": "plenty", "hours": "Mon-Sat 09:00-19:00"})).await;
    venue(&app, &ana, json!({"name": "Loud Bar", "kind": "other", "city": "Lisbon", "lat": 38.735, "lon": -9.17, "noise": 5, "hours": "Mon-Sun 08:00-23:00"})).await;
    let wednesday = {
        let mut d = Utc::now().date_naive() + TimeDelta::days(1);
        while chrono::Datelike::weekday(&d) != chrono::Weekday::Wed {
            d += TimeDelta::days(1);
        }
        format!("{d}T10:00:00Z")
    };
    let ask = |who: &Member, others: &[&Member], kind: &str| {
        let ids: Vec<&str> = others.iter().map(|m| m.id.as_str()).collect();
        let url = format!(
            "/api/v1/venues/suggest?participants={}&starts_at={wednesday}&duration_minutes=120&kind={kind}",
            ids.join(",")
        );
        let token = who.token.clone();
        let app = &app;
        async move { app.get_json(&url, Some(&token)).await }
    };
    let order = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["venue"]["id"].as_str().expect("id").to_owned())
            .collect()
    };
    // Nobody marked anything: nothing is guessed from where cities' centres are, and the café in
    // the centre is simply the fairest. The loud bar is left out of a coworking session.
    let (s, body) = ask(&ana, &[&bo], "cowork").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(order(&body), [next_door.clone(), farther.clone()], "{body}");
    assert!(!body.to_string().contains("home"), "{body}");

    // Bo marks the café as near his home, on its page: it goes last, near "someone's" home.
    let b = app.browser().await;
    b.login(&bo.email, crate::support::PASSWORD).await;
    let page = b.get(&format!("/venues/{next_door}")).await.body;
    assert!(page.contains("Mark it as near my home"), "{page}");
    let marked = b.post(&format!("/venues/{next_door}/near-home"), &[("on", "1")]).await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    assert!(b.get(&format!("/venues/{next_door}")).await.body.contains("You marked this as near your home"));
    let (_, mine) = app.get_json("/api/v1/me/near-home", Some(&bo.token)).await;
    assert_eq!(mine["items"][0]["name"], "Café da Esquina");
    let (_, body) = ask(&ana, &[&bo], "cowork").await;
    assert_eq!(order(&body), [farther.clone(), next_door.clone()], "{body}");
    let reasons = body["items"][1]["reasons"].to_string();
    assert!(reasons.contains("near someone's home") && !reasons.contains("Bo's"), "nobody named: {reasons}");
    assert_eq!(body["items"][1]["too_close"], true);
    // Bo himself is told it is his own mark.
    let (_, body) = ask(&bo, &[&ana], "cowork").await;
    assert!(body["items"][1]["reasons"].to_string().contains("you marked it as near your home"), "{body}");
    // Taken off through the API, the café is the fairest again.
    let (s, _) =
        app.delete_json(&format!("/api/v1/venues/{next_door}/near-home"), &bo.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, body) = ask(&ana, &[&bo], "cowork").await;
    assert_eq!(order(&body)[0], next_door);
    let (s, _) = app.put_json(&format!("/api/v1/venues/{next_door}/near-home"), &bo.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // For Cy and Di, who live elsewhere, the café is simply the better choice: more central.
    let (_, body) = ask(&cy, &[&di], "cowork").await;
    assert_eq!(body["items"][0]["venue"]["id"], next_door.as_str(), "{body}");
    assert_eq!(body["items"][0]["too_close"], false);
    assert!(body["items"][0]["reasons"].to_string().contains("fair: the longest trip is about"), "{body}");
    // A meetup may be loud; a Sunday finds the library closed.
    let (_, body) = ask(&cy, &[&di], "meetup").await;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(3));
    let (s, bad) = app
        .get_json("/api/v1/venues/suggest?starts_at=tomorrow&duration_minutes=0&kind=party", Some(&ana.token))
        .await;
    assert_eq!(
        (s, error_fields(&bad)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["starts_at".into(), "duration_minutes".into(), "kind".into()]
        )
    );
    let (s, bad) = app
        .get_json(
            &format!("/api/v1/venues/suggest?starts_at={wednesday}&participants=nobody"),
            Some(&ana.token),
        )
        .await;
    assert_eq!((s, error_fields(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["participants".to_owned()]));
}

#[tokio::test]
async fn organisers_merge_duplicates_and_the_old_one_points_at_the_kept() {
    let app = TestApp::spawn().await;
    let (org, mem) = (app.member("Olga").await, app.member("Mel").await);
    group(&app, &org, "Organisers' circle", "open").await;
    let keep = venue(&app, &mem, cafe("Café Lumen", LISBON, 2)).await;
    let dup = venue(&app, &mem, cafe("Cafe Lumen (dup)", LISBON, 2)).await;
    let (event, key) = past_session(&app, &org, &mem, &dup).await;
    let review = json!({"event_id": event, "occurrence_start": key, "noise": 3, "wifi": true, "outlets": "plenty", "good_for_work": true});
    let (s, _) = app.post_json(&format!("/api/v1/venues/{dup}/reviews"), Some(&mem.token), &review).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) =
        app.post_json(&format!("/api/v1/venues/{dup}/merge"), Some(&mem.token), &json!({"into": keep})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not merge");
    let (s, body) =
        app.post_json(&format!("/api/v1/venues/{dup}/merge"), Some(&org.token), &json!({"into": dup})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["into".to_owned()]));
    let (s, body) = app
        .post_json(
            &format!("/api/v1/venues/{dup}/merge"),
            Some(&org.token),
            &json!({"into": format!("http://x/venues/{keep}")}),
        )
        .await;
    assert_eq!((s, body["venue_id"].clone()), (StatusCode::OK, json!(keep)), "{body}");
    let (_, v) = app.get_json(&format!("/api/v1/venues/{dup}"), Some(&mem.token)).await;
    assert_eq!(
        (v["id"].as_str(), v["reviews"].as_u64()),
        (Some(keep.as_str()), Some(1)),
        "the review moved: {v}"
    );
    let (_, e) = app.get_json(&format!("/api/v1/events/{event}"), Some(&org.token)).await;
    assert!(e.to_string().contains("Café Lumen") || e["place"].is_object(), "{e}");
    let b = app.browser().await;
    b.login(&mem.email, PASSWORD).await;
    let page = b.get(&format!("/venues/{dup}")).await;
    assert_eq!(page.location.as_deref(), Some(format!("/venues/{keep}").as_str()));
}

#[tokio::test]
async fn planning_at_a_suggested_venue_keeps_the_time_length_and_partner() {
    let app = TestApp::spawn().await;
    let ana = app.member_with("Ana", json!({"city": "Lisbon, Portugal"})).await;
    let bo = app.member_with("Bo", json!({"city": "Lisbon, Portugal"})).await;
    let (s, p) = app
        .post_json(
            "/api/v1/partnerships",
            Some(&ana.token),
            &json!({"member_id": bo.id, "kind": "coworking"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().expect("id");
    app.post_json(&format!("/api/v1/partnerships/{id}/accept"), Some(&bo.token), &json!({})).await;
    venue(&app, &ana, cafe("Café Sossego", LISBON, 1)).await;
    let day = (Utc::now() + TimeDelta::days(3)).date_naive();
    let starts = format!("{day}T10:00");
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let page = b
        .get(&format!(
            "/venues/suggest?with={}&starts_local={starts}&duration_minutes=120&kind=cowork",
            bo.id
        ))
        .await;
    let start = page.body.find("/events/new?venue=").expect("a 'Plan it here' link");
    let link: String =
        page.body[start..].chars().take_while(|c| *c != '"').collect::<String>().replace("&amp;", "&");
    let form = b.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("value=\"{starts}\"")), "the start is kept: {link}");
    assert!(form.body.contains("value=\"120\""), "the length is kept");
    assert!(
        form.body.contains(&format!("name=\"invite\" value=\"{}\"", bo.id)),
        "the partner is kept: {link}"
    );
    let csrf = crate::support::csrf_of(&form.body).expect("a form");
    let venue_id = link.split("venue=").nth(1).and_then(|v| v.split('&').next()).expect("venue").to_owned();
    let made = b
        .post_raw(
            "/events/new",
            &[
                ("csrf", csrf.as_str()),
                ("kind", "cowork"),
                ("title", "Coworking at Sossego"),
                ("starts_at_local", &starts),
                ("time_zone", "UTC"),
                ("duration_minutes", "120"),
                ("mode", "in_person"),
                ("venue", &venue_id),
                ("visibility", "invite"),
                ("invite", &bo.id),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&bo.token)).await;
    assert!(notes.to_string().contains("Ana invites you to Coworking at Sossego"), "{notes}");
}
