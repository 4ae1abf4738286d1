//! Contacts through the API and pages: private to their owner, added by hand or from an event,
//! the last contact moving with shared events, one-to-ones and referrals, overdue in the owner's
//! zone, and vCard and CSV out and in — the vCard checked with an independent library.

use std::path::PathBuf;
use std::process::Command;

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fields_sorted, Member, TestApp, PASSWORD};

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(statement).execute(app.state.db.write()).await.expect(statement);
}

async fn contact(app: &TestApp, who: &Member, body: Value) -> Value {
    let (s, c) = app.post_json("/api/v1/contacts", Some(&who.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c
}

async fn contacts_of(app: &TestApp, who: &Member, query: &str) -> Vec<Value> {
    let (s, body) = app.get_json(&format!("/api/v1/contacts{query}"), Some(&who.token)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no {name} in {list:?}"))
}

/// A one-off event by `host` in two days, with `guests` going; returns (id, occurrence key).
async fn session(app: &TestApp, host: &Member, guests: &[&Member]) -> (String, String) {
    let start = (Utc::now() + TimeDelta::days(2)).format("%Y-%m-%dT10:00").to_string();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&host.token),
            &json!({"kind": "cowork", "title": "Table at the library", "starts_at_local": start, "time_zone": "UTC",
                    "place": {"name": "Library", "city": "Lisbon"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let key = e["next"][0]["occurrence_start"].as_str().expect("key").to_owned();
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
    (id, key)
}

/// Moves the answers to event `id` back by `days` (the contacts only read when people went).
async fn answers_back(app: &TestApp, id: &str, days: i64) {
    let ms = days * 86_400_000;
    sql(app, &format!("UPDATE rsvps SET occurrence_start = occurrence_start - {ms} WHERE event_id = '{id}'"))
        .await;
}

fn day(t: DateTime<Utc>) -> String {
    t.date_naive().to_string()
}

#[tokio::test]
async fn contacts_are_their_owners_alone_and_bad_input_is_named() {
    let app = TestApp::spawn().await;
    let me = app.member("Olga").await;
    let other = app.member("Nosy").await;
    let (s, body) = app.post_json("/api/v1/contacts", Some(&me.token), &json!({})).await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_owned()]));
    let (s, body) = app
        .post_json(
            "/api/v1/contacts",
            Some(&me.token),
            &json!({"name": "Ana", "email": "not-mail", "cadence_days": "six weeks"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_sorted(&body), ["cadence_days", "email"]);
    assert!(contacts_of(&app, &me, "").await.is_empty(), "nothing saved from bad input");

    let c = contact(
        &app,
        &me,
        json!({"name": "Ana Sousa", "email": "ana@example.com", "company": "Sousa Lda", "trade": "accountant",
               "tags": "client, Lisbon", "notes": "Knows everyone", "met_at": "Café Zq7", "cadence_days": "42"}),
    )
    .await;
    let id = c["id"].as_str().expect("id");
    assert_eq!(c["tags"], json!(["client", "lisbon"]));
    assert_eq!(c["last_in_touch"], day(Utc::now()));
    assert_eq!(c["due_on"], day(Utc::now() + TimeDelta::days(42)));
    assert_eq!(c["overdue_days"], Value::Null);

    for (path, method) in
        [(format!("/api/v1/contacts/{id}"), "get"), (format!("/api/v1/contacts/{id}"), "patch")]
    {
        let (s, body) = match method {
            "get" => app.get_json(&path, Some(&other.token)).await,
            _ => app.patch_json(&path, &other.token, &json!({"name": "Mine now"})).await,
        };
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        assert!(!body.to_string().contains("Zq7"));
    }
    let (s, _) = app.delete_json(&format!("/api/v1/contacts/{id}"), &other.token, &json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(contacts_of(&app, &other, "").await.is_empty());
    let resp = app
        .client()
        .get(app.url("/api/v1/contacts/export?format=csv"))
        .bearer_auth(&other.token)
        .send()
        .await;
    let theirs = resp.expect("get").text().await.expect("body");
    assert!(!theirs.contains("Ana"), "{theirs}");

    // An edit changes what it names and keeps the rest; a bad edit saves nothing.
    let (s, body) =
        app.patch_json(&format!("/api/v1/contacts/{id}"), &me.token, &json!({"cadence_days": "0"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["cadence_days"].clone(), body["email"].clone()),
        (Value::Null, json!("ana@example.com"))
    );
    let (s, body) = app
        .patch_json(&format!("/api/v1/contacts/{id}"), &me.token, &json!({"name": " ", "email": "x"}))
        .await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["email".to_owned(), "name".to_owned()])
    );
    assert_eq!(named(&contacts_of(&app, &me, "?tag=client").await, "Ana Sousa")["company"], "Sousa Lda");
    assert!(contacts_of(&app, &me, "?tag=designer").await.is_empty());

    // The pages: the form keeps what was typed next to the message.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.post("/contacts", &[("name", "Rui"), ("email", "rui@"), ("company", "Kept Co")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Kept Co") && page.body.contains("email"), "{}", page.body);
    let nosy = app.browser().await;
    nosy.login(&other.email, PASSWORD).await;
    assert_eq!(nosy.get(&format!("/contacts/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_contact_moves_with_shared_events_one_to_ones_and_referrals() {
    let app = TestApp::spawn().await;
    let me = app.member("Olga").await;
    let mo = app.member("Mo").await;
    let hal = app.member("Hal").await;
    let stranger = app.member("Sten").await;
    let (event, key) = session(&app, &hal, &[&me, &mo]).await;

    // Only someone who went adds the people of an event.
    let (s, body) = app
        .post_json(
            "/api/v1/contacts/from-event",
            Some(&stranger.token),
            &json!({"event_id": event, "occurrence_start": key}),
        )
        .await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["event".to_owned()]));
    let (s, body) = app
        .post_json(
            "/api/v1/contacts/from-event",
            Some(&me.token),
            &json!({"event_id": event, "occurrence_start": key}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!((body["added"].clone(), body["skipped"].clone()), (json!(2), json!(0)));
    let (_, again) = app
        .post_json(
            "/api/v1/contacts/from-event",
            Some(&me.token),
            &json!({"event_id": event, "occurrence_start": key}),
        )
        .await;
    assert_eq!((again["added"].clone(), again["skipped"].clone()), (json!(0), json!(2)));
    let list = contacts_of(&app, &me, "").await;
    assert_eq!(list.len(), 2);
    assert_eq!(named(&list, "Mo")["member_id"], json!(mo.id));
    // The session is still to come: not in touch yet, and where we met says we are going.
    let m = named(&list, "Mo");
    assert!(m["met_at"].as_str().expect("met").starts_with("Going to Table at the library, "), "{m}");
    assert_eq!((m["last_in_touch"].clone(), m["due_on"].clone()), (Value::Null, Value::Null), "{m}");
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.get(&format!("/contacts/{}", m["id"].as_str().expect("id"))).await.body;
    assert!(page.contains("Not met yet"), "{page}");

    // Added long ago, with a six-week cadence, and the event long past: overdue.
    let long_ago = Utc::now() - TimeDelta::days(100);
    sql(
        &app,
        &format!("UPDATE contacts SET last_contact_at = {}, cadence_days = 42", long_ago.timestamp_millis()),
    )
    .await;
    answers_back(&app, &event, 102).await;
    let list = contacts_of(&app, &me, "").await;
    let m = named(&list, "Mo");
    assert_eq!(m["last_in_touch"], day(long_ago), "{m}");
    assert_eq!(m["overdue_days"], json!(100 - 42), "{m}");
    let overdue: Vec<_> =
        contacts_of(&app, &me, "?overdue=true").await.iter().map(|c| c["name"].clone()).collect();
    assert_eq!(overdue.len(), 2);

    // A session both go to counts once it has begun, not before.
    let (later, _) = session(&app, &hal, &[&me, &mo]).await;
    assert_eq!(named(&contacts_of(&app, &me, "").await, "Mo")["last_in_touch"], day(long_ago));
    answers_back(&app, &later, 30).await;
    let list = contacts_of(&app, &me, "").await;
    let went = Utc::now() + TimeDelta::days(2) - TimeDelta::days(30);
    assert_eq!(named(&list, "Mo")["last_in_touch"], day(went));
    // Hosting counts as being there: Hal hosted it.
    assert_eq!(named(&list, "Hal")["last_in_touch"], day(went));
    assert_eq!(named(&list, "Mo")["overdue_days"], Value::Null);

    // A one-to-one, logged by either side.
    let ten = Utc::now() - TimeDelta::days(10);
    let (s, body) = app
        .post_json("/api/v1/one-to-ones", Some(&mo.token), &json!({"member_id": me.id, "date": day(ten)}))
        .await;
    assert!(s.is_success(), "{body}");
    assert_eq!(named(&contacts_of(&app, &me, "").await, "Mo")["last_in_touch"], day(ten));
    let (s, body) = app
        .post_json("/api/v1/one-to-ones", Some(&mo.token), &json!({"member_id": me.id, "date": "2999-01-01"}))
        .await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_owned()]));

    // A referral either way.
    let (s, body) = app
        .post_json(
            "/api/v1/referrals",
            Some(&hal.token),
            &json!({"receiver_id": me.id, "prospect": "Dia", "need": "A website", "temperature": "warm"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(named(&contacts_of(&app, &me, "").await, "Hal")["last_in_touch"], day(Utc::now()));

    // Touching by hand.
    let mo_contact = named(&contacts_of(&app, &me, "").await, "Mo")["id"].as_str().expect("id").to_owned();
    let (s, body) =
        app.post_json(&format!("/api/v1/contacts/{mo_contact}/touch"), Some(&me.token), &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["last_in_touch"], day(Utc::now()));
    // Someone else's contacts aren't moved by what I do with Mo.
    assert!(contacts_of(&app, &mo, "").await.is_empty());
}

/// Today's local midnight in `zone`, as an instant.
fn midnight(zone: chrono_tz::Tz) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&zone).date_naive();
    zone.from_local_datetime(&today.and_time(NaiveTime::MIN))
        .single()
        .expect("no clock change")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn overdue_is_counted_in_the_owners_zone() {
    // Tokyo and Buenos Aires keep no summer time and are twelve hours apart, so of the two the
    // latest midnight is at most twelve hours ago. A contact last seen a minute before the
    // midnight before it is two days back there and one day back in the other zone: with a
    // one-day cadence, overdue in one and due today in the other.
    let app = TestApp::spawn().await;
    let ken = app.member_with("Ken", json!({"timezone": "Asia/Tokyo"})).await;
    let bea = app.member_with("Bea", json!({"timezone": "America/Argentina/Buenos_Aires"})).await;
    let (tokyo, baires) =
        (midnight(chrono_tz::Asia::Tokyo), midnight(chrono_tz::America::Argentina::Buenos_Aires));
    let (late, early) = if tokyo > baires { (&ken, &bea) } else { (&bea, &ken) };
    let last = tokyo.max(baires) - TimeDelta::days(1) - TimeDelta::minutes(1);
    for who in [&ken, &bea] {
        contact(&app, who, json!({"name": "Zed", "cadence_days": "1"})).await;
    }
    sql(&app, &format!("UPDATE contacts SET last_contact_at = {}", last.timestamp_millis())).await;
    let l = contacts_of(&app, late, "?overdue=true").await;
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0]["overdue_days"], 1);
    assert!(contacts_of(&app, early, "?overdue=true").await.is_empty());
    assert_eq!(contacts_of(&app, early, "").await[0]["overdue_days"], Value::Null);

    // The dashboard lists it for the one it is overdue for.
    for (who, shown) in [(late, true), (early, false)] {
        let b = app.browser().await;
        b.login(&who.email, PASSWORD).await;
        let page = b.get("/dashboard").await;
        assert_eq!(page.body.contains("Keep in touch"), shown, "{}", page.body);
    }
}

/// Runs `tests/vcard_check.py` (Python's `vobject` from PyPI, which `.ci/run` installs). Without
/// the library the check is skipped here and fails under CI.
fn vobject(mode: &str, input: &str) -> Option<String> {
    let python = std::env::var("ALONGSIDE_ICS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let has = Command::new(&python).args(["-c", "import vobject"]).output().is_ok_and(|o| o.status.success());
    if !has {
        assert!(std::env::var_os("CI").is_none(), "CI must install Python's vobject (pip install vobject)");
        eprintln!("note: Python's vobject is not installed; the vCard round trip was not checked");
        return None;
    }
    let path: PathBuf = std::env::temp_dir().join(format!("alongside-vcard-{}", store::new_id()));
    std::fs::write(&path, input).expect("write");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vcard_check.py");
    let out = Command::new(&python).arg(script).arg(mode).arg(&path).output().expect("python");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "vobject failed: {}\n{input}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("utf-8"))
}

#[tokio::test]
async fn contacts_go_out_and_come_back_as_vcard_and_csv() {
    let app = TestApp::spawn().await;
    let me = app.member("Olga").await;
    let ana = json!({"name": "Ana, Sousa", "email": "ana@example.com", "company": "Sousa; Filhos", "trade": "Tax advisor",
                     "tags": ["client", "lisbon"], "notes": "Line one\nLine two, with a comma",
                     "met_at": "Café Ágora, 3 Dec", "cadence_days": 42});
    let mut body = ana.clone();
    body["tags"] = json!("client, lisbon");
    body["cadence_days"] = json!("42");
    contact(&app, &me, body).await;
    contact(&app, &me, json!({"name": "Rui"})).await;

    let resp = app
        .client()
        .get(app.url("/api/v1/contacts/export?format=vcf"))
        .bearer_auth(&me.token)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().expect("type").starts_with("text/vcard"));
    let vcf = resp.text().await.expect("body");

    // An independent library reads what we wrote, field by field.
    if let Some(read) = vobject("read", &vcf) {
        let cards: Vec<Value> = serde_json::from_str(&read).expect("json");
        let a = named(&cards, "Ana, Sousa");
        for field in ["email", "company", "trade", "tags", "notes", "met_at"] {
            assert_eq!(a[field], ana[field], "{field} in {vcf}");
        }
        assert_eq!(a["cadence_days"], "42");
        assert_eq!(named(&cards, "Rui")["email"], "");
    }

    // Another member imports the file: the same contacts.
    let you = app.member("Yara").await;
    let import = |token: String, body: String, kind: &'static str| {
        let c = app.client();
        let url = app.url("/api/v1/contacts/import");
        async move {
            let r = c
                .post(url)
                .bearer_auth(token)
                .header("content-type", kind)
                .body(body)
                .send()
                .await
                .expect("post");
            (r.status(), r.json::<Value>().await.expect("json"))
        }
    };
    let (s, added) = import(you.token.clone(), vcf.clone(), "text/vcard").await;
    assert_eq!(s, StatusCode::OK, "{added}");
    assert_eq!(added, json!({"added": 2, "skipped": 0}));
    let back = contacts_of(&app, &you, "").await;
    let a = named(&back, "Ana, Sousa");
    for field in ["email", "company", "trade", "tags", "notes", "met_at", "cadence_days"] {
        assert_eq!(a[field], ana[field], "{field}");
    }
    // Importing again skips those with an email already in my contacts.
    let (_, again) = import(you.token.clone(), vcf, "text/vcard").await;
    assert_eq!(again, json!({"added": 1, "skipped": 1}));

    // A file the independent library wrote comes in too.
    if let Some(theirs) = vobject("write", &json!([{"name": "Teo", "email": "teo@example.com", "company": "Teo & Co",
        "trade": "Copywriter", "tags": ["writer"], "notes": "Met twice", "met_at": "Library", "cadence_days": 30}]).to_string())
    {
        let fresh = app.member("Fay").await;
        let (s, added) = import(fresh.token.clone(), theirs, "text/vcard").await;
        assert_eq!((s, added["added"].clone()), (StatusCode::OK, json!(1)));
        let t = &contacts_of(&app, &fresh, "").await[0];
        assert_eq!((t["name"].clone(), t["company"].clone(), t["tags"].clone()), (json!("Teo"), json!("Teo & Co"), json!(["writer"])));
        assert_eq!((t["met_at"].clone(), t["cadence_days"].clone()), (json!("Library"), json!(30)));
    }

    // CSV out and in.
    let resp = app
        .client()
        .get(app.url("/api/v1/contacts/export?format=csv"))
        .bearer_auth(&me.token)
        .send()
        .await
        .expect("get");
    let csv = resp.text().await.expect("body");
    assert!(
        csv.starts_with("name,email,phone,company,trade,tags,notes,met_at,cadence_days,last_in_touch"),
        "{csv}"
    );
    let other = app.member("Cy").await;
    let (s, added) = import(other.token.clone(), csv, "text/csv").await;
    assert_eq!((s, added["added"].clone()), (StatusCode::OK, json!(2)));
    let a = contacts_of(&app, &other, "").await;
    assert_eq!(named(&a, "Ana, Sousa")["notes"], ana["notes"]);

    // Rubbish is refused with a reason, and nothing is added.
    let (s, body) = import(other.token.clone(), "BEGIN:VCARD\nFN\nEND".into(), "text/vcard").await;
    assert_eq!((s, fields_sorted(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file".to_owned()]));
    assert_eq!(contacts_of(&app, &other, "").await.len(), 2);
}

#[tokio::test]
async fn a_past_event_still_shows_who_went_so_they_can_be_added() {
    let app = TestApp::spawn().await;
    let host = app.member("Ida").await;
    let guest = app.member("Joe").await;
    let (id, _) = session(&app, &host, &[&guest]).await;
    // The whole event, not only its answers, moves a month back: nothing of it is to come.
    let start = (Utc::now() - TimeDelta::days(30)).format("%Y-%m-%dT10:00").to_string();
    let ms = 32 * 86_400_000_i64;
    sql(
        &app,
        &format!(
            "UPDATE events SET start_local = '{start}', first_start_at = first_start_at - {ms}, \
             last_end_at = last_end_at - {ms} WHERE id = '{id}'"
        ),
    )
    .await;
    answers_back(&app, &id, 32).await;
    let b = app.browser().await;
    b.login(&host.email, PASSWORD).await;
    let page = b.get(&format!("/events/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Joe") && page.body.contains("Add these people to my contacts"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_csv_export_runs_no_formula_and_comes_back_unchanged() {
    let app = TestApp::spawn().await;
    let me = app.member("Olga").await;
    let sly = json!({"name": "=HYPERLINK(\"http://evil.example\",\"Open\")", "company": "@Acme",
                     "notes": "-- call after 18:00", "met_at": "+351 912 345 678"});
    contact(&app, &me, sly.clone()).await;
    let export = |token: String| {
        let c = app.client();
        let url = app.url("/api/v1/contacts/export?format=csv");
        async move { c.get(url).bearer_auth(token).send().await.expect("get").text().await.expect("body") }
    };
    let csv = export(me.token.clone()).await;
    let row = csv.lines().nth(1).expect("a row");
    assert!(row.starts_with("\"'=HYPERLINK("), "the name is text to a spreadsheet: {row}");
    assert!(row.contains(",'@Acme,") && row.contains(",'-- call after 18:00,"), "{row}");
    assert!(row.contains(",'+351 912 345 678,"), "{row}");

    let other = app.member("Cy").await;
    let resp = app
        .client()
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&other.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), StatusCode::OK);
    let back = &contacts_of(&app, &other, "").await[0];
    for field in ["name", "company", "notes", "met_at"] {
        assert_eq!(back[field], sly[field], "{field} comes back as it was");
    }
}

/// A contact's phone and the day we were last in touch: set by hand (a day not in the future),
/// shown, and read from vCard (`TEL`) and CSV (`phone`, `last_in_touch`) imports.
#[tokio::test]
async fn a_phone_and_the_last_day_in_touch_are_set_shown_and_imported() {
    let app = TestApp::spawn().await;
    let me = app.member("Lia").await;
    let sixty = (Utc::now() - TimeDelta::days(60)).date_naive().to_string();
    let body =
        json!({"name": "Rita", "phone": "+351 912 345 678", "last_in_touch": sixty, "cadence_days": "42"});
    let (s, c) = app.post_json("/api/v1/contacts", Some(&me.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!((c["phone"].clone(), c["last_in_touch"].clone()), (json!("+351 912 345 678"), json!(sixty)));
    assert_eq!(c["overdue_days"], json!(60 - 42), "overdue from the day set: {c}");
    let id = c["id"].as_str().expect("id").to_owned();

    // A day to come and a phone that is not one are refused, and nothing changes.
    let soon = (Utc::now() + TimeDelta::days(2)).date_naive().to_string();
    let (s, body) = app
        .patch_json(
            &format!("/api/v1/contacts/{id}"),
            &me.token,
            &json!({"last_in_touch": soon, "phone": "call me"}),
        )
        .await;
    assert_eq!(
        (s, fields_sorted(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["last_in_touch".to_owned(), "phone".to_owned()])
    );
    let (_, c) = app.get_json(&format!("/api/v1/contacts/{id}"), Some(&me.token)).await;
    assert_eq!(c["last_in_touch"], json!(sixty));

    // The page shows both and sets the day too.
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;
    let page = b.get(&format!("/contacts/{id}")).await.body;
    assert!(page.contains(r#"href="tel:+351912345678""#), "{page}");
    assert!(page.contains(&format!(r#"value="{sixty}""#)), "the form holds the day: {page}");
    let five = (Utc::now() - TimeDelta::days(5)).date_naive().to_string();
    let saved = b
        .post(
            &format!("/contacts/{id}"),
            &[
                ("name", "Rita"),
                ("phone", "+351 912 345 678"),
                ("last_in_touch", &five),
                ("cadence_days", "42"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, c) = app.get_json(&format!("/api/v1/contacts/{id}"), Some(&me.token)).await;
    assert_eq!((c["last_in_touch"].clone(), c["overdue_days"].clone()), (json!(five), Value::Null));

    // Imports keep them.
    let import = |body: &'static str, kind: &'static str| {
        app.client()
            .post(app.url("/api/v1/contacts/import"))
            .bearer_auth(&me.token)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    let vcard =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Teo Lima\r\nTEL;TYPE=CELL:+351 913 000 111\r\nEND:VCARD\r\n";
    assert_eq!(import(vcard, "text/vcard").await.expect("post").status(), StatusCode::OK);
    let csv = "Name,Phone,last_in_touch\nBo Silva,+44 20 7946 0958,2025-03-01\n";
    assert_eq!(import(csv, "text/csv").await.expect("post").status(), StatusCode::OK);
    let list = contacts_of(&app, &me, "").await;
    assert_eq!(named(&list, "Teo Lima")["phone"], json!("+351 913 000 111"));
    let bo = named(&list, "Bo Silva");
    assert_eq!(
        (bo["phone"].clone(), bo["last_in_touch"].clone()),
        (json!("+44 20 7946 0958"), json!("2025-03-01"))
    );
}

/// Address books' exports as they come: Apple's vCard 3.0 (properties in `item1.` groups, a
/// folded base64 photo), Google's 3.0, and Outlook's 2.1 (quoted-printable values with soft line
/// breaks, a charset, bare type parameters).
#[tokio::test]
async fn apple_google_and_outlook_exports_come_in_whole() {
    let app = TestApp::spawn().await;
    let me = app.member("Olga").await;
    let apple = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 14.0//EN\r\nN:Lima;Teresa;;;\r\nFN:Teresa Lima\r\n\
        ORG:Lima Tradução;\r\nTITLE:Translator\r\nitem1.EMAIL;type=INTERNET;type=pref:teresa@example.pt\r\n\
        item1.X-ABLabel:_$!<Work>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:+351 912 000 111\r\n\
        NOTE:Met at the library\\, twice.\\nPrefers mornings.\r\n\
        PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQ\r\n \
        DQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQU\r\n\
        CATEGORIES:client,translator\r\nEND:VCARD\r\n";
    let google = "BEGIN:VCARD\nVERSION:3.0\nFN:Bruno Reis\nN:Reis;Bruno;;;\nEMAIL;TYPE=INTERNET;TYPE=HOME:bruno@example.com\n\
        TEL;TYPE=CELL:+351 913 222 333\nORG:Reis & Filhos\nCATEGORIES:myContacts\nEND:VCARD\n";
    let outlook = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;LANGUAGE=pt-pt:Concei=E7=E3o;Jo=E3o\r\n\
        FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Jo=E3o Concei=E7=E3o\r\n\
        ORG:Concei=E7=E3o Lda\r\nTITLE:Accountant\r\nTEL;WORK;VOICE:+351 210 000 000\r\n\
        NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Primeira reuni=C3=A3o em mar=C3=A7o.=0D=0ALigar =\r\n\
        depois das 10h.\r\nEMAIL;PREF;INTERNET:joao@example.pt\r\nEND:VCARD\r\n";
    let file = format!("{apple}{google}{outlook}");
    let r = app
        .client()
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&me.token)
        .header("content-type", "text/vcard")
        .body(file)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let added: Value = r.json().await.expect("json");
    assert_eq!(added["added"], 3, "{added}");
    let (_, list) = app.get_json("/api/v1/contacts", Some(&me.token)).await;
    let items = list["items"].as_array().expect("items");
    let find =
        |name: &str| items.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name} in {list}"));
    let teresa = find("Teresa Lima");
    assert_eq!(
        (teresa["email"].as_str(), teresa["phone"].as_str()),
        (Some("teresa@example.pt"), Some("+351 912 000 111"))
    );
    assert_eq!(
        (teresa["company"].as_str(), teresa["trade"].as_str()),
        (Some("Lima Tradução"), Some("Translator"))
    );
    assert_eq!(teresa["notes"], "Met at the library, twice.\nPrefers mornings.");
    assert_eq!(teresa["tags"], json!(["client", "translator"]));
    assert_eq!(find("Bruno Reis")["company"], "Reis & Filhos");
    let joao = find("João Conceição");
    assert_eq!(joao["notes"], "Primeira reunião em março.\nLigar depois das 10h.");
    assert_eq!(
        (joao["email"].as_str(), joao["phone"].as_str()),
        (Some("joao@example.pt"), Some("+351 210 000 000"))
    );
}
