//! Prometheus metrics in the text exposition format: requests and latencies per route, the depth
//! of the job queues (read from the database at scrape time, so every instance agrees), and this
//! instance's cache of rendered calendar feeds.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    stat: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The instance's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    queue: Family<QueueLabels, Gauge>,
    feed_cache: Family<CacheLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("alongside");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let queue = Family::<QueueLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer HTTP requests", latency.clone());
        registry.register("jobs_queue_depth", "Background jobs waiting, by queue and state", queue.clone());
        let feed_cache = Family::<CacheLabels, Gauge>::default();
        registry.register(
            "feed_cache",
            "Rendered calendar feeds this instance keeps: bodies, bytes, and reads found or not since start",
            feed_cache.clone(),
        );
        Metrics { registry, requests, latency, queue, feed_cache }
    }
}

/// Middleware counting every request by method, matched route and status.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let resp = next.run(req).await;
    let m = &state.metrics;
    let status = resp.status().as_u16();
    m.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
    m.latency.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    match state.db.outbox_depth().await {
        Ok(d) => {
            let q = &state.metrics.queue;
            q.get_or_create(&QueueLabels { queue: "mail".into(), state: "pending".into() }).set(d.pending);
            q.get_or_create(&QueueLabels { queue: "mail".into(), state: "failed".into() }).set(d.failed);
        }
        Err(e) => tracing::warn!(error = %e, "queue depth unavailable"),
    }
    let (bodies, bytes, hits, misses) = state.feeds.stats();
    for (stat, v) in [("bodies", bodies as u64), ("bytes", bytes as u64), ("hits", hits), ("misses", misses)]
    {
        let v = i64::try_from(v).unwrap_or(i64::MAX);
        state.metrics.feed_cache.get_or_create(&CacheLabels { stat: stat.into() }).set(v);
    }
    let mut out = String::new();
    if encode(&mut out, &state.metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], out)
        .into_response()
}
