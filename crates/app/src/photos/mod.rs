//! Members' photos and events' covers: reading an upload, processing it off the request
//! threads (at most two at a time), storing it in the database under a hash of its content, and
//! serving it at `/photos/{id}/{width}` with a year's cache lifetime to whoever may see it.
//! Uploads are the only requests whose bodies may be this large.

pub mod pages;
pub mod process;

use axum::body::Bytes;
use axum::extract::multipart::Field;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use domain::profile::Visibility;
use domain::FieldErrors;
use sha2::{Digest, Sha256};
use store::photos::NewPhoto;
use store::users::User;
use tokio::sync::Semaphore;

use self::process::{Kind, Refusal, MAX_BYTES};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::web::auth::MaybeUser;

/// How many pictures are decoded at once, across the instance's requests.
static DECODING: Semaphore = Semaphore::const_new(2);

/// The largest body an upload route reads: the file, and room for the form around it.
const UPLOAD_BODY: usize = MAX_BYTES + 64 * 1024;

/// Routes of photos and covers.
pub fn routes() -> Router<AppState> {
    let upload = || DefaultBodyLimit::max(UPLOAD_BODY);
    Router::new()
        .route("/photos/{id}/{width}", get(serve))
        .route("/profile/photo", get(pages::own_page).post(pages::upload_own).layer(upload()))
        .route("/profile/photo/remove", post(pages::remove_own))
        .route("/members/{id}/photo/remove", post(pages::remove_as_admin))
        .route("/events/{id}/cover", get(pages::cover_page).post(pages::upload_cover).layer(upload()))
        .route("/events/{id}/cover/remove", post(pages::remove_cover))
        .route("/api/v1/me/photo", put(pages::api_put_own).delete(pages::api_delete_own).layer(upload()))
        .route("/api/v1/members/{id}/photo", axum::routing::delete(pages::api_delete_as_admin))
        .route(
            "/api/v1/events/{id}/cover",
            put(pages::api_put_cover).delete(pages::api_delete_cover).layer(upload()),
        )
}

/// The field error a refused file gets.
pub fn refused(field: &str, why: Refusal) -> AppError {
    AppError::Invalid(FieldErrors::one(field, why.message()))
}

/// Checks and processes `bytes` into every size of `kind`, named by a hash of what makes it
/// (`owner`, the kind, `salt` such as a cover's event, and its files).
pub async fn prepare(
    bytes: Bytes,
    kind: Kind,
    owner: &str,
    salt: &str,
    field: &str,
) -> Result<NewPhoto, AppError> {
    if bytes.is_empty() {
        return Err(refused(field, Refusal::Empty));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refused(field, Refusal::TooLarge));
    }
    let _turn = DECODING.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    let files = tokio::task::spawn_blocking(move || process::process(&bytes, kind))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|why| refused(field, why))?;
    let mut hash = Sha256::new();
    for part in [owner, kind.as_str(), salt] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    for (_, bytes) in &files {
        hash.update(bytes);
    }
    let id: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    Ok(NewPhoto { id, files: files.into_iter().map(|(w, b)| (i64::from(w), b)).collect() })
}

/// Reads a multipart form's `csrf` and its file field `field`, stopping at the size limit.
pub async fn read_upload(form: &mut Multipart, field: &str) -> Result<(String, Bytes), AppError> {
    let (mut csrf, mut file) = (String::new(), Bytes::new());
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refused(field, Refusal::TooLarge)
        } else {
            AppError::Invalid(FieldErrors::one(field, "The upload didn't arrive whole. Try again."))
        }
    };
    while let Some(part) = form.next_field().await.map_err(broken)? {
        match part.name() {
            Some("csrf") => csrf = part.text().await.map_err(broken)?,
            Some(name) if name == field => {
                file = read_capped(part).await.map_err(|e| match e {
                    Capped::Large => refused(field, Refusal::TooLarge),
                    Capped::Broken(e) => broken(e),
                })?
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

enum Capped {
    Large,
    Broken(axum::extract::multipart::MultipartError),
}

async fn read_capped(mut part: Field<'_>) -> Result<Bytes, Capped> {
    let mut out = Vec::new();
    while let Some(chunk) = part.chunk().await.map_err(Capped::Broken)? {
        if out.len() + chunk.len() > MAX_BYTES {
            return Err(Capped::Large);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.into())
}

/// The address of a photo at `width`.
pub fn url(id: &str, width: u32) -> String {
    format!("/photos/{id}/{width}")
}

/// `GET /photos/{id}/{width}`: a member's photo to members their choice allows (and admins), or
/// a cover to whoever may open its event. Anything else is 404, as if it did not exist.
pub async fn serve(
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path((id, width)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let width: i64 = width.parse().map_err(|_| AppError::NotFound)?;
    let file = state.db.photo_file(&id, width).await?.ok_or(AppError::NotFound)?;
    let allowed = match file.kind.as_str() {
        store::photos::AVATAR => match (&viewer, &file.owner_visibility) {
            (Some(v), Some(level)) => may_see_photo(&state, v, &file.owner_id, level).await?,
            _ => false,
        },
        _ => match (&viewer, &file.event_id) {
            (Some(v), Some(event)) => state.db.event_for(event, &v.id).await?.is_some(),
            (None, Some(event)) => {
                crate::visitors::enabled(&state).await? && state.db.visitor_event(event).await?.is_some()
            }
            _ => false,
        },
    };
    if !allowed {
        return Err(AppError::NotFound.into());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            // The address names the content, so it never changes; private, as who may see it
            // was checked for this viewer.
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable")),
        ],
        file.bytes,
    )
        .into_response())
}

/// One face on an event card.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Face {
    pub id: String,
    pub name: String,
    pub photo: Option<String>,
}

/// Who is going to an occurrence: the first few faces and how many in all.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Faces {
    pub people: Vec<Face>,
    pub count: usize,
}

/// How many faces a card shows before the count says the rest.
const FACES_SHOWN: usize = 5;

/// The first few going to an occurrence (and its host wherever they are), each with whether
/// the viewer is shown them, and how many are going in all.
#[derive(Debug, Default)]
struct Going {
    first: Vec<(Face, bool)>,
    total: usize,
}

/// Who is going to listed occurrences, as one viewer may see them.
#[derive(Debug, Default)]
pub struct FaceBook {
    going: std::collections::HashMap<(String, i64), Going>,
    /// Each listed event's host, who counts as going.
    hosts: std::collections::HashMap<String, (Face, bool)>,
}

impl FaceBook {
    /// The faces of one occurrence: the host first, then the others in the order they took
    /// their seats; members blocked either way are counted but not shown.
    pub fn of(&self, event: &str, key: i64) -> Faces {
        let mut all: Vec<&(Face, bool)> = Vec::new();
        let (going, mut count) = match self.going.get(&(event.to_owned(), key)) {
            Some(g) => (g.first.as_slice(), g.total),
            None => (&[][..], 0),
        };
        if let Some(host) = self.hosts.get(event) {
            if !going.iter().any(|(f, _)| f.id == host.0.id) {
                all.push(host);
                count += 1;
            }
        }
        all.extend(going);
        let people =
            all.iter().filter(|(_, shown)| *shown).take(FACES_SHOWN).map(|(f, _)| f.clone()).collect();
        Faces { people, count }
    }
}

/// The faces of `occurrences` (event id, occurrence key), as `viewer` may see them.
pub async fn faces(
    state: &AppState,
    viewer: &User,
    occurrences: &[(String, i64)],
) -> Result<FaceBook, AppError> {
    let relations = crate::members::relations(state, viewer).await?;
    let blocked: std::collections::HashSet<String> =
        state.db.blocked_either_way_of(&viewer.id).await?.into_iter().collect();
    let face = |id: &str, name: &str, photo: Option<&str>, vis: &str| {
        let shown = shown_to(viewer, id, photo, vis, &relations);
        (Face { id: id.to_owned(), name: name.to_owned(), photo: shown }, !blocked.contains(id))
    };
    let mut book = FaceBook::default();
    // Enough to fill a card when some of the first are blocked and not shown.
    let first = FACES_SHOWN + blocked.len();
    for g in state.db.going_of(occurrences, first).await? {
        let f = face(&g.user_id, &g.display_name, g.photo_id.as_deref(), &g.vis_photo);
        let entry = book.going.entry((g.event_id, g.occurrence_start)).or_default();
        entry.first.push(f);
        entry.total = usize::try_from(g.total).unwrap_or(0);
    }
    let mut events: Vec<String> = occurrences.iter().map(|(e, _)| e.clone()).collect();
    events.sort_unstable();
    events.dedup();
    for h in state.db.hosts_of(&events).await? {
        book.hosts.insert(h.event_id, face(&h.user_id, &h.display_name, h.photo_id.as_deref(), &h.vis_photo));
    }
    Ok(book)
}

/// `items` for a template, each with `faces`: who is going to it, as `viewer` may see them.
/// `of` names an item's event and the occurrence's key.
pub async fn with_faces<T: serde::Serialize>(
    state: &AppState,
    viewer: &User,
    items: &[T],
    of: impl Fn(&T) -> (&str, i64),
) -> Result<Vec<minijinja::Value>, AppError> {
    let mut listed: Vec<(String, i64)> = items.iter().map(&of).map(|(e, k)| (e.to_owned(), k)).collect();
    listed.sort_unstable();
    listed.dedup();
    let book = if listed.is_empty() { FaceBook::default() } else { faces(state, viewer, &listed).await? };
    Ok(items
        .iter()
        .map(|i| {
            let (event, key) = of(i);
            minijinja::context! { faces => book.of(event, key), ..minijinja::Value::from_serialize(i) }
        })
        .collect())
}

/// `owner`'s photo if `viewer` may see it, by the relations `members::relations` loaded for a
/// list (blocked members are not in lists).
pub fn shown_to(
    viewer: &User,
    owner: &str,
    photo: Option<&str>,
    level: &str,
    relations: &std::collections::HashMap<String, domain::profile::Relation>,
) -> Option<String> {
    let relation = if viewer.id == owner {
        domain::profile::Relation::Myself
    } else {
        relations.get(owner).copied().unwrap_or(domain::profile::Relation::Member)
    };
    photo
        .filter(|_| Visibility::parse(level).unwrap_or(Visibility::Partners).allows(relation))
        .map(str::to_owned)
}

/// Whether `viewer` may see `owner`'s photo, shown to `level` (everyone | groups | partners).
pub async fn may_see_photo(
    state: &AppState,
    viewer: &User,
    owner: &str,
    level: &str,
) -> Result<bool, AppError> {
    if viewer.id == owner || viewer.is_admin == 1 {
        return Ok(true);
    }
    if state.db.blocked_either_way(&viewer.id, owner).await? {
        return Ok(false);
    }
    let relation = state.db.relation(&viewer.id, owner).await?;
    Ok(Visibility::parse(level).unwrap_or(Visibility::Partners).allows(relation))
}
