//! CSRF protection for every form: a signed double-submit token. Each browser gets a random
//! nonce in an HttpOnly cookie; forms carry HMAC(key, nonce) in a hidden `csrf` field. A forged
//! cross-site form can neither read the cookie nor compute the signature. (Session cookies are
//! also SameSite=Lax, which stops most cross-site posts on its own.)

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::web::secrets::random_token;

const COOKIE: &str = "alng_csrf";

/// This browser's nonce, put in the request by [`ensure_nonce`].
#[derive(Debug, Clone)]
struct Nonce(String);

/// Gives every browser a nonce cookie; runs before every handler.
pub async fn ensure_nonce(
    state: axum::extract::State<AppState>,
    jar: CookieJar,
    mut req: Request,
    next: Next,
) -> Response {
    let existing = jar.get(COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 43);
    let fresh = existing.is_none();
    let nonce = existing.unwrap_or_else(random_token);
    req.extensions_mut().insert(Nonce(nonce.clone()));
    let resp = next.run(req).await;
    if fresh {
        let cookie = Cookie::build((COOKIE, nonce))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(state.config.secure_cookies())
            .build();
        return (CookieJar::new().add(cookie), resp).into_response();
    }
    resp
}

fn sign(key: &[u8], nonce: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(nonce.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The token to put in this page's forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let nonce = parts
            .extensions
            .get::<Nonce>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("csrf layer missing")))?;
        Ok(CsrfToken(sign(&state.csrf_key, &nonce.0)))
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Checks the token a form sent against this page's (for forms [`Posted`] cannot read, such as
/// file uploads).
pub fn verify(expected: &CsrfToken, sent: &str) -> Result<(), PageError> {
    if bool::from(sent.as_bytes().ct_eq(expected.0.as_bytes())) {
        Ok(())
    } else {
        Err(refused())
    }
}

/// The answer to a form without a valid token (or a body that cannot carry one).
pub fn refused() -> PageError {
    PageError(AppError::Forbidden(
        "This form has expired or came from another site. Go back, reload the page and try again.",
    ))
}

/// A form body whose CSRF token has been checked, with this page's token for re-rendering.
#[derive(Debug)]
pub struct Posted<T> {
    /// The form's fields.
    pub form: T,
    /// This page's token, for a form shown again with errors.
    pub csrf: CsrfToken,
    /// The body as sent, for fields that repeat (`with=a&with=b`), which serde's form reader
    /// does not collect.
    pub raw: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let csrf = CsrfToken::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map_err(|_| AppError::Invalid(domain::FieldErrors::one("form", "The form was too large.")))?;
        if bytes.windows(3).any(|w| w == b"%00") || bytes.contains(&0) {
            return Err(PageError(AppError::Invalid(domain::FieldErrors::one(
                "form",
                "The form holds a character we can't store; remove it and try again.",
            ))));
        }
        let sent: CsrfField =
            serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: String::new() });
        verify(&csrf, &sent.csrf)?;
        // The token is this extractor's, not the form's: a form type shared with the API refuses
        // unknown fields, and the token must not count as one.
        let unreadable = |e: String| {
            AppError::Invalid(domain::FieldErrors::one("form", format!("The form could not be read: {e}")))
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|e| unreadable(e.to_string()))?;
        let fields: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "csrf").collect();
        let fields = serde_urlencoded::to_string(fields).map_err(|e| unreadable(e.to_string()))?;
        let form = serde_urlencoded::from_str(&fields).map_err(|e| unreadable(e.to_string()))?;
        Ok(Posted { form, csrf, raw: String::from_utf8_lossy(&bytes).into_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_nonce() {
        assert_eq!(sign(b"k", "n"), sign(b"k", "n"));
        assert_ne!(sign(b"k", "n"), sign(b"k", "m"));
        assert_ne!(sign(b"k", "n"), sign(b"j", "n"));
    }
}

/// A multipart form (an upload) read whole, its CSRF token checked: the twin of [`Posted`] for
/// forms with a file. Text fields by name; the file field's bytes.
#[derive(Debug, Default)]
pub struct Uploaded {
    fields: std::collections::HashMap<String, String>,
    /// The file sent in the field named when reading (empty when none was chosen).
    pub file: Vec<u8>,
}

impl Uploaded {
    /// Reads every field of `form`, the file from `file_field`; a body cut short is an error on
    /// that field, a wrong token is refused as any form's is.
    pub async fn read(
        token: &CsrfToken,
        mut form: axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Uploaded, PageError> {
        let unreadable = || {
            crate::error::AppError::Invalid(domain::FieldErrors::one(
                file_field,
                "The upload didn't arrive whole. Try again.",
            ))
        };
        let mut out = Uploaded::default();
        while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
            let name = field.name().unwrap_or("").to_owned();
            if name == file_field {
                out.file = field.bytes().await.map_err(|_| unreadable())?.to_vec();
            } else if !name.is_empty() {
                let value = field.text().await.map_err(|_| unreadable())?;
                out.fields.insert(name, value);
            }
        }
        verify(token, &out.text("csrf"))?;
        Ok(out)
    }

    /// A text field as sent; empty when it was not.
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}
