//! The authorization matrix: every route of the OpenAPI document and every page route (read from
//! the source, so a new route cannot be missed) is called as anonymous, outsider, member,
//! moderator, organiser and admin, around one invite-only group with a post, a reply, a report,
//! an invitation and a members-only event.
//!
//! It fails when any response to someone outside the group holds anything of it (its name, its
//! posts, its event, any of their ids), when a role is let through where the table below says it
//! may not be, or turned away where it may, when a route about the group is missing from the
//! table, or when anything answers 5xx.

use app::web::secrets::{hash_token, random_token};
use chrono::{TimeDelta, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use store::group_invites::NewInvite;
use store::groups::GroupFields;
use store::users::NewUser;

use crate::authz_routes::{guarded, source_routes, MATRIX};
use crate::support::{csrf_of, TestApp};

/// Who calls, in the order each route is tried.
const ROLES: [&str; 6] = ["anonymous", "outsider", "admin", "member", "moderator", "organiser"];

/// The marker every secret text holds: long enough that no random token on a page holds it by
/// chance (a three-letter one turned up in one 1 in a few thousand runs).
const SECRET: &str = "Zq7Xw9";

/// One caller: an API client with its token and a browser with its session and CSRF token.
struct Caller {
    id: String,
    token: String,
    browser: Client,
    csrf: String,
}

/// The group and everything in it, made straight in the store (no password hashing, so a fresh
/// one per unsafe call is cheap).
struct World {
    callers: Vec<Option<Caller>>,
    group: String,
    post: String,
    reply: String,
    event: String,
    key: i64,
    invite: String,
    report: String,
    goal: String,
    task: String,
    /// A referral slip from the member to the organiser, and help the member gave the organiser.
    slip: String,
    help: String,
    /// The member's contact, and their request for help.
    contact: String,
    ask: String,
    /// A notification of the member's.
    note: String,
    secrets: Vec<String>,
}

async fn caller(app: &TestApp, name: &str, hash: &str) -> Caller {
    let db = &app.state.db;
    let now = Utc::now().timestamp_millis();
    let email = format!("{}.{}@matrix.example", name, store::new_id());
    let u = db
        .create_user(
            NewUser {
                email: &email,
                password_hash: hash,
                display_name: name,
                timezone: "Europe/Lisbon",
                admin_if_first: false,
            },
            now,
        )
        .await
        .expect("user");
    let session = random_token();
    db.create_session(&hash_token(&session), &u.id, now, now + 86_400_000).await.expect("session");
    let token = format!("alng_{}", random_token());
    db.create_token(&u.id, "matrix", &hash_token(&token), &token[..9], now).await.expect("token");
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let base: reqwest::Url = app.base.parse().expect("base url");
    jar.add_cookie_str(&format!("alng_session={session}; Path=/"), &base);
    let browser = Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page =
        browser.get(app.url("/dashboard")).send().await.expect("dashboard").text().await.expect("body");
    let csrf = csrf_of(&page).expect("a CSRF token on the dashboard");
    Caller { id: u.id, token, browser, csrf }
}

async fn world(app: &TestApp, hash: &str) -> World {
    let db = &app.state.db;
    let now = Utc::now().timestamp_millis();
    let mut callers = vec![None];
    for name in &ROLES[1..] {
        callers.push(Some(caller(app, name, hash).await));
    }
    let id = |i: usize| callers[i].as_ref().map(|c| c.id.clone()).expect("a caller");
    let (admin, member, moderator, organiser) = (id(2), id(3), id(4), id(5));
    db.set_admin(&admin).await.expect("admin");
    let fields = GroupFields {
        name: format!("{SECRET} Secret Circle"),
        description: format!("{SECRET} what we do"),
        is_virtual: true,
        time_zone: "Europe/Lisbon".into(),
        visibility: "invite".into(),
        topics: vec![format!("{}-topic", SECRET.to_lowercase())],
        ..GroupFields::default()
    };
    let group = db.create_group(&organiser, &fields, now).await.expect("group");
    for m in [&member, &moderator] {
        db.add_member(&group, m, now).await.expect("member");
    }
    db.set_role(&group, &moderator, "moderator").await.expect("role");
    let post = db
        .create_post(
            &group,
            &organiser,
            "ask",
            &format!("{SECRET} post title"),
            &format!("{SECRET} post body"),
            false,
            now,
        )
        .await
        .expect("post");
    db.create_post(
        &group,
        &member,
        "struggle",
        &format!("{SECRET} struggle"),
        &format!("{SECRET} hard"),
        true,
        now,
    )
    .await
    .expect("confidential post");
    let reply =
        db.create_reply(&post, &moderator, &format!("{SECRET} reply body"), now).await.expect("reply");
    db.report(&group, &post, None, &member, &format!("{SECRET} reason"), now).await.expect("report");
    let report = db.open_reports(&group).await.expect("reports")[0].id.clone();
    let invite = db
        .create_invite(
            &NewInvite {
                group_id: &group,
                token_hash: &hash_token(&random_token()),
                email: "",
                created_by: &organiser,
                expires_at: now + 86_400_000,
                max_uses: None,
                import_id: None,
            },
            now,
        )
        .await
        .expect("invite");
    let host = db.user(&organiser).await.expect("read").expect("organiser");
    let start = (Utc::now() + TimeDelta::days(2)).with_timezone(&chrono_tz::Europe::Lisbon);
    let input: app::events::input::EventInput = serde_json::from_value(json!({
        "kind": "meeting", "title": format!("{SECRET} members' evening"), "description": format!("{SECRET} agenda"),
        "starts_at_local": start.format("%Y-%m-%dT18:00").to_string(), "time_zone": "Europe/Lisbon",
        "preset": "weekly", "virtual": {}, "visibility": "group", "group_id": group,
    }))
    .expect("event input");
    let e = app::events::create(&app.state, &host, &input).await.expect("event");
    let key = e.first_start_at;
    let goal_fields = store::goals::GoalFields {
        title: format!("{SECRET} goal"),
        why: format!("{SECRET} reasons"),
        visibility: "group".into(),
        group_id: Some(group.clone()),
        ..store::goals::GoalFields::default()
    };
    let goal = db.create_goal(&member, &goal_fields, now).await.expect("goal");
    let task = db.add_task(&goal, &format!("{SECRET} task"), now).await.expect("task");
    let week = domain::weeks::WeekKey::of(Utc::now(), chrono_tz::Europe::Lisbon).to_string();
    db.set_focus(&group, &member, &week, &format!("{SECRET} focus"), now).await.expect("focus");
    let slip = db
        .create_referral(
            &store::referrals::NewReferral {
                giver_id: member.clone(),
                receiver_id: organiser.clone(),
                group_id: Some(group.clone()),
                prospect: format!("{SECRET} prospect"),
                contact: format!("{SECRET}@prospect.example"),
                need: format!("{SECRET} needs a site"),
                temperature: "warm".into(),
                note: format!("{SECRET} note"),
            },
            now,
        )
        .await
        .expect("slip");
    let help =
        db.record_help(&member, &organiser, 90, &format!("{SECRET} help"), &member, now).await.expect("help");
    let ask =
        db.create_help_post(&member, "request", "tax", "A question about VAT", None, now).await.expect("ask");
    let contact_fields = store::contacts::ContactFields {
        name: format!("{SECRET} contact"),
        email: format!("{SECRET}@contact.example"),
        notes: format!("{SECRET} notes"),
        cadence_days: Some(1),
        ..store::contacts::ContactFields::default()
    };
    let contact = db.create_contact(&member, &contact_fields, now - 10 * 86_400_000).await.expect("contact");
    db.notify(&member, "test", &format!("{SECRET} notification"), "", now).await.expect("notify");
    let note = db.notifications(&member, 1).await.expect("notifications")[0].id.clone();
    let secrets = vec![
        SECRET.to_owned(),
        group.clone(),
        post.clone(),
        reply.clone(),
        e.id.clone(),
        invite.clone(),
        report.clone(),
        goal.clone(),
        task.clone(),
        slip.clone(),
        help.clone(),
        contact.clone(),
        note.clone(),
    ];
    World {
        callers,
        group,
        post,
        reply,
        event: e.id,
        key,
        invite,
        report,
        goal,
        task,
        slip,
        help,
        contact,
        ask,
        note,
        secrets,
    }
}

/// The route with its parameters filled in from the world, plus a query where the route needs
/// one to show anything.
fn fill(path: &str, w: &World) -> String {
    let on_events = path.starts_with("/events/") || path.starts_with("/api/v1/events/");
    let on_goals = path.starts_with("/goals/") || path.starts_with("/api/v1/goals/");
    let on_members = path.starts_with("/members/")
        || path.starts_with("/api/v1/members/")
        || path.starts_with("/admin/members/")
        || path.starts_with("/api/v1/admin/members/");
    let member = w.callers[3].as_ref().map(|c| c.id.as_str()).unwrap_or_default();
    let under = |prefix: &str| path.starts_with(prefix) || path.starts_with(&format!("/api/v1{prefix}"));
    let id = if on_events {
        w.event.as_str()
    } else if under("/referrals/") {
        w.slip.as_str()
    } else if under("/contacts/") {
        w.contact.as_str()
    } else if under("/help/given/") {
        w.help.as_str()
    } else if under("/help/") {
        w.ask.as_str()
    } else if path.starts_with("/notifications/") {
        w.note.as_str()
    } else if on_goals {
        w.goal.as_str()
    } else if on_members {
        member
    } else if path.contains("/groups/") {
        w.group.as_str()
    } else {
        "00000000000000000000000000000000"
    };
    let filled = path
        .replace("{id}", id)
        .replace("{post}", &w.post)
        .replace("{reply}", &w.reply)
        .replace("{member}", member)
        .replace("{invite}", &w.invite)
        .replace("{report}", &w.report)
        .replace("{task}", &w.task)
        .replace("{start}", &w.key.to_string())
        .replace("{token}", &format!("alinv_{}", random_token()))
        .replace("{name}", "style.css");
    let window = format!(
        "from={}&to={}",
        (Utc::now() - TimeDelta::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        (Utc::now() + TimeDelta::days(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let query = match path {
        // Words of the group's name without the marker, which a search form shows back.
        "/discover" | "/api/v1/discover" | "/members" | "/api/v1/members" => "q=secret+circle".into(),
        "/api/v1/events" | "/api/v1/events/{id}/occurrences" | "/api/v1/groups/{id}/events" => window,
        "/events/{id}/room" | "/events/{id}/room/ws" | "/events/{id}" => format!("at={}", w.key),
        "/calendar" => "view=month".into(),
        _ => String::new(),
    };
    if query.is_empty() {
        filled
    } else {
        format!("{filled}?{query}")
    }
}

/// Form fields (pages) or a JSON body (API) that pass validation where a role is allowed, so the
/// answer shows whether it was let through.
fn form(path: &str, w: &World) -> Vec<(String, String)> {
    let member = w.callers[3].as_ref().map(|c| c.id.clone()).unwrap_or_default();
    let outsider = w.callers[1].as_ref().map(|c| c.id.clone()).unwrap_or_default();
    let pairs: Vec<(&str, String)> = match path {
        "/groups/{id}/members/manage" => vec![("member", member), ("action", "remove".into())],
        "/groups/{id}/requests" => vec![("member", outsider), ("decision", "approve".into())],
        "/groups/{id}/invites" => vec![("days", "7".into())],
        "/groups/{id}/invites/revoke" => vec![("invite", w.invite.clone())],
        "/groups/{id}/follow" => vec![("follow", "yes".into())],
        "/groups/{id}/posts/{post}/helped" => vec![("on", "yes".into())],
        "/groups/{id}/posts/{post}/moderate" => vec![("action", "hide".into())],
        "/groups/{id}/posts/{post}/report" => vec![("reason", "spam".into())],
        "/groups/{id}/reports" => vec![("report", w.report.clone()), ("action", "dismiss".into())],
        "/admin/reports" => {
            vec![("group", w.group.clone()), ("report", w.report.clone()), ("action", "dismiss".into())]
        }
        "/admin/settings" => {
            vec![("site_name", "Matrix".into()), ("signup", "open".into()), ("visitor_pages", "on".into())]
        }
        _ => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn body(path: &str) -> Value {
    match path {
        "/api/v1/groups/{id}/members/{member}" => json!({"role": "moderator"}),
        "/api/v1/groups/{id}/requests/{member}" => json!({"decision": "approve"}),
        "/api/v1/groups/{id}/posts/{post}/moderation" => json!({"action": "hide"}),
        "/api/v1/groups/{id}/reports/{report}" => json!({"action": "dismiss"}),
        "/api/v1/groups/{id}/roster" => json!({"text": "new.person@example.org"}),
        "/api/v1/groups/{id}/classifications" => json!({"names": ["Matrix trade"]}),
        "/api/v1/groups/{id}/classification" | "/api/v1/groups/{id}/classifications/ask" => {
            json!({"name": "No such trade"})
        }
        "/api/v1/groups/{id}/posts/{post}/reports" => json!({"reason": "spam"}),
        "/api/v1/admin/settings" => {
            json!({"site_name": "Matrix", "signup": "open", "visitor_pages": true, "terms": "", "privacy": ""})
        }
        _ => json!({}),
    }
}

/// A calendar of one event, for the group's calendar import.
const MATRIX_ICS: &str =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:matrix-1\r\nSUMMARY:Matrix meeting\r\n\
                          DTSTART:20270106T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Calls one route as one role; returns the status, the body and where a redirect points.
async fn call(
    app: &TestApp,
    w: &World,
    role: usize,
    method: &str,
    path: &str,
) -> (StatusCode, String, String) {
    let url = app.url(&fill(path, w));
    let method: Method = method.parse().expect("method");
    let who = w.callers[role].as_ref();
    let mut req = if path.starts_with("/api/") {
        let mut r = app.client().request(method.clone(), &url);
        if let Some(c) = who {
            r = r.bearer_auth(&c.token);
        }
        if path == "/api/v1/groups/{id}/calendar/import" {
            r = r.header("content-type", "text/calendar").body(MATRIX_ICS);
        } else if method != Method::GET {
            r = r.json(&body(path));
        }
        r
    } else {
        let client = who.map_or_else(|| app.client(), |c| c.browser.clone());
        let mut r = client.request(method.clone(), &url);
        let csrf = who.map(|c| c.csrf.clone()).unwrap_or_default();
        if method == Method::POST && path == "/events/{id}/cover" {
            // An upload's form is multipart, as a browser sends it: a real picture and the token.
            let mut png = std::io::Cursor::new(Vec::new());
            image::RgbImage::new(4, 4).write_to(&mut png, image::ImageFormat::Png).expect("encodes");
            let part = reqwest::multipart::Part::bytes(png.into_inner()).file_name("cover.png");
            r = r.multipart(reqwest::multipart::Form::new().text("csrf", csrf).part("cover", part));
        } else if method == Method::POST && path == "/groups/{id}/calendar/import" {
            let part = reqwest::multipart::Part::text(MATRIX_ICS).file_name("group.ics");
            r = r.multipart(reqwest::multipart::Form::new().text("csrf", csrf).part("file", part));
        } else if method == Method::POST && path == "/groups/{id}/roster" {
            let form = reqwest::multipart::Form::new().text("csrf", csrf).text("step", "check");
            r = r.multipart(form.text("text", "new.person@example.org"));
        } else if method == Method::POST {
            let mut fields = form(path, w);
            fields.push(("csrf".into(), csrf));
            r = r.form(&fields);
        }
        r
    };
    if path.ends_with("/room/ws") {
        req = req
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("origin", &app.base);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let text = if status == StatusCode::SWITCHING_PROTOCOLS {
        String::new()
    } else {
        resp.text().await.unwrap_or_default()
    };
    (status, text, location)
}

/// Turned away: not signed in, forbidden, or as if nothing were there.
fn denied(status: StatusCode, location: &str) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        || (status.is_redirection() && location.starts_with("/login"))
}

#[tokio::test]
async fn no_route_leaks_an_invite_only_group_or_lets_a_role_do_what_it_may_not() {
    let app = TestApp::spawn().await;
    let hash = app::accounts::password::hash("matrix-password-123".into()).await.expect("hash");
    let (s, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let mut routes = source_routes();
    assert!(routes.len() > 100, "the route scan found only {} routes", routes.len());
    let paths = doc["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            let key = (method.to_uppercase(), path.clone());
            assert!(routes.contains(&key), "{key:?} is documented but not routed");
            routes.insert(key);
        }
    }
    for (m, p) in &routes {
        let grouped =
            p.starts_with("/api/v1/groups") || p.starts_with("/api/v1/invites") || p == "/api/v1/discover";
        if grouped {
            let documented = paths.get(p).and_then(|o| o.get(m.to_lowercase())).is_some();
            assert!(documented, "{m} {p} is missing from the OpenAPI document");
        }
        if guarded(p) {
            assert!(
                MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == p),
                "{m} {p} is guarded but not in MATRIX"
            );
        }
    }

    let mut problems = Vec::new();
    let shared = world(&app, &hash).await;
    for (method, path) in &routes {
        let expected = MATRIX.iter().find(|(m, p, _)| m == method && p == path).map(|(_, _, who)| *who);
        let safe = method == "GET";
        let mut w = if safe { None } else { Some(world(&app, &hash).await) };
        for (role, name) in ROLES.iter().enumerate() {
            let current = w.as_ref().unwrap_or(&shared);
            let (status, text, location) = call(&app, current, role, method, path).await;
            let label = format!("{method} {path} as {name}: {status}");
            if status.is_server_error() {
                problems.push(format!("{label} (server error)"));
            }
            if role <= 2 {
                // Sent to sign in, the caller's own address comes back as `next`: that tells
                // them nothing they did not send.
                let location_told =
                    if location.starts_with("/login?next=") { "/login" } else { location.as_str() };
                for secret in &current.secrets {
                    if text.contains(secret.as_str()) || location_told.contains(secret.as_str()) {
                        problems.push(format!("{label} shows {secret}"));
                    }
                }
            }
            let through = !denied(status, &location);
            if let Some(who) = expected {
                let may = match *name {
                    "member" => who.contains('m'),
                    "moderator" => who.contains('d'),
                    "organiser" => who.contains('o'),
                    "admin" => who.contains('a'),
                    _ => false,
                };
                if through != may {
                    problems.push(format!(
                        "{label}: expected {}",
                        if may { "to get through" } else { "to be turned away" }
                    ));
                }
            }
            // What got through may have changed the world: the next role gets a fresh one.
            if !safe && through {
                w = Some(world(&app, &hash).await);
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
