//! Report intake: JSON bytes → a validated [`NewReport`], or every problem at once.
//!
//! The parser walks the JSON value itself instead of deriving `Deserialize`, so that it
//! can report one message per missing, unknown or invalid field (serde stops at the
//! first). The accepted shape is exactly that of [`Report`] (which does derive
//! `Deserialize` with `deny_unknown_fields`, for reading bodies back), plus
//! `idempotency_key`.

use crate::country;
use crate::date::Date;
use crate::model::{
    Criterion, Drug, NewReport, Outcome, Patient, Qualification, Reaction, Report, Reporter, Role,
    Sex,
};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Largest report accepted, in bytes of JSON.
pub const MAX_REPORT_BYTES: usize = 512 * 1024;
/// Longest narrative, in characters (the E2B(R3) limit for H.1).
pub const MAX_NARRATIVE_CHARS: usize = 100_000;
/// Longest short text (drug name, dose, route, reaction term), in characters.
pub const MAX_TEXT_CHARS: usize = 250;
/// Longest idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 200;
/// Most drugs in one report.
pub const MAX_DRUGS: usize = 100;
/// Most reactions in one report.
pub const MAX_REACTIONS: usize = 100;
/// Most field errors listed for one report; the rest are summed up in one last entry.
pub const MAX_ERRORS: usize = 100;

/// An example of the smallest valid report, for error messages.
pub const EXAMPLE: &str = r#"{"reporter": {"qualification": "physician", "country": "ES"}, "patient": {"age": 54, "sex": "F"}, "drugs": [{"name": "Olumiant", "role": "suspect"}], "reactions": [{"term": "Herpes zoster"}], "onset": "2026-10-02", "serious": false}"#;

/// Resolves a free-text drug name to a pack medicine id.
///
/// The answer engine implements it (its drug recogniser); tests and tools can pass a
/// closure `Fn(&str) -> Option<String>`.
pub trait DrugResolver {
    /// The pack medicine id the text names, if it names one.
    fn resolve(&self, text: &str) -> Option<String>;

    /// Whether `id` is a pack medicine id (used for drugs given by `id`).
    fn is_known_id(&self, id: &str) -> bool {
        self.resolve(id).as_deref() == Some(id)
    }
}

impl<F: Fn(&str) -> Option<String>> DrugResolver for F {
    fn resolve(&self, text: &str) -> Option<String> {
        self(text)
    }
}

impl DrugResolver for offlabel_engine::Engine {
    fn resolve(&self, text: &str) -> Option<String> {
        offlabel_engine::check::resolve_medicine(self, text)
    }

    fn is_known_id(&self, id: &str) -> bool {
        self.pack().medicine(id).is_some()
    }
}

/// One problem with one field of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field, as a path: `patient.age`, `drugs[0].role`; `(body)` for the whole report.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why a report was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The bytes are not JSON.
    #[error(
        "the report is not valid JSON ({0}); send one JSON object such as {ex}",
        ex = EXAMPLE
    )]
    Syntax(String),
    /// Larger than [`MAX_REPORT_BYTES`].
    #[error(
        "the report is {0} bytes; the limit is {max} bytes, so shorten the narrative",
        max = MAX_REPORT_BYTES
    )]
    TooLarge(usize),
    /// JSON, but fields are missing or invalid: one entry per field.
    #[error("the report is refused: {}", join(.0))]
    Invalid(Vec<FieldError>),
}

impl ReportError {
    /// The field errors (empty for syntax and size errors).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ReportError::Invalid(f) => f,
            _ => &[],
        }
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses and validates a report against today's date (UTC), resolving drug names with
/// `resolver`.
///
/// # Errors
/// [`ReportError::Syntax`] for bytes that are not JSON, [`ReportError::TooLarge`] over
/// [`MAX_REPORT_BYTES`], and [`ReportError::Invalid`] with one entry per missing,
/// unknown or invalid field.
pub fn parse_report(input: &[u8], resolver: &dyn DrugResolver) -> Result<NewReport, ReportError> {
    parse_report_on(input, resolver, Date::today_utc())
}

/// [`parse_report`] with an explicit "today", for reproducible tests.
///
/// # Errors
/// As [`parse_report`].
pub fn parse_report_on(
    input: &[u8],
    resolver: &dyn DrugResolver,
    today: Date,
) -> Result<NewReport, ReportError> {
    if input.len() > MAX_REPORT_BYTES {
        return Err(ReportError::TooLarge(input.len()));
    }
    // serde_json keeps the last of two equal keys: `"serious": false, "serious": true`
    // would be stored as serious without a word. Refuse it instead.
    let value: Value =
        offlabel_json::from_slice(input).map_err(|e| ReportError::Syntax(e.to_string()))?;
    validate_value(&value, resolver, today)
}

/// Validates an already-parsed JSON value.
///
/// # Errors
/// [`ReportError::Invalid`] with one entry per missing, unknown or invalid field.
pub fn validate_value(
    value: &Value,
    resolver: &dyn DrugResolver,
    today: Date,
) -> Result<NewReport, ReportError> {
    let mut v = Walker::default();
    let Some(top) = value.as_object() else {
        return Err(ReportError::Invalid(vec![FieldError {
            field: "(body)".into(),
            message: format!(
                "the report must be a JSON object, not {}; send e.g. {EXAMPLE}",
                kind(value)
            ),
        }]));
    };
    v.unknown(
        top,
        "",
        &[
            "reporter",
            "patient",
            "drugs",
            "reactions",
            "onset",
            "serious",
            "seriousness",
            "outcome",
            "narrative",
            "idempotency_key",
        ],
    );
    let reporter = v.reporter(top.get("reporter"));
    let patient = v.patient(top.get("patient"));
    let drugs = v.drugs(top.get("drugs"), resolver);
    let reactions = v.reactions(top.get("reactions"));
    let onset = v.onset(top.get("onset"), today);
    let serious = match present(top.get("serious")) {
        None => {
            v.err(
                "serious",
                "is missing: say whether the case is serious with true or false",
            );
            None
        }
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            v.err(
                "serious",
                format!("must be true or false, not {}", kind(other)),
            );
            None
        }
    };
    let seriousness = v.seriousness(top.get("seriousness"), serious);
    let outcome = match present(top.get("outcome")) {
        None => None,
        Some(Value::String(s)) => match Outcome::parse(s) {
            Some(Outcome::Fatal) if serious == Some(false) => {
                v.err(
                    "outcome",
                    "is fatal but serious is false: a fatal case is serious; set serious to true (and list death in seriousness)",
                );
                None
            }
            Some(o) => Some(o),
            None => {
                v.err(
                    "outcome",
                    format!(
                        "{} is not an outcome; use one of {}",
                        quoted(s),
                        Outcome::accepted()
                    ),
                );
                None
            }
        },
        Some(other) => {
            v.err(
                "outcome",
                format!(
                    "must be a string ({}), not {}",
                    Outcome::accepted(),
                    kind(other)
                ),
            );
            None
        }
    };
    let narrative = v.text(
        top.get("narrative"),
        "narrative",
        MAX_NARRATIVE_CHARS,
        true,
        "the case narrative, free text",
    );
    let key = match present(top.get("idempotency_key")) {
        None => None,
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n == 0 || n > MAX_KEY_CHARS || !s.bytes().all(|b| b.is_ascii_graphic()) {
                v.err(
                    "idempotency_key",
                    format!("must be 1 to {MAX_KEY_CHARS} visible ASCII characters without spaces (e.g. a UUID); it has {n} characters"),
                );
                None
            } else {
                Some(s.clone())
            }
        }
        Some(other) => {
            v.err(
                "idempotency_key",
                format!("must be a string such as a UUID, not {}", kind(other)),
            );
            None
        }
    };

    let errors = v.finish();
    match (reporter, patient, drugs, reactions, onset, serious) {
        (
            Some(reporter),
            Some(patient),
            Some(drugs),
            Some(reactions),
            Some(onset),
            Some(serious),
        ) if errors.is_empty() => {
            let (drugs, drug_ids): (Vec<Drug>, Vec<Option<String>>) = drugs.into_iter().unzip();
            let report = Report {
                reporter,
                patient,
                drugs,
                reactions,
                onset,
                serious,
                seriousness,
                outcome,
                narrative,
            };
            let (idempotency_key, key_supplied) = match key {
                Some(k) => (k, true),
                None => (content_key(&report), false),
            };
            Ok(NewReport {
                report,
                idempotency_key,
                key_supplied,
                drug_ids,
            })
        }
        _ => Err(ReportError::Invalid(if errors.is_empty() {
            // Unreachable by construction (every None above records an error), kept so a
            // future slip refuses the report rather than storing half of it.
            vec![FieldError {
                field: "(body)".into(),
                message: "the report is incomplete".into(),
            }]
        } else {
            errors
        })),
    }
}

/// The idempotency key derived from the content: `sha256:` and the hex SHA-256 of the
/// canonical JSON.
pub fn content_key(report: &Report) -> String {
    let digest = Sha256::digest(report.canonical_json().as_bytes());
    let mut key = String::with_capacity(7 + 64);
    key.push_str("sha256:");
    for b in digest {
        key.push_str(&format!("{b:02x}"));
    }
    key
}

/// JSON `null` counts as absent.
fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short, quoted echo of a client value for messages (never more than 40 characters).
fn quoted(s: &str) -> String {
    let mut short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        short.push('…');
    }
    format!("{short:?}")
}

/// The path of `key` under `prefix`: `patient.age`; a key that is not a plain word
/// (empty, spaces, dots...) is quoted and cut to 40 characters: `patient["a b"]`.
fn path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (plain, prefix.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{prefix}.{key}"),
        (false, _) => format!("{prefix}[{}]", quoted(key)),
    }
}

#[derive(Default)]
struct Walker {
    errors: Vec<FieldError>,
}

impl Walker {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn finish(mut self) -> Vec<FieldError> {
        if self.errors.len() > MAX_ERRORS {
            let more = self.errors.len() - MAX_ERRORS;
            self.errors.truncate(MAX_ERRORS);
            self.err(
                "(body)",
                format!("{more} more problem(s) not listed; fix the ones above and send again"),
            );
        }
        self.errors
    }

    /// One error per key of `map` that is not in `allowed`.
    fn unknown(&mut self, map: &Map<String, Value>, prefix: &str, allowed: &[&str]) {
        for key in map.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let field = path(prefix, key);
            let hint = match (prefix, key.as_str()) {
                ("patient", _) => " a patient is identified only by age, sex and initials (what E2B allows, for privacy);".to_string(),
                (_, "code") => " did you mean meddra_code?".to_string(),
                (_, "drug" | "medicine" | "medicines") if prefix.is_empty() => {
                    " did you mean drugs?".to_string()
                }
                (_, "reaction" | "events") if prefix.is_empty() => {
                    " did you mean reactions?".to_string()
                }
                _ => String::new(),
            };
            self.err(
                field,
                format!(
                    "is not a field of {};{hint} remove it (accepted: {})",
                    if prefix.is_empty() {
                        "a report"
                    } else {
                        prefix
                    },
                    allowed.join(", ")
                ),
            );
        }
    }

    /// An object field; records "missing" or "wrong type".
    fn object<'v>(
        &mut self,
        v: Option<&'v Value>,
        field: &str,
        missing: &str,
    ) -> Option<&'v Map<String, Value>> {
        match present(v) {
            None => {
                self.err(field, format!("is missing: {missing}"));
                None
            }
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.err(
                    field,
                    format!("must be an object, not {}: {missing}", kind(other)),
                );
                None
            }
        }
    }

    /// An optional string field: no control characters (but line breaks and tabs when
    /// `multiline`), not blank, at most `max` characters.
    fn text(
        &mut self,
        v: Option<&Value>,
        field: &str,
        max: usize,
        multiline: bool,
        what: &str,
    ) -> Option<String> {
        match present(v) {
            None => None,
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if s.trim().is_empty() {
                    self.err(
                        field,
                        format!("is blank: give {what}, or leave the field out"),
                    );
                    None
                } else if n > max {
                    self.err(
                        field,
                        format!("is {n} characters long; the limit is {max}, so shorten it"),
                    );
                    None
                } else if s
                    .chars()
                    .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
                {
                    self.err(
                        field,
                        if multiline {
                            "contains control characters; only line breaks and tabs are allowed"
                        } else {
                            "contains control characters (line breaks, tabs...); write it on one line"
                        },
                    );
                    None
                } else {
                    Some(s.clone())
                }
            }
            Some(other) => {
                self.err(
                    field,
                    format!("must be a string ({what}), not {}", kind(other)),
                );
                None
            }
        }
    }

    fn reporter(&mut self, v: Option<&Value>) -> Option<Reporter> {
        let m = self.object(
            v,
            "reporter",
            r#"give the primary source, e.g. {"qualification": "physician", "country": "ES"} (E2B minimum criterion: an identifiable reporter)"#,
        )?;
        self.unknown(m, "reporter", &["qualification", "country"]);
        let qualification = match present(m.get("qualification")) {
            None => {
                self.err(
                    "reporter.qualification",
                    format!("is missing: give one of {}", Qualification::accepted()),
                );
                None
            }
            Some(Value::String(s)) => {
                let q = Qualification::parse(s);
                if q.is_none() {
                    self.err(
                        "reporter.qualification",
                        format!(
                            "{} is not a qualification; use one of {}",
                            quoted(s),
                            Qualification::accepted()
                        ),
                    );
                }
                q
            }
            Some(other) => {
                self.err(
                    "reporter.qualification",
                    format!(
                        "must be a string ({}), not {}",
                        Qualification::accepted(),
                        kind(other)
                    ),
                );
                None
            }
        };
        let country = match present(m.get("country")) {
            None => {
                self.err(
                    "reporter.country",
                    "is missing: give the reporter's country as an ISO 3166-1 alpha-2 code, e.g. \"ES\"",
                );
                None
            }
            Some(Value::String(s)) => {
                let code = s.to_ascii_uppercase();
                if code.len() == 2 && country::is_assigned(&code) {
                    Some(code)
                } else {
                    let hint = country::hint(&code)
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                    self.err(
                        "reporter.country",
                        format!(
                            "{} is not an ISO 3166-1 alpha-2 country code{hint}; give two letters such as \"ES\", \"FR\", \"US\"",
                            quoted(s)
                        ),
                    );
                    None
                }
            }
            Some(other) => {
                self.err(
                    "reporter.country",
                    format!(
                        "must be a string (an ISO 3166-1 alpha-2 code such as \"ES\"), not {}",
                        kind(other)
                    ),
                );
                None
            }
        };
        Some(Reporter {
            qualification: qualification?,
            country: country?,
        })
    }

    fn patient(&mut self, v: Option<&Value>) -> Option<Patient> {
        let m = self.object(
            v,
            "patient",
            r#"give at least one of age, sex, initials, e.g. {"age": 54, "sex": "F"} (E2B minimum criterion: an identifiable patient)"#,
        )?;
        self.unknown(m, "patient", &["age", "sex", "initials"]);
        let before = self.errors.len();
        let age = match present(m.get("age")) {
            None => None,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(a) if a.is_finite() && (0.0..=130.0).contains(&a) => Some(a),
                _ => {
                    self.err(
                        "patient.age",
                        format!("{n} is out of range: give the age in years, from 0 to 130 (fractions for infants, e.g. 0.5)"),
                    );
                    None
                }
            },
            Some(other) => {
                self.err(
                    "patient.age",
                    format!("must be a number of years (0 to 130), not {}", kind(other)),
                );
                None
            }
        };
        let sex = match present(m.get("sex")) {
            None => None,
            Some(Value::String(s)) => {
                let x = Sex::parse(&s.to_ascii_uppercase());
                if x.is_none() {
                    self.err(
                        "patient.sex",
                        format!("{} is not a sex code; use M, F or U (unknown)", quoted(s)),
                    );
                }
                x
            }
            Some(other) => {
                self.err(
                    "patient.sex",
                    format!("must be a string (M, F or U), not {}", kind(other)),
                );
                None
            }
        };
        let initials = match present(m.get("initials")) {
            None => None,
            Some(Value::String(s)) => {
                if valid_initials(s) {
                    Some(s.clone())
                } else {
                    self.err(
                        "patient.initials",
                        "must be initials only: 1 to 5 capital letters, optionally separated by dots, hyphens or spaces (e.g. \"J.M.G.\"); never a name",
                    );
                    None
                }
            }
            Some(other) => {
                self.err(
                    "patient.initials",
                    format!(
                        "must be a string of initials such as \"JMG\", not {}",
                        kind(other)
                    ),
                );
                None
            }
        };
        if self.errors.len() > before {
            return None;
        }
        if age.is_none() && sex.is_none() && initials.is_none() {
            self.err(
                "patient",
                "does not identify a patient: give at least one of age, sex, initials (E2B minimum criterion)",
            );
            return None;
        }
        Some(Patient { age, sex, initials })
    }

    fn drugs(
        &mut self,
        v: Option<&Value>,
        resolver: &dyn DrugResolver,
    ) -> Option<Vec<(Drug, Option<String>)>> {
        let example = r#"e.g. [{"name": "Olumiant", "role": "suspect"}] (E2B minimum criterion: at least one suspect medicine)"#;
        let items = match present(v) {
            None => {
                self.err(
                    "drugs",
                    format!("is missing: list the medicines, {example}"),
                );
                return None;
            }
            Some(Value::Array(a)) if a.is_empty() => {
                self.err("drugs", format!("is empty: list the medicines, {example}"));
                return None;
            }
            Some(Value::Array(a)) if a.len() > MAX_DRUGS => {
                self.err(
                    "drugs",
                    format!(
                        "lists {} medicines; the limit is {MAX_DRUGS}, so keep the suspect and relevant concomitant ones",
                        a.len()
                    ),
                );
                return None;
            }
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.err(
                    "drugs",
                    format!("must be an array, not {}: {example}", kind(other)),
                );
                return None;
            }
        };
        let before = self.errors.len();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("drugs[{i}]");
            let Some(m) = self.object(
                Some(item),
                &at,
                r#"each drug is an object such as {"name": "Olumiant", "role": "suspect"}"#,
            ) else {
                continue;
            };
            self.unknown(m, &at, &["name", "id", "role", "dose", "route"]);
            let name = self.text(
                m.get("name"),
                &format!("{at}.name"),
                MAX_TEXT_CHARS,
                false,
                "the medicine's name as reported",
            );
            let id = match present(m.get("id")) {
                None => None,
                Some(Value::String(s)) => {
                    if resolver.is_known_id(s) {
                        Some(s.clone())
                    } else {
                        self.err(
                            format!("{at}.id"),
                            format!(
                                "{} is not a medicine id of the knowledge pack (see `offlabel drugs`); give the name as reported in name instead",
                                quoted(s)
                            ),
                        );
                        None
                    }
                }
                Some(other) => {
                    self.err(
                        format!("{at}.id"),
                        format!("must be a string (a pack medicine id), not {}", kind(other)),
                    );
                    None
                }
            };
            if present(m.get("name")).is_none() && present(m.get("id")).is_none() {
                self.err(
                    format!("{at}.name"),
                    "is missing: give the medicine's name as reported (or a pack medicine id in id)",
                );
            }
            let role = match present(m.get("role")) {
                None => {
                    self.err(
                        format!("{at}.role"),
                        format!("is missing: give one of {}", Role::accepted()),
                    );
                    None
                }
                Some(Value::String(s)) => {
                    let r = Role::parse(s);
                    if r.is_none() {
                        self.err(
                            format!("{at}.role"),
                            format!(
                                "{} is not a role; use one of {}",
                                quoted(s),
                                Role::accepted()
                            ),
                        );
                    }
                    r
                }
                Some(other) => {
                    self.err(
                        format!("{at}.role"),
                        format!(
                            "must be a string ({}), not {}",
                            Role::accepted(),
                            kind(other)
                        ),
                    );
                    None
                }
            };
            let dose = self.text(
                m.get("dose"),
                &format!("{at}.dose"),
                MAX_TEXT_CHARS,
                false,
                "the dose as reported, e.g. \"4 mg once daily\"",
            );
            let route = self.text(
                m.get("route"),
                &format!("{at}.route"),
                MAX_TEXT_CHARS,
                false,
                "the route as reported, e.g. \"oral\"",
            );
            if let (Some(role), true) = (role, name.is_some() || id.is_some()) {
                let drug_id = match &id {
                    Some(id) => Some(id.clone()),
                    None => name.as_deref().and_then(|n| resolver.resolve(n)),
                };
                out.push((
                    Drug {
                        name,
                        id,
                        role,
                        dose,
                        route,
                    },
                    drug_id,
                ));
            }
        }
        if self.errors.len() > before {
            return None;
        }
        if !out.iter().any(|(d, _)| d.role == Role::Suspect) {
            self.err(
                "drugs",
                "has no drug with role \"suspect\": at least one suspect medicine is required (E2B minimum criterion)",
            );
            return None;
        }
        Some(out)
    }

    fn reactions(&mut self, v: Option<&Value>) -> Option<Vec<Reaction>> {
        let example = r#"e.g. [{"term": "Herpes zoster"}] (E2B minimum criterion: at least one suspected reaction)"#;
        let items = match present(v) {
            None => {
                self.err(
                    "reactions",
                    format!("is missing: list the reactions, {example}"),
                );
                return None;
            }
            Some(Value::Array(a)) if a.is_empty() => {
                self.err(
                    "reactions",
                    format!("is empty: list the reactions, {example}"),
                );
                return None;
            }
            Some(Value::Array(a)) if a.len() > MAX_REACTIONS => {
                self.err(
                    "reactions",
                    format!("lists {} reactions; the limit is {MAX_REACTIONS}", a.len()),
                );
                return None;
            }
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.err(
                    "reactions",
                    format!("must be an array, not {}: {example}", kind(other)),
                );
                return None;
            }
        };
        let before = self.errors.len();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("reactions[{i}]");
            let Some(m) = self.object(
                Some(item),
                &at,
                r#"each reaction is an object such as {"term": "Herpes zoster", "meddra_code": "10019974"}"#,
            ) else {
                continue;
            };
            self.unknown(m, &at, &["term", "meddra_code"]);
            let term = self.text(
                m.get("term"),
                &format!("{at}.term"),
                MAX_TEXT_CHARS,
                false,
                "the MedDRA preferred term, e.g. \"Herpes zoster\"",
            );
            if present(m.get("term")).is_none() {
                self.err(
                    format!("{at}.term"),
                    "is missing: give the reaction as a MedDRA preferred term, e.g. \"Herpes zoster\"",
                );
            }
            let meddra_code = match present(m.get("meddra_code")) {
                None => None,
                Some(Value::String(s)) if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(s.clone())
                }
                Some(Value::Number(n))
                    if n.as_u64()
                        .is_some_and(|c| (10_000_000..=99_999_999).contains(&c)) =>
                {
                    Some(n.to_string())
                }
                Some(Value::String(s)) => {
                    self.err(
                        format!("{at}.meddra_code"),
                        format!(
                            "{} is not a MedDRA code: give the 8 digits, e.g. \"10019974\", or leave it out",
                            quoted(s)
                        ),
                    );
                    None
                }
                Some(other) => {
                    self.err(
                        format!("{at}.meddra_code"),
                        format!(
                            "must be the 8-digit MedDRA code as a string, e.g. \"10019974\", not {}",
                            kind(other)
                        ),
                    );
                    None
                }
            };
            if let Some(term) = term {
                out.push(Reaction { term, meddra_code });
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    fn onset(&mut self, v: Option<&Value>, today: Date) -> Option<String> {
        match present(v) {
            None => {
                self.err(
                    "onset",
                    "is missing: give the date the reaction began as YYYY-MM-DD, e.g. \"2026-10-02\"",
                );
                None
            }
            Some(Value::String(s)) => match Date::parse(s) {
                None => {
                    self.err(
                        "onset",
                        format!(
                            "{} is not a date: write it as YYYY-MM-DD with a real month and day, e.g. \"2026-10-02\"",
                            quoted(s)
                        ),
                    );
                    None
                }
                Some(d) if d.year < 1900 => {
                    self.err("onset", format!("{d} is before 1900; check the year"));
                    None
                }
                // One day of grace: the reporter's calendar may be ahead of UTC.
                Some(d) if d.days() > today.days() + 1 => {
                    self.err(
                        "onset",
                        format!(
                            "{d} is in the future (today is {today}); give the date the reaction began"
                        ),
                    );
                    None
                }
                Some(d) => Some(d.to_string()),
            },
            Some(other) => {
                self.err(
                    "onset",
                    format!(
                        "must be a string YYYY-MM-DD such as \"2026-10-02\", not {}",
                        kind(other)
                    ),
                );
                None
            }
        }
    }

    fn seriousness(&mut self, v: Option<&Value>, serious: Option<bool>) -> Vec<Criterion> {
        let items = match present(v) {
            None => return Vec::new(),
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.err(
                    "seriousness",
                    format!(
                        "must be an array of criteria ({}), not {}",
                        Criterion::accepted(),
                        kind(other)
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => match Criterion::parse(s) {
                    Some(c) => out.push(c),
                    None => self.err(
                        format!("seriousness[{i}]"),
                        format!(
                            "{} is not a seriousness criterion; use one of {}",
                            quoted(s),
                            Criterion::accepted()
                        ),
                    ),
                },
                other => self.err(
                    format!("seriousness[{i}]"),
                    format!(
                        "must be a string ({}), not {}",
                        Criterion::accepted(),
                        kind(other)
                    ),
                ),
            }
        }
        out.sort();
        out.dedup();
        if serious == Some(false) && !out.is_empty() {
            self.err(
                "seriousness",
                "lists criteria but serious is false: set serious to true, or remove the criteria",
            );
        }
        out
    }
}

/// 1 to 5 capital letters, optionally separated by `.`, `-` or spaces; at most 15
/// characters in all.
fn valid_initials(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    (1..=5).contains(&letters)
        && s.chars().count() <= 15
        && s.chars()
            .all(|c| (c.is_alphabetic() && c.is_uppercase()) || matches!(c, '.' | '-' | ' '))
        && !s.starts_with(' ')
}
