//! Calendar feeds answered conditionally and kept rendered by the versions of what they show:
//! every kind of change to a feed's content gives it a new ETag (and a later Last-Modified), an
//! unchanged feed is answered 304 (after its token is checked afresh), and a change made through
//! one instance is in the next feed read from another.

use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{Browser, Member, TestApp, PASSWORD};
use Who::{Anyone, Api, Web};

/// A feed read: status, ETag, Last-Modified, body.
struct Read {
    status: StatusCode,
    etag: String,
    modified: String,
    body: String,
}

/// Who reads a feed: an API client, a signed-in browser, or anyone with the address.
#[derive(Clone, Copy)]
enum Who<'a> {
    Api(&'a Member),
    Web(&'a Browser),
    Anyone,
}

async fn read(app: &TestApp, path: &str, who: Who<'_>, etag: Option<&str>) -> Read {
    let mut req = match who {
        Who::Api(m) => app.client().get(app.url(path)).bearer_auth(&m.token),
        Who::Web(b) => b.client.get(format!("{}{path}", b.base)),
        Who::Anyone => app.client().get(app.url(path)),
    };
    if let Some(etag) = etag {
        req = req.header(IF_NONE_MATCH, etag);
    }
    let resp = req.send().await.expect("get");
    let header = |name| {
        resp.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().expect("ascii").to_owned())
    };
    let (etag, modified) = (header(ETAG).unwrap_or_default(), header(LAST_MODIFIED).unwrap_or_default());
    let status = resp.status();
    Read { status, etag, modified, body: resp.text().await.expect("body") }
}

/// Reads `path` as it is, checks a second read with its ETag is a bodiless 304, and returns the ETag.
async fn settled(app: &TestApp, path: &str, who: Who<'_>) -> (String, String) {
    let now = read(app, path, who, None).await;
    assert_eq!(now.status, StatusCode::OK, "{path}: {}", now.body);
    assert!(now.etag.starts_with('"') && !now.modified.is_empty(), "{path}: validators");
    let again = read(app, path, who, Some(&now.etag)).await;
    assert_eq!(
        (again.status, again.body.as_str(), again.etag.as_str()),
        (StatusCode::NOT_MODIFIED, "", now.etag.as_str())
    );
    (now.etag, now.body)
}

/// After `what` changed, the feed at `path` is new: a 200 to the old ETag, with another.
async fn changed(app: &TestApp, path: &str, who: Who<'_>, old: &str, what: &str) -> String {
    let r = read(app, path, who, Some(old)).await;
    assert_eq!(r.status, StatusCode::OK, "{what}: the feed {path} should be new");
    assert_ne!(r.etag, old, "{what}: a new version has a new ETag");
    r.body
}

async fn ok(result: (StatusCode, Value), what: &str) {
    assert!(result.0.is_success(), "{what}: {} {}", result.0, result.1);
}

fn cafe(name: &str) -> Value {
    json!({"name": name, "kind": "cafe", "city": "Lisbon, Portugal", "lat": 38.7251, "lon": -9.1498, "noise": 2,
           "wifi": true, "outlets": "some", "price": 2, "hours": "Mon-Sun 07:00-22:00"})
}

#[tokio::test]
async fn every_change_to_what_a_feed_shows_moves_its_version_and_nothing_else_does() {
    let app = TestApp::spawn().await;
    let (hana, ana) = (app.member("Hana").await, app.member("Ana").await);
    let g = crate::groups::group(&app, &hana, "Lisbon writers", "open").await;
    crate::groups::join_by_link(&app, &hana, &g, &ana).await;
    let (s, v) = app.post_json("/api/v1/venues", Some(&hana.token), &cafe("Café Quieto")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let venue = v["id"].as_str().expect("id").to_owned();
    let (s, e) = app
        .post_json(
            "/api/v1/events",
            Some(&hana.token),
            &json!({"kind": "cowork", "title": "Writing morning", "starts_at_local": "2027-03-17T10:00",
                    "time_zone": "Europe/Lisbon", "preset": "weekly", "place": {"venue_id": venue},
                    "visibility": "group", "group_id": g}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let (first, second) =
        (e["next"][0]["occurrence_start"].clone(), e["next"][1]["occurrence_start"].clone());
    let rsvp = format!("/api/v1/events/{id}/rsvp");
    ok(
        app.put_json(&rsvp, &ana.token, &json!({"occurrence_start": first, "status": "going"})).await,
        "answer",
    )
    .await;

    let mine = "/api/v1/me/calendar.ics";
    let group = format!("/api/v1/groups/{g}/calendar.ics");
    let file = format!("/events/{id}/event.ics");
    let web = app.browser().await;
    web.login(&hana.email, PASSWORD).await;
    let (mut tag, body) = settled(&app, mine, Api(&ana)).await;
    assert!(body.contains("SUMMARY:Writing morning"), "{body}");

    // Her own answers.
    ok(
        app.put_json(&rsvp, &ana.token, &json!({"occurrence_start": second, "status": "maybe"})).await,
        "answer",
    )
    .await;
    changed(&app, mine, Api(&ana), &tag, "another date answered").await;
    (tag, _) = settled(&app, mine, Api(&ana)).await;

    // Someone else's answer is not in her feed.
    let cy = app.member("Cy").await;
    crate::groups::join_by_link(&app, &hana, &g, &cy).await;
    let (gtag, _) = settled(&app, &group, Api(&ana)).await;
    ok(
        app.put_json(&rsvp, &cy.token, &json!({"occurrence_start": first, "status": "going"})).await,
        "answer",
    )
    .await;
    assert_eq!(
        read(&app, mine, Api(&ana), Some(&tag)).await.status,
        StatusCode::NOT_MODIFIED,
        "not her change"
    );
    assert_eq!(read(&app, &group, Api(&ana), Some(&gtag)).await.status, StatusCode::NOT_MODIFIED);

    // The event edited: her feed, the group's and the event's file.
    let (ftag, _) = settled(&app, &file, Web(&web)).await;
    let (gtag, _) = settled(&app, &group, Api(&ana)).await;
    ok(
        app.patch_json(&format!("/api/v1/events/{id}"), &hana.token, &json!({"title": "Writing mornings"}))
            .await,
        "edit",
    )
    .await;
    assert!(changed(&app, mine, Api(&ana), &tag, "the event renamed")
        .await
        .contains("SUMMARY:Writing mornings"));
    changed(&app, &group, Api(&ana), &gtag, "the event renamed").await;
    changed(&app, &file, Web(&web), &ftag, "the event renamed").await;

    // One date cancelled.
    (tag, _) = settled(&app, mine, Api(&ana)).await;
    let at = second.as_str().expect("date");
    ok(
        app.patch_json(
            &format!("/api/v1/events/{id}/occurrences/{at}"),
            &hana.token,
            &json!({"cancelled": true}),
        )
        .await,
        "cancel",
    )
    .await;
    assert!(changed(&app, mine, Api(&ana), &tag, "a date cancelled").await.contains("STATUS:CANCELLED"));

    // The host renamed: the organiser in every file of hers.
    (tag, _) = settled(&app, mine, Api(&ana)).await;
    let (gtag, _) = settled(&app, &group, Api(&ana)).await;
    ok(app.patch_json("/api/v1/me", &hana.token, &json!({"display_name": "Hana Sato"})).await, "rename")
        .await;
    assert!(changed(&app, mine, Api(&ana), &tag, "the host renamed").await.contains("Hana Sato"));
    changed(&app, &group, Api(&ana), &gtag, "the host renamed").await;

    // The venue renamed.
    (tag, _) = settled(&app, mine, Api(&ana)).await;
    let (ftag, _) = settled(&app, &file, Web(&web)).await;
    ok(
        app.patch_json(&format!("/api/v1/venues/{venue}"), &hana.token, &cafe("Café Silêncio")).await,
        "venue",
    )
    .await;
    changed(&app, mine, Api(&ana), &tag, "the venue renamed").await;
    changed(&app, &file, Web(&web), &ftag, "the venue renamed").await;

    // Lost access: she leaves the group, and its members-only event leaves her feed.
    (tag, _) = settled(&app, mine, Api(&ana)).await;
    let (s, _) = app.delete_json(&format!("/api/v1/groups/{g}/membership"), &ana.token, &json!({})).await;
    assert!(s.is_success(), "{s}");
    assert!(!changed(&app, mine, Api(&ana), &tag, "left the group").await.contains("Writing"));

    // A block hides a host's events.
    (tag, _) = settled(&app, mine, Api(&cy)).await;
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", hana.id), Some(&cy.token), &json!({})).await;
    assert!(s.is_success(), "{s}");
    assert!(!changed(&app, mine, Api(&cy), &tag, "blocked the host").await.contains("Writing"));

    // The group made invite-only: its events' files are gone from a non-member's view.
    let dan = app.member("Dan").await;
    let (s, public) = app
        .post_json(
            "/api/v1/events",
            Some(&hana.token),
            &json!({"kind": "meetup", "title": "Open evening", "starts_at_local": "2027-03-18T18:00",
                    "time_zone": "Europe/Lisbon", "place": {"name": "Café", "city": "Lisbon"},
                    "visibility": "public", "group_id": g}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{public}");
    let (pid, pat) = (public["id"].as_str().expect("id"), public["next"][0]["occurrence_start"].clone());
    let answer = json!({"occurrence_start": pat, "status": "going"});
    ok(app.put_json(&format!("/api/v1/events/{pid}/rsvp"), &dan.token, &answer).await, "answer").await;
    let (tag, body) = settled(&app, mine, Api(&dan)).await;
    assert!(body.contains("Open evening"));
    ok(
        app.patch_json(&format!("/api/v1/groups/{g}"), &hana.token, &json!({"visibility": "invite"})).await,
        "invite-only",
    )
    .await;
    assert!(!changed(&app, mine, Api(&dan), &tag, "the group made invite-only")
        .await
        .contains("Open evening"));
}

#[tokio::test]
async fn an_unchanged_feed_is_not_modified_by_either_validator_but_a_revoked_address_is_gone() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let (s, made) = app.post_json("/api/v1/me/calendar-feed", Some(&ana.token), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let url = made["url"].as_str().expect("url");
    let path = &url[url.find("/feeds/").expect("a feed path")..];
    let first = read(&app, path, Anyone, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let since =
        app.client().get(app.url(path)).header(IF_MODIFIED_SINCE, &first.modified).send().await.expect("get");
    assert_eq!(since.status(), StatusCode::NOT_MODIFIED);
    let old = app
        .client()
        .get(app.url(path))
        .header(IF_MODIFIED_SINCE, "Mon, 01 Jan 2024 00:00:00 GMT")
        .send()
        .await
        .expect("get");
    assert_eq!(old.status(), StatusCode::OK);
    // The same feed through the API has the same version.
    assert_eq!(
        read(&app, "/api/v1/me/calendar.ics", Api(&ana), Some(&first.etag)).await.status,
        StatusCode::NOT_MODIFIED
    );

    let gone = app
        .client()
        .delete(app.url("/api/v1/me/calendar-feed"))
        .bearer_auth(&ana.token)
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        read(&app, path, Anyone, Some(&first.etag)).await.status,
        StatusCode::NOT_FOUND,
        "the token is checked first"
    );
}

#[tokio::test]
async fn a_change_through_one_instance_is_in_the_next_feed_read_from_another() {
    let a = TestApp::spawn().await;
    let b = TestApp::run_on(&a, |_| {}).await;
    let (hana, ana) = (a.member("Hana").await, a.member("Ana").await);
    let (s, e) = a
        .post_json(
            "/api/v1/events",
            Some(&hana.token),
            &json!({"kind": "cowork", "title": "Library hours", "starts_at_local": "2027-03-17T10:00",
                    "time_zone": "UTC", "place": {"name": "Biblioteca", "city": "Lisbon"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id");
    let answer = json!({"occurrence_start": e["next"][0]["occurrence_start"], "status": "going"});
    ok(a.put_json(&format!("/api/v1/events/{id}/rsvp"), &ana.token, &answer).await, "answer").await;
    let mine = "/api/v1/me/calendar.ics";
    // Both instances render and keep it; B answers the next read from what it kept.
    let (tag, _) = settled(&b, mine, Api(&ana)).await;
    settled(&a, mine, Api(&ana)).await;
    assert_eq!(read(&b, mine, Api(&ana), None).await.etag, tag);
    ok(
        a.patch_json(&format!("/api/v1/events/{id}"), &hana.token, &json!({"title": "Library afternoons"}))
            .await,
        "edit",
    )
    .await;
    let fresh = read(&b, mine, Api(&ana), None).await;
    assert!(
        fresh.body.contains("SUMMARY:Library afternoons"),
        "instance B kept an old rendering: {}",
        fresh.body
    );
    assert_ne!(fresh.etag, tag);
    let (_, _, hits, _) = b.state.feeds.stats();
    assert!(hits >= 1, "B answered from what it kept before the change");
    let metrics = b.client().get(b.url("/metrics")).send().await.expect("get").text().await.expect("body");
    assert!(metrics.contains(&format!("alongside_feed_cache{{stat=\"hits\"}} {hits}")), "{metrics}");
}

#[tokio::test]
async fn large_feeds_and_assets_go_compressed_to_who_asks_each_encoding_with_its_own_tag_but_pages_never() {
    use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
    use std::io::Read as _;
    let app = TestApp::spawn().await;
    let hana = app.member("Hana").await;
    for n in 0..6 {
        let body = json!({"kind": "cowork", "title": format!("Session {n}"), "description": "Heads down, then coffee. ".repeat(20),
                          "starts_at_local": format!("2027-03-1{n}T10:00"), "time_zone": "UTC",
                          "place": {"name": "Biblioteca", "city": "Lisbon"}});
        assert_eq!(app.post_json("/api/v1/events", Some(&hana.token), &body).await.0, StatusCode::CREATED);
    }
    let mine = "/api/v1/me/calendar.ics";
    let plain = read(&app, mine, Api(&hana), None).await;
    assert!(plain.body.len() > 2048, "a feed worth compressing");
    let gz = |etag: Option<&str>| {
        let mut req =
            app.client().get(app.url(mine)).bearer_auth(&hana.token).header(ACCEPT_ENCODING, "gzip");
        if let Some(etag) = etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        req.send()
    };
    let resp = gz(None).await.expect("get");
    assert_eq!(resp.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(resp.headers()[reqwest::header::VARY], "accept-encoding");
    let tag = resp.headers()[ETAG].to_str().expect("ascii").to_owned();
    assert_eq!(
        tag,
        format!("{}-gzip\"", &plain.etag[..plain.etag.len() - 1]),
        "each encoding its own strong tag"
    );
    let mut body = String::new();
    flate2::read::GzDecoder::new(&resp.bytes().await.expect("body")[..])
        .read_to_string(&mut body)
        .expect("gzip");
    assert_eq!(body, plain.body);
    // Compressed once and kept so: the next poll is served from what was kept.
    let (kept, bytes, hits, _) = app.state.feeds.stats();
    assert_eq!(kept, 2, "the feed is kept plain and compressed");
    assert!(bytes < plain.body.len() * 2, "{bytes} bytes kept");
    let next = gz(None).await.expect("get");
    assert_eq!(next.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(app.state.feeds.stats().2, hits + 1, "one lookup, and it hit");
    let refused = app
        .client()
        .get(app.url(mine))
        .bearer_auth(&hana.token)
        .header(ACCEPT_ENCODING, "gzip;q=0, br")
        .send()
        .await
        .expect("get");
    assert!(refused.headers().get(CONTENT_ENCODING).is_none(), "gzip refused by its weight");
    assert_eq!(refused.text().await.expect("body"), plain.body);
    let again = gz(Some(&tag)).await.expect("get");
    assert_eq!(
        (again.status(), again.headers()[ETAG].to_str().expect("ascii")),
        (StatusCode::NOT_MODIFIED, tag.as_str())
    );

    // The style sheet too, with a tag of its bytes; a page never (it carries a CSRF token).
    let css = app
        .client()
        .get(app.url("/assets/style.css"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("get");
    assert_eq!(css.headers()[CONTENT_ENCODING], "gzip");
    let css_tag = css.headers()[ETAG].to_str().expect("ascii").to_owned();
    let held = app
        .client()
        .get(app.url("/assets/style.css"))
        .header(IF_NONE_MATCH, &css_tag)
        .send()
        .await
        .expect("get");
    assert_eq!(held.status(), StatusCode::NOT_MODIFIED);
    let page = app.client().get(app.url("/login")).header(ACCEPT_ENCODING, "gzip").send().await.expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get(CONTENT_ENCODING).is_none(), "HTML is never compressed");
}
