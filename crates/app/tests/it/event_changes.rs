//! Nobody misses a change: a date cancelled, moved or put back, an event deleted, a series ended
//! or given new times tells everyone going, maybe going or waiting for a seat, once per edit, at
//! once when the date is near whatever their digest setting; calendar files count each change.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{Member, TestApp};

async fn create(app: &TestApp, host: &Member, body: Value) -> (String, Vec<String>) {
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let dates = e["next"].as_array().expect("dates").iter();
    let dates = dates.map(|d| d["occurrence_start"].as_str().expect("start").to_owned()).collect();
    (e["id"].as_str().expect("id").to_owned(), dates)
}

async fn answer(app: &TestApp, who: &Member, id: &str, at: &str, status: &str) -> String {
    let body = json!({"occurrence_start": at, "status": status});
    let (s, r) = app.put_json(&format!("/api/v1/events/{id}/rsvp"), &who.token, &body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["status"].as_str().expect("status").to_owned()
}

/// (subject, due) of every mail queued for `who`.
async fn queued(app: &TestApp, who: &Member) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT subject, next_attempt_at FROM outbox WHERE to_addr = $1 ORDER BY created_at")
        .bind(&who.email)
        .fetch_all(app.state.db.read())
        .await
        .expect("db")
}

async fn notices(app: &TestApp, who: &Member) -> Vec<String> {
    let (_, n) = app.get_json("/api/v1/me/notifications", Some(&who.token)).await;
    n["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_date_cancelled_minutes_before_reaches_everyone_at_once_whatever_their_digest() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let cy = app.member("Cy").await;
    // Ana gathers event news into a daily mail; the change is too near to wait for it.
    let prefs = json!({"deliveries": {"events": "daily"}});
    let (s, _) = app.put_json("/api/v1/me/notification-preferences", &ana.token, &prefs).await;
    assert_eq!(s, StatusCode::OK);
    let start = (Utc::now() + TimeDelta::minutes(40)).format("%Y-%m-%dT%H:%M").to_string();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Quick focus", "starts_at_local": start, "time_zone": "UTC",
               "virtual": {}, "visibility": "public", "capacity": 1}),
    )
    .await;
    let at = &dates[0];
    assert_eq!(answer(&app, &ana, &id, at, "going").await, "going");
    assert_eq!(answer(&app, &ben, &id, at, "going").await, "waitlisted");
    assert_eq!(answer(&app, &cy, &id, at, "declined").await, "declined");

    let path = format!("/api/v1/events/{id}/occurrences/{at}");
    let (s, _) = app.patch_json(&path, &host.token, &json!({"cancelled": true})).await;
    assert_eq!(s, StatusCode::OK);
    for who in [&ana, &ben] {
        let mail = queued(&app, who).await;
        assert_eq!(mail.len(), 1, "one notice each: {mail:?}");
        assert!(mail[0].0.starts_with("Cancelled: Quick focus on "), "{mail:?}");
        assert!(mail[0].1 <= Utc::now().timestamp_millis(), "at once");
        assert_eq!(notices(&app, who).await.len(), 1);
    }
    assert!(queued(&app, &cy).await.is_empty() && notices(&app, &cy).await.is_empty(), "Cy said no");
    assert!(queued(&app, &host).await.is_empty(), "the host made the change");
    let body = app.mail_with(&["Cancelled: Quick focus", &format!("To: {}", ana.email)]).await;
    assert!(body.contains(": cancelled") && body.contains("Times are in UTC."), "{body}");

    // On again: told again. The same change twice tells nobody twice.
    let (s, _) = app.patch_json(&path, &host.token, &json!({"cancelled": false})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.patch_json(&path, &host.token, &json!({"cancelled": false})).await;
    assert_eq!(s, StatusCode::OK);
    let mail = queued(&app, &ana).await;
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(mail[1].0.starts_with("On again: Quick focus on "), "{mail:?}");
}

#[tokio::test]
async fn a_moved_date_says_from_when_to_when_on_each_readers_clock_and_the_file_counts_it() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let (s, _) = app.patch_json("/api/v1/me", &ben.token, &json!({"clock": "12"})).await;
    assert_eq!(s, StatusCode::OK);
    let day = (Utc::now() + TimeDelta::days(5)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Library evening", "starts_at_local": format!("{day}T18:00"),
               "time_zone": "UTC", "preset": "weekly", "place": {"name": "Library", "city": "Lisbon"}}),
    )
    .await;
    answer(&app, &ana, &id, &dates[0], "going").await;
    answer(&app, &ben, &id, &dates[0], "maybe").await;
    answer(&app, &ana, &id, &dates[1], "going").await;
    let web = app.browser().await;
    web.login(&host.email, crate::support::PASSWORD).await;
    let file = format!("/events/{id}/event.ics");
    assert!(web.get(&file).await.body.contains("SEQUENCE:0\r\n"));

    let next = day + TimeDelta::days(1);
    let path = format!("/api/v1/events/{id}/occurrences/{}", dates[0]);
    let too_far = json!({"starts_at_local": format!("{next}T19:30")});
    let (s, body) = app.patch_json(&path, &host.token, &too_far).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "more than a day: {body}");
    assert!(queued(&app, &ana).await.is_empty());
    let moved = json!({"starts_at_local": format!("{next}T17:30")});
    let (s, o) = app.patch_json(&path, &host.token, &moved).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let when = |d: chrono::NaiveDate, t: &str| format!("{} {t}", d.format("%a %-d %b"));
    let ana_mail = app.mail_with(&["Moved: Library evening", &format!("To: {}", ana.email)]).await;
    let from_to = format!("moved from {}, 18:00 to {}, 17:30", when(day, "").trim(), when(next, "").trim());
    assert!(ana_mail.contains(&from_to), "{from_to} in {ana_mail}");
    let ben_mail = app.mail_with(&["Moved: Library evening", &format!("To: {}", ben.email)]).await;
    assert!(ben_mail.contains("6:00 pm to ") && ben_mail.contains("5:30 pm"), "{ben_mail}");
    assert_eq!(queued(&app, &ana).await.len(), 1, "her other date did not change");
    let ics = web.get(&file).await.body;
    assert!(
        ics.contains("SEQUENCE:1\r\n") && !ics.contains("SEQUENCE:0"),
        "every entry counts the change: {ics}"
    );
    // Retitling a date moves nothing: nobody is told.
    let (s, _) = app.patch_json(&path, &host.token, &json!({"title": "Library evening, upstairs"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(queued(&app, &ana).await.len(), 1);
}

#[tokio::test]
async fn ending_or_deleting_a_series_sums_up_each_members_dates_in_one_notice() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let day = (Utc::now() + TimeDelta::days(3)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Morning pages", "starts_at_local": format!("{day}T09:00"),
               "time_zone": "UTC", "preset": "weekly", "virtual": {}}),
    )
    .await;
    for d in &dates[..3] {
        answer(&app, &ana, &id, d, "going").await;
    }
    answer(&app, &ben, &id, &dates[0], "going").await;
    // Ended from the second date on: Ana hears once of her two dates; Ben's date stays.
    let from = (day + TimeDelta::days(7)).to_string();
    let (s, _) = app
        .post_json(&format!("/api/v1/events/{id}/end"), Some(&host.token), &json!({"from_date": from}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let mail = queued(&app, &ana).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "Morning pages ends: 2 of your dates are off");
    assert!(queued(&app, &ben).await.is_empty());
    // Deleted: both hear of what was left.
    let (s, _) = app.delete_json(&format!("/api/v1/events/{id}"), &host.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let subjects = |m: Vec<(String, i64)>| m.into_iter().map(|(s, _)| s).collect::<Vec<_>>();
    let ana_mail = subjects(queued(&app, &ana).await);
    assert_eq!(ana_mail.len(), 2, "{ana_mail:?}");
    assert!(ana_mail[1].starts_with("Cancelled: Morning pages on "), "{ana_mail:?}");
    let ben_mail = subjects(queued(&app, &ben).await);
    assert!(ben_mail.len() == 1 && ben_mail[0].starts_with("Cancelled: Morning pages on "), "{ben_mail:?}");
    let link = notices(&app, &ben).await;
    assert_eq!(link.len(), 1);
}

#[tokio::test]
async fn a_host_moves_a_date_from_the_page_and_bad_input_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let day = (Utc::now() + TimeDelta::days(4)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Writing hour", "starts_at_local": format!("{day}T10:00"),
               "time_zone": "UTC", "preset": "weekly", "virtual": {}}),
    )
    .await;
    answer(&app, &ana, &id, &dates[0], "going").await;
    let key = chrono::DateTime::parse_from_rfc3339(&dates[0]).expect("date").timestamp_millis();
    let web = app.browser().await;
    web.login(&host.email, crate::support::PASSWORD).await;
    let page = web.get(&format!("/events/{id}?at={key}")).await.body;
    assert!(page.contains("Move this date") && page.contains(&format!("value=\"{day}T10:00\"")), "{page}");

    let bad = web
        .post(
            &format!("/events/{id}/move-occurrence"),
            &[("at", &key.to_string()), ("starts_at_local", "next tuesday"), ("duration_minutes", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("like 2026-03-25T18:00") && bad.body.contains("value=\"next tuesday\""),
        "{}",
        bad.body
    );
    assert!(queued(&app, &ana).await.is_empty(), "nothing moved, nobody told");

    let later = format!("{day}T14:30");
    let ok = web
        .post(
            &format!("/events/{id}/move-occurrence"),
            &[("at", &key.to_string()), ("starts_at_local", &later), ("duration_minutes", "90")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let (_, e) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ana.token)).await;
    assert_eq!(e["next"][0]["local_start"], later.as_str(), "{e}");
    let mail = queued(&app, &ana).await;
    assert!(mail.len() == 1 && mail[0].0.starts_with("Moved: Writing hour, now "), "{mail:?}");

    // The same time and length again: nothing changed, nobody is told, and the page says so.
    let same =
        [("at", key.to_string()), ("starts_at_local", later.clone()), ("duration_minutes", "90".into())];
    let same: Vec<(&str, &str)> = same.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let again = web.post(&format!("/events/{id}/move-occurrence"), &same).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let shown = web.get(again.location.as_deref().expect("back to the date")).await.body;
    assert!(shown.contains("Nothing to change"), "{shown}");
    assert_eq!(queued(&app, &ana).await.len(), 1, "no notice for no change");
    // Only longer: that is news too.
    let longer = web
        .post(
            &format!("/events/{id}/move-occurrence"),
            &[("at", &key.to_string()), ("starts_at_local", &later), ("duration_minutes", "120")],
        )
        .await;
    assert_eq!(longer.status, StatusCode::SEE_OTHER);
    let mail = queued(&app, &ana).await;
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(
        mail.iter().any(|m| m.0.starts_with("Writing hour on ") && m.0.ends_with("now ends at 16:30")),
        "{mail:?}"
    );
}

#[tokio::test]
async fn a_host_messages_everyone_going_to_one_date_a_few_times_a_day() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let day = (Utc::now() + TimeDelta::days(2)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Café morning", "starts_at_local": format!("{day}T09:00"),
               "time_zone": "UTC", "place": {"name": "Café Sossego", "city": "Lisbon"}}),
    )
    .await;
    answer(&app, &ana, &id, &dates[0], "going").await;
    answer(&app, &ben, &id, &dates[0], "maybe").await;
    let path = format!("/api/v1/events/{id}/occurrences/{}/message", dates[0]);
    let (s, _) = app.post_json(&path, Some(&ana.token), &json!({"body": "Hi all"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the host");
    let (s, sent) =
        app.post_json(&path, Some(&host.token), &json!({"body": "We're upstairs, by the window."})).await;
    assert_eq!((s, sent["sent_to"].as_u64()), (StatusCode::OK, Some(1)), "{sent}");
    let mail = app.mail_with(&["We're upstairs, by the window.", &format!("To: {}", ana.email)]).await;
    assert!(mail.contains("Host, who hosts"), "{mail}");
    assert!(queued(&app, &ben).await.is_empty(), "maybe is not going");
    for n in 2..=3 {
        let (s, _) = app.post_json(&path, Some(&host.token), &json!({"body": format!("Update {n}")})).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, body) = app.post_json(&path, Some(&host.token), &json!({"body": "One more"})).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_owned()])
    );
    assert_eq!(queued(&app, &ana).await.len(), 3);
    // On the page, a refused message keeps its words.
    let web = app.browser().await;
    web.login(&host.email, crate::support::PASSWORD).await;
    let key = chrono::DateTime::parse_from_rfc3339(&dates[0]).expect("date").timestamp_millis();
    let page = web
        .post(&format!("/events/{id}/message"), &[("at", &key.to_string()), ("body", "Bring a charger")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("at most 3 messages a day") && page.body.contains("Bring a charger"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn one_answer_goes_to_every_date_of_a_series_and_says_which_are_full() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let day = (Utc::now() + TimeDelta::days(2)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Thursday table", "starts_at_local": format!("{day}T10:00"),
               "time_zone": "UTC", "preset": "weekly", "virtual": {}, "capacity": 1}),
    )
    .await;
    assert_eq!(answer(&app, &ben, &id, &dates[1], "going").await, "going");
    let path = format!("/api/v1/events/{id}/series-rsvp");
    let (s, out) = app.put_json(&path, &ana.token, &json!({"status": "going"})).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let waitlisted: Vec<&str> =
        out["waitlisted"].as_array().expect("list").iter().filter_map(Value::as_str).collect();
    assert_eq!(waitlisted, [dates[1].as_str()], "the full date: {out}");
    let going = out["going"].as_array().expect("list").len();
    assert!((24..=27).contains(&going), "six months of Thursdays: {going}");
    let (s, body) = app.put_json(&path, &host.token, &json!({"status": "going"})).await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_owned()])
    );
    // Leaving the same way: every date Ana answered, the waitlist too; Ben keeps his seat.
    let (s, out) = app.put_json(&path, &ana.token, &json!({"status": "declined"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["left"].as_array().map(Vec::len), Some(going + 1), "{out}");
    let (_, e) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ana.token)).await;
    assert!(e["next"].as_array().expect("next").iter().all(|o| o["my_status"] == "declined"), "{e}");
    let (_, e) = app.get_json(&format!("/api/v1/events/{id}"), Some(&ben.token)).await;
    assert_eq!(e["next"][1]["my_status"], "going");
    // On the page: one button, and the notice says some dates are full.
    let web = app.browser().await;
    web.login(&ana.email, crate::support::PASSWORD).await;
    assert!(web.get(&format!("/events/{id}")).await.body.contains("Go to every date"));
    let r = web.post(&format!("/events/{id}/series-rsvp"), &[("status", "going")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = web.get(&format!("/events/{id}")).await.body;
    assert!(page.contains("Some are full: you're on their waitlists"), "{page}");
    assert!(page.contains("Leave every date"), "{page}");
}

#[tokio::test]
async fn a_new_place_for_the_same_dates_tells_who_answered_where() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    let day = (Utc::now() + TimeDelta::days(3)).date_naive();
    let (id, dates) = create(
        &app,
        &host,
        json!({"kind": "cowork", "title": "Library evening", "starts_at_local": format!("{day}T18:00"),
               "time_zone": "UTC", "preset": "weekly", "place": {"name": "Library", "city": "Lisbon"}}),
    )
    .await;
    answer(&app, &ana, &id, &dates[0], "going").await;
    answer(&app, &ana, &id, &dates[1], "maybe").await;
    answer(&app, &ben, &id, &dates[0], "declined").await;
    // A new title tells nobody; a new place tells Ana once, with both her dates.
    let (s, _) = app
        .patch_json(&format!("/api/v1/events/{id}"), &host.token, &json!({"title": "Library night"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(queued(&app, &ana).await.is_empty());
    let place = json!({"place": {"name": "Café Sossego", "city": "Lisbon"}});
    let (s, e) = app.patch_json(&format!("/api/v1/events/{id}"), &host.token, &place).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let mail = queued(&app, &ana).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].0.starts_with("New place for Library night: Café Sossego, Lisbon"), "{mail:?}");
    assert!(queued(&app, &ben).await.is_empty(), "Ben is not coming");
}
