//! Members' photos and events' covers: uploaded as pages and API, refused with a reason when
//! they are not pictures we take, served to those who may see them at addresses that name their
//! content, kept in the member's export, and gone with the account or an admin's take-down.

use chrono::{TimeDelta, Utc};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{Browser, Member, TestApp, PASSWORD};

/// A `w` by `h` PNG, in one colour.
fn png(w: u32, h: u32) -> Vec<u8> {
    png_in(w, h, [30, 120, 200])
}

fn png_in(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encodes");
    out.into_inner()
}

async fn upload(b: &Browser, path: &str, field: &'static str, bytes: Vec<u8>) -> (StatusCode, String) {
    let form = Form::new()
        .text("csrf", b.csrf.clone())
        .part(field, Part::bytes(bytes).file_name("me.png").mime_str("image/png").expect("mime"));
    let r = b.client.post(format!("{}{path}", b.base)).multipart(form).send().await.expect("post");
    let status = r.status();
    (status, r.text().await.expect("body").replace("&#x2f;", "/").replace("&#x27;", "'"))
}

async fn signed_in(app: &TestApp, m: &Member) -> Browser {
    let b = app.browser().await;
    b.login(&m.email, PASSWORD).await;
    b
}

/// The address of `id`'s photo at 256 pixels, as their own profile shows it.
async fn photo_of(app: &TestApp, id: &str) -> Option<String> {
    let user = app.state.db.user(id).await.expect("db").expect("user");
    user.photo_id.map(|p| format!("/photos/{p}/256"))
}

/// A date `days` from now at `time` (Lisbon), made by `host` with `fields` (title, kind,
/// visibility …): the event's id and the date's key.
async fn a_date(app: &TestApp, host: &Member, days: i64, time: &str, fields: Value) -> (String, String) {
    let start = (Utc::now() + TimeDelta::days(days)).format(&format!("%Y-%m-%dT{time}")).to_string();
    let mut body = json!({"time_zone": "Europe/Lisbon", "starts_at_local": start, "virtual": {}});
    for (k, v) in fields.as_object().expect("fields") {
        body[k] = v.clone();
    }
    let (s, e) = app.post_json("/api/v1/events", Some(&host.token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let id = e["id"].as_str().expect("id").to_owned();
    let at = e["next"][0]["occurrence_start"].as_str().expect("date").to_owned();
    (id, at)
}

#[tokio::test]
async fn a_member_uploads_a_photo_and_their_choice_decides_who_sees_it() {
    let app = TestApp::spawn().await;
    let _admin = app.member("Admin").await;
    let ana = app.member("Ana Almeida").await;
    let ben = app.member("Ben").await;
    let b = signed_in(&app, &ana).await;
    let page = b.get("/profile/photo").await;
    assert!(
        page.body.contains("enctype=\"multipart/form-data\"") && page.body.contains(">AA<"),
        "{}",
        page.body
    );
    let (s, _) = upload(&b, "/profile/photo", "photo", png(900, 600)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let url = photo_of(&app, &ana.id).await.expect("a photo");
    assert!(b.get("/profile").await.body.contains(&url));

    // Served as JPEG, square, cacheable for a year by this browser only.
    let r = b.client.get(app.url(&url)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.headers()["cache-control"], "private, max-age=31536000, immutable");
    let img = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("a picture");
    assert_eq!((img.width(), img.height()), (256, 256));

    // Every member sees it by default; visitors never do.
    let ben_b = signed_in(&app, &ben).await;
    assert_eq!(ben_b.client.get(app.url(&url)).send().await.expect("get").status(), StatusCode::OK);
    assert!(ben_b.get(&format!("/members/{}", ana.id)).await.body.contains(&url));
    assert_eq!(app.client().get(app.url(&url)).send().await.expect("get").status(), StatusCode::NOT_FOUND);

    // Shown to partners only: Ben, not a partner, sees initials and gets 404 for the address.
    let (s, me) =
        app.patch_json("/api/v1/me", &ana.token, &json!({"visibility": {"photo": "partners"}})).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["visibility"]["photo"], "partners");
    assert_eq!(ben_b.client.get(app.url(&url)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    let seen = ben_b.get(&format!("/members/{}", ana.id)).await.body;
    assert!(!seen.contains(&url) && seen.contains(">AA<"), "{seen}");
    let (_, view) = app.get_json(&format!("/api/v1/members/{}", ana.id), Some(&ben.token)).await;
    assert!(view["photo"].is_null(), "{view}");

    // The same picture again keeps its address (it names the content); a new one gets a new
    // address, and the old one is gone.
    let (s, _) = upload(&b, "/profile/photo", "photo", png(300, 300)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(photo_of(&app, &ana.id).await.as_ref(), Some(&url));
    let (s, _) = upload(&b, "/profile/photo", "photo", png_in(300, 300, [200, 90, 40])).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let newer = photo_of(&app, &ana.id).await.expect("a photo");
    assert_ne!(newer, url);
    assert_eq!(b.client.get(app.url(&url)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pictures_we_do_not_take_are_refused_with_a_reason_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.member("Ana").await;
    let b = signed_in(&app, &ana).await;
    let (s, _) = upload(&b, "/profile/photo", "photo", png(100, 100)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let kept = photo_of(&app, &ana.id).await.expect("a photo");

    let mut big = png(10, 10);
    big.resize(5 * 1024 * 1024 + 10, 0);
    // A PNG header claiming 7,900 × 7,900 pixels: the check must come before the memory.
    let mut bomb = png(1, 1);
    bomb[16..24].copy_from_slice(&[0, 0, 0x1E, 0xDC, 0, 0, 0x1E, 0xDC]);
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    for (bytes, says) in [
        (b"just some words".to_vec(), "isn't a picture we can read"),
        (b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(), "Choose a JPEG, PNG or WebP picture"),
        (big, "larger than 5 MB"),
        (bomb, "too many pixels"),
        (Vec::new(), "Choose a picture to upload"),
    ] {
        let (s, page) = upload(&b, "/profile/photo", "photo", bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(page.contains(says) && page.contains("aria-invalid=\"true\""), "{says}: {page}");
        assert_eq!(photo_of(&app, &ana.id).await.as_ref(), Some(&kept), "{says}: the photo is unchanged");
    }
    // Far over the limit, the API answers 413 in its error shape.
    let r = app
        .client()
        .put(app.url("/api/v1/me/photo"))
        .bearer_auth(&ana.token)
        .header("content-type", "image/png")
        .body(vec![0u8; 7 * 1024 * 1024])
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(body["errors"].is_array(), "{body}");
    let r = app
        .client()
        .put(app.url("/api/v1/me/photo"))
        .bearer_auth(&ana.token)
        .body(b"not a picture".to_vec())
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(photo_of(&app, &ana.id).await.as_ref(), Some(&kept));
}

/// PNG's chunk checksum, for the edited header above.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[tokio::test]
async fn photos_are_exported_taken_down_by_admins_and_gone_with_the_account() {
    let app = TestApp::spawn().await;
    let admin = app.member("Admin").await;
    let ana = app.member("Ana").await;
    let put = |who: &Member| {
        app.client()
            .put(app.url("/api/v1/me/photo"))
            .bearer_auth(who.token.clone())
            .header("content-type", "image/png")
            .body(png(64, 64))
            .send()
    };
    assert_eq!(put(&ana).await.expect("put").status(), StatusCode::NO_CONTENT);
    let (s, export) = app.get_json("/api/v1/me/export", Some(&ana.token)).await;
    assert_eq!(s, StatusCode::OK);
    let pictures = export["pictures"].as_array().expect("pictures");
    assert_eq!(pictures.len(), 1, "{pictures:?}");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pictures[0]["base64"].as_str().expect("base64"))
        .expect("decodes");
    assert_eq!(image::load_from_memory(&bytes).expect("a picture").width(), 256);

    // Only an admin may take it down.
    let ana_b = signed_in(&app, &ana).await;
    let own = ana_b.post(&format!("/members/{}/photo/remove", ana.id), &[]).await;
    assert_eq!(own.status, StatusCode::NOT_FOUND);
    assert!(photo_of(&app, &ana.id).await.is_some());
    let admin_b = signed_in(&app, &admin).await;
    let page = admin_b.get(&format!("/members/{}", ana.id)).await;
    assert!(page.body.contains("Take down Ana's photo"), "{}", page.body);
    let done = admin_b.post(&format!("/members/{}/photo/remove", ana.id), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(photo_of(&app, &ana.id).await.is_none());
    assert!(admin_b.get(&format!("/members/{}", ana.id)).await.body.contains("Photo taken down."));

    // Deleting the account deletes its pictures.
    assert_eq!(put(&ana).await.expect("put").status(), StatusCode::NO_CONTENT);
    let (s, _) = app.delete_json("/api/v1/me", &ana.token, &json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(app.state.db.photos_of(&ana.id).await.expect("db").is_empty());
}

#[tokio::test]
async fn a_cover_shows_on_the_event_its_cards_and_its_link_preview() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let ben = app.member("Ben Costa").await;
    let fields =
        json!({"kind": "cowork", "title": "Friday focus", "visibility": "public", "show_to_visitors": true});
    let (id, at) = a_date(&app, &host, 3, "18:00", fields).await;
    let put = |who: &Member| {
        app.client()
            .put(app.url(&format!("/api/v1/events/{id}/cover")))
            .bearer_auth(who.token.clone())
            .body(png(1600, 900))
            .send()
    };
    assert_eq!(put(&ben).await.expect("put").status(), StatusCode::FORBIDDEN, "only the host");
    assert_eq!(put(&host).await.expect("put").status(), StatusCode::NO_CONTENT);
    let (_, view) = app.get_json(&format!("/api/v1/events/{id}"), Some(&host.token)).await;
    let cover = view["cover_url"].as_str().expect("a cover").to_owned();
    assert!(cover.ends_with("/1200"), "{cover}");

    // Visitors see it on the page, in the preview tags (absolute), and may fetch it.
    let visitor = app.client();
    let html =
        visitor.get(app.url(&format!("/events/{id}"))).send().await.expect("get").text().await.expect("body");
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains(&format!("<meta property=\"og:image\" content=\"{}{cover}\">", app.base)),
        "{html}"
    );
    let r = visitor.get(app.url(&cover)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let img = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("a picture");
    assert_eq!((img.width(), img.height()), (1200, 630));

    // The host counts as going, before anyone answers; seats are for the others.
    let html =
        visitor.get(app.url(&format!("/events/{id}"))).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Going:</strong> Ana, the host"), "{html}");
    // Ben goes; the events page shows him as a face on the card, after the host.
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{id}/rsvp"),
            &ben.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let host_b = signed_in(&app, &host).await;
    let events = host_b.get("/events").await.body;
    assert!(events.contains(">A<") && events.contains(">BC<") && events.contains("2 going"), "{events}");
    assert!(events.find(">A<") < events.find(">BC<"), "the host first");
    let page = host_b.get(&format!("/events/{id}")).await.body;
    assert!(page.contains("Ana <span class=\"meta\">(hosting)</span>"), "{page}");
    let html =
        visitor.get(app.url(&format!("/events/{id}"))).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Going:</strong> Ana and 1 more"), "{html}");

    // Removed, the address is gone for everyone.
    let (s, _) = app.delete_json(&format!("/api/v1/events/{id}/cover"), &host.token, &json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(visitor.get(app.url(&cover)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn faces_show_on_every_list_of_dates_the_group_page_and_the_dashboard() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let ben = app.member("Ben Costa").await;
    let group = crate::groups::group(&app, &host, "Lisbon Makers", "open").await;
    crate::groups::join_by_link(&app, &host, &group, &ben).await;
    let fields =
        json!({"kind": "meeting", "title": "Makers evening", "visibility": "group", "group_id": group});
    let (id, at) = a_date(&app, &host, 2, "18:00", fields).await;
    let (s, _) = app
        .put_json(
            &format!("/api/v1/events/{id}/rsvp"),
            &ben.token,
            &json!({"occurrence_start": at, "status": "going"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let b = signed_in(&app, &ben).await;
    let faces = |html: &str| {
        let card = &html[html.find("Makers evening").expect("the card")..];
        let card = &card[..card.find("</li>").expect("its end")];
        card.contains(">A<") && card.contains(">BC<") && card.contains("2 going")
    };
    let page = b.get(&format!("/groups/{group}")).await.body;
    assert!(faces(&page), "the group's coming dates: {page}");
    assert!(page.contains("class=\"date-badge\""), "{page}");
    let dashboard = b.get("/dashboard").await.body;
    assert!(faces(&dashboard), "the member's next two weeks: {dashboard}");
    assert!(dashboard.contains("you're going"), "{dashboard}");
}

#[tokio::test]
async fn a_card_shows_the_first_few_faces_and_counts_everyone_going_the_host_once() {
    let app = TestApp::spawn().await;
    let host = app.member("Ana").await;
    let group = crate::groups::group(&app, &host, "Porto Writers", "open").await;
    let mut going = Vec::new();
    for name in ["Cara Dias", "Dan", "Eva", "Fay", "Gus", "Hal", "Ben Costa"] {
        let m = app.member(name).await;
        crate::groups::join_by_link(&app, &host, &group, &m).await;
        going.push(m);
    }
    let fields =
        json!({"kind": "meeting", "title": "Writing morning", "visibility": "group", "group_id": group});
    let (id, at) = a_date(&app, &host, 3, "09:00", fields).await;
    let rsvp = |token: String| {
        let (app, id, at) = (&app, id.clone(), at.clone());
        async move {
            let body = json!({"occurrence_start": at, "status": "going"});
            let (s, _) = app.put_json(&format!("/api/v1/events/{id}/rsvp"), &token, &body).await;
            assert_eq!(s, StatusCode::OK);
        }
    };
    // They take their seats in this order, Cara first.
    for m in &going {
        rsvp(m.token.clone()).await;
    }
    let ben = going.last().expect("Ben");
    let cara = &going[0];
    let (s, _) =
        app.post_json(&format!("/api/v1/members/{}/block", cara.id), Some(&ben.token), &json!({})).await;
    assert!(s.is_success(), "{s}");
    let b = signed_in(&app, ben).await;
    let card = |html: String| {
        let card = &html[html.find("Writing morning").expect("the card")..];
        let card = &card[..card.find("</li>").expect("its end")];
        let faces: Vec<String> = card
            .split("avatar avatar-32")
            .skip(1)
            .map(|s| s[s.find('>').expect("tag") + 1..s.find('<').expect("end")].to_owned())
            .collect();
        let count = card
            .split("meta\">")
            .map(|s| &s[..s.find('<').expect("end")])
            .find(|s| s.ends_with(" going") && s.starts_with(char::is_numeric))
            .map(str::to_owned);
        (faces, count)
    };
    // The host first (not going yet, yet counted), then the first four in seat order; Cara,
    // blocked, counted but not shown.
    let (faces, count) = card(b.get("/dashboard").await.body);
    assert_eq!(faces, ["A", "D", "E", "F", "G"]);
    assert_eq!(count.as_deref(), Some("8 going"));
    // The host takes a seat last, far down the order: counted once, still.
    rsvp(host.token.clone()).await;
    let (faces, count) = card(b.get(&format!("/groups/{group}")).await.body);
    assert_eq!(faces, ["D", "E", "F", "G", "H"]);
    assert_eq!(count.as_deref(), Some("8 going"));
}
