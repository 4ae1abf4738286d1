//! What every page a member reaches must get right, found by crawling from the dashboard as a
//! member with a goal, an event, a group and a contact: a `<title>` of plain text (no markup, so
//! no form and no secret lands in tabs, history or bookmarks), no `id` used twice (a label
//! would focus the wrong field), no word written twice in a row ("new new here"), and no day
//! written the machine's way ("2026-12-06") where people read it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::json;

use crate::support::{TestApp, PASSWORD};

/// Paths a crawl must not follow: they act, download or leave the pages.
fn skip(path: &str) -> bool {
    [
        "/logout",
        "/assets/",
        "/api/",
        "/feeds/",
        "/settings/export",
        "/contacts/export",
        ".ics",
        ".csv",
        "/room/ws",
    ]
    .iter()
    .any(|s| path.contains(s))
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|l| l.replace("&amp;", "&").replace("&#x2f;", "/"))
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.split('#').next().unwrap_or("").to_owned())
        .collect()
}

/// What the page shows as text (tags and their attributes left out).
fn visible_text(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// A day written the machine's way ("2026-12-06") where people read, if any. Days are written
/// for people ("Sun 6 Dec"); only a hint showing what to type may show the typed form ("like
/// 2026-11-20", "Like 2026-12-25 closed; 2026-12-24 09:00-13:00").
fn iso_day(html: &str) -> Option<String> {
    let text = visible_text(html);
    let words: Vec<&str> = text.split_whitespace().collect();
    words.iter().enumerate().find_map(|(i, w)| {
        let digits = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
        let iso = digits.len() == 10
            && digits
                .bytes()
                .enumerate()
                .all(|(k, b)| if k == 4 || k == 7 { b == b'-' } else { b.is_ascii_digit() });
        let hint = words[i.saturating_sub(4)..i].iter().any(|w| ["like", "Like", "e.g."].contains(w));
        (iso && !hint).then(|| words[i.saturating_sub(3)..(i + 2).min(words.len())].join(" "))
    })
}

/// A word written twice in a row in what the page shows ("new new here"), if any: in the
/// navigation, and in the page's main content (one ends where the other begins).
fn doubled_word(html: &str) -> Option<String> {
    let (header, main) = html.split_once("<main").unwrap_or((html, ""));
    doubled_in(&visible_text(header)).or_else(|| doubled_in(&visible_text(&format!("<body{main}"))))
}

fn doubled_in(text: &str) -> Option<String> {
    // Neighbours as the page shows them: a word, then the same word (a badge's "new" beside
    // "new here" reads "new new here" too).
    let flat: Vec<&str> = text.split_whitespace().collect();
    flat.windows(2)
        .find(|w| w[0] == w[1] && w[0].chars().count() > 1 && w[0].chars().all(char::is_alphabetic))
        .map(|w| format!("{} {}", w[0], w[1]))
}

fn ids(html: &str) -> Vec<String> {
    html.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

#[tokio::test]
async fn every_page_has_a_plain_title_and_no_id_twice() {
    let app = TestApp::spawn().await;
    let me = app.member_at("Rita", "rita@example.org").await;
    let other = app.member("Sam").await;
    let (_, goal) = app
        .post_json(
            "/api/v1/goals",
            Some(&me.token),
            &json!({"title": "Ship the portfolio", "visibility": "private", "target_date": "2031-03-31"}),
        )
        .await;
    let start = (chrono::Utc::now() + chrono::TimeDelta::days(2)).format("%Y-%m-%dT10:00").to_string();
    let (_, event) = app
        .post_json(
            "/api/v1/events",
            Some(&me.token),
            &json!({"kind": "cowork", "title": "Library morning", "time_zone": "UTC", "starts_at_local": start, "virtual": {}}),
        )
        .await;
    let group = crate::groups::group(&app, &me, "Writers' circle", "open").await;
    app.post_json(
        "/api/v1/contacts",
        Some(&me.token),
        &json!({"name": "Ana Sousa", "email": "ana@example.org", "last_in_touch": "2025-10-01", "cadence_days": "30"}),
    )
    .await;
    let b = app.browser().await;
    b.login(&me.email, PASSWORD).await;

    let mut queue: VecDeque<String> = [
        "/dashboard".to_owned(),
        format!("/goals/{}", goal["id"].as_str().unwrap_or("")),
        format!("/events/{}", event["id"].as_str().unwrap_or("")),
        format!("/groups/{group}"),
        format!("/members/{}", other.id),
        "/help".to_owned(),
        "/settings".to_owned(),
    ]
    .into();
    let mut seen = BTreeSet::new();
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= 150 || !seen.insert(path.clone()) {
            continue;
        }
        let page = b.get(&path).await;
        if page.status != reqwest::StatusCode::OK || !page.body.contains("<html") {
            continue;
        }
        let title = page.body.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("");
        if title.contains('<') || title.contains("&lt;") || title.contains('\n') {
            problems.insert(format!("{path}: title"), title.to_owned());
        }
        if let Some(twice) = doubled_word(&page.body) {
            problems.insert(format!("{path}: a word twice"), twice);
        }
        if let Some(day) = iso_day(&page.body) {
            problems.insert(format!("{path}: a day written as ISO"), day);
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for id in ids(&page.body) {
            *counts.entry(id).or_default() += 1;
        }
        let twice: Vec<String> = counts.into_iter().filter(|(_, n)| *n > 1).map(|(id, _)| id).collect();
        if !twice.is_empty() {
            problems.insert(format!("{path}: ids used twice"), twice.join(", "));
        }
        for l in links(&page.body) {
            if !skip(&l) && !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    assert!(seen.len() > 30, "the crawl reached the pages: {seen:?}");
    assert!(problems.is_empty(), "{problems:#?}");
}
