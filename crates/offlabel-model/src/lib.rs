//! The offlabel knowledge model: the records a knowledge pack is made of.
//!
//! Every type here mirrors one family of facts in the pack's TOML files
//! (`knowledge/*.toml`). The types carry no behaviour beyond small,
//! obvious helpers; loading and validation live in `offlabel-pack`,
//! reasoning in `offlabel-engine`.
//!
//! Every fact record has a `sources` list of source ids: the pack check
//! refuses a fact without one.

mod codes;
mod date;
mod vocab;

pub use codes::{CODE_SYSTEMS, Code, CodeSystemName, code_key, code_system};
pub use date::{PartialDate, PartialDateError};
pub use vocab::{Design, FlagId, Jurisdiction, Level, Phase, Regulator, Route, SourceKind, Status};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Pack-wide metadata (`knowledge/pack.toml`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    /// Stable identifier of the pack.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Version of the pack content.
    pub version: String,
    /// The date the pack's knowledge is current to.
    pub as_of: PartialDate,
    /// What the pack covers, in a sentence.
    pub scope: String,
    /// Example questions the interfaces offer (the first is the search box's
    /// placeholder). Pack data because each names the pack's own medicines and
    /// conditions; the engine's tests check that every one is answered.
    #[serde(default)]
    pub examples: Vec<String>,
    /// The clinical area whose authorisations the pack lists completely for its own
    /// medicines. Answers name it; a condition outside it (`Condition::in_area` false)
    /// has no listed status.
    pub area: Area,
}

/// A clinical area, named in both answer languages.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// English name of the area ("dermatology").
    pub name: String,
    /// Spanish name ("dermatología").
    pub name_es: String,
    /// What a condition of the area is called in English ("skin condition").
    pub condition_word: String,
    /// The same in Spanish ("enfermedad de la piel").
    pub condition_word_es: String,
}

/// A family of medicines that shares facts (class warnings, screening): a record
/// whose `medicines` list holds the class id applies to every member.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MedicineClass {
    /// Pack id, used in place of a medicine id (`jak-inhibitors`).
    pub id: String,
    /// English name, plural ("JAK inhibitors").
    pub name: String,
    /// Spanish name, plural ("inhibidores de JAK").
    pub name_es: String,
    /// Membership: a pack medicine is in the class when it inhibits one of these
    /// targets (`Medicine::targets`). A medicine the pack does not hold counts as a
    /// member, so class facts are never lost for it.
    pub targets: Vec<String>,
    /// Words that name the class in questions, in any language ("jak inhibitor",
    /// "inhibidores de jak"); matched after the question's normalisation.
    #[serde(default)]
    pub names: Vec<String>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A document a fact rests on: a seed document or a numbered reference
/// cited by one.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Unique id, e.g. `ema-opzelura-overview` or `review-ref-42`.
    pub id: String,
    /// Title as given, or a description when the seed gives only a number.
    pub title: String,
    /// What sort of document it is.
    pub kind: SourceKind,
    /// Who published it, where known.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Publication or last-update date, as precise as the source gives.
    #[serde(default)]
    pub date: Option<PartialDate>,
    /// Where to read it, where known.
    #[serde(default)]
    pub url: Option<String>,
    /// Regulator document number, where there is one.
    #[serde(default)]
    pub document: Option<String>,
    /// 1 (weakest) to 5 (strongest): used to settle conflicts between sources.
    pub reliability: u8,
    /// The seed file this source is, when it is one of the seed documents.
    #[serde(default)]
    pub seed: Option<String>,
    /// The source (by id) whose reference list holds this one.
    #[serde(default)]
    pub cited_in: Option<String>,
    /// The reference number inside `cited_in`.
    #[serde(default)]
    pub reference: Option<u32>,
    /// A secondary source (news, a manufacturer, a third-party mirror of a label):
    /// answers citing it say so, so a prescriber checks the label itself.
    /// (Always serialized: the compiled pack's encoding has no optional fields.)
    #[serde(default)]
    pub secondary: bool,
}

/// When a record was in force: from `valid_from` (inclusive) until `valid_to`
/// (exclusive; absent while it is still in force). A superseded record keeps its
/// place in the pack with its end date, so the pack can answer for any day.
pub trait Validity {
    /// The first day the record was in force, where known.
    fn valid_from(&self) -> Option<PartialDate>;
    /// The day a newer record replaced it, where it has been replaced.
    fn valid_to(&self) -> Option<PartialDate>;
    /// Whether the record was in force on `day`. A record with no start date counts
    /// as in force since before any date asked about (the seed records).
    fn in_force_on(&self, day: PartialDate) -> bool {
        self.valid_from().is_none_or(|f| f <= day) && self.valid_to().is_none_or(|t| day < t)
    }
}

/// A medicine as the contract names it: one ingredient by one route.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Medicine {
    /// Contract id (`ruxolitinib-topical`, `baricitinib`, ...).
    pub id: String,
    /// Preferred English name.
    pub name: String,
    /// Active ingredient (INN).
    pub ingredient: String,
    /// How it is given.
    pub route: Route,
    /// Kinases it inhibits, strongest first.
    pub targets: Vec<String>,
    /// How it works, in the pack's own words.
    pub mechanism: String,
    /// WHO ATC codes.
    #[serde(default)]
    pub atc: Vec<String>,
    /// Codes in other systems (RxNorm), each with its source. ATC codes are `atc`.
    #[serde(default)]
    pub codes: Vec<Code>,
    /// Extra names that identify it in questions (generic phrasings, other languages).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Regulators whose authorisations in the pack's area the pack lists completely
    /// for this medicine. Outside these, the pack does not know the status.
    #[serde(default)]
    pub authorisations_known: Vec<Regulator>,
    /// Brand products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A branded product of a medicine.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Brand name.
    pub brand: String,
    /// Pharmaceutical form (cream, tablet).
    pub form: String,
    /// Strengths, as labelled.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Jurisdictions where the brand name is used.
    #[serde(default)]
    pub jurisdictions: Vec<Jurisdiction>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A disease or syndrome, with every name a person may use for it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Pack id.
    pub id: String,
    /// Preferred English name.
    pub name: String,
    /// Broader condition, by id.
    #[serde(default)]
    pub parent: Option<String>,
    /// Other English names.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Abbreviations (matched case-sensitively when short).
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// Words patients use.
    #[serde(default)]
    pub lay_terms: Vec<String>,
    /// Spanish names.
    #[serde(default)]
    pub es: Vec<String>,
    /// Chinese names.
    #[serde(default)]
    pub zh: Vec<String>,
    /// The subtype a question means when it names only this condition (vitiligo is
    /// taken as non-segmental vitiligo, its common form); authorisations of that
    /// subtype then answer for the parent, and the answer says so.
    #[serde(default)]
    pub typical_subtype: Option<String>,
    /// Severity grades that matter for authorisations.
    #[serde(default)]
    pub severities: Vec<String>,
    /// The Disease Ontology term this condition is (`DOID:` and digits), from the
    /// vocabulary layer `knowledge/layers/disease-ontology/`.
    #[serde(default)]
    pub doid: Option<String>,
    /// Why no DO term fits (or how the DO term differs), when that needs saying.
    #[serde(default)]
    pub doid_note: Option<String>,
    /// Codes the DO term's cross-references lack (SNOMED CT, ICD-10-CM), each with its
    /// source: coded input resolves through these first, then through the DO term.
    #[serde(default)]
    pub codes: Vec<Code>,
    /// Whether the condition lies in the pack's area (`PackMeta::area`; here: skin
    /// disease, or cutaneous manifestations treated by dermatologists). The pack lists
    /// authorisations completely only inside the area.
    pub in_area: bool,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// What a regulator authorises, or a source's statement that it authorises nothing.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    /// Pack id.
    pub id: String,
    /// The authority.
    pub regulator: Regulator,
    /// Medicine id.
    pub medicine: String,
    /// Condition id; absent for a record that lists no authorisation at all.
    #[serde(default)]
    pub condition: Option<String>,
    /// `authorised`, or `none_listed` when the source lists no authorisation.
    pub kind: AuthorisationKind,
    /// Who the authorisation covers.
    #[serde(default)]
    pub population: Population,
    /// Date of the decision, as precise as known.
    #[serde(default)]
    pub date: Option<PartialDate>,
    /// First day in force, when it differs from `date` (defaults to `date`).
    #[serde(default)]
    pub valid_from: Option<PartialDate>,
    /// The day a newer record superseded this one; absent while in force.
    #[serde(default)]
    pub valid_to: Option<PartialDate>,
    /// A short note in the pack's words.
    #[serde(default)]
    pub note: Option<String>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

impl Validity for Authorisation {
    fn valid_from(&self) -> Option<PartialDate> {
        self.valid_from.or(self.date)
    }
    fn valid_to(&self) -> Option<PartialDate> {
        self.valid_to
    }
}

/// Whether a record grants or lists no authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorisationKind {
    /// The regulator authorised the medicine for the condition.
    Authorised,
    /// The source lists no authorisation by this regulator.
    NoneListed,
    /// An application was filed and is not yet decided: not an authorisation.
    UnderReview,
    /// The regulator refused the application (e.g. an FDA complete response letter
    /// that was never followed by an approval): not an authorisation.
    Refused,
}

/// The population an authorisation or a rule covers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Youngest age covered, in years, where recorded.
    #[serde(default)]
    pub age_min: Option<u32>,
    /// Youngest age covered in months, for labels that count infants' age in days or
    /// months (28 days is written 1); `age_min` then holds the whole years (0).
    #[serde(default)]
    pub age_min_months: Option<u32>,
    /// Oldest age covered, in years, where recorded.
    #[serde(default)]
    pub age_max: Option<u32>,
    /// Severity grades covered (`mild`, `moderate`, `severe`); empty = all.
    #[serde(default)]
    pub severities: Vec<String>,
    /// Body-site requirement, e.g. `face` for vitiligo that affects the face.
    #[serde(default)]
    pub body_site: Option<String>,
}

/// How a medicine is used under one regulator's label.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Posology {
    /// Pack id.
    pub id: String,
    /// Medicine id.
    pub medicine: String,
    /// The jurisdiction whose label or guidance this is; absent when no regulator stated it.
    #[serde(default)]
    pub regulator: Option<Regulator>,
    /// Condition id, when specific.
    #[serde(default)]
    pub condition: Option<String>,
    /// The dose, as written in the pack's words (e.g. `4 mg once daily`).
    #[serde(default)]
    pub dose: Option<String>,
    /// Standard daily dose in mg, for oral medicines.
    #[serde(default)]
    pub daily_mg: Option<f64>,
    /// How often (e.g. `twice daily`).
    #[serde(default)]
    pub frequency: Option<String>,
    /// Applications or doses per day.
    #[serde(default)]
    pub per_day: Option<u32>,
    /// Largest share of body surface per application, in percent.
    #[serde(default)]
    pub max_bsa_percent: Option<f64>,
    /// Treatment duration advice.
    #[serde(default)]
    pub duration: Option<String>,
    /// When to stop.
    #[serde(default)]
    pub stopping_rule: Option<String>,
    /// Where it may and may not be applied.
    #[serde(default)]
    pub sites: Option<String>,
    /// Who may start it.
    #[serde(default)]
    pub prescriber: Option<String>,
    /// First day this record was in force, where known.
    #[serde(default)]
    pub valid_from: Option<PartialDate>,
    /// The day a newer record superseded it; absent while in force.
    #[serde(default)]
    pub valid_to: Option<PartialDate>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

impl Validity for Posology {
    fn valid_from(&self) -> Option<PartialDate> {
        self.valid_from
    }
    fn valid_to(&self) -> Option<PartialDate> {
        self.valid_to
    }
}

/// A pivotal efficacy result (the trials behind an authorisation).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Efficacy {
    /// Pack id.
    pub id: String,
    /// Medicine id.
    pub medicine: String,
    /// Condition id.
    pub condition: String,
    /// How many studies were pooled.
    #[serde(default)]
    pub studies: Option<u32>,
    /// Patients in those studies.
    #[serde(default)]
    pub n: Option<u32>,
    /// Endpoint code (F-VASI75, T-VASI50, PASI75...).
    pub endpoint: String,
    /// What the endpoint measures, in words.
    pub endpoint_meaning: String,
    /// When it was measured.
    pub timepoint: String,
    /// Results per arm.
    pub arms: Vec<Arm>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// One arm of a trial and the share of patients reaching the endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// Arm label (`ruxolitinib 1.5% cream`, `placebo`).
    pub label: String,
    /// Percentage of patients reaching the endpoint.
    pub percent: f64,
}

/// A known adverse effect and how often it occurs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdverseEffect {
    /// Pack id.
    pub id: String,
    /// Medicine ids, or `class` entries use `jak-inhibitors`.
    pub medicines: Vec<String>,
    /// The effect.
    pub term: String,
    /// `common`, `serious`, `rare`, `laboratory`, `local`...
    pub category: String,
    /// Frequency as the source gives it (`up to 1 in 10`, `80%`).
    #[serde(default)]
    pub frequency: Option<String>,
    /// Context (population, dose).
    #[serde(default)]
    pub context: Option<String>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// An incidence rate of an adverse event per 100 patient-years.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidenceRate {
    /// Pack id.
    pub id: String,
    /// Medicine id.
    pub medicine: String,
    /// The event (herpes zoster, MACE...).
    pub event: String,
    /// Daily dose this rate belongs to, in mg; absent for all doses pooled.
    #[serde(default)]
    pub dose_mg: Option<f64>,
    /// Events per 100 patient-years.
    pub per_100py: f64,
    /// Upper end when the source gives a range.
    #[serde(default)]
    pub per_100py_max: Option<f64>,
    /// The analysis (population, n, patient-years) in words.
    pub analysis: String,
    /// Patients in the analysis.
    #[serde(default)]
    pub patients: Option<u32>,
    /// Exposure in patient-years.
    #[serde(default)]
    pub patient_years: Option<f64>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A safety or efficacy fact that is neither a rate nor a study: systemic
/// exposure, comparisons, class statements.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Pack id.
    pub id: String,
    /// Medicines concerned (`jak-inhibitors` for the whole class).
    pub medicines: Vec<String>,
    /// Conditions concerned, where any.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Topic: `safety`, `exposure`, `efficacy`, `usage`, `regulatory`, `disease`, `access`, `mechanism`.
    pub topic: String,
    /// The fact, in the pack's words.
    pub summary: String,
    /// Key figures, written as they should be quoted.
    #[serde(default)]
    pub figures: Vec<String>,
    /// When the source contradicts a stronger one, the id of the record it conflicts with.
    #[serde(default)]
    pub conflicts_with: Option<String>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A dated regulatory safety event (boxed warnings, PRAC measures).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegulatoryEvent {
    /// Pack id.
    pub id: String,
    /// Who acted.
    pub body: String,
    /// When.
    pub date: PartialDate,
    /// Medicines concerned (`jak-inhibitors` for the class).
    pub medicines: Vec<String>,
    /// What happened, in the pack's words.
    pub summary: String,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// A patient-specific rule: contraindication, precaution, PRAC risk group
/// or topical limit. Fires when the patient has `flag`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Precaution {
    /// Pack id.
    pub id: String,
    /// Medicines it applies to.
    pub medicines: Vec<String>,
    /// The patient finding that triggers it.
    pub flag: FlagId,
    /// How strongly it limits use.
    pub level: Level,
    /// Jurisdiction it was issued for; absent when the source names none.
    #[serde(default)]
    pub jurisdiction: Option<Jurisdiction>,
    /// The body that issued it (EMA, PRAC, a website...).
    pub body: String,
    /// Youngest age it applies to, for age rules.
    #[serde(default)]
    pub age_min: Option<u32>,
    /// Oldest age it applies to, for age rules.
    #[serde(default)]
    pub age_max: Option<u32>,
    /// What to do, in the pack's words.
    pub advice: String,
    /// First day this record was in force, where known.
    #[serde(default)]
    pub valid_from: Option<PartialDate>,
    /// The day a newer record superseded it; absent while in force.
    #[serde(default)]
    pub valid_to: Option<PartialDate>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

impl Validity for Precaution {
    fn valid_from(&self) -> Option<PartialDate> {
        self.valid_from
    }
    fn valid_to(&self) -> Option<PartialDate> {
        self.valid_to
    }
}

/// A dose change for a group of patients.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoseAdjustment {
    /// Pack id.
    pub id: String,
    /// Medicine id.
    pub medicine: String,
    /// Whose label it comes from.
    pub jurisdiction: Jurisdiction,
    /// The body that issued it.
    pub body: String,
    /// The patient finding that triggers it.
    pub flag: FlagId,
    /// Youngest age it applies to, for age rules.
    #[serde(default)]
    pub age_min: Option<u32>,
    /// Oldest age it applies to, for age rules.
    #[serde(default)]
    pub age_max: Option<u32>,
    /// Renal impairment grades it applies to (`mild`, `moderate`, `severe`); empty = any.
    #[serde(default)]
    pub renal: Vec<String>,
    /// The usual dose, in words.
    pub usual_dose: String,
    /// The adjusted dose, in words; absent when the label gives no figure.
    #[serde(default)]
    pub adjusted_dose: Option<String>,
    /// The adjusted daily dose in mg, where given.
    #[serde(default)]
    pub adjusted_daily_mg: Option<f64>,
    /// How firm the advice is, in the pack's words.
    pub advice: String,
    /// First day this record was in force, where known.
    #[serde(default)]
    pub valid_from: Option<PartialDate>,
    /// The day a newer record superseded it; absent while in force.
    #[serde(default)]
    pub valid_to: Option<PartialDate>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

impl Validity for DoseAdjustment {
    fn valid_from(&self) -> Option<PartialDate> {
        self.valid_from
    }
    fn valid_to(&self) -> Option<PartialDate> {
        self.valid_to
    }
}

/// A screening or monitoring recommendation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    /// Pack id.
    pub id: String,
    /// Before treatment or during it.
    pub phase: Phase,
    /// What to do.
    pub item: String,
    /// Keywords that name the test (for matching and display).
    #[serde(default)]
    pub tests: Vec<String>,
    /// When, for monitoring items.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The body that issued it.
    pub body: String,
    /// Routes it applies to (oral JAK inhibitors mostly).
    pub routes: Vec<Route>,
    /// Supporting sources.
    pub sources: Vec<String>,
}

/// One published study of a medicine in a condition (the off-label evidence).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Pack id.
    pub id: String,
    /// Medicine id.
    pub medicine: String,
    /// Condition id.
    pub condition: String,
    /// Study design, from the contract's closed list.
    pub design: Design,
    /// Patients, as the source reports them; absent when the source gives no figure.
    #[serde(default)]
    pub n: Option<u32>,
    /// Trial phase or other design detail (`phase 2`, `multicentre`).
    #[serde(default)]
    pub detail: Option<String>,
    /// Who was treated (age, sex, refractory...).
    #[serde(default)]
    pub population: Option<String>,
    /// Dose and schedule.
    #[serde(default)]
    pub dose: Option<String>,
    /// Comparator, where any.
    #[serde(default)]
    pub comparator: Option<String>,
    /// Outcome measures.
    #[serde(default)]
    pub measures: Vec<String>,
    /// The outcome, in the pack's words, with its figures.
    pub outcome: String,
    /// Whether the result favoured the medicine: `positive`, `mixed`, `negative`.
    pub direction: String,
    /// Adverse events reported.
    #[serde(default)]
    pub adverse_events: Option<String>,
    /// Reference numbers inside the review.
    #[serde(default)]
    pub refs: Vec<u32>,
    /// Where in the source: `Table 3`, `text`.
    pub location: String,
    /// Rows of the review's Table 7 that count this study.
    #[serde(default)]
    pub table7: Vec<String>,
    /// Supporting sources.
    pub sources: Vec<String>,
}
