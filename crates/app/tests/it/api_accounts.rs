//! Accounts and tokens through the JSON API, and the settings page's tokens, export and deletion.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{error_fields, TestApp, PASSWORD};

#[tokio::test]
async fn accounts_are_created_with_field_errors_for_bad_input() {
    let app = TestApp::spawn().await;
    let (s, body) = app
        .post_json(
            "/api/v1/accounts",
            None,
            &json!({"email": "Jo@Example.org", "password": PASSWORD, "display_name": "Jo"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(body["email"], "jo@example.org");
    assert_eq!(body["display_name"], "Jo");
    assert_eq!(body["id"].as_str().expect("id").len(), 32);
    let (s, body) = app.post_json("/api/v1/accounts", None, &json!({"email": "nope", "password": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["email", "display_name"]);
    let (s, body) = app
        .post_json(
            "/api/v1/accounts",
            None,
            &json!({"email": "k@example.org", "password": "Q1W2E3R4T5Y6", "display_name": "K"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["password"]);
    let (s, body) = app
        .post_json(
            "/api/v1/accounts",
            None,
            &json!({"email": "jo@example.org", "password": PASSWORD, "display_name": "Jo"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(error_fields(&body), vec!["email"]);
    // Malformed JSON and wrong types are 4xx in the same shape, never 500.
    let resp = app
        .client()
        .post(app.url("/api/v1/accounts"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert!(resp.status().is_client_error());
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(error_fields(&body), vec!["body"]);
    let (s, _) = app.post_json("/api/v1/accounts", None, &json!({"email": 5})).await;
    assert!(s.is_client_error());
}

#[tokio::test]
async fn tokens_are_shown_once_listed_by_prefix_and_revocable() {
    let app = TestApp::spawn().await;
    let m = app.member("Kim").await;
    assert!(m.token.starts_with("alng_"));
    assert!(m.token.len() >= 5 + 43, "at least 256 random bits");
    let (s, list) = app.get_json("/api/v1/tokens", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert!(m.token.starts_with(items[0]["prefix"].as_str().expect("prefix")));
    assert!(!list.to_string().contains(&m.token), "the secret is never listed");
    // Stored hashed: the database does not hold the token.
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM api_tokens").fetch_all(app.state.db.read()).await.expect("db");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, m.token);
    assert_eq!(stored[0].0, app::web::secrets::hash_token(&m.token));
    let (s, body) = app
        .post_json("/api/v1/tokens", None, &json!({"email": m.email, "password": PASSWORD, "name": ""}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["name"]);
    let (s, _) = app
        .post_json(
            "/api/v1/tokens",
            None,
            &json!({"email": m.email, "password": "wrong-password!", "name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let id = items[0]["id"].as_str().expect("id");
    let resp = app
        .client()
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&m.token)
        .send()
        .await
        .expect("del");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, body) = app.get_json("/api/v1/me", Some(&m.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(body["errors"][0]["detail"].is_string());
    let (s, _) = app.get_json("/api/v1/me", Some("alng_made-up")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.get_json("/api/v1/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_settings_page_creates_and_revokes_tokens() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Lu", "lu@example.org").await;
    let empty = b.post("/settings/tokens", &[("name", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Name the token"));
    // Made by the POST, shown once by the page it redirects to: a reload shows and makes nothing.
    let made = b.post("/settings/tokens", &[("name", "laptop script")]).await;
    assert_eq!((made.status, made.location.as_deref()), (StatusCode::SEE_OTHER, Some("/settings#tokens")));
    assert!(!made.body.contains("alng_"));
    let page = b.get("/settings").await;
    let start = page.body.find("alng_").expect("token shown");
    let token: String = page.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let (s, me) = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["display_name"], "Lu");
    let listing = b.get("/settings").await;
    assert!(listing.body.contains("laptop script"));
    assert!(!listing.body.contains(&token), "shown once only");
    let me_id = me["id"].as_str().expect("id");
    assert_eq!(app.state.db.tokens(me_id).await.expect("db").len(), 1, "the reload made no second token");
    let id = app.state.db.tokens(me["id"].as_str().expect("id")).await.expect("db")[0].id.clone();
    let revoked = b.post(&format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_json("/api/v1/me", Some(&token)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn members_export_their_data_and_delete_their_account() {
    let app = TestApp::spawn().await;
    let m = app
        .member_with("Mo", json!({"trade": "Bookkeeper", "skills_offered": ["xero"], "city": "Porto"}))
        .await;
    let (s, export) = app.get_json("/api/v1/me/export", Some(&m.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(export["account"]["email"], m.email.as_str());
    assert_eq!(export["profile"]["trade"], "Bookkeeper");
    assert_eq!(export["profile"]["skills_offered"], json!(["xero"]));
    assert_eq!(export["api_tokens"].as_array().expect("tokens").len(), 1);

    let (s, body) = app.delete_json("/api/v1/me", &m.token, &json!({"password": "not-my-password"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["password"]);
    let (s, _) = app.delete_json("/api/v1/me", &m.token, &json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(app.state.db.user(&m.id).await.expect("db").is_none());
    assert!(app.state.db.tokens(&m.id).await.expect("db").is_empty());

    // The page flow needs the box ticked and the password.
    let b = app.browser().await;
    b.signup("Ned", "ned@example.org").await;
    let export = b.get("/settings/export").await;
    assert!(export.body.contains("ned@example.org"));
    let unticked = b.post("/settings/delete", &[("password", PASSWORD)]).await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unticked.body.contains("Tick the box"));
    let gone = b.post("/settings/delete", &[("password", PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(gone.location.as_deref(), Some("/"));
    assert!(app.state.db.user_by_email("ned@example.org").await.expect("db").is_none());
    assert_eq!(b.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unknown_tokens_and_wrong_passwords_are_clear_4xx() {
    let app = TestApp::spawn().await;
    let m = app.member("Ola").await;
    let resp =
        app.client().delete(app.url("/api/v1/tokens/nope")).bearer_auth(&m.token).send().await.expect("del");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let b = app.browser().await;
    b.signup("Pia", "pia@example.org").await;
    let wrong = b.post("/settings/delete", &[("password", "not-my-password"), ("confirm", "yes")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That isn't your current password."));
    assert!(app.state.db.user_by_email("pia@example.org").await.expect("db").is_some(), "nothing deleted");
    assert_eq!(b.post("/settings/tokens/nope/revoke", &[]).await.status, StatusCode::NOT_FOUND);
}
