//! Bringing a community in: an organiser's roster is checked row by row, then sent as one
//! invitation per address, never twice; people who asked for no mail get none from anyone here;
//! the outbox keeps to its rate, personal mail first.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::group;
use crate::support::{csrf_of, TestApp, PASSWORD};

const ROSTER: &str = "Name,Email,Trade,Skills\nRita Sousa,rita@example.org,Copywriter,\"copy, seo\"\n\
                      Tomás,not-an-address,,\nRita again,RITA@example.org,,\nUma Reis,uma@example.org,,\n";

async fn roster(app: &TestApp, token: &str, group: &str, text: &str, send: bool) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/groups/{group}/roster"),
        Some(token),
        &json!({"text": text, "send": send}),
    )
    .await
}

fn problems(body: &Value) -> Vec<(String, Option<String>)> {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["email"].as_str().unwrap_or("").to_owned(), r["problem"].as_str().map(str::to_owned)))
        .collect()
}

/// The link in a mail that starts with `prefix`, as a path.
fn link(mail: &str, base: &str, prefix: &str) -> String {
    let start = mail.find(&format!("{base}{prefix}")).expect("the link") + base.len();
    mail[start..].split_whitespace().next().expect("link").trim_end_matches('>').to_owned()
}

#[tokio::test]
async fn a_roster_is_checked_row_by_row_then_sent_once_and_joining_starts_the_profile() {
    let app = TestApp::spawn().await;
    let (org, member) = (app.member("Olga").await, app.member("Mia").await);
    let g = group(&app, &org, "Porto referral chapter", "request").await;
    crate::groups::join_by_link(&app, &org, &g, &member).await;

    // A member who is not a moderator may not; the check itself sends nothing.
    let (s, _) = roster(&app, &member.token, &g, ROSTER, false).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let with_member = format!("{ROSTER}Mia,{},,\n", member.email);
    let (s, checked) = roster(&app, &org.token, &g, &with_member, false).await;
    assert_eq!(s, StatusCode::OK, "{checked}");
    assert_eq!(
        problems(&checked),
        [
            ("rita@example.org".to_owned(), None),
            ("not-an-address".to_owned(), Some("This isn't an email address.".to_owned())),
            ("rita@example.org".to_owned(), Some("Also on line 2: it gets one invitation.".to_owned())),
            ("uma@example.org".to_owned(), None),
            (member.email.clone(), Some("Already a member of this group.".to_owned())),
        ]
    );
    assert_eq!(
        (checked["valid"].as_i64(), checked["invalid"].as_i64(), &checked["import"]),
        (Some(2), Some(3), &Value::Null)
    );
    let (s, empty) = roster(&app, &org.token, &g, "  ", true).await;
    assert_eq!(
        (s, empty["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text")),
        "{empty}"
    );

    let (s, sent) = roster(&app, &org.token, &g, ROSTER, true).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["import"]["total"], 2, "{sent}");
    let mail = app
        .mail_with(&[
            "To: rita@example.org",
            "Hello Rita Sousa,",
            "Olga invites you to Porto referral chapter",
        ])
        .await;
    assert!(mail.contains("/invites/alinv_"), "{mail}");
    assert!(mail.contains(&format!("List-Unsubscribe: <{}/no-mail/", app.base)), "{mail}");
    app.mail_with(&["To: uma@example.org"]).await;

    // The same file again sends nothing, and says why without a word about accounts.
    let (s, again) = roster(&app, &org.token, &g, ROSTER, true).await;
    assert_eq!((s, again["valid"].as_i64()), (StatusCode::OK, Some(0)), "{again}");
    assert!(
        problems(&again)[0].1.as_deref().is_some_and(|p| p.starts_with("Invited by an earlier import on ")),
        "{again}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_rita = app.mails(1).await.iter().filter(|m| m.contains("To: rita@example.org")).count();
    assert_eq!(to_rita, 1, "one invitation each, however often the file comes in");
    let (s, list) = app.get_json(&format!("/api/v1/groups/{g}/roster"), Some(&org.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (list["items"].as_array().map(Vec::len), &list["items"][0]["sent"]),
        (Some(1), &json!(2)),
        "{list}"
    );
    assert_eq!(list["items"][0]["by"], "Olga");
    let (_, invites) = app.get_json(&format!("/api/v1/groups/{g}/invites"), Some(&org.token)).await;
    assert_eq!(
        invites["items"].as_array().map(Vec::len),
        Some(1),
        "an import's invitations are not listed one by one: {invites}"
    );

    // Rita signs up with her address and joins: her profile starts with what the roster said.
    let rita = app.member_at("Rita", "rita@example.org").await;
    let token = link(&mail, &app.base, "/invites/").rsplit('/').next().expect("token").to_owned();
    let (s, joined) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&rita.token), &json!({})).await;
    assert_eq!((s, joined["group_id"].as_str()), (StatusCode::OK, Some(g.as_str())), "{joined}");
    let (_, me) = app.get_json("/api/v1/me", Some(&rita.token)).await;
    assert_eq!(me["trade"], "Copywriter", "{me}");
    assert_eq!(me["skills_offered"], json!(["copy", "seo"]), "{me}");
}

#[tokio::test]
async fn dont_email_me_again_holds_for_every_group_and_drops_what_waits() {
    let app = TestApp::spawn().await;
    let (olga, pia) = (app.member("Olga").await, app.member("Pia").await);
    let (a, b) = (group(&app, &olga, "Chapter A", "open").await, group(&app, &pia, "Circle B", "open").await);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{a}/invites"),
            Some(&olga.token),
            &json!({"email": "vera@example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mail = app.mail_with(&["To: vera@example.org", "Don't", "no-mail"]).await;
    let stop = link(&mail, &app.base, "/no-mail/");

    // Anyone may open the link; it asks first, and a forged one is nothing.
    let visitor = app.browser().await;
    let asked = visitor.get(&stop).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.body.contains("vera@example.org") && asked.body.contains("Don't email me again"),
        "{}",
        asked.body
    );
    assert_eq!(visitor.get("/no-mail/dmVyYUBleGFtcGxlLm9yZw.forged").await.status, StatusCode::NOT_FOUND);
    let done = visitor.post_raw(&stop, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("We won't email vera@example.org again"), "{}", done.body);

    // Another group's roster records her, and writes nothing.
    let (s, sent) = roster(&app, &pia.token, &b, "Vera <Vera@Example.org>\nwes@example.org", true).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    assert_eq!((&sent["import"]["total"], &sent["import"]["held"]), (&json!(2), &json!(1)), "{sent}");
    app.mail_with(&["To: wes@example.org"]).await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{a}/invites"),
            Some(&olga.token),
            &json!({"email": "vera@example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "the organiser learns nothing from it");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_vera = app.mails(1).await.iter().filter(|m| m.contains("To: vera@example.org")).count();
    assert_eq!(to_vera, 1, "only the mail before she asked");
}

#[tokio::test]
async fn the_outbox_keeps_to_its_rate_across_a_big_import() {
    let app = TestApp::spawn_with(|c| c.mail_per_minute = 3).await;
    let olga = app.member("Olga").await;
    let g = group(&app, &olga, "Chapter", "open").await;
    let text: String = (0..8).map(|i| format!("p{i}@example.org\n")).collect();
    let (s, sent) = roster(&app, &olga.token, &g, &text, true).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let progress = || async {
        let (_, list) = app.get_json(&format!("/api/v1/groups/{g}/roster"), Some(&olga.token)).await;
        (list["items"][0]["sent"].as_i64().unwrap_or(0), list["items"][0]["waiting"].as_i64().unwrap_or(0))
    };
    for _ in 0..200 {
        if progress().await.0 >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Many mail rounds later, no more than the minute's allowance has gone (other mail counts too).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (sent, waiting) = progress().await;
    assert!((1..=3).contains(&sent), "sent {sent}");
    assert_eq!(sent + waiting, 8);
    let all = app.state.db.mail_sent_since(0, web_now()).await.expect("count");
    assert_eq!(all, 3, "three a minute in all");
}

fn web_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::test]
async fn the_roster_page_shows_the_check_and_sends_only_what_it_showed() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga").await;
    let g = group(&app, &olga, "Chapter", "open").await;
    let b = app.browser().await;
    b.login(&olga.email, PASSWORD).await;
    let page = b.get(&format!("/groups/{g}/roster")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_of(&page.body).expect("csrf");
    let post = |form: Form| b.client.post(format!("{}/groups/{g}/roster", b.base)).multipart(form).send();
    let file = Part::text(ROSTER).file_name("members.csv").mime_str("text/csv").expect("mime");
    let r = post(Form::new().text("csrf", csrf.clone()).text("step", "check").part("file", file))
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.expect("body").replace("&#x2f;", "/").replace("&#x27;", "'");
    assert!(body.contains("Checked: 2 to invite, 2 left out"), "{body}");
    assert!(body.contains("This isn't an email address.") && body.contains("Send 2 invitations"), "{body}");
    assert!(body.contains("Rita Sousa,rita@example.org"), "the file comes back as text to correct: {body}");
    let start = body.find("name=\"checked\" value=\"").expect("fingerprint") + 22;
    let checked = body[start..start + 64].to_owned();

    // A list edited after its check is checked again, not sent.
    let edited = format!("{ROSTER}Zed,zed@example.org,,\n");
    let r = post(
        Form::new()
            .text("csrf", csrf.clone())
            .text("step", "send")
            .text("checked", checked.clone())
            .text("text", edited),
    )
    .await
    .expect("post");
    let body = r.text().await.expect("body");
    assert!(
        body.contains("The list changed since it was checked") && body.contains("Send 3 invitations"),
        "{body}"
    );
    let r = post(
        Form::new()
            .text("csrf", "forged")
            .text("step", "send")
            .text("checked", checked.clone())
            .text("text", ROSTER),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        Form::new()
            .text("csrf", csrf.clone())
            .text("step", "send")
            .text("checked", checked)
            .text("text", ROSTER.replace('\n', "\r\n")),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_owned();
    assert_eq!(to, format!("/groups/{g}/roster?sent=2"));
    let page = b.get(&to).await;
    assert!(page.body.contains("2 invitations are on their way."), "{}", page.body);
    assert!(page.body.contains("data-label=\"Invited\">2</td>"), "{}", page.body);
    let bad = post(
        Form::new()
            .text("csrf", csrf)
            .text("step", "check")
            .part("file", Part::bytes(vec![0xff, 0xfe, 0x00]).file_name("x.csv")),
    )
    .await
    .expect("post");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.expect("body").contains("Save the file as CSV (UTF-8)"));
}
