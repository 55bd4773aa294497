//! Composing the answer: the `ask --json` contract object and its text.
//!
//! Every sentence of the answer text ends with citation markers (`[1]`) that index
//! the `citations` array, so each claim traces to a source.

mod history;

use crate::eu::{EMA_SOURCE, EuFinding, EuIndex, EuLayer};
use crate::lexicon::Lexicon;
use crate::outside::{OutsideCondition, VocabularyIndex, VocabularyReading};
use crate::question::{Intent, Language, Place, Question, parse};
use crate::reason::{self, StatusFinding};
use crate::rules::{Flag, PatientFindings, check_patient};
use crate::us::{DRUGSFDA_SOURCE, FDA_LABELS_SOURCE, UsIndex, UsLayer};
use offlabel_model::{Design, FlagId, Jurisdiction, Level, Medicine, Phase, Route, Status, Study};
use offlabel_pack::Pack;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A medicine or condition reference in the contract.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Named {
    /// Pack id.
    pub id: String,
    /// Preferred English name.
    pub name: String,
}

/// The contract's best-evidence object.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BestEvidence {
    /// Study design.
    pub design: Design,
    /// Patients.
    pub n: u32,
    /// Citation id (an entry of `citations`).
    pub citation: String,
    /// The pack's study id.
    pub study: String,
}

/// One option for a condition.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Option_ {
    /// The medicine.
    pub drug: Named,
    /// Status per jurisdiction.
    pub status: BTreeMap<String, Status>,
    /// Its strongest study, if any.
    pub best_evidence: Option<BestEvidence>,
    /// How many studies the pack holds.
    pub studies: usize,
}

/// The contract's flag object.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FlagOut {
    /// FLAG_ID.
    pub id: FlagId,
    /// LEVEL.
    pub level: Level,
    /// Explanation.
    pub text: String,
    /// Issuing body.
    pub body: String,
    /// Citation ids.
    pub citations: Vec<String>,
}

/// The contract's citation object.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Citation {
    /// Source id in the pack.
    pub id: String,
    /// Title.
    pub title: String,
    /// Who published it, or where it is cited.
    pub source: String,
    /// Marker number used in the answer text.
    pub marker: usize,
    /// Kind of source.
    pub kind: String,
    /// Date, where known.
    pub date: Option<String>,
    /// Link, where known.
    pub url: Option<String>,
    /// A secondary source (news, a manufacturer, a mirror of a label): check the label.
    pub secondary: bool,
}

/// A study in the evidence list.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EvidenceRow {
    /// Pack study id.
    pub id: String,
    /// Medicine id.
    pub drug: String,
    /// Condition id.
    pub condition: String,
    /// Design.
    pub design: Design,
    /// Patients, when reported.
    pub n: Option<u32>,
    /// Dose.
    pub dose: Option<String>,
    /// Outcome.
    pub outcome: String,
    /// Direction.
    pub direction: String,
    /// Adverse events.
    pub adverse_events: Option<String>,
    /// Citation ids.
    pub citations: Vec<String>,
}

/// What a status rests on (contract v2 `status_basis`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatusBasis {
    /// `curated` (a reviewed pack record), `regulator_text` (read by an importer from
    /// a regulator's indication text) or `none` (the status is `unknown`).
    pub kind: &'static str,
    /// The id of the record the status rests on; empty for `none`.
    pub record: String,
    /// The regulator's words that decided it, for `regulator_text`.
    pub quote: Option<String>,
    /// When that decision took effect (`YYYY-MM-DD`), where the pack knows the day.
    pub date: Option<String>,
}

impl StatusBasis {
    /// The basis of one jurisdiction's finding: the record that decided it.
    fn of(f: &StatusFinding) -> StatusBasis {
        let record = match f.status {
            Status::Unknown => None,
            // "No authorisation": the standing record that lists none.
            Status::NotAuthorized => f
                .conflicts
                .iter()
                .rev()
                .find(|a| a.kind == offlabel_model::AuthorisationKind::NoneListed),
            Status::Approved | Status::OffLabel => f.authorisations.first(),
        };
        match record {
            Some(a) => StatusBasis {
                kind: "curated",
                record: a.id.clone(),
                quote: None,
                date: a
                    .date
                    .and_then(|d| Some(format!("{:04}-{:02}-{:02}", d.year, d.month?, d.day?))),
            },
            None => StatusBasis::none(),
        }
    }

    /// The basis of a finding read from a regulator's indication text.
    fn of_regulator_text(f: &EuFinding) -> StatusBasis {
        if f.status == Status::Unknown && f.quote.is_none() {
            return StatusBasis::none();
        }
        StatusBasis {
            kind: "regulator_text",
            record: f.record.clone(),
            quote: f.quote.clone(),
            date: f.date.clone(),
        }
    }

    /// No record: the status is `unknown`.
    fn none() -> StatusBasis {
        StatusBasis {
            kind: "none",
            record: String::new(),
            quote: None,
            date: None,
        }
    }
}

/// The answer object (`ask --json`): the contract's fields plus extras.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Answer {
    /// The question as received.
    pub query: String,
    /// Date the pack is current to.
    pub as_of: String,
    /// The medicine asked about.
    pub drug: Option<Named>,
    /// The condition asked about.
    pub condition: Option<Named>,
    /// Status per jurisdiction (present with drug and condition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<BTreeMap<String, Status>>,
    /// What each status rests on, per jurisdiction (present with `status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_basis: Option<BTreeMap<String, StatusBasis>>,
    /// Why each status, per jurisdiction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reasons: Option<BTreeMap<String, String>>,
    /// Strongest study (present with drug and condition; null when none).
    #[serde(skip_serializing_if = "skip_best")]
    pub best_evidence: Option<Option<BestEvidence>>,
    /// Options for a condition.
    pub options: Vec<Option_>,
    /// Patient flags.
    pub flags: Vec<FlagOut>,
    /// The answer text.
    pub answer: String,
    /// Sources of every claim.
    pub citations: Vec<Citation>,
    /// Every study considered, strongest first.
    pub evidence: Vec<EvidenceRow>,
    /// Conflicts between sources that the answer resolved.
    pub conflicts: Vec<String>,
    /// What was understood.
    pub understood: Understood,
}

#[allow(clippy::ref_option)]
fn skip_best(v: &Option<Option<BestEvidence>>) -> bool {
    v.is_none()
}

/// What the parser understood, for transparency.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Understood {
    /// Intents.
    pub intents: Vec<Intent>,
    /// Jurisdictions named.
    pub places: Vec<Place>,
    /// Patient details.
    pub patient: crate::patient::Patient,
    /// Language of the answer.
    pub language: Language,
    /// A medicine named that the pack does not cover.
    pub unknown_medicine: Option<String>,
    /// Spelling corrections made.
    pub corrections: Vec<String>,
    /// Every finding about the patient that was read, with its context (negated,
    /// someone else's, family history, historical, hypothetical) and whether it counts.
    pub findings: Vec<crate::question::Finding>,
}

/// Collects citations and hands out markers.
struct Cites<'a> {
    pack: &'a Pack,
    list: Vec<Citation>,
}

impl<'a> Cites<'a> {
    fn mark(&mut self, sources: &[String]) -> String {
        let mut out = String::new();
        let mut seen = Vec::new();
        for id in sources {
            if seen.contains(id) {
                continue;
            }
            seen.push(id.clone());
            let n = match self.list.iter().find(|c| &c.id == id) {
                Some(c) => c.marker,
                None => {
                    let Some(src) = self.pack.source(id) else {
                        continue;
                    };
                    let marker = self.list.len() + 1;
                    let origin = match (&src.cited_in, src.reference) {
                        (Some(parent), Some(n)) => format!("reference {n} of {parent}"),
                        _ => src
                            .publisher
                            .clone()
                            .unwrap_or_else(|| src.kind.as_str().to_string()),
                    };
                    self.list.push(Citation {
                        id: id.clone(),
                        title: src.title.clone(),
                        source: origin,
                        marker,
                        kind: src.kind.as_str().to_string(),
                        date: src.date.map(|d| d.to_string()),
                        url: src.url.clone(),
                        secondary: src.secondary,
                    });
                    marker
                }
            };
            // A secondary source (news, a mirror of a label) says so where it is cited.
            if self.pack.source(id).is_some_and(|s| s.secondary) {
                out.push_str(&format!("[{n}, secondary source]"));
            } else {
                out.push_str(&format!("[{n}]"));
            }
        }
        out
    }
}

/// Text pieces that change with the answer language. Pack records stay in English
/// (the pack holds them so); the frame around them follows the question.
struct Words {
    es: bool,
    disclaimer: &'static str,
    status: fn(Status) -> &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Es => Words {
            es: true,
            disclaimer: "Esta información orienta a quien prescribe y no sustituye su juicio clínico.",
            status: |s| match s {
                Status::Approved => "aprobado",
                Status::OffLabel => "fuera de indicación (off-label)",
                Status::NotAuthorized => "no autorizado",
                Status::Unknown => "desconocido para el paquete",
            },
        },
        _ => Words {
            es: false,
            disclaimer: "This informs a prescriber's decision and does not replace it.",
            status: |s| match s {
                Status::Approved => "approved",
                Status::OffLabel => "off-label",
                Status::NotAuthorized => "not authorised",
                Status::Unknown => "unknown to the pack",
            },
        },
    }
}

impl Words {
    /// A fixed phrase: English or Spanish.
    fn pick(&self, en: &'static str, es: &'static str) -> &'static str {
        if self.es { es } else { en }
    }

    fn flag_label(&self, flag: FlagId) -> &'static str {
        if self.es {
            crate::rules::flag_label_es(flag)
        } else {
            crate::rules::flag_label(flag)
        }
    }

    fn level(&self, level: Level) -> String {
        if !self.es {
            return level.to_string();
        }
        match level {
            Level::Contraindicated => "contraindicado",
            Level::Avoid => "evitar",
            Level::Caution => "precaución",
            Level::DoseAdjustment => "ajuste de dosis",
            Level::Monitor => "vigilar",
        }
        .to_string()
    }

    fn language(&self) -> Language {
        if self.es { Language::Es } else { Language::En }
    }

    fn route_assumed(&self, written: &str, read_as: &str) -> String {
        if self.es {
            format!(
                "\"{written}\" no indica la vía; se interpreta como {read_as} (indique la forma, p. ej. \"comprimidos\" o \"crema\", para elegir)."
            )
        } else {
            format!(
                "\"{written}\" names no route; read as {read_as} (name the form, e.g. \"tablets\" or \"cream\", to choose)."
            )
        }
    }

    fn not_covered(&self, foreign: &str) -> String {
        if self.es {
            format!(
                "El paquete no sabe nada de {foreign}: no es uno de sus medicamentos revisados y la tabla de la EMA no tiene ninguna autorización centralizada suya (puede estar autorizado en cada país). No puede decir nada sobre {foreign}."
            )
        } else {
            format!(
                "The pack knows nothing of {foreign}: it is not one of its reviewed medicines, and the EMA's table holds no central authorisation of it (it may be authorised nationally). It cannot say anything about {foreign}."
            )
        }
    }

    fn other_place(&self, name: &str) -> String {
        if self.es {
            format!(
                "El paquete solo conoce las decisiones de la FDA (EE. UU.) y la EMA (UE); no sabe el estado en {name}. Sigue el estado en EE. UU. y la UE."
            )
        } else {
            format!(
                "The pack knows only FDA (US) and EMA (EU) decisions; it does not know the status in {name}. The US and EU status follow."
            )
        }
    }

    fn conflict(&self, note: &str, regulator: impl std::fmt::Display) -> String {
        if self.es {
            format!(
                "Conflicto que se conserva: {note} La decisión de la {regulator} indicada prevalece, por ser el registro propio y más reciente del regulador."
            )
        } else {
            format!(
                "Conflict kept on record: {note} The {regulator} decision above supersedes it as the regulator's own, newer record."
            )
        }
    }

    fn no_study(&self, medicine: &str, condition: &str) -> String {
        if self.es {
            format!("El paquete no contiene ningún estudio de {medicine} en {condition}.")
        } else {
            format!("The pack holds no study of {medicine} in {condition}.")
        }
    }

    fn options_header(&self, condition: &str) -> String {
        if self.es {
            format!(
                "Medicamentos del paquete para {condition}, primero los aprobados y después por solidez de la evidencia:"
            )
        } else {
            format!(
                "Medicines in the pack for {condition}, approvals first, then by strength of evidence:"
            )
        }
    }

    fn no_options(&self, condition: &str) -> String {
        if self.es {
            format!(
                "El paquete no contiene ninguna autorización ni ningún estudio de sus medicamentos en {condition}."
            )
        } else {
            format!("The pack holds no authorisation or study of its medicines in {condition}.")
        }
    }

    fn no_condition(&self, medicine: &str) -> String {
        if self.es {
            format!(
                "La pregunta no nombra ninguna enfermedad que el paquete conozca; si se refería a una, el paquete no tiene registros sobre ella con ese nombre. Autorizaciones de {medicine}:"
            )
        } else {
            format!(
                "The question names no condition the pack knows; if one was meant, the pack holds no record of it under that name. Authorisations of {medicine}:"
            )
        }
    }

    fn studies_elsewhere(&self, condition: &str, others: &str) -> String {
        if self.es {
            format!(
                "Otros medicamentos con estudios en {condition} en el paquete (número de estudios): {others}."
            )
        } else {
            format!(
                "Other medicines with studies in {condition} in the pack (number of studies): {others}."
            )
        }
    }

    fn form_authorised(&self, medicine: &str, forms: &str, condition: &str) -> String {
        if self.es {
            format!(
                "{medicine} está autorizado para {forms}, una forma de {condition}; si se refiere a esa forma, pregunte por ella por su nombre."
            )
        } else {
            format!(
                "{medicine} is authorised for {forms}, a form of {condition}; if that is the form meant, ask about it by name."
            )
        }
    }

    /// The question named nothing the pack knows: say so, and name what its reviewed
    /// records cover (a bounded list, from the pack).
    fn nothing_recognised(&self, pack: &Pack) -> String {
        const SHOWN: usize = 12;
        let mut names: Vec<String> = pack
            .medicines
            .iter()
            .take(SHOWN)
            .map(|m| m.name.to_lowercase())
            .collect();
        if pack.medicines.len() > SHOWN {
            names.push(if self.es {
                format!("{} más", pack.medicines.len() - SHOWN)
            } else {
                format!("{} more", pack.medicines.len() - SHOWN)
            });
        }
        let names = names.join(", ");
        let area = &pack.meta.area;
        if self.es {
            format!(
                "El paquete no ha reconocido ningún medicamento ni ninguna enfermedad en esta pregunta, así que no responde antes que adivinar. Sus registros revisados cubren, en {}: {names}; nombre un medicamento, una enfermedad o ambos.",
                area.name_es
            )
        } else {
            format!(
                "The pack did not recognise a medicine or a condition in this question, so it gives no answer rather than guess. Its reviewed records cover, in {}: {names}; try naming a medicine, a condition, or both.",
                area.name
            )
        }
    }

    fn no_interactions(&self, subject: &str) -> String {
        if self.es {
            format!(
                "El paquete no recoge interacciones de {subject}; consulte la ficha técnica o un servicio de interacciones."
            )
        } else {
            format!(
                "The pack records no drug interactions for {subject}; check the product information or an interaction checker."
            )
        }
    }

    fn no_prices(&self, medicine: Option<&str>) -> String {
        match (self.es, medicine) {
            (true, Some(m)) => format!(
                "El paquete no recoge precios, financiación ni cobertura de seguros de {m}; consulte al farmacéutico, a la aseguradora o al servicio de salud."
            ),
            (true, None) => "El paquete no recoge precios, financiación ni cobertura de seguros; consulte al farmacéutico, a la aseguradora o al servicio de salud.".into(),
            (false, Some(m)) => format!(
                "The pack records no prices, reimbursement or insurance coverage for {m}; ask a pharmacist, the insurer or the health service."
            ),
            (false, None) => "The pack records no prices, reimbursement or insurance coverage; ask a pharmacist, the insurer or the health service.".into(),
        }
    }

    fn no_safety_figures(&self, events: &str, medicine: &str) -> String {
        if self.es {
            format!(
                "El paquete no recoge cifras ni estudios sobre {events} con {medicine}; lo anterior es su perfil de seguridad general."
            )
        } else {
            format!(
                "The pack records no figures or studies on {events} with {medicine}; the lines above are its general safety record."
            )
        }
    }

    fn also_names(&self, condition: &str, medicine: &str, status: &str) -> String {
        if self.es {
            format!(
                "La pregunta también nombra {condition}: {medicine} para ello ({status}); pregunte por separado para ver la evidencia."
            )
        } else {
            format!(
                "The question also names {condition}: {medicine} for it ({status}); ask about it on its own for the evidence."
            )
        }
    }
}

/// A condition's name in running text: its first Spanish name in Spanish answers.
fn condition_name(c: &offlabel_model::Condition, w: &Words) -> String {
    match c.es.first() {
        Some(es) if w.es => es.to_lowercase(),
        _ => c.name.to_lowercase(),
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Rates keep at least one decimal, as sources print them (3.0, 0.4, 2.04).
fn fmt_rate(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// Which day an answer speaks for.
#[derive(Debug, Clone, Copy)]
pub enum Era<'a> {
    /// Today's records; `full` is the whole pack, history included, so the answer can
    /// say what a label said before a recent change.
    Today {
        /// Every record, superseded ones included.
        full: &'a Pack,
    },
    /// A past day (`--as-of`): the pack given holds the records in force then. The
    /// EMA table layer describes the labels of its export, so it is not consulted.
    Past,
}

/// Answers one question. Never fails: odd input gets an honest "not recognised".
pub fn answer(
    pack: &Pack,
    lexicon: &Lexicon,
    vocabulary: &VocabularyIndex,
    eu: &EuIndex,
    us: &UsIndex,
    text: &str,
    era: Era<'_>,
) -> Answer {
    let mut a = answer_from(pack, lexicon, vocabulary, eu, us, text, era);
    if let Era::Today { full } = era {
        history::add_lines(pack, full, lexicon, text, &mut a);
    }
    a
}

fn answer_from(
    pack: &Pack,
    lexicon: &Lexicon,
    vocabulary: &VocabularyIndex,
    eu: &EuIndex,
    us: &UsIndex,
    text: &str,
    era: Era<'_>,
) -> Answer {
    let layer_today = matches!(era, Era::Today { .. });
    let mut q = parse(pack, lexicon, vocabulary, text);
    // A general question whose condition the curated lexicon missed: look the words up
    // in the Disease Ontology layer (questions about effects or doses are left alone, as
    // the disease they name is then not the one asked about).
    let general = q
        .intents
        .iter()
        .all(|i| matches!(i, Intent::Approval | Intent::Evidence | Intent::Options));
    let mut outside = None;
    if q.condition.is_none() && q.class.is_none() && general {
        match vocabulary.read(pack, text) {
            Some(VocabularyReading::Curated(id)) => q.condition = Some(id),
            Some(VocabularyReading::Outside(o)) => outside = Some(o),
            None => {}
        }
    }
    // The DO id of the condition asked: a curated condition's link, or the vocabulary's.
    let doid = match (&q.condition, &outside) {
        (Some(id), _) => pack.condition(id).and_then(|c| c.doid.clone()),
        (None, Some(o)) => Some(o.doid.clone()),
        (None, None) => None,
    };
    // A medicine outside the curated pack that the EMA's table holds.
    if q.medicine.is_none()
        && q.class.is_none()
        && layer_today
        && let Some(layer) = eu.get()
        && let Some(m) = layer.find_medicine(text)
    {
        let drug = Named {
            id: m.id.clone(),
            name: m.inn.clone(),
        };
        let ctx = LayerContext {
            pack,
            q: &q,
            text,
            vocabulary,
            outside: outside.as_ref(),
            doid: doid.as_deref(),
        };
        return layer_answer(
            &ctx,
            drug,
            Some((layer, m)),
            us.get().filter(|_| layer_today),
        );
    }
    // A medicine only the FDA's layers hold (Drugs@FDA brands and ingredients, labels).
    if q.medicine.is_none()
        && q.class.is_none()
        && layer_today
        && let Some(layer) = us.get()
        && let Some(id) = layer.find_medicine(text)
    {
        let drug = Named {
            id: id.to_string(),
            name: layer.display_name(id),
        };
        let ctx = LayerContext {
            pack,
            q: &q,
            text,
            vocabulary,
            outside: outside.as_ref(),
            doid: doid.as_deref(),
        };
        // The same substance under an EU name the question did not use (Breo = Relvar).
        let eu_same = eu.get().and_then(|l| l.medicine(id).map(|m| (l, m)));
        return layer_answer(&ctx, drug, eu_same, Some(layer));
    }
    // The DO term to read the regulators' layers with for a curated medicine: a condition
    // the pack does not curate, or a curated one outside the pack's area, whose
    // authorisations the curated records do not list.
    let outside_area = q
        .condition
        .as_deref()
        .and_then(|id| pack.condition(id))
        .filter(|c| !c.in_area);
    let layer_doid = outside
        .as_ref()
        .map(|o| o.doid.as_str())
        .or(outside_area.and_then(|c| c.doid.as_deref()));
    // Whether the curated records leave a jurisdiction's status unknown for the pair
    // (always so for a condition the pack does not curate).
    let curated_unknown = |j: Jurisdiction| match (&q.medicine, outside_area) {
        (Some(mid), Some(c)) => {
            reason::status(pack, mid, &c.id, &q.patient, j).status == Status::Unknown
        }
        _ => outside.is_some(),
    };
    let mut findings: Vec<(Jurisdiction, EuFinding)> = Vec::new();
    if let (Some(mid), Some(doid)) = (&q.medicine, layer_doid)
        && layer_today
        && let Some((v, _)) = vocabulary.get()
    {
        // The FDA labels the pack holds: only a clause that decides (approved or
        // off-label, with its quote) replaces the curated records' `unknown`.
        if let Some(layer) = us.get()
            && curated_unknown(Jurisdiction::Us)
        {
            let f = layer.status(v, mid, doid, &q.patient, text);
            if f.status != Status::Unknown {
                findings.push((Jurisdiction::Us, f));
            }
        }
        // The EMA's table says whether the EU authorises it.
        if let Some(layer) = eu.get()
            && layer.medicine(mid).is_some()
            && curated_unknown(Jurisdiction::Eu)
        {
            let prefer = layer.named_product(mid, text);
            let f = layer.status(v, mid, doid, &q.patient, text, prefer.as_deref());
            findings.push((Jurisdiction::Eu, f));
        }
    }
    let decided: Vec<Jurisdiction> = findings.iter().map(|(j, _)| *j).collect();
    let mut a = compose(pack, &q, text, outside.as_ref(), &decided);
    if a.status.is_none() {
        return a;
    }
    let w = words(q.language);
    // Prepended in reverse, so the answer reads US, then EU.
    for (j, f) in findings.iter().rev() {
        let key = j.as_str().to_string();
        if let Some(status) = a.status.as_mut() {
            status.insert(key.clone(), f.status);
        }
        if let Some(b) = a.status_basis.as_mut() {
            b.insert(key.clone(), StatusBasis::of_regulator_text(f));
        }
        if let Some(r) = a.status_reasons.as_mut() {
            r.insert(key, f.reason.clone());
        }
        let mut cites = Cites {
            pack,
            list: std::mem::take(&mut a.citations),
        };
        let line = match j {
            Jurisdiction::Us => us_status_line(f, &w, &mut cites),
            Jurisdiction::Eu => eu_status_line(f, &w, &mut cites),
        };
        a.citations = cites.list;
        a.answer = format!("{line}\n{}", a.answer);
    }
    a
}

/// The US status line of a finding read from the FDA's layers, with the quote.
fn us_status_line(f: &EuFinding, w: &Words, cites: &mut Cites<'_>) -> String {
    let source = if f.quote.is_some() {
        FDA_LABELS_SOURCE
    } else {
        DRUGSFDA_SOURCE
    };
    regulator_status_line(
        f,
        "US (FDA)",
        source,
        [
            w.pick("The FDA label's words:", "Palabras de la ficha de la FDA:"),
            w.pick("Label effective on", "Ficha vigente desde el"),
        ],
        w,
        cites,
    )
}

/// A regulator layer's status line: status and reason with the source's marker, then the
/// regulator's words and the record's date under their labels (`[quote, date]`).
fn regulator_status_line(
    f: &EuFinding,
    region: &str,
    source: &str,
    labels: [&str; 2],
    w: &Words,
    cites: &mut Cites<'_>,
) -> String {
    let marks = cites.mark(&[source.to_string()]);
    let mut line = format!(
        "{region}: {} — {}. {marks}",
        (w.status)(f.status).to_uppercase(),
        f.reason
    );
    if let Some(q) = &f.quote {
        line.push_str(&format!("\n  {} \"{}\"", labels[0], q.trim()));
    }
    if let Some(d) = &f.date {
        line.push_str(&format!("\n  {} {d}.", labels[1]));
    }
    line
}

/// What every answer from the regulators' layers needs besides the medicine.
struct LayerContext<'a> {
    pack: &'a Pack,
    q: &'a Question,
    text: &'a str,
    vocabulary: &'a VocabularyIndex,
    outside: Option<&'a OutsideCondition>,
    doid: Option<&'a str>,
}

/// The EU status line of a finding read from the EMA's table, with the quote.
fn eu_status_line(f: &EuFinding, w: &Words, cites: &mut Cites<'_>) -> String {
    regulator_status_line(
        f,
        "EU (EMA)",
        EMA_SOURCE,
        [
            w.pick("The EMA's words:", "Palabras de la EMA:"),
            w.pick("Authorised on", "Autorizado el"),
        ],
        w,
        cites,
    )
}

/// The answer for a medicine only the regulators' layers hold (the EMA's table, Drugs@FDA,
/// the FDA labels): each status from the regulator's own records, and what the pack does not
/// know (evidence, rules).
fn layer_answer(
    ctx: &LayerContext<'_>,
    drug: Named,
    eu: Option<(&EuLayer, &offlabel_regulatory::RegulatedMedicine)>,
    us: Option<&UsLayer>,
) -> Answer {
    let LayerContext {
        pack,
        q,
        text,
        vocabulary,
        outside,
        doid,
    } = *ctx;
    let w = words(q.language);
    let mut cites = Cites {
        pack,
        list: Vec::new(),
    };
    let mut lines = Vec::new();
    let name = drug.name.clone();
    let id = drug.id.clone();
    let drug = Some(drug);
    let condition = match (&q.condition, outside) {
        (Some(id), _) => named_condition(pack, id),
        (None, Some(o)) => Some(Named {
            id: o.doid.clone(),
            name: o.name.clone(),
        }),
        (None, None) => None,
    };
    if let Some(sentence) = us.and_then(|l| l.approval_sentence(&id)) {
        let marks = cites.mark(&[DRUGSFDA_SOURCE.to_string()]);
        lines.push(format!("{name} {sentence}. {marks}"));
    }
    if let Some((layer, _)) = eu {
        let products = layer.authorised_products(&id);
        let marks = cites.mark(&[EMA_SOURCE.to_string()]);
        lines.push(if products.is_empty() {
            format!(
                "{} {name}. {marks}",
                w.pick(
                    "The EMA's table holds no product authorised now for",
                    "La tabla de la EMA no tiene ningún producto autorizado ahora para"
                )
            )
        } else {
            format!(
                "{name} {} {}. {marks}",
                w.pick(
                    "is centrally authorised in the EU as",
                    "tiene autorización centralizada en la UE como"
                ),
                bounded_list(&products, LIST_LIMIT, &w)
            )
        });
    }
    let mut status_map = None;
    let mut basis_map = None;
    let mut reasons_map = None;
    let mut best = None;
    if let Some(c) = &condition {
        let unplaced = |regulator: &str| EuFinding {
            status: Status::Unknown,
            reason: format!(
                "the pack cannot place this condition in the Disease Ontology, so it cannot match it to the {regulator}'s indications"
            ),
            record: String::new(),
            quote: None,
            date: None,
        };
        let eu_finding = match (eu, doid, vocabulary.get()) {
            (Some((layer, m)), Some(d), Some((v, _))) => {
                let prefer = layer.named_product(&m.id, text);
                layer.status(v, &m.id, d, &q.patient, text, prefer.as_deref())
            }
            (Some(_), _, _) => unplaced("EMA"),
            (None, _, _) => EuFinding {
                status: Status::Unknown,
                reason: "the EMA's table holds no central authorisation of this medicine; it may be authorised nationally".into(),
                record: String::new(),
                quote: None,
                date: None,
            },
        };
        let us_finding = match (us, doid, vocabulary.get()) {
            (Some(layer), Some(d), Some((v, _))) => layer.status(v, &id, d, &q.patient, text),
            (Some(layer), _, _) if layer.knows(&id) => unplaced("FDA"),
            _ => EuFinding {
                status: Status::Unknown,
                reason: w
                    .pick(
                        "the pack holds no US records for this medicine",
                        "el paquete no tiene registros de EE. UU. para este medicamento",
                    )
                    .to_string(),
                record: String::new(),
                quote: None,
                date: None,
            },
        };
        lines.push(us_status_line(&us_finding, &w, &mut cites));
        lines.push(eu_status_line(&eu_finding, &w, &mut cites));
        lines.push(format!(
            "{} {name} ({}).",
            w.pick(
                "The pack holds no reviewed studies, posology or patient rules for",
                "El paquete no tiene estudios, posología ni reglas de paciente revisados para"
            ),
            c.name
        ));
        let mut status = BTreeMap::new();
        let mut basis = BTreeMap::new();
        let mut reasons = BTreeMap::new();
        status.insert("US".to_string(), us_finding.status);
        basis.insert(
            "US".to_string(),
            StatusBasis::of_regulator_text(&us_finding),
        );
        reasons.insert("US".to_string(), us_finding.reason.clone());
        status.insert("EU".to_string(), eu_finding.status);
        basis.insert(
            "EU".to_string(),
            StatusBasis::of_regulator_text(&eu_finding),
        );
        reasons.insert("EU".to_string(), eu_finding.reason.clone());
        status_map = Some(status);
        basis_map = Some(basis);
        reasons_map = Some(reasons);
        best = Some(None);
    } else {
        lines.push(
            w.pick(
                "The question names no condition the pack recognises, so it gives no status.",
                "La pregunta no nombra ninguna enfermedad que el paquete reconozca, así que no da un estado.",
            )
            .to_string(),
        );
    }
    // The layers hold no patient rules: every finding is still raised, never dropped.
    let layer_source = if eu.is_some() {
        EMA_SOURCE
    } else {
        DRUGSFDA_SOURCE
    };
    let flags: Vec<FlagOut> = crate::rules::uncovered_flags(
        &q.patient,
        offlabel_model::Route::Oral,
        &[],
        &name,
        &[layer_source.to_string()],
    )
    .iter()
    .map(|f| flag_out(f, &mut cites))
    .collect();
    lines.push(w.disclaimer.to_string());
    Answer {
        query: text.to_string(),
        as_of: pack.meta.as_of.to_string(),
        drug,
        condition,
        status: status_map,
        status_basis: basis_map,
        status_reasons: reasons_map,
        best_evidence: best,
        options: vec![],
        flags,
        answer: lines.join("\n"),
        citations: cites.list,
        evidence: vec![],
        conflicts: vec![],
        understood: Understood {
            intents: q.intents.clone(),
            places: q.places.clone(),
            patient: q.patient.clone(),
            language: q.language,
            // A regulator's layer knows it, so it is no longer an unknown medicine.
            unknown_medicine: None,
            corrections: q.corrections.clone(),
            findings: q.findings.clone(),
        },
    }
}

/// The source record that stands for the Disease Ontology layer.
const VOCABULARY_SOURCE: &str = "disease-ontology";

/// The lines that say what the pack knows of a condition it does not curate.
fn outside_lines(
    pack: &Pack,
    o: &OutsideCondition,
    w: &Words,
    cites: &mut Cites<'_>,
) -> Vec<String> {
    let codes: Vec<String> = o
        .codes
        .iter()
        .filter(|(system, _)| *system != "doid")
        .map(|(system, code)| match system.as_str() {
            "icd10cm" => format!("ICD-10-CM {code}"),
            "mesh" => format!("MeSH {code}"),
            other => format!("{other} {code}"),
        })
        .collect();
    let ids = std::iter::once(o.doid.clone())
        .chain(codes)
        .collect::<Vec<_>>()
        .join(", ");
    let marks = cites.mark(&[VOCABULARY_SOURCE.to_string()]);
    let mut lines = vec![if w.es {
        format!(
            "{} ({ids}) es una enfermedad de la Disease Ontology que el paquete no recoge: no tiene autorizaciones ni estudios revisados para ella; un estado, si lo hay, sale solo de la tabla del regulador. {marks}",
            o.name
        )
    } else {
        format!(
            "{} ({ids}) is a Disease Ontology condition the pack does not curate: it holds no reviewed authorisations or studies for it; a status, where given, comes only from a regulator's own table. {marks}",
            o.name
        )
    }];
    let related: Vec<String> = o
        .related
        .iter()
        .filter_map(|id| pack.condition(id))
        .map(|c| condition_name(c, w))
        .collect();
    if !related.is_empty() {
        lines.push(if w.es {
            format!(
                "Enfermedades relacionadas que el paquete sí recoge: {}.",
                bounded_list(&related, LIST_LIMIT, w)
            )
        } else {
            format!(
                "Related conditions the pack does hold: {}.",
                bounded_list(&related, LIST_LIMIT, w)
            )
        });
    }
    lines
}

fn named_medicine(pack: &Pack, id: &str) -> Option<Named> {
    pack.medicine(id).map(|m| Named {
        id: m.id.clone(),
        name: m.name.clone(),
    })
}

fn named_condition(pack: &Pack, id: &str) -> Option<Named> {
    pack.condition(id).map(|c| Named {
        id: c.id.clone(),
        name: c.name.clone(),
    })
}

fn jurisdictions_for(q: &Question) -> Vec<Jurisdiction> {
    vec![Jurisdiction::Us, Jurisdiction::Eu]
        .into_iter()
        .filter(|j| {
            q.places.is_empty()
                || q.places.contains(&Place::Known(*j))
                || !q.places.iter().any(|p| matches!(p, Place::Known(_)))
        })
        .collect()
}

/// `decided`: jurisdictions whose status a regulator layer settles for this question
/// (the caller adds their lines), so the curated records' "not listed" line is left out.
fn compose(
    pack: &Pack,
    q: &Question,
    text: &str,
    outside: Option<&OutsideCondition>,
    decided: &[Jurisdiction],
) -> Answer {
    let w = words(q.language);
    let mut cites = Cites {
        pack,
        list: Vec::new(),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut conflicts = Vec::new();
    let medicine = q.medicine.as_deref().and_then(|m| pack.medicine(m));
    let condition = q.condition.as_deref().and_then(|c| pack.condition(c));
    let intents = &q.intents;
    let wants = |i: Intent| intents.contains(&i);
    let only_general = intents
        .iter()
        .all(|i| matches!(i, Intent::Approval | Intent::Evidence | Intent::Options));

    // Recognition notes.
    if let (Some(m), true) = (medicine, q.route_assumed) {
        lines.push(w.route_assumed(
            &q.medicine_words.clone().unwrap_or_default(),
            &m.name.to_lowercase(),
        ));
    }
    if !q.corrections.is_empty() {
        lines.push(format!(
            "{}: {}.",
            w.pick("Read as", "Interpretado como"),
            q.corrections.join(", ")
        ));
    }
    if medicine.is_none()
        && let Some(foreign) = &q.foreign_medicine
    {
        lines.push(w.not_covered(foreign));
    }
    for place in &q.places {
        if let Place::Other(name) = place {
            lines.push(w.other_place(name));
        }
    }

    // Everything after the recognition notes is the answer proper.
    let content_start = lines.len();
    let findings = if medicine.is_some()
        || q.class.is_some()
        || wants(Intent::Screening)
        || wants(Intent::Vaccines)
    {
        check_patient(
            pack,
            medicine.map(|m| m.id.as_str()),
            &q.patient,
            wants(Intent::Screening) || wants(Intent::Vaccines),
        )
    } else {
        PatientFindings::default()
    };

    let mut status_map = None;
    let mut basis_map = None;
    let mut reasons_map = None;
    let mut best_out = None;
    let mut evidence_rows = Vec::new();
    let mut options = Vec::new();

    // Status and evidence for a medicine in a condition.
    if let (Some(m), Some(c)) = (medicine, condition) {
        let mut map = BTreeMap::new();
        let mut basis = BTreeMap::new();
        let mut reasons = BTreeMap::new();
        let asked = jurisdictions_for(q);
        for j in [Jurisdiction::Us, Jurisdiction::Eu] {
            let f = reason::status(pack, &m.id, &c.id, &q.patient, j);
            map.insert(j.as_str().to_string(), f.status);
            basis.insert(j.as_str().to_string(), StatusBasis::of(&f));
            reasons.insert(j.as_str().to_string(), f.reason.clone());
            if asked.contains(&j) && !decided.contains(&j) {
                lines.push(status_line(pack, &m.name, &w, &f, &mut cites));
            }
            for conflict in &f.conflicts {
                let note = w.conflict(
                    conflict
                        .note
                        .as_deref()
                        .unwrap_or("an older source lists no authorisation."),
                    j.regulator(),
                );
                let marks = cites.mark(&conflict.sources);
                lines.push(format!("{note} {marks}"));
                conflicts.push(note);
            }
        }
        // A parent condition ("alopecia") whose form is authorised: name the form, as
        // it may be the one meant.
        if !map.values().any(|s| *s == Status::Approved) {
            let forms = subtype_authorisations(pack, &m.id, &c.id);
            let mut names: Vec<String> = forms
                .iter()
                .filter_map(|a| a.condition.as_deref().and_then(|id| pack.condition(id)))
                .map(|f| condition_name(f, &w))
                .collect();
            names.dedup();
            if !names.is_empty() {
                let sources: Vec<String> = forms.iter().flat_map(|a| a.sources.clone()).collect();
                lines.push(format!(
                    "{} {}",
                    w.form_authorised(&m.name, &names.join(", "), &condition_name(c, &w)),
                    cites.mark(&sources)
                ));
            }
        }
        status_map = Some(map);
        basis_map = Some(basis);
        reasons_map = Some(reasons);
        let ranked = reason::studies(pack, &m.id, &c.id);
        let best = reason::best(&ranked);
        best_out = Some(best.map(|s| best_evidence(s, &mut cites)));
        evidence_rows = ranked.iter().map(|s| evidence_row(s, &mut cites)).collect();
        if let Some(s) = best {
            lines.push(format!(
                "{}: {} {}",
                w.pick("Best evidence", "Mejor evidencia"),
                study_sentence(pack, s),
                cites.mark(&s.sources)
            ));
            let more = ranked.len().saturating_sub(1);
            if more > 0 {
                let others: Vec<String> = ranked
                    .iter()
                    .filter(|o| o.id != s.id)
                    .take(4)
                    .map(|o| {
                        format!(
                            "{}{} ({})",
                            o.design.label(),
                            o.n.map(|n| format!(", n={n}")).unwrap_or_default(),
                            o.outcome_short()
                        )
                    })
                    .collect();
                lines.push(format!(
                    "{} ({more}): {}. {}",
                    w.pick("Other studies", "Otros estudios"),
                    others.join("; "),
                    cites.mark(
                        &ranked
                            .iter()
                            .filter(|o| o.id != s.id)
                            .take(4)
                            .flat_map(|o| o.sources.clone())
                            .collect::<Vec<_>>()
                    )
                ));
            }
        } else if let Some(s) = ranked.first() {
            lines.push(format!(
                "{}: {} {}",
                w.pick(
                    "Evidence (size not reported)",
                    "Evidencia (tamaño no indicado)"
                ),
                study_sentence(pack, s),
                cites.mark(&s.sources)
            ));
        } else {
            let approved = status_map
                .as_ref()
                .is_some_and(|m| m.values().any(|s| *s == Status::Approved));
            if !approved {
                lines.push(w.no_study(&m.name, &condition_name(c, &w)));
                // Where the evidence is: the other medicines with studies in it.
                let others: Vec<String> = pack
                    .medicines_with_studies_in(&c.id)
                    .into_iter()
                    .filter(|(o, _)| o.id != m.id)
                    .map(|(o, n)| format!("{} ({n})", o.name))
                    .collect();
                if !others.is_empty() {
                    let listed = bounded_list(&others, LIST_LIMIT, &w);
                    lines.push(w.studies_elsewhere(&condition_name(c, &w), &listed));
                }
            }
        }
        lines.extend(efficacy_lines(pack, &m.id, Some(c), &mut cites));
        for st in pack.statements_on(&c.id).filter(|s| {
            s.medicines.iter().any(|x| x == &m.id)
                && matches!(s.topic.as_str(), "regulatory" | "efficacy")
        }) {
            if st.conflicts_with.is_some() {
                let note = format!("A weaker source disagrees: {}", st.summary);
                lines.push(format!("{note} {}", cites.mark(&st.sources)));
                conflicts.push(note);
            } else if only_general || wants(Intent::Efficacy) {
                lines.push(format!("{} {}", st.summary, cites.mark(&st.sources)));
            }
        }
    } else if let (None, Some(c), false) = (medicine, condition, q.foreign_medicine.is_some()) {
        let built = build_options(pack, c, &q.patient, None, &w, &mut cites);
        lines.extend(built.lines);
        evidence_rows.extend(built.rows);
        options = built.options;
    } else if let (None, None, Some(o)) = (medicine, condition, outside) {
        lines.extend(outside_lines(pack, o, &w, &mut cites));
    } else if let (Some(m), None) = (medicine, condition) {
        // A medicine without a condition: its authorisations, unless something else is asked.
        if only_general || wants(Intent::Dates) {
            // Say that no condition was recognised: one the pack lacks ("lichen
            // sclerosus") must not read as covered by the list that follows.
            match outside {
                Some(o) => {
                    lines.extend(outside_lines(pack, o, &w, &mut cites));
                    lines.push(if w.es {
                        format!("Autorizaciones de {} que recoge el paquete:", m.name)
                    } else {
                        format!("Authorisations of {} the pack records:", m.name)
                    });
                }
                None if only_general => lines.push(w.no_condition(&m.name)),
                None => {}
            }
            lines.extend(authorisation_lines(
                pack,
                &m.id,
                &w,
                &mut cites,
                &mut conflicts,
            ));
        }
    }

    // Other conditions named: their status in a line each; the evidence is asked alone.
    if let Some(m) = medicine {
        for other in q.other_conditions.iter().filter_map(|c| pack.condition(c)) {
            let findings: Vec<StatusFinding> = [Jurisdiction::Us, Jurisdiction::Eu]
                .into_iter()
                .map(|j| reason::status(pack, &m.id, &other.id, &q.patient, j))
                .collect();
            let status: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {}", f.jurisdiction, (w.status)(f.status)))
                .collect();
            let sources: Vec<String> = findings.iter().flat_map(|f| f.sources.clone()).collect();
            lines.push(format!(
                "{} {}",
                w.also_names(&other.name.to_lowercase(), &m.name, &status.join(", ")),
                cites.mark(&sources)
            ));
        }
    }

    // Several medicines named with a condition: compare them side by side.
    if let (Some(m), Some(c), false) = (medicine, condition, q.other_medicines.is_empty()) {
        let mut named: Vec<String> = vec![m.id.clone()];
        named.extend(q.other_medicines.iter().cloned());
        let built = build_options(pack, c, &q.patient, Some(&named), &w, &mut cites);
        lines.push(w.pick("Side by side:", "Comparación:").into());
        lines.extend(built.lines.into_iter().skip(1));
        options = built.options;
    }

    // Topic sections.
    if let Some(m) = medicine {
        if wants(Intent::Efficacy) && condition.is_none() {
            lines.extend(efficacy_lines(pack, &m.id, None, &mut cites));
        }
        if wants(Intent::Dose) || !findings.dose_adjustments.is_empty() {
            lines.extend(dose_lines(
                pack,
                &m.id,
                condition.map(|c| c.id.as_str()),
                &mut cites,
            ));
        }
        if wants(Intent::Mechanism) {
            lines.push(format!(
                "{} targets {}. {} {}",
                m.name,
                m.targets.join(" and "),
                m.mechanism,
                cites.mark(&m.sources)
            ));
            // What kind of medicine it is in use ("not a corticosteroid").
            for s in pack
                .statements
                .iter()
                .filter(|s| s.topic == "usage" && s.medicines.iter().any(|x| x == &m.id))
            {
                lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
            }
        }
        if wants(Intent::SideEffects) {
            lines.extend(safety_lines(pack, &m.id, text, &w, &mut cites));
        }
        if wants(Intent::Contraindications) {
            for p in pack
                .precautions
                .iter()
                .filter(|p| pack.applies_to(&p.medicines, &m.id))
            {
                let juris = p.jurisdiction.map(|j| format!(", {j}")).unwrap_or_default();
                lines.push(format!(
                    "{} ({}): {} ({}{}) {}",
                    w.flag_label(p.flag),
                    w.level(p.level),
                    p.advice,
                    p.body,
                    juris,
                    cites.mark(&p.sources)
                ));
            }
        }
        if wants(Intent::Dates) && condition.is_some() {
            lines.extend(authorisation_lines(
                pack,
                &m.id,
                &w,
                &mut cites,
                &mut conflicts,
            ));
        }
    } else if let Some(class) = q.class.as_deref()
        && wants(Intent::SideEffects)
    {
        lines.extend(safety_lines(pack, class, text, &w, &mut cites));
    } else if q.class.is_some() && wants(Intent::Mechanism) {
        for s in pack.statements.iter().filter(|s| s.topic == "mechanism") {
            lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
        }
    }

    // Interactions: what the pack records, or that it records none for this medicine.
    if wants(Intent::Interactions) {
        let subject = subject_id(pack, medicine, q);
        let mut found = false;
        for s in pack
            .statements
            .iter()
            .filter(|s| s.topic == "interactions" && pack.applies_to(&s.medicines, subject))
        {
            found = true;
            lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
        }
        if !found {
            lines.push(w.no_interactions(&subject_name(pack, subject, w.es)));
        }
    }

    // Cost and access: what the pack records on obtaining the medicine, and that it
    // records no prices.
    if wants(Intent::Access) {
        let subject = subject_id(pack, medicine, q);
        for s in pack
            .statements
            .iter()
            .filter(|s| s.topic == "access" && pack.applies_to(&s.medicines, subject))
        {
            lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
        }
        lines.push(w.no_prices(medicine.map(|m| m.name.as_str())));
    }

    // The class named and nothing more specific asked ("what did the PRAC recommend
    // for JAK inhibitors?"): what the pack records of the class's regulation.
    if q.class.is_some()
        && medicine.is_none()
        && condition.is_none()
        && lines.len() == content_start
        && !wants(Intent::Screening)
        && !wants(Intent::Vaccines)
    {
        lines.extend(class_overview_lines(pack, &mut cites));
    }

    // Screening, monitoring and vaccines.
    let topical = medicine.is_some_and(|m| m.route == Route::Topical);
    if wants(Intent::Screening) || wants(Intent::Vaccines) {
        if topical && findings.screening.is_empty() {
            lines.push("The pack's screening recommendations concern medicines taken by mouth (systemic); for a topical form it records none beyond regular review of the treated skin.".into());
        }
        if wants(Intent::Screening) {
            if !findings.screening.is_empty() {
                lines.push(
                    w.pick("Before the first dose:", "Antes de la primera dosis:")
                        .into(),
                );
                for s in &findings.screening {
                    lines.push(format!(
                        "- {} ({}) {}",
                        s.item,
                        s.body,
                        cites.mark(&s.sources)
                    ));
                }
            }
            if !findings.monitoring.is_empty() {
                lines.push(
                    w.pick("During treatment:", "Durante el tratamiento:")
                        .into(),
                );
                for s in &findings.monitoring {
                    let when = s
                        .schedule
                        .as_ref()
                        .map(|x| format!(": {x}"))
                        .unwrap_or_default();
                    lines.push(format!(
                        "- {}{} ({}) {}",
                        s.item,
                        when,
                        s.body,
                        cites.mark(&s.sources)
                    ));
                }
            }
        } else {
            for s in findings
                .screening
                .iter()
                .chain(&findings.monitoring)
                .filter(|s| s.item.to_lowercase().contains("vaccin"))
            {
                lines.push(format!(
                    "- {} ({}) {}",
                    s.item,
                    s.body,
                    cites.mark(&s.sources)
                ));
            }
        }
    }

    // Patient flags.
    let mut flags = Vec::new();
    if !findings.flags.is_empty() {
        lines.push(w.pick("For this patient:", "Para este paciente:").into());
        for f in &findings.flags {
            lines.push(format!(
                "- {} — {}: {} {}",
                w.flag_label(f.id),
                w.level(f.level),
                f.text,
                cites.mark(&f.sources)
            ));
            flags.push(flag_out(f, &mut cites));
        }
    }

    let drug = medicine.and_then(|m| named_medicine(pack, &m.id));
    let mut cond = condition.and_then(|c| named_condition(pack, &c.id));
    if let (None, Some(o)) = (&cond, outside) {
        cond = Some(Named {
            id: o.doid.clone(),
            name: o.name.clone(),
        });
        // The pack lists authorisations only for the conditions it curates: it does
        // not know the status of any medicine for this one.
        if drug.is_some() {
            let reason = w.pick(
                "the pack lists authorisations only for the conditions it curates",
                "el paquete solo recoge autorizaciones para las enfermedades que cura",
            );
            let mut map = BTreeMap::new();
            let mut basis = BTreeMap::new();
            let mut reasons = BTreeMap::new();
            for j in [Jurisdiction::Us, Jurisdiction::Eu] {
                map.insert(j.as_str().to_string(), Status::Unknown);
                basis.insert(j.as_str().to_string(), StatusBasis::none());
                reasons.insert(j.as_str().to_string(), reason.to_string());
            }
            status_map = Some(map);
            basis_map = Some(basis);
            reasons_map = Some(reasons);
            best_out = Some(None);
        }
    }
    if drug.is_none() && cond.is_none() && q.class.is_none() && q.foreign_medicine.is_none() {
        lines.push(w.nothing_recognised(pack));
    }
    if (drug.is_some() || cond.is_some()) && cites.list.is_empty() {
        let sources: Vec<String> = medicine
            .map(|m| m.sources.clone())
            .or(condition.map(|c| c.sources.clone()))
            .unwrap_or_default();
        let marks = cites.mark(&sources);
        lines.push(format!(
            "{} {marks}.",
            w.pick(
                "Recognised from the pack's records",
                "Reconocido a partir de los registros del paquete"
            )
        ));
    }
    if !lines.is_empty() {
        lines.push(w.disclaimer.to_string());
    }

    Answer {
        query: text.to_string(),
        as_of: pack.meta.as_of.to_string(),
        drug,
        condition: cond,
        status: status_map,
        status_basis: basis_map,
        status_reasons: reasons_map,
        best_evidence: best_out,
        options,
        flags,
        answer: lines.join("\n"),
        citations: cites.list,
        evidence: evidence_rows,
        conflicts,
        understood: Understood {
            intents: q.intents.clone(),
            places: q.places.clone(),
            patient: q.patient.clone(),
            language: q.language,
            unknown_medicine: q.foreign_medicine.clone(),
            corrections: q.corrections.clone(),
            findings: q.findings.clone(),
        },
    }
}

/// Pivotal efficacy results of a medicine, in a condition (or its typical subtype) when given.
fn efficacy_lines(
    pack: &Pack,
    medicine: &str,
    condition: Option<&offlabel_model::Condition>,
    cites: &mut Cites<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let relevant = |e: &offlabel_model::Efficacy| {
        condition.is_none_or(|c| {
            pack.ancestors(&e.condition).iter().any(|a| a.id == c.id)
                || c.typical_subtype.as_deref() == Some(e.condition.as_str())
        })
    };
    for e in pack
        .efficacy
        .iter()
        .filter(|e| e.medicine == medicine && relevant(e))
    {
        let arms: Vec<String> = e
            .arms
            .iter()
            .map(|a| format!("{}% with {}", fmt_num(a.percent), a.label))
            .collect();
        let trials = match (e.studies, e.n) {
            (Some(s), Some(n)) => format!("In {s} main studies with {n} patients"),
            (_, Some(n)) => format!("In {n} patients"),
            _ => "In the main studies".to_string(),
        };
        lines.push(format!(
            "{trials}, {} ({}) was reached after {} by {}. {}",
            e.endpoint,
            e.endpoint_meaning,
            e.timepoint,
            arms.join(" versus "),
            cites.mark(&e.sources)
        ));
    }
    lines
}

/// Options for a condition: each medicine with an approval or a study, approvals first,
/// then by strength of evidence.
struct BuiltOptions {
    options: Vec<Option_>,
    lines: Vec<String>,
    rows: Vec<EvidenceRow>,
}

fn build_options(
    pack: &Pack,
    c: &offlabel_model::Condition,
    patient: &crate::patient::Patient,
    only: Option<&[String]>,
    w: &Words,
    cites: &mut Cites<'_>,
) -> BuiltOptions {
    /// One medicine's entry, with what its line needs, computed once.
    struct Candidate<'a> {
        opt: Option_,
        rank: u8,
        n: u32,
        approval_rank: usize,
        ranked: Vec<&'a Study>,
        auth_sources: Vec<String>,
        subtypes: Vec<&'a offlabel_model::Authorisation>,
        misfits: Vec<String>,
    }
    let mut found: Vec<Candidate<'_>> = Vec::new();
    let candidates: Vec<&offlabel_model::Medicine> = match only {
        Some(ids) => ids.iter().filter_map(|id| pack.medicine(id)).collect(),
        None => candidate_medicines(pack, &c.id),
    };
    for m in candidates {
        let ranked = reason::studies(pack, &m.id, &c.id);
        let mut status = BTreeMap::new();
        let mut approved = 0;
        let mut auth_sources = Vec::new();
        // Authorised for the condition but not for this patient (too young, wrong
        // severity...): kept in the list, with the regulators' reasons.
        let mut misfits = Vec::new();
        for j in [Jurisdiction::Us, Jurisdiction::Eu] {
            let f = reason::status(pack, &m.id, &c.id, patient, j);
            approved += usize::from(f.status == Status::Approved);
            status.insert(j.as_str().to_string(), f.status);
            let authorised_here = pack.authorisations_of(&m.id).any(|a| {
                a.regulator.jurisdiction() == j
                    && a.kind == offlabel_model::AuthorisationKind::Authorised
                    && a.condition.as_deref() == Some(c.id.as_str())
            });
            if authorised_here && f.status != Status::Approved {
                let why = f.why.render(pack, j.regulator(), &m.name, w.language());
                misfits.push(format!("{}: {why}", j.regulator()));
            }
            auth_sources.extend(f.sources);
        }
        let subtypes = subtype_authorisations(pack, &m.id, &c.id);
        if ranked.is_empty()
            && approved == 0
            && misfits.is_empty()
            && subtypes.is_empty()
            && only.is_none()
        {
            continue;
        }
        let best = reason::best(&ranked);
        let rank = best
            .or(ranked.first().copied())
            .map_or(99, |s| s.design.rank());
        let n = best.and_then(|s| s.n).unwrap_or(0);
        let opt = Option_ {
            drug: Named {
                id: m.id.clone(),
                name: m.name.clone(),
            },
            status,
            best_evidence: best.map(|s| best_evidence(s, cites)),
            studies: ranked.len(),
        };
        // Approved for a subtype ranks after approvals for the condition itself.
        let approval_rank = 2 * approved + usize::from(!subtypes.is_empty());
        found.push(Candidate {
            opt,
            rank,
            n,
            approval_rank,
            ranked,
            auth_sources,
            subtypes,
            misfits,
        });
    }
    found.sort_by(|a, b| {
        b.approval_rank
            .cmp(&a.approval_rank)
            .then(a.rank.cmp(&b.rank))
            .then(b.n.cmp(&a.n))
    });
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    if found.is_empty() {
        lines.push(w.no_options(&condition_name(c, w)));
        for s in pack.statements_on(&c.id) {
            lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
        }
        return BuiltOptions {
            options: vec![],
            lines,
            rows,
        };
    }
    lines.push(w.options_header(&condition_name(c, w)));
    // The strongest entries only: a large pack can hold hundreds of medicines for a
    // common condition, and the answer says how many it left out.
    let left_out = found.len().saturating_sub(OPTIONS_LIMIT);
    found.truncate(OPTIONS_LIMIT);
    for Candidate {
        opt,
        ranked,
        auth_sources,
        subtypes,
        misfits,
        ..
    } in &found
    {
        let status: Vec<String> = opt
            .status
            .iter()
            .map(|(j, s)| format!("{j} {}", (w.status)(*s)))
            .collect();
        let ev = match reason::best(ranked).or(ranked.first().copied()) {
            Some(s) => format!(
                "{}: {} {}",
                w.pick("best evidence", "mejor evidencia"),
                study_sentence(pack, s),
                cites.mark(&s.sources)
            ),
            None => w
                .pick("no study in the pack", "ningún estudio en el paquete")
                .to_string(),
        };
        let approved_here = opt.status.values().any(|s| *s == Status::Approved);
        let subtype_note = if subtypes.is_empty() || approved_here {
            String::new()
        } else {
            let described: Vec<String> = subtypes
                .iter()
                .map(|a| format!("{} for {}", a.regulator, reason::describe(pack, a)))
                .collect();
            let sources: Vec<String> = subtypes.iter().flat_map(|a| a.sources.clone()).collect();
            format!(
                "; authorised for a form of {}: {} {}",
                c.name.to_lowercase(),
                described.join("; "),
                cites.mark(&sources)
            )
        };
        let misfit_note = if misfits.is_empty() {
            String::new()
        } else {
            format!(
                "; {}: {}",
                w.pick(
                    "authorised for it, but not for this patient",
                    "autorizado para ello, pero no para este paciente"
                ),
                misfits.join("; ")
            )
        };
        lines.push(format!(
            "- {} ({}) {}{}{}; {}",
            opt.drug.name,
            status.join(", "),
            cites.mark(auth_sources),
            misfit_note,
            subtype_note,
            ev
        ));
        rows.extend(ranked.iter().map(|s| evidence_row(s, cites)));
    }
    if left_out > 0 {
        lines.push(if w.language() == Language::Es {
            format!("- y {left_out} medicamentos más con estudios o autorizaciones.")
        } else {
            format!("- and {left_out} more medicines with studies or authorisations.")
        });
    }
    BuiltOptions {
        options: found.into_iter().map(|f| f.opt).collect(),
        lines,
        rows,
    }
}

fn status_line(
    pack: &Pack,
    medicine: &str,
    w: &Words,
    f: &StatusFinding,
    cites: &mut Cites<'_>,
) -> String {
    let marks = cites.mark(&f.sources);
    let reason = if w.es {
        f.why
            .render(pack, f.jurisdiction.regulator(), medicine, w.language())
    } else {
        f.reason.clone()
    };
    format!(
        "{} ({}): {} — {}. {}",
        f.jurisdiction,
        f.jurisdiction.regulator(),
        (w.status)(f.status).to_uppercase(),
        reason,
        marks
    )
}

fn authorisation_lines(
    pack: &Pack,
    medicine: &str,
    w: &Words,
    cites: &mut Cites<'_>,
    conflicts: &mut Vec<String>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(m) = pack.medicine(medicine) else {
        return lines;
    };
    for j in [Jurisdiction::Us, Jurisdiction::Eu] {
        let (authorised, superseded, standing_none) =
            reason::effective_authorisations(pack, medicine, j);
        if authorised.is_empty() {
            let listed =
                m.authorisations_known.contains(&j.regulator()) || !standing_none.is_empty();
            let reg = j.regulator();
            let text = match (listed, w.es) {
                (true, false) => format!(
                    "{j} ({reg}): {} in {}.",
                    (w.status)(Status::NotAuthorized),
                    pack.meta.area.name
                ),
                (true, true) => format!(
                    "{j} ({reg}): {} en {}.",
                    (w.status)(Status::NotAuthorized),
                    pack.meta.area.name_es
                ),
                (false, false) => format!(
                    "{j} ({reg}): the pack does not list the {reg} authorisations of {}.",
                    m.name
                ),
                (false, true) => format!(
                    "{j} ({reg}): el paquete no recoge las autorizaciones de {} de la {reg}.",
                    m.name
                ),
            };
            let marks = cites.mark(&m.sources);
            lines.push(format!("{text} {marks}"));
            continue;
        }
        for a in authorised {
            // A full date is written out and in ISO form; a bare year once.
            let date = match (a.date, w.es) {
                (Some(d), false) if d.month.is_some() => {
                    format!(", authorised {} ({d})", d.long())
                }
                (Some(d), true) if d.month.is_some() => {
                    format!(", autorizado el {} ({d})", d.long_es())
                }
                (Some(d), false) => format!(", authorised in {}", d.year),
                (Some(d), true) => format!(", autorizado en {}", d.year),
                (None, false) => ", date not recorded in the pack".into(),
                (None, true) => ", fecha no recogida en el paquete".into(),
            };
            let marks = cites.mark(&a.sources);
            lines.push(format!(
                "{j} ({}): {} {}{}. {}",
                j.regulator(),
                w.pick("authorised for", "autorizado para"),
                reason::describe_in(pack, a, w.language()),
                date,
                marks
            ));
        }
        for s in superseded {
            let note = format!(
                "{} {}",
                w.pick("Conflict kept on record:", "Conflicto que se conserva:"),
                s.note.clone().unwrap_or_default()
            );
            let marks = cites.mark(&s.sources);
            lines.push(format!("{note} {marks}"));
            conflicts.push(note);
        }
    }
    lines
}

fn dose_lines(
    pack: &Pack,
    medicine: &str,
    condition: Option<&str>,
    cites: &mut Cites<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for p in pack.posology_of(medicine) {
        if let (Some(pc), Some(c)) = (&p.condition, condition) {
            let related = pack.ancestors(c).iter().any(|a| &a.id == pc)
                || pack.ancestors(pc).iter().any(|a| a.id == c);
            if !related {
                continue;
            }
        }
        let mut parts = Vec::new();
        if let Some(d) = &p.dose {
            parts.push(d.clone());
        }
        if let Some(f) = &p.frequency {
            parts.push(f.clone());
        }
        if let Some(b) = p.max_bsa_percent {
            parts.push(format!(
                "no more than {}% of the body surface per application",
                fmt_num(b)
            ));
        }
        if let Some(s) = &p.sites {
            parts.push(format!("where: {s}"));
        }
        if let Some(d) = &p.duration {
            parts.push(d.clone());
        }
        if let Some(s) = &p.stopping_rule {
            parts.push(s.clone());
        }
        if let Some(s) = &p.prescriber {
            parts.push(s.clone());
        }
        let who = p.regulator.map_or("Usage notes".to_string(), |r| {
            format!("{} ({})", r.jurisdiction(), r)
        });
        lines.push(format!(
            "{who}: {}. {}",
            parts.join("; "),
            cites.mark(&p.sources)
        ));
    }
    for d in pack
        .dose_adjustments
        .iter()
        .filter(|d| d.medicine == medicine)
    {
        let adj = d
            .adjusted_dose
            .clone()
            .unwrap_or_else(|| "no figure recorded".into());
        lines.push(format!(
            "Dose adjustment ({}, {}): {} Usual {}; adjusted {}. {}",
            d.body,
            d.jurisdiction,
            d.advice,
            d.usual_dose,
            adj,
            cites.mark(&d.sources)
        ));
    }
    lines
}

/// Adverse events a question can single out: the words that name one in a question
/// (English or Spanish, folded) and the stems that mark it in a record's event name
/// or summary. "shingles" finds the records on herpes zoster; "clots" those on VTE.
const SAFETY_TOPICS: &[(&str, &[&str], &[&str])] = &[
    (
        "herpes zoster",
        &["zoster", "shingles", "culebrilla"],
        &["zoster"],
    ),
    (
        "herpes simplex",
        &["herpes simplex", "cold sore", "cold sores", "herpeticum"],
        &["herpes simplex", "herpeticum"],
    ),
    (
        "infections",
        &["infection", "infecc", "infecci"],
        &["infection"],
    ),
    (
        "cancer",
        &[
            "cancer", "malignan", "lymphoma", "tumour", "tumor", "linfoma",
        ],
        &["cancer", "malignan", "lymphoma", "melanoma"],
    ),
    (
        "cardiovascular events",
        &[
            "mace",
            "cardiovascular",
            "heart",
            "infarct",
            "stroke",
            "corazon",
            "cardiac",
            "ictus",
        ],
        &["cardiovascular", "mace", "myocardial"],
    ),
    (
        "blood clots",
        &[
            "vte", "clot", "thrombo", "embolism", "trombo", "coagulo", "embolia",
        ],
        &["thrombo", "vte", "embolism"],
    ),
];

/// Whether folded `text` names `term`: a phrase anywhere, a single word as the
/// start of one of its words ("infection" in "infections", never "mace" inside
/// "pharmaceutical").
fn mentions(text: &str, term: &str) -> bool {
    if term.contains(' ') {
        return text.contains(term);
    }
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.starts_with(term))
}

fn safety_lines(
    pack: &Pack,
    medicine: &str,
    question: &str,
    w: &Words,
    cites: &mut Cites<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let folded = crate::text::fold(question);
    let applies = |ms: &[String]| ms.iter().any(|m| m == medicine);
    // When the question names an event, show only the rates and statements on it.
    let asked: Vec<&(&str, &[&str], &[&str])> = SAFETY_TOPICS
        .iter()
        .filter(|(_, asked_as, _)| asked_as.iter().any(|t| mentions(&folded, t)))
        .collect();
    let on_topic = |record_text: &str| {
        let record_text = crate::text::fold(record_text);
        asked
            .iter()
            .any(|(_, _, marks)| marks.iter().any(|m| mentions(&record_text, m)))
    };
    let chosen: Vec<_> = pack
        .incidence_rates
        .iter()
        .filter(|r| r.medicine == medicine && (asked.is_empty() || on_topic(&r.event)))
        .collect();
    for ae in pack
        .adverse_effects
        .iter()
        .filter(|a| applies(&a.medicines))
    {
        let freq = ae
            .frequency
            .as_ref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        let ctx = ae
            .context
            .as_ref()
            .map(|c| format!("; {c}"))
            .unwrap_or_default();
        lines.push(format!(
            "{} adverse effects: {}{}{}. {}",
            capitalise(&ae.category),
            ae.term,
            freq,
            ctx,
            cites.mark(&ae.sources)
        ));
    }
    for r in &chosen {
        let dose = r
            .dose_mg
            .map(|d| format!(" at {} mg", fmt_num(d)))
            .unwrap_or_default();
        let rate = match r.per_100py_max {
            Some(max) => format!("{}–{}", fmt_rate(r.per_100py), fmt_rate(max)),
            None => fmt_rate(r.per_100py),
        };
        lines.push(format!(
            "{}{}: {} per 100 patient-years ({}). {}",
            capitalise(&r.event),
            dose,
            rate,
            r.analysis,
            cites.mark(&r.sources)
        ));
    }
    let mut on_topic_statements = 0;
    for s in pack
        .statements
        .iter()
        .filter(|s| applies(&s.medicines) && matches!(s.topic.as_str(), "safety" | "exposure"))
    {
        let relevant = asked.is_empty() || on_topic(&s.summary);
        if !relevant && pack.class(medicine).is_none() {
            continue;
        }
        on_topic_statements += usize::from(relevant);
        lines.push(format!("{} {}", s.summary, cites.mark(&s.sources)));
    }
    // An event asked about that no rate or statement of this medicine covers: say so
    // rather than leave the general lines to stand for an answer.
    if !asked.is_empty() && chosen.is_empty() && on_topic_statements == 0 {
        let name = subject_name(pack, medicine, w.es);
        let events: Vec<&str> = asked.iter().map(|(label, _, _)| *label).collect();
        lines.push(w.no_safety_figures(&events.join(", "), &name));
    }
    if pack.class(medicine).is_none()
        && pack
            .medicine(medicine)
            .is_some_and(|m| m.route == Route::Oral)
    {
        // The class's boxed warning, for a member taken by mouth.
        let names_a_class_of_it = |ids: &[String]| {
            ids.iter().any(|m| {
                pack.class(m).is_some() && pack.applies_to(std::slice::from_ref(m), medicine)
            })
        };
        for e in pack
            .regulatory_events
            .iter()
            .filter(|e| names_a_class_of_it(&e.medicines) && e.id.contains("boxed"))
        {
            lines.push(format!(
                "{} ({}): {} {}",
                e.body,
                e.date.long(),
                e.summary,
                cites.mark(&e.sources)
            ));
        }
    }
    if pack.class(medicine).is_some() {
        for e in &pack.regulatory_events {
            lines.push(format!(
                "{} ({}): {} {}",
                e.body,
                e.date.long(),
                e.summary,
                cites.mark(&e.sources)
            ));
        }
    }
    lines
}

/// Authorisations of a medicine for a subtype of a condition (not the condition itself).
/// How many medicines the options of a condition list, strongest first.
const OPTIONS_LIMIT: usize = 12;

/// How many names an answer lists before it says how many more there are.
const LIST_LIMIT: usize = 10;

/// Joins at most `limit` names with commas, then says how many were left out, so
/// no answer enumerates a large pack.
fn bounded_list(names: &[String], limit: usize, w: &Words) -> String {
    if names.len() <= limit {
        return names.join(", ");
    }
    let more = names.len() - limit;
    let tail = if w.language() == Language::Es {
        format!("y {more} más")
    } else {
        format!("and {more} more")
    };
    format!("{} {tail}", names[..limit].join(", "))
}

/// The medicines that can have an entry in the options for `condition`: those with
/// a study in it or a subtype, or an authorisation of it, a subtype or a broader
/// condition. Found through the pack's indexes, in pack order, so the cost follows
/// the facts about the condition, not the size of the pack.
fn candidate_medicines<'a>(pack: &'a Pack, condition: &str) -> Vec<&'a offlabel_model::Medicine> {
    let mut ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for s in pack.studies_in_subtree(condition) {
        ids.insert(s.medicine.as_str());
    }
    let related = pack
        .descendants(condition)
        .into_iter()
        .chain(pack.ancestors(condition));
    for c in related {
        for a in pack.authorisations_for(&c.id) {
            ids.insert(a.medicine.as_str());
        }
    }
    pack.medicines
        .iter()
        .map(|m| &m.record)
        .filter(|m| ids.contains(m.id.as_str()))
        .collect()
}

fn subtype_authorisations<'a>(
    pack: &'a Pack,
    medicine: &str,
    condition: &str,
) -> Vec<&'a offlabel_model::Authorisation> {
    pack.authorisations_of(medicine)
        .filter(|a| {
            a.kind == offlabel_model::AuthorisationKind::Authorised
                && a.condition
                    .as_deref()
                    .is_some_and(|c| c != condition && pack.is_within(c, condition))
        })
        .collect()
}

/// What a question's facts are about: the medicine named, else the class named, else
/// the pack's first class (a question that names neither is read as about the pack's
/// field as a whole, as its class-wide records are).
fn subject_id<'a>(pack: &'a Pack, medicine: Option<&'a Medicine>, q: &'a Question) -> &'a str {
    medicine
        .map(|m| m.id.as_str())
        .or(q.class.as_deref())
        .or(pack.classes.first().map(|c| c.id.as_str()))
        .unwrap_or_default()
}

/// The name of a medicine or class id, in the answer's language.
fn subject_name(pack: &Pack, id: &str, es: bool) -> String {
    if let Some(m) = pack.medicine(id) {
        return m.name.clone();
    }
    match pack.class(id) {
        Some(c) if es => c.name_es.clone(),
        Some(c) => c.name.clone(),
        None => id.to_string(),
    }
}

/// The class as a whole: which of its members are approved in the pack's area, and the
/// regulators' actions on the class (boxed warning, PRAC measures).
fn class_overview_lines(pack: &Pack, cites: &mut Cites<'_>) -> Vec<String> {
    let class = |ms: &[String]| ms.iter().any(|m| pack.class(m).is_some());
    let mut lines: Vec<String> = pack
        .statements
        .iter()
        .filter(|s| s.topic == "regulatory" && s.conditions.is_empty())
        .filter(|s| class(&s.medicines) || s.medicines.len() > 1)
        .map(|s| format!("{} {}", s.summary, cites.mark(&s.sources)))
        .collect();
    lines.extend(
        pack.regulatory_events
            .iter()
            .filter(|e| class(&e.medicines))
            .map(|e| {
                format!(
                    "{} ({}): {} {}",
                    e.body,
                    e.date.long(),
                    e.summary,
                    cites.mark(&e.sources)
                )
            }),
    );
    lines
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

trait OutcomeShort {
    fn outcome_short(&self) -> String;
}

impl OutcomeShort for Study {
    fn outcome_short(&self) -> String {
        let first = self
            .outcome
            .split(". ")
            .next()
            .unwrap_or(&self.outcome)
            .trim_end_matches('.');
        if first.chars().count() > 140 {
            first.chars().take(137).collect::<String>() + "..."
        } else {
            first.to_string()
        }
    }
}

fn study_sentence(pack: &Pack, s: &Study) -> String {
    let cond = pack
        .condition(&s.condition)
        .map_or(s.condition.clone(), |c| c.name.to_lowercase());
    let n =
        s.n.map(|n| format!(" (n={n})"))
            .unwrap_or_else(|| " (size not reported)".into());
    let detail = s
        .detail
        .as_ref()
        .map(|d| format!(", {d}"))
        .unwrap_or_default();
    let dose = s
        .dose
        .as_ref()
        .map(|d| format!(" with {d}"))
        .unwrap_or_default();
    format!(
        "{}{}{} in {}{}: {}",
        s.design.label(),
        n,
        detail,
        cond,
        dose,
        s.outcome.trim_end_matches('.')
    ) + "."
}

fn best_evidence(s: &Study, cites: &mut Cites<'_>) -> BestEvidence {
    cites.mark(&s.sources);
    let citation = s
        .sources
        .iter()
        .find(|id| id.starts_with("review-ref-"))
        .or(s.sources.first())
        .cloned()
        .unwrap_or_default();
    BestEvidence {
        design: s.design,
        n: s.n.unwrap_or(0),
        citation,
        study: s.id.clone(),
    }
}

fn evidence_row(s: &Study, cites: &mut Cites<'_>) -> EvidenceRow {
    cites.mark(&s.sources);
    EvidenceRow {
        id: s.id.clone(),
        drug: s.medicine.clone(),
        condition: s.condition.clone(),
        design: s.design,
        n: s.n,
        dose: s.dose.clone(),
        outcome: s.outcome.clone(),
        direction: s.direction.clone(),
        adverse_events: s.adverse_events.clone(),
        citations: s.sources.clone(),
    }
}

fn flag_out(f: &Flag, cites: &mut Cites<'_>) -> FlagOut {
    cites.mark(&f.sources);
    FlagOut {
        id: f.id,
        level: f.level,
        text: f.text.clone(),
        body: f.body.clone(),
        citations: f.sources.clone(),
    }
}

/// Phase names, for renderers.
pub fn phase_label(p: Phase) -> &'static str {
    match p {
        Phase::Before => "before treatment",
        Phase::During => "during treatment",
    }
}
