//! Closed vocabularies shared by the pack, the engine and the contract.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Generates a closed, snake_case string enum with `as_str`, `ALL` and `Display`.
macro_rules! closed_vocab {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// Parses a wire name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_vocab! {
    /// Study designs, strongest first (the contract's ranking; open-label
    /// trials and prospective studies rank equal).
    Design {
        /// Meta-analysis or systematic review.
        MetaAnalysis => "meta_analysis",
        /// Randomised controlled trial.
        Rct => "rct",
        /// Open-label (non-randomised) trial.
        OpenLabelTrial => "open_label_trial",
        /// Prospective observational study.
        ProspectiveStudy => "prospective_study",
        /// Retrospective study.
        RetrospectiveStudy => "retrospective_study",
        /// Case series.
        CaseSeries => "case_series",
        /// N-of-1 trial.
        NOf1Trial => "n_of_1_trial",
        /// Single case report.
        CaseReport => "case_report",
    }
}

impl Design {
    /// Rank for "best evidence": lower is stronger; equal designs share a rank.
    pub fn rank(self) -> u8 {
        match self {
            Design::MetaAnalysis => 0,
            Design::Rct => 1,
            Design::OpenLabelTrial | Design::ProspectiveStudy => 2,
            Design::RetrospectiveStudy => 3,
            Design::CaseSeries => 4,
            Design::NOf1Trial => 5,
            Design::CaseReport => 6,
        }
    }

    /// Plain-English name.
    pub fn label(self) -> &'static str {
        match self {
            Design::MetaAnalysis => "meta-analysis",
            Design::Rct => "randomised controlled trial",
            Design::OpenLabelTrial => "open-label trial",
            Design::ProspectiveStudy => "prospective study",
            Design::RetrospectiveStudy => "retrospective study",
            Design::CaseSeries => "case series",
            Design::NOf1Trial => "n-of-1 trial",
            Design::CaseReport => "case report",
        }
    }
}

closed_vocab! {
    /// Regulatory status of a medicine for a condition and patient in one jurisdiction.
    Status {
        /// Authorised for this condition and this patient.
        Approved => "approved",
        /// Authorised there, but not for this condition, severity, subtype or patient.
        OffLabel => "off_label",
        /// No authorisation there at all.
        NotAuthorized => "not_authorized",
        /// The pack does not know.
        Unknown => "unknown",
    }
}

closed_vocab! {
    /// Patient findings that rules react to (the contract's FLAG_ID list).
    FlagId {
        /// Pregnant.
        Pregnancy => "pregnancy",
        /// Breastfeeding.
        Breastfeeding => "breastfeeding",
        /// Allergic to the medicine or an ingredient.
        Hypersensitivity => "hypersensitivity",
        /// Immunosuppressed, transplant, or on immunosuppressants.
        Immunosuppressed => "immunosuppressed",
        /// Under 12 years.
        Child => "child",
        /// 12 to 17 years.
        Adolescent => "adolescent",
        /// 65 or older.
        AgeOver65 => "age_over_65",
        /// 75 or older.
        Age75Plus => "age_75_plus",
        /// Current or long-term former smoker.
        Smoker => "smoker",
        /// Heart or vessel disease.
        CardiovascularHistory => "cardiovascular_history",
        /// Past venous thromboembolism or its risk factors.
        VteRisk => "vte_risk",
        /// Past or present cancer.
        MalignancyHistory => "malignancy_history",
        /// Kidney impairment.
        RenalImpairment => "renal_impairment",
        /// Chronic or recurrent infections.
        InfectionHistory => "infection_history",
        /// Application to eyes, mouth or other mucosa.
        MucosalApplication => "mucosal_application",
        /// Broken or infected skin where it would be applied.
        BrokenOrInfectedSkin => "broken_or_infected_skin",
        /// Body surface to treat above the label's limit.
        BsaOverLimit => "bsa_over_limit",
        /// A CYP2C9 poor metaboliser (genotype), for medicines cleared by CYP2C9.
        Cyp2c9PoorMetabolizer => "cyp2c9_poor_metabolizer",
    }
}

closed_vocab! {
    /// How strongly a finding limits use, strongest first.
    Level {
        /// Must not be used.
        Contraindicated => "contraindicated",
        /// Should not be used unless there is no alternative.
        Avoid => "avoid",
        /// Usable with care.
        Caution => "caution",
        /// Usable at a changed dose.
        DoseAdjustment => "dose_adjustment",
        /// Usable with monitoring.
        Monitor => "monitor",
    }
}

closed_vocab! {
    /// Regulatory authorities.
    Regulator {
        /// US Food and Drug Administration.
        Fda => "FDA",
        /// European Medicines Agency.
        Ema => "EMA",
    }
}

impl Regulator {
    /// The jurisdiction the regulator authorises for.
    pub fn jurisdiction(self) -> Jurisdiction {
        match self {
            Regulator::Fda => Jurisdiction::Us,
            Regulator::Ema => Jurisdiction::Eu,
        }
    }
}

closed_vocab! {
    /// Jurisdictions the contract reports status for.
    Jurisdiction {
        /// United States.
        Us => "US",
        /// European Union.
        Eu => "EU",
    }
}

impl Jurisdiction {
    /// The regulator of the jurisdiction.
    pub fn regulator(self) -> Regulator {
        match self {
            Jurisdiction::Us => Regulator::Fda,
            Jurisdiction::Eu => Regulator::Ema,
        }
    }
}

closed_vocab! {
    /// Routes of administration.
    Route {
        /// Applied to the skin.
        Topical => "topical",
        /// Taken by mouth.
        Oral => "oral",
    }
}

closed_vocab! {
    /// Kinds of source documents.
    SourceKind {
        /// A regulator's own document.
        Regulator => "regulator",
        /// A peer-reviewed review article.
        PeerReviewedReview => "peer_reviewed_review",
        /// A primary study cited by a review.
        Trial => "trial",
        /// A website (drug-information, patient or company site).
        Website => "website",
        /// A news article.
        News => "news",
        /// A guideline or consensus statement.
        Guideline => "guideline",
        /// The pack's own editorial record (names, codes) where no seed states it.
        Curation => "curation",
    }
}

closed_vocab! {
    /// When a screening item applies.
    Phase {
        /// Before the first dose.
        Before => "before",
        /// While on treatment.
        During => "during",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_ranking_follows_the_contract() {
        let ranks: Vec<u8> = Design::ALL.iter().map(|d| d.rank()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(
            Design::OpenLabelTrial.rank(),
            Design::ProspectiveStudy.rank()
        );
    }

    #[test]
    fn vocabularies_round_trip() {
        for f in FlagId::ALL {
            assert_eq!(FlagId::parse(f.as_str()), Some(*f));
        }
        assert_eq!(Level::parse("avoid"), Some(Level::Avoid));
        assert_eq!(Status::parse("nope"), None);
    }
}
