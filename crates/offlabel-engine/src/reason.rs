//! Regulatory status and evidence ranking.

use crate::patient::Patient;
use crate::question::Language;
use offlabel_model::{
    Authorisation, AuthorisationKind, Jurisdiction, Regulator, Route, Status, Study,
};
use offlabel_pack::Pack;

/// The status of a medicine for a condition and patient in one jurisdiction, with why.
#[derive(Debug, Clone)]
pub struct StatusFinding {
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// The verdict.
    pub status: Status,
    /// Why, in an English clause (no trailing full stop).
    pub reason: String,
    /// Why, as data: [`Reason::render`] words it in another language.
    pub why: Reason,
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
        .authorisations_of(medicine)
        .filter(|a| a.regulator == regulator)
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

/// Why an authorisation does not, or may not, cover the patient.
#[derive(Debug, Clone, PartialEq)]
pub enum Misfit {
    /// The disease's severity is outside the authorised grades (wire name).
    Severity(String),
    /// Younger than the authorised minimum age.
    YoungerThan(u32),
    /// Younger than the authorised minimum age in months (infants).
    YoungerThanMonths(u32),
    /// Older than the authorised maximum age.
    OlderThan(u32),
    /// A minor, and the pack does not record the authorisation's age range.
    AgeRangeUnknown,
    /// The authorisation starts at this age (years) within the band the question
    /// names ("a child"), and the question gives no age.
    AgeNotGiven(u32),
    /// As [`Misfit::AgeNotGiven`], for a lower bound in months (infants).
    AgeNotGivenMonths(u32),
    /// The sites named rule out the required body site.
    Site {
        /// The sites named ("hands and body").
        named: String,
        /// The site the authorisation requires.
        required: String,
    },
}

/// The reason behind a status, kept as data so each interface words it in its language.
#[derive(Debug, Clone)]
pub enum Reason {
    /// The pack does not hold the medicine or the condition.
    NotInPack,
    /// The condition is outside the pack's area (`PackMeta::area`).
    NotInArea {
        /// The condition's id.
        condition: String,
    },
    /// The pack does not list this regulator's authorisations of the medicine.
    AuthorisationsNotListed,
    /// The regulator lists no authorisation of the medicine in the pack's area.
    NoneListed,
    /// Authorised, but not for the condition asked, or not for this patient.
    OnlyFor {
        /// What it is authorised for.
        covers: Vec<Authorisation>,
        /// Why the patient falls outside, when the condition itself is covered.
        misfit: Option<Misfit>,
        /// Applications for the condition that are under review or were refused.
        pending: Vec<Authorisation>,
    },
    /// Authorised for this condition and patient.
    Approved {
        /// The authorisation that covers it.
        covers: Authorisation,
        /// The condition named has no subtype in the question and was read as this one.
        typical_of: Option<String>,
    },
    /// Authorised for the condition; whether the patient fits is unknown.
    FitUnknown {
        /// The authorisation.
        covers: Authorisation,
        /// What is unknown.
        misfit: Misfit,
    },
}

impl Misfit {
    fn render(&self, lang: Language) -> String {
        let es = lang == Language::Es;
        match (self, es) {
            (Misfit::Severity(s), false) => {
                format!("the disease described is {}", s.replace('_', "-"))
            }
            (Misfit::Severity(s), true) => format!(
                "la enfermedad descrita es {}",
                severity_es(&s.replace('_', "-"))
            ),
            (Misfit::YoungerThan(m), false) => format!("the patient is younger than {m} years"),
            (Misfit::YoungerThan(m), true) => format!("el paciente tiene menos de {m} años"),
            (Misfit::YoungerThanMonths(m), false) => {
                format!("the patient is younger than {m} months")
            }
            (Misfit::YoungerThanMonths(m), true) => format!("el paciente tiene menos de {m} meses"),
            (Misfit::OlderThan(m), false) => format!("the patient is older than {m} years"),
            (Misfit::OlderThan(m), true) => format!("el paciente tiene más de {m} años"),
            (Misfit::AgeNotGiven(m), false) => format!("it starts at {m} years and the question gives no age, so the pack cannot confirm it covers this patient"),
            (Misfit::AgeNotGiven(m), true) => format!("empieza a los {m} años y la pregunta no da la edad, así que el paquete no puede confirmar que cubra a este paciente"),
            (Misfit::AgeNotGivenMonths(m), false) => format!("it starts at {m} month{} of age and the question gives no age, so the pack cannot confirm it covers this patient", if *m == 1 { "" } else { "s" }),
            (Misfit::AgeNotGivenMonths(m), true) => format!("empieza a {m} {} de edad y la pregunta no da la edad, así que el paquete no puede confirmar que cubra a este paciente", if *m == 1 { "mes" } else { "meses" }),
            (Misfit::AgeRangeUnknown, false) => "the pack does not record the age range of that authorisation, so it cannot confirm it covers a patient under 18".into(),
            (Misfit::AgeRangeUnknown, true) => "el paquete no recoge el rango de edad de esa autorización, así que no puede confirmar que cubra a un menor de 18 años".into(),
            (Misfit::Site { named, required }, false) => {
                format!("the question places the disease on the {named}, not the {required}")
            }
            (Misfit::Site { named, required }, true) => format!(
                "la pregunta sitúa la enfermedad en: {named}, no en: {}",
                site_es(required)
            ),
        }
    }
}

fn severity_es(grades: &str) -> String {
    grades
        .replace("mild", "leve")
        .replace("moderate", "moderada")
        .replace("severe", "grave")
        .replace("-to-", " a ")
}

fn site_es(site: &str) -> &str {
    match site {
        "face" => "la cara",
        other => other,
    }
}

impl Reason {
    /// The reason as a clause (no trailing full stop), in `lang` (English unless Spanish).
    pub fn render(
        &self,
        pack: &Pack,
        regulator: Regulator,
        medicine: &str,
        lang: Language,
    ) -> String {
        let es = lang == Language::Es;
        let list = |covers: &[Authorisation]| {
            covers
                .iter()
                .map(|a| describe_in(pack, a, lang))
                .collect::<Vec<_>>()
                .join("; ")
        };
        match self {
            Reason::NotInPack if es => {
                "el paquete no contiene este medicamento o esta enfermedad".into()
            }
            Reason::NotInPack => "the pack does not hold this medicine or condition".into(),
            Reason::NotInArea { condition } => {
                let name = pack
                    .condition(condition)
                    .map_or(condition.as_str(), |c| c.name.as_str());
                let area = &pack.meta.area;
                if es {
                    format!(
                        "el paquete solo recoge autorizaciones en {}, y {name} no es una {} en el paquete",
                        area.name_es, area.condition_word_es
                    )
                } else {
                    format!(
                        "the pack lists authorisations in {} only, and {name} is not a {} in the pack",
                        area.name, area.condition_word
                    )
                }
            }
            Reason::AuthorisationsNotListed if es => {
                format!("el paquete no recoge las autorizaciones de {medicine} de la {regulator}")
            }
            Reason::AuthorisationsNotListed => {
                format!("the pack does not list the {regulator} authorisations of {medicine}")
            }
            Reason::NoneListed if es => {
                format!(
                    "la {regulator} no recoge ninguna autorización de {medicine} en {}",
                    pack.meta.area.name_es
                )
            }
            Reason::NoneListed => {
                format!(
                    "{regulator} lists no authorisation of {medicine} in {}",
                    pack.meta.area.name
                )
            }
            Reason::OnlyFor {
                covers,
                misfit,
                pending,
            } => {
                let head = if es {
                    format!(
                        "la {regulator} autoriza {medicine} solo para {}",
                        list(covers)
                    )
                } else {
                    format!(
                        "{regulator} authorises {medicine} only for {}",
                        list(covers)
                    )
                };
                let mut text = match misfit {
                    Some(m) => format!("{head}; {}", m.render(lang)),
                    None => head,
                };
                for p in pending {
                    text.push_str(&pending_clause(pack, p, regulator, lang));
                }
                text
            }
            Reason::Approved { covers, typical_of } => {
                let mut text = if es {
                    format!(
                        "la {regulator} autoriza {medicine} para {}",
                        describe_in(pack, covers, lang)
                    )
                } else {
                    format!(
                        "{regulator} authorises {medicine} for {}",
                        describe_in(pack, covers, lang)
                    )
                };
                if let Some(name) = typical_of {
                    text.push_str(&if es {
                        format!(" (interpretado como la forma habitual, ya que la pregunta no nombra un subtipo de {name})")
                    } else {
                        format!(" (read as the common form, since the question names no subtype of {name})")
                    });
                }
                if let Some(d) = covers.date {
                    text.push_str(&if es {
                        format!(", desde el {}", d.long_es())
                    } else {
                        format!(", since {}", d.long())
                    });
                }
                text
            }
            Reason::FitUnknown { covers, misfit } => {
                if es {
                    format!(
                        "la {regulator} autoriza {medicine} para {}, pero {}",
                        describe_in(pack, covers, lang),
                        misfit.render(lang)
                    )
                } else {
                    format!(
                        "{regulator} authorises {medicine} for {}, but {}",
                        describe_in(pack, covers, lang),
                        misfit.render(lang)
                    )
                }
            }
        }
    }
}

/// "; an application for X is under review (filed 3 February 2026)" or "; FDA refused
/// the application for X (14 October 2015)".
fn pending_clause(pack: &Pack, a: &Authorisation, regulator: Regulator, lang: Language) -> String {
    let es = lang == Language::Es;
    let what = describe_in(pack, a, lang);
    let date = a.date.map(|d| if es { d.long_es() } else { d.long() });
    match (a.kind, es) {
        (AuthorisationKind::UnderReview, false) => format!(
            "; an application for {what} is under review by {regulator}{}, not approved",
            date.map(|d| format!(" (filed {d})")).unwrap_or_default()
        ),
        (AuthorisationKind::UnderReview, true) => format!(
            "; una solicitud para {what} está en evaluación por la {regulator}{}, sin aprobar",
            date.map(|d| format!(" (presentada el {d})"))
                .unwrap_or_default()
        ),
        (_, false) => format!(
            "; {regulator} refused the application for {what}{}",
            date.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        (_, true) => format!(
            "; la {regulator} rechazó la solicitud para {what}{}",
            date.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
    }
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
    let (status, why, authorisations, conflicts, sources) =
        decide(pack, medicine, condition, patient, jurisdiction);
    let name = pack
        .medicine(medicine)
        .map_or(medicine, |m| m.name.as_str());
    StatusFinding {
        jurisdiction,
        status,
        reason: why.render(pack, regulator, name, Language::En),
        why,
        authorisations,
        conflicts,
        sources,
    }
}

type Decision = (
    Status,
    Reason,
    Vec<Authorisation>,
    Vec<Authorisation>,
    Vec<String>,
);

fn decide(
    pack: &Pack,
    medicine: &str,
    condition: &str,
    patient: &Patient,
    jurisdiction: Jurisdiction,
) -> Decision {
    let regulator = jurisdiction.regulator();
    let (Some(med), Some(cond)) = (pack.medicine(medicine), pack.condition(condition)) else {
        return (Status::Unknown, Reason::NotInPack, vec![], vec![], vec![]);
    };
    let (authorised, superseded, standing_none) =
        effective_authorisations(pack, medicine, jurisdiction);
    let mut conflicts: Vec<Authorisation> = superseded.iter().map(|a| (*a).clone()).collect();
    let known = med.authorisations_known.contains(&regulator);

    // Authorisations that cover the condition asked: the condition itself, a broader
    // condition it belongs to, or the typical subtype of the condition named.
    let lineage: Vec<&str> = pack
        .ancestors(condition)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let typical = cond.typical_subtype.as_deref();
    let pending: Vec<Authorisation> = pack
        .authorisations_of(medicine)
        .filter(|a| {
            a.regulator == regulator
                && matches!(
                    a.kind,
                    AuthorisationKind::UnderReview | AuthorisationKind::Refused
                )
                && a.condition
                    .as_deref()
                    .is_some_and(|c| lineage.contains(&c) || Some(c) == typical)
        })
        .cloned()
        .collect();
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
        if !cond.in_area {
            let why = Reason::NotInArea {
                condition: cond.id.clone(),
            };
            return (Status::Unknown, why, vec![], conflicts, med.sources.clone());
        }
        if !known {
            return (
                Status::Unknown,
                Reason::AuthorisationsNotListed,
                vec![],
                conflicts,
                med.sources.clone(),
            );
        }
        if authorised.is_empty() {
            let sources = standing_none
                .iter()
                .flat_map(|a| a.sources.clone())
                .chain(med.sources.iter().take(1).cloned())
                .collect();
            conflicts.extend(standing_none.iter().map(|a| (*a).clone()));
            return (
                Status::NotAuthorized,
                Reason::NoneListed,
                vec![],
                conflicts,
                sources,
            );
        }
        let covers: Vec<Authorisation> = authorised.iter().map(|a| (*a).clone()).collect();
        let sources = authorised.iter().flat_map(|a| a.sources.clone()).collect();
        let why = Reason::OnlyFor {
            covers: covers.clone(),
            misfit: None,
            pending,
        };
        return (Status::OffLabel, why, covers, conflicts, sources);
    }

    let mut misfits = Vec::new();
    let mut unknown_fit = Vec::new();
    for a in &covering {
        match fits(a, patient) {
            None => {
                let why = Reason::Approved {
                    covers: (*a).clone(),
                    typical_of: (a.condition.as_deref() == typical)
                        .then(|| cond.name.to_lowercase()),
                };
                return (
                    Status::Approved,
                    why,
                    vec![(*a).clone()],
                    conflicts,
                    a.sources.clone(),
                );
            }
            Some(Fit::No(why)) => misfits.push((a, why)),
            Some(Fit::Unknown(why)) => unknown_fit.push((a, why)),
        }
    }
    if let Some((a, misfit)) = unknown_fit.into_iter().next() {
        let why = Reason::FitUnknown {
            covers: (*a).clone(),
            misfit,
        };
        return (
            Status::Unknown,
            why,
            vec![(*a).clone()],
            conflicts,
            a.sources.clone(),
        );
    }
    let sources = misfits[0].0.sources.clone();
    let covers: Vec<Authorisation> = misfits.iter().map(|(a, _)| (**a).clone()).collect();
    let misfit = misfits.into_iter().next().map(|(_, m)| m);
    let why = Reason::OnlyFor {
        covers: covers[..1].to_vec(),
        misfit,
        pending,
    };
    (Status::OffLabel, why, covers, conflicts, sources)
}

/// How an authorisation fails to cover a patient (`None` when it covers them).
enum Fit {
    No(Misfit),
    Unknown(Misfit),
}

fn fits(a: &Authorisation, patient: &Patient) -> Option<Fit> {
    let pop = &a.population;
    if let (Some(sev), false) = (patient.severity, pop.severities.is_empty())
        && !sev
            .grades()
            .iter()
            .all(|g| pop.severities.iter().any(|s| s == g))
    {
        return Some(Fit::No(Misfit::Severity(sev.as_str().to_string())));
    }
    if let Some(min_months) = pop.age_min_months {
        match (patient.age_months, patient.age) {
            (Some(m), _) if m < min_months => {
                return Some(Fit::No(Misfit::YoungerThanMonths(min_months)));
            }
            // Under a year without months: cannot tell against a bound in months.
            (None, Some(0)) => return Some(Fit::Unknown(Misfit::AgeRangeUnknown)),
            _ => {}
        }
    }
    // A child or adolescent described without an age, against a lower bound inside
    // that age band ("children" and a label from 2 years): the pack cannot tell.
    if patient.age.is_none() && patient.age_months.is_none() {
        if let Some(months) = pop.age_min_months
            && (patient.child || patient.adolescent && months > 144)
        {
            return Some(Fit::Unknown(Misfit::AgeNotGivenMonths(months)));
        }
        if let Some(min) = pop.age_min.filter(|m| *m >= 1)
            && ((patient.child && min < 12) || (patient.adolescent && (13..18).contains(&min)))
        {
            return Some(Fit::Unknown(Misfit::AgeNotGiven(min)));
        }
    }
    if let Some(min) = pop.age_min {
        let below = match patient.age {
            Some(age) => age < min,
            // Described, not aged: a child is under 12, an adolescent under 18.
            None => (patient.child && min >= 12) || (patient.adolescent && min >= 18),
        };
        if below {
            return Some(Fit::No(Misfit::YoungerThan(min)));
        }
    } else if patient.is_minor() {
        return Some(Fit::Unknown(Misfit::AgeRangeUnknown));
    }
    if let Some(max) = pop.age_max
        && patient.age.is_some_and(|a| a > max)
    {
        return Some(Fit::No(Misfit::OlderThan(max)));
    }
    if let Some(site) = &pop.body_site
        && let Some(named) = patient.sites_exclude(site)
    {
        return Some(Fit::No(Misfit::Site {
            named,
            required: site.clone(),
        }));
    }
    None
}

/// A short description of what an authorisation covers ("moderate-to-severe atopic dermatitis, age 12 and over").
pub fn describe(pack: &Pack, a: &Authorisation) -> String {
    describe_in(pack, a, Language::En)
}

/// [`describe`] in a language: Spanish uses the condition's first Spanish name.
pub fn describe_in(pack: &Pack, a: &Authorisation, lang: Language) -> String {
    let es = lang == Language::Es;
    let condition = a.condition.as_deref().and_then(|c| pack.condition(c));
    let name = match condition {
        Some(c) if es => c.es.first().unwrap_or(&c.name).to_lowercase(),
        Some(c) => c.name.to_lowercase(),
        None => "(no condition)".to_string(),
    };
    let sev = a.population.severities.join("-to-");
    let mut text = match (sev.is_empty(), es) {
        (true, _) => name,
        (false, false) => format!("{sev} {name}"),
        (false, true) => format!("{name} {}", severity_es(&sev)),
    };
    if let Some(site) = &a.population.body_site {
        text.push_str(&if es {
            format!(" que afecta a {}", site_es(site))
        } else {
            format!(" that affects the {site}")
        });
    }
    let ages = match (a.population.age_min_months, es) {
        (Some(m), false) => Some(format!(
            ", from {m} month{} of age",
            if m == 1 { "" } else { "s" }
        )),
        (Some(m), true) => Some(format!(
            ", desde {m} {} de edad",
            if m == 1 { "mes" } else { "meses" }
        )),
        (None, _) => None,
    };
    let ages = ages.unwrap_or_else(|| match (a.population.age_min, a.population.age_max, es) {
        (Some(min), None, false) => format!(", age {min} and over"),
        (Some(min), Some(max), false) => format!(", age {min} to {max}"),
        (None, Some(max), false) => format!(", up to age {max}"),
        (Some(min), None, true) => format!(", desde los {min} años"),
        (Some(min), Some(max), true) => format!(", de {min} a {max} años"),
        (None, Some(max), true) => format!(", hasta los {max} años"),
        (None, None, _) => String::new(),
    });
    text.push_str(&ages);
    text
}

/// Studies of a medicine in a condition or any of its subtypes, strongest first.
pub fn studies<'a>(pack: &'a Pack, medicine: &str, condition: &str) -> Vec<&'a Study> {
    let mut found: Vec<&Study> = pack
        .studies_of(medicine)
        .filter(|s| pack.is_within(&s.condition, condition))
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
