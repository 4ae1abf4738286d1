//! Goals and accountability through the API and pages: goals with tasks and targets, who may see
//! them, check-ins with comments and cheers, streaks and pauses, the weekly board's rollover,
//! session-goal stats, and nudges sent exactly once even with two instances at work.

use app::config::Secret;
use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::support::{error_fields, Member, TestApp, PASSWORD};

async fn goal(app: &TestApp, who: &Member, body: Value) -> Value {
    let (s, g) = app.post_json("/api/v1/goals", Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    g
}

/// Makes `a` and `b` accountability partners.
async fn partners(app: &TestApp, a: &Member, b: &Member) {
    let (s, p) = app
        .post_json(
            "/api/v1/partnerships",
            Some(&a.token),
            &json!({"member_id": b.id, "kind": "accountability"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().expect("id");
    let (s, body) =
        app.post_json(&format!("/api/v1/partnerships/{id}/accept"), Some(&b.token), &json!({})).await;
    assert!(s.is_success(), "{body}");
}

/// Whether `who` may open goal `g` through the API.
async fn sees(app: &TestApp, who: &Member, g: &Value) -> bool {
    let url = format!("/api/v1/goals/{}", g["id"].as_str().expect("id"));
    app.get_json(&url, Some(&who.token)).await.0 == StatusCode::OK
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(app.state.db.write()).await.expect(statement);
}

#[tokio::test]
async fn a_goal_with_tasks_and_a_target_and_bad_input_named_by_field() {
    let app = TestApp::spawn().await;
    let me = app.member("Mia").await;
    let (s, body) = app.post_json("/api/v1/goals", Some(&me.token), &json!({})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["title".to_owned()]));
    let (s, body) = app
        .post_json(
            "/api/v1/goals",
            Some(&me.token),
            &json!({"title": "Calls", "target_date": "soon", "target_value": 0, "visibility": "world", "group_id": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["target_date", "target_value", "visibility"]);
    let g = goal(
        &app,
        &me,
        json!({"title": "Ten client calls", "why": "Pipeline", "target_date": "2027-03-31", "target_value": 10, "target_unit": "client calls"}),
    )
    .await;
    assert_eq!(
        (g["visibility"].as_str(), g["status"].as_str(), g["percent"].as_u64()),
        (Some("private"), Some("active"), Some(0))
    );
    let id = g["id"].as_str().expect("id");
    let (s, g) = app
        .post_json(
            &format!("/api/v1/goals/{id}/tasks"),
            Some(&me.token),
            &json!({"title": "List 20 prospects"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let task = g["tasks"][0]["id"].as_str().expect("task");
    let (_, g) =
        app.patch_json(&format!("/api/v1/goals/{id}/tasks/{task}"), &me.token, &json!({"done": true})).await;
    assert_eq!(g["tasks"][0]["done"], true);
    let (s, body) = app
        .post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&me.token), &json!({"progress": 101}))
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["progress".to_owned()]));
    let (s, g) = app
        .post_json(
            &format!("/api/v1/goals/{id}/checkins"),
            Some(&me.token),
            &json!({"progress": 4, "note": "Good week", "blockers": "Time"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!((g["progress"].as_i64(), g["percent"].as_u64()), (Some(4), Some(40)));
    assert_eq!(g["checkins"][0]["blockers"], "Time");
    let (s, g) = app.patch_json(&format!("/api/v1/goals/{id}"), &me.token, &json!({"status": "done"})).await;
    assert_eq!((s, g["status"].clone()), (StatusCode::OK, json!("done")));
    let (s, body) = app
        .post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&me.token), &json!({"progress": 5}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a closed goal takes no check-ins: {body}");

    // The form keeps what was typed and names the field.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b
        .post(
            "/goals/new",
            &[("title", "Write the book"), ("target_value", "ten"), ("visibility", "private")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Give the target as a whole number") && page.body.contains("Write the book"));
}

#[tokio::test]
async fn private_partners_and_group_goals_show_only_where_they_should() {
    let app = TestApp::spawn().await;
    let (owner, partner, mate, stranger) = (
        app.member("Olive").await,
        app.member("Pat").await,
        app.member("Gus").await,
        app.member("Stan").await,
    );
    partners(&app, &owner, &partner).await;
    let circle = group(&app, &owner, "Circle", "invite").await;
    join_by_link(&app, &owner, &circle, &mate).await;
    let other = group(&app, &stranger, "Other", "open").await;
    let private = goal(&app, &owner, json!({"title": "Private goal"})).await;
    let shared = goal(&app, &owner, json!({"title": "Partners goal", "visibility": "partners"})).await;
    let grouped =
        goal(&app, &owner, json!({"title": "Group goal", "visibility": "group", "group_id": circle})).await;
    let (s, body) = app
        .post_json(
            "/api/v1/goals",
            Some(&owner.token),
            &json!({"title": "x", "visibility": "group", "group_id": other}),
        )
        .await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["group_id".to_owned()]));

    assert!(
        !sees(&app, &partner, &private).await && !sees(&app, &mate, &private).await,
        "a private goal shows to nobody"
    );
    assert!(
        sees(&app, &partner, &shared).await
            && !sees(&app, &mate, &shared).await
            && !sees(&app, &stranger, &shared).await
    );
    assert!(
        sees(&app, &mate, &grouped).await
            && !sees(&app, &partner, &grouped).await
            && !sees(&app, &stranger, &grouped).await
    );
    let titles = |body: &Value| -> Vec<String> {
        body["shared"]
            .as_array()
            .expect("shared")
            .iter()
            .map(|g| g["title"].as_str().expect("t").to_owned())
            .collect()
    };
    let (_, list) = app.get_json("/api/v1/goals", Some(&partner.token)).await;
    assert_eq!(titles(&list), ["Partners goal"]);
    let (_, list) = app.get_json("/api/v1/goals", Some(&mate.token)).await;
    assert_eq!(titles(&list), ["Group goal"]);
    let (_, list) = app.get_json("/api/v1/goals", Some(&stranger.token)).await;
    assert!(titles(&list).is_empty());

    // Leaving the group takes its goals away; changing a goal to private takes it from partners.
    app.delete_json(&format!("/api/v1/groups/{circle}/membership"), &mate.token, &json!({})).await;
    assert!(!sees(&app, &mate, &grouped).await);
    let id = shared["id"].as_str().expect("id");
    app.patch_json(&format!("/api/v1/goals/{id}"), &owner.token, &json!({"visibility": "private"})).await;
    assert!(!sees(&app, &partner, &shared).await);
    let (s, _) =
        app.patch_json(&format!("/api/v1/goals/{id}"), &partner.token, &json!({"title": "Mine now"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no look at another's private goal, even to change it");
}

#[tokio::test]
async fn partners_comment_and_cheer_and_the_owner_hears_of_it() {
    let app = TestApp::spawn().await;
    let (owner, partner, stranger) =
        (app.member("Olive").await, app.member("Pat").await, app.member("Stan").await);
    partners(&app, &owner, &partner).await;
    let g = goal(&app, &owner, json!({"title": "Ship the new site", "visibility": "partners"})).await;
    let id = g["id"].as_str().expect("id");
    let (_, g) = app
        .post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&owner.token), &json!({"progress": 30}))
        .await;
    let checkin = g["checkins"][0]["id"].as_str().expect("check-in").to_owned();
    let (s, g) = app
        .post_json(
            &format!("/api/v1/goals/{id}/comments"),
            Some(&partner.token),
            &json!({"body": "Go you!", "checkin_id": checkin}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["checkins"][0]["comments"][0]["body"], "Go you!");
    let (s, _) = app
        .put_json(&format!("/api/v1/goals/{id}/cheer?checkin={checkin}"), &partner.token, &json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.put_json(&format!("/api/v1/goals/{id}/cheer"), &owner.token, &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no cheering oneself");
    for (path, body) in [("comments", json!({"body": "hi"})), ("checkins", json!({"progress": 1}))] {
        let (s, _) = app.post_json(&format!("/api/v1/goals/{id}/{path}"), Some(&stranger.token), &body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app
        .post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&partner.token), &json!({"progress": 99}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "partners cheer, owners check in");
    let (_, g) = app.get_json(&format!("/api/v1/goals/{id}"), Some(&owner.token)).await;
    assert_eq!(g["checkins"][0]["cheers"], 1);
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&owner.token)).await;
    let text = notes.to_string();
    assert!(text.contains("Pat commented on") && text.contains("Pat cheered you on"), "{text}");
}

#[tokio::test]
async fn streaks_count_weeks_pauses_keep_them_and_stats_add_up_sessions_and_boards() {
    let app = TestApp::spawn().await;
    let me = app.member_with("Mia", json!({"timezone": "Europe/Lisbon"})).await;
    let g = goal(&app, &me, json!({"title": "Write weekly"})).await;
    let id = g["id"].as_str().expect("id");
    app.post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&me.token), &json!({"progress": 10})).await;
    let (_, stats) = app.get_json("/api/v1/me/stats", Some(&me.token)).await;
    assert_eq!(
        (stats["streak_weeks"].as_u64(), stats["longest_streak_weeks"].as_u64()),
        (Some(1), Some(1)),
        "{stats}"
    );
    // Two earlier weeks with check-ins make three in a row; a gap before them does not count.
    let week = |ago: i64| {
        let d = (Utc::now().with_timezone(&chrono_tz::Europe::Lisbon) - TimeDelta::weeks(ago)).date_naive();
        domain::weeks::WeekKey::of_date(d).to_string()
    };
    for ago in [1, 2, 4] {
        sql(&app, &format!("INSERT INTO checkins (id, goal_id, user_id, week, progress, created_at) VALUES ('{}', '{id}', '{}', '{}', 1, 0)", store::new_id(), me.id, week(ago))).await;
    }
    let (_, stats) = app.get_json("/api/v1/me/stats", Some(&me.token)).await;
    assert_eq!(stats["streak_weeks"], 3, "{stats}");
    let weeks = stats["weeks"].as_array().expect("weeks");
    assert_eq!(weeks.len(), 8);
    assert_eq!(weeks.iter().filter(|w| w["checked_in"] == true).count(), 4);
    // Pausing this week keeps the streak as it stands; resuming ends the pause.
    let (s, stats) = app.put_json("/api/v1/me/accountability", &me.token, &json!({"pause_weeks": 2})).await;
    assert_eq!((s, stats["paused"].clone()), (StatusCode::OK, json!(true)), "{stats}");
    let (s, body) = app.put_json("/api/v1/me/accountability", &me.token, &json!({"pause_weeks": 40})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["weeks".to_owned()]));
    let (_, stats) = app.put_json("/api/v1/me/accountability", &me.token, &json!({"pause_weeks": 0})).await;
    assert_eq!(stats["paused"], false);

    // Session goals: an attended session whose goal was ticked done, and one not done.
    let host = app.member("Host").await;
    let (_, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Focus", "starts_at_local": (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT%H:00").to_string(),
                    "time_zone": "UTC", "preset": "weekly", "virtual": {}}),
        )
        .await;
    let event = e["id"].as_str().expect("event");
    let key = e["next"][0]["occurrence_start"].as_str().expect("key").to_owned();
    let (s, body) = app
        .put_json(
            &format!("/api/v1/events/{event}/rsvp"),
            &me.token,
            &json!({"occurrence_start": key, "status": "going", "goal": "Draft chapter 3"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    sql(&app, &format!("UPDATE rsvps SET occurrence_start = occurrence_start - 3 * 86400000, goal_done = 1 WHERE user_id = '{}'", me.id)).await;
    sql(&app, &format!("INSERT INTO rsvps (event_id, occurrence_start, user_id, status, goal, goal_done, queued_at, updated_at) VALUES ('{event}', 1, '{}', 'going', 'Old goal', 0, 0, 0)", me.id)).await;
    let (_, stats) = app.get_json("/api/v1/me/stats", Some(&me.token)).await;
    assert_eq!(
        (stats["session_goals_stated"].as_u64(), stats["session_goals_done"].as_u64()),
        (Some(2), Some(1)),
        "{stats}"
    );

    // The board: done and partly done make 75 %.
    let circle = group(&app, &me, "Board Circle", "open").await;
    for (w, outcome) in [(week(2), "done"), (week(1), "partly")] {
        sql(&app, &format!("INSERT INTO board_entries (group_id, user_id, week, focus, outcome, created_at) VALUES ('{circle}', '{}', '{w}', 'x', '{outcome}', 0)", me.id)).await;
    }
    let (_, stats) = app.get_json("/api/v1/me/stats", Some(&me.token)).await;
    assert_eq!(
        (stats["board_completion_percent"].as_u64(), stats["board_weeks_reported"].as_u64()),
        (Some(75), Some(2))
    );

    // The pages draw it.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    for path in ["/goals", "/dashboard", "/profile"] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body.contains("<svg class=\"chart\"") && page.body.contains("1 of 2 session goals done"),
            "{path}: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn the_board_asks_how_last_week_went_before_the_next_focus() {
    let app = TestApp::spawn().await;
    let (org, mem, out) = (app.member("Olga").await, app.member("Mel").await, app.member("Otto").await);
    let circle = group(&app, &org, "Board Circle", "invite").await;
    join_by_link(&app, &org, &circle, &mem).await;
    let board = format!("/api/v1/groups/{circle}/board");
    let (s, _) = app.get_json(&board, Some(&out.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app.put_json(&board, &mem.token, &json!({})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["focus".to_owned()]));
    let (s, b) = app.put_json(&board, &mem.token, &json!({"focus": "Finish the logo set"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["this_week"][0]["focus"], "Finish the logo set");
    let this_week = b["week"].as_str().expect("week").to_owned();
    // The week rolls over: what was this week's is last week's now.
    let last = domain::weeks::WeekKey::parse(&this_week).expect("key").prev().to_string();
    sql(&app, &format!("UPDATE board_entries SET week = '{last}'")).await;
    let (_, b) = app.get_json(&board, Some(&mem.token)).await;
    assert_eq!(b["to_report"]["focus"], "Finish the logo set", "{b}");
    let (s, body) = app.put_json(&board, &mem.token, &json!({"focus": "Next thing"})).await;
    assert_eq!((s, error_fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_owned()]));
    let (s, b) =
        app.put_json(&board, &mem.token, &json!({"outcome": "partly", "focus": "Send the invoices"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["last_week"][0]["outcome"].as_str(), b["this_week"][0]["focus"].as_str()),
        (Some("partly"), Some("Send the invoices"))
    );
    assert_eq!(b["to_report"], Value::Null);
    let (_, h) = app.get_json(&format!("{board}/{}", mem.id), Some(&org.token)).await;
    assert_eq!(h["items"].as_array().map(Vec::len), Some(2));

    let b = app.browser().await;
    b.login(&mem.email, PASSWORD).await;
    let page = b.get(&format!("/groups/{circle}/board")).await;
    assert!(page.body.contains("Send the invoices") && page.body.contains("partly done"), "{}", page.body);
}

#[tokio::test]
async fn nudges_go_once_per_member_and_week_even_with_two_instances() {
    let one = TestApp::spawn().await;
    let (url, mail_dir) = (one.database_url().to_owned(), one.mail_dir.display().to_string());
    // A second instance on the same database (and writing mail to the same folder).
    let two = TestApp::spawn_with(|c| {
        c.database_url = Secret::new(url);
        c.mail_dir = mail_dir;
    })
    .await;
    let (me, partner) = (one.member("Mia").await, one.member("Pat").await);
    partners(&one, &me, &partner).await;
    let g = goal(&one, &me, json!({"title": "Post weekly"})).await;
    let lazy = one.member("Lou").await;
    goal(&one, &lazy, json!({"title": "Paused goal"})).await;
    one.put_json("/api/v1/me/accountability", &lazy.token, &json!({"pause_weeks": 1})).await;

    // Late in my week, without a check-in: one reminder, however many runs on both instances.
    let zone = chrono_tz::UTC;
    let end = domain::weeks::WeekKey::of(Utc::now(), zone).end(zone);
    let late = end - TimeDelta::hours(2);
    let runs = (0..4).map(|i| {
        let state = if i % 2 == 0 { one.state.clone() } else { two.state.clone() };
        async move { app::goals::nudges::send_due(&state, late).await.expect("a run") }
    });
    let sent: Vec<_> = futures_util::future::join_all(runs).await;
    assert_eq!(sent.iter().map(|s| s.reminders).sum::<usize>(), 1, "{sent:?}");
    let (_, notes) = one.get_json("/api/v1/me/notifications", Some(&me.token)).await;
    assert_eq!(notes.to_string().matches("Your week ends soon").count(), 1, "{notes}");
    let (_, notes) = one.get_json("/api/v1/me/notifications", Some(&lazy.token)).await;
    assert!(!notes.to_string().contains("Your week ends soon"), "a paused member is left alone");
    let early = end - TimeDelta::hours(60);
    assert_eq!(
        app::goals::nudges::send_due(&one.state, early).await.expect("run").reminders,
        0,
        "not before the last day"
    );

    // Three weeks since the goal was set, no check-in: the partner is told once.
    let id = g["id"].as_str().expect("id");
    let three_weeks = Utc::now().timestamp_millis() - 21 * 86_400_000;
    sqlx::query(&format!("UPDATE goals SET created_at = {three_weeks} WHERE id = '{id}'"))
        .execute(one.state.db.write())
        .await
        .expect("backdate");
    let now = Utc::now();
    let runs = (0..4).map(|i| {
        let state = if i % 2 == 0 { one.state.clone() } else { two.state.clone() };
        async move { app::goals::nudges::send_due(&state, now).await.expect("a run") }
    });
    let sent: Vec<_> = futures_util::future::join_all(runs).await;
    assert_eq!(sent.iter().map(|s| s.partner_notes).sum::<usize>(), 1, "{sent:?}");
    let (_, notes) = one.get_json("/api/v1/me/notifications", Some(&partner.token)).await;
    assert_eq!(notes.to_string().matches("Mia hasn't checked in for 3 weeks").count(), 1, "{notes}");
    // The partnership's two mails, the reminder, and the note to the partner.
    one.mail_with(&["hasn't checked in on their goals for 3 weeks"]).await;
    // A check-in ends the lapse; nothing more is sent.
    one.post_json(&format!("/api/v1/goals/{id}/checkins"), Some(&me.token), &json!({"progress": 5})).await;
    assert_eq!(app::goals::nudges::send_due(&two.state, now).await.expect("run").partner_notes, 0);
    two.stop().await;
}
