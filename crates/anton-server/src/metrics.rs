//! The admin listener: `GET /metrics` in the Prometheus text format, plain HTTP on its own
//! address (never the public port). Anything else is a 404; a stopping node stops serving it.
//! Each scrape first pings the database and reads the read pool's use (`anton_database_up`,
//! `anton_database_pool_connections`), then the webhook backlog and the live rails' health (each
//! at most 2 s; on failure those gauges keep their last values and the scrape still answers).

use std::time::Duration;

use anton_engine::Engine;
use anton_metrics::CONTENT_TYPE;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Serves `engine`'s metrics on `listener` until `stop` turns true.
pub async fn serve(listener: TcpListener, engine: Engine, mut stop: watch::Receiver<bool>) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving metrics at http://{addr}/metrics");
    }
    let app = Router::new()
        .route("/metrics", get(render))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(engine);
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stopped)
        .await
    {
        tracing::warn!(error = %e, "the metrics listener failed");
    }
}

async fn render(State(engine): State<Engine>) -> impl IntoResponse {
    engine.store().sample_database(Duration::from_secs(2)).await;
    match tokio::time::timeout(Duration::from_secs(2), engine.sample_webhook_backlog()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "reading the webhook backlog for metrics failed"),
        Err(_) => tracing::warn!("reading the webhook backlog for metrics took over 2 s"),
    }
    match tokio::time::timeout(Duration::from_secs(2), engine.sample_rail_health()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "reading the rails' health for metrics failed"),
        Err(_) => tracing::warn!("reading the rails' health for metrics took over 2 s"),
    }
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        engine.metrics().render(),
    )
}
