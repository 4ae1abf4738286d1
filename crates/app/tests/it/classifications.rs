//! One member per classification: the organiser's list, each member takes one, a second asking
//! for a taken one is told who holds it and may ask the organisers.

use reqwest::StatusCode;
use serde_json::json;

use crate::groups::{group, join_by_link};
use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn a_classification_is_held_by_one_member_and_a_second_may_ask_the_organisers() {
    let app = TestApp::spawn().await;
    let (olga, ana, bo) = (app.member("Olga").await, app.member("Ana").await, app.member("Bo").await);
    let g = group(&app, &olga, "Porto chapter", "open").await;
    for m in [&ana, &bo] {
        join_by_link(&app, &olga, &g, m).await;
    }
    let list = format!("/api/v1/groups/{g}/classifications");
    let (s, _) = app.put_json(&list, &ana.token, &json!({"names": ["Web design"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member does not keep the list");
    let (s, l) = app
        .put_json(&list, &olga.token, &json!({"names": ["Web design", "Accountant", "web design", " "]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["items"].as_array().map(Vec::len), Some(2), "no repeats, no blanks: {l}");

    let mine = format!("/api/v1/groups/{g}/classification");
    assert_eq!(
        app.put_json(&mine, &ana.token, &json!({"name": "Web design"})).await.0,
        StatusCode::NO_CONTENT
    );
    let (s, err) = app.put_json(&mine, &bo.token, &json!({"name": "Web design"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert!(err["errors"][0]["detail"].as_str().is_some_and(|d| d.contains("held by Ana")), "{err}");
    let (s, _) = app.put_json(&mine, &bo.token, &json!({"name": "Plumbing"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only the group's own list");
    // Taking another gives up the first.
    assert_eq!(
        app.put_json(&mine, &ana.token, &json!({"name": "Accountant"})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.put_json(&mine, &bo.token, &json!({"name": "Web design"})).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, l) = app.get_json(&list, Some(&bo.token)).await;
    let holder = |name: &str| {
        l["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["holder_name"].clone())
    };
    assert_eq!((holder("Accountant"), holder("Web design")), (Some(json!("Ana")), Some(json!("Bo"))), "{l}");

    // Ana asks for Web design back: the organiser hears of it; a fourth ask in a day is refused.
    let ask = format!("/api/v1/groups/{g}/classifications/ask");
    for _ in 0..3 {
        assert_eq!(
            app.post_json(&ask, Some(&ana.token), &json!({"name": "Web design"})).await.0,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        app.post_json(&ask, Some(&ana.token), &json!({"name": "Web design"})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, n) = app.get_json("/api/v1/me/notifications", Some(&olga.token)).await;
    assert!(
        n["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["title"] == "Ana asks for “Web design” in Porto chapter, held by Bo"),
        "{n}"
    );

    // Bo leaves: he holds nothing, and Ana may take it.
    let (s, _) = app.delete_json(&format!("/api/v1/groups/{g}/membership"), &bo.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.put_json(&mine, &ana.token, &json!({"name": "Web design"})).await.0,
        StatusCode::NO_CONTENT
    );

    // The page: the organiser frees one and edits the list; a taken one says who has it.
    let b = app.browser().await;
    b.login(&olga.email, PASSWORD).await;
    let page = b.get(&format!("/groups/{g}/classifications")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ana") && page.body.contains("Free it"), "{}", page.body);
    let saved = b
        .post(&format!("/groups/{g}/classifications"), &[("action", "save"), ("names", "Web design\nLawyer")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let bad = b
        .post(&format!("/groups/{g}/classifications"), &[("action", "save"), ("names", &"x".repeat(70))])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid") || bad.body.contains("Keep this under 60"), "{}", bad.body);
    let (_, l) = app.get_json(&list, Some(&olga.token)).await;
    let names: Vec<&str> =
        l["items"].as_array().expect("items").iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Lawyer", "Web design"], "the list as saved, Accountant gone");
}
