//! Regulatory status and evidence ranking.

use crate::patient::Patient;
use offlabel_model::{Authorisation, AuthorisationKind, Jurisdiction, Route, Status, Study};
use offlabel_pack::Pack;

/// The status of a medicine for a condition and patient in one jurisdiction, with why.
#[derive(Debug, Clone)]
pub struct StatusFinding {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The verdict.
    pub status: Status,
    /// Why, in a sentence (no trailing full stop).
    pub reason: String,
    /// The authorisations the verdict rests on.
    pub authorisations: Vec<Authorisation>,
    /// Superseded or conflicting records, shown beside the verdict.
    pub conflicts: Vec<Authorisation>,
    /// Sources of the reason.
    pub sources: Vec<String>,
}

/// The records that count for one medicine and regulator: authorised records, plus
/// "none listed" records that a stronger or newer authorisation supersedes.
pub fn effective_authorisations<'a>(
    pack: &'a Pack,
    medicine: &str,
    jurisdiction: Jurisdiction,
) -> (
    Vec<&'a Authorisation>,
    Vec<&'a Authorisation>,
    Vec<&'a Authorisation>,
) {
    let regulator = jurisdiction.regulator();
    let records: Vec<&Authorisation> = pack
        .authorisations
        .iter()
        .map(|a| &a.record)
        .filter(|a| a.medicine == medicine && a.regulator == regulator)
        .collect();
    let authorised: Vec<&Authorisation> = records
        .iter()
        .copied()
        .filter(|a| a.kind == AuthorisationKind::Authorised)
        .collect();
    let strength = |a: &Authorisation| {
        let best = a
            .sources
            .iter()
            .filter_map(|s| pack.source(s))
            .map(|s| (s.reliability, s.date))
            .max();
        (
            best.map(|b| b.0).unwrap_or(0),
            a.date.or(best.and_then(|b| b.1)),
        )
    };
    let mut superseded = Vec::new();
    let mut standing_none = Vec::new();
    for none in records
        .iter()
        .copied()
        .filter(|a| a.kind == AuthorisationKind::NoneListed)
    {
        let (none_rel, none_date) = strength(none);
        let beaten = authorised.iter().any(|a| {
            let (rel, date) = strength(a);
            rel > none_rel || (rel == none_rel && date > none_date)
        });
        if beaten {
            superseded.push(none)
        } else {
            standing_none.push(none)
        }
    }
    (authorised, superseded, standing_none)
}

/// Decides the status of `medicine` for `condition` and `patient` in `jurisdiction`.
pub fn status(
    pack: &Pack,
    medicine: &str,
    condition: &str,
    patient: &Patient,
    jurisdiction: Jurisdiction,
) -> StatusFinding {
    let regulator = jurisdiction.regulator();
    let mut finding = StatusFinding {
        jurisdiction,
        status: Status::Unknown,
        reason: String::new(),
        authorisations: vec![],
        conflicts: vec![],
        sources: vec![],
    };
    let (Some(med), Some(cond)) = (pack.medicine(medicine), pack.condition(condition)) else {
        finding.reason = "the pack does not hold this medicine or condition".into();
        return finding;
    };
    let (authorised, superseded, standing_none) =
        effective_authorisations(pack, medicine, jurisdiction);
    finding.conflicts = superseded.iter().map(|a| (*a).clone()).collect();
    let known = med.authorisations_known.contains(&regulator);

    // Authorisations that cover the condition asked: the condition itself, a broader
    // condition it belongs to, or the typical subtype of the condition named.
    let lineage: Vec<&str> = pack
        .ancestors(condition)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let typical = cond.typical_subtype.as_deref();
    let covering: Vec<&Authorisation> = authorised
        .iter()
        .copied()
        .filter(|a| {
            a.condition
                .as_deref()
                .is_some_and(|c| lineage.contains(&c) || Some(c) == typical)
        })
        .collect();

    if covering.is_empty() {
        if !cond.dermatological {
            finding.reason = format!(
                "the pack lists dermatological authorisations only, and {} is not a skin condition in the pack",
                cond.name
            );
            finding.sources = med.sources.clone();
            return finding;
        }
        if !known {
            finding.reason = format!(
                "the pack does not list the {} authorisations of {}",
                regulator, med.name
            );
            finding.sources = med.sources.clone();
            return finding;
        }
        if authorised.is_empty() {
            finding.status = Status::NotAuthorized;
            finding.reason = format!(
                "{} lists no authorisation of {} in dermatology",
                regulator, med.name
            );
            finding.sources = standing_none
                .iter()
                .flat_map(|a| a.sources.clone())
                .chain(med.sources.iter().take(1).cloned())
                .collect();
            finding
                .conflicts
                .extend(standing_none.iter().map(|a| (*a).clone()));
            return finding;
        }
        finding.status = Status::OffLabel;
        let names: Vec<String> = authorised.iter().map(|a| describe(pack, a)).collect();
        finding.reason = format!(
            "{} authorises {} only for {}",
            regulator,
            med.name,
            names.join("; ")
        );
        finding.sources = authorised.iter().flat_map(|a| a.sources.clone()).collect();
        finding.authorisations = authorised.iter().map(|a| (*a).clone()).collect();
        return finding;
    }

    let mut misfits = Vec::new();
    let mut unknown_fit = Vec::new();
    for a in &covering {
        match fits(a, patient) {
            Fit::Yes => {
                finding.status = Status::Approved;
                let mut reason = format!(
                    "{} authorises {} for {}",
                    regulator,
                    med.name,
                    describe(pack, a)
                );
                if a.condition.as_deref() == typical {
                    reason.push_str(&format!(
                        " (read as the common form, since the question names no subtype of {})",
                        cond.name.to_lowercase()
                    ));
                }
                if let Some(d) = a.date {
                    reason.push_str(&format!(", since {}", d.long()));
                }
                finding.reason = reason;
                finding.sources = a.sources.clone();
                finding.authorisations = vec![(*a).clone()];
                return finding;
            }
            Fit::No(why) => misfits.push((a, why)),
            Fit::Unknown(why) => unknown_fit.push((a, why)),
        }
    }
    if let Some((a, why)) = unknown_fit.first() {
        finding.status = Status::Unknown;
        finding.reason = format!(
            "{} authorises {} for {}, but {}",
            regulator,
            med.name,
            describe(pack, a),
            why
        );
        finding.sources = a.sources.clone();
        finding.authorisations = vec![(**a).clone()];
        return finding;
    }
    let (a, why) = &misfits[0];
    finding.status = Status::OffLabel;
    finding.reason = format!(
        "{} authorises {} only for {}; {}",
        regulator,
        med.name,
        describe(pack, a),
        why
    );
    finding.sources = a.sources.clone();
    finding.authorisations = misfits.iter().map(|(a, _)| (**a).clone()).collect();
    finding
}

enum Fit {
    Yes,
    No(String),
    Unknown(String),
}

fn fits(a: &Authorisation, patient: &Patient) -> Fit {
    let pop = &a.population;
    if let (Some(sev), false) = (patient.severity, pop.severities.is_empty())
        && !sev
            .grades()
            .iter()
            .all(|g| pop.severities.iter().any(|s| s == g))
    {
        return Fit::No(format!(
            "the disease described is {}",
            sev.as_str().replace('_', "-")
        ));
    }
    if let Some(min) = pop.age_min {
        let below = match patient.age {
            Some(age) => age < min,
            None => patient.child && min >= 12,
        };
        if below {
            return Fit::No(format!("the patient is younger than {min} years"));
        }
    } else if patient.is_minor() {
        return Fit::Unknown("the pack does not record the age range of that authorisation, so it cannot confirm it covers a patient under 18".into());
    }
    if let Some(max) = pop.age_max
        && patient.age.is_some_and(|a| a > max)
    {
        return Fit::No(format!("the patient is older than {max} years"));
    }
    if let Some(site) = &pop.body_site
        && let Some(named) = patient.sites_exclude(site)
    {
        return Fit::No(format!(
            "the question places the disease on the {named}, not the {site}"
        ));
    }
    Fit::Yes
}

/// A short description of what an authorisation covers ("moderate-to-severe atopic dermatitis, age 12 and over").
pub fn describe(pack: &Pack, a: &Authorisation) -> String {
    let mut text = String::new();
    let sev = &a.population.severities;
    if !sev.is_empty() {
        text.push_str(&sev.join("-to-"));
        text.push(' ');
    }
    let name = a
        .condition
        .as_deref()
        .and_then(|c| pack.condition(c))
        .map_or("(no condition)".to_string(), |c| c.name.to_lowercase());
    text.push_str(&name);
    if let Some(site) = &a.population.body_site {
        text.push_str(&format!(" that affects the {site}"));
    }
    match (a.population.age_min, a.population.age_max) {
        (Some(min), None) => text.push_str(&format!(", age {min} and over")),
        (Some(min), Some(max)) => text.push_str(&format!(", age {min} to {max}")),
        (None, Some(max)) => text.push_str(&format!(", up to age {max}")),
        (None, None) => {}
    }
    text
}

/// Studies of a medicine in a condition or any of its subtypes, strongest first.
pub fn studies<'a>(pack: &'a Pack, medicine: &str, condition: &str) -> Vec<&'a Study> {
    let scope: Vec<&str> = pack
        .descendants(condition)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let mut found: Vec<&Study> = pack
        .studies
        .iter()
        .map(|s| &s.record)
        .filter(|s| s.medicine == medicine && scope.contains(&s.condition.as_str()))
        .collect();
    rank(&mut found);
    found
}

/// Sorts studies strongest first: design rank, then larger n (unknown n last).
pub fn rank(studies: &mut [&Study]) {
    studies.sort_by(|a, b| {
        a.design
            .rank()
            .cmp(&b.design.rank())
            .then(b.n.unwrap_or(0).cmp(&a.n.unwrap_or(0)))
            .then(a.id.cmp(&b.id))
    });
}

/// The best study for the contract: the strongest whose size the source reports.
pub fn best<'a>(ranked: &[&'a Study]) -> Option<&'a Study> {
    ranked.iter().copied().find(|s| s.n.is_some())
}

/// Whether the pack has a medicine by this route.
pub fn is_topical(pack: &Pack, medicine: &str) -> bool {
    pack.medicine(medicine)
        .is_some_and(|m| m.route == Route::Topical)
}
