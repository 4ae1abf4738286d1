//! The state every handler shares: one `Arc`, cloned per request.

use std::ops::Deref;
use std::sync::Arc;

use store::Db;
use tokio::sync::Notify;

use crate::config::Config;
use crate::ops::metrics::Metrics;

/// Shared application state.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// What the state holds.
#[derive(Debug)]
pub struct Inner {
    /// The database.
    pub db: Db,
    /// Configuration as loaded.
    pub config: Config,
    /// Signs CSRF tokens; shared by every instance through the database.
    pub csrf_key: Vec<u8>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Wakes the mail job when a message is queued.
    pub mail_wakeup: Notify,
    /// This instance's live rooms.
    pub rooms: Arc<crate::rooms::hub::Hub>,
    /// The admin's run-time settings, as this instance last read them.
    pub site: crate::web::site::SiteCache,
    /// Rendered calendar files, by the versions of what they show.
    pub feeds: crate::web::cached::BodyCache,
}

impl AppState {
    /// Wraps the parts.
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
