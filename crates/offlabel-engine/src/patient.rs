//! The patient profile: what is known about the person the question is about.
//!
//! `ask` fills it from text, `check` from flags or JSON; the rules read only this.

use offlabel_model::FlagId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Grade of kidney impairment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RenalGrade {
    /// Mild impairment.
    Mild,
    /// Moderate impairment.
    Moderate,
    /// Severe impairment.
    Severe,
    /// Impairment of unstated grade.
    Unspecified,
}

impl RenalGrade {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RenalGrade::Mild => "mild",
            RenalGrade::Moderate => "moderate",
            RenalGrade::Severe => "severe",
            RenalGrade::Unspecified => "unspecified",
        }
    }
}

/// Severity of the condition, as the patient's disease is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Mild.
    Mild,
    /// Moderate.
    Moderate,
    /// Severe.
    Severe,
    /// Mild to moderate.
    MildToModerate,
    /// Moderate to severe.
    ModerateToSevere,
    /// Anything from mild to severe (the question names both, e.g. "mild, now severe").
    MildToSevere,
}

impl Severity {
    /// The grades this severity spans.
    pub fn grades(self) -> &'static [&'static str] {
        match self {
            Severity::Mild => &["mild"],
            Severity::Moderate => &["moderate"],
            Severity::Severe => &["severe"],
            Severity::MildToModerate => &["mild", "moderate"],
            Severity::ModerateToSevere => &["moderate", "severe"],
            Severity::MildToSevere => &["mild", "moderate", "severe"],
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
            Severity::MildToModerate => "mild_to_moderate",
            Severity::ModerateToSevere => "moderate_to_severe",
            Severity::MildToSevere => "mild_to_severe",
        }
    }

    /// The narrowest severity spanning every grade given (`None` for none).
    pub fn spanning(mild: bool, moderate: bool, severe: bool) -> Option<Severity> {
        match (mild, moderate, severe) {
            (false, false, false) => None,
            (true, false, false) => Some(Severity::Mild),
            (false, true, false) => Some(Severity::Moderate),
            (false, false, true) => Some(Severity::Severe),
            (true, true, false) => Some(Severity::MildToModerate),
            (false, true, true) => Some(Severity::ModerateToSevere),
            (true, _, true) => Some(Severity::MildToSevere),
        }
    }

    /// Parses a wire name or a plain phrase.
    pub fn parse(text: &str) -> Option<Severity> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "mild" => Some(Severity::Mild),
            "moderate" => Some(Severity::Moderate),
            "severe" => Some(Severity::Severe),
            "mild_to_moderate" => Some(Severity::MildToModerate),
            "moderate_to_severe" => Some(Severity::ModerateToSevere),
            "mild_to_severe" => Some(Severity::MildToSevere),
            _ => None,
        }
    }
}

/// A body site where a topical medicine would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Site {
    /// The face.
    Face,
    /// The eyelids.
    Eyelids,
    /// The eyes or right next to them.
    Eyes,
    /// The mouth or lips' mucosa.
    Mouth,
    /// Genital or other mucosa.
    Mucosa,
    /// The scalp.
    Scalp,
    /// Hands.
    Hands,
    /// The body elsewhere.
    Body,
}

impl Site {
    /// Every site.
    pub const ALL: [Site; 8] = [
        Site::Face,
        Site::Eyelids,
        Site::Eyes,
        Site::Mouth,
        Site::Mucosa,
        Site::Scalp,
        Site::Hands,
        Site::Body,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Site::Face => "face",
            Site::Eyelids => "eyelids",
            Site::Eyes => "eyes",
            Site::Mouth => "mouth",
            Site::Mucosa => "mucosa",
            Site::Scalp => "scalp",
            Site::Hands => "hands",
            Site::Body => "body",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Site> {
        Site::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim().to_ascii_lowercase())
    }

    /// Whether applying there counts as mucosal application.
    pub fn is_mucosal(self) -> bool {
        matches!(self, Site::Eyes | Site::Mouth | Site::Mucosa)
    }
}

/// Everything the rules may use about a patient. Unknown is `None`/`false`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Patient {
    /// Age in years (whole years: an 18-month-old is 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// Age in months, when it was given in months, weeks or days (an infant or
    /// toddler), so that an infant is never read as an adult nor silently as 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_months: Option<u32>,
    /// Described as a child (under 12) without an age.
    #[serde(skip_serializing_if = "is_false")]
    pub child: bool,
    /// Described as an adolescent (12 to 17) without an age.
    #[serde(skip_serializing_if = "is_false")]
    pub adolescent: bool,
    /// Described as elderly (over 65) without an age.
    #[serde(skip_serializing_if = "is_false")]
    pub elderly: bool,
    /// Pregnant.
    #[serde(skip_serializing_if = "is_false")]
    pub pregnant: bool,
    /// Breastfeeding.
    #[serde(skip_serializing_if = "is_false")]
    pub breastfeeding: bool,
    /// Allergic to the medicine or its ingredients.
    #[serde(skip_serializing_if = "is_false")]
    pub allergy: bool,
    /// Immunosuppressed, transplanted or on immunosuppressants.
    #[serde(skip_serializing_if = "is_false")]
    pub immunosuppressed: bool,
    /// A CYP2C9 poor metaboliser.
    #[serde(skip_serializing_if = "is_false")]
    pub cyp2c9_poor_metabolizer: bool,
    /// Current or long-term former smoker.
    #[serde(skip_serializing_if = "is_false")]
    pub smoker: bool,
    /// Past venous thromboembolism or its risk factors.
    #[serde(skip_serializing_if = "is_false")]
    pub vte_history: bool,
    /// Heart or vessel disease.
    #[serde(skip_serializing_if = "is_false")]
    pub cardiovascular_history: bool,
    /// Past or present cancer.
    #[serde(skip_serializing_if = "is_false")]
    pub cancer_history: bool,
    /// Kidney impairment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renal: Option<RenalGrade>,
    /// Chronic or recurrent infections.
    #[serde(skip_serializing_if = "is_false")]
    pub recurrent_infections: bool,
    /// Share of body surface to be treated, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bsa: Option<f64>,
    /// Where a topical medicine would be applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Site>,
    /// Broken or infected skin where it would be applied.
    #[serde(skip_serializing_if = "is_false")]
    pub broken_skin: bool,
    /// Severity of the condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// A relative had venous thromboembolism (kept as family history: it is not the
    /// patient's own clot).
    #[serde(skip_serializing_if = "is_false")]
    pub family_vte: bool,
    /// A relative had cancer (family history, not the patient's).
    #[serde(skip_serializing_if = "is_false")]
    pub family_cancer: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

impl Patient {
    /// Whether nothing at all is known.
    pub fn is_empty(&self) -> bool {
        *self == Patient::default()
    }

    /// The age in months: as given, or from whole years.
    pub fn months(&self) -> Option<u32> {
        self.age_months.or(self.age.map(|a| a.saturating_mul(12)))
    }

    /// Whether the patient is under 12 (stated age, or described as a child).
    pub fn is_child(&self) -> bool {
        self.age.map_or(self.child, |a| a < 12)
    }

    /// Whether the patient is 12 to 17.
    pub fn is_adolescent(&self) -> bool {
        self.age.map_or(self.adolescent, |a| (12..18).contains(&a))
    }

    /// Whether the patient is a minor (under 18), by age or description.
    pub fn is_minor(&self) -> bool {
        self.is_child() || self.is_adolescent()
    }

    /// Whether the patient falls within an age window. Without a stated age, the
    /// description decides: "elderly" means over 65, "child" under 12, "adolescent" 12-17.
    pub fn age_within(&self, min: Option<u32>, max: Option<u32>) -> bool {
        let within = |a: u32| min.is_none_or(|m| a >= m) && max.is_none_or(|m| a <= m);
        match self.age {
            Some(a) => within(a),
            None if self.elderly => within(66) && min.is_some_and(|m| m <= 66),
            None if self.child => within(6) && max.is_some_and(|m| m < 12),
            None if self.adolescent => within(12) && within(17) && (min.is_some() || max.is_some()),
            None => false,
        }
    }

    /// When the sites named rule out a required body site: the sites named (as
    /// "hands and body"), if none of them is or lies on `required`. Only the face is
    /// recorded as a requirement; its sites are the face, eyelids, eyes and mouth.
    /// `None` when no site is named, one of them fits, or the requirement is unknown.
    pub fn sites_exclude(&self, required: &str) -> Option<String> {
        let on_required = |s: &Site| match required {
            "face" => matches!(s, Site::Face | Site::Eyelids | Site::Eyes | Site::Mouth),
            _ => true,
        };
        if self.sites.is_empty() || self.sites.iter().any(on_required) {
            return None;
        }
        let names: Vec<&str> = self.sites.iter().map(|s| s.as_str()).collect();
        Some(names.join(" and "))
    }

    /// Whether the patient has a finding, as the contract's FLAG_IDs name them.
    /// Age flags use the contract's bands; rules narrow them with their own bounds.
    pub fn has(&self, flag: FlagId) -> bool {
        match flag {
            FlagId::Pregnancy => self.pregnant,
            FlagId::Breastfeeding => self.breastfeeding,
            FlagId::Hypersensitivity => self.allergy,
            FlagId::Immunosuppressed => self.immunosuppressed,
            FlagId::Child => self.is_child(),
            FlagId::Adolescent => self.is_adolescent(),
            FlagId::AgeOver65 => self.age.map_or(self.elderly, |a| a >= 65),
            FlagId::Age75Plus => self.age.is_some_and(|a| a >= 75),
            FlagId::Smoker => self.smoker,
            FlagId::Cyp2c9PoorMetabolizer => self.cyp2c9_poor_metabolizer,
            FlagId::CardiovascularHistory => self.cardiovascular_history,
            FlagId::VteRisk => self.vte_history,
            FlagId::MalignancyHistory => self.cancer_history,
            FlagId::RenalImpairment => self.renal.is_some(),
            FlagId::InfectionHistory => self.recurrent_infections,
            FlagId::MucosalApplication => self.sites.iter().any(|s| s.is_mucosal()),
            FlagId::BrokenOrInfectedSkin => self.broken_skin,
            // The limit is the label's; the rules compare `bsa` with it.
            FlagId::BsaOverLimit => self.bsa.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands() {
        let p = Patient {
            age: Some(80),
            ..Patient::default()
        };
        assert!(p.has(FlagId::AgeOver65) && p.has(FlagId::Age75Plus) && !p.is_minor());
        let teen = Patient {
            age: Some(15),
            ..Patient::default()
        };
        assert!(teen.is_adolescent() && !teen.is_child());
        let elderly = Patient {
            elderly: true,
            ..Patient::default()
        };
        assert!(elderly.age_within(Some(66), None) && !elderly.age_within(Some(75), None));
    }
}
