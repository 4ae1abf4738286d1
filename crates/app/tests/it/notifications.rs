//! The notification centre: the bell's count, the list a page at a time, marking one or all read,
//! and the API; each member's notifications are theirs alone.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

async fn notes(app: &TestApp, who: &Member, query: &str) -> Value {
    let (s, body) = app.get_json(&format!("/api/v1/me/notifications{query}"), Some(&who.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

/// `n` notifications for `who`, a millisecond apart, oldest first: "Note 0" … "Note n-1".
async fn fill(app: &TestApp, who: &Member, n: i64) {
    for i in 0..n {
        app.state
            .db
            .notify(&who.id, "test", &format!("Note {i}"), "/dashboard", 1_000 + i)
            .await
            .expect("notify");
    }
}

#[tokio::test]
async fn the_bell_counts_unread_and_the_list_marks_one_or_all_read() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let bo = app.member("Bo").await;
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let bell = b.get("/notifications/bell").await;
    assert_eq!(bell.status, StatusCode::OK);
    assert!(bell.body.contains(r#"data-unread="0""#) && !bell.body.contains("badge"), "{}", bell.body);
    // Every page has the bell, which asks for its count.
    for path in [
        "/dashboard",
        "/events",
        "/groups",
        "/goals",
        "/referrals",
        "/help",
        "/contacts",
        "/discover",
        "/members",
        "/partners",
        "/bookings",
        "/profile",
        "/settings",
        "/settings/notifications",
        "/notifications",
        "/venues",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(r#"hx-get="/notifications/bell""#), "no bell on {path}");
    }

    // Bo asks Ana to partner: the bell says so.
    let (s, body) = app
        .post_json(
            "/api/v1/partnerships",
            Some(&bo.token),
            &json!({"member_id": ana.id, "kind": "coworking"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let bell = b.get("/notifications/bell").await.body;
    assert!(
        bell.contains(r#"data-unread="1""#) && bell.contains(r#"1<span class="visually-hidden"> unread"#),
        "{bell}"
    );

    fill(&app, &ana, 2).await;
    let page = b.get("/notifications").await.body;
    assert!(
        page.contains("3 unread.") && page.contains("Bo asks you to be their coworking partner"),
        "{page}"
    );
    let list = notes(&app, &ana, "").await;
    assert_eq!(list["unread"], 3);
    let oldest = list["items"][2]["id"].as_str().expect("id").to_owned();
    assert_eq!(list["items"][2]["title"], "Note 0");

    // Someone else can't mark it; I can, and come back to the list.
    let nosy = app.browser().await;
    nosy.login(&bo.email, PASSWORD).await;
    assert_eq!(
        nosy.post(&format!("/notifications/{oldest}/read"), &[("back", "list")]).await.status,
        StatusCode::NOT_FOUND
    );
    let done = b.post(&format!("/notifications/{oldest}/read"), &[("back", "list")]).await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/notifications")));
    assert!(b.get("/notifications/bell").await.body.contains(r#"data-unread="2""#));
    let done = b.post("/notifications/read", &[]).await;
    assert_eq!(done.location.as_deref(), Some("/dashboard"));
    assert_eq!(notes(&app, &ana, "").await["unread"], 0);
    assert!(b.get("/notifications").await.body.contains("All read."));
    assert_eq!(notes(&app, &bo, "").await["unread"], 0, "Bo's own list is untouched and empty");
}

#[tokio::test]
async fn the_api_pages_by_cursor_and_marks_what_it_is_told() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let bo = app.member("Bo").await;
    fill(&app, &ana, 5).await;
    let first = notes(&app, &ana, "?limit=2").await;
    let titles = |v: &Value| {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["title"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&first), ["Note 4", "Note 3"]);
    assert_eq!(first["unread"], 5);
    let next = first["next"].as_str().expect("a next page");
    let second = notes(&app, &ana, &format!("?limit=2&before={next}")).await;
    assert_eq!(titles(&second), ["Note 2", "Note 1"]);
    let last =
        notes(&app, &ana, &format!("?limit=2&before={}", second["next"].as_str().expect("next"))).await;
    assert_eq!((titles(&last), last["next"].clone()), (vec!["Note 0".to_owned()], Value::Null));

    for bad in ["?limit=0", "?limit=101", "?before=yesterday"] {
        let (s, body) = app.get_json(&format!("/api/v1/me/notifications{bad}"), Some(&ana.token)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(error_fields(&body).len(), 1, "{body}");
    }

    let ids: Vec<Value> = first["items"].as_array().expect("items").iter().map(|n| n["id"].clone()).collect();
    let (s, body) =
        app.post_json("/api/v1/me/notifications/read", Some(&bo.token), &json!({"ids": ids})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not Bo's: {body}");
    let (s, body) =
        app.post_json("/api/v1/me/notifications/read", Some(&ana.token), &json!({"ids": ids})).await;
    assert_eq!((s, body), (StatusCode::OK, json!({"unread": 3})));
    let list = notes(&app, &ana, "").await;
    assert!(list["items"][0]["read_at"].is_i64() && list["items"][2]["read_at"].is_null(), "{list}");
    let (_, body) =
        app.post_json("/api/v1/me/notifications/read", Some(&ana.token), &json!({"all": true})).await;
    assert_eq!(body, json!({"unread": 0}));
    let (s, _) = app.get_json("/api/v1/me/notifications", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Asks `to` to partner, as `from`.
async fn ask(app: &TestApp, from: &Member, to: &Member) {
    let (s, body) = app
        .post_json(
            "/api/v1/partnerships",
            Some(&from.token),
            &json!({"member_id": to.id, "kind": "coworking"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

/// The outbox rows addressed to `who`: (subject, unsubscribe address, when they may go).
async fn outbox_for(app: &TestApp, who: &Member) -> Vec<(String, String, i64)> {
    sqlx::query_as(
        "SELECT subject, unsubscribe_url, next_attempt_at FROM outbox WHERE to_addr = $1 ORDER BY created_at",
    )
    .bind(&who.email)
    .fetch_all(app.state.db.read())
    .await
    .expect("db")
}

/// A category's delivery in a settings answer.
fn delivery_of(prefs: &Value, category: &str) -> String {
    let c = prefs["categories"].as_array().expect("categories").iter().find(|c| c["category"] == category);
    c.and_then(|c| c["delivery"].as_str()).unwrap_or_default().to_owned()
}

/// A kind's delivery in a settings answer, and the member's own choice for it.
fn kind_of(prefs: &Value, kind: &str) -> (String, Option<String>) {
    let all = prefs["categories"].as_array().expect("categories").iter();
    let k = all.flat_map(|c| c["kinds"].as_array().cloned().unwrap_or_default()).find(|k| k["kind"] == kind);
    let k = k.unwrap_or_else(|| panic!("no {kind} in {prefs}"));
    (k["delivery"].as_str().unwrap_or_default().to_owned(), k["chosen"].as_str().map(str::to_owned))
}

async fn in_app(app: &TestApp, who: &Member) -> usize {
    notes(app, who, "").await["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn each_category_reaches_a_member_as_they_chose_and_bad_choices_save_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let (s, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK);
    let partners = prefs["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "partners")
        .cloned();
    assert_eq!(
        partners.map(|c| (c["delivery"].clone(), c["default"].clone())),
        Some((json!("email"), json!("email")))
    );
    assert_eq!(prefs["quiet_hours"], Value::Null);

    // By default a partner request comes in the app and by email, with a one-click unsubscribe.
    ask(&app, &app.member("Bo").await, &ana).await;
    assert_eq!(in_app(&app, &ana).await, 1);
    let mail = app.mail_with(&["asks you to be their coworking partner"]).await;
    assert!(
        mail.contains("List-Unsubscribe: <")
            && mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    assert!(mail.contains("text/html"), "{mail}");
    let rows = outbox_for(&app, &ana).await;
    assert!(rows[0].1.starts_with(&format!("{}/unsubscribe/", app.base)), "{rows:?}");

    // Bad choices are named, and nothing of them is saved.
    let bad = json!({"deliveries": {"summary": "email", "gossip": "email", "goals": "email", "polls": "hourly"},
                     "quiet_hours": {"start": "22:00", "end": "25:00"}});
    let (s, body) = app.put_json("/api/v1/me/notification-preferences", &ana.token, &bad).await;
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        (s, fields),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["gossip".to_owned(), "polls".to_owned(), "quiet_end".to_owned(), "summary".to_owned()]
        )
    );
    let (_, same) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(same, prefs, "nothing saved");
    let (s, body) = app
        .put_json(
            "/api/v1/me/notification-preferences",
            &ana.token,
            &json!({"quiet_hours": {"start": "22:00", "end": ""}}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["quiet_end".to_owned()]));

    // In the app only: no more mail. Off: nothing at all.
    let (s, body) = app
        .put_json(
            "/api/v1/me/notification-preferences",
            &ana.token,
            &json!({"deliveries": {"partners": "in_app"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    ask(&app, &app.member("Cy").await, &ana).await;
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (2, 1));
    app.put_json(
        "/api/v1/me/notification-preferences",
        &ana.token,
        &json!({"deliveries": {"partners": "off"}}),
    )
    .await;
    ask(&app, &app.member("Di").await, &ana).await;
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (2, 1));

    // The page: the choices as saved, and a bad time kept next to its message.
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let page = b.get("/settings/notifications").await;
    assert!(page.body.contains(r#"<option value="off" selected>"#), "{}", page.body);
    let bad = b
        .post(
            "/settings/notifications",
            &[("d_partners", "email"), ("quiet_start", "9 at night"), ("quiet_end", "07:00")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("9 at night") && bad.body.contains("Give a time like 22:00"), "{}", bad.body);
    let (_, still) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(delivery_of(&still, "partners"), "off", "the bad form saved nothing");
    let ok = b
        .post("/settings/notifications", &[("d_partners", "email"), ("quiet_start", ""), ("quiet_end", "")])
        .await;
    assert_eq!(ok.location.as_deref(), Some("/settings/notifications"));
}

#[tokio::test]
async fn an_invitation_to_a_member_goes_as_they_chose_for_groups() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let id = crate::groups::group(&app, &org, "Quiet Writers", "invite").await;
    let (ana, bo) = (app.member("Ana").await, app.member("Bo").await);
    let (s, body) = app
        .put_json(
            "/api/v1/me/notification-preferences",
            &ana.token,
            &json!({"deliveries": {"groups": "off"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    for who in [&ana, &bo] {
        let (s, body) = app
            .post_json(
                &format!("/api/v1/groups/{id}/invites"),
                Some(&org.token),
                &json!({"email": who.email}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (0, 0), "groups are off");
    // By default: in the app with the link, and by email with the group's unsubscribe link.
    let note = &notes(&app, &bo, "").await["items"][0];
    assert!(note["link"].as_str().is_some_and(|l| l.starts_with("/invites/alinv_")), "{note}");
    let rows = outbox_for(&app, &bo).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].1.contains(&format!("/unsubscribe/{}.group_invite.", bo.id)), "{rows:?}");
    let mail = app.mail_with(&["invites you to Quiet Writers", &bo.email]).await;
    assert!(mail.contains("/invites/alinv_") && mail.contains("Stop these emails:"), "{mail}");
}

#[tokio::test]
async fn one_kind_may_go_otherwise_than_its_category_and_follow_it_again() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let put = |body: Value| {
        let app = &app;
        let token = ana.token.clone();
        async move { app.put_json("/api/v1/me/notification-preferences", &token, &body).await }
    };
    let (s, body) = put(json!({"deliveries": {"partner_request": "off", "group_invite": "hourly"}})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["group_invite".to_owned()]));
    let (s, prefs) = put(json!({"deliveries": {"partner_request": "off", "partners": "in_app"}})).await;
    assert_eq!(s, StatusCode::OK, "{prefs}");
    assert_eq!(kind_of(&prefs, "partner_request"), ("off".to_owned(), Some("off".to_owned())));
    assert_eq!(kind_of(&prefs, "partner_accepted"), ("in_app".to_owned(), None), "follows its category");
    ask(&app, &app.member("Bo").await, &ana).await;
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (0, 0), "that kind is off");
    // By email at once, though the category stays in the app.
    put(json!({"deliveries": {"partner_request": "email"}})).await;
    ask(&app, &app.member("Cy").await, &ana).await;
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (1, 1));
    // "" follows the category again.
    let (_, prefs) = put(json!({"deliveries": {"partner_request": ""}})).await;
    assert_eq!(kind_of(&prefs, "partner_request"), ("in_app".to_owned(), None));
    ask(&app, &app.member("Di").await, &ana).await;
    assert_eq!((in_app(&app, &ana).await, outbox_for(&app, &ana).await.len()), (2, 1));

    // The page lists every kind under its category, and saves one.
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let page = b.get("/settings/notifications").await;
    assert!(
        page.body.contains(r#"name="d_partner_request""#)
            && page.body.contains("Answers to my partner requests")
    );
    let saved = b
        .post("/settings/notifications", &[("d_goal_cheer", "off"), ("quiet_start", ""), ("quiet_end", "")])
        .await;
    assert_eq!(saved.location.as_deref(), Some("/settings/notifications"));
    let (_, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(kind_of(&prefs, "goal_cheer"), ("off".to_owned(), Some("off".to_owned())));
}

#[tokio::test]
async fn quiet_hours_hold_mail_until_they_end_on_the_members_clock() {
    let app = TestApp::spawn().await;
    let ana = app.member_with("Ana", json!({"timezone": "Asia/Tokyo"})).await;
    // Quiet from an hour ago until an hour from now, on Tokyo's clock (Tokyo keeps no summer time).
    let tokyo = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo);
    let hm = |t: chrono::DateTime<chrono_tz::Tz>| t.format("%H:%M").to_string();
    let quiet = json!({"quiet_hours": {"start": hm(tokyo - TimeDelta::hours(1)), "end": hm(tokyo + TimeDelta::hours(1))}});
    let (s, body) = app.put_json("/api/v1/me/notification-preferences", &ana.token, &quiet).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    ask(&app, &app.member("Bo").await, &ana).await;
    assert_eq!(in_app(&app, &ana).await, 1, "the app shows it at once");
    let rows = outbox_for(&app, &ana).await;
    let wait = rows[0].2 - Utc::now().timestamp_millis();
    assert!(wait > 55 * 60_000 && wait <= 61 * 60_000, "held about an hour: {wait} ms");
    // Someone in quiet hours elsewhere is not held for hers.
    let bo = app.member("Bob").await;
    ask(&app, &ana, &bo).await;
    let theirs = outbox_for(&app, &bo).await;
    assert!(theirs[0].2 <= Utc::now().timestamp_millis(), "{theirs:?}");
}

#[tokio::test]
async fn the_unsubscribe_link_works_without_signing_in_and_cannot_be_forged() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    ask(&app, &app.member("Bo").await, &ana).await;
    let url = outbox_for(&app, &ana).await[0].1.clone();
    let path = url.strip_prefix(&app.base).expect("our address").to_owned();
    let anonymous = app.client();
    let page = anonymous.get(app.url(&path)).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("body").contains("Stop these emails"));
    let (_, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(delivery_of(&prefs, "partners"), "email", "a look changes nothing");

    // Forged: someone else's id, another category, a changed signature.
    let token = path.strip_prefix("/unsubscribe/").expect("token");
    let bo = app.member("Bob").await;
    for forged in [
        token.replacen(&ana.id, &bo.id, 1),
        token.replacen(".partner_request.", ".group_invite.", 1),
        format!("{token}x"),
    ] {
        let r = anonymous.post(app.url(&format!("/unsubscribe/{forged}"))).send().await.expect("post");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{forged}");
    }
    // A mail app's one-click: no cookie, no CSRF token.
    let r = anonymous
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("body").contains("Unsubscribed"));
    // It stops that kind only: the rest of the category still comes by email.
    let (_, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    assert_eq!(kind_of(&prefs, "partner_request"), ("in_app".to_owned(), Some("in_app".to_owned())));
    assert_eq!(delivery_of(&prefs, "partners"), "email");
    assert_eq!(kind_of(&prefs, "partner_accepted"), ("email".to_owned(), None));
    let (_, theirs) = app.get_json("/api/v1/me/notification-preferences", Some(&bo.token)).await;
    assert_eq!(kind_of(&theirs, "partner_request").0, "email", "Bo's settings untouched");
    ask(&app, &app.member("Cy").await, &ana).await;
    assert_eq!(outbox_for(&app, &ana).await.len(), 1, "no more mail about partner requests");
    assert_eq!(in_app(&app, &ana).await, 2, "still in the app");
}

#[tokio::test]
async fn opening_a_notification_marks_it_read_and_goes_where_it_leads() {
    let app = TestApp::spawn().await;
    let ana = app.member_at("Ana", "ana@example.org").await;
    ask(&app, &app.member("Bo").await, &ana).await;
    let b = app.browser().await;
    b.login(&ana.email, crate::support::PASSWORD).await;
    for page in ["/notifications", "/dashboard"] {
        let body = b.get(page).await.body;
        assert!(
            body.contains("/notifications/") && body.contains("/open\""),
            "{page} links through the opener: {body}"
        );
    }
    let body = b.get("/notifications").await.body;
    let link = body
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|l| l.starts_with("/notifications/") && l.ends_with("/open"))
        .expect("a link to open the notification")
        .to_owned();
    let opened = b.get(&link).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let to = opened.location.expect("where it leads");
    assert!(to.starts_with('/') && !to.starts_with("/notifications"), "{to}");
    let (_, list) = app.get_json("/api/v1/me/notifications", Some(&ana.token)).await;
    assert_eq!(list["unread"], 0, "{list}");
    // Someone else's notification is not found.
    let other = app.browser().await;
    other.login(&app.member_at("Cy", "cy@example.org").await.email, crate::support::PASSWORD).await;
    assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);
}
