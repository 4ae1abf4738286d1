//! The member directory: search by skill, need, trade, city and words; paging; privacy.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, TestApp};

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["display_name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn members_are_found_by_skill_need_trade_city_and_words() {
    let app = TestApp::spawn().await;
    let me = app.member_with("Searcher", json!({"city": "Lisbon"})).await;
    app.member_with("Amy Web", json!({"trade": "Web designer", "skills_offered": ["web design", "wordpress"], "help_wanted": ["seo"], "city": "Lisbon", "bio": "I love typography"})).await;
    app.member_with("Bob Words", json!({"trade": "Copywriter", "skills_offered": ["copywriting"], "help_wanted": ["web design"], "city": "Porto"})).await;
    app.member_with("Cy Hidden", json!({"trade": "Web designer", "skills_offered": ["wordpress"], "city": "Lisbon", "visibility": {"skills": "partners", "city": "partners", "trade": "groups"}})).await;
    let q = |query: &str| {
        let app = &app;
        let token = me.token.clone();
        let query = query.to_owned();
        async move { app.get_json(&format!("/api/v1/members?{query}"), Some(&token)).await.1 }
    };
    assert_eq!(names(&q("skill=wordpress").await), vec!["Amy Web"], "hidden skills are not searchable");
    assert_eq!(names(&q("skill=WEB").await), vec!["Amy Web"]);
    assert_eq!(names(&q("need=web+design").await), vec!["Bob Words"]);
    assert_eq!(names(&q("trade=copy").await), vec!["Bob Words"]);
    assert_eq!(names(&q("city=Lisbon").await), vec!["Amy Web"]);
    assert_eq!(names(&q("city=porto").await), vec!["Bob Words"]);
    assert_eq!(names(&q("q=typography").await), vec!["Amy Web"]);
    assert_eq!(names(&q("skill=wordpress&city=Porto").await), Vec::<String>::new());
    assert_eq!(names(&q("skill=100%25").await), Vec::<String>::new(), "wildcards are literal");
    let all = q("").await;
    assert_eq!(names(&all), vec!["Amy Web", "Bob Words", "Cy Hidden"], "alphabetical, without me");
    let amy = &all["items"][0];
    assert_eq!(amy["distance"], "in the same city");
    let cy = &all["items"][2];
    assert!(cy["skills_offered"].is_null() && cy["city"].is_null() && cy["trade"].is_null());
}

#[tokio::test]
async fn a_named_city_means_that_city_and_accents_and_capitals_do_not_matter() {
    let app = TestApp::spawn().await;
    let me = app.member("Me").await;
    app.member_with("West Coast", json!({"city": "Portland, OR, United States"})).await;
    app.member_with(
        "East Coast",
        json!({"city": "Portland, ME, United States", "bio": "Élan and CAFÉ culture"}),
    )
    .await;
    let (_, body) = app.get_json("/api/v1/members?city=Portland,+ME", Some(&me.token)).await;
    assert_eq!(names(&body), vec!["East Coast"]);
    let (_, body) = app.get_json("/api/v1/members?city=Portland,+OR,+United+States", Some(&me.token)).await;
    assert_eq!(names(&body), vec!["West Coast"]);
    let (_, body) = app.get_json("/api/v1/members?q=caf%C3%A9", Some(&me.token)).await;
    assert_eq!(names(&body), vec!["East Coast"], "non-ASCII capitals fold on both backends");
    let (_, body) = app.get_json("/api/v1/members?q=%C3%A9lan", Some(&me.token)).await;
    assert_eq!(names(&body), vec!["East Coast"]);
}

#[tokio::test]
async fn the_directory_pages_with_an_opaque_cursor() {
    let app = TestApp::spawn().await;
    let me = app.member("Zed").await;
    for n in ["Ann", "Bea", "Cal", "Dot", "Eli"] {
        app.member(n).await;
    }
    let (_, p1) = app.get_json("/api/v1/members?limit=2", Some(&me.token)).await;
    assert_eq!(names(&p1), vec!["Ann", "Bea"]);
    let c = p1["next_cursor"].as_str().expect("cursor");
    let (_, p2) = app.get_json(&format!("/api/v1/members?limit=2&cursor={c}"), Some(&me.token)).await;
    assert_eq!(names(&p2), vec!["Cal", "Dot"]);
    let c = p2["next_cursor"].as_str().expect("cursor");
    let (_, p3) = app.get_json(&format!("/api/v1/members?limit=2&cursor={c}"), Some(&me.token)).await;
    assert_eq!(names(&p3), vec!["Eli"]);
    assert!(p3["next_cursor"].is_null());
    let (s, body) = app.get_json("/api/v1/members?cursor=garbage!&limit=0", Some(&me.token)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["cursor", "limit"]);
    let (s, _) = app.get_json("/api/v1/members", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn suspended_members_disappear_from_the_directory() {
    let app = TestApp::spawn().await;
    let me = app.member("Viewer").await;
    let gone = app.member("Gone").await;
    app.state.db.set_suspended(&gone.id, Some(1)).await.expect("suspend");
    let (_, list) = app.get_json("/api/v1/members", Some(&me.token)).await;
    assert!(names(&list).is_empty());
    let (s, _) = app.get_json(&format!("/api/v1/members/{}", gone.id), Some(&me.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_directory_page_searches_and_pages() {
    let app = TestApp::spawn().await;
    app.member_with(
        "Ivy Seo",
        json!({"trade": "SEO consultant", "skills_offered": ["seo"], "city": "Dublin"}),
    )
    .await;
    let b = app.browser().await;
    assert_eq!(b.get("/members").await.status, StatusCode::SEE_OTHER, "members only");
    b.signup("Looker", "looker@example.org").await;
    let page = b.get("/members?skill=seo&city=Dublin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ivy Seo"));
    assert!(page.body.contains("Dublin, Ireland"));
    let none = b.get("/members?skill=underwater+basket+weaving").await;
    assert!(none.body.contains("No members match yet"));
    assert!(none.body.contains("value=\"underwater basket weaving\""), "the search is kept");
    let limit = b.get("/members?limit=lots").await;
    assert!(limit.body.contains("Ask for 1 to 100 members per page."));
    let bad = b.get("/members?cursor=nonsense").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("This cursor is not one we gave out"));
}
