//! `offlabel serve`: the HTTP API and the web page, from one process.
//!
//! [`app`] builds the [`axum::Router`]: the JSON API under `/v1` (documented by the
//! OpenAPI 3.1 document at `/openapi.json`), `/healthz`, and the server-rendered web
//! page (`/`, `/ask`, `/drugs`, `/conditions`, `/check`, `/sources`). [`serve`] runs it on
//! a listener until a shutdown future resolves; [`run`] is the blocking entry point the
//! `offlabel` command uses.
//!
//! This crate is the only one that knows HTTP, and it holds no medical logic: answers
//! come from [`Engine::ask`], patient checks from [`Engine::check`], the browsing
//! pages read [`offlabel_pack::Pack`] records and the engine's ranking helpers, and
//! `GET /v1/signals` is a run of `offlabel-signals` over the report store.
//!
//! Logs go through `tracing`. Nothing here logs question text or patient details, at
//! any level: requests are logged (at `debug`) by method, route pattern, status and
//! latency only.

mod api;
mod body;
mod cache;
mod cds;
mod conn;
mod error;
mod openapi;
mod reports;
mod signals;
mod web;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use offlabel_engine::Engine;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use cds::CdsConfig;
pub use error::ApiError;
pub use reports::ReportsConfig;

/// Limits and options of the server. [`ServerConfig::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes; larger bodies get 413. Default 64 KiB.
    pub body_limit: usize,
    /// Longest time one request may take, queueing included; slower ones get 503. Default 10 s.
    pub timeout: Duration,
    /// Requests handled at once across the server; more wait their turn (within the
    /// timeout). Default 256. `/healthz` is outside this limit, and a request enters it
    /// only once its body has arrived, so slow uploads cannot starve the handlers.
    pub concurrency: usize,
    /// Longest time a client may take to send a request's headers, in full; slower
    /// connections are closed. Waiting for the next request on a kept-alive connection
    /// counts as header reading, so this also closes idle connections. Default 10 s.
    pub header_read_timeout: Duration,
    /// Longest time a connection may go with no request in progress and no byte moving
    /// either way (a client that stops reading its response, say); it is then closed.
    /// Default 60 s.
    pub idle_timeout: Duration,
    /// Longest time a client may take to send a request body, from its first byte to
    /// its last; slower ones get 408 and the connection is closed. Default 30 s.
    pub body_timeout: Duration,
    /// Origins allowed to call the API from a browser (CORS). Empty: no CORS headers
    /// (same-origin only). `*`: any origin.
    pub cors_origins: Vec<String>,
    /// Memory for cached `/v1/ask` responses, in bytes; 0 turns the cache off.
    /// Default 8 MiB. The engine is deterministic over the embedded pack, so a cached
    /// answer is byte-for-byte the answer the engine would give again.
    pub cache_bytes: usize,
    /// The adverse-reaction report endpoints (`POST /v1/reports`, `GET /v1/reports/{id}`):
    /// their store and bearer token. `None` (the default): they answer 403, "write
    /// endpoints are off".
    pub reports: Option<ReportsConfig>,
    /// CDS Hooks (`/cds-services`): public URL and the EHR's JWT keys (docs/cds-hooks.md).
    /// Default: no JWT check, links built from the `Host` header.
    pub cds: CdsConfig,
    /// The report store `GET /v1/signals` reads (`offlabel serve --store`): a SQLite
    /// file path or `sqlite://` URL holding FAERS imported with `offlabel faers import`.
    /// Read-only and public (no token). `None` (the default) or a PostgreSQL URL: the
    /// endpoint answers 404 with an error saying how to turn it on.
    pub signals_store: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 64 * 1024,
            timeout: Duration::from_secs(10),
            concurrency: 256,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            cache_bytes: 8 * 1024 * 1024,
            reports: None,
            cds: CdsConfig::default(),
            signals_store: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) engine: Arc<Engine>,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) cache: Arc<cache::AnswerCache>,
    pub(crate) openapi: bytes::Bytes,
    /// One signal run at a time: each uses every core (see `signals.rs`).
    pub(crate) signal_runs: Arc<tokio::sync::Semaphore>,
    /// Bodies of recent signal runs, by query and store state (see `signals.rs`).
    pub(crate) signal_cache: Arc<quick_cache::sync::Cache<String, bytes::Bytes>>,
    /// How long the last signal run took, in milliseconds (for `Retry-After`).
    pub(crate) signal_last_run_ms: Arc<std::sync::atomic::AtomicU64>,
}

/// Why the server could not be started.
#[derive(Debug)]
pub struct ConfigError(String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, ConfigError> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let mut list = Vec::with_capacity(origins.len());
        for o in origins {
            let bad = || {
                ConfigError(format!(
                    "--cors-origin {o:?} is not a valid origin; write it as scheme://host[:port], e.g. https://ehr.example.org, or * for any"
                ))
            };
            let origin = o.trim_end_matches('/');
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(bad)?;
            if host.is_empty() || host.contains(['/', ' ', '?', '#']) {
                return Err(bad());
            }
            list.push(HeaderValue::from_str(origin).map_err(|_| bad())?);
        }
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::HEAD, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
            .max_age(Duration::from_secs(3600)),
    ))
}

/// Builds the router: API, web page, and the layers that enforce `config`.
///
/// # Errors
/// A [`ConfigError`] when a CORS origin is not a valid header value.
pub fn try_app(engine: Arc<Engine>, config: ServerConfig) -> Result<Router, ConfigError> {
    let cors = cors_layer(&config.cors_origins)?;
    if let Some(reports) = &config.reports {
        // On a thread of its own: `try_app` may run inside a tokio runtime, and the
        // PostgreSQL client blocks on a runtime of its own, which tokio refuses to nest.
        let writable = std::thread::scope(|s| {
            s.spawn(|| reports.store.check_writable())
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        writable.map_err(|e| {
            ConfigError(format!(
                "the report store cannot be written ({}): every report would fail. Give the server write access to the store's file and folder, or choose another with --store PATH",
                e
            ))
        })?;
    }
    let cds_routes = cds::routes(engine.clone(), &config.cds)?;
    let state = AppState {
        openapi: openapi::document(&engine),
        cache: Arc::new(cache::AnswerCache::new(config.cache_bytes)),
        config: Arc::new(config.clone()),
        signal_runs: Arc::new(tokio::sync::Semaphore::new(1)),
        signal_cache: Arc::new(quick_cache::sync::Cache::new(16)),
        signal_last_run_ms: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        engine,
    };
    let health = api::health_routes().with_state(state.clone());
    let body_limits = Arc::new(body::BodyLimits::new(&config));
    let router = Router::new()
        .merge(api::routes())
        .merge(reports::routes(config.reports.clone()))
        .merge(signals::routes(config.signals_store.as_deref()))
        .merge(cds_routes)
        .merge(web::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state);

    let limits = ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(
            error::layer_error,
        ))
        .timeout(config.timeout)
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            config.concurrency.max(1),
        ));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            // The route pattern, never the URI: the query string holds the question.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("(unmatched)", MatchedPath::as_str);
            tracing::debug_span!("request", method = %req.method(), route)
        })
        .on_request(())
        .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
            tracing::debug!(
                status = res.status().as_u16(),
                latency_us = latency.as_micros() as u64,
                "response"
            );
        })
        .on_body_chunk(())
        .on_eos(());

    let mut router = router
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(limits)
        // Outside the concurrency limit and the request timeout: a body still arriving
        // holds no handler slot, and gets its own deadline (408).
        .layer(axum::middleware::from_fn(move |req: Request, next| {
            let limits = Arc::clone(&body_limits);
            async move { body::read_body(&limits, req, next).await }
        }))
        // Health checks answer even when every handler slot is taken.
        .merge(health)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            // Links to sources leave the site; the question in the URL must not follow.
            HeaderValue::from_static("no-referrer"),
        ));
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    Ok(router
        .layer(trace)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        )))
}

/// Builds the router. An invalid CORS origin is left out (and logged at `error`);
/// use [`try_app`] to refuse it instead.
pub fn app(engine: Arc<Engine>, mut config: ServerConfig) -> Router {
    config
        .cors_origins
        .retain(|o| match cors_layer(std::slice::from_ref(o)) {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, "CORS origin left out");
                false
            }
        });
    match try_app(engine.clone(), config.clone()) {
        Ok(router) => router,
        Err(e) => {
            tracing::error!(error = %e, "CORS turned off");
            config.cors_origins.clear();
            match try_app(engine, config) {
                Ok(router) => router,
                Err(e) => unreachable!("no CORS origins left, yet: {e}"),
            }
        }
    }
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes the requests
/// in flight and returns.
///
/// # Errors
/// A [`ConfigError`] (as `io::Error`) for a bad configuration, or an I/O error of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    engine: Arc<Engine>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeouts = Timeouts::of(&config);
    let router = try_app(engine, config).map_err(std::io::Error::other)?;
    serve_router(listener, router, shutdown, timeouts).await
}

/// The connection-level durations `serve_router` enforces.
#[derive(Debug, Clone, Copy)]
struct Timeouts {
    grace: Duration,
    header_read: Duration,
    idle: Duration,
}

impl Timeouts {
    fn of(config: &ServerConfig) -> Timeouts {
        Timeouts {
            grace: config.timeout,
            header_read: config.header_read_timeout,
            idle: config.idle_timeout,
        }
    }
}

/// Serves until `shutdown`, then lets the requests in flight finish for at most
/// `timeouts.grace` (a client that holds its connection open longer is cut off).
///
/// One task per connection, served by hyper's HTTP/1 builder directly (axum::serve has
/// no header-read timeout): headers must arrive within `header_read`, and a connection
/// with no request in progress and no byte moving for `idle` is dropped. Sets TCP_NODELAY.
async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: Timeouts,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    connections.spawn(conn::serve_connection(
                        tcp,
                        router.clone(),
                        timeouts.header_read,
                        timeouts.idle,
                        stop_rx.clone(),
                    ));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(timeouts.grace, drained).await.is_err() {
        tracing::warn!(
            grace_ms = timeouts.grace.as_millis() as u64,
            "connections still open after the grace period; closing them"
        );
        connections.abort_all();
    }
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!(signal = "SIGINT", "shutting down"),
        () = terminate => tracing::info!(signal = "SIGTERM", "shutting down"),
    }
}

/// Installs the `tracing` subscriber: `RUST_LOG` filters (default `info`), text or JSON
/// lines on stderr. Does nothing if a subscriber is already installed.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the server on `addr` until Ctrl-C or SIGTERM: the blocking entry point of
/// `offlabel serve`. Logs one `info` line when ready (with the time it took) and one
/// when stopped.
///
/// # Errors
/// The address cannot be bound, the configuration is invalid, or the runtime fails.
pub fn run(addr: SocketAddr, engine: Engine, config: ServerConfig) -> anyhow::Result<()> {
    use anyhow::Context;
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let engine = Arc::new(engine);
        let timeouts = Timeouts::of(&config);
        let router = try_app(engine.clone(), config)?;
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
            format!("cannot listen on {addr}; is another server using it? Pick another with --addr HOST:PORT")
        })?;
        let local = listener.local_addr().context("reading the bound address")?;
        let meta = &engine.pack().meta;
        tracing::info!(
            addr = %local,
            pack = %meta.id,
            pack_version = %meta.version,
            as_of = %meta.as_of,
            startup_us = started.elapsed().as_micros() as u64,
            "offlabel serve ready: http://{local}/"
        );
        serve_router(listener, router, shutdown_signal(), timeouts)
            .await
            .context("serving HTTP")?;
        tracing::info!("stopped");
        Ok(())
    })
}
