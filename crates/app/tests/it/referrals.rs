//! Referrals and give-and-take through the API and pages: slips that move forward only and
//! credit their giver, prospects' details for the two members alone, reports per member and
//! group with each currency kept apart, one-to-ones logged or from a session of two, help hours
//! both sides confirm, and the insight that suggests a series and lifts partner suggestions.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::groups::{group, join_by_link};
use crate::support::{fields_sorted, Member, TestApp, PASSWORD};

async fn slip(app: &TestApp, giver: &Member, receiver: &Member, extra: Value) -> String {
    let mut body = json!({"receiver_id": receiver.id, "prospect": "Dia Costa", "contact": "dia@example.com Zq7",
                          "need": "A new website", "temperature": "hot"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (s, r) = app.post_json("/api/v1/referrals", Some(&giver.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    r["id"].as_str().expect("id").to_owned()
}

async fn status(app: &TestApp, who: &Member, id: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(&format!("/api/v1/referrals/{id}/status"), Some(&who.token), &body).await
}

async fn win(app: &TestApp, receiver: &Member, id: &str, value: &str, currency: &str) {
    let (s, body) =
        status(app, receiver, id, json!({"status": "won", "value": value, "currency": currency})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

async fn report(app: &TestApp, who: &Member, query: &str) -> Value {
    let (s, body) = app.get_json(&format!("/api/v1/referrals/report{query}"), Some(&who.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

fn figures<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["member"]["display_name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {r}"))
}

#[tokio::test]
async fn a_slip_moves_forward_only_is_seen_by_its_two_members_and_credits_its_giver() {
    let app = TestApp::spawn().await;
    let gia = app.member("Gia").await;
    let rob = app.member("Rob").await;
    let oli = app.member("Oli").await;
    let (s, body) = app.post_json("/api/v1/referrals", Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_sorted(&body), ["need", "prospect", "receiver_id", "temperature"]);
    let (s, body) = app
        .post_json(
            "/api/v1/referrals",
            Some(&gia.token),
            &json!({"receiver_id": gia.id, "prospect": "Me", "need": "x", "temperature": "lukewarm"}),
        )
        .await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["receiver_id".to_owned(), "temperature".to_owned()])
    );

    let id = slip(&app, &gia, &rob, json!({})).await;
    let (s, got) = app.get_json(&format!("/api/v1/referrals/{id}"), Some(&rob.token)).await;
    assert_eq!(
        (s, got["contact"].clone(), got["status"].clone()),
        (StatusCode::OK, json!("dia@example.com Zq7"), json!("received"))
    );
    app.mail_with(&["Gia referred Dia Costa to you"]).await;

    // Nobody else sees the slip or its prospect's details, or moves it.
    let (s, body) = app.get_json(&format!("/api/v1/referrals/{id}"), Some(&oli.token)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!body.to_string().contains("Zq7"));
    let (s, _) = status(&app, &oli, &id, json!({"status": "contacted"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get_json("/api/v1/referrals", Some(&oli.token)).await;
    assert!(!list.to_string().contains("Zq7"), "{list}");
    let b = app.browser().await;
    b.login(&oli.email, PASSWORD).await;
    assert_eq!(b.get(&format!("/referrals/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(!b.get("/referrals").await.body.contains("Zq7"));
    // The giver sees it but only the receiver moves it on.
    let (s, body) = status(&app, &gia, &id, json!({"status": "contacted"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");

    // Forward only, with a clear message.
    let (s, body) = status(&app, &rob, &id, json!({"status": "contacted"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = status(&app, &rob, &id, json!({"status": "received"})).await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_owned()]));
    assert!(
        body.to_string()
            .contains("A referral moves forward: from contacted it can go on to meeting, won, lost."),
        "{body}"
    );
    let (s, body) =
        status(&app, &rob, &id, json!({"status": "won", "value": "lots", "currency": "euros"})).await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["currency".to_owned(), "value".to_owned()])
    );
    let (_, still) = app.get_json(&format!("/api/v1/referrals/{id}"), Some(&rob.token)).await;
    assert_eq!(still["status"], "contacted", "a refused move changes nothing");
    win(&app, &rob, &id, "1250.50", "eur").await;
    let (s, body) = status(&app, &rob, &id, json!({"status": "lost"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("This referral is won already"), "{body}");
    let (_, won) = app.get_json(&format!("/api/v1/referrals/{id}"), Some(&gia.token)).await;
    assert_eq!((won["value"].clone(), won["currency"].clone()), (json!("1250.50"), json!("EUR")));

    // "Thank you for closed business", from the receiver, once.
    let (s, _) = app.post_json(&format!("/api/v1/referrals/{id}/thanks"), Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) =
        app.post_json(&format!("/api/v1/referrals/{id}/thanks"), Some(&rob.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["thanked_at"].is_i64());
    let (s, _) = app.post_json(&format!("/api/v1/referrals/{id}/thanks"), Some(&rob.token), &json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&gia.token)).await;
    assert!(notes.to_string().contains("Rob thanked you for closed business"), "{notes}");

    // The history, on the page the receiver sees.
    let b = app.browser().await;
    b.login(&rob.email, PASSWORD).await;
    let page = b.get(&format!("/referrals/{id}")).await;
    assert!(page.body.contains("dia@example.com Zq7") && page.body.contains("1250.50"), "{}", page.body);
    let refused = b.post(&format!("/referrals/{id}/status"), &[("status", "meeting")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("can't change any more"), "{}", refused.body);
}

#[tokio::test]
async fn reports_per_member_and_group_keep_each_currency_apart() {
    let app = TestApp::spawn().await;
    let gia = app.member("Gia").await;
    let rob = app.member("Rob").await;
    let oli = app.member("Oli").await;
    let g = group(&app, &gia, "Lisbon referral circle", "open").await;
    join_by_link(&app, &gia, &g, &rob).await;
    let (s, body) = app
        .post_json(
            "/api/v1/referrals",
            Some(&gia.token),
            &json!({"receiver_id": oli.id, "group_id": g, "prospect": "P", "need": "N", "temperature": "cold"}),
        )
        .await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["group_id".to_owned()]));

    let one = slip(&app, &gia, &rob, json!({"group_id": g})).await;
    let two = slip(&app, &gia, &rob, json!({"group_id": g})).await;
    let three = slip(&app, &rob, &gia, json!({"group_id": g})).await;
    let outside = slip(&app, &gia, &oli, json!({})).await;
    win(&app, &rob, &one, "1250.50", "EUR").await;
    win(&app, &rob, &two, "100", "USD").await;
    win(&app, &gia, &three, "80", "EUR").await;
    win(&app, &oli, &outside, "7.25", "EUR").await;
    let (s, _) =
        app.post_json(&format!("/api/v1/referrals/{one}/thanks"), Some(&rob.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK);

    let mine = report(&app, &gia, "?period=month").await;
    let me = figures(&mine, "Gia");
    assert_eq!(
        (me["given"].clone(), me["received"].clone(), me["thanks"].clone()),
        (json!(3), json!(1), json!(1))
    );
    assert_eq!(me["won_from_mine"], json!({"EUR": "1257.75", "USD": "100.00"}));
    assert_eq!(me["won_by_me"], json!({"EUR": "80.00"}));
    let robs = report(&app, &rob, "?period=year").await;
    assert_eq!(figures(&robs, "Rob")["won_by_me"], json!({"EUR": "1250.50", "USD": "100.00"}));
    assert_eq!(figures(&robs, "Rob")["won_from_mine"], json!({"EUR": "80.00"}));

    // The group's report counts only slips within the group, and only its members read it.
    let theirs = report(&app, &rob, &format!("?period=week&group={g}")).await;
    assert_eq!(theirs["won_total"], json!({"EUR": "1330.50", "USD": "100.00"}));
    assert_eq!(figures(&theirs, "Gia")["given"], 2);
    assert_eq!(figures(&theirs, "Rob")["given"], 1);
    let (s, _) = app.get_json(&format!("/api/v1/referrals/report?group={g}"), Some(&oli.token)).await;
    assert!(s.is_client_error(), "{s}");

    // A period long ago is empty; a bad period or date is named.
    let old = report(&app, &gia, "?period=year&date=2020-06-01").await;
    assert_eq!(
        (old["from"].clone(), old["last"].clone(), old["until"].clone()),
        (json!("2020-01-01"), json!("2020-12-31"), json!("2021-01-01"))
    );
    assert_eq!(figures(&old, "Gia")["given"], 0);
    let (s, body) = app.get_json("/api/v1/referrals/report?period=decade&date=soon", Some(&gia.token)).await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_owned(), "period".to_owned()])
    );

    // CSV, from the API and the page.
    let resp = app
        .client()
        .get(app.url(&format!("/api/v1/referrals/report?group={g}&format=csv")))
        .bearer_auth(&gia.token)
        .send()
        .await
        .expect("get");
    assert!(resp.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let csv = resp.text().await.expect("body");
    assert!(csv.starts_with("member,given,received,won_from_my_referrals,won_by_me,"), "{csv}");
    assert!(csv.contains("Gia,2,1,1250.50 EUR; 100.00 USD,80.00 EUR,1,"), "{csv}");
    let b = app.browser().await;
    b.login(&gia.email, PASSWORD).await;
    let page = b.get(&format!("/referrals/report?group={g}&period=month")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1250.50") && page.body.contains("Lisbon referral circle"), "{}", page.body);
    let csv_page = b.get("/referrals/report.csv?period=month").await;
    assert!(csv_page.body.contains("Gia,3,1,1257.75 EUR; 100.00 USD"), "{}", csv_page.body);
}

/// A one-off session hosted by `host` with `guests` going, moved `days` into the past.
async fn past_session(app: &TestApp, host: &Member, guests: &[&Member], days: i64) {
    let start = (Utc::now() + TimeDelta::days(1)).format("%Y-%m-%dT10:00").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Focus hour", "starts_at_local": start, "time_zone": "UTC", "virtual": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id");
    let key = e["next"][0]["occurrence_start"].as_str().expect("key");
    for g in guests {
        let (s, body) = app
            .put_json(
                &format!("/api/v1/events/{id}/rsvp"),
                &g.token,
                &json!({"occurrence_start": key, "status": "going"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let ms = days * 86_400_000;
    let q = format!("UPDATE rsvps SET occurrence_start = occurrence_start - {ms} WHERE event_id = '{id}'");
    sqlx::query(&q).execute(app.state.db.write()).await.expect("move");
}

#[tokio::test]
async fn one_to_ones_are_logged_or_come_from_a_session_of_two() {
    let app = TestApp::spawn().await;
    let gia = app.member("Gia").await;
    let rob = app.member("Rob").await;
    let oli = app.member("Oli").await;
    past_session(&app, &gia, &[&rob], 3).await; // Gia hosts, Rob goes: a one-to-one
    past_session(&app, &oli, &[&gia, &rob], 2).await; // three people: not one
    let (s, body) = app
        .post_json(
            "/api/v1/one-to-ones",
            Some(&gia.token),
            &json!({"member_id": "nobody", "date": "yesterday"}),
        )
        .await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_owned(), "member_id".to_owned()])
    );
    let yesterday = (Utc::now() - TimeDelta::days(1)).date_naive().to_string();
    let (s, body) = app
        .post_json(
            "/api/v1/one-to-ones",
            Some(&oli.token),
            &json!({"member_id": gia.id, "date": yesterday, "note": "Coffee"}),
        )
        .await;
    assert!(s.is_success(), "{body}");

    let (s, list) = app.get_json("/api/v1/one-to-ones", Some(&gia.token)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let got: Vec<(String, String)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (i["display_name"].as_str().unwrap_or("").to_owned(), i["how"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    assert_eq!(got, [("Oli".to_owned(), "logged".to_owned()), ("Rob".to_owned(), "session".to_owned())]);
    let (_, robs) = app.get_json("/api/v1/one-to-ones", Some(&rob.token)).await;
    assert_eq!(robs["items"].as_array().map(Vec::len), Some(1), "{robs}");
    let r = report(&app, &gia, "?period=year").await;
    assert_eq!(figures(&r, "Gia")["one_to_ones"], 2);
    assert_eq!(figures(&r, "Gia")["attended"], 1, "went to Oli's session; hosting her own isn't an answer");
}

#[tokio::test]
async fn help_is_asked_offered_and_counted_once_both_confirm() {
    let app = TestApp::spawn().await;
    let gia = app.member("Gia").await;
    let rob = app.member("Rob").await;
    let (s, body) =
        app.post_json("/api/v1/help", Some(&gia.token), &json!({"kind": "maybe", "skill": "seo, ads"})).await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_owned(), "skill".to_owned()])
    );
    let (s, ask) = app
        .post_json(
            "/api/v1/help",
            Some(&gia.token),
            &json!({"kind": "request", "skill": "SEO", "note": "My shop"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ask}");
    let (s, _) = app
        .post_json("/api/v1/help", Some(&rob.token), &json!({"kind": "offer", "skill": "bookkeeping"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, seo) = app.get_json("/api/v1/help?skill=seo", Some(&rob.token)).await;
    assert_eq!(seo["items"].as_array().map(Vec::len), Some(1), "{seo}");
    assert_eq!(seo["items"][0]["display_name"], "Gia");
    let ask = ask["id"].as_str().expect("id");
    let (s, _) = app.post_json(&format!("/api/v1/help/{ask}/close"), Some(&rob.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "only its author closes it");
    let (s, _) = app.post_json(&format!("/api/v1/help/{ask}/close"), Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, seo) = app.get_json("/api/v1/help?skill=seo", Some(&rob.token)).await;
    assert_eq!(seo["items"], json!([]));

    // Rob helped Gia for an hour and a half; it counts once she confirms.
    let (s, body) = app
        .post_json(
            "/api/v1/help/given",
            Some(&rob.token),
            &json!({"member_id": gia.id, "direction": "gave", "hours": "1.4"}),
        )
        .await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["hours".to_owned()]));
    let (s, h) = app
        .post_json(
            "/api/v1/help/given",
            Some(&rob.token),
            &json!({"member_id": gia.id, "direction": "gave", "hours": "1.5", "note": "SEO audit"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let (_, mine) = app.get_json("/api/v1/help/given", Some(&rob.token)).await;
    assert_eq!((mine["helped_minutes"].clone(), mine["was_helped_minutes"].clone()), (json!(0), json!(0)));
    let h = h["id"].as_str().expect("id");
    let (s, _) =
        app.post_json(&format!("/api/v1/help/given/{h}/confirm"), Some(&rob.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the one who recorded it has confirmed already");
    let (s, _) =
        app.post_json(&format!("/api/v1/help/given/{h}/confirm"), Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, mine) = app.get_json("/api/v1/help/given", Some(&rob.token)).await;
    assert_eq!((mine["helped_minutes"].clone(), mine["was_helped_minutes"].clone()), (json!(90), json!(0)));
    // Gia helped Rob for four hours, recorded by Rob as received and confirmed by Gia.
    let (_, h2) = app
        .post_json(
            "/api/v1/help/given",
            Some(&rob.token),
            &json!({"member_id": gia.id, "direction": "received", "hours": "4"}),
        )
        .await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/help/given/{}/confirm", h2["id"].as_str().expect("id")),
            Some(&gia.token),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // The balance on profiles, to the member and to others.
    let b = app.browser().await;
    b.login(&gia.email, PASSWORD).await;
    assert!(b.get("/profile").await.body.contains("Helped 4 h, was helped 1.5 h"));
    let robs = b.get(&format!("/members/{}", rob.id)).await;
    assert!(robs.body.contains("Helped 1.5 h, was helped 4 h"), "{}", robs.body);
    let page = b.get("/help").await;
    assert!(page.body.contains("Rob helped Gia: 1.5 h"), "{}", page.body);

    // A group's "ask for help" posts are on the help page of its members, and nobody else's.
    let g = group(&app, &rob, "Rob's circle", "invite").await;
    let (s, body) = app
        .post_json(
            &format!("/api/v1/groups/{g}/posts"),
            Some(&rob.token),
            &json!({"kind": "ask", "title": "Who knows Spanish VAT?", "body": "A client in Madrid."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(!b.get("/help").await.body.contains("Who knows Spanish VAT?"), "Gia is not in the group");
    join_by_link(&app, &rob, &g, &gia).await;
    let page = b.get("/help").await.body;
    assert!(page.contains("Who knows Spanish VAT?") && page.contains("Rob in Rob's circle"), "{page}");
}

#[tokio::test]
async fn frequent_referrals_suggest_a_series_and_lift_partner_suggestions() {
    let app = TestApp::spawn().await;
    let profile = |offers: &str, needs: &str| {
        json!({"city": "Lisbon, Portugal", "timezone": "Europe/Lisbon", "in_person": true, "virtual": true,
               "skills_offered": [offers], "help_wanted": [needs],
               "windows": [{"weekday": 2, "start_min": 18 * 60, "end_min": 21 * 60}]})
    };
    let gia = app.member_with("Gia", profile("design", "seo")).await;
    let rob = app.member_with("Rob", profile("seo", "design")).await;
    let reasons = |body: &Value| body["items"][0]["reasons"].to_string();
    let (_, before) = app.get_json("/api/v1/partners/suggestions?mode=virtual", Some(&gia.token)).await;
    assert!(!reasons(&before).contains("referral"), "{before}");
    let score_before = before["items"][0]["score"].as_u64().expect("score");

    for _ in 0..3 {
        slip(&app, &gia, &rob, json!({})).await;
    }
    let (_, after) = app.get_json("/api/v1/partners/suggestions?mode=virtual", Some(&gia.token)).await;
    assert!(reasons(&after).contains("3 referrals passed between you"), "{after}");
    assert!(after["items"][0]["score"].as_u64().expect("score") > score_before);
    // Either way: Rob's suggestions know it too.
    let (_, robs) = app.get_json("/api/v1/partners/suggestions?mode=virtual", Some(&rob.token)).await;
    assert!(reasons(&robs).contains("3 referrals passed between you"), "{robs}");

    let b = app.browser().await;
    b.login(&gia.email, PASSWORD).await;
    let dash = b.get("/dashboard").await;
    assert!(
        dash.body.contains("You referred 3 clients to Rob this year — set up a quarterly coworking session?"),
        "{}",
        dash.body
    );
    let link = dash.body.split("href=\"/events/new?").nth(1).and_then(|s| s.split('"').next()).expect("link");
    let form = b.get(&format!("/events/new?{}", link.replace("&amp;", "&"))).await;
    assert!(form.body.contains("Quarterly coworking with Rob"), "{}", form.body);
    assert!(form.body.contains(r#"value="quarterly" selected"#), "{}", form.body);
    // Rob, who received them, is not asked.
    let b = app.browser().await;
    b.login(&rob.email, PASSWORD).await;
    assert!(!b.get("/dashboard").await.body.contains("You referred"));
}

#[tokio::test]
async fn the_report_csv_guards_names_a_spreadsheet_would_run() {
    let app = TestApp::spawn().await;
    let gia = app.member_with("Gia", json!({"display_name": "=Gia"})).await;
    let rob = app.member("Rob").await;
    let g = group(&app, &rob, "Referral circle", "open").await;
    join_by_link(&app, &rob, &g, &gia).await;
    slip(&app, &gia, &rob, json!({"group_id": g})).await;
    let resp = app
        .client()
        .get(app.url(&format!("/api/v1/referrals/report?group={g}&format=csv")))
        .bearer_auth(&rob.token)
        .send()
        .await
        .expect("get");
    let csv = resp.text().await.expect("body");
    assert!(csv.contains("\n'=Gia,1,0,"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with('=')), "{csv}");
}

#[tokio::test]
async fn the_status_form_asks_what_happened_in_words_and_confirms_it() {
    let app = TestApp::spawn().await;
    let gia = app.member("Gia").await;
    let rob = app.member("Rob").await;
    let id = slip(&app, &gia, &rob, json!({})).await;
    let b = app.browser().await;
    b.login(&rob.email, PASSWORD).await;
    let page = b.get(&format!("/referrals/{id}")).await;
    assert!(page.body.contains("· Received"), "the status in words: {}", page.body);
    let select = page
        .body
        .split("<select id=\"f-status\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("a select");
    assert!(select.contains("<option value=\"\">Still received"), "nothing chosen for them: {select}");
    assert!(!select.contains("selected"), "{select}");
    assert!(select.contains(">Contacted<") && select.contains(">Won<"), "{select}");
    let empty = b.post(&format!("/referrals/{id}/status"), &[("status", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = b.post(&format!("/referrals/{id}/status"), &[("status", "contacted")]).await;
    let to = saved.location.expect("back to the slip");
    assert!(b.get(&to).await.body.contains("Saved: the slip's giver sees where it stands."));
    let won = b
        .post(&format!("/referrals/{id}/status"), &[("status", "won"), ("value", "900"), ("currency", "EUR")])
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER);
    let thanked = b.post(&format!("/referrals/{id}/thanks"), &[]).await;
    let page = b.get(&thanked.location.expect("back")).await;
    assert!(page.body.contains("Thank you sent"), "{}", page.body);
    let history = page.body.split("id=\"history\"").nth(1).expect("history");
    for step in ["Received", "Contacted", "Won", "Thanked for closed business"] {
        assert!(history.contains(step), "{step} in the history: {history}");
    }
}

/// An open request for help is answered from the help page (or the API): its author is told once,
/// with a link to who answered; nobody answers their own, a closed one or across a block.
#[tokio::test]
async fn answering_help_tells_the_author_once() {
    let app = TestApp::spawn().await;
    let (gia, rob, sue) = (app.member("Gia").await, app.member("Rob").await, app.member("Sue").await);
    let (s, body) = app
        .post_json(
            "/api/v1/help",
            Some(&gia.token),
            &json!({"kind": "request", "skill": "vat", "note": "Spanish VAT."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();

    // Rob answers from the page: Gia hears it once, with his word and a link to him.
    let b = app.browser().await;
    b.login(&rob.email, PASSWORD).await;
    let page = b.get("/help").await.body;
    assert!(
        page.contains(&format!(r#"action="/help/{id}/answer""#)) && page.contains("Tell Gia you can help"),
        "{page}"
    );
    let sent =
        b.post(&format!("/help/{id}/answer"), &[("message", "I file for two clients in Madrid.")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(b.get("/help").await.body.contains("Gia knows you can help"));
    let (s, again) = app.post_json(&format!("/api/v1/help/{id}/answers"), Some(&rob.token), &json!({})).await;
    assert_eq!((s, again["new"].clone()), (StatusCode::OK, json!(false)), "told once");
    let (_, notes) = app.get_json("/api/v1/me/notifications", Some(&gia.token)).await;
    let told: Vec<&Value> = notes["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["title"] == "Rob can help with vat")
        .collect();
    assert_eq!(told.len(), 1, "{notes}");
    assert_eq!(told[0]["link"], json!(format!("/members/{}", rob.id)));
    let mail = app.mail_with(&["Rob can help with vat", "I file for two clients in Madrid."]).await;
    assert!(mail.contains("I file for two clients in Madrid."), "{mail}");

    // Not her own; not across a block; not once closed.
    let (s, _) = app.post_json(&format!("/api/v1/help/{id}/answers"), Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", sue.id), Some(&gia.token), &json!({})).await;
    assert!(s.is_success());
    let (s, _) = app.post_json(&format!("/api/v1/help/{id}/answers"), Some(&sue.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .post_json(
            &format!("/api/v1/help/{id}/answers"),
            Some(&rob.token),
            &json!({"message": "x", "extra": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, _) = app.post_json(&format!("/api/v1/help/{id}/close"), Some(&gia.token), &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let dee = app.member("Dee").await;
    let (s, _) = app.post_json(&format!("/api/v1/help/{id}/answers"), Some(&dee.token), &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "closed");
}
