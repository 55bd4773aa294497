//! `GET /v1/signals`: the ranked disproportionality table over the report store.
//!
//! The store is the SQLite file given to `offlabel serve --store`
//! ([`crate::ServerConfig::signals_store`]), holding FAERS quarters imported with
//! `offlabel faers import` (and the intake service's reports). The endpoint is
//! read-only and needs no token: it reports counts and statistics, never a report.
//!
//! Each request is one `offlabel_signals::run::run` (the same run as `offlabel
//! signals --json`): open the store, load and deduplicate, count, fit the EBGM prior,
//! compute the selected pairs and rank them. The drug filter is resolved by the
//! engine's drug-name resolver, as at import. The run blocks and uses every core, so it goes
//! to `spawn_blocking`, one at a time. The body of a run is kept (16 runs, keyed by
//! query and the store file's size and time), so requests that queued behind the same
//! run, and later repeats on an unchanged store, get it without running again. A
//! request that cannot get its turn within 80% of the server's timeout gets 503
//! `signals_busy` with `Retry-After` (the last run's duration) rather than a timeout.
//!
//! Statuses: 200; 400 for a parameter that is unknown, repeated, empty or out of its
//! range; 404 `signals_off` (no SQLite store configured), `no_store` (nothing imported
//! yet), `no_reports`, `unknown_drug`, `unknown_event`; 422 `prior_not_fitted`;
//! 503 `store_unavailable` (the store could not be read), `signals_busy` or `timeout`.

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use offlabel_signals::count::{AgeBand, Sex, Stratify};
use offlabel_signals::run::{self, Counting, RunError, Selection, SignalsReport, SortKey};
use offlabel_signals::stats::Rules;
use offlabel_signals::store::{self, Roles, StoreError};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

/// Rows returned when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` accepted.
pub(crate) const MAX_LIMIT: usize = 10_000;
/// Longest `drug` or `event` accepted, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 200;
/// The largest `min_a` accepted (pair counts are 32-bit).
pub(crate) const MAX_MIN_A: u64 = u32::MAX as u64;

/// The query parameters, for messages.
const PARAMETERS: &str = "drug, event, min_a, role, stratify, sex, age_band, signal, sort, limit";

const EXAMPLE: &str = "/v1/signals?drug=MEDICINE&min_a=3&signal=eb05";

pub(crate) fn routes(store: Option<&str>) -> Router<AppState> {
    match store.map(|s| store::resolve(Some(s))) {
        Some(Ok(path)) => tracing::info!(store = %path.display(), "signals endpoint on"),
        Some(Err(_)) => tracing::info!("signals endpoint off (the store is not SQLite)"),
        None => tracing::info!("signals endpoint off (no store configured)"),
    }
    Router::new().route("/v1/signals", get(signals))
}

/// The document of `GET /v1/signals`: the run (the fields of `offlabel signals
/// --json`) with its first `limit` rows, and the paging fields.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignalsPage {
    /// The run. `store` is the store's file name only (the server does not disclose
    /// its paths); `results` holds the first `limit` rows, ranked by `sort`.
    #[serde(flatten)]
    pub report: SignalsReport,
    /// Rows that met the selection, before `limit` (more than `results` holds when
    /// the table was cut).
    pub matched: usize,
    /// The most rows returned.
    pub limit: usize,
    /// The ranking of `results`: `name`, `eb05`, `prr`, `ic025` or `a`.
    pub sort: &'static str,
}

/// The parsed query.
#[derive(Debug, Default)]
struct Params {
    drug: Option<String>,
    event: Option<String>,
    min_a: u64,
    counting: Counting,
    rules: Rules,
    sort: SortKey,
    limit: Option<usize>,
}

fn bad(code: &'static str, field: &str, message: String) -> ApiError {
    ApiError::bad_request(code, message).with_field(field)
}

/// One value from a closed list, exactly as written.
fn one_of<T: Copy>(field: &str, value: &str, accepted: &[(T, &str)]) -> Result<T, ApiError> {
    accepted
        .iter()
        .find(|(_, name)| *name == value)
        .map(|(v, _)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = accepted.iter().map(|(_, n)| *n).collect();
            bad(
                "invalid_parameter",
                field,
                format!(
                    "{field}: {value:?} is not accepted; use one of: {}",
                    names.join(", ")
                ),
            )
        })
}

/// A whole number in `0..=max`, digits only.
fn number(field: &str, value: &str, max: u64) -> Result<u64, ApiError> {
    value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<u64>().ok())
        .flatten()
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            bad(
                "invalid_parameter",
                field,
                format!("{field}: {value:?} is not a whole number from 0 to {max}"),
            )
        })
}

fn name(field: &str, value: &str) -> Result<String, ApiError> {
    if value.trim().is_empty() {
        return Err(bad(
            "empty_parameter",
            field,
            format!("{field} is empty; give a value or leave {field} out"),
        ));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(bad(
            "invalid_parameter",
            field,
            format!("{field} is longer than {MAX_NAME_CHARS} characters; give one name"),
        ));
    }
    Ok(value.to_owned())
}

const ROLES: [(Roles, &str); 2] = [(Roles::Suspect, "suspect"), (Roles::All, "all")];
const STRATA: [(Stratify, &str); 4] = [
    (Stratify::None, "none"),
    (Stratify::Sex, "sex"),
    (Stratify::Age, "age"),
    (Stratify::SexAge, "sex,age"),
];
const SEXES: [(Sex, &str); 2] = [(Sex::Female, "F"), (Sex::Male, "M")];
const BANDS: [(AgeBand, &str); 4] = [
    (AgeBand::Under18, "<18"),
    (AgeBand::Adult, "18-64"),
    (AgeBand::Over65, "65+"),
    (AgeBand::Unknown, "unknown"),
];

/// Parses the query string. Values are exact (the accepted spellings are listed in
/// the OpenAPI document); `signal` may repeat or hold a comma list; every other
/// parameter may appear once.
fn parse(query: &str) -> Result<Params, ApiError> {
    let mut p = Params::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (key, value) = (key.as_ref(), value.as_ref());
        if key == "signal" {
            for rule in value.split(',') {
                let r = one_of("signal", rule, &Rules::ALL)?;
                p.rules = p.rules.with(r);
            }
            continue;
        }
        if seen.iter().any(|k| k == key) {
            return Err(bad(
                "repeated_parameter",
                key,
                format!("{key} is given more than once; give it once (only signal repeats)"),
            ));
        }
        seen.push(key.to_owned());
        match key {
            "drug" => p.drug = Some(name(key, value)?),
            "event" => p.event = Some(name(key, value)?),
            "min_a" => p.min_a = number(key, value, MAX_MIN_A)?,
            "role" => p.counting.load.roles = one_of(key, value, &ROLES)?,
            "stratify" => p.counting.stratify = one_of(key, value, &STRATA)?,
            "sex" => p.counting.load.sex = Some(one_of(key, value, &SEXES)?),
            "age_band" => p.counting.load.age = Some(one_of(key, value, &BANDS)?),
            "sort" => p.sort = one_of(key, value, &SortKey::ALL)?,
            "limit" => p.limit = Some(number(key, value, MAX_LIMIT as u64)? as usize),
            _ => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!(
                        "{key:?} is not a parameter of /v1/signals; the parameters are {PARAMETERS}, e.g. {EXAMPLE}"
                    ),
                )
                .with_field(key));
            }
        }
    }
    Ok(p)
}

fn off(code: &'static str, message: &str) -> ApiError {
    ApiError::not_found(code, message)
}

/// The API error for a failed run. Messages name no server path.
fn run_error(e: RunError) -> ApiError {
    match e {
        RunError::Store(StoreError::Missing(_)) => off(
            "no_store",
            "this server's report store holds no FAERS data yet; its operator imports quarters with `offlabel faers import --store STORE DIR`",
        ),
        RunError::Store(StoreError::Postgres(_)) => postgres(),
        RunError::Store(e) => {
            // The variant only: SQLite messages can quote paths.
            let kind = match e {
                StoreError::TooNew { .. } => "schema newer than this program",
                StoreError::Sqlite { context, .. } => context,
                _ => "other",
            };
            tracing::error!(error = kind, "signal store failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the report store could not be read; try again later (the operator's logs have the details)",
            )
        }
        RunError::NoReports { filtered, .. } => ApiError::not_found(
            "no_reports",
            format!(
                "the report store holds no report with a counted drug and an event{}; widen the filters or import FAERS quarters",
                if filtered {
                    " for this sex and age band"
                } else {
                    ""
                }
            ),
        ),
        e @ RunError::Prior(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "prior_not_fitted",
            format!(
                "{e}; the EBGM prior cannot be fitted on these reports, so try other filters (offlabel signals --hyper fixes the prior)"
            ),
        ),
        RunError::UnknownDrug { given, key } => ApiError::not_found(
            "unknown_drug",
            format!(
                "no counted report names {given:?} (looked for {key:?}); check the spelling, or add role=all to count concomitant drugs"
            ),
        )
        .with_field("drug"),
        RunError::UnknownEvent { given } => ApiError::not_found(
            "unknown_event",
            format!(
                "no counted report lists {given:?}; give a MedDRA preferred term as FAERS spells it, e.g. event=Deep+vein+thrombosis"
            ),
        )
        .with_field("event"),
    }
}

fn postgres() -> ApiError {
    off(
        "signals_need_sqlite",
        "signals read the SQLite report store, and this server's store is PostgreSQL; its operator starts `offlabel serve --store PATH.sqlite` with a SQLite file holding FAERS (`offlabel faers import --store PATH.sqlite DIR`)",
    )
}

fn json_body(body: bytes::Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The cache key of a run: the query and the store file's size and modification time
/// (an import changes both). `None` when the file cannot be read (no caching then).
fn cache_key(location: &str, query: &str) -> Option<String> {
    let path = location.strip_prefix("sqlite://").unwrap_or(location);
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    // The WAL holds recent writes before a checkpoint.
    let wal = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
    Some(format!("{}|{modified}|{wal}|{query}", meta.len()))
}

/// 503 with `Retry-After`: another run holds the store for longer than this request may wait.
fn busy(state: &AppState) -> Response {
    let last_ms = state
        .signal_last_run_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    let secs = last_ms.div_ceil(1000).clamp(1, 3600);
    let mut res = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "signals_busy",
        format!(
            "another signals run is using the store (the last one took {secs} s); retry after {secs} s, when this request's result may already be cached"
        ),
    )
    .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// `GET /v1/signals`.
async fn signals(State(state): State<AppState>, uri: Uri) -> Response {
    let p = match parse(uri.query().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(location) = state.config.signals_store.clone() else {
        return off(
            "signals_off",
            "signals are off on this server: they need the SQLite report store given with `offlabel serve --store PATH.sqlite`, holding FAERS imported with `offlabel faers import --store PATH.sqlite DIR`",
        )
        .into_response();
    };
    if let Err(StoreError::Postgres(_)) = store::resolve(Some(&location)) {
        return postgres().into_response();
    }
    // A run is a pure function of the query and the store file: the same request on
    // an unchanged store gets the body of the last run.
    let key = cache_key(&location, uri.query().unwrap_or(""));
    if let Some(body) = key.as_ref().and_then(|k| state.signal_cache.get(k)) {
        return json_body(body);
    }
    // One run at a time; the permit goes with the run, so a run whose request timed
    // out still holds it until it ends. Waiting is bounded by most of the request
    // timeout: past it the client hears how long to wait instead of a bare timeout.
    let wait = state.config.timeout.mul_f64(0.8);
    let permit =
        match tokio::time::timeout(wait, Arc::clone(&state.signal_runs).acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => {
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the server is shutting down; try again later",
                )
                .into_response();
            }
            Err(_) => return busy(&state),
        };
    // Requests that waited for the same run find its result here.
    if let Some(body) = key.as_ref().and_then(|k| state.signal_cache.get(k)) {
        return json_body(body);
    }
    let started = std::time::Instant::now();
    let engine = Arc::clone(&state.engine);
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    let sort = p.sort;
    let outcome = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let selection = Selection {
            drug: p.drug.as_deref(),
            event: p.event.as_deref(),
            min_a: p.min_a,
            rules: p.rules,
            sort: p.sort,
        };
        let resolve = |name: &str| engine.resolve_drug_name(name);
        run::run(Some(&location), &p.counting, &selection, &resolve)
    })
    .await;
    state.signal_last_run_ms.store(
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        std::sync::atomic::Ordering::Relaxed,
    );
    let mut report = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return run_error(e).into_response(),
        Err(_) => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed while computing the signals; the operator's logs have the details",
            )
            .into_response();
        }
    };
    report.store = std::path::Path::new(&report.store)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let matched = report.results.len();
    report.results.truncate(limit);
    let page = SignalsPage {
        report,
        matched,
        limit,
        sort: sort.label(),
    };
    match serde_json::to_vec(&page) {
        Ok(body) => {
            let body = bytes::Bytes::from(body);
            if let Some(k) = key {
                state.signal_cache.insert(k, body.clone());
            }
            json_body(body)
        }
        Err(e) => {
            tracing::error!(error = %e, "serializing the signals failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the response could not be written; the operator's logs have the details",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(query: &str) -> &'static str {
        parse(query).map(|_| "ok").unwrap_or_else(|e| e.code)
    }

    #[test]
    fn parses_every_parameter() {
        let p = parse("drug=Olumiant&event=Nausea&min_a=3&role=all&stratify=sex,age&sex=F&age_band=65%2B&signal=evans,eb05&signal=ic025&sort=prr&limit=7")
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.drug.as_deref(), Some("Olumiant"));
        assert_eq!(p.event.as_deref(), Some("Nausea"));
        assert_eq!(p.min_a, 3);
        assert_eq!(p.counting.load.roles, Roles::All);
        assert_eq!(p.counting.stratify, Stratify::SexAge);
        assert_eq!(p.counting.load.sex, Some(Sex::Female));
        assert_eq!(p.counting.load.age, Some(AgeBand::Over65));
        assert_eq!(p.rules.names(), ["evans", "ic025", "eb05"]);
        assert_eq!(p.sort, SortKey::Prr);
        assert_eq!(p.limit, Some(7));
        let d = parse("").unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(
            (d.min_a, d.sort, d.limit, d.rules),
            (0, SortKey::Eb05, None, Rules::default())
        );
    }

    #[test]
    fn refuses_bad_parameters() {
        assert_eq!(code("limit=10001"), "invalid_parameter");
        assert_eq!(code("limit=10000"), "ok");
        assert_eq!(code("min_a=-1"), "invalid_parameter");
        assert_eq!(code("min_a=+3"), "invalid_parameter");
        assert_eq!(code("min_a=4294967296"), "invalid_parameter");
        assert_eq!(code("role=Suspect"), "invalid_parameter");
        assert_eq!(code("signal=evans,"), "invalid_parameter");
        assert_eq!(code("sort=ror"), "invalid_parameter");
        assert_eq!(code("sex=female"), "invalid_parameter");
        assert_eq!(code("drug=+"), "empty_parameter");
        assert_eq!(code("drug=a&drug=b"), "repeated_parameter");
        assert_eq!(code("min-a=3"), "unknown_parameter");
        assert_eq!(
            code(&format!("event={}", "x".repeat(201))),
            "invalid_parameter"
        );
    }
}
