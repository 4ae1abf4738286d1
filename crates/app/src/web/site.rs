//! The admin's run-time settings (site name, sign-up, visitor pages, legal text), read by every
//! page. Each instance keeps them for at most [`FRESH`] before reading them again, so a change
//! made through any instance shows on every instance within that (the admin console promises 5
//! seconds); the instance that saved them forgets its copy at once.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use store::settings::SiteSettings;
use store::Db;

use crate::state::AppState;

/// How long an instance trusts its copy.
pub const FRESH: Duration = Duration::from_secs(2);

/// This instance's copy of the settings and when it was read.
#[derive(Debug, Default)]
pub struct SiteCache {
    held: RwLock<Option<(Instant, Arc<SiteSettings>)>>,
    /// Held by the one request that reads the database for everyone; the others keep using the
    /// copy they have meanwhile.
    reading: tokio::sync::Mutex<()>,
}

impl SiteCache {
    fn fresh(&self) -> Option<Arc<SiteSettings>> {
        let held = self.held.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.as_ref().filter(|(at, _)| at.elapsed() < FRESH).map(|(_, s)| s.clone())
    }

    fn any(&self) -> Option<Arc<SiteSettings>> {
        let held = self.held.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.as_ref().map(|(_, s)| s.clone())
    }

    /// The settings, read again when this copy is older than [`FRESH`]. A database that does not
    /// answer leaves the last copy in use (or the defaults), logged.
    pub async fn get(&self, db: &Db) -> Arc<SiteSettings> {
        if let Some(s) = self.fresh() {
            return s;
        }
        let Ok(_reading) = self.reading.try_lock() else {
            return self.any().unwrap_or_default();
        };
        match db.site_settings().await {
            Ok(s) => {
                let s = Arc::new(s);
                *self.held.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((Instant::now(), s.clone()));
                s
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the site settings");
                self.any().unwrap_or_default()
            }
        }
    }

    /// Drops this instance's copy (after saving new settings).
    pub fn forget(&self) {
        *self.held.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

tokio::task_local! {
    static SITE: Arc<SiteSettings>;
}

/// Layer: the request runs with the site's settings at hand for its templates.
pub async fn site_scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let site = state.site.get(&state.db).await;
    SITE.scope(site, next.run(req)).await
}

/// Runs `f` with `site` at hand (for work outside a request, such as the mail job).
pub async fn within<F: std::future::Future>(site: Arc<SiteSettings>, f: F) -> F::Output {
    SITE.scope(site, f).await
}

/// The settings of the request (or of `within`); the defaults outside either.
pub fn current() -> Arc<SiteSettings> {
    SITE.try_with(Clone::clone).unwrap_or_default()
}

/// What the site calls itself.
pub fn name() -> String {
    current().name.clone()
}
