//! The notification centre: the bell's count, the list a page at a time, marking one or all read,
//! and the API; each member's notifications are theirs alone.

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
    assert!(b.get("/dashboard").await.body.contains(r#"hx-get="/notifications/bell""#));

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
    let (_, body) = app.post_json("/api/v1/me/notifications/read", Some(&ana.token), &json!({})).await;
    assert_eq!(body, json!({"unread": 0}));
    let (s, _) = app.get_json("/api/v1/me/notifications", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
