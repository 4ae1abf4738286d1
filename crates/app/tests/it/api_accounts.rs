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
    let archive = unzip(&b, &app).await;
    assert!(archive["account.json"].contains("ned@example.org"));
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

/// The settings page's download, unpacked: file name → text (pictures as a byte count).
async fn unzip(b: &crate::support::Browser, app: &TestApp) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let resp = b.client.get(app.url("/settings/export")).send().await.expect("export");
    assert_eq!(resp.headers()["content-type"], "application/zip");
    let disposition = resp.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.contains("alongside-export-") && disposition.ends_with(".zip\""), "{disposition}");
    let bytes = resp.bytes().await.expect("body");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a ZIP archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read");
        let text = String::from_utf8(data.clone()).unwrap_or_else(|_| format!("{} bytes", data.len()));
        out.insert(f.name().to_owned(), text);
    }
    out
}

#[tokio::test]
async fn the_export_holds_everything_a_member_made_or_answered_with_a_readme() {
    let app = TestApp::spawn().await;
    let hana = app.member("Hana").await;
    let (from, to) = crate::polls::range();
    let ana = crate::polls::with_hours(&app, "Ana", "Europe/Lisbon", 9 * 60, 17 * 60).await;
    // An answer with its goal, to Hana's session.
    let (event, key) = crate::rooms::session(&app, &hana, 60, 60).await;
    crate::rooms::going(&app, &event, key, &ana, "Draft the proposal").await;
    // A poll Hana made, which Ana votes on.
    let (s, poll) = app
        .post_json(
            "/api/v1/polls",
            Some(&hana.token),
            &json!({"title": "Planning lunch", "duration_minutes": 60, "time_zone": "Europe/Lisbon",
                    "from_date": from, "to_date": to, "invitees": [ana.id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{poll}");
    let start = poll["slots"][0]["key"].as_i64().expect("a slot");
    let path = format!("/api/v1/polls/{}/votes", poll["id"].as_str().expect("id"));
    let (s, body) =
        app.put_json(&path, &ana.token, &json!({"votes": [{"start": start, "vote": "yes"}]})).await;
    assert!(s.is_success(), "{body}");
    // Help asked for, a one-to-one with a note, a board entry, how to be told of things.
    let (s, body) = app
        .post_json(
            "/api/v1/help",
            Some(&ana.token),
            &json!({"kind": "request", "skill": "tax", "note": "Year-end"}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    let yesterday = (chrono::Utc::now() - chrono::TimeDelta::days(1)).format("%Y-%m-%d").to_string();
    let one = json!({"member_id": hana.id, "date": yesterday, "note": "Talked about pricing"});
    let (s, body) = app.post_json("/api/v1/one-to-ones", Some(&ana.token), &one).await;
    assert!(s.is_success(), "{body}");
    let circle = crate::groups::group(&app, &hana, "Board Circle", "invite").await;
    crate::groups::join_by_link(&app, &hana, &circle, &ana).await;
    let board = format!("/api/v1/groups/{circle}/board");
    let (s, body) = app.put_json(&board, &ana.token, &json!({"focus": "Finish the logo set"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    crate::digests::choose(&app, &ana, json!({"partners": "in_app"})).await;

    let (s, export) = app.get_json("/api/v1/me/export", Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK, "{export}");
    assert_eq!(export["events"]["answers"][0]["goal"], "Draft the proposal", "{}", export["events"]);
    assert_eq!(export["polls"]["votes"][0]["poll_title"], "Planning lunch", "{}", export["polls"]);
    assert_eq!(export["referrals"]["help_asked_and_offered"][0]["skill"], "tax");
    assert_eq!(export["referrals"]["one_to_one_notes"][0]["note"], "Talked about pricing");
    assert_eq!(export["groups"]["board_entries"][0]["focus"], "Finish the logo set");
    let delivery = export["notification_settings"]["delivery"].to_string();
    assert!(delivery.contains("partners") && delivery.contains("in_app"), "{delivery}");
    for (area, sections) in [
        (
            "events",
            &["hosted", "dates_changed", "room_messages", "visitors_written_down", "messages_sent"][..],
        ),
        ("polls", &["made", "slots_proposed"][..]),
        ("venues", &["added", "edits", "reviews", "near_my_home"][..]),
        ("goals", &["cheers_given", "comments_written"][..]),
        ("groups", &["follows", "classifications", "this_helped", "reports_made"][..]),
    ] {
        for s in sections {
            assert!(export[area][*s].is_array(), "{area}.{s} is in the export");
        }
    }
    let (_, theirs) = app.get_json("/api/v1/me/export", Some(&hana.token)).await;
    assert_eq!(theirs["events"]["hosted"][0]["id"], event.as_str());
    assert_eq!(theirs["polls"]["made"][0]["title"], "Planning lunch");
    assert!(
        !theirs["events"]["answers"].to_string().contains("Draft the proposal"),
        "only their own answers"
    );

    // The page's download: a file per area, and a README that says what each is.
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let files = unzip(&b, &app).await;
    for name in [
        "README.txt",
        "account.json",
        "events.json",
        "polls.json",
        "groups.json",
        "goals.json",
        "referrals.json",
        "venues.json",
        "contacts.json",
        "partners.json",
        "notifications.json",
    ] {
        assert!(files.contains_key(name), "{name} in {:?}", files.keys());
        if name != "README.txt" {
            assert!(files["README.txt"].contains(name), "the README says what {name} is");
        }
    }
    assert!(files["events.json"].contains("Draft the proposal"));
    assert!(files["account.json"].contains(&ana.email) && files["account.json"].contains("quiet_hours"));
}
