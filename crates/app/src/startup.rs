//! Building and running the application: the one function `main` and every test call.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::extract::MatchedPath;
use axum::http::{header, HeaderValue, Request};
use axum::middleware;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use store::Db;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::ops::metrics::Metrics;
use crate::state::{AppState, Inner};
use crate::web::secrets::random_token;
use crate::{
    accounts, admin, contacts, events, goals, groups, mail, members, notifications, ops, partners, polls,
    profiles, referrals, rooms, venues, web,
};

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Opens the database named in the config and brings its schema up to date.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose()).await?;
    db.migrate().await?;
    Ok(db)
}

/// What the request log names a path that matches no route.
const UNMATCHED: &str = "(no route)";

/// Every route, with the layers every request goes through.
pub fn router(state: AppState) -> Router {
    let request_id = header::HeaderName::from_static("x-request-id");
    let mut routes = Router::new()
        .merge(accounts::routes())
        .merge(profiles::routes())
        .merge(members::routes())
        .merge(events::routes())
        .merge(groups::routes())
        .merge(goals::routes())
        .merge(venues::routes())
        .merge(referrals::routes())
        .merge(contacts::routes())
        .merge(notifications::routes())
        .merge(admin::routes())
        .merge(polls::routes())
        .merge(partners::routes())
        .merge(rooms::routes())
        .merge(ops::routes())
        .merge(crate::visitors::routes())
        .merge(crate::photos::routes())
        .merge(crate::mail::strangers::routes())
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/assets/{name}", get(web::assets::serve))
        .route("/favicon.ico", get(web::assets::favicon))
        .fallback(|| async { crate::error::PageError(crate::error::AppError::NotFound) })
        .layer(middleware::from_fn(web::dates::clock_scope))
        .layer(middleware::from_fn_with_state(state.clone(), web::site::site_scope))
        .layer(middleware::from_fn_with_state(state.clone(), web::flash::carry))
        .layer(middleware::from_fn_with_state(state.clone(), web::csrf::ensure_nonce))
        .layer(middleware::from_fn_with_state(state.clone(), ops::metrics::track))
        .layer(middleware::from_fn(web::refuse_nul))
        .layer(middleware::from_fn(web::api_error_shape))
        .layer(middleware::from_fn(web::drain_unread_body))
        .layer(web::compress::layer())
        .layer(middleware::from_fn(web::compress::etag_per_encoding))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages, API answers and downloads may hold a secret (a new token or feed address, an
        // export) or a member's private data: no cache keeps them, unless a response says
        // otherwise (assets and calendar feeds do).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    if state.config.public_url().starts_with("https://") {
        // Browsers that reached us over https once never try plain http again for a year.
        routes = routes.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    routes
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The route's pattern, never the path as typed: reset links, feeds, invitations and
            // unsubscribe links carry a secret in the path, and a path no route matches may
            // carry anything.
            let route = req.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str);
            tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // A bug that panics answers 500 (and is logged) instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// A built application, listening but not yet serving.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, loads shared secrets and binds the listener.
    pub async fn build(mut config: Config) -> anyhow::Result<Application> {
        let db = open_db(&config).await?;
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        if config.public_url.is_none() {
            config.public_url = Some(format!("http://{}", listener.local_addr()?));
        }
        // One CSRF key for all instances sharing this database.
        let csrf_key = db.setting_or_init("csrf_key", &random_token()).await?.into_bytes();
        let feeds = web::cached::BodyCache::new(config.feed_cache_mb.saturating_mul(1 << 20));
        let state = AppState::new(Inner {
            feeds,
            metrics: Metrics::default(),
            mail_wakeup: Notify::new(),
            rooms: std::sync::Arc::new(rooms::hub::Hub::new(db.clone())),
            db,
            config,
            csrf_key,
            site: web::site::SiteCache::default(),
        });
        Ok(Application { listener, state })
    }

    /// The address actually bound (useful with port 0).
    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and stops the jobs.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let state = self.state.clone();
        let transport = mail::Transport::from_config(&state.config)?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mail_job = tokio::spawn(mail::run(state.clone(), transport, stop_rx.clone()));
        let purge_job = tokio::spawn(purge_expired(state.clone(), stop_rx.clone()));
        let reminder_job = tokio::spawn(events::reminders::run(state.clone(), stop_rx.clone()));
        let pairing_job = tokio::spawn(partners::slots::run(state.clone(), stop_rx.clone()));
        let room_job = tokio::spawn(rooms::job::run(state.clone(), stop_rx.clone()));
        let nudge_job = tokio::spawn(goals::nudges::run(state.clone(), stop_rx.clone()));
        let digest_job = tokio::spawn(notifications::digest::run(state.clone(), stop_rx.clone()));
        let access_watch = tokio::spawn(rooms::revoke::watch(state.clone(), stop_rx.clone()));
        let room_listener = tokio::spawn(rooms::hub::listen(state.db.clone(), state.rooms.clone(), stop_rx));
        // Room connections are upgraded out of the server's hands: tell them to close when it stops.
        let hub = state.rooms.clone();
        let shutdown = async move {
            shutdown.await;
            hub.close_all();
        };
        tracing::info!(address = %self.address(), url = %state.config.public_url(), "Alongside is listening");
        let listener = self.listener.tap_io(bound_send_buffer);
        axum::serve(listener, router(state.clone()).into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        let _ = stop_tx.send(true);
        let _ = tokio::join!(
            mail_job,
            purge_job,
            reminder_job,
            pairing_job,
            room_job,
            nudge_job,
            digest_job,
            room_listener,
            access_watch
        );
        state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// What the kernel may hold unsent for one connection (it doubles the figure for bookkeeping).
const SEND_BUFFER_BYTES: usize = 256 * 1024;

/// Caps an accepted connection's kernel send buffer. Left to autotuning it grows to megabytes, so a
/// room member who stops reading would pin that much before their writes stall and the room drops
/// them; pages and feeds are far smaller than this.
fn bound_send_buffer(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = socket2::SockRef::from(&*tcp).set_send_buffer_size(SEND_BUFFER_BYTES) {
        tracing::debug!(error = %e, "send buffer left as is");
    }
}

/// Hourly clean-up of expired sessions and reset links, and of visitors' answers that lapsed
/// or whose date is 30 days gone.
async fn purge_expired(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = web::ratelimit::purge(&state).await {
            tracing::warn!(error = ?e, "old sign-in attempts not purged");
        }
        match state.db.purge_expired(web::now_ms()).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions and reset links removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
        match state.db.purge_visitor_answers(web::now_ms()).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "visitors' answers forgotten"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "visitors' answers not purged"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
