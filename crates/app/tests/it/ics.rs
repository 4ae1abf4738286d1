//! Calendar files over HTTP: a series' .ics (checked by an independent parser and imported back),
//! each member's secret feed with rotate and revoke, and importing a file through the page and
//! the API, malformed files included.

use std::path::PathBuf;
use std::process::Command;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

fn fortnightly_in_berlin(title: &str) -> Value {
    json!({
        "kind": "cowork", "title": title, "description": "Two hours, heads down.",
        "starts_at_local": "2027-03-17T18:00", "time_zone": "Europe/Berlin", "duration_minutes": 120,
        "preset": "fortnightly", "place": {"name": "Stadtbibliothek", "city": "Berlin"}
    })
}

async fn create(app: &TestApp, host: &Member, body: &Value) -> Value {
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    e
}

async fn import(app: &TestApp, who: &Member, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let resp = app
        .client()
        .post(app.url("/api/v1/events/import"))
        .bearer_auth(&who.token)
        .header("content-type", "text/calendar")
        .body(body)
        .send()
        .await
        .expect("post");
    crate::support::json_of(resp).await
}

async fn text(resp: reqwest::Response) -> (StatusCode, String) {
    (resp.status(), resp.text().await.expect("body"))
}

/// Runs `tests/ics_check.py` (Python's `icalendar` from PyPI, which `.ci/run` installs) over the
/// files. Without that parser the check is skipped here and fails under CI.
fn independent_check(name: &str, ics: &str) {
    let python = std::env::var("ALONGSIDE_ICS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let has_parser =
        Command::new(&python).args(["-c", "import icalendar"]).output().is_ok_and(|o| o.status.success());
    if !has_parser {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Python's icalendar (pip install icalendar)"
        );
        eprintln!("note: Python's icalendar is not installed; the independent .ics check was skipped");
        return;
    }
    let path: PathBuf = std::env::temp_dir().join(format!("alongside-{name}-{}.ics", store::new_id()));
    std::fs::write(&path, ics).expect("write");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ics_check.py");
    let out = Command::new(&python).arg(script).arg(&path).output().expect("python");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "independent parser rejected the file:\n{}{}\n{ics}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_series_file_carries_its_rule_changes_and_zone_and_imports_back() {
    let app = TestApp::spawn().await;
    let host = app.member("Dana").await;
    let e = create(&app, &host, &fortnightly_in_berlin("Library evening")).await;
    let id = e["id"].as_str().expect("id");
    let second = e["next"][1]["occurrence_start"].as_str().expect("second").to_owned();
    let third = e["next"][2]["occurrence_start"].as_str().expect("third").to_owned();
    for (at, patch) in [
        (&second, json!({"cancelled": true})),
        (&third, json!({"starts_at_local": "2027-04-14T19:00", "title": "Late library"})),
    ] {
        let (s, o) =
            app.patch_json(&format!("/api/v1/events/{id}/occurrences/{at}"), &host.token, &patch).await;
        assert_eq!(s, StatusCode::OK, "{o}");
    }
    let b = app.browser().await;
    assert_eq!(b.get(&format!("/events/{id}/event.ics")).await.status, StatusCode::SEE_OTHER, "to the login");
    b.login(&host.email, PASSWORD).await;
    assert!(b.get(&format!("/events/{id}")).await.body.contains(&format!("/events/{id}/event.ics")));
    let resp = b.client.get(format!("{}/events/{id}/event.ics", b.base)).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().expect("type").starts_with("text/calendar"));
    assert_eq!(resp.headers()["content-disposition"], "attachment; filename=\"library-evening.ics\"");
    let ics = resp.text().await.expect("body");
    for line in [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "DTSTART;TZID=Europe/Berlin:20270317T180000",
        "RRULE:FREQ=WEEKLY;INTERVAL=2",
        // The second date is cancelled (a date of its own, marked so); the third moved an hour
        // later under a new title.
        "RECURRENCE-ID;TZID=Europe/Berlin:20270331T180000",
        "STATUS:CANCELLED",
        "RECURRENCE-ID;TZID=Europe/Berlin:20270414T180000",
        "DTSTART;TZID=Europe/Berlin:20270414T190000",
        "SUMMARY:Late library",
        "LOCATION:Stadtbibliothek\\, Berlin",
    ] {
        assert!(ics.contains(line), "{line} missing from\n{ics}");
    }
    assert!(!ics.contains("EXDATE"), "a cancelled date is not taken out of calendars unsaid: {ics}");
    independent_check("series", &ics);

    // Back through the importer: the same schedule, place and length.
    let (s, back) = import(&app, &host, ics.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{back}");
    for key in ["title", "starts_at_local", "time_zone", "duration_minutes", "rrule", "summary"] {
        assert_eq!(back[key], e[key], "{key}");
    }
    assert_eq!(back["place"]["city"], e["place"]["city"]);
    // The cancelled and moved dates came along too.
    assert_eq!(back["next"][1]["status"], "cancelled", "{back}");
    assert_eq!(back["next"][2]["local_start"], "2027-04-14T19:00", "{back}");
    assert_eq!(back["next"][2]["title"], "Late library", "{back}");
    assert_eq!(back["visibility"], "invite", "an imported invite is not published");
}

#[tokio::test]
async fn my_feed_has_what_i_go_to_and_its_address_can_be_renewed_and_turned_off() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let me = app.member("Me").await;
    let series = create(&app, &host, &fortnightly_in_berlin("Library evening")).await;
    let other = create(&app, &host, &fortnightly_in_berlin("Not for me")).await;
    let id = series["id"].as_str().expect("id");
    let first = series["next"][0]["occurrence_start"].as_str().expect("first").to_owned();
    let key = series["next"][0]["key"].as_i64().expect("key");
    let body = json!({"occurrence_start": first, "status": "going", "goal": "Draft chapter 3"});
    let resp =
        app.client().put(app.url(&format!("/api/v1/events/{id}/rsvp"))).bearer_auth(&me.token).json(&body);
    assert_eq!(resp.send().await.expect("put").status(), StatusCode::OK);

    let (s, made) = app.post_json("/api/v1/me/calendar-feed", Some(&me.token), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let url = made["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!("{}/feeds/alcal_", app.base)), "{url}");
    let (s, feed) = text(app.client().get(&url).send().await.expect("get")).await;
    assert_eq!(s, StatusCode::OK);
    // Only the date I'm going to, as an event of its own; nothing of the event I didn't answer.
    assert!(feed.contains(&format!("UID:{id}-{key}@alongside")), "{feed}");
    assert_eq!(feed.matches("BEGIN:VEVENT").count(), 1, "{feed}");
    assert!(!feed.contains("RRULE:FREQ=WEEKLY") && !feed.contains("Not for me"), "{feed}");
    independent_check("feed", &feed);

    // The same calendar through the API, by bearer token or by the feed's secret.
    let secret = url.split('/').rev().nth(1).expect("token").to_owned();
    let (s, by_token) = text(
        app.client()
            .get(app.url("/api/v1/me/calendar.ics"))
            .bearer_auth(&me.token)
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(by_token.contains(&format!("UID:{id}-{key}@alongside")));
    let by_secret = app.client().get(app.url(&format!("/api/v1/me/calendar.ics?token={secret}")));
    assert_eq!(by_secret.send().await.expect("get").status(), StatusCode::OK);
    let anonymous = app.client().get(app.url("/api/v1/me/calendar.ics")).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The host's feed has both series whole.
    let (_, hosts) = app.post_json("/api/v1/me/calendar-feed", Some(&host.token), &json!({})).await;
    let (_, host_feed) =
        text(app.client().get(hosts["url"].as_str().expect("url")).send().await.expect("get")).await;
    assert_eq!(host_feed.matches("RRULE:FREQ=WEEKLY;INTERVAL=2").count(), 2, "{host_feed}");
    assert!(host_feed.contains(&format!("UID:{}@alongside", other["id"].as_str().expect("id"))));

    // A new address stops the old one; turning the feed off stops the new one.
    let (_, renewed) = app.post_json("/api/v1/me/calendar-feed", Some(&me.token), &json!({})).await;
    let renewed = renewed["url"].as_str().expect("url").to_owned();
    assert_eq!(app.client().get(&url).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(&renewed).send().await.expect("get").status(), StatusCode::OK);
    let (s, _) = app.delete_json("/api/v1/me/calendar-feed", &me.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.client().get(&renewed).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    let (s, _) = app.delete_json("/api/v1/me/calendar-feed", &me.token, &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The settings page does the same.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    assert!(b.get("/settings").await.body.contains("Your feed is off."));
    let on = b.post("/settings/calendar-feed", &[("action", "new")]).await;
    assert_eq!((on.status, on.location.as_deref()), (StatusCode::SEE_OTHER, Some("/settings#calendar")));
    let on = b.get("/settings").await;
    let start = on.body.find("/feeds/alcal_").expect("the new address shown once");
    let path: String = on.body[start..].chars().take_while(|c| !c.is_whitespace() && *c != '<').collect();
    assert_eq!(app.client().get(app.url(&path)).send().await.expect("get").status(), StatusCode::OK);
    let page = b.get("/settings").await;
    assert!(page.body.contains("Your feed is on since") && !page.body.contains(&path), "shown only once");
    let off = b.post("/settings/calendar-feed", &[("action", "off")]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(app.client().get(app.url(&path)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
}

const INVITE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Meetups//EN\r\n\
BEGIN:VEVENT\r\nUID:abc@meetups.example\r\nDTSTAMP:20270101T000000Z\r\n\
DTSTART;TZID=Europe/Lisbon:20270520T183000\r\nDTEND;TZID=Europe/Lisbon:20270520T203000\r\n\
SUMMARY:Freelancers' evening\r\nLOCATION:Café Lumen\\, Lisbon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn importing_through_the_page_and_malformed_files_get_clear_messages() {
    let app = TestApp::spawn().await;
    let me = app.member("Importer").await;
    for (body, expect) in [
        (b"".to_vec(), "The file is empty"),
        (b"hello, not a calendar".to_vec(), "couldn't read this file"),
        (vec![0xff, 0xfe, 0x00, 0x41], "it isn't text"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20270520\r\nSUMMARY:Fair\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                .to_vec(),
            "all-day event",
        ),
    ] {
        let (s, err) = import(&app, &me, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(error_fields(&err), vec!["file"]);
        assert!(err["errors"][0]["detail"].as_str().expect("detail").contains(expect), "{err}");
    }

    // A plain-http meeting link still makes an online event, without the insecure link.
    let http = INVITE.replace("LOCATION:Café Lumen\\, Lisbon", "LOCATION:Zoom: http://zoom.example/j/1");
    assert!(http.contains("http://zoom.example"));
    let (s, online) = import(&app, &me, http).await;
    assert_eq!(s, StatusCode::CREATED, "{online}");
    assert_eq!((online["virtual"].as_bool(), online["video_url"].as_str()), (Some(true), None), "{online}");

    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let form = b.get("/events/import").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let upload = |csrf: String, file: &'static str| {
        let form = Form::new()
            .text("csrf", csrf)
            .text("visibility", "invite")
            .part("file", Part::text(file).file_name("invite.ics").mime_str("text/calendar").expect("mime"));
        b.client.post(format!("{}/events/import", b.base)).multipart(form).send()
    };
    let (s, page) = text(upload(b.csrf.clone(), "garbage").await.expect("post")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("read this file as a calendar") && page.contains("aria-invalid=\"true\""),
        "{page}"
    );
    let forged = upload("forged".into(), INVITE).await.expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let done = upload(b.csrf.clone(), INVITE).await.expect("post");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let to = done.headers()["location"].to_str().expect("location").to_owned();
    assert!(to.starts_with("/events/") && !to.contains("notice"), "{to}");
    let page = b.get(&to).await.body;
    assert!(page.contains("Freelancers' evening"), "{page}");
    assert!(page.contains("Imported. Check the details"), "{page}");
    assert!(page.contains("Café Lumen"), "{page}");
}
