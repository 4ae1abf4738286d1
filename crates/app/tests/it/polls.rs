//! Time-finding polls: proposals from availability and events, votes, closing into an event.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp};

fn all_week(start_min: u16, end_min: u16) -> Value {
    json!((0..7)
        .map(|d| json!({"weekday": d, "start_min": start_min, "end_min": end_min}))
        .collect::<Vec<_>>())
}

pub(crate) async fn with_hours(app: &TestApp, name: &str, zone: &str, from: u16, to: u16) -> Member {
    app.member_with(name, json!({"timezone": zone, "windows": all_week(from, to)})).await
}

pub(crate) fn range() -> (String, String) {
    let today = Utc::now().date_naive();
    ((today + Days::new(2)).to_string(), (today + Days::new(8)).to_string())
}

#[tokio::test]
async fn the_server_proposes_times_that_suit_most_people_and_closing_makes_the_event() {
    let app = TestApp::spawn().await;
    let org = with_hours(&app, "Organiser", "Europe/Lisbon", 9 * 60, 12 * 60).await;
    let a = with_hours(&app, "Ana", "Europe/Lisbon", 10 * 60, 13 * 60).await;
    let b = with_hours(&app, "Ben", "Europe/Berlin", 11 * 60, 14 * 60).await;
    let outsider = app.member("Outsider").await;
    let (from, to) = range();
    let (s, poll) = app
        .post_json(
            "/api/v1/polls",
            Some(&org.token),
            &json!({"title": "Quarterly coworking", "duration_minutes": 60, "time_zone": "Europe/Lisbon",
                    "from_date": from, "to_date": to, "invitees": [a.id, b.id], "preset": "quarterly"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{poll}");
    let slots = poll["slots"].as_array().expect("slots");
    assert!(!slots.is_empty());
    // Lisbon 10:00-11:00 is Berlin 11:00-12:00: the one hour all three share each day.
    let best = &slots
        .iter()
        .find(|s| s["explain"].as_str().is_some_and(|e| e.contains('3')))
        .expect("a slot for all three");
    assert!(
        best["start"].as_str().expect("start").ends_with("T10:00:00Z")
            || best["start"].as_str().expect("start").ends_with("T09:00:00Z"),
        "{best}"
    );
    let id = poll["id"].as_str().expect("id");
    assert_eq!(
        app.get_json(&format!("/api/v1/polls/{id}"), Some(&outsider.token)).await.0,
        StatusCode::NOT_FOUND
    );
    let key = best["key"].as_i64().expect("key");
    let vote = |m: &Member, v: &str| {
        let body = json!({"votes": [{"start": key, "vote": v}]});
        let (app, token, path) = (&app, m.token.clone(), format!("/api/v1/polls/{id}/votes"));
        async move {
            app.client()
                .put(app.url(&path))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("put")
                .status()
        }
    };
    assert_eq!(vote(&a, "yes").await, StatusCode::NO_CONTENT);
    assert_eq!(vote(&b, "ifneedbe").await, StatusCode::NO_CONTENT);
    assert_eq!(vote(&b, "perhaps").await, StatusCode::UNPROCESSABLE_ENTITY);
    let twice = json!({"votes": [{"start": key, "vote": "yes"}, {"start": key, "vote": "no"}]});
    let resp =
        app.client().put(app.url(&format!("/api/v1/polls/{id}/votes"))).bearer_auth(&a.token).json(&twice);
    assert_eq!(
        resp.send().await.expect("put").status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "one vote per time"
    );
    let (_, seen) = app.get_json(&format!("/api/v1/polls/{id}"), Some(&b.token)).await;
    let tallied =
        seen["slots"].as_array().expect("slots").iter().find(|s| s["key"] == key).expect("slot").clone();
    assert_eq!(tallied["yes"], json!(["Ana"]));
    assert_eq!(tallied["if_need_be"], json!(["Ben"]));
    assert_eq!(tallied["best"], true);
    let (s, _) =
        app.post_json(&format!("/api/v1/polls/{id}/close"), Some(&a.token), &json!({"start": key})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the organiser closes");
    let (s, event) =
        app.post_json(&format!("/api/v1/polls/{id}/close"), Some(&org.token), &json!({"start": key})).await;
    assert_eq!(s, StatusCode::CREATED, "{event}");
    assert_eq!(event["title"], "Quarterly coworking");
    assert!(event["summary"].as_str().expect("summary").contains("every three months"), "{event}");
    let (_, as_ana) =
        app.get_json(&format!("/api/v1/events/{}", event["id"].as_str().expect("id")), Some(&a.token)).await;
    assert_eq!(as_ana["next"][0]["my_status"], "going", "a yes vote becomes going");
    let (_, as_ben) =
        app.get_json(&format!("/api/v1/events/{}", event["id"].as_str().expect("id")), Some(&b.token)).await;
    assert_eq!(as_ben["next"][0]["my_status"], serde_json::Value::Null, "if need be waits for Ben's answer");
    assert_eq!(vote(&a, "no").await, StatusCode::UNPROCESSABLE_ENTITY, "closed");
    app.mail_with(&[&b.email, "Quarterly coworking is on"]).await;
}

#[tokio::test]
async fn bad_poll_input_names_each_field() {
    let app = TestApp::spawn().await;
    let org = app.member("Organiser").await;
    let (s, body) = app.post_json("/api/v1/polls", Some(&org.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["title", "from_date", "to_date", "invitees"]);
    let (s, body) = app
        .post_json(
            "/api/v1/polls",
            Some(&org.token),
            &json!({"title": "x", "kind": "party", "duration_minutes": 5, "time_zone": "Nowhere/Land",
                    "from_date": "2027-01-10", "to_date": "2027-03-10", "invitees": ["nobody"], "preset": "yearly"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&body);
    for f in ["kind", "duration_minutes", "time_zone", "to_date", "preset", "invitees"] {
        assert!(fields.contains(&f.to_owned()), "{f} missing from {fields:?}");
    }
    let other = app.member("Nobody Free").await;
    let (from, to) = range();
    let (s, body) = app
        .post_json(
            "/api/v1/polls",
            Some(&org.token),
            &json!({"title": "Coffee", "from_date": from, "to_date": to, "invitees": [other.id]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "nobody has any availability: {body}");
    assert!(body["errors"][0]["detail"].as_str().expect("detail").contains("Nobody's availability"));
}

#[tokio::test]
async fn the_pages_start_a_poll_from_the_directory_and_vote() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Olga", "olga@example.org").await;
    let olga = app.state.db.user_by_email("olga@example.org").await.expect("db").expect("user");
    let p = app.state.db.profile(&olga.id).await.expect("db").expect("profile");
    let mut update = app::profiles::edit::unchanged(&p);
    update.windows = (0..7).map(|d| domain::profile::Window::new(d, 540, 1020).expect("window")).collect();
    app.state.db.update_profile(&olga.id, &update, 0).await.expect("profile");
    let pia = with_hours(&app, "Pia", "UTC", 9 * 60, 17 * 60).await;
    let dir = b.get("/members").await;
    assert!(dir.body.contains("Find a time with the selected members"));
    let form = b.get(&format!("/polls/new?with={}", pia.id)).await;
    assert!(form.body.contains("With: Pia."));
    let (from, to) = range();
    let bad = b
        .post(
            "/polls/new",
            &[
                ("with", pia.id.as_str()),
                ("title", ""),
                ("kind", "cowork"),
                ("duration_minutes", "60"),
                ("time_zone", "UTC"),
                ("from_date", &from),
                ("to_date", &to),
                ("preset", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Give the poll a title"));
    assert!(bad.body.contains("With: Pia."), "invitees kept");
    let made = b
        .post(
            "/polls/new",
            &[
                ("with", pia.id.as_str()),
                ("title", "Accountability check-in"),
                ("kind", "accountability"),
                ("duration_minutes", "60"),
                ("time_zone", "UTC"),
                ("from_date", &from),
                ("to_date", &to),
                ("preset", "weekly"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = made.location.expect("poll page");
    let page = b.get(&path).await;
    assert!(page.body.contains("everyone free") || page.body.contains("2 of 2 free"), "{}", page.body);
    let start = page.body.find("name=\"vote_").expect("a vote field") + "name=\"vote_".len();
    let key: String = page.body[start..].chars().take_while(char::is_ascii_digit).collect();
    let voted = b.post(&format!("{path}/votes"), &[(&format!("vote_{key}"), "yes")]).await;
    assert_eq!(voted.status, StatusCode::SEE_OTHER);
    assert!(b.get(&path).await.body.contains("Yes: Olga."));
    let closed = b.post(&format!("{path}/close"), &[("start", &key)]).await;
    assert!(closed.location.is_some_and(|l| l.starts_with("/events/")));
}
