//! Prometheus metrics: request counts and latencies by route, and the database pool.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool: Family<PoolLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("glocal");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests answered, by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer HTTP requests, by route", durations.clone());
        registry.register("db_pool_connections", "Database pool connections of this process", pool.clone());
        Arc::new(Metrics { registry, requests, durations, pool })
    }
}

/// Middleware: counts and times every request under its route pattern (never the raw path, so
/// ids do not explode the label set).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let mut response = next.run(req).await;
    let elapsed = start.elapsed().as_secs_f64();
    // Server time, for browsers' developer tools and for the load benchmarks.
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("app;dur={:.3}", elapsed * 1000.0)) {
        response.headers_mut().insert("server-timing", v);
    }
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    m.durations.get_or_create(&RouteLabels { method, route }).observe(elapsed);
    response
}

/// `GET /metrics` in the Prometheus text format.
pub async fn render(State(state): State<AppState>) -> Response {
    let (size, idle) = glocal_core::db::pool_stats(&state.core.db);
    state.metrics.pool.get_or_create(&PoolLabels { state: "idle".into() }).set(idle as i64);
    state.metrics.pool.get_or_create(&PoolLabels { state: "busy".into() }).set(size.saturating_sub(idle) as i64);
    let mut body = String::new();
    if prometheus_client::encoding::text::encode(&mut body, &state.metrics.registry).is_err() {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(axum::http::header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body)
        .into_response()
}
