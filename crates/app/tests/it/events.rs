//! Events through the API and pages: creating series, occurrences across DST, RSVPs with
//! capacity and waitlist, goals, host controls, and bad input.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp};

fn fortnightly_in_berlin() -> Value {
    json!({
        "kind": "cowork", "title": "Library evening", "description": "Two hours, heads down.",
        "starts_at_local": "2027-03-17T18:00", "time_zone": "Europe/Berlin", "duration_minutes": 120,
        "preset": "fortnightly", "capacity": 1,
        "place": {"name": "Stadtbibliothek", "city": "Berlin"}
    })
}

async fn create(app: &TestApp, host: &Member, body: &Value) -> Value {
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    e
}

#[tokio::test]
async fn a_fortnightly_series_keeps_its_local_time_across_the_clock_change() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let e = create(&app, &host, &fortnightly_in_berlin()).await;
    assert_eq!(e["summary"], "every two weeks on Wednesday at 18:00 Berlin time, 2 hours", "{e}");
    assert_eq!(e["rrule"], "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE");
    assert_eq!(e["place"]["city"], "Berlin, Germany");
    let id = e["id"].as_str().expect("id");
    let (s, occ) = app
        .get_json(
            &format!("/api/v1/events/{id}/occurrences?from=2027-03-01T00:00:00Z&to=2027-04-30T00:00:00Z"),
            Some(&host.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{occ}");
    let starts: Vec<&str> =
        occ["items"].as_array().expect("items").iter().map(|o| o["start"].as_str().expect("start")).collect();
    // 18:00 in Berlin is 17:00 UTC before 28 March 2027 and 16:00 UTC after.
    assert_eq!(
        starts,
        vec!["2027-03-17T17:00:00Z", "2027-03-31T16:00:00Z", "2027-04-14T16:00:00Z", "2027-04-28T16:00:00Z"]
    );
    assert!(occ["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|o| o["local_start"].as_str().expect("local").ends_with("T18:00")));
    assert_eq!(occ["items"][0]["end"], "2027-03-17T19:00:00Z");
    let (s, body) = app
        .get_json(
            &format!("/api/v1/events/{id}/occurrences?from=2027-01-01T00:00:00Z&to=2029-01-01T00:00:00Z"),
            Some(&host.token),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "windows are bounded: {body}");
    let (s, body) =
        app.get_json(&format!("/api/v1/events/{id}/occurrences?from=yesterday"), Some(&host.token)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["from"]);
}

#[tokio::test]
async fn bad_event_input_names_each_field() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let (s, body) = app.post_json("/api/v1/events", Some(&host.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["kind", "title", "time_zone", "starts_at_local", "place"]);
    let (s, body) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "party", "title": " ", "starts_at_local": "next tuesday", "time_zone": "Mars/Base",
                    "duration_minutes": 0, "rrule": "FREQ=YEARLY", "capacity": 0,
                    "virtual": {"video_url": "http://insecure.example/room"}, "visibility": "secret"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&body);
    for f in [
        "kind",
        "title",
        "starts_at_local",
        "time_zone",
        "duration_minutes",
        "rrule",
        "capacity",
        "virtual.video_url",
        "visibility",
    ] {
        assert!(fields.contains(&f.to_owned()), "{f} missing from {fields:?}");
    }
    let (s, _) = app.post_json("/api/v1/events", Some(&host.token), &json!({"colour": "red"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut both = fortnightly_in_berlin();
    both["virtual"] = json!({});
    let (s, body) = app.post_json("/api/v1/events", Some(&host.token), &both).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["place"]);
}

#[tokio::test]
async fn seats_fill_then_the_waitlist_moves_up_and_is_told() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let e = create(&app, &host, &fortnightly_in_berlin()).await;
    let id = e["id"].as_str().expect("id");
    let first = e["next"][0]["occurrence_start"].as_str().expect("occurrence").to_owned();
    let answer = |m: &Member, status: &str, goal: Option<&str>| {
        let body = json!({"occurrence_start": first, "status": status, "goal": goal});
        let (app, token, path) = (&app, m.token.clone(), format!("/api/v1/events/{id}/rsvp"));
        async move {
            let resp =
                app.client().put(app.url(&path)).bearer_auth(token).json(&body).send().await.expect("put");
            crate::support::json_of(resp).await
        }
    };
    let (s, r) = answer(&ana, "going", Some("Finish the Lopez invoices")).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("going")));
    let (_, r) = answer(&ben, "going", Some("Logo sketches")).await;
    assert_eq!(r["status"], "waitlisted");
    let (_, ev) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ben.token)).await;
    assert_eq!(ev["next"][0]["going"], 1);
    assert_eq!(ev["next"][0]["waitlisted"], 1);
    assert_eq!(ev["next"][0]["my_status"], "waitlisted");
    let (_, r) = answer(&ana, "declined", None).await;
    assert_eq!(r["status"], "declined");
    let (_, ev) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ben.token)).await;
    assert_eq!(ev["next"][0]["my_status"], "going", "promoted");
    app.mail_with(&[&format!("To: {}", ben.email), "You're in: Library evening"]).await;
    let (s, body) = answer(&ana, "sometimes", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["status"]);
    let body = json!({"occurrence_start": "2027-03-18T17:00:00Z", "status": "going"});
    let resp = app
        .client()
        .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&ana.token)
        .json(&body)
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "no occurrence at that time");
}

#[tokio::test]
async fn hosts_cancel_one_date_and_only_hosts_may_change_the_event() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let other = app.member("Other").await;
    let e = create(&app, &host, &fortnightly_in_berlin()).await;
    let id = e["id"].as_str().expect("id");
    let second = e["next"][1]["occurrence_start"].as_str().expect("second").to_owned();
    let (s, _) =
        app.patch_json(&format!("/api/v1/events/{id}"), &other.token, &json!({"title": "Mine now"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, o) = app
        .patch_json(
            &format!("/api/v1/events/{id}/occurrences/{second}"),
            &host.token,
            &json!({"cancelled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["status"], "cancelled");
    let body = json!({"occurrence_start": second, "status": "going"});
    let resp = app
        .client()
        .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&other.token)
        .json(&body)
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "a cancelled date takes no answers");
    let (s, e2) = app
        .patch_json(
            &format!("/api/v1/events/{id}"),
            &host.token,
            &json!({"title": "Library night", "preset": "weekly"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e2}");
    assert_eq!(e2["summary"], "every week on Wednesday at 18:00 Berlin time, 2 hours");
    let resp = app
        .client()
        .delete(app.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&other.token)
        .send()
        .await
        .expect("del");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .client()
        .delete(app.url(&format!("/api/v1/events/{id}")))
        .bearer_auth(&host.token)
        .send()
        .await
        .expect("del");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(&format!("/api/v1/events/{id}"), Some(&host.token)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn invite_only_events_are_unlisted_but_reachable_by_link() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let other = app.member("Other").await;
    let mut body = fortnightly_in_berlin();
    body["visibility"] = json!("invite");
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().expect("id");
    let window = "from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z";
    let (_, list) = app.get_json(&format!("/api/v1/events?{window}"), Some(&other.token)).await;
    assert!(list["items"].as_array().expect("items").is_empty(), "{list}");
    let (_, list) = app.get_json(&format!("/api/v1/events?{window}"), Some(&host.token)).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 2);
    assert_eq!(app.get_json(&format!("/api/v1/events/{id}"), Some(&other.token)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_pages_create_an_event_answer_it_and_show_goals_and_the_dashboard() {
    let app = TestApp::spawn().await;
    let host = app.browser().await;
    host.signup("Hana", "hana@example.org").await;
    let bad = host
        .post(
            "/events/new",
            &[
                ("kind", "cowork"),
                ("title", "Café morning"),
                ("starts_at_local", ""),
                ("time_zone", "Europe/Lisbon"),
                ("duration_minutes", "ninety"),
                ("repeat", "weekly"),
                ("capacity", ""),
                ("mode", "virtual"),
                ("video_url", "ftp://x"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Give the length in minutes"));
    assert!(bad.body.contains("value=\"Café morning\""), "input kept");
    let good = host
        .post(
            "/events/new",
            &[
                ("kind", "cowork"),
                ("title", "Café morning"),
                ("starts_at_local", "2027-01-06T09:30"),
                ("time_zone", "Europe/Lisbon"),
                ("duration_minutes", "90"),
                ("repeat", "weekly"),
                ("capacity", "4"),
                ("mode", "in_person"),
                ("place_name", "Café Quieto"),
                ("city", "Lisbon"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let path = good.location.expect("event page");
    let page = host.get(&path).await;
    assert!(page.body.contains("every week on Wednesday at 09:30 Lisbon time, 90 minutes"), "{}", page.body);
    let guest = app.browser().await;
    guest.signup("Gus", "gus@example.org").await;
    let page = guest.get(&path).await;
    let at_start = page.body.find("name=\"at\" value=\"").expect("an occurrence to answer")
        + "name=\"at\" value=\"".len();
    let at: String = page.body[at_start..].chars().take_while(char::is_ascii_digit).collect();
    let answered = guest
        .post(&format!("{path}/rsvp"), &[("at", &at), ("status", "going"), ("goal", "Draft the newsletter")])
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    assert!(
        answered.location.as_deref().is_some_and(|l| !l.contains("notice")),
        "the confirmation is not in the address"
    );
    host.post(&format!("{path}/rsvp"), &[("at", &at), ("status", "going"), ("goal", "Tax return")]).await;
    let page = host.get(&format!("{path}?at={at}")).await;
    assert!(
        page.body.contains("Draft the newsletter") && page.body.contains("Tax return"),
        "both goals shown"
    );
    // A goal is ticked done once the session has started, not months before.
    let early = guest.post(&format!("{path}/goal"), &[("at", &at), ("done", "yes")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = guest.get(&format!("{path}?at={at}")).await;
    assert!(!page.body.contains("Mark my goal done"), "no button before the start");
    assert!(!host.get(&format!("{path}?at={at}")).await.body.contains("✓ done"));
    // The dashboard's next two weeks list only what is that close; this series starts in January.
    let dash = guest.get("/dashboard").await;
    assert!(dash.body.contains("Your next two weeks"));
    let events = guest.get("/events").await;
    assert!(events.body.contains("Café morning"));
}

#[tokio::test]
async fn this_and_following_splits_the_series_and_answers_follow_their_dates() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let mut body = fortnightly_in_berlin();
    body["capacity"] = json!(5);
    body["preset"] = json!("weekly");
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().expect("id").to_owned();
    let third = e["next"][2]["occurrence_start"].as_str().expect("third").to_owned();
    let fourth = e["next"][3]["occurrence_start"].as_str().expect("fourth").to_owned();
    for occ in [e["next"][0]["occurrence_start"].as_str().expect("first"), &fourth] {
        let body = json!({"occurrence_start": occ, "status": "going"});
        let resp = app
            .client()
            .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
            .bearer_auth(&ana.token)
            .json(&body)
            .send()
            .await
            .expect("put");
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let (s, tail) = app
        .post_json(
            &format!("/api/v1/events/{id}/split"),
            Some(&host.token),
            &json!({"occurrence_start": third, "changes": {"title": "Library evening (new room)"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tail}");
    assert_eq!(tail["title"], "Library evening (new room)");
    assert_eq!(tail["starts_at_local"], "2027-03-31T18:00");
    assert_eq!(tail["next"][1]["my_status"], serde_json::Value::Null, "host's view");
    let tail_id = tail["id"].as_str().expect("tail id");
    let (_, head) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ana.token)).await;
    assert!(head["summary"].as_str().expect("summary").contains("until"), "{head}");
    assert_eq!(head["next"].as_array().expect("next").len(), 2, "the head keeps the first two dates");
    assert_eq!(head["next"][0]["my_status"], "going");
    let (_, tail_seen) = app.get_json(&format!("/api/v1/events/{tail_id}"), Some(&ana.token)).await;
    assert_eq!(tail_seen["next"][1]["occurrence_start"], fourth.as_str());
    assert_eq!(tail_seen["next"][1]["my_status"], "going", "the answer moved with its date");

    // End the new series from a date on; ending before its start deletes it.
    let (s, ended) = app
        .post_json(
            &format!("/api/v1/events/{tail_id}/end"),
            Some(&host.token),
            &json!({"from_date": "2027-04-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ended}");
    assert_eq!(ended["next"].as_array().expect("next").len(), 2, "31 Mar and 7 Apr remain");
    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{tail_id}/end"),
            Some(&host.token),
            &json!({"from_date": "2027-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(&format!("/api/v1/events/{tail_id}"), Some(&host.token)).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, body) = app
        .post_json(&format!("/api/v1/events/{id}/end"), Some(&host.token), &json!({"from_date": "soon"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["from_date"]);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{id}/split"),
            Some(&host.token),
            &json!({"occurrence_start": "2027-03-18T17:00:00Z", "changes": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not an occurrence");
}

#[tokio::test]
async fn reminders_go_out_once_per_attendee_and_offset() {
    use chrono::{TimeDelta, Timelike, Utc};
    let app = TestApp::spawn_with(|c| c.reminder_poll_ms = 3_600_000).await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let quiet = app.member("Quiet").await;
    let start =
        (Utc::now() + TimeDelta::hours(30)).with_second(0).expect("second").with_nanosecond(0).expect("ns");
    let mut body = fortnightly_in_berlin();
    body["starts_at_local"] = json!(start.format("%Y-%m-%dT%H:%M").to_string());
    body["time_zone"] = json!("UTC");
    body["capacity"] = json!(10);
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().expect("id");
    let first = e["next"][0]["occurrence_start"].as_str().expect("first").to_owned();
    for m in [&ana, &quiet] {
        let body = json!({"occurrence_start": first, "status": "going"});
        let resp = app
            .client()
            .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
            .bearer_auth(&m.token)
            .json(&body)
            .send()
            .await
            .expect("put");
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let resp = app
        .client()
        .put(app.url("/api/v1/me/reminders"))
        .bearer_auth(&quiet.token)
        .json(&json!({"minutes": []}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = app
        .client()
        .put(app.url("/api/v1/me/reminders"))
        .bearer_auth(&quiet.token)
        .json(&json!({"minutes": [7]}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let send = |at| app::events::reminders::send_due(&app.state, at);
    assert_eq!(send(start - TimeDelta::hours(25)).await.expect("run"), 0, "too early");
    // Several instances (or runs) at once: exactly one reminder.
    let at = start - TimeDelta::hours(24) + TimeDelta::minutes(1);
    let runs = tokio::join!(send(at), send(at), send(at), send(at));
    let total: usize = [runs.0, runs.1, runs.2, runs.3].into_iter().map(|r| r.expect("run")).sum();
    assert_eq!(total, 1, "one reminder for Ana, none for Quiet");
    assert_eq!(send(at + TimeDelta::minutes(5)).await.expect("run"), 0);
    assert_eq!(send(start - TimeDelta::minutes(59)).await.expect("run"), 1, "the hour-before reminder");
    assert_eq!(send(start - TimeDelta::minutes(30)).await.expect("run"), 0);
    let mails = app.mails(2).await;
    let to_ana: Vec<_> = mails.iter().filter(|m| m.contains(&format!("To: {}", ana.email))).collect();
    assert_eq!(to_ana.len(), 2, "{mails:?}");
    // Each says the time really left when it went, on Ana's clock.
    let hm = start.format("%H:%M").to_string();
    assert!(to_ana
        .iter()
        .any(|m| m.contains("Reminder: Library evening starts") && m.contains(&format!("at {hm}\r\n"))));
    assert!(to_ana
        .iter()
        .any(|m| m.contains(&format!("Reminder: Library evening starts at {hm}, in 59 minutes"))
            || m.contains(&format!("Reminder: Library evening starts tomorrow at {hm}, in 59 minutes"))));
    assert!(!mails.iter().any(|m| m.contains(&quiet.email)), "no reminders when turned off");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&ana.token)).await;
    assert_eq!(notes["items"].as_array().expect("items").len(), 2);
}

#[tokio::test]
async fn a_late_answer_gets_one_reminder_not_two() {
    use chrono::{TimeDelta, Timelike, Utc};
    let app = TestApp::spawn_with(|c| c.reminder_poll_ms = 3_600_000).await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let start =
        (Utc::now() + TimeDelta::minutes(50)).with_second(0).expect("second").with_nanosecond(0).expect("ns");
    let mut body = fortnightly_in_berlin();
    body["starts_at_local"] = json!(start.format("%Y-%m-%dT%H:%M").to_string());
    body["time_zone"] = json!("UTC");
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().expect("id");
    let first = e["next"][0]["occurrence_start"].as_str().expect("first").to_owned();
    let body = json!({"occurrence_start": first, "status": "going"});
    app.client()
        .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
        .bearer_auth(&ana.token)
        .json(&body)
        .send()
        .await
        .expect("put");
    assert_eq!(app::events::reminders::send_due(&app.state, Utc::now()).await.expect("run"), 1);
    assert_eq!(app::events::reminders::send_due(&app.state, Utc::now()).await.expect("run"), 0);
    let mails = app.mails(1).await;
    assert!(mails[0].contains("in 50 minutes") || mails[0].contains("in 49 minutes"), "{}", mails[0]);
}

/// A reminder already sent for a date's old time does not stop one for its new time.
#[tokio::test]
async fn a_moved_date_is_reminded_again_for_its_new_time() {
    use chrono::{TimeDelta, Timelike, Utc};
    let app = TestApp::spawn_with(|c| c.reminder_poll_ms = 3_600_000).await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let start =
        (Utc::now() + TimeDelta::minutes(50)).with_second(0).expect("second").with_nanosecond(0).expect("ns");
    let body = json!({"kind": "cowork", "title": "Library evening", "time_zone": "UTC",
        "starts_at_local": start.format("%Y-%m-%dT%H:%M").to_string(), "virtual": {}});
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().expect("id");
    let first = e["next"][0]["occurrence_start"].as_str().expect("first").to_owned();
    let (s, _) = app.put_json("/api/v1/me/reminders", &ana.token, &json!({"minutes": [60]})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{id}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": first, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let send = |at| app::events::reminders::send_due(&app.state, at);
    assert_eq!(send(Utc::now()).await.expect("run"), 1, "the hour-before reminder");

    // The host moves it three hours later: nothing at once, then one for the new time.
    let later = start + TimeDelta::hours(3);
    let (s, moved) = app
        .patch_json(
            &format!("/api/v1/events/{id}"),
            &host.token,
            &json!({"starts_at_local": later.format("%Y-%m-%dT%H:%M").to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(send(Utc::now()).await.expect("run"), 0, "not due yet");
    assert_eq!(send(later - TimeDelta::minutes(59)).await.expect("run"), 1, "reminded for the new time");
    assert_eq!(send(later - TimeDelta::minutes(58)).await.expect("run"), 0, "once");
    // (Mail goes out in the background: wait for the one for the new time.)
    let hm = later.format("%H:%M").to_string();
    let mail = app.mail_with(&["Reminder: Library evening starts", &format!("at {hm}, in 59 minutes")]).await;
    assert!(mail.contains("Subject: Reminder: Library evening starts"), "{mail}");
}

#[tokio::test]
async fn the_calendar_shows_my_dates_on_the_right_day_in_my_zone() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Kiri", "kiri@example.org").await;
    let kiri = app.state.db.user_by_email("kiri@example.org").await.expect("db").expect("user");
    let p = app.state.db.profile(&kiri.id).await.expect("db").expect("profile");
    let mut update = app::profiles::edit::unchanged(&p);
    update.timezone = "Pacific/Auckland".into();
    app.state.db.update_profile(&kiri.id, &update, 0).await.expect("zone");
    let host = app.member("Host").await;
    let e = create(&app, &host, &fortnightly_in_berlin()).await;
    let id = e["id"].as_str().expect("id");
    let page = b.get(&format!("/events/{id}")).await;
    let at_start = page.body.find("name=\"at\" value=\"").expect("occurrence") + "name=\"at\" value=\"".len();
    let at: String = page.body[at_start..].chars().take_while(char::is_ascii_digit).collect();
    b.post(&format!("/events/{id}/rsvp"), &[("at", &at), ("status", "going"), ("goal", "")]).await;
    // 18:00 Wednesday 17 March in Berlin is 06:00 Thursday 18 March in Auckland.
    let month = b.get("/calendar?view=month&date=2027-03-05").await;
    assert_eq!(month.status, StatusCode::OK);
    assert!(month.body.contains("March 2027"));
    let cell = month.body.find("06:00 Library evening").expect("the occurrence in the grid");
    let day18 = month.body.find("<span class=\"day\">18</span>").expect("the 18th");
    let day19 = month.body.find("<span class=\"day\">19</span>").expect("the 19th");
    assert!(day18 < cell && cell < day19, "listed on the 18th");
    let week = b.get("/calendar?view=week&date=2027-03-18").await;
    assert!(week.body.contains("Thu 18 Mar") && week.body.contains("06:00 Library evening"));
    assert_eq!(b.get("/calendar?date=someday").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_session_goal_is_ticked_done_from_the_sessions_start_on() {
    let app = TestApp::spawn().await;
    let me = app.member("Ana").await;
    let session = |minutes: i64| {
        let start = (Utc::now() + TimeDelta::minutes(minutes)).format("%Y-%m-%dT%H:%M").to_string();
        json!({"kind": "cowork", "title": "Focus", "time_zone": "UTC", "starts_at_local": start, "virtual": {},
               "allow_past": minutes < 0})
    };
    for (minutes, want) in [(30, StatusCode::UNPROCESSABLE_ENTITY), (-5, StatusCode::NO_CONTENT)] {
        let (s, e) = app.post_json("/api/v1/events", Some(&me.token), &session(minutes)).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let (id, at) = (e["id"].as_str().expect("id"), e["next"][0]["occurrence_start"].clone());
        let (s, r) = app
            .put_json(
                &format!("/api/v1/events/{id}/rsvp"),
                &me.token,
                &json!({"occurrence_start": at, "status": "going", "goal": "Ship"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (s, r) = app
            .put_json(
                &format!("/api/v1/events/{id}/goal"),
                &me.token,
                &json!({"occurrence_start": at, "done": true}),
            )
            .await;
        assert_eq!(s, want, "a session starting in {minutes} minutes: {r}");
        if s == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(crate::support::error_fields(&r), vec!["done"]);
        }
    }
}

#[tokio::test]
async fn a_one_off_in_the_past_needs_saying_so() {
    let app = TestApp::spawn().await;
    let me = app.member_at("Ana", "ana@example.org").await;
    let yesterday = (Utc::now() - TimeDelta::days(1)).format("%Y-%m-%dT10:00").to_string();
    let body = |extra: Value| {
        let mut b = json!({"kind": "cowork", "title": "Library morning", "time_zone": "UTC",
                           "starts_at_local": yesterday, "virtual": {}});
        b.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        b
    };
    let (s, e) = app.post_json("/api/v1/events", Some(&me.token), &body(json!({}))).await;
    assert_eq!((s, error_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["starts_at_local".to_owned()]));
    let (s, e) = app.post_json("/api/v1/events", Some(&me.token), &body(json!({"allow_past": true}))).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (s, e) = app.post_json("/api/v1/events", Some(&me.token), &body(json!({"preset": "weekly"}))).await;
    assert_eq!(s, StatusCode::CREATED, "a series that began yesterday goes on: {e}");
    // The page asks, keeps what was typed, and takes the answer.
    let b = app.browser().await;
    b.login(&me.email, crate::support::PASSWORD).await;
    let form = [
        ("kind", "cowork"),
        ("title", "Recorded"),
        ("starts_at_local", yesterday.as_str()),
        ("time_zone", "UTC"),
        ("duration_minutes", "90"),
        ("mode", "virtual"),
        ("visibility", "public"),
    ];
    let asked = b.post("/events/new", &form).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        asked.body.contains("That time has passed") && asked.body.contains("name=\"allow_past\""),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("value=\"Recorded\""), "the input is kept");
    let mut confirmed = form.to_vec();
    confirmed.push(("allow_past", "yes"));
    assert_eq!(b.post("/events/new", &confirmed).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_busy_member_sees_the_soonest_dates_and_is_pointed_to_the_calendar_for_the_rest() {
    let app = TestApp::spawn().await;
    let host = app.member("Hana").await;
    let start = (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT09:00").to_string();
    create(
        &app,
        &host,
        &json!({"kind": "cowork", "title": "Daily focus hour", "starts_at_local": start,
            "time_zone": "UTC", "duration_minutes": 60, "rrule": "FREQ=DAILY;COUNT=40", "virtual": {}}),
    )
    .await;
    let b = app.browser().await;
    b.login(&host.email, crate::support::PASSWORD).await;
    let cards = |html: &str, section: &str| {
        let list = &html[html.find(section).expect("the section")..];
        let list = &list[..list.find("</section>").expect("its end")];
        (list.matches("you're hosting").count(), list.to_owned())
    };
    // Thirteen or fourteen of them fall in the next two weeks, by the time of day.
    let dash = b.get("/dashboard").await.body;
    let (n, list) = cards(&dash, "Your next two weeks");
    assert_eq!(n, 8, "{list}");
    assert!(list.contains("more in the next two weeks, in your calendar</a>"), "{list}");
    let events = b.get("/events").await.body;
    let (n, list) = cards(&events, "Your next two months");
    assert_eq!(n, 30, "{list}");
    assert!(list.contains("10 more in the next two months, in your calendar</a>"), "{list}");
}
