//! Digests and the weekly summary, contacts falling overdue, and reminders, goal nudges and
//! focus-session matches going as each member chose for their category.

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc, Weekday};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{Member, TestApp};

/// The app with its digest job asleep: the tests run it at the moments they choose.
pub(crate) async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.digest_poll_ms = 3_600_000).await
}

pub(crate) async fn choose(app: &TestApp, who: &Member, deliveries: Value) {
    let (s, body) = app
        .put_json("/api/v1/me/notification-preferences", &who.token, &json!({ "deliveries": deliveries }))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

pub(crate) async fn ask(app: &TestApp, from: &Member, to: &Member) {
    let body = json!({"member_id": to.id, "kind": "coworking"});
    let (s, body) = app.post_json("/api/v1/partnerships", Some(&from.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

/// Outbox rows to `who` whose subject starts so: (subject, unsubscribe address). (Bodies are
/// in the mail that went: `TestApp::mail_with`.)
pub(crate) async fn queued(app: &TestApp, who: &Member, subject: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, unsubscribe_url FROM outbox WHERE to_addr = $1 AND subject LIKE $2 ORDER BY created_at",
    )
    .bind(&who.email)
    .bind(format!("{subject}%"))
    .fetch_all(app.state.db.read())
    .await
    .expect("db")
}

pub(crate) async fn titles(app: &TestApp, who: &Member) -> Vec<String> {
    let (_, body) = app.get_json("/api/v1/me/notifications", Some(&who.token)).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The next `hour`:30 UTC on a day that `pick` accepts.
pub(crate) fn next_at(hour: u32, pick: impl Fn(Weekday) -> bool) -> DateTime<Utc> {
    let mut t = Utc::now().with_minute(30).and_then(|t| t.with_second(0)).expect("time");
    t = t.with_hour(hour).expect("hour");
    while t <= Utc::now() || !pick(t.weekday()) {
        t += TimeDelta::days(1);
    }
    t
}

pub(crate) async fn digests(app: &TestApp, at: DateTime<Utc>) -> usize {
    app::notifications::digest::send_due(&app.state, at).await.expect("a digest run")
}

#[tokio::test]
async fn a_daily_digest_gathers_what_is_unread_once_and_one_click_stops_it() {
    let app = app().await;
    let ana = app.member_with("Ana", json!({"timezone": "Asia/Tokyo"})).await;
    choose(&app, &ana, json!({"partners": "daily", "summary": "off"})).await;
    let (bo, cy, di) = (app.member("Bo").await, app.member("Cy").await, app.member("Di").await);
    ask(&app, &bo, &ana).await;
    ask(&app, &cy, &ana).await;
    ask(&app, &di, &ana).await;
    assert_eq!(titles(&app, &ana).await.len(), 3, "the app has them at once");
    assert!(queued(&app, &ana, "").await.is_empty(), "no mail at once");
    // Ana read Bo's in the app: the digest leaves it out.
    let (_, list) = app.get_json("/api/v1/me/notifications", Some(&ana.token)).await;
    let bos = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|n| n["title"].as_str().unwrap_or("").contains("Bo"));
    let id = bos.and_then(|n| n["id"].as_str()).expect("Bo's").to_owned();
    app.post_json("/api/v1/me/notifications/read", Some(&ana.token), &json!({"ids": [id]})).await;

    // 06:59 in Tokyo is too early; from 07:00 it goes, once however many runs there are.
    let seven = next_at(22, |_| true); // 22:30 UTC is 07:30 in Tokyo
                                       // (Other members may get a Monday email on a Monday: only Ana's mail is counted.)
    digests(&app, seven - TimeDelta::minutes(31)).await;
    assert!(queued(&app, &ana, "Your day").await.is_empty());
    futures_util::future::join_all((0..4).map(|_| digests(&app, seven))).await;
    digests(&app, seven + TimeDelta::hours(2)).await;
    let mails = queued(&app, &ana, "Your day").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (_, unsubscribe) = &mails[0];
    let body = app.mail_with(&["Your day on Alongside", &format!("To: {}", ana.email)]).await;
    assert!(body.contains("Cy asks you to be their coworking partner") && body.contains("Di asks"), "{body}");
    assert!(!body.contains("Bo asks"), "read already: {body}");
    assert!(body.contains(&format!("{}/partnerships", app.base)), "{body}");
    assert!(unsubscribe.contains("/unsubscribe/") && body.contains(unsubscribe.as_str()), "{body}");
    assert!(body.contains("List-Unsubscribe-Post") && body.contains("text/html"), "{body}");
    for other in [&bo, &cy, &di] {
        assert!(queued(&app, other, "Your day").await.is_empty(), "nothing chosen, nothing sent");
    }

    // One click stops the daily email; the notifications stay in the app.
    let r = app.client().post(unsubscribe).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    let partners =
        prefs["categories"].as_array().expect("categories").iter().find(|c| c["category"] == "partners");
    assert_eq!(partners.map(|c| c["delivery"].clone()), Some(json!("in_app")));
    ask(&app, &app.member("Ed").await, &ana).await;
    digests(&app, seven + TimeDelta::days(1)).await;
    assert_eq!(queued(&app, &ana, "Your day").await.len(), 1);
}

#[tokio::test]
async fn the_monday_email_sums_up_the_week_ahead_and_the_weeks_news() {
    let app = app().await;
    let ana = app
        .member_with(
            "Ana",
            json!({"timezone": "UTC", "skills_offered": ["bookkeeping"], "help_wanted": ["seo"], "virtual": true,
                   "windows": [{"weekday": 2, "start_min": 540, "end_min": 720}]}),
        )
        .await;
    choose(&app, &ana, json!({"partners": "weekly"})).await;
    let monday = next_at(8, |d| d == Weekday::Mon);

    // Something on in the week ahead.
    let start = monday + TimeDelta::hours(26);
    let event = json!({"kind": "cowork", "title": "Tuesday focus", "description": "Heads down.",
        "starts_at_local": start.format("%Y-%m-%dT%H:%M").to_string(), "time_zone": "UTC",
        "duration_minutes": 60, "virtual": {}});
    let (s, e) = app.post_json("/api/v1/events", Some(&ana.token), &event).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    // An ask for what Ana offers, and one she can't help with.
    let bo = app.member("Bo").await;
    for skill in ["bookkeeping", "welding"] {
        let (s, b) = app
            .post_json(
                "/api/v1/help",
                Some(&bo.token),
                &json!({"kind": "request", "skill": skill, "note": "Year-end"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    // A contact overdue for a word.
    let (s, c) = app
        .post_json("/api/v1/contacts", Some(&ana.token), &json!({"name": "Old Client", "cadence_days": "30"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let long_ago = Utc::now().timestamp_millis() - 45 * 86_400_000;
    sqlx::query("UPDATE contacts SET last_contact_at = $1, created_at = $1")
        .bind(long_ago)
        .execute(app.state.db.write())
        .await
        .expect("backdate");
    // Last week's focus on a group board, not reported yet.
    let (s, g) = app
        .post_json(
            "/api/v1/groups",
            Some(&ana.token),
            &json!({"name": "Focus Circle", "description": "Weekly focus.",
            "city": "Lisbon", "time_zone": "UTC", "visibility": "open"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let last_week = domain::weeks::WeekKey::of(Utc::now(), chrono_tz::UTC).prev().to_string();
    sqlx::query("INSERT INTO board_entries (group_id, user_id, week, focus, created_at) VALUES ($1, $2, $3, 'Ship the portfolio', 0)")
        .bind(g["id"].as_str().expect("id"))
        .bind(&ana.id)
        .bind(&last_week)
        .execute(app.state.db.write())
        .await
        .expect("board entry");
    // A newcomer who would make a good partner, and the week's news in a weekly category.
    let _sam = app
        .member_with(
            "Sam",
            json!({"timezone": "UTC", "trade": "SEO consultant", "skills_offered": ["seo"], "help_wanted": ["bookkeeping"],
                   "virtual": true, "windows": [{"weekday": 2, "start_min": 540, "end_min": 720}]}),
        )
        .await;
    ask(&app, &bo, &ana).await;

    assert_eq!(digests(&app, monday - TimeDelta::days(1)).await, 0, "Sunday: nothing weekly, nothing daily");
    assert!(digests(&app, monday).await >= 1);
    let mails = queued(&app, &ana, "Your week").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let body = &app.mail_with(&["Your week on Alongside", &format!("To: {}", ana.email)]).await;
    for expected in [
        "Your week ahead",
        "Tuesday focus",
        "(you host)",
        "Asks for help you could answer",
        "Bo asks for help with bookkeeping: Year-end",
        "People to get back in touch with",
        "Old Client",
        "Your group boards",
        "Focus Circle: say how last week's focus went (Ship the portfolio)",
        "Focus Circle: post this week's focus",
        "New members you might work well with",
        "Sam (SEO consultant)",
        "Also new for you",
        "Bo asks you to be their coworking partner",
    ] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
    assert!(!body.contains("welding"), "{body}");
    assert_eq!(digests(&app, monday + TimeDelta::hours(3)).await, 0, "once a week");

    // The summary off and nothing weekly: no Monday email.
    let next = monday + TimeDelta::days(7);
    choose(&app, &ana, json!({"summary": "off", "partners": "email"})).await;
    let (s, body) = app
        .put_json(
            "/api/v1/me/notification-preferences",
            &ana.token,
            &json!({"deliveries": {"summary": "email"}}),
        )
        .await;
    assert_eq!(
        (s, crate::support::error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["summary".to_owned()])
    );
    digests(&app, next).await;
    assert_eq!(queued(&app, &ana, "Your week").await.len(), 1);
}

#[tokio::test]
async fn a_contact_falling_overdue_is_told_once_per_lapse() {
    let app = app().await;
    let ana = app.member("Ana").await;
    let (s, c) = app
        .post_json("/api/v1/contacts", Some(&ana.token), &json!({"name": "Rui", "cadence_days": "30"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (_, _quiet) =
        app.post_json("/api/v1/contacts", Some(&ana.token), &json!({"name": "No cadence"})).await;
    let backdate = |days: i64| {
        let at = Utc::now().timestamp_millis() - days * 86_400_000;
        sqlx::query("UPDATE contacts SET last_contact_at = $1, created_at = $1")
            .bind(at)
            .execute(app.state.db.write())
    };
    let run = || app::contacts::nudges::send_due(&app.state);
    assert_eq!(run().await.expect("run"), 0, "in touch just now");
    backdate(40).await.expect("backdate");
    let runs = futures_util::future::join_all((0..3).map(|_| run())).await;
    assert_eq!(runs.into_iter().map(|r| r.expect("run")).sum::<usize>(), 1);
    assert_eq!(run().await.expect("run"), 0);
    let told = |t: &Vec<String>| t.iter().filter(|t| *t == "Time to get back in touch with Rui").count();
    assert_eq!(told(&titles(&app, &ana).await), 1);
    assert!(queued(&app, &ana, "Time to get back").await.is_empty(), "in the app only by default");
    // In touch again, then a new lapse: told again, by email now that Ana wants that.
    backdate(35).await.expect("backdate");
    choose(&app, &ana, json!({"contacts": "email"})).await;
    assert_eq!(run().await.expect("run"), 1);
    assert_eq!(told(&titles(&app, &ana).await), 2);
    assert_eq!(queued(&app, &ana, "Time to get back").await.len(), 1);
    let mail = app.mail_with(&["Time to get back in touch with Rui"]).await;
    assert!(mail.contains("every 30 days") && mail.contains("/contacts/"), "{mail}");
}

#[tokio::test]
async fn reminders_and_goal_nudges_go_as_each_member_chose() {
    let app = TestApp::spawn_with(|c| {
        c.reminder_poll_ms = 3_600_000;
        c.nudge_poll_ms = 3_600_000;
    })
    .await;
    let host = app.member("Host").await;
    let (off, app_only, mail) =
        (app.member("Off").await, app.member("AppOnly").await, app.member("Mail").await);
    choose(&app, &off, json!({"events": "off", "accountability": "off"})).await;
    choose(&app, &app_only, json!({"events": "in_app", "accountability": "in_app"})).await;
    let start =
        (Utc::now() + TimeDelta::hours(3)).with_second(0).and_then(|t| t.with_nanosecond(0)).expect("t");
    let event = json!({"kind": "cowork", "title": "Library morning", "description": "Quiet.",
        "starts_at_local": start.format("%Y-%m-%dT%H:%M").to_string(), "time_zone": "UTC",
        "duration_minutes": 60, "virtual": {}, "capacity": 10});
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &event).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id");
    let first = e["next"][0]["occurrence_start"].as_str().expect("first").to_owned();
    for m in [&off, &app_only, &mail] {
        let resp = app
            .client()
            .put(app.url(&format!("/api/v1/events/{id}/rsvp")))
            .bearer_auth(&m.token)
            .json(&json!({"occurrence_start": first, "status": "going"}))
            .send()
            .await
            .expect("put");
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let sent =
        app::events::reminders::send_due(&app.state, start - TimeDelta::minutes(59)).await.expect("run");
    assert_eq!(sent, 3, "each reminder is settled once, sent or not");
    let reminded = |t: Vec<String>| t.iter().any(|t| t.starts_with("Reminder: Library morning"));
    assert!(!reminded(titles(&app, &off).await) && reminded(titles(&app, &app_only).await));
    assert!(reminded(titles(&app, &mail).await));
    assert_eq!(
        queued(&app, &off, "Reminder").await.len() + queued(&app, &app_only, "Reminder").await.len(),
        0
    );
    let mine = queued(&app, &mail, "Reminder").await;
    assert_eq!(mine.len(), 1);
    assert!(mine[0].1.contains("/unsubscribe/"), "{mine:?}");
    let reminder = app.mail_with(&["Reminder: Library morning", &format!("To: {}", mail.email)]).await;
    assert!(reminder.contains("Stop these emails"), "{reminder}");

    // Goal nudges late in the week: the same three choices.
    for m in [&off, &app_only, &mail] {
        let (s, g) = app.post_json("/api/v1/goals", Some(&m.token), &json!({"title": "Post weekly"})).await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
    }
    let end = domain::weeks::WeekKey::of(Utc::now(), chrono_tz::UTC).end(chrono_tz::UTC);
    let sent = app::goals::nudges::send_due(&app.state, end - TimeDelta::hours(2)).await.expect("run");
    assert_eq!(sent.reminders, 3);
    let nudged = |t: Vec<String>| t.iter().any(|t| t.contains("check in on your goals"));
    assert!(!nudged(titles(&app, &off).await) && nudged(titles(&app, &app_only).await));
    assert_eq!(queued(&app, &app_only, "Your week ends").await.len(), 0);
    assert_eq!(queued(&app, &mail, "Your week ends").await.len(), 1);
}

#[tokio::test]
async fn a_focus_session_match_goes_as_each_member_chose() {
    let app = app().await;
    let online = |name: &'static str| {
        app.member_with(name, json!({"timezone": "Europe/Lisbon", "virtual": true, "company": "either"}))
    };
    let (quiet, keen) = (online("Quiet").await, online("Keen").await);
    choose(&app, &quiet, json!({"partners": "in_app"})).await;
    let t = Utc::now() + TimeDelta::minutes(30);
    let t = t.with_second(0).and_then(|t| t.with_nanosecond(0)).expect("time");
    let at = t + TimeDelta::minutes(i64::from((15 - t.minute() % 15) % 15));
    for m in [&quiet, &keen] {
        let body = json!({"starts_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                          "duration_minutes": 50, "goal": "Invoices"});
        let (s, b) = app.post_json("/api/v1/bookings", Some(&m.token), &body).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    assert_eq!(
        app::partners::slots::pair_due(&app.state, at - TimeDelta::minutes(5)).await.expect("pass"),
        1
    );
    for m in [&quiet, &keen] {
        assert!(titles(&app, m).await.iter().any(|t| t.starts_with("Matched with")), "both hear in the app");
    }
    assert!(
        queued(&app, &quiet, "Matched with").await.is_empty(),
        "Quiet wants partner news in the app only"
    );
    let mail = queued(&app, &keen, "Matched with").await;
    assert!(mail.len() == 1 && mail[0].1.contains("/unsubscribe/"), "{mail:?}");
}

#[tokio::test]
async fn the_monday_email_waits_out_quiet_hours_lists_newcomers_nearby_and_one_click_stops_it() {
    let app = app().await;
    let profile = |city: &str, offers: &str, wants: &str| {
        json!({"city": city, "timezone": "Europe/Lisbon", "in_person": true, "virtual": false,
               "skills_offered": [offers], "help_wanted": [wants],
               "windows": [{"weekday": 2, "start_min": 540, "end_min": 720}]})
    };
    let ana = app.member_with("Ana", profile("Lisbon, Portugal", "bookkeeping", "seo")).await;
    choose(&app, &ana, json!({"partners": "weekly"})).await;
    let (s, body) = app
        .put_json(
            "/api/v1/me/notification-preferences",
            &ana.token,
            &json!({"quiet_hours": {"start": "07:00", "end": "10:00"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Two newcomers who would suit her: one a short ride away, one 270 km off.
    app.member_with("Sam", profile("Sintra, Portugal", "seo", "bookkeeping")).await;
    app.member_with("Pia", profile("Porto, Portugal", "seo", "bookkeeping")).await;
    ask(&app, &app.member("Bo").await, &ana).await;

    // 08:30 UTC (08:30 or 09:30 in Lisbon) is inside her quiet hours: the mail is written then,
    // and goes at 10:00 on her clock.
    let monday = next_at(8, |d| d == Weekday::Mon);
    assert!(digests(&app, monday).await >= 1);
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT unsubscribe_url, next_attempt_at FROM outbox WHERE to_addr = $1 AND subject LIKE 'Your week%'")
            .bind(&ana.email)
            .fetch_all(app.state.db.read())
            .await
            .expect("db");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let lisbon: chrono_tz::Tz = "Europe/Lisbon".parse().expect("zone");
    let due = DateTime::from_timestamp_millis(rows[0].1).expect("instant").with_timezone(&lisbon);
    assert_eq!(
        (due.date_naive(), due.format("%H:%M").to_string()),
        (monday.with_timezone(&lisbon).date_naive(), "10:00".to_owned())
    );
    // Make it due now and let it go, to read it.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE to_addr = $1")
        .bind(&ana.email)
        .execute(app.state.db.write())
        .await
        .expect("db");
    app.state.mail_wakeup.notify_one();
    let body = app.mail_with(&["Your week on Alongside", &format!("To: {}", ana.email)]).await;
    assert!(body.contains("New members you might work well with") && body.contains("Sam"), "{body}");
    assert!(!body.contains("Pia"), "too far for an in-person member: {body}");

    // One click on the Monday email stops it: the summary is off and weekly news stays in the app.
    let r = app.client().post(&rows[0].0).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, prefs) = app.get_json("/api/v1/me/notification-preferences", Some(&ana.token)).await;
    let of = |c: &str| {
        prefs["categories"].as_array().expect("categories").iter().find(|x| x["category"] == c).cloned()
    };
    assert_eq!(of("summary").map(|c| c["delivery"].clone()), Some(json!("off")), "{prefs}");
    assert_eq!(of("partners").map(|c| c["delivery"].clone()), Some(json!("in_app")), "{prefs}");
    digests(&app, monday + TimeDelta::days(7)).await;
    let weeks: Vec<(String, String)> = queued(&app, &ana, "Your week").await;
    assert_eq!(weeks.len(), 1, "no Monday email after unsubscribing: {weeks:?}");
}
