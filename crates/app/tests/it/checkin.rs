//! Door check-in: a member going to a date has a personal QR code on the event page and in their
//! reminder; the host's phone opening it checks them in, anyone else's does nothing; the host's
//! door list marks people by a tap, and a page elsewhere cannot check someone in behind the host's
//! back.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn the_hosts_phone_checks_a_member_in_from_their_code_and_nobody_elses_does() {
    let app = TestApp::spawn().await;
    let host = app.member("Host").await;
    let ana = app.member("Ana").await;
    let ben = app.member("Ben").await;
    // The breakfast starts within the hour: people are checked in from two hours before.
    let start = (Utc::now() + TimeDelta::minutes(61)).format("%Y-%m-%dT%H:%M").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "meetup", "title": "Chapter breakfast", "starts_at_local": start, "time_zone": "UTC",
                    "place": {"name": "Café Ceuta", "city": "Porto"}, "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let at = e["next"][0]["occurrence_start"].as_str().expect("date").to_owned();
    let key = chrono::DateTime::parse_from_rfc3339(&at).expect("date").timestamp_millis();
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{id}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Ana's page shows her code; her reminder carries it as a picture.
    let ana_web = app.browser().await;
    ana_web.login(&ana.email, PASSWORD).await;
    let page = ana_web.get(&format!("/events/{id}?at={key}")).await.body;
    assert!(page.contains("My check-in code") && page.contains("<svg"), "{page}");
    let start = chrono::DateTime::parse_from_rfc3339(&at).expect("date").with_timezone(&Utc);
    app::events::reminders::send_due(&app.state, start - TimeDelta::minutes(59)).await.expect("reminders");
    let mail = app.mail_with(&["Reminder: Chapter breakfast", &format!("To: {}", ana.email)]).await;
    let from = mail.find("/checkin/").expect("a check-in code in the reminder");
    let png: String =
        mail[from..].chars().take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"').collect();
    assert!(png.ends_with("/qr.png"), "{png}");
    // Its HTML part holds the picture itself, so it shows where mail apps block pictures from the web.
    assert!(mail.contains("Content-Type: multipart/related"), "{mail}");
    assert!(mail.contains("Content-Type: image/png") && mail.contains("Content-ID: <qr1."), "{mail}");
    let path = png.trim_end_matches("/qr.png").to_owned();
    let picture = app.client().get(app.url(&png)).send().await.expect("get");
    assert_eq!(picture.headers()["content-type"], "image/png");
    image::load_from_memory(&picture.bytes().await.expect("bytes")).expect("a picture");

    let attended = || async {
        let rows = app.state.db.rsvps(&id, key).await.expect("db");
        rows.into_iter().find(|r| r.user_id == ana.id).and_then(|r| r.attended)
    };
    // As a browser opens an address: from the camera app (site "none"), or from a page.
    let open = |who: &crate::support::Browser, site: &'static str| {
        who.client
            .get(format!("{}{path}", who.base))
            .header("sec-fetch-site", site)
            .header("sec-fetch-mode", "navigate")
            .header("sec-fetch-dest", "document")
            .send()
    };
    // Anyone else's phone only says whose code it is; so does Ana's own.
    let ben_web = app.browser().await;
    ben_web.login(&ben.email, PASSWORD).await;
    let r = open(&ben_web, "none").await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("body").contains("Only the host can check people in"));
    let r = open(&ana_web, "none").await.expect("get").text().await.expect("body");
    assert!(r.contains("This is your check-in code"), "{r}");
    assert_eq!(attended().await, None);

    // From a page (another site, or a link Ana posted here), or a prefetch, the host is asked
    // first.
    let host_web = app.browser().await;
    host_web.login(&host.email, PASSWORD).await;
    for site in ["cross-site", "same-origin"] {
        let r = open(&host_web, site).await.expect("get").text().await.expect("body");
        assert!(r.contains("Check Ana in"), "{site}: {r}");
    }
    let prefetch = host_web.client.get(format!("{}{path}", host_web.base)).header("sec-fetch-site", "none");
    let r = prefetch.header("sec-purpose", "prefetch").send().await.expect("get").text().await.expect("body");
    assert!(r.contains("Check Ana in"), "{r}");
    assert_eq!(attended().await, None, "nothing happened yet");
    // From the camera app: checked in at once.
    let r = open(&host_web, "none").await.expect("get").text().await.expect("body");
    assert!(r.contains("Ana is checked in for Chapter breakfast"), "{r}");
    assert_eq!(attended().await, Some(1));
    // A forged code is nothing at all.
    let forged = format!("{}x", &path[..path.len() - 1]);
    assert_eq!(host_web.get(&forged).await.status, StatusCode::NOT_FOUND);

    // The door list: Ana is here; a tap takes it back, another puts it again.
    let door = host_web.get(&format!("/events/{id}/checkin?at={key}")).await;
    assert_eq!(door.status, StatusCode::OK);
    assert!(door.body.contains("1 of 1 here") && door.body.contains("✓ Ana"), "{}", door.body);
    let k = key.to_string();
    let undo = host_web
        .post(
            &format!("/events/{id}/checkin"),
            &[("at", k.as_str()), ("member", ana.id.as_str()), ("present", "no")],
        )
        .await;
    assert_eq!(undo.status, StatusCode::SEE_OTHER);
    assert_eq!(attended().await, None);
    host_web
        .post(
            &format!("/events/{id}/checkin"),
            &[("at", k.as_str()), ("member", ana.id.as_str()), ("present", "yes")],
        )
        .await;
    assert_eq!(attended().await, Some(1));
    // Nobody but the host has the door list.
    assert_eq!(ben_web.get(&format!("/events/{id}/checkin?at={key}")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_door_takes_late_arrivals_substitutes_absences_and_visitors_and_the_export_says_so() {
    let app = TestApp::spawn().await;
    let (olga, ana, ben, cy) =
        (app.member("Olga").await, app.member("Ana").await, app.member("Ben").await, app.member("Cy").await);
    let g = crate::groups::group(&app, &olga, "Porto chapter", "open").await;
    for m in [&ana, &ben, &cy] {
        crate::groups::join_by_link(&app, &olga, &g, m).await;
    }
    let starts = Utc::now() + TimeDelta::minutes(30);
    let start = starts.format("%Y-%m-%dT%H:%M").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&olga.token),
            &json!({"kind": "meeting", "title": "Chapter breakfast", "starts_at_local": start, "time_zone": "UTC",
                    "place": {"name": "Café Ceuta", "city": "Porto"}, "visibility": "group", "group_id": g}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let at = e["next"][0]["occurrence_start"].as_str().expect("date").to_owned();
    let key = chrono::DateTime::parse_from_rfc3339(&at).expect("date").timestamp_millis().to_string();
    for m in [&ana, &ben, &cy] {
        let body = json!({"occurrence_start": at, "status": "going"});
        assert_eq!(
            app.put_json(&format!("/api/v1/events/{id}/rsvp"), &m.token, &body).await.0,
            StatusCode::OK
        );
    }
    let door = app.browser().await;
    door.login(&olga.email, PASSWORD).await;
    let tap = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("at", key.clone())];
        all.extend(fields);
        let path = format!("/events/{id}/checkin");
        let door = &door;
        async move {
            let fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            door.post(&path, &fields).await
        }
    };
    assert_eq!(
        tap(vec![("member", ana.id.clone()), ("code", "late".into())]).await.status,
        StatusCode::SEE_OTHER
    );
    let nobody =
        tap(vec![("member", ben.id.clone()), ("code", "substitute".into()), ("substitute", " ".into())])
            .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY, "a substitute has a name");
    let sub = tap(vec![
        ("member", ben.id.clone()),
        ("code", "substitute".into()),
        ("substitute", "Rui Costa".into()),
    ])
    .await;
    assert_eq!(sub.status, StatusCode::SEE_OTHER);
    assert_eq!(
        tap(vec![("member", cy.id.clone()), ("code", "absent".into())]).await.status,
        StatusCode::SEE_OTHER
    );

    // Visitors, by name; a nameless one is refused next to the field, the rest kept.
    let visitors = format!("/events/{id}/checkin/visitors");
    let bad = door.post(&visitors, &[("at", &key), ("name", ""), ("invited_by", "Ana")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Write the visitor's name.") && bad.body.contains("value=\"Ana\""),
        "{}",
        bad.body
    );
    let added = door.post(&visitors, &[("at", &key), ("name", "Marta Lima"), ("invited_by", "Ana")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/occurrences/{at}/visitors"),
            Some(&olga.token),
            &json!({"name": "Nuno"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, list) =
        app.get_json(&format!("/api/v1/events/{id}/occurrences/{at}/visitors"), Some(&olga.token)).await;
    assert_eq!((s, list["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)), "{list}");
    let (s, _) =
        app.get_json(&format!("/api/v1/events/{id}/occurrences/{at}/visitors"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member going does not keep the list");
    let gone = app.client().delete(
        app.url(&format!("/api/v1/events/{id}/occurrences/{at}/visitors/{}", v["id"].as_str().expect("id"))),
    );
    assert_eq!(gone.bearer_auth(&olga.token).send().await.expect("delete").status(), StatusCode::NO_CONTENT);

    let page = door.get(&format!("/events/{id}/checkin?at={key}")).await.body;
    assert!(page.contains("2 of 3 here") && page.contains("1 visitor"), "{page}");
    assert!(
        page.contains("came late") && page.contains("Rui Costa came instead") && page.contains("absent"),
        "{page}"
    );
    assert!(
        page.contains("Marta Lima") && page.contains("brought by Ana") && !page.contains("Nuno"),
        "{page}"
    );

    // The API marks the same way, and says which marks it takes.
    let body = json!({"occurrence_start": at, "member_id": cy.id, "mark": "sideways"});
    let (s, err) = app.put_json(&format!("/api/v1/events/{id}/attendance"), &olga.token, &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["errors"][0]["detail"].as_str().is_some_and(|d| d.contains("late, substitute")), "{err}");

    // Once the breakfast is over, the group's attendance export has every code and the visitor.
    let shift = 86_400_000_i64;
    for statement in [
        format!("UPDATE events SET first_start_at = first_start_at - {shift}, last_end_at = last_end_at - {shift}, start_local = '{}' WHERE id = '{id}'", (starts - TimeDelta::days(1)).format("%Y-%m-%dT%H:%M")),
        format!("UPDATE rsvps SET occurrence_start = occurrence_start - {shift} WHERE event_id = '{id}'"),
        format!("UPDATE date_visitors SET occurrence_start = occurrence_start - {shift} WHERE event_id = '{id}'"),
    ] {
        sqlx::query(&statement).execute(app.state.db.write()).await.expect("backdate");
    }
    let csv = door.get(&format!("/groups/{g}/console/attendance.csv")).await.body;
    for row in [
        ",Ana,going,late",
        ",Ben,going,substitute (Rui Costa)",
        ",Cy,going,absent",
        ",Marta Lima,visitor,visitor (brought by Ana)",
    ] {
        assert!(csv.contains(row), "{row} in {csv}");
    }
}
