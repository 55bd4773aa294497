//! Record types of the regulatory layers of a pack: what a regulator's own table says about a
//! medicine, its products and the indications it authorises.
//!
//! The EMA importer (`offlabel-import-ema`) writes these records as JSON Lines under
//! `knowledge/layers/<layer>/`; an FDA importer is meant to write the same types. They are plain
//! serde data: no I/O, no reasoning. Field order in the structs is the key order on disk, so keep
//! it stable: the layers are compared byte for byte.
//!
//! With the `embedded` feature, the [`embedded`] module carries the EMA and Drugs@FDA layers
//! as JSON Lines text (one record a line).
//!
//! Dates are `YYYY-MM-DD` strings, as they are written; a regulator's date that cannot be read
//! is an import error, not a missing date.

use serde::{Deserialize, Serialize};

/// One medicine of a layer: one active substance (or one fixed combination), whatever the
/// brand, with every product the regulator lists for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegulatedMedicine {
    /// Contract v2 id: the lowercase INN, spaces as `-`; a fixed combination joins its INNs
    /// with `-` in the table's order; a route split carries the route suffix
    /// (`ruxolitinib-topical`).
    pub id: String,
    /// The INN (or common name) as the table writes it.
    pub inn: String,
    /// The substances of a combination, one per INN, as the table writes them.
    pub substances: Vec<String>,
    /// The products, sorted by product number.
    pub products: Vec<RegulatedProduct>,
}

/// One product as the regulator lists it (one EMA product number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegulatedProduct {
    /// The product's name ("Olumiant").
    pub name: String,
    /// The regulator's product number ("EMEA/H/C/004085").
    pub product_number: String,
    /// The marketing-authorisation holder (or applicant when never authorised).
    pub holder: Option<String>,
    /// The status the regulator gives the product.
    pub status: ProductStatus,
    /// The ATC code, when the table gives one.
    pub atc: Option<String>,
    /// The active substance as the table writes it (may name a salt of the INN).
    pub active_substance: String,
    /// The flags of the authorisation.
    pub flags: ProductFlags,
    /// The dates of the procedure.
    pub dates: ProductDates,
    /// The therapeutic areas (MeSH headings) the regulator files it under.
    pub therapeutic_areas: Vec<String>,
    /// The public assessment report page.
    pub url: Option<String>,
}

/// A product's status, in the regulator's own vocabulary (EMA's words mapped one to one).
///
/// Only [`ProductStatus::Authorised`] counts as an authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Authorised ("Authorised").
    Authorised,
    /// Authorisation withdrawn by the holder ("Withdrawn").
    Withdrawn,
    /// Authorisation expired, not renewed ("Expired").
    Expired,
    /// Authorisation lapsed under the sunset clause ("Lapsed").
    Lapsed,
    /// Authorisation revoked ("Revoked").
    Revoked,
    /// Authorisation refused ("Refused").
    Refused,
    /// Authorisation suspended ("Suspended").
    Suspended,
    /// The application was withdrawn before an opinion ("Application withdrawn").
    ApplicationWithdrawn,
    /// Withdrawn during a rolling review ("Withdrawn from rolling review").
    WithdrawnFromRollingReview,
    /// An opinion is adopted, the Commission has not decided yet ("Opinion").
    Opinion,
    /// The opinion is being re-examined ("Opinion under re-examination").
    OpinionUnderReexamination,
}

impl ProductStatus {
    /// True only for a product authorised now: a withdrawn, refused, expired, lapsed, revoked,
    /// suspended or pending product never counts as an authorisation.
    pub fn is_authorised(self) -> bool {
        self == ProductStatus::Authorised
    }

    /// The status as written on disk (`snake_case`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Authorised => "authorised",
            ProductStatus::Withdrawn => "withdrawn",
            ProductStatus::Expired => "expired",
            ProductStatus::Lapsed => "lapsed",
            ProductStatus::Revoked => "revoked",
            ProductStatus::Refused => "refused",
            ProductStatus::Suspended => "suspended",
            ProductStatus::ApplicationWithdrawn => "application_withdrawn",
            ProductStatus::WithdrawnFromRollingReview => "withdrawn_from_rolling_review",
            ProductStatus::Opinion => "opinion",
            ProductStatus::OpinionUnderReexamination => "opinion_under_reexamination",
        }
    }
}

/// The yes/no flags of an authorisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductFlags {
    /// Designated orphan medicine.
    pub orphan: bool,
    /// Conditional marketing authorisation.
    pub conditional: bool,
    /// Authorised under exceptional circumstances.
    pub exceptional: bool,
    /// Biosimilar of a reference biological.
    pub biosimilar: bool,
    /// Generic or hybrid of a reference medicine.
    pub generic: bool,
    /// Under additional monitoring (black triangle).
    pub additional_monitoring: bool,
}

/// The procedure's dates, `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductDates {
    /// The committee's opinion.
    pub opinion: Option<String>,
    /// The marketing authorisation (the Commission's first decision).
    pub authorisation: Option<String>,
    /// The Commission's latest decision on the product.
    pub last_decision: Option<String>,
    /// Withdrawal, expiry, revocation or lapse of the authorisation.
    pub withdrawal: Option<String>,
    /// Refusal of the authorisation.
    pub refusal: Option<String>,
    /// Withdrawal of the application.
    pub application_withdrawal: Option<String>,
    /// Suspension of the authorisation.
    pub suspension: Option<String>,
}

/// One indication clause of a product: one thing the product is authorised for, with the
/// regulator's exact words and the population they state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicationClause {
    /// `<product-number>-<n>`, n counting from 1 in the order of the text.
    pub id: String,
    /// The medicine's id.
    pub medicine: String,
    /// The product's number.
    pub product_number: String,
    /// The heading the text puts before the clause ("Rheumatoid arthritis"), if any.
    pub heading: Option<String>,
    /// The sentence that introduces a list the clause is an item of, if any.
    pub lead: Option<String>,
    /// The regulator's exact words for this indication.
    pub quote: String,
    /// Sentences of the text that bound every indication ("Cymbalta is indicated in adults."),
    /// read with the quote.
    pub shared: Vec<String>,
    /// The words naming the condition, as the reader found them (for the condition matcher).
    pub condition_text: Option<String>,
    /// The conditions (vocabulary ids) the clause names; empty until the matcher fills it.
    pub conditions: Vec<String>,
    /// The population the clause states.
    pub population: Population,
    /// True when every restricting word of the clause was interpreted.
    pub fully_read: bool,
    /// The words not interpreted; any makes `fully_read` false.
    pub unread: Vec<String>,
}

/// The population an indication states. An empty field means the text states no restriction
/// of that kind; what the reader could not interpret is in the clause's `unread`, and a
/// consumer must then treat the population as not fully known (never broader than written).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// The age groups the text names.
    pub age_groups: Vec<AgeGroup>,
    /// Lowest age, in months, inclusive.
    pub min_age_months: Option<u32>,
    /// Highest age, in months, exclusive ("below 18 years" = 216).
    pub max_age_months: Option<u32>,
    /// Lowest body weight in kg, inclusive.
    pub min_weight_kg: Option<f32>,
    /// Severities stated ("moderate to severe" = moderate and severe).
    pub severity: Vec<Severity>,
    /// "active" disease is required.
    pub active_disease: bool,
    /// Prior-therapy requirements (line of therapy), each with its words.
    pub prior_therapy: Vec<PriorTherapy>,
    /// How the medicine may be given: alone, with what.
    pub regimen: Regimen,
    /// Subtype, stage or site qualifiers, in the text's words.
    pub qualifiers: Vec<String>,
    /// What the text excludes ("not indicated for…"), in its words.
    pub exclusions: Vec<String>,
}

/// An age group named by the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// Adults (18 and over).
    Adults,
    /// Adolescents (12 to 17).
    Adolescents,
    /// Children (under 12 unless bounded).
    Children,
    /// Paediatric patients (under 18).
    Paediatric,
    /// Infants.
    Infants,
    /// Neonates / newborns.
    Neonates,
    /// Elderly patients.
    Elderly,
}

/// A severity word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Mild.
    Mild,
    /// Moderate.
    Moderate,
    /// Severe.
    Severe,
}

impl Severity {
    /// The word as the layer's JSON writes it ("mild", "moderate", "severe").
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
        }
    }
}

/// A line-of-therapy requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorTherapy {
    /// What kind of requirement.
    pub kind: PriorTherapyKind,
    /// The text's words for it (the therapy named is inside).
    pub text: String,
}

/// Kinds of line-of-therapy requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorTherapyKind {
    /// Responded inadequately to, lost response to, intolerant of or contraindicated for a
    /// prior therapy ("who have responded inadequately to…").
    InadequateResponse,
    /// Candidates for systemic therapy (or phototherapy).
    CandidateForSystemicTherapy,
    /// After failure of, or progression on, a prior therapy.
    AfterFailure,
    /// Previously treated with a named therapy.
    PreviouslyTreated,
    /// Not previously treated / newly diagnosed / first-line.
    FirstLine,
    /// Resistant to or refractory to a therapy.
    Refractory,
}

/// How the medicine may be given. All empty and false means the text does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regimen {
    /// Monotherapy is stated ("as monotherapy", "alone").
    pub monotherapy: bool,
    /// Monotherapy only when the partner is not tolerated or inappropriate.
    pub monotherapy_if_partner_unsuitable: bool,
    /// The medicines it is given in combination with ("methotrexate").
    pub combinations: Vec<String>,
    /// Add-on to these treatments.
    pub add_on_to: Vec<String>,
}

/// One US medicine of the Drugs@FDA layer: one active substance (or one fixed combination)
/// with every application the FDA lists for it. Keys are short on purpose: the layer holds
/// every US application and is embedded in the binary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsMedicine {
    /// Contract v2 id: the ingredient names with salts and hydrates folded, lowercased, words
    /// joined by `-`; a combination joins its ingredients with `-` in Drugs@FDA's order.
    pub id: String,
    /// The active ingredients as Drugs@FDA writes them (salts included), distinct, sorted.
    pub ingredients: Vec<String>,
    /// The earliest original approval of any of its applications, `YYYY-MM-DD`.
    pub first_approval: Option<String>,
    /// The applications, sorted by type then number.
    pub apps: Vec<UsApplication>,
}

/// One FDA application (NDA, BLA or ANDA) for a medicine. On disk the keys are one or two
/// letters (`no`, `t`, `by`, `ap`, `p`): the layer lists some 23,000 applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsApplication {
    /// The application number as Drugs@FDA writes it ("020702").
    pub no: String,
    /// NDA, BLA or ANDA.
    #[serde(rename = "t")]
    pub kind: ApplicationKind,
    /// The sponsor (applicant).
    #[serde(rename = "by")]
    pub sponsor: String,
    /// The original approval (the ORIG-1 submission's approval date), `YYYY-MM-DD`; `None`
    /// for an application only tentatively approved.
    #[serde(rename = "ap")]
    pub approved: Option<String>,
    /// The products, grouped by brand, form, route and status.
    #[serde(rename = "p")]
    pub products: Vec<UsProduct>,
}

/// Products of one application sharing brand, dosage form, route and marketing status
/// (they differ only in strength). On disk: `n`, `b`, `f`, `r`, `s`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsProduct {
    /// How many products (strengths) of the application the entry stands for.
    pub n: u32,
    /// The brand (drug) name ("LIPITOR"); `None` when the product is sold under its
    /// ingredients' name (most generics), which keeps the layer small.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// The dosage form ("TABLET").
    #[serde(rename = "f")]
    pub form: String,
    /// The route ("ORAL"), when Drugs@FDA gives one.
    #[serde(rename = "r")]
    pub route: Option<String>,
    /// The marketing status.
    #[serde(rename = "s")]
    pub status: UsMarketingStatus,
}

/// The kind of an FDA application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ApplicationKind {
    /// New Drug Application.
    #[serde(rename = "NDA")]
    Nda,
    /// Biologics License Application.
    #[serde(rename = "BLA")]
    Bla,
    /// Abbreviated New Drug Application (generic).
    #[serde(rename = "ANDA")]
    Anda,
}

impl ApplicationKind {
    /// "NDA", "BLA" or "ANDA", as the FDA writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKind::Nda => "NDA",
            ApplicationKind::Bla => "BLA",
            ApplicationKind::Anda => "ANDA",
        }
    }
}

/// A product's marketing status in Drugs@FDA.
///
/// Prescription and OTC products are marketed (authorised now); a discontinued product was
/// approved but is no longer marketed; `none` is a tentative approval (not authorised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UsMarketingStatus {
    /// Prescription ("Prescription").
    Rx,
    /// Over the counter ("Over-the-counter").
    Otc,
    /// Discontinued ("Discontinued").
    Discontinued,
    /// Tentative approval only ("None (Tentative Approval)").
    None,
}

impl UsMarketingStatus {
    /// The status in words ("prescription", "over the counter", "discontinued",
    /// "tentative approval").
    pub fn words(self) -> &'static str {
        match self {
            UsMarketingStatus::Rx => "prescription",
            UsMarketingStatus::Otc => "over the counter",
            UsMarketingStatus::Discontinued => "discontinued",
            UsMarketingStatus::None => "tentative approval",
        }
    }

    /// True for a product marketed now under an approval (prescription or OTC).
    pub fn is_marketed(self) -> bool {
        matches!(self, UsMarketingStatus::Rx | UsMarketingStatus::Otc)
    }
}

/// One FDA label (an SPL document or an openFDA label record), kept for the US label layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsLabel {
    /// The SPL set id (stable across versions of the label).
    pub set_id: String,
    /// The version number of this document within its set, when given.
    pub version: Option<String>,
    /// The effective date, `YYYY-MM-DD`.
    pub effective: Option<String>,
    /// The medicine ids (contract v2, salts folded) of its active ingredients, joined for a
    /// combination.
    pub medicine: String,
    /// The product (brand) names.
    pub products: Vec<String>,
    /// The active ingredients as the label writes them.
    pub ingredients: Vec<String>,
    /// The routes.
    pub routes: Vec<String>,
    /// The labeller (manufacturer).
    pub labeler: Option<String>,
    /// True for a human prescription label; false for OTC.
    pub rx: bool,
    /// The Boxed Warning section's text, if any.
    pub boxed_warning: Option<String>,
    /// The Contraindications section's text, if any.
    pub contraindications: Option<String>,
    /// Where the label came from ("spl:humira.xml", "openfda:FILE").
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_on_disk_matches_serde() -> Result<(), serde_json::Error> {
        for s in [
            ProductStatus::Authorised,
            ProductStatus::ApplicationWithdrawn,
            ProductStatus::OpinionUnderReexamination,
        ] {
            assert_eq!(serde_json::to_string(&s)?, format!("\"{}\"", s.as_str()));
        }
        Ok(())
    }

    #[cfg(feature = "embedded")]
    #[test]
    fn embedded_drugsfda_layer_reads() -> Result<(), serde_json::Error> {
        let mut n = 0;
        for line in crate::embedded::DRUGSFDA_MEDICINES.lines() {
            let m: UsMedicine = serde_json::from_str(line)?;
            assert!(!m.id.is_empty());
            n += 1;
        }
        assert!(n > 2000, "{n} medicines");
        Ok(())
    }

    #[test]
    fn only_authorised_counts() {
        assert!(ProductStatus::Authorised.is_authorised());
        assert!(!ProductStatus::Withdrawn.is_authorised());
        assert!(!ProductStatus::Suspended.is_authorised());
    }
}

/// The EU layer compiled into the binary (`knowledge/layers/ema/`), as JSON Lines.
#[cfg(feature = "embedded")]
pub mod embedded {
    /// `knowledge/layers/ema/medicines.jsonl`: one [`crate::RegulatedMedicine`] per line.
    pub const EMA_MEDICINES: &str = include_str!("../../../knowledge/layers/ema/medicines.jsonl");
    /// `knowledge/layers/ema/indications.jsonl`: one [`crate::IndicationClause`] per line.
    pub const EMA_INDICATIONS: &str =
        include_str!("../../../knowledge/layers/ema/indications.jsonl");
    /// `knowledge/layers/drugsfda/medicines.jsonl`: one [`crate::UsMedicine`] per line, sorted
    /// by id. Complete only to the layer's date (2019-07-01).
    pub const DRUGSFDA_MEDICINES: &str =
        include_str!("../../../knowledge/layers/drugsfda/medicines.jsonl");
    /// `knowledge/layers/drugsfda/layer.toml`: its `complete_to` is the date every answer
    /// resting on the layer names.
    pub const DRUGSFDA_LAYER: &str = include_str!("../../../knowledge/layers/drugsfda/layer.toml");
    /// `knowledge/layers/fda-spl/labels.jsonl`: one [`crate::UsLabel`] per line (SPL).
    pub const FDA_SPL_LABELS: &str = include_str!("../../../knowledge/layers/fda-spl/labels.jsonl");
    /// `knowledge/layers/fda-spl/indications.jsonl`: one [`crate::IndicationClause`] per
    /// line; `product_number` is the label's set id.
    pub const FDA_SPL_INDICATIONS: &str =
        include_str!("../../../knowledge/layers/fda-spl/indications.jsonl");
    /// `knowledge/layers/fda-openfda/labels.jsonl` (openFDA label records).
    pub const FDA_OPENFDA_LABELS: &str =
        include_str!("../../../knowledge/layers/fda-openfda/labels.jsonl");
    /// `knowledge/layers/fda-openfda/indications.jsonl`.
    pub const FDA_OPENFDA_INDICATIONS: &str =
        include_str!("../../../knowledge/layers/fda-openfda/indications.jsonl");
}
