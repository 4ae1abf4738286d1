//! Notifications (C10): the one path every capability raises them through, honouring each
//! member's choice per category and their quiet hours (`send.rs`); the bell with its unread
//! count on every page, kept current by htmx polling while a page is open; the list of my
//! notifications, paged; marking one or all read; settings and one-click unsubscribe links
//! (`prefs.rs`); daily and weekly digests and the weekly summary (`digest.rs`, `summary.rs`);
//! and the same through the API. Notifications are their member's alone.

pub mod api;
pub mod digest;
pub mod pages;
pub mod prefs;
pub mod send;
pub mod summary;

pub use send::{recipient, recipient_of, send, send_as, Mail, Recipient};

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Notifications a page shows at a time.
pub const PAGE: i64 = 30;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::list))
        .route("/notifications/bell", get(pages::bell))
        .route("/notifications/read", post(pages::read_all))
        .route("/notifications/{id}/read", post(pages::read_one))
        .route("/notifications/{id}/open", get(pages::open))
        .route("/api/v1/me/notifications", get(api::list))
        .route("/api/v1/me/notifications/read", post(api::read))
        .route("/settings/notifications", get(prefs::settings_page).post(prefs::settings_post))
        .route("/api/v1/me/notification-preferences", get(prefs::get_api).put(prefs::put_api))
        .route("/unsubscribe/{token}", get(prefs::unsubscribe_page).post(prefs::unsubscribe_post))
}

/// Up to `limit` of the user's notifications older than `before`, and the cursor of the page
/// after them when there is one.
pub async fn page_of(
    state: &AppState,
    user: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<(Vec<store::notifications::Notification>, Option<String>), crate::error::AppError> {
    let mut items = state.db.notifications_before(user, before, limit + 1).await?;
    if items.len() as i64 <= limit {
        return Ok((items, None));
    }
    items.truncate(limit as usize);
    let next = items.last().map(cursor_of);
    Ok((items, next))
}

/// A cursor for the page after the one ending with this notification: "created_at.id".
pub fn cursor_of(n: &store::notifications::Notification) -> String {
    format!("{}.{}", n.created_at, n.id)
}

/// Reads a cursor back; `None` for anything else (then the list starts from the newest).
pub fn parse_cursor(s: &str) -> Option<(i64, &str)> {
    let (at, id) = s.split_once('.')?;
    Some((at.parse().ok()?, id))
        .filter(|(_, id)| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_rubbish_starts_over() {
        let n = store::notifications::Notification {
            id: "abc123".into(),
            kind: "x".into(),
            title: "t".into(),
            link: String::new(),
            created_at: 1_700_000_000_000,
            read_at: None,
        };
        assert_eq!(parse_cursor(&cursor_of(&n)), Some((1_700_000_000_000, "abc123")));
        for bad in ["", "1.", ".abc", "x.abc", "1.a'b", "12"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
