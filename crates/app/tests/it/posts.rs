//! A group's discussion: posts of each kind with safe Markdown, confidential struggles, the
//! 15-minute edit window, replies, "this helped", moderation and the report queue.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::support::{error_fields, Member, TestApp, PASSWORD};

async fn post(app: &TestApp, who: &Member, group: &str, body: Value) -> Value {
    let (s, t) = app.post_json(&format!("/api/v1/groups/{group}/posts"), Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn posts_render_markdown_safely_and_bad_posts_name_their_fields() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let id = group(&app, &org, "Circle", "open").await;
    let t = post(
        &app,
        &org,
        &id,
        json!({"kind": "ask", "title": "Who knows SEO?", "body": "**Help** <script>alert(1)</script> [x](javascript:alert(1))"}),
    )
    .await;
    let html = t["post"]["html"].as_str().expect("html");
    assert!(html.contains("<strong>Help</strong>") && html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script") && !html.contains("javascript:"), "{html}");
    assert_eq!(t["post"]["kind_label"], "Ask for help");

    let (s, body) = app.post_json(&format!("/api/v1/groups/{id}/posts"), Some(&org.token), &json!({})).await;
    assert_eq!(
        (s, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".into(), "title".into(), "body".into()])
    );
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts"),
            Some(&org.token),
            &json!({"kind": "win", "title": "Signed", "body": "Yes", "confidential": true}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["confidential".into()]));

    // The page shows the post with its script as text, and a bad form keeps what was typed.
    let b = app.browser().await;
    b.login(&org.email, PASSWORD).await;
    let page = b.get(&format!("/groups/{id}/posts/{}", t["post"]["id"].as_str().expect("id"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.body.contains("<script>alert")
    );
    let page = b
        .post(
            &format!("/groups/{id}/posts"),
            &[("kind", "idea"), ("title", ""), ("body", "keep these words")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Give your post a title.") && page.body.contains("keep these words"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_confidential_struggle_is_for_members_only() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let out = app.member("Otto").await;
    let id = group(&app, &org, "Open Circle", "open").await;
    post(&app, &org, &id, json!({"kind": "win", "title": "Landed a client", "body": "Hooray"})).await;
    let t = post(
        &app,
        &org,
        &id,
        json!({"kind": "struggle", "title": "Cash flow is scary", "body": "Between invoices", "confidential": true}),
    )
    .await;
    let secret = t["post"]["id"].as_str().expect("id");
    let (_, list) = app.get_json(&format!("/api/v1/groups/{id}/posts"), Some(&out.token)).await;
    assert_eq!(
        titles(&list),
        ["Landed a client"],
        "an outsider reads the open discussion but not the struggle"
    );
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/posts/{secret}"), Some(&out.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get_json(&format!("/api/v1/groups/{id}/posts?kind=struggle"), Some(&org.token)).await;
    assert_eq!(titles(&list), ["Cash flow is scary"]);

    // A member replies to it; their export keeps their words but not the post's title.
    email_me_replies(&app, &org).await;
    let mem = app.member("Mel").await;
    app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&mem.token), &json!({})).await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{secret}/replies"),
            Some(&mem.token),
            &json!({"body": "Been there"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, export) = app.get_json("/api/v1/me/export", Some(&mem.token)).await;
    let replies = &export["groups"]["replies"];
    assert_eq!(replies[0]["body"], "Been there", "{export}");
    assert_eq!(replies[0]["post_title"], "");
    assert!(!export.to_string().contains("Cash flow"), "{export}");
    let (_, export) = app.get_json("/api/v1/me/export", Some(&org.token)).await;
    assert!(export.to_string().contains("Cash flow is scary"), "the author keeps their own");
    // The author hears of the reply without the title, which would otherwise go on by email and
    // into digests.
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&org.token)).await;
    assert_eq!(notes["items"][0]["title"], "Mel replied to your confidential post in Open Circle", "{notes}");
    assert!(!notes.to_string().contains("Cash flow"), "{notes}");
    let mail = app.mail_with(&["Mel replied to your confidential post in Open Circle"]).await;
    assert!(!mail.contains("Cash flow") && !mail.contains("Been there"), "nor the reply in mail: {mail}");
}

/// The author chooses replies to their posts by email (they stay in the app by default).
async fn email_me_replies(app: &TestApp, who: &Member) {
    let prefs = json!({"deliveries": {"discussion": "email"}});
    let (s, body) = app.put_json("/api/v1/me/notification-preferences", &who.token, &prefs).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn only_the_author_edits_and_only_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let mem = app.member("Mel").await;
    let id = group(&app, &org, "Circle", "open").await;
    app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&mem.token), &json!({})).await;
    let t = post(&app, &mem, &id, json!({"kind": "idea", "title": "Monthly demo day", "body": "Show work"}))
        .await;
    let p = t["post"]["id"].as_str().expect("id");
    assert!(t["post"]["editable_until"].is_string(), "{t}");
    let path = format!("/api/v1/groups/{id}/posts/{p}");
    let (s, _) = app.patch_json(&path, &org.token, &json!({"title": "Hijacked"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not even the organiser edits someone's words");
    let (s, t) = app.patch_json(&path, &mem.token, &json!({"title": "Quarterly demo day"})).await;
    assert_eq!((s, t["post"]["title"].clone()), (StatusCode::OK, json!("Quarterly demo day")), "{t}");
    assert!(t["post"]["edited_at"].is_string());
    let (s, body) = app.patch_json(&path, &mem.token, &json!({"title": "  "})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["title".into()]));

    sqlx::query("UPDATE posts SET created_at = created_at - 16 * 60 * 1000")
        .execute(app.state.db.write())
        .await
        .expect("age the post");
    let (s, body) = app.patch_json(&path, &mem.token, &json!({"title": "Too late"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (_, t) = app.get_json(&path, Some(&mem.token)).await;
    assert_eq!(t["post"]["title"], "Quarterly demo day");
    assert_eq!(t["post"]["editable_until"], Value::Null);
}

#[tokio::test]
async fn replies_and_this_helped_and_a_reply_tells_the_author() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let (asker, helper) = (app.member("Asha").await, app.member("Hugo").await);
    let id = group(&app, &org, "Invite Circle", "invite").await;
    join_by_link(&app, &org, &id, &asker).await;
    join_by_link(&app, &org, &id, &helper).await;
    let t =
        post(&app, &asker, &id, json!({"kind": "ask", "title": "Need a logo", "body": "Small budget"})).await;
    let p = t["post"]["id"].as_str().expect("id");
    email_me_replies(&app, &asker).await;
    let (s, t) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{p}/replies"),
            Some(&helper.token),
            &json!({"body": "I can help"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let reply = t["replies"][0]["id"].as_str().expect("reply").to_owned();
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{p}/replies"),
            Some(&helper.token),
            &json!({"body": ""}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".into()]));
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&asker.token)).await;
    assert!(notes.to_string().contains("Hugo replied to \\\"Need a logo\\\""), "{notes}");
    let mail = app.mail_with(&["Hugo replied to \"Need a logo\"", "They wrote:", "I can help"]).await;
    assert!(mail.contains(&format!("/groups/{id}/posts/{p}#r-")), "{mail}");

    let helped = format!("/api/v1/groups/{id}/posts/{p}/helped?reply={reply}");
    let (s, _) = app.put_json(&helped, &helper.token, &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nobody marks their own reply helpful");
    let (s, _) = app.put_json(&helped, &asker.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.put_json(&helped, &asker.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "saying it twice counts once");
    let (_, t) = app.get_json(&format!("/api/v1/groups/{id}/posts/{p}"), Some(&asker.token)).await;
    assert_eq!(
        (t["replies"][0]["helped"].clone(), t["replies"][0]["helped_by_me"].clone()),
        (json!(1), json!(true))
    );
    let (s, _) = app.delete_json(&helped, &asker.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, t) = app.get_json(&format!("/api/v1/groups/{id}/posts/{p}"), Some(&asker.token)).await;
    assert_eq!(t["replies"][0]["helped"], 0);
}

#[tokio::test]
async fn moderators_hide_lock_and_delete_and_work_through_reports() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let (mo, troll, mem) = (app.member("Mo").await, app.member("Troll").await, app.member("Mel").await);
    let id = group(&app, &org, "Circle", "open").await;
    for m in [&mo, &troll, &mem] {
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m.token), &json!({})).await;
    }
    app.patch_json(
        &format!("/api/v1/groups/{id}/members/{}", mo.id),
        &org.token,
        &json!({"role": "moderator"}),
    )
    .await;
    let t =
        post(&app, &troll, &id, json!({"kind": "idea", "title": "Buy my course", "body": "Spam spam"})).await;
    let p = t["post"]["id"].as_str().expect("id").to_owned();
    let moderation = format!("/api/v1/groups/{id}/posts/{p}/moderation");

    let (s, _) = app.post_json(&moderation, Some(&mem.token), &json!({"action": "hide"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not moderate");
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{p}/reports"),
            Some(&mem.token),
            &json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{p}/reports"),
            Some(&troll.token),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "authors delete rather than report their own");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&mo.token)).await;
    assert!(notes.to_string().contains("A post in Circle was reported"), "{notes}");
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/reports"), Some(&mem.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, queue) = app.get_json(&format!("/api/v1/groups/{id}/reports"), Some(&mo.token)).await;
    assert_eq!(queue["items"][0]["reason"], "spam", "{queue}");
    let report = queue["items"][0]["id"].as_str().expect("report").to_owned();

    // Hiding closes the report; the post is gone for members but not for its author.
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/reports/{report}"),
            Some(&mo.token),
            &json!({"action": "hide"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, queue) = app.get_json(&format!("/api/v1/groups/{id}/reports"), Some(&mo.token)).await;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(0));
    let (_, list) = app.get_json(&format!("/api/v1/groups/{id}/posts"), Some(&mem.token)).await;
    assert!(titles(&list).is_empty(), "{list}");
    let (_, t) = app.get_json(&format!("/api/v1/groups/{id}/posts/{p}"), Some(&troll.token)).await;
    assert_eq!(t["post"]["hidden"], true);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{p}/replies"),
            Some(&troll.token),
            &json!({"body": "but"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a hidden post takes no replies");

    // Locking stops replies; deleting removes the post for everyone.
    let t = post(&app, &mem, &id, json!({"kind": "win", "title": "Good week", "body": "Three calls"})).await;
    let q = t["post"]["id"].as_str().expect("id").to_owned();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{q}/moderation"),
            Some(&mo.token),
            &json!({"action": "lock"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts/{q}/replies"),
            Some(&org.token),
            &json!({"body": "Congrats"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, _) = app.post_json(&moderation, Some(&mo.token), &json!({"action": "delete"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/posts/{p}"), Some(&troll.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app.post_json(&moderation, Some(&mo.token), &json!({"action": "explode"})).await;
    assert!(s.is_client_error(), "{body}");

    // Remove the troll: their standing goes; ban keeps them out.
    let ban = format!("/api/v1/groups/{id}/members/{}?ban=true", troll.id);
    let (s, _) = app.delete_json(&ban, &mo.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/posts"),
            Some(&troll.token),
            &json!({"kind": "idea", "title": "x", "body": "y"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_discussion_pages_walk_through_a_thread() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Olga", "olga@example.org").await;
    let page = b
        .post(
            "/groups/new",
            &[
                ("name", "Page Circle"),
                ("mode", "virtual"),
                ("time_zone", "Europe/Lisbon"),
                ("visibility", "open"),
                ("topics", "writing, seo"),
                ("description", "Writers helping writers"),
            ],
        )
        .await;
    let location = page.location.expect("to the new group");
    let id = location.trim_start_matches("/groups/").split('?').next().expect("id").to_owned();
    let page = b
        .post(
            &format!("/groups/{id}/posts"),
            &[("kind", "ask"), ("title", "Titles?"), ("body", "How do you pick them?")],
        )
        .await;
    let thread = page.location.expect("to the post");
    assert!(thread.starts_with(&format!("/groups/{id}/posts/")), "{thread}");
    let page = b.get(&thread).await;
    assert!(page.body.contains("How do you pick them?") && page.body.contains("Edit"), "{}", page.body);
    let group_page = b.get(&format!("/groups/{id}")).await;
    assert!(group_page.body.contains("Titles?") && group_page.body.contains("Writers helping writers"));

    let c = app.browser().await;
    c.signup("Hugo", "hugo@example.org").await;
    c.post(&format!("/groups/{id}/join"), &[]).await;
    let post_path = thread.split('?').next().expect("path").to_owned();
    let page = c.post(&format!("{post_path}/replies"), &[("body", "")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Write something first."));
    let page = c.post(&format!("{post_path}/replies"), &[("body", "Start with the *promise*.")]).await;
    assert!(page.location.is_some_and(|l| l.ends_with("#r-") || l.contains("#r-")));
    let page = b.get(&post_path).await;
    assert!(page.body.contains("<em>promise</em>") && page.body.contains("This helped (0)"), "{}", page.body);
    let reply = page.body.split("id=\"r-").nth(1).expect("a reply").split('"').next().expect("id").to_owned();
    b.post(&format!("{post_path}/helped"), &[("reply", &reply), ("on", "yes")]).await;
    let page = b.get(&post_path).await;
    assert!(page.body.contains("This helped (1)"), "{}", page.body);
    let page = c.post(&format!("{post_path}/report"), &[("reason", "just testing")]).await;
    assert!(page.location.is_some_and(|l| !l.contains("notice")));
    let page = b.get(&format!("/groups/{id}/reports")).await;
    assert!(page.body.contains("just testing"), "{}", page.body);
    let page = c.get(&format!("/groups/{id}/reports")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}
