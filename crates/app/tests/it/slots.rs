//! Slot bookings and the pairing job: maximum-weight pairs at lock time, favourites, blocks and
//! quiet/chatty respected, late bookers, exactly one lock with two runners, reliability limits.

use std::collections::HashSet;

use app::partners::slots::pair_due;
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use store::bookings::Slot;
use store::events::{Answer, EventFields};

use crate::support::{error_fields, Member, TestApp, PASSWORD};

/// A quarter hour at least `minutes` ahead.
fn slot_in(minutes: i64) -> DateTime<Utc> {
    let t = Utc::now() + TimeDelta::minutes(minutes);
    let t = t.with_second(0).and_then(|t| t.with_nanosecond(0)).expect("valid");
    t + TimeDelta::minutes(i64::from((15 - t.minute() % 15) % 15))
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn online(app: &TestApp, name: &str, company: &str) -> Member {
    app.member_with(name, json!({"timezone": "Europe/Lisbon", "virtual": true, "company": company})).await
}

async fn book(app: &TestApp, m: &Member, at: DateTime<Utc>, goal: &str) -> Value {
    let body = json!({"starts_at": rfc(at), "duration_minutes": 50, "goal": goal});
    let (s, b) = app.post_json("/api/v1/bookings", Some(&m.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn partner_of(app: &TestApp, m: &Member) -> Option<String> {
    let (_, list) = app.get_json("/api/v1/bookings", Some(&m.token)).await;
    list["items"][0]["partner"]["display_name"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn the_lock_pairs_favourites_first_with_an_event_for_each_pair() {
    let app = TestApp::spawn().await;
    let ana = online(&app, "Ana", "either").await;
    let ben = online(&app, "Ben", "either").await;
    let cat = online(&app, "Cat", "either").await;
    let dan = online(&app, "Dan", "either").await;
    let (s, _) = app.put_json(&format!("/api/v1/favourites/{}", dan.id), &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let at = slot_in(30);
    for (m, goal) in
        [(&ana, "Draft the proposal"), (&ben, "Invoices"), (&cat, "Portfolio"), (&dan, "Edit chapter 3")]
    {
        let b = book(&app, m, at, goal).await;
        assert_eq!(b["status"], "open");
    }
    // Before the lock time nothing happens; at it, two pairs.
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(6)).await.expect("pass"), 0);
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(5)).await.expect("pass"), 2);
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(4)).await.expect("pass"), 0, "once only");
    assert_eq!(partner_of(&app, &ana).await.as_deref(), Some("Dan"));
    assert_eq!(partner_of(&app, &dan).await.as_deref(), Some("Ana"));
    assert_eq!(partner_of(&app, &ben).await.as_deref(), Some("Cat"));

    // Ana's session: virtual, both going with their goals.
    let (_, list) = app.get_json("/api/v1/bookings", Some(&ana.token)).await;
    let event_id = list["items"][0]["event_id"].as_str().expect("event").to_owned();
    let key = at.timestamp_millis();
    let rsvps = app.state.db.rsvps(&event_id, key).await.expect("rsvps");
    let mut goals: Vec<(String, String)> = rsvps.iter().map(|r| (r.status.clone(), r.goal.clone())).collect();
    goals.sort();
    assert_eq!(
        goals,
        [
            ("going".to_owned(), "Draft the proposal".to_owned()),
            ("going".to_owned(), "Edit chapter 3".to_owned())
        ]
    );
    let (s, e) = app.get_json(&format!("/api/v1/events/{event_id}"), Some(&dan.token)).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["virtual"], true);
    assert_eq!(e["duration_minutes"], 50);
    // Unlisted: reachable only by its link, which only the two are sent.
    assert_eq!(e["visibility"], "invite");
    let mails = app.mails(4).await;
    assert_eq!(mails.iter().filter(|m| m.contains("Matched with")).count(), 4);
    // A matched booking is changed on the event, not cancelled here.
    let booking = list["items"][0]["id"].as_str().expect("id");
    let (s, err) = app.delete_json(&format!("/api/v1/bookings/{booking}"), &ana.token, &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
}

#[tokio::test]
async fn blocked_and_clashing_members_are_not_paired_and_late_bookers_are() {
    let app = TestApp::spawn().await;
    let ana = online(&app, "Ana", "quiet").await;
    let ben = online(&app, "Ben", "chatty").await;
    let cat = online(&app, "Cat", "either").await;
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", cat.id), Some(&ana.token), &json!({})).await;
    assert!(s.is_success());
    let at = slot_in(30);
    book(&app, &ana, at, "Quiet work").await;
    book(&app, &ben, at, "Chatty work").await;
    book(&app, &cat, at, "Any work").await;
    // Ana-Ben clash (quiet/chatty), Ana-Cat blocked: only Ben and Cat can pair.
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(5)).await.expect("pass"), 1);
    assert_eq!(partner_of(&app, &ben).await.as_deref(), Some("Cat"));
    assert_eq!(partner_of(&app, &ana).await, None);
    let told = app.mails(3).await;
    assert!(told.iter().any(|m| m.contains("No partner yet")), "{told:?}");
    // A late booker is paired with Ana on the next pass.
    let dan = online(&app, "Dan", "quiet").await;
    book(&app, &dan, at, "Late but here").await;
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(3)).await.expect("pass"), 1);
    assert_eq!(partner_of(&app, &ana).await.as_deref(), Some("Dan"));
}

#[tokio::test]
async fn two_runners_lock_each_slot_exactly_once() {
    // Locking half an hour ahead, so that one pass finds both slots due.
    let app = TestApp::spawn_with(|c| c.slot_lock_minutes = 30).await;
    // A second instance on the same database, as another `alongside serve` would be.
    let other = app::Application::build(app.state.config.clone()).await.expect("second instance");
    let other = other.state().clone();
    let mut members = Vec::new();
    for i in 0..8 {
        members.push(online(&app, &format!("Member {i}"), "either").await);
    }
    let slots = [slot_in(45), slot_in(60)];
    for at in slots {
        for m in &members {
            book(&app, m, at, "Focus").await;
        }
    }
    let when = slots[0] - TimeDelta::minutes(5);
    let (a, b) = tokio::join!(pair_due(&app.state, when), pair_due(&other, when));
    assert_eq!(a.expect("runner a") + b.expect("runner b"), 8, "four pairs in each of two slots");
    for at in slots {
        let slot = Slot { starts_at: at.timestamp_millis(), duration_minutes: 50 };
        assert_eq!(app.state.db.slot_lock(slot).await.expect("lock"), Some((4, 0)));
    }
    // Every member has exactly one partner per slot, and each event has exactly two people.
    let mut events = HashSet::new();
    for m in &members {
        let (_, list) = app.get_json("/api/v1/bookings", Some(&m.token)).await;
        let items = list["items"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        for b in items {
            assert_eq!(b["status"], "matched", "{b}");
            events.insert(b["event_id"].as_str().expect("event").to_owned());
        }
    }
    assert_eq!(events.len(), 8);
    let notifications = app.state.db.notifications(&members[0].id, 50).await.expect("notifications");
    assert_eq!(notifications.iter().filter(|n| n.kind == "match_found").count(), 2);
}

#[tokio::test]
async fn bookings_are_checked_and_unreliable_members_hold_one() {
    let app = TestApp::spawn().await;
    let ana = online(&app, "Ana", "either").await;
    let at = slot_in(60);
    let bad = [
        (
            json!({"starts_at": rfc(at + TimeDelta::minutes(7)), "duration_minutes": 50, "goal": "x"}),
            "starts_at",
        ),
        (
            json!({"starts_at": rfc(at - TimeDelta::days(2)), "duration_minutes": 50, "goal": "x"}),
            "starts_at",
        ),
        (
            json!({"starts_at": rfc(at + TimeDelta::days(60)), "duration_minutes": 50, "goal": "x"}),
            "starts_at",
        ),
        (json!({"starts_at": "tomorrow", "duration_minutes": 50, "goal": "x"}), "starts_at"),
        (json!({"starts_at": rfc(at), "duration_minutes": 40, "goal": "x"}), "duration_minutes"),
        (json!({"starts_at": rfc(at), "duration_minutes": 25, "goal": "  "}), "goal"),
    ];
    for (body, field) in bad {
        let (s, err) = app.post_json("/api/v1/bookings", Some(&ana.token), &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {err}");
        assert_eq!(error_fields(&err), [field], "{body}");
    }
    book(&app, &ana, at, "One").await;
    let again = json!({"starts_at": rfc(at), "duration_minutes": 25, "goal": "Two"});
    assert_eq!(app.post_json("/api/v1/bookings", Some(&ana.token), &again).await.0, StatusCode::CONFLICT);

    // Bea missed three of her last four sessions: one open booking at a time.
    let bea = online(&app, "Bea", "either").await;
    let host = online(&app, "Host", "either").await;
    for i in 0..4 {
        let start = Utc::now() - TimeDelta::days(10 - i);
        let fields = EventFields {
            kind: "cowork".into(),
            title: format!("Past {i}"),
            description: String::new(),
            is_virtual: true,
            place_name: String::new(),
            city_id: None,
            city_label: String::new(),
            video_url: String::new(),
            start_local: start.naive_utc().format("%Y-%m-%dT%H:%M").to_string(),
            time_zone: "UTC".into(),
            duration_minutes: 60,
            rrule: String::new(),
            exdates: String::new(),
            first_start_at: start.timestamp_millis(),
            last_end_at: Some(start.timestamp_millis() + 3_600_000),
            capacity: None,
            visibility: "public".into(),
            group_id: None,
            venue_id: None,
            venue_rotation: String::new(),
        };
        let db = &app.state.db;
        let id = db.create_event(&host.id, &fields, 0).await.expect("event");
        let key = fields.first_start_at;
        db.answer(&id, key, &bea.id, Answer::Going, None, None, false, 0).await.expect("answer");
        if i > 0 {
            db.mark_attendance(&id, key, &bea.id, false, 0).await.expect("mark");
        }
    }
    book(&app, &bea, at, "First").await;
    let second =
        json!({"starts_at": rfc(at + TimeDelta::minutes(15)), "duration_minutes": 25, "goal": "Second"});
    let (s, err) = app.post_json("/api/v1/bookings", Some(&bea.token), &second).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert!(err.to_string().contains("kept 1 of the last 4 sessions"), "{err}");
    // Her badge shows in suggestions.
    let (_, body) = app.get_json("/api/v1/partners/suggestions?mode=virtual", Some(&ana.token)).await;
    let bea_item =
        body["items"].as_array().expect("items").iter().find(|i| i["member"]["display_name"] == "Bea");
    assert_eq!(bea_item.expect("Bea suggested")["member"]["badge"], "unreliable");
    // Her own page says it in words, with her record.
    let web = app.browser().await;
    web.login(&bea.email, crate::support::PASSWORD).await;
    let page = web.get("/bookings").await.body;
    assert!(page.contains(">Often misses sessions</span> You kept 1 of the last 4 sessions."), "{page}");
    // Who takes bookings from no one cannot book.
    app.put_json("/api/v1/me/bookable-by", &ana.token, &json!({"value": "nobody"})).await;
    let later =
        json!({"starts_at": rfc(at + TimeDelta::minutes(30)), "duration_minutes": 25, "goal": "More"});
    let (s, err) = app.post_json("/api/v1/bookings", Some(&ana.token), &later).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&err), ["bookable_by"]);
}

#[tokio::test]
async fn the_booking_page_keeps_input_and_shows_the_match() {
    let app = TestApp::spawn().await;
    let ana = online(&app, "Ana", "either").await;
    let ben = online(&app, "Ben", "either").await;
    let web = app.browser().await;
    web.login(&ana.email, PASSWORD).await;
    let page = web.get("/bookings").await;
    assert_eq!(page.status, StatusCode::OK);
    let at = slot_in(30);
    let local = at.with_timezone(&chrono_tz::Europe::Lisbon);
    let (date, time) = (local.format("%Y-%m-%d").to_string(), local.format("%H:%M").to_string());
    let page = web
        .post(
            "/bookings",
            &[("date", &date), ("time", "10:07"), ("duration_minutes", "50"), ("goal", "Keep me")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("quarter hour") && page.body.contains("value=\"Keep me\""), "{}", page.body);
    let page = web
        .post("/bookings", &[("date", &date), ("time", &time), ("duration_minutes", "50"), ("goal", "Write")])
        .await;
    assert_eq!(page.location.as_deref(), Some("/bookings"), "{}", page.body);
    book(&app, &ben, at, "Read").await;
    pair_due(&app.state, at - TimeDelta::minutes(5)).await.expect("pass");
    let page = web.get("/bookings").await;
    assert!(page.body.contains("Matched with <strong>Ben</strong>"), "{}", page.body);
    assert!(page.body.contains("Open the session"));
}

/// The two members of a focus pair are equals: neither has host controls over the other or the
/// session; either may cancel their place, which tells the other and pairs them again with
/// anyone open for the slot; a cancellation close to the start counts as late.
#[tokio::test]
async fn a_focus_pair_is_two_equals_and_either_may_leave() {
    let app = TestApp::spawn_with(|c| c.late_cancel_minutes = 120).await;
    let (ana, ben, cat) = (
        online(&app, "Ana", "either").await,
        online(&app, "Ben", "either").await,
        online(&app, "Cat", "either").await,
    );
    let at = slot_in(30);
    book(&app, &ana, at, "Draft the proposal").await;
    book(&app, &ben, at, "Invoices").await;
    assert_eq!(pair_due(&app.state, at - TimeDelta::minutes(5)).await.expect("pass"), 1);
    let (_, list) = app.get_json("/api/v1/bookings", Some(&ana.token)).await;
    let event = list["items"][0]["event_id"].as_str().expect("event").to_owned();
    let path = format!("/events/{event}?at={}", at.timestamp_millis());

    // Whoever booked first, neither page offers host controls; both offer to cancel one's place.
    for m in [&ana, &ben] {
        let b = app.browser().await;
        b.login(&m.email, PASSWORD).await;
        let page = b.get(&path).await.body;
        for control in ["No-show", "Remove ", "Delete this event", "Edit the event", "Cancel this date only"]
        {
            assert!(!page.contains(control), "{} sees {control:?}", m.email);
        }
        assert!(page.contains("Cancel my place") && !page.contains("Hosted by"), "{page}");
        let (s, _) = app.delete_json(&format!("/api/v1/events/{event}"), &m.token, &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "nobody deletes a pair's session");
        let body = json!({"occurrence_start": rfc(at), "member_id": if m.id == ana.id { &ben.id } else { &ana.id }, "mark": "removed"});
        let (s, _) = app.put_json(&format!("/api/v1/events/{event}/attendance"), &m.token, &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "nobody removes the other");
    }

    // Cat books the slot after the lock and waits; Ben cancels his place (late: within two
    // hours): Ana is told and paired with Cat at once.
    book(&app, &cat, at, "Portfolio").await;
    let (s, body) =
        app.post_json(&format!("/api/v1/events/{event}/leave"), Some(&ben.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(partner_of(&app, &ana).await.as_deref(), Some("Cat"));
    assert_eq!(partner_of(&app, &cat).await.as_deref(), Some("Ana"));
    let (_, bens) = app.get_json("/api/v1/bookings", Some(&ben.token)).await;
    assert_eq!(bens["items"].as_array().map(Vec::len), Some(0), "Ben's booking is cancelled: {bens}");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&ana.token)).await;
    assert!(notes.to_string().contains("Ben can't make your focus session"), "{notes}");
    let marks = app.state.db.reliability_marks(&ben.id).await.expect("db");
    assert_eq!(marks, [("late_cancel".to_owned(), event.clone(), at.timestamp_millis())]);
    // The old session is off; leaving twice finds nothing.
    let (_, e) = app.get_json(&format!("/api/v1/events/{event}"), Some(&ana.token)).await;
    assert_eq!(e["next"][0]["status"], "cancelled", "{e}");
    let (s, _) = app.post_json(&format!("/api/v1/events/{event}/leave"), Some(&ben.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Cancelling on the page works the same: Cat is told and waits for a partner again.
    let (_, list) = app.get_json("/api/v1/bookings", Some(&ana.token)).await;
    let second = list["items"][0]["event_id"].as_str().expect("event").to_owned();
    // In the room, both run the timer.
    for m in [&ana, &cat] {
        let path = crate::rooms::ws_path(&second, at.timestamp_millis());
        let mut c = crate::rooms::Client::connect(&app.base, &path, Some(&m.token)).await.expect("in");
        let welcome = c.next().await;
        assert_eq!(welcome["is_host"], true, "{welcome}");
        c.close().await;
    }
    let b = app.browser().await;
    b.login(&ana.email, PASSWORD).await;
    let left = b.post(&format!("/events/{second}/leave"), &[]).await;
    assert_eq!(left.location.as_deref(), Some("/bookings"));
    assert!(b.get("/bookings").await.body.contains("Your place is cancelled"));
    let (_, cats) = app.get_json("/api/v1/bookings", Some(&cat.token)).await;
    assert_eq!(cats["items"][0]["status"], "open", "{cats}");
}

#[tokio::test]
async fn the_board_counts_who_booked_each_slot_and_names_only_favourites() {
    let app = TestApp::spawn().await;
    let (ana, bo, cy) = (app.member("Ana").await, app.member("Bo").await, app.member("Cy").await);
    let at = (Utc::now() + TimeDelta::days(1)).with_minute(0).and_then(|t| t.with_second(0)).expect("a time");
    let at = at.with_nanosecond(0).expect("a time");
    book(&app, &ana, at, "Invoices").await;
    book(&app, &bo, at, "Portfolio").await;
    let (s, body) = app.put_json(&format!("/api/v1/favourites/{}", bo.id), &cy.token, &json!({})).await;
    assert!(s.is_success(), "{body}");
    let b = app.browser().await;
    b.login(&cy.email, PASSWORD).await;
    let page = b.get("/bookings").await;
    let time = at.format("%H:%M").to_string();
    let slot = page
        .body
        .split("<li><a href=")
        .find(|chunk| {
            chunk.contains(&format!("<span class=\"time\">{time}</span>")) && chunk.contains("booked")
        })
        .unwrap_or_else(|| panic!("a slot at {time}: {}", page.body));
    assert!(slot.contains("2 booked") && slot.contains("Bo"), "{slot}");
    assert!(!slot.contains("Ana"), "only favourites are named: {slot}");
    assert!(slot.contains(&format!("time={time}&amp;minutes=50#book")), "{slot}");
    // Picking it fills the form in.
    let date = at.format("%Y-%m-%d").to_string();
    let form = b.get(&format!("/bookings?date={date}&time={time}&minutes=50")).await;
    assert!(
        form.body.contains(&format!("value=\"{date}\"")) && form.body.contains(&format!("value=\"{time}\"")),
        "{}",
        form.body
    );
}
