//! The group console: members with their attendance and referrals, who is waiting, and the
//! roster and attendance as CSV, with an address only where its owner allows.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::support::{Member, TestApp, PASSWORD};

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(app.state.db.write()).await.expect(statement);
}

/// A meeting of `g` that began `days_ago` days ago, answered going by `who`; its id and key.
async fn past_meeting(
    app: &TestApp,
    host: &Member,
    g: &str,
    title: &str,
    days_ago: i64,
    who: &[&Member],
) -> (String, String) {
    let start = (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT18:00").to_string();
    let body = json!({"kind": "meeting", "title": title, "starts_at_local": start, "time_zone": "UTC",
                      "virtual": {}, "visibility": "group", "group_id": g});
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let key = e["next"][0]["occurrence_start"].as_str().expect("key").to_owned();
    for m in who {
        let (s, r) = app
            .put_json(
                &format!("/api/v1/events/{id}/rsvp"),
                &m.token,
                &json!({"occurrence_start": key, "status": "going"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
    }
    let shift = (days_ago + 1) * 86_400_000;
    let past = (Utc::now() - TimeDelta::days(days_ago)).format("%Y-%m-%dT18:00").to_string();
    sql(app, &format!("UPDATE events SET start_local = '{past}', first_start_at = first_start_at - {shift}, last_end_at = last_end_at - {shift} WHERE id = '{id}'")).await;
    sql(
        app,
        &format!("UPDATE rsvps SET occurrence_start = occurrence_start - {shift} WHERE event_id = '{id}'"),
    )
    .await;
    let moved = chrono::DateTime::parse_from_rfc3339(&key).expect("key").timestamp_millis() - shift;
    let key = chrono::DateTime::from_timestamp_millis(moved)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (id, key)
}

async fn mark(app: &TestApp, host: &Member, id: &str, key: &str, who: &Member, came: bool) {
    let body =
        json!({"occurrence_start": key, "member_id": who.id, "mark": if came { "came" } else { "no-show" }});
    let (s, b) = app.put_json(&format!("/api/v1/events/{id}/attendance"), &host.token, &body).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
}

fn row<'a>(console: &'a Value, name: &str) -> &'a Value {
    console["members"].as_array().expect("members").iter().find(|m| m["name"] == name).expect(name)
}

#[tokio::test]
async fn the_console_shows_attendance_and_referrals_and_exports_them_keeping_private_addresses() {
    let app = TestApp::spawn().await;
    let (olga, mo, ana, bo) =
        (app.member("Olga").await, app.member("Mo").await, app.member("Ana").await, app.member("Bo").await);
    let g = group(&app, &olga, "Porto chapter", "open").await;
    for m in [&mo, &ana, &bo] {
        join_by_link(&app, &olga, &g, m).await;
    }
    let (s, _) = app
        .patch_json(
            &format!("/api/v1/groups/{g}/members/{}", mo.id),
            &olga.token,
            &json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // They joined a month ago; the meetings below were since.
    sql(
        &app,
        &format!(
            "UPDATE group_members SET joined_at = joined_at - {} WHERE group_id = '{g}'",
            30 * 86_400_000_i64
        ),
    )
    .await;
    // Ana lets her groups see her address; Bo keeps his to his partners (the default).
    let (s, _) = app.patch_json("/api/v1/me", &ana.token, &json!({"visibility": {"email": "groups"}})).await;
    assert_eq!(s, StatusCode::OK);

    let (first, k1) = past_meeting(&app, &olga, &g, "Breakfast one", 14, &[&ana, &bo]).await;
    let (second, k2) = past_meeting(&app, &olga, &g, "Breakfast two", 7, &[&ana, &bo]).await;
    mark(&app, &olga, &first, &k1, &ana, true).await;
    mark(&app, &olga, &first, &k1, &bo, false).await;
    mark(&app, &olga, &second, &k2, &ana, true).await;
    mark(&app, &olga, &second, &k2, &bo, true).await;
    let slip = json!({"receiver_id": bo.id, "group_id": g, "prospect": "Café Ceuta", "need": "A new website", "temperature": "warm"});
    let (s, r) = app.post_json("/api/v1/referrals", Some(&ana.token), &slip).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");

    // A member may not; a moderator may.
    let (s, _) = app.get_json(&format!("/api/v1/groups/{g}/console"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, console) = app.get_json(&format!("/api/v1/groups/{g}/console"), Some(&mo.token)).await;
    assert_eq!(s, StatusCode::OK, "{console}");
    let (a, b) = (row(&console, "Ana"), row(&console, "Bo"));
    assert_eq!((a["present"].as_i64(), a["held"].as_i64()), (Some(2), Some(2)), "{a}");
    assert_eq!((b["present"].as_i64(), b["held"].as_i64()), (Some(1), Some(2)), "{b}");
    assert_eq!((a["referrals_given"].as_i64(), b["referrals_received"].as_i64()), (Some(1), Some(1)));
    assert_eq!(a["email"].as_str(), Some(ana.email.as_str()));
    assert_eq!(b["email"], Value::Null, "Bo keeps his address to his partners");
    assert!(a["last_attended"].as_str().is_some_and(|t| k2.starts_with(&t[..10])), "{a} {k2}");
    // The host was at the meetings she ran.
    let o = row(&console, "Olga");
    assert_eq!(
        (o["present"].as_i64(), o["held"].as_i64(), o["role"].as_str()),
        (Some(2), Some(2), Some("organiser"))
    );
    // Mo came to neither: not answering is not coming.
    let m = row(&console, "Mo");
    assert_eq!(
        (m["present"].as_i64(), m["held"].as_i64(), m["role"].as_str()),
        (Some(0), Some(2), Some("moderator"))
    );

    let b_ = app.browser().await;
    b_.login(&mo.email, PASSWORD).await;
    let page = b_.get(&format!("/groups/{g}/console")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 of 2 (50 %)") && page.body.contains("2 of 2 (100 %)"), "{}", page.body);
    assert!(
        page.body.contains("Referrals given") && page.body.contains(&format!("mailto:{}", ana.email)),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&bo.email), "{}", page.body);
    let members = b_.get(&format!("/groups/{g}/console/members.csv")).await;
    assert_eq!(members.status, StatusCode::OK);
    let lines: Vec<&str> = members.body.lines().collect();
    assert_eq!(lines[0], "name,role,email,joined,last_attended,meetings_attended,meetings_held,referrals_given,referrals_received");
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("Ana,member,{},", ana.email)) && l.ends_with(",2,2,1,0")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("Bo,member,,") && l.ends_with(",1,2,0,1")), "{lines:?}");
    let attendance = b_.get(&format!("/groups/{g}/console/attendance.csv")).await.body;
    let rows: Vec<&str> = attendance.lines().collect();
    assert_eq!(rows[0], "meeting,starts,member,answer,attendance");
    assert_eq!(rows.len(), 5, "{attendance}");
    assert!(rows[1].starts_with("Breakfast one,") && rows[1].ends_with(",Ana,going,present"), "{attendance}");
    assert!(rows[2].ends_with(",Bo,going,absent") && rows[4].starts_with("Breakfast two,"), "{attendance}");
    let member = app.browser().await;
    member.login(&bo.email, PASSWORD).await;
    for path in ["console", "console/members.csv", "console/attendance.csv"] {
        assert_eq!(member.get(&format!("/groups/{g}/{path}")).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}
