//! A member's data leaving with them: everything they made or answered, as JSON (the API's
//! `/api/v1/me/export`) and as a ZIP archive of one JSON file per area, their pictures as JPEG
//! files, and a README that says what each file holds (the settings page's download).

use std::io::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use base64::Engine;
use serde_json::{json, Value};
use store::users::User;

use crate::error::{AppError, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::now_ms;

/// Everything stored about a member, as JSON.
pub async fn export_json(state: &AppState, user: &User) -> Result<serde_json::Value, AppError> {
    let p = state.db.profile(&user.id).await?.ok_or(AppError::NotFound)?;
    let u = &p.user;
    let tokens = state.db.tokens(&user.id).await?;
    let blocked = state.db.blocked_by(&user.id).await?;
    let mut doc = json!({
        "exported_at": now_ms(),
        "account": { "id": u.id, "email": u.email, "email_verified_at": u.email_verified_at, "created_at": u.created_at, "is_admin": u.is_admin == 1 },
        "profile": {
            "display_name": u.display_name, "trade": u.trade, "bio": u.bio,
            "city": { "id": u.city_id, "label": u.city_label, "lat": u.lat, "lon": u.lon },
            "timezone": u.timezone, "in_person": u.in_person == 1, "virtual": u.is_virtual == 1,
            "session_minutes": u.session_minutes, "company": u.company, "home_radius_m": u.home_radius_m,
            "skills_offered": p.offers, "help_wanted": p.needs,
            "availability": domain::profile::format_windows(&p.windows),
            "visibility": {
                "trade": u.vis_trade, "bio": u.vis_bio, "skills": u.vis_skills, "city": u.vis_city,
                "availability": u.vis_availability, "preferences": u.vis_preferences, "photo": u.vis_photo, "email": u.vis_email,
            },
        },
        "reminder_minutes": u.reminder_minutes,
        "notifications": state.db.notifications(&user.id, 1000).await?,
        "api_tokens": tokens,
        "sessions": state.db.sessions_of(&user.id, now_ms()).await?,
        "calendar_feed": state.db.feed_of(&user.id).await?.map(|(made, used)| json!({"created_at": made, "last_read_at": used})),
        "blocked_members": blocked.iter().map(|(id, name, at)| json!({"id": id, "display_name": name, "since": at})).collect::<Vec<_>>(),
        "partners": crate::partners::export(state, user).await?,
        "groups": crate::groups::export(state, user).await?,
        "goals": crate::goals::export(state, user).await?,
        "referrals": crate::referrals::export(state, user).await?,
        "contacts": crate::contacts::mine(state, user, None).await?,
        "pictures": pictures(state, user).await?,
    });
    // What the capabilities' own exports leave out, each in its area.
    for (area, section, rows) in state.db.personal_sections(&user.id).await? {
        if let Some(o) = doc.as_object_mut() {
            let slot = o.entry(area).or_insert_with(|| json!({}));
            if let Some(area) = slot.as_object_mut() {
                area.insert(section.to_owned(), Value::Array(rows));
            }
        }
    }
    Ok(doc)
}

/// The member's photo and the covers they uploaded, each at its largest size as base64 JPEG.
async fn pictures(state: &AppState, user: &User) -> Result<Vec<serde_json::Value>, AppError> {
    use base64::Engine;
    let mut out = Vec::new();
    for (id, kind, event_id) in state.db.photos_of(&user.id).await? {
        if let Some(bytes) = state.db.photo_largest(&id).await? {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            out.push(
                json!({ "kind": kind, "event_id": event_id, "content_type": "image/jpeg", "base64": data }),
            );
        }
    }
    Ok(out)
}

/// The archive's files: (name, the export's top-level keys it holds, what it is, for the README).
/// A key listed nowhere gets a file of its own, so nothing is ever left out.
const FILES: &[(&str, &[&str], &str)] = &[
    ("account.json", &["exported_at", "account", "profile", "reminder_minutes", "api_tokens", "sessions", "calendar_feed", "blocked_members", "notification_settings"],
     "your account and profile, who may see each field, your reminders, API tokens (names, never the secrets), browsers signed in, your calendar feed, members you blocked, and how and when you want to be told of things"),
    ("notifications.json", &["notifications"], "your latest notifications"),
    ("events.json", &["events"], "events you host and the dates you changed or called off, every answer you gave (going, maybe, waitlisted) with the goal you set for it, what you said in live rooms, visitors you wrote down at a door, and messages you sent to everyone going"),
    ("polls.json", &["polls"], "polls to find a time you made, the times they proposed, and your votes"),
    ("partners.json", &["partners"], "who may book you, your favourites, partnerships, focus-session bookings and your reliability marks"),
    ("groups.json", &["groups"], "your groups and role in each, groups you follow, your posts and replies, \"this helped\" marks, reports you made, your weekly board entries and the classification you hold"),
    ("goals.json", &["goals"], "your goals with their tasks, check-ins and comments, pauses, cheers you gave and comments you wrote on others' goals"),
    ("referrals.json", &["referrals"], "referral slips you gave and received with their history, one-to-ones with your notes, help given and received, and help you asked for, offered or answered"),
    ("venues.json", &["venues"], "venues you added or edited, your reviews, and the venues you marked as near your home"),
    ("contacts.json", &["contacts"], "your contacts with their tags and notes"),
];

fn readme(files: &[(String, String)], pictures: usize) -> String {
    let mut out = String::from(
        "Your data from Alongside\n========================\n\n\
         Everything you made or answered, as JSON (UTF-8), one file per area. Times are whole \
         milliseconds since 1970-01-01 UTC; zones are IANA names such as Europe/Lisbon. Other members \
         appear by the name everyone sees.\n\n",
    );
    for (name, what) in files {
        out.push_str(&format!("{name}\n    {what}.\n\n"));
    }
    if pictures > 0 {
        out.push_str(
            "pictures.json and photos/\n    your photo and the event covers you uploaded, at their largest size, \
             as JPEG files; pictures.json says which is which.\n\n",
        );
    }
    out
}

/// The archive of `doc` (as [`export_json`] made it).
pub fn archive(mut doc: Value) -> Result<Vec<u8>, AppError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("writing the export: {e}"));
    let Some(all) = doc.as_object_mut() else { return Err(fail(&"not an object")) };
    let pictures = all.remove("pictures").unwrap_or_default();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut listed = Vec::new();
    let mut files: Vec<(String, serde_json::Map<String, Value>, String)> = FILES
        .iter()
        .map(|(n, _, what)| ((*n).to_owned(), serde_json::Map::new(), (*what).to_owned()))
        .collect();
    for (key, value) in std::mem::take(all) {
        match FILES.iter().position(|(_, keys, _)| keys.contains(&key.as_str())) {
            Some(i) => {
                files[i].1.insert(key, value);
            }
            None => {
                let mut one = serde_json::Map::new();
                let name = format!("{key}.json");
                one.insert(key.clone(), value);
                files.push((name, one, key.replace('_', " ")));
            }
        }
    }
    for (name, content, what) in &files {
        let body = serde_json::to_vec_pretty(content).map_err(|e| fail(&e))?;
        zip.start_file(name.as_str(), options).map_err(|e| fail(&e))?;
        zip.write_all(&body).map_err(|e| fail(&e))?;
        listed.push((name.clone(), what.clone()));
    }
    let mut index = Vec::new();
    for (i, p) in pictures.as_array().into_iter().flatten().enumerate() {
        let kind = p["kind"].as_str().unwrap_or("picture");
        let file = format!("photos/{:02}-{kind}.jpg", i + 1);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p["base64"].as_str().unwrap_or_default())
            .map_err(|e| fail(&e))?;
        zip.start_file(file.as_str(), options).map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
        index.push(json!({"file": file, "kind": kind, "event_id": p["event_id"]}));
    }
    if !index.is_empty() {
        zip.start_file("pictures.json", options).map_err(|e| fail(&e))?;
        zip.write_all(&serde_json::to_vec_pretty(&index).map_err(|e| fail(&e))?).map_err(|e| fail(&e))?;
    }
    zip.start_file("README.txt", options).map_err(|e| fail(&e))?;
    zip.write_all(readme(&listed, index.len()).as_bytes()).map_err(|e| fail(&e))?;
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// `GET /settings/export`: the archive of all my data.
pub async fn download(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> PageResult {
    let bytes = archive(export_json(&state, &me).await?)?;
    let day = chrono::Utc::now().format("%Y-%m-%d");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"alongside-export-{day}.zip\"")),
        ],
        bytes,
    )
        .into_response())
}
