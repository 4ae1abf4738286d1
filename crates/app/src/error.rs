//! One error type for every handler. API handlers answer JSON
//! `{"errors":[{"field": …, "detail": …}]}`; pages answer a friendly HTML page via [`PageError`].
//! Internal causes are logged (inside the request's span, so with its request id) and never shown.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::FieldErrors;
use serde_json::json;

/// What went wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such thing, or not for your eyes.
    #[error("not found")]
    NotFound,
    /// Sign in first.
    #[error("sign in required")]
    Unauthorized,
    /// Signed in, but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The input had problems, field by field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The input clashes with what exists (e.g. an email in use).
    #[error("conflict")]
    Conflict(FieldErrors),
    /// The body is larger than this route takes.
    #[error("payload too large")]
    TooLarge,
    /// Slow down; try again after this many seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// A bug or an outage: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, AppError>;

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A sentence for the person, never an internal cause.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "We couldn't find that page.".into(),
            AppError::Unauthorized => "Please sign in first.".into(),
            AppError::Forbidden(why) => (*why).into(),
            AppError::Invalid(_) => "Some of what you entered needs another look.".into(),
            AppError::Conflict(_) => "That clashes with something that already exists.".into(),
            AppError::TooLarge => "That is more than this address takes in one request.".into(),
            AppError::TooManyRequests(s) => {
                format!("Too many attempts. Please wait {s} seconds and try again.")
            }
            AppError::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again.".into()
            }
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }

    fn add_headers(&self, resp: &mut Response) {
        match self {
            AppError::TooManyRequests(secs) => {
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            AppError::Unauthorized => {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let errors = match &self {
            AppError::Invalid(f) | AppError::Conflict(f) => serde_json::to_value(f).unwrap_or_default(),
            other => json!([{ "field": null, "detail": other.public_message() }]),
        };
        let mut resp = (self.status(), Json(json!({ "errors": errors }))).into_response();
        self.add_headers(&mut resp);
        resp
    }
}

/// The same errors, rendered as an HTML page for browsers.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// Query parameters of a page; unreadable ones get the friendly error page (422), not a bare 400
/// (the conversion goes through `AppError`'s `From<QueryRejection>`).
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(PageError))]
pub struct PageQuery<T>(pub T);

/// Result of a page handler.
pub type PageResult = Result<Response, PageError>;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        if matches!(e, AppError::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let html = crate::web::templates::render_error(e.status(), &e.public_message());
        let mut resp = (e.status(), html).into_response();
        e.add_headers(&mut resp);
        resp
    }
}
