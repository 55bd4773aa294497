//! Understanding a question: medicine, condition, jurisdiction, patient, intent, language.

use crate::cues::{self, Hits, ListId, cue};
use crate::lexicon::{Hit, Lexicon, Term};
use crate::patient::{Patient, RenalGrade, Severity, Site};
use crate::text::{Token, tokenize};
use offlabel_model::{Jurisdiction, Route};
use offlabel_pack::Pack;
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::LazyLock;

/// What the person wants to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Can it be used / is it approved.
    Approval,
    /// Dose, frequency, how to apply, limits.
    Dose,
    /// Side effects and risks.
    SideEffects,
    /// Who must not use it.
    Contraindications,
    /// How well it works.
    Efficacy,
    /// How it works.
    Mechanism,
    /// Published evidence.
    Evidence,
    /// Tests before and during treatment.
    Screening,
    /// Vaccination.
    Vaccines,
    /// Which medicines exist for a condition.
    Options,
    /// When it was authorised.
    Dates,
}

/// The language to answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    En,
    /// Spanish.
    Es,
    /// Chinese.
    Zh,
}

/// A jurisdiction named in the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Place {
    /// One the pack reports on.
    Known(Jurisdiction),
    /// Somewhere else (by its name as written).
    Other(String),
}

/// The parsed question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Medicine id, when one pack medicine is named.
    pub medicine: Option<String>,
    /// Other pack medicines named in the same question (for comparisons).
    pub other_medicines: Vec<String>,
    /// How the medicine was recognised (the words matched).
    pub medicine_words: Option<String>,
    /// Whether the route was assumed rather than stated.
    pub route_assumed: bool,
    /// A medicine named that the pack does not cover.
    pub foreign_medicine: Option<String>,
    /// The JAK inhibitor class was named without a specific medicine.
    pub class: bool,
    /// Condition id.
    pub condition: Option<String>,
    /// Jurisdictions named.
    pub places: Vec<Place>,
    /// The patient described.
    pub patient: Patient,
    /// What is asked.
    pub intents: Vec<Intent>,
    /// Answer language.
    pub language: Language,
    /// Words that were spelling-corrected.
    pub corrections: Vec<String>,
}

fn has_phrase(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| text.contains(p))
}

/// Whether a cue at token `i` is negated by a nearby "not", "no", "never", "without".
fn negated(hits: &Hits, i: usize) -> bool {
    (i.saturating_sub(3)..i).any(|k| hits.at(cue!("patient", "negation"), k).is_some())
}

/// Whether a cue is affirmed (matched, not negated, not excluded), or, in Chinese text,
/// one of its Chinese substrings occurs.
fn affirmed(
    hits: &Hits,
    words: ListId,
    exclude: ListId,
    zh: &[String],
    folded: &str,
    cjk: bool,
) -> bool {
    !hits.any(exclude)
        && (hits.positions(words).any(|i| !negated(hits, i))
            || (cjk && zh.iter().any(|z| folded.contains(z.as_str()))))
}

/// Parses a question against a pack's lexicon.
pub fn parse(pack: &Pack, lexicon: &Lexicon, text: &str) -> Question {
    let tokens = tokenize(text);
    let cue_hits = cues::scan(&tokens);
    let folded = crate::text::fold(text);
    let hits = lexicon.scan(&tokens, text);
    let corrections = hits
        .iter()
        .filter(|h| h.corrected)
        .map(|h| h.text.clone())
        .collect();
    let language = detect_language(&tokens, text);

    let route = route_cues(lexicon, &tokens);
    let (medicine, medicine_words, route_assumed) = resolve_medicine(pack, &hits, route);
    let foreign_medicine = hits.iter().find_map(|h| match &h.term {
        Term::Foreign(name) => Some(name.clone()),
        _ => None,
    });
    let class = hits.iter().any(|h| h.term == Term::Class);
    let mut other_medicines: Vec<String> = Vec::new();
    for h in &hits {
        if let Term::Medicine(id) = &h.term
            && Some(id) != medicine.as_ref()
            && !other_medicines.contains(id)
        {
            other_medicines.push(id.clone());
        }
    }
    let condition = resolve_condition(pack, &hits);
    let cjk = text.chars().any(crate::text::is_cjk);
    let text = Text {
        tokens: &tokens,
        hits: &cue_hits,
        folded: &folded,
        cjk,
    };
    let places = places(&text);
    let patient = patient(&text);
    let intents = intents(&text, medicine.is_some() || class, condition.is_some());
    Question {
        medicine,
        other_medicines,
        medicine_words,
        route_assumed,
        foreign_medicine,
        class,
        condition,
        places,
        patient,
        intents,
        language,
        corrections,
    }
}

fn route_cues(lexicon: &Lexicon, tokens: &[Token]) -> Option<Route> {
    let mut topical = false;
    let mut oral = false;
    for t in tokens {
        match lexicon.route_cue(&t.norm) {
            Some(Route::Topical) => topical = true,
            Some(Route::Oral) => oral = true,
            None => {}
        }
    }
    match (topical, oral) {
        (true, false) => Some(Route::Topical),
        (false, true) => Some(Route::Oral),
        _ => None,
    }
}

fn resolve_medicine(
    pack: &Pack,
    hits: &[Hit],
    route: Option<Route>,
) -> (Option<String>, Option<String>, bool) {
    // A named product or route-specific name wins over a bare ingredient.
    if let Some(h) = hits.iter().find(|h| matches!(h.term, Term::Medicine(_)))
        && let Term::Medicine(id) = &h.term
    {
        return (Some(id.clone()), Some(h.text.clone()), false);
    }
    if let Some(h) = hits.iter().find(|h| matches!(h.term, Term::Ingredient(_)))
        && let Term::Ingredient(ingredient) = &h.term
    {
        let candidates: Vec<_> = pack
            .medicines
            .iter()
            .filter(|m| &m.ingredient == ingredient)
            .collect();
        let chosen = match route {
            Some(r) => candidates.iter().find(|m| m.route == r),
            // In dermatology the cream is the usual form; the answer says it assumed so.
            None => candidates.iter().find(|m| m.route == Route::Topical),
        }
        .or(candidates.first());
        if let Some(m) = chosen {
            return (Some(m.id.clone()), Some(h.text.clone()), route.is_none());
        }
    }
    (None, None, false)
}

fn resolve_condition(pack: &Pack, hits: &[Hit]) -> Option<String> {
    let conditions: Vec<(&Hit, &str)> = hits
        .iter()
        .filter_map(|h| match &h.term {
            Term::Condition(id) => Some((h, id.as_str())),
            _ => None,
        })
        .collect();
    // Prefer the most specific condition named: a subtype over its parent, then the longer phrase.
    let mut best: Option<(&Hit, &str)> = None;
    for (h, id) in conditions {
        best = match best {
            None => Some((h, id)),
            Some((bh, bid)) => {
                let is_descendant = pack.ancestors(id).iter().any(|a| a.id == bid) && id != bid;
                let is_ancestor = pack.ancestors(bid).iter().any(|a| a.id == id);
                if is_descendant || (!is_ancestor && h.len > bh.len) {
                    Some((h, id))
                } else {
                    Some((bh, bid))
                }
            }
        };
    }
    best.map(|(_, id)| id.to_string())
}

/// A question's text in the forms the cue readers need.
struct Text<'a> {
    tokens: &'a [Token],
    hits: &'a Hits,
    folded: &'a str,
    cjk: bool,
}

impl Text<'_> {
    /// Whether any Chinese substring of a list occurs (only in Chinese text).
    fn zh(&self, list: &[String]) -> bool {
        self.cjk && list.iter().any(|z| self.folded.contains(z.as_str()))
    }
}

fn places(text: &Text<'_>) -> Vec<Place> {
    let mut out = Vec::new();
    let mut push = |p: Place| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    let us_upper = cues::list("places", "us_upper");
    for (i, t) in text.tokens.iter().enumerate() {
        if us_upper.contains(&t.raw) {
            push(Place::Known(if t.raw == "UE" {
                Jurisdiction::Eu
            } else {
                Jurisdiction::Us
            }));
        } else if text.hits.at(cue!("places", "us"), i).is_some() {
            push(Place::Known(Jurisdiction::Us));
        } else if text.hits.at(cue!("places", "eu"), i).is_some() {
            push(Place::Known(Jurisdiction::Eu));
        } else if let Some(len) = text.hits.at(cue!("places", "other"), i) {
            let words: Vec<&str> = text.tokens[i..i + len]
                .iter()
                .map(|t| t.raw.as_str())
                .collect();
            push(Place::Other(words.join(" ")));
        }
    }
    if text.cjk {
        for (key, place) in [
            ("us_zh", Some(Jurisdiction::Us)),
            ("eu_zh", Some(Jurisdiction::Eu)),
            ("other_zh", None),
        ] {
            for z in cues::list("places", key)
                .iter()
                .filter(|z| text.folded.contains(z.as_str()))
            {
                push(place.map_or_else(|| Place::Other(z.clone()), Place::Known));
            }
        }
    }
    out
}

/// Reads an age from "80 year old", "aged 80", "age 80", "80 años", "80 y/o", "80yo".
fn age(tokens: &[Token]) -> Option<u32> {
    for (i, t) in tokens.iter().enumerate() {
        let w = t.norm.as_str();
        let number = |s: &str| s.parse::<u32>().ok().filter(|n| *n <= 130);
        // "80yo", "80y"
        if let Some(n) = w
            .strip_suffix("yo")
            .or_else(|| w.strip_suffix("yrs"))
            .or_else(|| w.strip_suffix("yr"))
            .and_then(number)
        {
            return Some(n);
        }
        let next = tokens.get(i + 1).map(|t| t.norm.as_str());
        if let Some(n) = number(w)
            && matches!(
                next,
                Some("year" | "years" | "yr" | "yrs" | "y" | "yo" | "ano" | "anos" | "岁")
            )
        {
            return Some(n);
        }
        if matches!(w, "aged" | "age" | "edad") {
            if let Some(n) = next.and_then(number) {
                return Some(n);
            }
            if next == Some("of")
                && let Some(n) = tokens.get(i + 2).and_then(|t| number(&t.norm))
            {
                return Some(n);
            }
        }
        // "de 80 años" handled above; "tiene 80" / "tengo 80"
        if matches!(w, "tiene" | "tengo")
            && let Some(n) = next.and_then(number)
            && matches!(
                tokens.get(i + 2).map(|t| t.norm.as_str()),
                Some("ano" | "anos")
            )
        {
            return Some(n);
        }
    }
    None
}

fn bsa(tokens: &[Token]) -> Option<f64> {
    for (i, t) in tokens.iter().enumerate() {
        let Some(num) = t.norm.strip_suffix('%') else {
            continue;
        };
        let Ok(value) = num.parse::<f64>() else {
            continue;
        };
        let window: Vec<&str> = tokens[i + 1..tokens.len().min(i + 6)]
            .iter()
            .map(|t| t.norm.as_str())
            .collect();
        if window.iter().any(|w| {
            matches!(
                *w,
                "body" | "bsa" | "skin" | "surface" | "cuerpo" | "corporal" | "superficie"
            )
        }) {
            return Some(value);
        }
    }
    None
}

/// Reads a patient cue: `$name` affirmed, `${name}_exclude` absent, or `${name}_zh` in Chinese text.
macro_rules! patient_has {
    ($text:expr, $name:literal) => {
        affirmed(
            $text.hits,
            cue!("patient", $name),
            cue!("patient", concat!($name, "_exclude")),
            if $text.cjk {
                cues::list("patient", concat!($name, "_zh"))
            } else {
                &[]
            },
            $text.folded,
            $text.cjk,
        )
    };
}

fn patient(text: &Text<'_>) -> Patient {
    let tokens = text.tokens;
    let mut p = Patient {
        age: age(tokens),
        ..Patient::default()
    };
    p.adolescent = patient_has!(text, "adolescent") && p.age.is_none();
    p.child = patient_has!(text, "child") && p.age.is_none() && !p.adolescent;
    p.elderly = patient_has!(text, "elderly") && p.age.is_none();
    p.pregnant = patient_has!(text, "pregnant");
    p.breastfeeding = patient_has!(text, "breastfeeding");
    p.allergy = patient_has!(text, "allergy");
    p.immunosuppressed = patient_has!(text, "immunosuppressed");
    p.smoker = patient_has!(text, "smoker");
    p.vte_history = patient_has!(text, "vte");
    p.cardiovascular_history = patient_has!(text, "cardiovascular");
    p.cancer_history = patient_has!(text, "cancer");
    p.renal = renal(text);
    p.recurrent_infections = patient_has!(text, "infections");
    p.bsa = bsa(tokens);
    p.broken_skin = patient_has!(text, "broken_skin");
    for (site, yes) in [
        (Site::Eyelids, patient_has!(text, "site_eyelids")),
        (Site::Eyes, patient_has!(text, "site_eyes")),
        (Site::Face, patient_has!(text, "site_face")),
        (Site::Mouth, patient_has!(text, "site_mouth")),
        (Site::Mucosa, patient_has!(text, "site_mucosa")),
        (Site::Scalp, patient_has!(text, "site_scalp")),
        (Site::Hands, patient_has!(text, "site_hands")),
    ] {
        if yes {
            p.sites.push(site);
        }
    }
    p.severity = severity(tokens);
    p
}

fn renal(text: &Text<'_>) -> Option<RenalGrade> {
    if !patient_has!(text, "renal") {
        return None;
    }
    let grade = if text.hits.any(cue!("patient", "renal_severe")) {
        RenalGrade::Severe
    } else if text.hits.any(cue!("patient", "renal_moderate")) {
        RenalGrade::Moderate
    } else if text.hits.any(cue!("patient", "renal_mild")) {
        RenalGrade::Mild
    } else {
        RenalGrade::Unspecified
    };
    Some(grade)
}

fn severity(tokens: &[Token]) -> Option<Severity> {
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let joined = format!(" {} ", words.join(" "));
    if has_phrase(
        &joined,
        &[
            " mild to moderate ",
            " mild moderate ",
            " leve a moderada ",
            " leve moderada ",
        ],
    ) {
        return Some(Severity::MildToModerate);
    }
    if has_phrase(
        &joined,
        &[
            " moderate to severe ",
            " moderate severe ",
            " moderada a grave ",
            " moderada a severa ",
            " moderada grave ",
        ],
    ) {
        return Some(Severity::ModerateToSevere);
    }
    // Severity words describing the kidneys do not grade the skin disease.
    let near_kidney = |i: usize| {
        words[i + 1..words.len().min(i + 3)]
            .iter()
            .any(|w| matches!(*w, "kidney" | "renal" | "rinon" | "impairment"))
    };
    for (i, w) in words.iter().enumerate() {
        if near_kidney(i) {
            continue;
        }
        match *w {
            "mild" | "leve" | "light" => return Some(Severity::Mild),
            "moderate" | "moderada" | "moderado" => return Some(Severity::Moderate),
            "severe" | "grave" | "severa" | "severo" | "serious"
                if i + 1 < words.len()
                    && !matches!(
                        words[i + 1],
                        "side"
                            | "adverse"
                            | "infection"
                            | "infections"
                            | "effects"
                            | "allergic"
                            | "reaction"
                            | "reactions"
                    ) =>
            {
                return Some(Severity::Severe);
            }
            _ => {}
        }
    }
    None
}

fn detect_language(tokens: &[Token], raw: &str) -> Language {
    static WORDS: LazyLock<[rustc_hash::FxHashSet<&'static str>; 2]> = LazyLock::new(|| {
        ["es", "en"].map(|k| {
            cues::list("language", k)
                .iter()
                .map(String::as_str)
                .collect()
        })
    });
    if raw.chars().any(crate::text::is_cjk) {
        return Language::Zh;
    }
    let count = |set: &rustc_hash::FxHashSet<&str>| {
        tokens
            .iter()
            .filter(|t| set.contains(t.norm.as_str()))
            .count()
    };
    let es = count(&WORDS[0])
        + if raw.contains('¿') || raw.contains('ñ') {
            2
        } else {
            0
        };
    if es > count(&WORDS[1]) {
        Language::Es
    } else {
        Language::En
    }
}

fn intents(text: &Text<'_>, has_medicine: bool, has_condition: bool) -> Vec<Intent> {
    macro_rules! asks {
        ($name:literal) => {
            text.hits.any(cue!("intents", $name))
                || text.zh(if text.cjk {
                    cues::list("intents", concat!($name, "_zh"))
                } else {
                    &[]
                })
        };
    }
    let tokens = text.tokens;
    let mechanism = (asks!("mechanism_how") && asks!("mechanism_work") && !asks!("mechanism_not"))
        || asks!("mechanism");
    let mut out = Vec::new();
    for (intent, yes) in [
        (Intent::Mechanism, mechanism),
        (Intent::Efficacy, asks!("efficacy") && !mechanism),
        (Intent::Dose, asks!("dose")),
        (Intent::SideEffects, asks!("side_effects")),
        (Intent::Contraindications, asks!("contraindications")),
        (Intent::Screening, asks!("screening")),
        (Intent::Vaccines, asks!("vaccines")),
        (Intent::Evidence, asks!("evidence")),
        (
            Intent::Options,
            !has_medicine && has_condition && (asks!("options") || tokens.len() <= 3),
        ),
        (Intent::Dates, asks!("dates") && asks!("dates_anchor")),
        (Intent::Approval, asks!("approval")),
    ] {
        if yes {
            out.push(intent);
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Question {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        let lex = Lexicon::new(&pack);
        parse(&pack, &lex, text)
    }

    #[test]
    fn route_cues_split_ruxolitinib() {
        assert_eq!(
            q("ruxolitinib cream for vitiligo").medicine.as_deref(),
            Some("ruxolitinib-topical")
        );
        assert_eq!(
            q("oral ruxolitinib for VEXAS").medicine.as_deref(),
            Some("ruxolitinib-oral")
        );
        assert_eq!(
            q("ruxolitinib tablets").medicine.as_deref(),
            Some("ruxolitinib-oral")
        );
        assert_eq!(
            q("Jakafi for vitiligo").medicine.as_deref(),
            Some("ruxolitinib-oral")
        );
        let bare = q("ruxolitinib for vitiligo");
        assert_eq!(bare.medicine.as_deref(), Some("ruxolitinib-topical"));
        assert!(bare.route_assumed);
    }

    #[test]
    fn places() {
        assert_eq!(
            q("olumiant for eczema in the US?").places,
            [Place::Known(Jurisdiction::Us)]
        );
        assert_eq!(
            q("Is Opzelura approved in Germany").places,
            [Place::Known(Jurisdiction::Eu)]
        );
        assert_eq!(
            q("Can I use it in Canada").places,
            [Place::Other("Canada".into())]
        );
        assert!(q("can you help us").places.is_empty());
    }

    #[test]
    fn patient_details() {
        let p = q("Baricitinib dose for an 80 year old with alopecia areata").patient;
        assert_eq!(p.age, Some(80));
        let p = q("my 70-year-old mother smokes and had a blood clot").patient;
        assert_eq!(p.age, Some(70));
        assert!(p.smoker && p.vte_history);
        let p = q("I am not pregnant, can I use Opzelura on my eyelids").patient;
        assert!(!p.pregnant);
        assert_eq!(p.sites, [Site::Eyelids]);
        let p = q("Opzelura on 20% of my body").patient;
        assert_eq!(p.bsa, Some(20.0));
        let p = q("abrocitinib with moderate kidney disease").patient;
        assert_eq!(p.renal, Some(RenalGrade::Moderate));
        assert_eq!(p.severity, None);
        let p = q("paciente de 80 años embarazada").patient;
        assert_eq!(p.age, Some(80));
        assert!(p.pregnant);
    }

    #[test]
    fn severity_and_subtype() {
        assert_eq!(
            q("mild atopic dermatitis").patient.severity,
            Some(Severity::Mild)
        );
        assert_eq!(
            q("moderate-to-severe eczema").patient.severity,
            Some(Severity::ModerateToSevere)
        );
        assert_eq!(
            q("segmental vitiligo").condition.as_deref(),
            Some("vitiligo-segmental")
        );
        assert_eq!(
            q("non-segmental vitiligo").condition.as_deref(),
            Some("vitiligo-non-segmental")
        );
        assert_eq!(
            q("skin GVHD").condition.as_deref(),
            Some("cutaneous-chronic-gvhd")
        );
        assert_eq!(
            q("serious side effects of baricitinib").patient.severity,
            None
        );
    }

    #[test]
    fn languages() {
        assert_eq!(
            q("¿Puedo usar Opzelura para la psoriasis?").language,
            Language::Es
        );
        assert_eq!(
            q("Can I use Opzelura for psoriasis?").language,
            Language::En
        );
    }
}
