//! The JSON API, versioned under `/v1`, plus `/healthz` and `/openapi.json`.
//!
//! Handlers translate HTTP to engine calls and back; the answers, checks and rankings
//! are the engine's.

use crate::AppState;
use crate::error::{ApiError, query_rejection};
use axum::Router;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use offlabel_engine::browse::{
    ConditionView, DEFAULT_LIMIT, MAX_LIMIT, MedicineQuery, MedicineSummary, MedicineView, Page,
};
use offlabel_engine::check::resolve_condition;
use offlabel_engine::check::resolve_medicine;
use offlabel_engine::{AskError, CheckReport, CheckRequest, Engine, reason};
use offlabel_model::{
    AdverseEffect, Authorisation, DoseAdjustment, Efficacy, IncidenceRate, Medicine, PackMeta,
    Posology, Precaution, Source, Study,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/ask", get(ask))
        .route("/v1/check", post(check))
        .route("/v1/drugs", get(drugs))
        .route("/v1/drugs/{id}", get(drug))
        .route("/v1/conditions", get(conditions))
        .route("/v1/conditions/{id}", get(condition))
        .route("/v1/evidence", get(evidence))
        .route("/v1/sources", get(sources))
        .route("/v1/sources/{id}", get(source))
        .route("/openapi.json", get(openapi))
}

/// `/healthz`, mounted outside the concurrency limit so that it answers under load.
pub(crate) fn health_routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// Query of `GET /v1/ask`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct AskQuery {
    /// The question, in plain English or Spanish (at most 4096 characters).
    pub q: Option<String>,
}

/// Query of `GET /v1/evidence`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct EvidenceQuery {
    /// Medicine id (or a name the pack knows, e.g. a brand).
    pub drug: Option<String>,
    /// Condition id (or a name the pack knows); includes its subtypes.
    pub condition: Option<String>,
}

/// Query of `GET /v1/drugs`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct DrugsQuery {
    /// Words of a name: INN, brand, product or ingredient (any part of the pack).
    pub q: Option<String>,
    /// An ATC code or prefix (EU products and curated medicines), e.g. `L04`.
    pub atc: Option<String>,
    /// An EMA product status (`authorised`, `withdrawn`, `refused`, …) or the Drugs@FDA
    /// statuses `marketed` and `discontinued`.
    pub status: Option<String>,
    /// Entries per page, 1-200 (default 20).
    pub limit: Option<usize>,
    /// Entries to skip (default 0).
    pub offset: Option<usize>,
}

/// Query of `GET /v1/conditions`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ConditionsQuery {
    /// Words of a name, or a code (DOID, ICD-10-CM, UMLS, SNOMED CT).
    pub q: Option<String>,
    /// Entries per page, 1-200 (default 20).
    pub limit: Option<usize>,
    /// Entries to skip (default 0).
    pub offset: Option<usize>,
}

/// A medicine with everything the pack and its layers hold about it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DrugDetail {
    /// The medicine as the query layer shows it: curated records, EMA table, US layers.
    #[serde(flatten)]
    pub view: MedicineView,
    /// The curated medicine record (absent for a medicine only the layers hold).
    pub medicine: Option<Medicine>,
    /// Curated authorisations (and "none listed" records) per regulator.
    pub authorisations: Vec<Authorisation>,
    /// Posology per label.
    pub posology: Vec<Posology>,
    /// Dose adjustments.
    pub dose_adjustments: Vec<DoseAdjustment>,
    /// Pivotal efficacy results.
    pub efficacy: Vec<Efficacy>,
    /// Adverse effects (including class-wide ones).
    pub adverse_effects: Vec<AdverseEffect>,
    /// Incidence rates per 100 patient-years.
    pub incidence_rates: Vec<IncidenceRate>,
    /// Contraindications, precautions and risk groups (including class-wide ones).
    pub precautions: Vec<Precaution>,
    /// How many studies of the medicine the pack holds (see `/v1/evidence?drug=`).
    pub studies: usize,
}

/// A condition with its codes, terms, authorisations and evidence.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConditionDetail {
    /// The condition as the query layer shows it.
    #[serde(flatten)]
    pub view: ConditionView,
    /// Ids of its curated subtypes.
    pub curated_children: Vec<String>,
    /// Curated studies in it or its subtypes, strongest first.
    pub studies: Vec<Study>,
}

/// Liveness and the pack being served.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// The knowledge pack.
    pub pack: PackMeta,
}

/// Bytes with a JSON content type.
fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(v) => json_bytes(Bytes::from(v)),
        Err(e) => {
            tracing::error!(error = %e, "serializing a response failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the response could not be written; the operator's logs have the details",
            )
            .into_response()
        }
    }
}

/// An example `/v1/ask` request for error messages: the pack's first example question.
fn ask_example(engine: &Engine) -> String {
    let question = engine
        .pack()
        .meta
        .examples
        .first()
        .map_or("your question", String::as_str);
    format!("/v1/ask?q={}", crate::web::query_value(question))
}

/// `GET /v1/ask?q=`: the contract object. Cached by raw query string.
async fn ask(State(state): State<AppState>, uri: Uri) -> Response {
    let raw = uri.query().unwrap_or("");
    if let Some(body) = state.cache.get(raw) {
        return json_bytes(body);
    }
    let query: Result<Query<AskQuery>, QueryRejection> = Query::try_from_uri(&uri);
    let q = match query {
        Ok(Query(AskQuery { q: Some(q) })) => q,
        Ok(Query(AskQuery { q: None })) => {
            return ApiError::bad_request(
                "missing_question",
                format!(
                    "add the question as the q parameter, e.g. {}",
                    ask_example(&state.engine)
                ),
            )
            .with_field("q")
            .into_response();
        }
        Err(e) => return query_rejection(&e, &ask_example(&state.engine)).into_response(),
    };
    match state.engine.ask(&q) {
        Ok(answer) => match serde_json::to_vec(&answer) {
            Ok(v) => {
                let body = Bytes::from(v);
                state.cache.insert(raw, body.clone());
                json_bytes(body)
            }
            Err(_) => to_json(&answer),
        },
        Err(e) => {
            let code = match e {
                AskError::Empty => "empty_question",
                AskError::TooLong(_) => "question_too_long",
            };
            ApiError::bad_request(code, e.to_string())
                .with_field("q")
                .into_response()
        }
    }
}

/// `POST /v1/check`: the patient check.
async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !crate::error::is_json_content(&headers) {
        return crate::error::not_json().into_response();
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return crate::error::too_large(state.config.body_limit).into_response();
        }
        Err(_) => {
            return ApiError::bad_request(
                "unreadable_body",
                "the request body could not be read; send it again",
            )
            .into_response();
        }
    };
    // One reader for the API and `offlabel check --profile`: duplicate keys refused,
    // `80.0` read as 80.
    let request: CheckRequest = match offlabel_json::from_slice_integral(&body) {
        Ok(r) => r,
        Err(offlabel_json::StrictJsonError::Syntax(e)) if e.is_syntax() || e.is_eof() => {
            return ApiError::bad_request(
                "invalid_json",
                format!(
                    "the body is not valid JSON ({e}); send one object such as {{\"drug\": \"MEDICINE\", \"age\": 80}}"
                ),
            )
            .into_response();
        }
        Err(e @ offlabel_json::StrictJsonError::DuplicateKey { .. }) => {
            return ApiError::bad_request("duplicate_key", e.to_string()).into_response();
        }
        Err(e) => {
            return ApiError::bad_request(
                "invalid_body",
                format!(
                    "the body does not fit the patient profile ({e}); send an object such as {{\"drug\": \"MEDICINE\", \"age\": 80}} (schema CheckRequest at /openapi.json)"
                ),
            )
            .into_response();
        }
    };
    match state.engine.check(&request) {
        Ok(report) => to_json::<CheckReport>(&report),
        Err(e) => ApiError::bad_request("invalid_field", e.to_string())
            .with_field(e.field.clone())
            .into_response(),
    }
}

/// Longest search text or path id accepted, in characters.
const MAX_BROWSE_TEXT: usize = 200;
/// Largest offset accepted.
const MAX_OFFSET: usize = 1_000_000;

/// Checks the paging and text parameters of a search; returns (limit, offset).
fn paging(
    text: Option<&str>,
    limit: Option<usize>,
    offset: Option<usize>,
) -> Result<(usize, usize), ApiError> {
    if let Some(t) = text
        && t.chars().count() > MAX_BROWSE_TEXT
    {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("q is longer than {MAX_BROWSE_TEXT} characters; shorten it"),
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("offset must be at most {MAX_OFFSET}, not {offset}"),
        ));
    }
    Ok((limit, offset))
}

/// Refuses a path id longer than any name the pack holds.
fn path_text(id: &str) -> Result<(), ApiError> {
    if id.chars().count() > MAX_BROWSE_TEXT {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("the id is longer than {MAX_BROWSE_TEXT} characters; shorten it"),
        ));
    }
    Ok(())
}

/// A page of the medicine search (the engine's; the CLI's `drugs` shows the same).
pub(crate) fn drug_page(
    engine: &Engine,
    q: &DrugsQuery,
) -> Result<Page<MedicineSummary>, ApiError> {
    let (limit, offset) = paging(q.q.as_deref(), q.limit, q.offset)?;
    let query = MedicineQuery {
        text: q.q.clone(),
        atc: q.atc.clone(),
        status: q.status.clone(),
        limit,
        offset,
    };
    engine
        .find_medicines(&query)
        .map_err(|e| ApiError::bad_request("invalid_parameter", e.to_string()))
}

async fn drugs(
    State(state): State<AppState>,
    query: Result<Query<DrugsQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return query_rejection(&e, "/v1/drugs?q=NAME&limit=20").into_response(),
    };
    match drug_page(&state.engine, &q) {
        Ok(page) => to_json(&page),
        Err(e) => e.into_response(),
    }
}

fn unknown_drug(id: &str) -> ApiError {
    ApiError::not_found(
        "unknown_drug",
        format!(
            "no medicine {id:?} in the pack or its EU and US layers; search with GET /v1/drugs?q=WORDS"
        ),
    )
}

fn unknown_condition(id: &str) -> ApiError {
    ApiError::not_found(
        "unknown_condition",
        format!(
            "no condition {id:?} in the pack or the Disease Ontology layer; search with GET /v1/conditions?q=WORDS"
        ),
    )
}

/// Everything the pack and its layers hold about one medicine (id, name or brand).
pub(crate) fn drug_detail(engine: &Engine, id: &str) -> Option<DrugDetail> {
    let view = engine.medicine_view(id)?;
    let pack = engine.pack();
    let mid = view.id.clone();
    Some(DrugDetail {
        medicine: pack.medicine(&mid).cloned(),
        authorisations: pack.authorisations_of(&mid).cloned().collect(),
        posology: pack.posology_of(&mid).cloned().collect(),
        dose_adjustments: pack.dose_adjustments_of(&mid).cloned().collect(),
        efficacy: pack.efficacy_of(&mid).cloned().collect(),
        adverse_effects: pack.adverse_effects_of(&mid).into_iter().cloned().collect(),
        incidence_rates: pack.incidence_rates_of(&mid).cloned().collect(),
        precautions: pack.precautions_of(&mid).into_iter().cloned().collect(),
        studies: pack.studies_of(&mid).count(),
        view,
    })
}

async fn drug(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Err(e) = path_text(&id) {
        return e.into_response();
    }
    match drug_detail(&state.engine, &id) {
        Some(d) => to_json(&d),
        None => unknown_drug(&id).into_response(),
    }
}

async fn conditions(
    State(state): State<AppState>,
    query: Result<Query<ConditionsQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => {
            return query_rejection(&e, "/v1/conditions?q=NAME&limit=20").into_response();
        }
    };
    match paging(q.q.as_deref(), q.limit, q.offset) {
        Ok((limit, offset)) => to_json(&state.engine.find_conditions(
            q.q.as_deref().unwrap_or(""),
            limit,
            offset,
        )),
        Err(e) => e.into_response(),
    }
}

/// Studies of a condition and its subtypes (optionally of one medicine), strongest first.
pub(crate) fn condition_studies<'a>(
    engine: &'a Engine,
    condition: Option<&str>,
    medicine: Option<&str>,
) -> Vec<&'a Study> {
    let pack = engine.pack();
    let scope: Option<Vec<&str>> =
        condition.map(|c| pack.descendants(c).iter().map(|d| d.id.as_str()).collect());
    let mut studies: Vec<&Study> = pack
        .studies
        .iter()
        .map(|s| &s.record)
        .filter(|s| {
            medicine.is_none_or(|m| s.medicine == m)
                && scope
                    .as_ref()
                    .is_none_or(|sc| sc.contains(&s.condition.as_str()))
        })
        .collect();
    reason::rank(&mut studies);
    studies
}

/// Everything the pack and its layers hold about one condition (id, DOID, code or name).
pub(crate) fn condition_detail(engine: &Engine, id: &str) -> Option<ConditionDetail> {
    let view = engine.condition_view(id)?;
    let pack = engine.pack();
    let curated = view.curated.as_ref().map(|c| c.id.clone());
    Some(ConditionDetail {
        curated_children: curated
            .as_deref()
            .map(|cid| {
                pack.conditions
                    .iter()
                    .filter(|x| x.parent.as_deref() == Some(cid))
                    .map(|x| x.id.clone())
                    .collect()
            })
            .unwrap_or_default(),
        studies: match &curated {
            Some(cid) => condition_studies(engine, Some(cid), None)
                .into_iter()
                .cloned()
                .collect(),
            None => Vec::new(),
        },
        view,
    })
}

async fn condition(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Err(e) = path_text(&id) {
        return e.into_response();
    }
    match condition_detail(&state.engine, &id) {
        Some(d) => to_json(&d),
        None => unknown_condition(&id).into_response(),
    }
}

async fn evidence(
    State(state): State<AppState>,
    query: Result<Query<EvidenceQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => {
            return query_rejection(&e, "/v1/evidence?drug=MEDICINE&condition=CONDITION")
                .into_response();
        }
    };
    let engine = &state.engine;
    let pack = engine.pack();
    for (field, value) in [("drug", &q.drug), ("condition", &q.condition)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return ApiError::bad_request(
                "empty_parameter",
                format!("{field} is empty; give an id (GET /v1/{field}s lists them) or leave {field} out"),
            )
            .with_field(field)
            .into_response();
        }
    }
    let drug = match q.drug.as_deref().map(str::trim) {
        None => None,
        Some(d) if pack.medicine(d).is_some() => Some(d.to_string()),
        Some(d) => match resolve_medicine(engine, d) {
            Some(id) => Some(id),
            None => return unknown_drug(d).with_field("drug").into_response(),
        },
    };
    let condition = match q.condition.as_deref().map(str::trim) {
        None => None,
        Some(c) if pack.condition(c).is_some() => Some(c.to_string()),
        Some(c) => match resolve_condition(engine, c) {
            Some(id) => Some(id),
            None => {
                return unknown_condition(c).with_field("condition").into_response();
            }
        },
    };
    let studies = condition_studies(engine, condition.as_deref(), drug.as_deref());
    to_json(&studies)
}

async fn sources(State(state): State<AppState>) -> Response {
    let list: Vec<&Source> = state
        .engine
        .pack()
        .sources
        .iter()
        .map(|s| &s.record)
        .collect();
    to_json(&list)
}

async fn source(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.engine.pack().source(&id) {
        Some(s) => to_json(s),
        None => ApiError::not_found(
            "unknown_source",
            format!("no source with id {id:?}; GET /v1/sources lists the ids"),
        )
        .into_response(),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    to_json(&Health {
        status: "ok".into(),
        pack: state.engine.pack().meta.clone(),
    })
}

async fn openapi(State(state): State<AppState>) -> Response {
    json_bytes(state.openapi.clone())
}
