//! Contact pages: my contacts with the overdue ones first and a tag filter, adding one by hand or
//! the people of an event I went to, a contact with its edit form, "we were in touch today",
//! and import and export as vCard and CSV.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use minijinja::context;
use serde::{Deserialize, Serialize};
use store::contacts::ContactFields;
use store::users::User;

use super::{add_from_event, apply, cards, fields_of, mine, one, overdue, view, zone_of, ContactInput};
use crate::accounts::pages::error_map;
use crate::error::{AppError, PageQuery, PageResult};
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{self, CsrfToken, Posted};
use crate::web::now_ms;
use crate::web::templates::page;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListQuery {
    tag: String,
    notice: String,
    /// After adding the people of an event: how many were added, and left as they were.
    added: Option<usize>,
    skipped: Option<usize>,
}

/// The contact form's fields, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ContactForm {
    name: String,
    email: String,
    phone: String,
    company: String,
    trade: String,
    notes: String,
    met_at: String,
    tags: String,
    cadence_days: String,
    last_in_touch: String,
}

impl ContactForm {
    fn input(&self) -> ContactInput {
        ContactInput {
            name: Some(self.name.clone()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            company: Some(self.company.clone()),
            trade: Some(self.trade.clone()),
            notes: Some(self.notes.clone()),
            met_at: Some(self.met_at.clone()),
            tags: Some(self.tags.clone()),
            cadence_days: Some(self.cadence_days.clone()),
            last_in_touch: Some(self.last_in_touch.clone()),
        }
    }
}

async fn render_list(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    tag: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let contacts = mine(state, me, (!tag.is_empty()).then_some(tag)).await?;
    let late = overdue(state, me).await?;
    let mut tags: Vec<String> = state.db.contact_tags(&me.id).await?.into_iter().map(|(_, t)| t).collect();
    tags.sort();
    tags.dedup();
    let ctx = context! { contacts, overdue => late, tags, tag, ..extra };
    Ok((status, page("contacts.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /contacts`.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let notice = match (q.notice.as_str(), q.added) {
        ("event", Some(n)) => Some(format!(
            "Added {n} {} from the event{}.",
            if n == 1 { "person" } else { "people" },
            match q.skipped {
                Some(k) if k > 0 => format!("; {k} already in your contacts or blocked"),
                _ => String::new(),
            }
        )),
        ("deleted", _) => Some("Deleted.".to_owned()),
        _ => None,
    };
    render_list(&state, &me, &csrf, &q.tag, context! { notice }, StatusCode::OK).await
}

/// `POST /contacts`: add one by hand.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, csrf, .. }: Posted<ContactForm>,
) -> PageResult {
    let result = match apply(&form.input(), None, zone_of(&me)) {
        Ok(f) => Ok(state.db.create_contact(&me.id, &f, now_ms()).await?),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/contacts/{id}")).into_response()),
        Err(e) => {
            let extra = context! { errors => error_map(&e), values => form };
            render_list(&state, &me, &csrf, "", extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromEventForm {
    event: String,
    at: String,
}

/// `POST /contacts/from-event`: the people of an occurrence I went to.
pub async fn from_event(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Posted { form, .. }: Posted<FromEventForm>,
) -> PageResult {
    let key = crate::events::parse_key(&form.at)?;
    let (added, skipped) = add_from_event(&state, &me, &form.event, key).await?;
    Ok(Redirect::to(&format!("/contacts?notice=event&added={added}&skipped={skipped}")).into_response())
}

async fn render_one(
    state: &AppState,
    me: &User,
    csrf: &CsrfToken,
    id: &str,
    extra: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let (c, tags) = one(state, me, id).await?;
    let contact = view(me, &c, tags.clone());
    let values = ContactForm {
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        last_in_touch: contact.last_in_touch.clone().unwrap_or_default(),
        company: c.company.clone(),
        trade: c.trade.clone(),
        notes: c.notes.clone(),
        met_at: c.met_at.clone(),
        tags: tags.join(", "),
        cadence_days: c.cadence_days.map(|d| d.to_string()).unwrap_or_default(),
    };
    let ctx = context! { contact, values, ..extra };
    Ok((status, page("contact.html", Some(me), csrf, ctx)?).into_response())
}

/// `GET /contacts/{id}` (its owner only).
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    render_one(&state, &me, &csrf, &id, context! {}, StatusCode::OK).await
}

/// `POST /contacts/{id}`: save the edit form.
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Posted { form, csrf, .. }: Posted<ContactForm>,
) -> PageResult {
    let (c, tags) = one(&state, &me, &id).await?;
    match apply(&form.input(), Some(fields_of(&c, tags)), zone_of(&me)) {
        Ok(f) => {
            state.db.update_contact(&c.id, &f, now_ms()).await?;
            Ok(Redirect::to(&format!("/contacts/{}", c.id)).into_response())
        }
        Err(e) => {
            render_one(
                &state,
                &me,
                &csrf,
                &id,
                context! { errors => error_map(&e), values => form },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /contacts/{id}/touch`: we were in touch today.
pub async fn touch(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<ListQuery>,
) -> PageResult {
    let (c, _) = one(&state, &me, &id).await?;
    state.db.touch_contact(&c.id, now_ms()).await?;
    Ok(Redirect::to(&format!("/contacts/{}", c.id)).into_response())
}

/// `POST /contacts/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    _f: Posted<ListQuery>,
) -> PageResult {
    let (c, _) = one(&state, &me, &id).await?;
    state.db.delete_contact(&c.id).await?;
    Ok(Redirect::to("/contacts?notice=deleted").into_response())
}

/// All my contacts' fields, each with when we were last in touch (from any source).
pub async fn all_fields(state: &AppState, me: &User) -> Result<Vec<ContactFields>, AppError> {
    let tags = state.db.contact_tags(&me.id).await?;
    Ok(state
        .db
        .contacts(&me.id, None, now_ms())
        .await?
        .iter()
        .map(|c| ContactFields {
            last_contact_at: Some(c.last_in_touch),
            ..fields_of(c, tags.iter().filter(|(id, _)| *id == c.id).map(|(_, t)| t.clone()).collect())
        })
        .collect())
}

/// A file download.
pub fn download(body: String, kind: &str, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// `GET /contacts/export.vcf`.
pub async fn export_vcf(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> PageResult {
    Ok(download(
        cards::to_vcards(&all_fields(&state, &me).await?, zone_of(&me)),
        "text/vcard; charset=utf-8",
        "contacts.vcf",
    ))
}

/// `GET /contacts/export.csv`.
pub async fn export_csv(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> PageResult {
    let body = cards::to_csv(&all_fields(&state, &me).await?, zone_of(&me))?;
    Ok(download(body, "text/csv; charset=utf-8", "contacts.csv"))
}

/// Adds contacts read from a vCard or CSV file (told apart by their first line); those that
/// can't be added as they are, or whose email is already in my contacts, are skipped. Returns
/// (added, skipped).
pub async fn import_text(state: &AppState, me: &User, text: &str) -> Result<(usize, usize), AppError> {
    let read = if text.trim_start().to_uppercase().starts_with("BEGIN:VCARD") {
        cards::from_vcards(text)
    } else {
        cards::from_csv(text)
    };
    let people = read.map_err(|d| AppError::Invalid(FieldErrors::one("file", d)))?;
    if people.len() > 5000 {
        return Err(AppError::Invalid(FieldErrors::one("file", "Import at most 5,000 contacts at a time.")));
    }
    let mut known: std::collections::HashSet<String> = all_fields(state, me)
        .await?
        .into_iter()
        .map(|c| c.email.to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let (mut added, mut skipped) = (0, 0);
    for input in people {
        match apply(&input, None, zone_of(me)) {
            Ok(f) if f.email.is_empty() || !known.contains(&f.email.to_lowercase()) => {
                state.db.create_contact(&me.id, &f, now_ms()).await?;
                known.insert(f.email.to_lowercase());
                added += 1;
            }
            _ => skipped += 1,
        }
    }
    Ok((added, skipped))
}

/// `POST /contacts/import` (multipart: `csrf`, `file`).
pub async fn import(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    token: CsrfToken,
    mut form: Multipart,
) -> PageResult {
    let (mut sent, mut file) = (String::new(), Vec::new());
    let unreadable =
        || AppError::Invalid(FieldErrors::one("file", "The upload didn't arrive whole. Try again."));
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("csrf") => sent = field.text().await.map_err(|_| unreadable())?,
            Some("file") => file = field.bytes().await.map_err(|_| unreadable())?.to_vec(),
            _ => {}
        }
    }
    csrf::verify(&token, &sent)?;
    let text = String::from_utf8(file)
        .map_err(|_| AppError::Invalid(FieldErrors::one("file", "The file must be UTF-8 text.")));
    let result = match text {
        Ok(t) => import_text(&state, &me, &t).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((added, skipped)) => {
            let notice = format!(
                "Imported {added} contact{}{}.",
                if added == 1 { "" } else { "s" },
                if skipped > 0 { format!(", skipped {skipped}") } else { String::new() }
            );
            render_list(&state, &me, &token, "", context! { notice }, StatusCode::OK).await
        }
        Err(AppError::Invalid(e)) => {
            render_list(
                &state,
                &me,
                &token,
                "",
                context! { import_errors => error_map(&e) },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
