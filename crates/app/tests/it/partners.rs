//! Partners: explained suggestions, partnerships, favourites and who may book me.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

fn evenings(weekday: u8) -> Value {
    json!([{"weekday": weekday, "start_min": 18 * 60, "end_min": 21 * 60}])
}

async fn lisbon(app: &TestApp, name: &str, offers: &[&str], needs: &[&str]) -> Member {
    app.member_with(
        name,
        json!({"city": "Lisbon, Portugal", "timezone": "Europe/Lisbon", "in_person": true, "virtual": true,
               "skills_offered": offers, "help_wanted": needs, "windows": evenings(2)}),
    )
    .await
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["member"]["display_name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn suggestions_say_why_and_leave_out_blocked_and_suspended_members() {
    let app = TestApp::spawn().await;
    let me = lisbon(&app, "Mia", &["design"], &["seo"]).await;
    let _sam = app
        .member_with(
            "Sam",
            json!({"city": "Sintra, Portugal", "timezone": "Europe/Lisbon", "skills_offered": ["seo"],
                   "help_wanted": ["design"], "windows": evenings(2)}),
        )
        .await;
    let blocked = lisbon(&app, "Bea", &["seo"], &[]).await;
    let suspended = lisbon(&app, "Sue", &["seo"], &[]).await;
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", blocked.id), Some(&me.token), &json!({})).await;
    assert!(s.is_success(), "{s}");
    app.state.db.set_suspended(&suspended.id, Some(1)).await.expect("suspend");

    let (s, body) =
        app.get_json("/api/v1/partners/suggestions?mode=in_person&limit=10", Some(&me.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["Sam"], "{body}");
    let sam = &body["items"][0];
    let reasons: Vec<&str> =
        sam["reasons"].as_array().expect("reasons").iter().filter_map(Value::as_str).collect();
    assert_eq!(reasons[0], "offers seo — you need seo; needs design — you offer design", "{reasons:?}");
    assert!(reasons.contains(&"both free Wednesday evenings"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("about ") && r.ends_with(" km apart")), "{reasons:?}");
    assert!(sam["score"].as_u64().expect("score") > 40);
    assert_eq!(sam["member"]["badge"], "new");

    // The page: Sam with the reasons, never the blocked or suspended member.
    let web = app.browser().await;
    web.login(&me.email, PASSWORD).await;
    let page = web.get("/partners?mode=in_person").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sam") && page.body.contains("both free Wednesday evenings"), "{}", page.body);
    assert!(!page.body.contains("Bea") && !page.body.contains("Sue"));
    // Each request asks which kind, starting from the filter's.
    let card = web.get("/partners?mode=in_person&kind=referral").await.body;
    assert!(card.contains("Partner with Sam"), "{card}");
    assert!(
        card.contains(r#"<option value="referral" selected>"#)
            && card.contains(r#"<option value="accountability">"#)
    );
    assert!(!card.contains("to partner (referrals)"), "the button does not name a kind of its own");
    // The other way round too: the blocked member does not see me.
    let (_, theirs) = app.get_json("/api/v1/partners/suggestions?mode=in_person", Some(&blocked.token)).await;
    assert!(!names(&theirs).contains(&"Mia".to_owned()), "{theirs}");

    // Filters: a skill nobody near offers; a distance too short for Sintra (about 23 km).
    let (_, none) =
        app.get_json("/api/v1/partners/suggestions?mode=in_person&skill=pottery", Some(&me.token)).await;
    assert!(names(&none).is_empty());
    let (_, near) =
        app.get_json("/api/v1/partners/suggestions?mode=in_person&max_km=5", Some(&me.token)).await;
    assert!(names(&near).is_empty(), "{near}");
    let (s, bad) = app.get_json("/api/v1/partners/suggestions?mode=teleport&limit=0", Some(&me.token)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&bad), ["mode", "limit"]);
    let page = web.get("/partners?max_km=far").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Give a distance in km") && page.body.contains("value=\"far\""));
}

#[tokio::test]
async fn hidden_skills_give_no_reason() {
    let app = TestApp::spawn().await;
    let me = lisbon(&app, "Mia", &["design"], &["seo"]).await;
    let shy = lisbon(&app, "Shy", &["seo"], &[]).await;
    let (s, _) =
        app.patch_json("/api/v1/me", &shy.token, &json!({"visibility": {"skills": "partners"}})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, body) = app.get_json("/api/v1/partners/suggestions?mode=in_person", Some(&me.token)).await;
    let text = body.to_string();
    assert!(text.contains("Shy") && !text.contains("seo"), "{body}");
}

#[tokio::test]
async fn a_partnership_is_requested_accepted_and_offers_the_start_small_series() {
    let app = TestApp::spawn().await;
    let ana = lisbon(&app, "Ana", &["design"], &["seo"]).await;
    let ben = lisbon(&app, "Ben", &["seo"], &["design"]).await;
    let ask = json!({"member_id": ben.id, "kind": "coworking", "message": "Cowork on Wednesdays?"});
    let (s, p) = app.post_json("/api/v1/partnerships", Some(&ana.token), &ask).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "requested");
    let id = p["id"].as_str().expect("id").to_owned();
    // Asked twice: a conflict, said on the field.
    let (s, again) = app.post_json("/api/v1/partnerships", Some(&ana.token), &ask).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(error_fields(&again), ["member_id"]);
    // Only Ben can answer.
    let (s, _) =
        app.post_json(&format!("/api/v1/partnerships/{id}/accept"), Some(&ana.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.mail_with(&["Ana asks you to be their coworking partner"]).await;
    let (s, p) =
        app.post_json(&format!("/api/v1/partnerships/{id}/accept"), Some(&ben.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "accepted");
    assert_eq!(p["offer"]["repeat"], "every-two-months");
    assert_eq!(p["offer"]["duration_minutes"], 120);
    // The offer opens the event form prefilled.
    let web = app.browser().await;
    web.login(&ben.email, PASSWORD).await;
    let form = web.get(p["offer"]["link"].as_str().expect("link")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"Coworking: Ana &amp; Ben\""), "{}", form.body);
    assert!(form.body.contains("value=\"every-two-months\" selected"));
    assert!(form.body.contains("value=\"120\""));
    assert!(
        form.body.contains(&format!("name=\"partnership\" value=\"{id}\"")),
        "the form carries the partnership"
    );
    // Sending the form makes the session, and Ana is invited to it.
    let csrf = crate::support::csrf_of(&form.body).expect("a form");
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(3)).format("%Y-%m-%dT10:00").to_string();
    let made = web
        .post_raw(
            "/events/new",
            &[
                ("csrf", csrf.as_str()),
                ("kind", "cowork"),
                ("title", "Coworking: Ana & Ben"),
                ("starts_at_local", &start),
                ("time_zone", "UTC"),
                ("duration_minutes", "120"),
                ("repeat", "every-two-months"),
                ("mode", "virtual"),
                ("visibility", "invite"),
                ("partnership", &id),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let event_path = made.location.expect("the new event");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&ana.token)).await;
    let invite = notes["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|n| n["title"].as_str().is_some_and(|t| t.contains("Ben set up your recurring session")))
        .unwrap_or_else(|| panic!("Ana is told: {notes}"))
        .clone();
    assert_eq!(invite["link"].as_str(), Some(event_path.as_str()));
    let event_id = event_path.trim_start_matches("/events/").to_owned();
    let (_, e) = app.get_json(&format!("/api/v1/events/{event_id}"), Some(&ana.token)).await;
    let at = e["next"][0]["occurrence_start"].clone();
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{event_id}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the link lets her answer");
    let from = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to =
        (chrono::Utc::now() + chrono::TimeDelta::days(10)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (_, mine) = app.get_json(&format!("/api/v1/events?from={from}&to={to}"), Some(&ana.token)).await;
    assert!(mine.to_string().contains(&event_id), "in her calendar once she answered: {mine}");
    // Partners see fields shown to partners only.
    let (s, _) = app
        .patch_json("/api/v1/me", &ana.token, &json!({"visibility": {"bio": "partners"}, "bio": "Type nerd"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, seen) = app.get_json(&format!("/api/v1/members/{}", ana.id), Some(&ben.token)).await;
    assert_eq!(seen["bio"], "Type nerd", "{seen}");
    // Ending it: a second end is a conflict.
    let (s, p) = app.post_json(&format!("/api/v1/partnerships/{id}/end"), Some(&ana.token), &json!({})).await;
    assert_eq!((s, p["status"].as_str()), (StatusCode::OK, Some("ended")));
    let (s, _) = app.post_json(&format!("/api/v1/partnerships/{id}/end"), Some(&ben.token), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, seen) = app.get_json(&format!("/api/v1/members/{}", ana.id), Some(&ben.token)).await;
    assert!(seen["bio"].is_null() || seen["bio"] == "", "{seen}");
}

#[tokio::test]
async fn the_accountability_offer_is_weekly_and_the_page_declines() {
    let app = TestApp::spawn().await;
    let ana = lisbon(&app, "Ana", &[], &[]).await;
    let ben = lisbon(&app, "Ben", &[], &[]).await;
    let web = app.browser().await;
    web.login(&ana.email, PASSWORD).await;
    let page = web
        .post(
            "/partnerships",
            &[("member_id", &ben.id), ("kind", "accountability"), ("message", "Weekly goals?")],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/partnerships"), "{}", page.body);
    assert!(web.get("/partnerships").await.body.contains("waiting for an answer"));
    let (_, list) = app.get_json("/api/v1/partnerships", Some(&ben.token)).await;
    let id = list["items"][0]["id"].as_str().expect("id").to_owned();
    let (_, p) =
        app.post_json(&format!("/api/v1/partnerships/{id}/accept"), Some(&ben.token), &json!({})).await;
    assert_eq!(p["offer"]["repeat"], "weekly");
    // A referral request that Ben declines on the page.
    let (_, r) = app
        .post_json(
            "/api/v1/partnerships",
            Some(&ana.token),
            &json!({"member_id": ben.id, "kind": "referral"}),
        )
        .await;
    let rid = r["id"].as_str().expect("id");
    let bweb = app.browser().await;
    bweb.login(&ben.email, PASSWORD).await;
    let page = bweb.get("/partnerships").await;
    assert!(page.body.contains("Decline Ana"));
    let page = bweb.post(&format!("/partnerships/{rid}/decline"), &[]).await;
    assert_eq!(page.location.as_deref(), Some("/partnerships"));
    let (_, list) = app.get_json("/api/v1/partnerships", Some(&ana.token)).await;
    let statuses: Vec<&str> =
        list["items"].as_array().expect("items").iter().filter_map(|i| i["status"].as_str()).collect();
    assert_eq!(statuses, ["accepted", "declined"]);
    // Bad input keeps the form's message visible.
    let page = web.post("/partnerships", &[("member_id", &ben.id), ("kind", "pen-pals")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Choose coworking, accountability or referrals."), "{}", page.body);
}

#[tokio::test]
async fn who_may_book_me_and_favourites() {
    let app = TestApp::spawn().await;
    let ana = lisbon(&app, "Ana", &["design"], &["seo"]).await;
    let ben = lisbon(&app, "Ben", &["seo"], &["design"]).await;
    let (s, v) = app.put_json("/api/v1/me/bookable-by", &ben.token, &json!({"value": "favourites"})).await;
    assert_eq!((s, v["value"].as_str()), (StatusCode::OK, Some("favourites")));
    let (s, bad) = app.put_json("/api/v1/me/bookable-by", &ben.token, &json!({"value": "cats"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&bad), ["value"]);
    // Ben takes requests only from his favourites: Ana is not one, so he is not suggested and
    // cannot be asked.
    let (_, body) = app.get_json("/api/v1/partners/suggestions?mode=in_person", Some(&ana.token)).await;
    assert!(names(&body).is_empty(), "{body}");
    let ask = json!({"member_id": ben.id, "kind": "coworking"});
    let (s, err) = app.post_json("/api/v1/partnerships", Some(&ana.token), &ask).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (s, _) = app.put_json(&format!("/api/v1/favourites/{}", ana.id), &ben.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, favs) = app.get_json("/api/v1/favourites", Some(&ben.token)).await;
    assert_eq!(favs["items"][0]["display_name"], "Ana");
    let (_, body) = app.get_json("/api/v1/partners/suggestions?mode=in_person", Some(&ana.token)).await;
    assert_eq!(names(&body), ["Ben"]);
    let (s, _) = app.post_json("/api/v1/partnerships", Some(&ana.token), &ask).await;
    assert_eq!(s, StatusCode::CREATED);
    // The favourite toggle on the page, and no favourite of an unknown member.
    let web = app.browser().await;
    web.login(&ana.email, PASSWORD).await;
    let page =
        web.post(&format!("/members/{}/favourite", ben.id), &[("on", "1"), ("back", "/partners")]).await;
    assert_eq!(page.location.as_deref(), Some("/partners"));
    // (Coworking is asked already, so Ben shows for referrals.)
    let page = web.get("/partners?mode=in_person&kind=referral").await;
    assert!(page.body.contains("Remove Ben from favourites"), "{}", page.body);
    let (s, _) = app.put_json("/api/v1/favourites/nobody-here", &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Both members' exports carry their side of it.
    let (_, export) = app.get_json("/api/v1/me/export", Some(&ben.token)).await;
    assert_eq!(export["partners"]["bookable_by"], "favourites");
    assert_eq!(export["partners"]["favourites"][0]["display_name"], "Ana");
    assert_eq!(export["partners"]["partnerships"][0]["requester"]["display_name"], "Ana");
    let (_, export) = app.get_json("/api/v1/me/export", Some(&ana.token)).await;
    assert_eq!(export["partners"]["partnerships"][0]["status"], "requested");
    assert_eq!(export["partners"]["favourites"][0]["display_name"], "Ben");
}

#[tokio::test]
async fn a_profile_offers_favourite_and_request_and_a_refused_request_keeps_the_message() {
    let app = TestApp::spawn().await;
    let ana = lisbon(&app, "Ana", &["design"], &["seo"]).await;
    let ben = lisbon(&app, "Ben", &["seo"], &["design"]).await;
    let web = app.browser().await;
    web.login(&ana.email, PASSWORD).await;
    let page = web.get(&format!("/members/{}", ben.id)).await;
    assert!(page.body.contains("badge-new"), "{}", page.body);
    assert!(page.body.contains("Add Ben to favourites"), "{}", page.body);
    assert!(page.body.contains("Ask Ben to partner"), "{}", page.body);
    // The toggle comes back to the profile.
    let done = web.post(&format!("/members/{}/favourite", ben.id), &[("on", "1")]).await;
    assert_eq!(done.location, Some(format!("/members/{}", ben.id)));
    assert!(web.get(&format!("/members/{}", ben.id)).await.body.contains("Remove Ben from favourites"));
    // Too long a message: refused next to the field, the words kept, nothing stored.
    let long = "word ".repeat(300);
    let form = [("member_id", ben.id.as_str()), ("kind", "accountability"), ("message", long.trim())];
    let refused = web.post("/partnerships", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"id="e-message""#), "{}", refused.body);
    assert!(refused.body.contains(long.trim()), "the message is kept");
    assert!(refused.body.contains(r#"<option value="accountability" selected>"#), "{}", refused.body);
    assert!(app.state.db.partnerships_of(&ana.id).await.expect("db").is_empty());
    let sent = web
        .post("/partnerships", &[("member_id", &ben.id), ("kind", "accountability"), ("message", "Weekly?")])
        .await;
    assert_eq!(sent.location.as_deref(), Some("/partnerships"));
    // A member who takes no requests says so instead of showing the form.
    let (s, _) = app.put_json("/api/v1/me/bookable-by", &ben.token, &json!({"value": "nobody"})).await;
    assert_eq!(s, StatusCode::OK);
    let page = web.get(&format!("/members/{}", ben.id)).await;
    assert!(page.body.contains("Ben is not taking partner requests."), "{}", page.body);
    assert!(!page.body.contains("Ask Ben to partner"));
}

#[tokio::test]
async fn suggestions_follow_how_the_member_meets_when_no_mode_is_asked() {
    let app = TestApp::spawn().await;
    let only_in_person = json!({"city": "Lisbon, Portugal", "timezone": "Europe/Lisbon", "in_person": true,
                                "virtual": false, "skills_offered": ["design"], "help_wanted": ["seo"],
                                "windows": evenings(2)});
    let me = app.member_with("Ina", only_in_person).await;
    lisbon(&app, "Sam", &["seo"], &["design"]).await;
    let (s, default) = app.get_json("/api/v1/partners/suggestions", Some(&me.token)).await;
    assert_eq!(s, StatusCode::OK, "{default}");
    assert_eq!(names(&default), ["Sam"], "not an empty online list: {default}");
    let reasons = default["items"][0]["reasons"].to_string();
    assert!(reasons.contains("in the same city"), "in person, so distance counts: {reasons}");
    let (_, in_person) = app.get_json("/api/v1/partners/suggestions?mode=in_person", Some(&me.token)).await;
    assert_eq!(default, in_person);
}
