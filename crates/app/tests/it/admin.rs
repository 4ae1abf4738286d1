//! The instance admin's console: members found, suspended, lifted and deleted; groups and reports
//! across them (private groups staying private); run-time settings that reach every instance;
//! sign-up open, by invitation or closed; the legal pages; and the audit log of it all.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, invite_link, join_by_link};
use crate::support::{error_fields, Member, TestApp, PASSWORD};

async fn settings(app: &TestApp, admin: &Member, changes: Value) -> (StatusCode, Value) {
    let (s, mut now) = app.get_json("/api/v1/admin/settings", Some(&admin.token)).await;
    assert_eq!(s, StatusCode::OK, "{now}");
    for (k, v) in changes.as_object().expect("fields") {
        now[k] = v.clone();
    }
    app.put_json("/api/v1/admin/settings", &admin.token, &now).await
}

async fn audit(app: &TestApp, admin: &Member) -> Vec<(String, String, String)> {
    let (s, log) = app.get_json("/api/v1/admin/audit", Some(&admin.token)).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("action"), text("target_name"), text("detail"))
        })
        .collect()
}

#[tokio::test]
async fn only_admins_find_the_console() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let bea = app.member("Bea").await;
    for path in
        ["/api/v1/admin/members", "/api/v1/admin/groups", "/api/v1/admin/settings", "/api/v1/admin/audit"]
    {
        assert_eq!(app.get_json(path, Some(&bea.token)).await.0, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(app.get_json(path, Some(&ada.token)).await.0, StatusCode::OK, "{path}");
    }
    let b = app.browser().await;
    b.login(&bea.email, PASSWORD).await;
    assert_eq!(b.get("/admin").await.status, StatusCode::NOT_FOUND);
    assert!(!b.get("/dashboard").await.body.contains("href=\"/admin\""), "no admin link for members");
    let a = app.browser().await;
    a.login(&ada.email, PASSWORD).await;
    let overview = a.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("<strong>2</strong> members"), "counts members");
}

#[tokio::test]
async fn an_admin_finds_suspends_lifts_and_deletes_a_member() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let rui = app.member_at("Rui Costa", "rui.costa@example.org").await;
    app.member("Tomás").await;
    let org = app.member("Olga").await;
    let g = group(&app, &rui, "Rui's circle", "open").await;
    join_by_link(&app, &rui, &g, &org).await;

    // Found by part of the name, or of the address; % and _ are taken as typed.
    for q in ["costa", "RUI.C", "example.org"] {
        let (_, page) = app.get_json(&format!("/api/v1/admin/members?q={q}"), Some(&ada.token)).await;
        assert!(
            page["items"].as_array().expect("items").iter().any(|m| m["id"] == rui.id.as_str()),
            "{q}: {page}"
        );
    }
    let (_, page) = app.get_json("/api/v1/admin/members?q=%25", Some(&ada.token)).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "a % finds only a %: {page}");

    // Suspended: the token stops working and the audit log says so.
    let path = format!("/api/v1/admin/members/{}/suspension", rui.id);
    let (s, m) = app.put_json(&path, &ada.token, &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert!(m["suspended_at"].is_string(), "{m}");
    assert_eq!(app.get_json("/api/v1/me", Some(&rui.token)).await.0, StatusCode::UNAUTHORIZED);
    let b = app.browser().await;
    assert_eq!(b.login(&rui.email, PASSWORD).await.status, StatusCode::FORBIDDEN, "cannot sign in");
    // Lifted: the same token works again.
    let (s, m) = app.delete_json(&path, &ada.token, &json!({})).await;
    assert_eq!((s, m["suspended_at"].clone()), (StatusCode::OK, Value::Null), "{m}");
    assert_eq!(app.get_json("/api/v1/me", Some(&rui.token)).await.0, StatusCode::OK);

    // Nobody suspends or deletes their own account here.
    let own = format!("/api/v1/admin/members/{}/suspension", ada.id);
    assert_eq!(app.put_json(&own, &ada.token, &json!({})).await.0, StatusCode::FORBIDDEN);
    let own = format!("/api/v1/admin/members/{}", ada.id);
    assert_eq!(app.delete_json(&own, &ada.token, &json!({})).await.0, StatusCode::FORBIDDEN);

    // Deleted: gone, and the group Rui organised goes to Olga.
    let (s, _) = app.delete_json(&format!("/api/v1/admin/members/{}", rui.id), &ada.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(app.state.db.user(&rui.id).await.expect("db").is_none());
    let (_, members) = app.get_json(&format!("/api/v1/groups/{g}/members"), Some(&org.token)).await;
    assert!(members.to_string().contains("organiser"), "{members}");
    let (s, _) = app.delete_json(&format!("/api/v1/admin/members/{}", rui.id), &ada.token, &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let log = audit(&app, &ada).await;
    let actions: Vec<(&str, &str)> = log.iter().map(|(a, n, _)| (a.as_str(), n.as_str())).collect();
    assert_eq!(actions, [("delete", "Rui Costa"), ("lift", "Rui Costa"), ("suspend", "Rui Costa")]);
}

#[tokio::test]
async fn deleting_from_the_page_asks_for_the_address_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let rui = app.member_at("Rui", "rui@example.org").await;
    let b = app.browser().await;
    b.login(&ada.email, PASSWORD).await;
    let confirm = b.get(&format!("/admin/members/{}/delete", rui.id)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Type their email address to confirm"));
    let wrong = b.post(&format!("/admin/members/{}/delete", rui.id), &[("confirm", "rui@example.com")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Type rui@example.org to confirm."), "says what to type");
    assert!(wrong.body.contains("value=\"rui@example.com\""), "keeps what was typed");
    assert!(app.state.db.user(&rui.id).await.expect("db").is_some(), "nothing deleted");
    let done =
        b.post(&format!("/admin/members/{}/delete", rui.id), &[("confirm", " RUI@example.org ")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(app.state.db.user(&rui.id).await.expect("db").is_none());
    // Suspending from the list comes back to the same search.
    let tom = app.member("Tomás").await;
    let back = b.post(&format!("/admin/members/{}/suspend", tom.id), &[("q", "tom")]).await;
    assert_eq!(back.location.as_deref(), Some("/admin/members?q=tom"));
    let list = b.get("/admin/members?q=tom").await;
    assert!(
        list.body.contains("suspended") && list.body.contains("Lift the suspension"),
        "shown as suspended"
    );
}

#[tokio::test]
async fn groups_and_reports_across_them_keep_private_groups_private() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let org = app.member("Olga").await;
    let mem = app.member("Mia").await;
    let open = group(&app, &org, "Open Circle", "open").await;
    let closed = group(&app, &org, "Hidden Chapter", "invite").await;
    for g in [&open, &closed] {
        join_by_link(&app, &org, g, &mem).await;
    }
    let mut posts = Vec::new();
    for (g, title) in [(&open, "Open post"), (&closed, "Hidden post")] {
        let (s, p) = app
            .post_json(
                &format!("/api/v1/groups/{g}/posts"),
                Some(&org.token),
                &json!({"kind": "idea", "title": title, "body": "Words."}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let id = p["post"]["id"].as_str().expect("id").to_owned();
        let (s, _) = app
            .post_json(
                &format!("/api/v1/groups/{g}/posts/{id}/reports"),
                Some(&mem.token),
                &json!({"reason": "spam"}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        posts.push(id);
    }
    let (_, groups) = app.get_json("/api/v1/admin/groups", Some(&ada.token)).await;
    let text = groups.to_string();
    assert!(text.contains("Open Circle") && !text.contains("Hidden Chapter"), "{text}");
    assert_eq!(groups["items"].as_array().map(Vec::len), Some(2), "both counted: {groups}");
    let (_, reports) = app.get_json("/api/v1/admin/reports", Some(&ada.token)).await;
    let text = reports.to_string();
    assert!(text.contains("Open post") && !text.contains("Hidden"), "{text}");
    assert_eq!(reports["elsewhere"][0]["open_reports"], 1, "{reports}");
    assert_eq!(reports["elsewhere"][0]["organiser"], "Olga", "{reports}");

    // The admin closes the open group's report from the console, as a moderator would.
    let report = reports["items"][0]["id"].as_str().expect("id").to_owned();
    let b = app.browser().await;
    b.login(&ada.email, PASSWORD).await;
    let page = b.get("/admin/reports").await;
    assert!(page.body.contains("Open post") && !page.body.contains("Hidden post"));
    let done = b.post("/admin/reports", &[("group", &open), ("report", &report), ("action", "hide")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let (_, reports) = app.get_json("/api/v1/admin/reports", Some(&ada.token)).await;
    assert_eq!(reports["items"].as_array().map(Vec::len), Some(0), "{reports}");
    let (_, post) =
        app.get_json(&format!("/api/v1/groups/{open}/posts/{}", posts[0]), Some(&org.token)).await;
    assert_eq!(post["post"]["hidden"], true, "{post}");
    // Nor can the console act on the private group's report.
    let (_, queue) = app.get_json(&format!("/api/v1/groups/{closed}/reports"), Some(&org.token)).await;
    let hidden = queue["items"][0]["id"].as_str().expect("id").to_owned();
    let refused =
        b.post("/admin/reports", &[("group", &closed), ("report", &hidden), ("action", "delete")]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(audit(&app, &ada).await, [("report".into(), "Open Circle".into(), "hide".into())]);
}

#[tokio::test]
async fn settings_reach_every_instance_within_seconds_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let other = TestApp::run_on(&app, |_| {}).await;
    let ada = app.member("Ada").await;
    // The second instance has read the settings once already.
    let home = other.client().get(other.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(home.contains("<title>") && home.contains("Alongside"));

    let (s, body) = settings(&app, &ada, json!({"site_name": "  ", "signup": "sometimes"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["site_name", "signup"]);
    let (s, body) = settings(&app, &ada, json!({"site_name": "Lisbon Freelancers"})).await;
    assert_eq!((s, body["site_name"].as_str()), (StatusCode::OK, Some("Lisbon Freelancers")));

    // This instance shows it at once; the other within its few seconds.
    let here = app.client().get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(here.contains("Lisbon Freelancers"), "at once where it was saved");
    let started = Instant::now();
    loop {
        let there = other.client().get(other.url("/")).send().await.expect("get").text().await.expect("body");
        if there.contains("Lisbon Freelancers") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the other instance never showed the new name");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let manifest: Value = other
        .client()
        .get(other.url("/manifest.webmanifest"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(manifest["name"], "Lisbon Freelancers");

    // A page keeps what was typed next to the error.
    let b = app.browser().await;
    b.login(&ada.email, PASSWORD).await;
    let page = b
        .post("/admin/settings", &[("site_name", &"x".repeat(61)), ("signup", "open"), ("terms", "Keep me")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Keep this under 60 characters.") && page.body.contains("Keep me"));
    let (_, now) = app.get_json("/api/v1/admin/settings", Some(&ada.token)).await;
    assert_eq!(now["site_name"], "Lisbon Freelancers", "nothing saved lost");
    let log = audit(&app, &ada).await;
    assert_eq!(log, [("settings".into(), String::new(), "site name: Lisbon Freelancers".into())]);
    other.stop().await;
}

#[tokio::test]
async fn sign_up_is_open_by_invitation_or_closed_as_the_admin_says() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let g = group(&app, &ada, "Circle", "invite").await;
    let token = invite_link(&app, &ada, &g).await;
    let new = |email: &str, invite: &str| json!({"email": email, "password": PASSWORD, "display_name": "New", "invite": invite});

    assert_eq!(settings(&app, &ada, json!({"signup": "invite"})).await.0, StatusCode::OK);
    let (s, body) = app.post_json("/api/v1/accounts", None, &new("a@example.org", "")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("by invitation"), "{body}");
    let (s, _) = app.post_json("/api/v1/accounts", None, &new("a@example.org", "alinv_nothing")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a made-up invitation opens nothing");
    let (s, body) = app.post_json("/api/v1/accounts", None, &new("a@example.org", &token)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // The pages: the invitation's link leads through sign-up; without it, the reason.
    let b = app.browser().await;
    let plain = b.get("/signup").await;
    assert!(plain.body.contains("by invitation") && !plain.body.contains("name=\"password\""));
    let invited = b.get(&format!("/signup?next=/invites/{token}")).await;
    assert!(invited.body.contains("name=\"password\""), "the form, for the invited");
    let refused = b.signup("Zed", "zed@example.org").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let home = b.get("/").await;
    assert!(home.body.contains("join by invitation") && !home.body.contains("Sign up, free"));

    assert_eq!(settings(&app, &ada, json!({"signup": "closed"})).await.0, StatusCode::OK);
    let (s, _) = app.post_json("/api/v1/accounts", None, &new("b@example.org", &token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "closed is closed, invitation or not");
    assert!(!b.get("/").await.body.contains("href=\"/signup\""), "no sign-up link while closed");

    assert_eq!(settings(&app, &ada, json!({"signup": "open"})).await.0, StatusCode::OK);
    let (s, _) = app.post_json("/api/v1/accounts", None, &new("c@example.org", "")).await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn legal_pages_appear_once_written_and_show_markdown_safely() {
    let app = TestApp::spawn().await;
    let ada = app.member("Ada").await;
    let visitor = app.client();
    assert_eq!(visitor.get(app.url("/terms")).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    let home = visitor.get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(!home.contains("href=\"/terms\""), "no link to a page that is not there");
    let terms = "# Terms\n\nBe **kind**. <script>alert(1)</script>";
    let (s, _) = settings(&app, &ada, json!({"terms": terms, "privacy": "We keep little."})).await;
    assert_eq!(s, StatusCode::OK);
    let page = visitor.get(app.url("/terms")).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("<strong>kind</strong>") && !page.contains("<script>alert"), "{page}");
    let home = visitor.get(app.url("/")).send().await.expect("get").text().await.expect("body");
    assert!(home.contains("href=\"/terms\"") && home.contains("href=\"/privacy\""));
    let signup = visitor.get(app.url("/signup")).send().await.expect("get").text().await.expect("body");
    assert!(signup.contains("terms of use") && signup.contains("privacy notice"));
}
