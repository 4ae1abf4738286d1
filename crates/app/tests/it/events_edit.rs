//! Changing events after people answered: new times carry answers along, added seats move the
//! waitlist up, the edit page ("this and following", ending a series), the schedule in words,
//! and input far outside any real date refused rather than crashing a handler.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

fn series(title: &str, capacity: Option<i64>) -> Value {
    json!({
        "kind": "cowork", "title": title, "starts_at_local": "2027-03-17T18:00",
        "time_zone": "Europe/Berlin", "duration_minutes": 120, "preset": "fortnightly",
        "capacity": capacity, "place": {"name": "Stadtbibliothek", "city": "Berlin"}
    })
}

async fn create(app: &TestApp, host: &Member, body: &Value) -> Value {
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    e
}

async fn put(app: &TestApp, who: &Member, path: &str, body: &Value) -> (StatusCode, Value) {
    let resp = app.client().put(app.url(path)).bearer_auth(&who.token).json(body).send().await.expect("put");
    crate::support::json_of(resp).await
}

#[tokio::test]
async fn new_times_carry_answers_along_and_added_seats_move_the_waitlist_up() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let e = create(&app, &host, &series("Library evening", Some(1))).await;
    let id = e["id"].as_str().expect("id");
    let second = e["next"][1]["occurrence_start"].as_str().expect("second").to_owned();
    let rsvp = format!("/api/v1/events/{id}/rsvp");
    let (_, a) =
        put(&app, &ana, &rsvp, &json!({"occurrence_start": second, "status": "going", "goal": "Invoices"}))
            .await;
    assert_eq!(a["status"], "going");
    let (_, b) = put(&app, &ben, &rsvp, &json!({"occurrence_start": second, "status": "going"})).await;
    assert_eq!(b["status"], "waitlisted");

    // Thursdays instead of Wednesdays, and a second seat.
    let (s, moved) = app
        .patch_json(
            &format!("/api/v1/events/{id}"),
            &host.token,
            &json!({"starts_at_local": "2027-03-18T18:00", "preset": "fortnightly", "capacity": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["next"][1]["local_start"], "2027-04-01T18:00");
    let (_, as_ana) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ana.token)).await;
    assert_eq!(as_ana["next"][1]["my_status"], "going", "the answer moved to the new second date: {as_ana}");
    assert_eq!(as_ana["next"][0]["my_status"], Value::Null);
    let (_, as_ben) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ben.token)).await;
    assert_eq!(as_ben["next"][1]["my_status"], "going", "the added seat went to the waitlist: {as_ben}");
    // Ana and Ben hear of their date's new time, in their own zone; Ben also of his seat.
    let mails = app.mails(3).await;
    for (who, subject) in [
        (&ana.email, "Moved: Library evening, now Thu 1 Apr 2027, 16:00"),
        (&ben.email, "Moved: Library evening, now Thu 1 Apr 2027, 16:00"),
        (&ben.email, "You're in: Library evening"),
    ] {
        assert!(
            mails.iter().any(|m| m.contains(&format!("To: {who}")) && m.contains(subject)),
            "{subject}: {mails:?}"
        );
    }

    // The host may remove someone who is waiting, not only those with a seat.
    let carl = app.member("Carl").await;
    let moved_second = as_ana["next"][1]["occurrence_start"].as_str().expect("start").to_owned();
    let (_, c) = put(&app, &carl, &rsvp, &json!({"occurrence_start": moved_second, "status": "going"})).await;
    assert_eq!(c["status"], "waitlisted");
    let body = json!({"occurrence_start": moved_second, "member_id": carl.id, "mark": "removed"});
    let (s, _) = put(&app, &host, &format!("/api/v1/events/{id}/attendance"), &body).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, as_carl) = app.get_json(&format!("/api/v1/events/{id}"), Some(&carl.token)).await;
    assert_eq!(as_carl["next"][1]["my_status"], Value::Null);
    assert_eq!(as_carl["next"][1]["waitlisted"], 0);
}

#[tokio::test]
async fn the_edit_page_changes_this_and_following_and_ends_the_series() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let other = app.member("Other").await;
    let e = create(&app, &host, &series("Library evening", None)).await;
    let id = e["id"].as_str().expect("id");
    let third = e["next"][2]["key"].as_i64().expect("key").to_string();
    let b = app.browser().await;
    b.login(&other.email, PASSWORD).await;
    assert_eq!(b.get(&format!("/events/{id}/edit")).await.status, StatusCode::FORBIDDEN);
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let event_page = b.get(&format!("/events/{id}")).await;
    assert!(event_page.body.contains(&format!("/events/{id}/edit")), "edit link for the host");
    let form = b.get(&format!("/events/{id}/edit?from={third}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("As now (every two weeks on Wednesday at 18:00 Berlin time, 2 hours)"),
        "{}",
        form.body
    );
    assert!(form.body.contains("Save changes"));
    let fields = |title: &'static str| {
        vec![
            ("kind", "cowork"),
            ("title", title),
            ("description", ""),
            ("starts_at_local", "2027-04-14T19:00"),
            ("time_zone", "Europe/Berlin"),
            ("duration_minutes", "120"),
            ("repeat", "keep"),
            ("capacity", ""),
            ("mode", "in_person"),
            ("place_name", "Stadtbibliothek"),
            ("city", "Berlin"),
            ("video_url", ""),
            ("visibility", "public"),
            ("event", ""),
        ]
    };
    let mut bad = fields("");
    bad.push(("from", third.as_str()));
    let page = b.post(&format!("/events/{id}/edit"), &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("2027-04-14T19:00"), "input kept");
    let mut good = fields("Library night");
    good.push(("from", third.as_str()));
    let saved = b.post(&format!("/events/{id}/edit"), &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let tail = saved.location.expect("the new series");
    assert_ne!(tail, format!("/events/{id}"));
    let tail_page = b.get(&tail).await;
    assert!(
        tail_page.body.contains("Library night") && tail_page.body.contains("19:00"),
        "{}",
        tail_page.body
    );
    let (_, head) = app.get_json(&format!("/api/v1/events/{id}"), Some(&host.token)).await;
    assert_eq!(head["title"], "Library evening");
    assert_eq!(head["next"].as_array().expect("dates").len(), 2, "the first two dates stay: {head}");

    // The whole series: a new title for all its dates.
    let mut whole = fields("Quiet library evening");
    whole[3] = ("starts_at_local", "2027-03-17T18:00");
    whole.push(("from", ""));
    let saved = b.post(&format!("/events/{id}/edit"), &whole).await;
    assert_eq!(saved.location.as_deref(), Some(format!("/events/{id}").as_str()));
    let (_, head) = app.get_json(&format!("/api/v1/events/{id}"), Some(&host.token)).await;
    assert_eq!(head["title"], "Quiet library evening");
    assert!(
        head["summary"].as_str().expect("summary").starts_with("every two weeks"),
        "kept the rule: {head}"
    );

    // Ending the tail series from its second date on.
    let tail_id = tail.trim_start_matches("/events/");
    let ended = b.post(&format!("/events/{tail_id}/end"), &[("from_date", "2027-04-28")]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    let (_, t) = app.get_json(&format!("/api/v1/events/{tail_id}"), Some(&host.token)).await;
    assert_eq!(t["next"].as_array().expect("dates").len(), 1, "{t}");
    let bad_date = b.post(&format!("/events/{tail_id}/end"), &[("from_date", "soon")]).await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_schedule_is_said_in_words_as_the_form_is_filled() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let page = b
        .get("/events/summary?starts_at_local=2027-03-17T18:00&time_zone=Europe/Berlin&duration_minutes=120&repeat=fortnightly")
        .await;
    assert_eq!(page.body, "In words: every two weeks on Wednesday at 18:00 Berlin time, 2 hours.");
    let unfinished =
        b.get("/events/summary?starts_at_local=&time_zone=Europe/Berlin&duration_minutes=120").await;
    assert_eq!((unfinished.status, unfinished.body.as_str()), (StatusCode::OK, ""));
    assert!(b.get("/events/new").await.body.contains("hx-get=\"/events/summary\""));
}

#[tokio::test]
async fn dates_far_outside_the_calendar_and_repeated_votes_are_refused_not_crashes() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let e = create(&app, &host, &series("Library evening", None)).await;
    let id = e["id"].as_str().expect("id");
    let (s, body) = put(
        &app,
        &host,
        &format!("/api/v1/events/{id}/rsvp"),
        &json!({"occurrence_start": "8210266870000000", "status": "going"}),
    )
    .await;
    assert_eq!(
        (s, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["occurrence_start".to_owned()])
    );
    let mut far = series("Far", None);
    far["starts_at_local"] = json!("+262142-12-31T23:00");
    let (s, body) = app.post_json("/api/v1/events", Some(&host.token), &far).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, _) = app
        .get_json(
            &format!("/api/v1/events/{id}/occurrences?from=%2B262142-12-31T00:00:00Z"),
            Some(&host.token),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    assert_eq!(b.get("/calendar?date=%2B262142-12-31").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.member("Other").await;
    let (s, body) = app
        .post_json("/api/v1/polls", Some(&host.token), &json!({"title": "x", "from_date": "2027-01-10", "to_date": "+262142-12-31", "invitees": [other.id]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_fields(&body).contains(&"to_date".to_owned()));
}
