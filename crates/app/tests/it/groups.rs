//! Groups through the API and pages: joining open, request-to-join and invite-only groups,
//! roles and their limits, invitations by link and email, group events and followers, the
//! group's calendar feed, and what an invite-only group hides.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

/// A group made through the API by `organiser`.
pub async fn group(app: &TestApp, organiser: &Member, name: &str, visibility: &str) -> String {
    let (s, g) = app
        .post_json(
            "/api/v1/groups",
            Some(&organiser.token),
            &json!({"name": name, "description": format!("About {name}"), "topics": ["coworking", "wordpress"],
                    "city": "Lisbon", "time_zone": "Europe/Lisbon", "visibility": visibility}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["my_role"], "organiser");
    g["id"].as_str().expect("id").to_owned()
}

/// A link invitation's token, made by a manager of the group.
pub async fn invite_link(app: &TestApp, by: &Member, group: &str) -> String {
    let (s, body) =
        app.post_json(&format!("/api/v1/groups/{group}/invites"), Some(&by.token), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["url"].as_str().expect("url").rsplit('/').next().expect("token").to_owned()
}

/// Makes `m` a member of `group` through an invitation link.
pub async fn join_by_link(app: &TestApp, by: &Member, group: &str, m: &Member) {
    let token = invite_link(app, by, group).await;
    let (s, body) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&m.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["group_id"], group);
}

/// A weekly group event from 2027 on.
pub fn weekly_meeting(group: &str, title: &str, visibility: &str) -> Value {
    json!({"kind": "meeting", "title": title, "starts_at_local": "2027-01-06T18:00", "time_zone": "Europe/Lisbon",
           "preset": "weekly", "virtual": {}, "visibility": visibility, "group_id": group})
}

#[tokio::test]
async fn an_open_group_takes_anyone_and_keeps_its_member_list_to_members() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let ana = app.member("Ana").await;
    let id = group(&app, &org, "Open Circle", "open").await;

    let (s, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["my_role"], Value::Null);
    assert_eq!(g["topics"], json!(["coworking", "wordpress"]));
    assert_eq!(g["city"], "Lisbon, Portugal");
    let (s, body) = app.get_json(&format!("/api/v1/groups/{id}/members"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members only by default: {body}");

    let (s, body) =
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&ana.token), &json!({})).await;
    assert_eq!((s, body["status"].clone()), (StatusCode::OK, json!("member")), "{body}");
    let (s, body) = app.get_json(&format!("/api/v1/groups/{id}/members"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let roles: Vec<(&str, &str)> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| (m["display_name"].as_str().expect("name"), m["role"].as_str().expect("role")))
        .collect();
    assert_eq!(roles, [("Olga", "organiser"), ("Ana", "member")]);
    let (s, _) =
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&ana.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "joining twice is refused");

    // The organiser opens the member list; an outsider now sees it.
    let (s, body) =
        app.patch_json(&format!("/api/v1/groups/{id}"), &org.token, &json!({"members_public": true})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let bea = app.member("Bea").await;
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/members"), Some(&bea.token)).await;
    assert_eq!(s, StatusCode::OK);

    let (s, _) = app.delete_json(&format!("/api/v1/groups/{id}/membership"), &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&ana.token)).await;
    assert_eq!(g["member_count"], 1);
    let (s, body) = app.delete_json(&format!("/api/v1/groups/{id}/membership"), &org.token, &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the organiser hands over first: {body}");
}

#[tokio::test]
async fn bad_group_input_names_each_field_and_keeps_the_group() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let (s, body) = app.post_json("/api/v1/groups", Some(&org.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["name", "time_zone", "visibility", "city"]);
    let (s, body) = app
        .post_json(
            "/api/v1/groups",
            Some(&org.token),
            &json!({"name": "x", "topics": ["a", "b", "c", "d", "e", "f", "g", "h", "i"], "time_zone": "Mars/Olympus",
                    "visibility": "secret", "city": "Nowhere-at-all"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["name", "topics", "time_zone", "visibility", "city"]);
    let id = group(&app, &org, "Good Name", "open").await;
    let (s, _) =
        app.patch_json(&format!("/api/v1/groups/{id}"), &org.token, &json!({"visibility": "nope"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&org.token)).await;
    assert_eq!((g["name"].as_str(), g["visibility"].as_str()), (Some("Good Name"), Some("open")));

    // The page keeps what was typed and shows the error next to the field.
    let b = app.browser().await;
    b.signup("Pat", "pat@example.org").await;
    let page = b
        .post(
            "/groups/new",
            &[
                ("name", "Writers"),
                ("mode", "in_person"),
                ("city", "Nowhere-at-all"),
                ("time_zone", "Europe/Lisbon"),
                ("visibility", "open"),
                ("description", "Heads down"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Pick the city from the list"), "{}", page.body);
    assert!(page.body.contains("value=\"Writers\"") && page.body.contains("Heads down"), "input kept");
}

#[tokio::test]
async fn a_request_to_join_waits_for_a_moderator() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let ana = app.member("Ana").await;
    let id = group(&app, &org, "Referral Chapter", "request").await;
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/membership"),
            Some(&ana.token),
            &json!({"message": "Hi, I write copy"}),
        )
        .await;
    assert_eq!((s, body["status"].clone()), (StatusCode::OK, json!("requested")), "{body}");
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&ana.token)).await;
    assert_eq!((g["requested"].clone(), g["my_role"].clone()), (json!(true), Value::Null));
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/posts"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the discussion is for members");
    let (s, _) = app.get_json(&format!("/api/v1/groups/{id}/requests"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&org.token)).await;
    assert!(notes.to_string().contains("Ana asks to join Referral Chapter"), "{notes}");
    let (s, body) = app.get_json(&format!("/api/v1/groups/{id}/requests"), Some(&org.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["items"][0]["message"], "Hi, I write copy");
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/requests/{}", ana.id),
            Some(&org.token),
            &json!({"decision": "maybe"}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["decision".to_owned()]));
    let (s, _) = app
        .post_json(
            &format!("/api/v1/groups/{id}/requests/{}", ana.id),
            Some(&org.token),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&ana.token)).await;
    assert_eq!(g["my_role"], "member");
    app.mail_with(&["Welcome to Referral Chapter"]).await;
}

#[tokio::test]
async fn roles_have_limits_and_the_organiser_can_hand_over() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let (m1, m2, m3) = (app.member("Mo").await, app.member("Max").await, app.member("Mia").await);
    let id = group(&app, &org, "Circle", "open").await;
    for m in [&m1, &m2, &m3] {
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m.token), &json!({})).await;
    }
    let members = |who: &Member| format!("/api/v1/groups/{id}/members/{}", who.id);
    let (s, _) = app.patch_json(&members(&m2), &m1.token, &json!({"role": "moderator"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members set no roles");
    for m in [&m1, &m2] {
        let (s, body) = app.patch_json(&members(m), &org.token, &json!({"role": "moderator"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    }
    let (s, _) = app.patch_json(&members(&m3), &m1.token, &json!({"role": "moderator"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "moderators set no roles");
    let (s, _) = app.delete_json(&members(&m2), &m1.token, &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a moderator cannot remove another");
    let (s, _) = app.delete_json(&members(&org), &m1.token, &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nobody removes the organiser");
    let (s, _) = app.delete_json(&format!("{}?ban=true", members(&m3)), &m1.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "a moderator bans a member");
    let (s, body) =
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m3.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the banned stay out: {body}");
    let token = invite_link(&app, &org, &id).await;
    let (s, _) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&m3.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an invitation link does not lift a ban");

    let (s, body) = app
        .post_json(&format!("/api/v1/groups/{id}/handover"), Some(&org.token), &json!({"member_id": m2.id}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&org.token)).await;
    assert_eq!(g["my_role"], "moderator");
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&m2.token)).await;
    assert_eq!(g["my_role"], "organiser");
    let (s, _) = app.delete_json(&format!("/api/v1/groups/{id}/membership"), &org.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "the former organiser may leave now");
}

#[tokio::test]
async fn an_invite_only_group_is_invisible_to_outsiders() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let out = app.member("Otto").await;
    let id = group(&app, &org, "Secret Mastermind", "invite").await;
    for path in [
        format!("/api/v1/groups/{id}"),
        format!("/api/v1/groups/{id}/members"),
        format!("/api/v1/groups/{id}/posts"),
        format!("/api/v1/groups/{id}/events"),
        format!("/api/v1/groups/{id}/calendar.ics"),
    ] {
        let (s, body) = app.get_json(&path, Some(&out.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(!body.to_string().contains("Secret Mastermind"));
    }
    let (s, _) =
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&out.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, found) = app.get_json("/api/v1/discover?q=mastermind", Some(&out.token)).await;
    assert_eq!(found["total"], 0, "{found}");

    // Its events are for members only, whatever they ask for.
    let (s, body) = app
        .post_json("/api/v1/events", Some(&org.token), &weekly_meeting(&id, "Secret weekly", "public"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["visibility"]);
    let (s, e) = app
        .post_json("/api/v1/events", Some(&org.token), &weekly_meeting(&id, "Secret weekly", "group"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["group"]["name"], "Secret Mastermind");
    let event = e["id"].as_str().expect("id");
    let (s, _) = app.get_json(&format!("/api/v1/events/{event}"), Some(&out.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let window = "from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z";
    let (_, listed) = app.get_json(&format!("/api/v1/events?{window}"), Some(&out.token)).await;
    assert!(!listed.to_string().contains("Secret weekly"), "{listed}");

    // A member sees it all; after leaving, nothing again.
    let ana = app.member("Ana").await;
    join_by_link(&app, &org, &id, &ana).await;
    let (s, _) = app.get_json(&format!("/api/v1/events/{event}"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK);
    let (_, listed) = app.get_json(&format!("/api/v1/events?{window}"), Some(&ana.token)).await;
    assert!(listed.to_string().contains("Secret weekly"), "{listed}");
    let (s, body) = app
        .put_json(
            &format!("/api/v1/events/{event}/rsvp"),
            &ana.token,
            &json!({"occurrence_start": "2027-01-13T18:00:00Z", "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = app.delete_json(&format!("/api/v1/groups/{id}/membership"), &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_json(&format!("/api/v1/events/{event}"), Some(&ana.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a former member loses the group's events");
    let (_, occ) =
        app.get_json(&format!("/api/v1/events/{event}/occurrences?{window}"), Some(&org.token)).await;
    assert!(
        occ["items"].as_array().expect("items").iter().all(|o| o["going"] == 0),
        "their answer went: {occ}"
    );
    let (_, cal) = app.get_json("/api/v1/me/calendar.ics", Some(&ana.token)).await;
    assert!(!cal.to_string().contains("Secret weekly"), "{cal}");
}

#[tokio::test]
async fn invitations_expire_are_withdrawn_and_email_ones_work_once() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let id = group(&app, &org, "Quiet Writers", "invite").await;
    let (s, body) =
        app.post_json(&format!("/api/v1/groups/{id}/invites"), Some(&org.token), &json!({"days": 3})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["days".to_owned()]));
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/invites"),
            Some(&org.token),
            &json!({"email": "not-an-email"}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["email".to_owned()]));

    // A link: anyone holding it sees the group's name, until it is withdrawn.
    let token = invite_link(&app, &org, &id).await;
    let stranger = app.member("Stan").await;
    let (s, preview) = app.get_json(&format!("/api/v1/invites/{token}"), Some(&stranger.token)).await;
    assert_eq!((s, preview["name"].clone()), (StatusCode::OK, json!("Quiet Writers")));
    let (_, list) = app.get_json(&format!("/api/v1/groups/{id}/invites"), Some(&org.token)).await;
    let invite = list["items"][0]["id"].as_str().expect("id").to_owned();
    let (s, _) =
        app.delete_json(&format!("/api/v1/groups/{id}/invites/{invite}"), &org.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&stranger.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a withdrawn link is gone");
    let anon = app.client().get(app.url(&format!("/invites/{token}"))).send().await.expect("GET");
    assert_eq!(anon.status(), StatusCode::NOT_FOUND);

    // An expired link is gone too.
    let old = invite_link(&app, &org, &id).await;
    sqlx::query("UPDATE group_invites SET expires_at = 1 WHERE revoked_at IS NULL")
        .execute(app.state.db.write())
        .await
        .expect("age the link");
    let (s, _) = app.post_json(&format!("/api/v1/invites/{old}"), Some(&stranger.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // By email: the mail carries a link that works once.
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{id}/invites"),
            Some(&org.token),
            &json!({"email": "Friend@Example.org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let text = app.mail_with(&["invites you to Quiet Writers"]).await;
    assert!(text.contains("friend@example.org"), "{text}");
    let link = text.split_whitespace().find(|w| w.contains("/invites/alinv_")).expect("a link");
    let token = link.rsplit('/').next().expect("token");
    // Only the account whose confirmed address it was sent to may use it.
    let holder = app.member("Holder of the link").await;
    let (s, body) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&holder.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("sent to another email address"), "{body}");
    let friend = crate::verification::signed_up(&app, "Friend", "friend@example.org").await;
    let (s, body) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&friend.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not confirmed yet: {body}");
    assert!(body.to_string().contains("confirm the address first"), "{body}");
    crate::verification::confirm(&app, "friend@example.org").await;
    let (s, body) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&friend.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = app.post_json(&format!("/api/v1/invites/{token}"), Some(&holder.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "used up");
}

#[tokio::test]
async fn an_invitation_page_brings_a_new_member_back_after_signing_up() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let id = group(&app, &org, "Mastermind Seven", "invite").await;
    let token = invite_link(&app, &org, &id).await;
    let b = app.browser().await;
    let landing = b.get(&format!("/invites/{token}")).await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.body.contains("Join Mastermind Seven") && landing.body.contains("Sign up to join"));
    let next = format!("/invites/{token}");
    let signup = b.get(&format!("/signup?next={next}")).await;
    assert!(signup.body.contains(&format!("name=\"next\" value=\"{next}\"")), "{}", signup.body);
    let page = b
        .post(
            "/signup",
            &[("display_name", "Nia"), ("email", "nia@example.org"), ("password", PASSWORD), ("next", &next)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(next.as_str()));
    let page = b.post(&next, &[]).await;
    assert_eq!(page.location.as_deref(), Some(format!("/groups/{id}").as_str()));
    let page = b.get(&format!("/groups/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Welcome! You're a member now."), "{}", page.body);
    // Once: a reload, or a link that carries the words itself, says nothing.
    assert!(!b.get(&format!("/groups/{id}")).await.body.contains("Welcome! You're a member now."));
    assert!(!b
        .get(&format!("/groups/{id}?notice=joined"))
        .await
        .body
        .contains("Welcome! You're a member now."));
    assert!(page.body.contains("Leave the group"));
    // Only paths on this site are followed after signing in.
    for evil in ["//evil.example/x", "https://evil.example", "/\\evil.example"] {
        let c = app.browser().await;
        let p = c
            .post(
                "/signup",
                &[
                    ("display_name", "Eve"),
                    ("email", &format!("eve{}@example.org", evil.len())),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(p.location.as_deref(), Some("/dashboard"), "{evil}");
    }
}

#[tokio::test]
async fn followers_hear_of_new_events_and_the_group_calendar_feeds_them() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let fan = app.member("Fan").await;
    let id = group(&app, &org, "WordPress Lisbon", "open").await;
    let (s, _) = app.put_json(&format!("/api/v1/groups/{id}/follow"), &fan.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .post_json("/api/v1/events", Some(&org.token), &weekly_meeting(&id, "Members' night", "group"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = app
        .post_json("/api/v1/events", Some(&org.token), &weekly_meeting(&id, "Open meetup", "public"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&fan.token)).await;
    let text = notes.to_string();
    assert!(text.contains("New in WordPress Lisbon: Open meetup"), "{text}");
    assert!(
        !text.contains("Members' night"),
        "a follower who is not a member hears only of open events: {text}"
    );
    app.mail_with(&["Open meetup"]).await;

    // Outsiders may not put events in the group.
    let (s, body) =
        app.post_json("/api/v1/events", Some(&fan.token), &weekly_meeting(&id, "Crash", "public")).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["group_id".to_owned()]));

    let window = "from=2027-01-01T00:00:00Z&to=2027-01-15T00:00:00Z";
    let (_, events) = app.get_json(&format!("/api/v1/groups/{id}/events?{window}"), Some(&fan.token)).await;
    let titles: Vec<&str> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Open meetup", "Open meetup"], "{events}");
    let (_, events) = app.get_json(&format!("/api/v1/groups/{id}/events?{window}"), Some(&org.token)).await;
    assert_eq!(events["items"].as_array().expect("items").len(), 4);

    // A member's secret feed of the group, read without a session.
    let b = app.browser().await;
    b.login(&org.email, PASSWORD).await;
    let made = b.post(&format!("/groups/{id}/calendar-feed"), &[]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let page = b.get(&format!("/groups/{id}/calendar")).await;
    let start = page.body.find("/feeds/group/").expect("a feed URL");
    let path: String = page.body[start..].chars().take_while(|c| *c != '"').collect();
    let feed = app.client().get(app.url(&path)).send().await.expect("GET feed");
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(!b.get(&format!("/groups/{id}/calendar")).await.body.contains(&path), "shown once");
    let ics = feed.text().await.expect("body");
    assert!(ics.contains("SUMMARY:Members' night") && ics.contains("SUMMARY:Open meetup"), "{ics}");
    assert!(ics.contains("RRULE:FREQ=WEEKLY"), "{ics}");
}

#[tokio::test]
async fn joining_follows_the_groups_events_and_organisers_hear_of_events_by_others() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let mia = app.member("Mia").await;
    let ned = app.member("Ned").await;
    let id = group(&app, &org, "Lisbon Makers", "open").await;
    for m in [&mia, &ned] {
        let (s, body) =
            app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m.token), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    // Ned would rather not hear: he stops following, and stays a member.
    let (s, _) = app.delete_json(&format!("/api/v1/groups/{id}/follow"), &ned.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .post_json("/api/v1/events", Some(&mia.token), &weekly_meeting(&id, "Soldering night", "group"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let heard = |who: &Member| {
        let token = who.token.clone();
        let app = &app;
        async move {
            let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&token)).await;
            notes.to_string().contains("New in Lisbon Makers: Soldering night")
        }
    };
    assert!(heard(&org).await, "the organiser hears of an event by someone else");
    assert!(!heard(&mia).await, "not the host");
    assert!(!heard(&ned).await, "he stopped following");
    let mail = app.mail_with(&["Soldering night", &format!("To: {}", org.email)]).await;
    assert!(mail.contains("because you help run the group"), "{mail}");
    let b = app.browser().await;
    b.login(&mia.email, PASSWORD).await;
    assert!(b.get(&format!("/groups/{id}")).await.body.contains("Stop following"), "joining followed");
}

#[tokio::test]
async fn organisers_announce_to_every_member_a_few_times_a_day_pinned_on_the_page() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let mia = app.member("Mia").await;
    let ned = app.member("Ned").await;
    let id = group(&app, &org, "Lisbon Makers", "open").await;
    for m in [&mia, &ned] {
        let (s, _) =
            app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m.token), &json!({})).await;
        assert_eq!(s, StatusCode::OK);
    }
    // Ned hears of nothing from groups; Mia, as by default, by mail at once.
    let prefs = json!({"deliveries": {"announcement": "off"}});
    let (s, _) = app.put_json("/api/v1/me/notification-preferences", &ned.token, &prefs).await;
    assert_eq!(s, StatusCode::OK);
    let path = format!("/api/v1/groups/{id}/announcements");
    let (s, _) = app.post_json(&path, Some(&mia.token), &json!({"body": "Party at mine"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not announce");
    let (s, sent) = app
        .post_json(
            &path,
            Some(&org.token),
            &json!({"body": "**New venue** from March: the library's top floor."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["sent_to"], 2, "everyone but the author: {sent}");
    let mail = app.mail_with(&["Lisbon Makers: New venue from March", &format!("To: {}", mia.email)]).await;
    assert!(mail.contains("Olga sent an announcement to everyone in Lisbon Makers"), "{mail}");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&ned.token)).await;
    assert!(!notes.to_string().contains("New venue"), "Ned turned announcements off: {notes}");
    // Pinned on the page, for members; the form only for those who run the group.
    let b = app.browser().await;
    b.login(&mia.email, PASSWORD).await;
    let page = b.get(&format!("/groups/{id}")).await.body;
    assert!(page.contains("<strong>New venue</strong> from March"), "{page}");
    assert!(!page.contains("Announce to every member"), "{page}");
    // Three a day: the fourth is refused next to the field, its words kept.
    for n in 2..=3 {
        let (s, _) = app.post_json(&path, Some(&org.token), &json!({"body": format!("Note {n}")})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let ob = app.browser().await;
    ob.login(&org.email, PASSWORD).await;
    let refused = ob.post(&format!("/groups/{id}/announcements"), &[("body", "A fourth note")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("at most 3 announcements a day") && refused.body.contains("A fourth note"),
        "{}",
        refused.body
    );
    let (_, list) = app.get_json(&path, Some(&mia.token)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3), "{list}");
}

#[tokio::test]
async fn group_mates_see_fields_kept_for_my_groups() {
    let app = TestApp::spawn().await;
    let ana = app.member_with("Ana", json!({"trade": "Bookkeeper", "visibility": {"trade": "groups"}})).await;
    let bo = app.member("Bo").await;
    let (_, seen) = app.get_json(&format!("/api/v1/members/{}", ana.id), Some(&bo.token)).await;
    assert_eq!(seen["trade"], Value::Null, "{seen}");
    let (_, found) = app.get_json("/api/v1/members?trade=bookkeeper", Some(&bo.token)).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(0), "{found}");
    let id = group(&app, &ana, "Numbers", "open").await;
    app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&bo.token), &json!({})).await;
    let (_, seen) = app.get_json(&format!("/api/v1/members/{}", ana.id), Some(&bo.token)).await;
    assert_eq!(seen["trade"], "Bookkeeper", "{seen}");
    let (_, found) = app.get_json("/api/v1/members?trade=bookkeeper", Some(&bo.token)).await;
    assert_eq!(found["items"][0]["trade"], "Bookkeeper", "{found}");
}

#[tokio::test]
async fn an_organiser_who_deletes_their_account_leaves_the_group_to_a_moderator() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga").await;
    let (mo, me) = (app.member("Mo").await, app.member("Mel").await);
    let id = group(&app, &org, "Handover Circle", "open").await;
    let alone = group(&app, &org, "Alone", "open").await;
    for m in [&me, &mo] {
        app.post_json(&format!("/api/v1/groups/{id}/membership"), Some(&m.token), &json!({})).await;
    }
    app.patch_json(
        &format!("/api/v1/groups/{id}/members/{}", mo.id),
        &org.token,
        &json!({"role": "moderator"}),
    )
    .await;
    let (s, body) = app.delete_json("/api/v1/me", &org.token, &json!({"password": PASSWORD})).await;
    assert!(s.is_success(), "{body}");
    let (_, g) = app.get_json(&format!("/api/v1/groups/{id}"), Some(&mo.token)).await;
    assert_eq!(g["my_role"], "organiser");
    let (s, _) = app.get_json(&format!("/api/v1/groups/{alone}"), Some(&mo.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a group left empty goes with its organiser");
}

#[tokio::test]
async fn the_event_form_offers_my_groups_and_editing_keeps_the_group() {
    let app = TestApp::spawn().await;
    let b = app.browser().await;
    b.signup("Olga", "olga@example.org").await;
    let page = b
        .post(
            "/groups/new",
            &[
                ("name", "Form Circle"),
                ("mode", "virtual"),
                ("time_zone", "Europe/Lisbon"),
                ("visibility", "invite"),
            ],
        )
        .await;
    let id = page
        .location
        .expect("the group")
        .trim_start_matches("/groups/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let form = b.get(&format!("/events/new?group={id}&visibility=group&kind=meeting")).await;
    assert!(
        form.body.contains(&format!("<option value=\"{id}\" selected>Form Circle</option>")),
        "{}",
        form.body
    );
    assert!(form.body.contains("<option value=\"group\" selected>Members of the group only</option>"));
    let fields = [
        ("kind", "meeting"),
        ("title", "Circle call"),
        ("starts_at_local", "2027-02-03T18:00"),
        ("time_zone", "Europe/Lisbon"),
        ("duration_minutes", "60"),
        ("repeat", "weekly"),
        ("mode", "virtual"),
        ("group", id.as_str()),
        ("visibility", "public"),
    ];
    let page = b.post("/events/new", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "an invite-only group's event is for members");
    assert!(page.body.contains("for its members only") && page.body.contains("Circle call"), "{}", page.body);
    let mut fields = fields.to_vec();
    fields.retain(|(k, _)| *k != "visibility");
    fields.push(("visibility", "group"));
    let page = b.post("/events/new", &fields).await;
    let event = page.location.expect("the event");
    let edit = b.get(&format!("{event}/edit")).await;
    assert!(edit.body.contains(&format!("name=\"group\" value=\"{id}\"")), "{}", edit.body);
    assert!(edit.body.contains("<option value=\"group\" selected>"), "{}", edit.body);
    let mut changed = fields.clone();
    changed.retain(|(k, _)| *k != "title" && *k != "repeat");
    changed.extend([("title", "Circle call (moved)"), ("repeat", "keep")]);
    let page = b.post(&format!("{event}/edit"), &changed).await;
    assert!(page.status.is_redirection(), "{}", page.body);
    let id_only = event.trim_start_matches("/events/");
    let e = app.state.db.event(id_only).await.expect("db").expect("event");
    assert_eq!(
        (e.title.as_str(), e.visibility.as_str(), e.group_id.as_deref()),
        ("Circle call (moved)", "group", Some(id.as_str()))
    );
}
