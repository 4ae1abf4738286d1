//! A group's calendar brought in from Meetup, Google or Outlook: every event becomes the group's,
//! series kept and past events as past; importing it again updates rather than duplicates, tells
//! members of changed dates, and lists what the new file no longer has.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::support::{Member, TestApp, PASSWORD};

/// Outlook names its zones its own way; a Meetup-like export with a series, a date of it called
/// off, a past talk, and an all-day event we cannot take.
fn export(start: &str, cancelled_13th: bool, with_talk: bool) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n\
         BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n\
         TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
         BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
         RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n",
    );
    out.push_str(&format!(
        "BEGIN:VEVENT\r\nUID:weekly-1@example.org\r\nDTSTAMP:20261101T100000Z\r\nSUMMARY:Coworking morning\r\n\
         DTSTART;TZID=W. Europe Standard Time:2027010{start}00\r\nDURATION:PT3H\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\n\
         LOCATION:Café Lumen\\, Berlin\r\nEND:VEVENT\r\n"
    ));
    if cancelled_13th {
        out.push_str(
            "BEGIN:VEVENT\r\nUID:weekly-1@example.org\r\nDTSTAMP:20261101T100000Z\r\n\
             RECURRENCE-ID;TZID=W. Europe Standard Time:20270113T090000\r\n\
             DTSTART;TZID=W. Europe Standard Time:20270113T090000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n",
        );
    }
    if with_talk {
        out.push_str(
            "BEGIN:VEVENT\r\nUID:talk-2@example.org\r\nDTSTAMP:20261101T100000Z\r\nSUMMARY:Pricing talk\r\n\
             DTSTART:20250910T170000Z\r\nDURATION:PT90M\r\nEND:VEVENT\r\n",
        );
    }
    out.push_str(
        "BEGIN:VEVENT\r\nUID:allday-3@example.org\r\nSUMMARY:Summer break\r\nDTSTART;VALUE=DATE:20270801\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    out
}

async fn import(app: &TestApp, who: &Member, g: &str, file: String) -> (StatusCode, Value) {
    let resp = app
        .client()
        .post(app.url(&format!("/api/v1/groups/{g}/calendar/import")))
        .bearer_auth(&who.token)
        .header("content-type", "text/calendar")
        .body(file)
        .send()
        .await
        .expect("post");
    crate::support::json_of(resp).await
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
async fn a_groups_calendar_comes_in_whole_and_a_second_import_updates_it() {
    let app = TestApp::spawn().await;
    let (olga, ana) = (app.member("Olga").await, app.member("Ana").await);
    let g = group(&app, &olga, "Berlin mornings", "open").await;
    join_by_link(&app, &olga, &g, &ana).await;
    let (s, _) = import(&app, &ana, &g, export("6T09", true, true)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member may not");

    let (s, first) = import(&app, &olga, &g, export("6T09", true, true)).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!((first["created"].as_i64(), first["updated"].as_i64()), (Some(2), Some(0)), "{first}");
    assert_eq!(first["skipped"][0]["title"], "Summer break", "{first}");
    assert!(first["skipped"][0]["problem"].as_str().is_some_and(|p| p.contains("all-day")), "{first}");
    let made = app.state.db.imported_events(&g).await.expect("db");
    let id_of =
        |title: &str| made.iter().find(|(_, _, t)| t == title).map(|(_, id, _)| id.clone()).expect(title);
    let (series, talk) = (id_of("Coworking morning"), id_of("Pricing talk"));
    let (_, e) = app.get_json(&format!("/api/v1/events/{series}"), Some(&ana.token)).await;
    assert_eq!(
        (e["time_zone"].as_str(), e["starts_at_local"].as_str()),
        (Some("Europe/Berlin"), Some("2027-01-06T09:00")),
        "{e}"
    );
    assert_eq!(
        (e["rrule"].as_str(), e["group"]["id"].as_str()),
        (Some("FREQ=WEEKLY;COUNT=8"), Some(g.as_str())),
        "{e}"
    );
    assert_eq!(e["next"][1]["status"], "cancelled", "the date called off came along: {e}");
    let (_, t) = app.get_json(&format!("/api/v1/events/{talk}"), Some(&ana.token)).await;
    assert_eq!(t["starts_at_local"], "2025-09-10T17:00", "a past event stays in the past: {t}");
    assert!(notices(&app, &ana).await.is_empty(), "an import is not announced event by event");

    // Ana is going to the first morning; the newer export starts an hour later, has the 13th on
    // again and no longer has the talk.
    let key = e["next"][0]["occurrence_start"].as_str().expect("key").to_owned();
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{series}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": key, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, second) = import(&app, &olga, &g, export("6T10", false, false)).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(
        (second["created"].as_i64(), second["updated"].as_i64(), second["unchanged"].as_i64()),
        (Some(0), Some(1), Some(0)),
        "{second}"
    );
    assert_eq!(second["missing"], json!([{"id": talk, "title": "Pricing talk"}]), "listed, not deleted");
    assert_eq!(app.get_json(&format!("/api/v1/events/{talk}"), Some(&olga.token)).await.0, StatusCode::OK);
    let (_, e) = app.get_json(&format!("/api/v1/events/{series}"), Some(&ana.token)).await;
    assert_eq!(
        (e["starts_at_local"].as_str(), e["next"][1]["status"].as_str()),
        (Some("2027-01-06T10:00"), Some("scheduled")),
        "{e}"
    );
    let told = notices(&app, &ana).await;
    assert!(
        told.iter().any(|n| n.contains("Coworking morning")),
        "Ana hears of her date's new time: {told:?}"
    );

    // The same file once more changes nothing and tells nobody.
    let (_, third) = import(&app, &olga, &g, export("6T10", false, false)).await;
    assert_eq!(
        (third["created"].as_i64(), third["updated"].as_i64(), third["unchanged"].as_i64()),
        (Some(0), Some(0), Some(1)),
        "{third}"
    );
    assert_eq!(notices(&app, &ana).await.len(), told.len());
    assert_eq!(app.state.db.imported_events(&g).await.expect("db").len(), 2, "nothing added twice");

    // The page takes the file too, and says what happened.
    let b = app.browser().await;
    b.login(&olga.email, PASSWORD).await;
    let form = b.get(&format!("/groups/{g}/calendar/import")).await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""), "{}", form.body);
    let part = reqwest::multipart::Part::text(export("6T10", false, false)).file_name("group.ics");
    let upload = reqwest::multipart::Form::new()
        .text("csrf", b.csrf.clone())
        .text("visibility", "group")
        .part("file", part);
    let r = b
        .client
        .post(format!("{}/groups/{g}/calendar/import", b.base))
        .multipart(upload)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("body");
    assert!(page.contains("0 new events, 0 updated, 1 already as the file has them, 1 left out"), "{page}");
    assert!(page.contains("Pricing talk") && page.contains("Summer break"), "{page}");
    let junk = reqwest::multipart::Form::new()
        .text("csrf", b.csrf.clone())
        .part("file", reqwest::multipart::Part::text("nonsense").file_name("x.ics"));
    let r = b
        .client
        .post(format!("{}/groups/{g}/calendar/import", b.base))
        .multipart(junk)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
