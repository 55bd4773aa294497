//! Understanding a question: medicine, condition, jurisdiction, patient, intent, language.

use crate::cues;
use crate::lexicon::{Hit, Lexicon, Term};
use crate::patient::{Patient, RenalGrade, Severity, Site};
use crate::text::{Token, tokenize};
use offlabel_model::{Jurisdiction, Route};
use offlabel_pack::Pack;
use schemars::JsonSchema;
use serde::Serialize;

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
fn negated(tokens: &[Token], i: usize) -> bool {
    let negation = cues::list("patient", "negation");
    tokens[i.saturating_sub(3)..i]
        .iter()
        .any(|t| negation.iter().any(|n| *n == t.norm))
}

/// Whether the words of `cue` (space-separated; a trailing `*` is a prefix) start at token `i`.
fn cue_at(tokens: &[Token], i: usize, cue: &str) -> bool {
    let mut k = i;
    for w in cue.split(' ') {
        let Some(t) = tokens.get(k) else { return false };
        let ok = match w.strip_suffix('*') {
            Some(prefix) => t.norm.starts_with(prefix),
            None => t.norm == w,
        };
        if !ok {
            return false;
        }
        k += 1;
    }
    true
}

/// Whether any cue of a list occurs in the tokens.
fn mentions(tokens: &[Token], list: &[String]) -> bool {
    (0..tokens.len()).any(|i| list.iter().any(|c| cue_at(tokens, i, c)))
}

/// Whether any cue of a list occurs in the tokens, not negated.
fn affirms(tokens: &[Token], list: &[String]) -> bool {
    (0..tokens.len()).any(|i| list.iter().any(|c| cue_at(tokens, i, c)) && !negated(tokens, i))
}

/// Whether a patient cue (and its Chinese list) is affirmed and no exclusion applies.
fn patient_cue(tokens: &[Token], folded: &str, key: &str) -> bool {
    let zh = cues::list("patient", &format!("{key}_zh"));
    let excluded = mentions(tokens, cues::list("patient", &format!("{key}_exclude")));
    !excluded
        && (affirms(tokens, cues::list("patient", key))
            || zh.iter().any(|z| folded.contains(z.as_str())))
}

/// Parses a question against a pack's lexicon.
pub fn parse(pack: &Pack, lexicon: &Lexicon, text: &str) -> Question {
    let tokens = tokenize(text);
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
    let condition = resolve_condition(pack, &hits);
    let places = places(&tokens, &folded);
    let patient = patient(&tokens, &folded);
    let intents = intents(
        &tokens,
        &folded,
        medicine.is_some() || class,
        condition.is_some(),
    );
    Question {
        medicine,
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
    if let Some(h) = hits.iter().find(|h| matches!(h.term, Term::Medicine(_))) {
        if let Term::Medicine(id) = &h.term {
            return (Some(id.clone()), Some(h.text.clone()), false);
        }
    }
    if let Some(h) = hits.iter().find(|h| matches!(h.term, Term::Ingredient(_))) {
        if let Term::Ingredient(ingredient) = &h.term {
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

fn places(tokens: &[Token], folded: &str) -> Vec<Place> {
    let mut out = Vec::new();
    let mut push = |p: Place| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    let us_upper = cues::list("places", "us_upper");
    for (i, t) in tokens.iter().enumerate() {
        let at = |key: &str| {
            cues::list("places", key)
                .iter()
                .find(|c| cue_at(tokens, i, c))
        };
        if us_upper.iter().any(|u| *u == t.raw) {
            push(Place::Known(if t.raw == "UE" {
                Jurisdiction::Eu
            } else {
                Jurisdiction::Us
            }));
        } else if at("us").is_some() {
            push(Place::Known(Jurisdiction::Us));
        } else if at("eu").is_some() {
            push(Place::Known(Jurisdiction::Eu));
        } else if let Some(name) = at("other") {
            let words: Vec<&str> = tokens[i..i + name.split(' ').count()]
                .iter()
                .map(|t| t.raw.as_str())
                .collect();
            push(Place::Other(words.join(" ")));
        }
    }
    for (key, place) in [
        ("us_zh", Some(Jurisdiction::Us)),
        ("eu_zh", Some(Jurisdiction::Eu)),
        ("other_zh", None),
    ] {
        for z in cues::list("places", key)
            .iter()
            .filter(|z| folded.contains(z.as_str()))
        {
            push(place.map_or_else(|| Place::Other(z.clone()), Place::Known));
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
        if let Some(n) = number(w) {
            if matches!(
                next,
                Some("year" | "years" | "yr" | "yrs" | "y" | "yo" | "ano" | "anos" | "岁")
            ) {
                return Some(n);
            }
        }
        if matches!(w, "aged" | "age" | "edad") {
            if let Some(n) = next.and_then(number) {
                return Some(n);
            }
            if next == Some("of") {
                if let Some(n) = tokens.get(i + 2).and_then(|t| number(&t.norm)) {
                    return Some(n);
                }
            }
        }
        // "de 80 años" handled above; "tiene 80" / "tengo 80"
        if matches!(w, "tiene" | "tengo") {
            if let Some(n) = next.and_then(number) {
                if matches!(
                    tokens.get(i + 2).map(|t| t.norm.as_str()),
                    Some("ano" | "anos")
                ) {
                    return Some(n);
                }
            }
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

fn patient(tokens: &[Token], folded: &str) -> Patient {
    let has = |key: &str| patient_cue(tokens, folded, key);
    let mut p = Patient {
        age: age(tokens),
        ..Patient::default()
    };
    p.adolescent = has("adolescent") && p.age.is_none();
    p.child = has("child") && p.age.is_none() && !p.adolescent;
    p.elderly = has("elderly") && p.age.is_none();
    p.pregnant = has("pregnant");
    p.breastfeeding = has("breastfeeding");
    p.allergy = has("allergy");
    p.immunosuppressed = has("immunosuppressed");
    p.smoker = has("smoker");
    p.vte_history = has("vte");
    p.cardiovascular_history = has("cardiovascular");
    p.cancer_history = has("cancer");
    p.renal = renal(tokens);
    p.recurrent_infections = has("infections");
    p.bsa = bsa(tokens);
    p.broken_skin = has("broken_skin");
    for (site, key) in [
        (Site::Eyelids, "site_eyelids"),
        (Site::Eyes, "site_eyes"),
        (Site::Face, "site_face"),
        (Site::Mouth, "site_mouth"),
        (Site::Mucosa, "site_mucosa"),
        (Site::Scalp, "site_scalp"),
        (Site::Hands, "site_hands"),
    ] {
        if has(key) {
            p.sites.push(site);
        }
    }
    p.severity = severity(tokens);
    p
}

fn renal(tokens: &[Token]) -> Option<RenalGrade> {
    if !affirms(tokens, cues::list("patient", "renal")) {
        return None;
    }
    let grade = if mentions(tokens, cues::list("patient", "renal_severe")) {
        RenalGrade::Severe
    } else if mentions(tokens, cues::list("patient", "renal_moderate")) {
        RenalGrade::Moderate
    } else if mentions(tokens, cues::list("patient", "renal_mild")) {
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
    if raw.chars().any(crate::text::is_cjk) {
        return Language::Zh;
    }
    let count = |key: &str| {
        tokens
            .iter()
            .filter(|t| cues::list("language", key).iter().any(|w| *w == t.norm))
            .count()
    };
    let es = count("es")
        + if raw.contains('¿') || raw.contains('ñ') {
            2
        } else {
            0
        };
    if es > count("en") {
        Language::Es
    } else {
        Language::En
    }
}

fn intents(tokens: &[Token], folded: &str, has_medicine: bool, has_condition: bool) -> Vec<Intent> {
    let asks = |key: &str| {
        mentions(tokens, cues::list("intents", key))
            || cues::list("intents", &format!("{key}_zh"))
                .iter()
                .any(|z| folded.contains(z.as_str()))
    };
    let mechanism = (asks("mechanism_how")
        && asks("mechanism_work")
        && !mentions(tokens, &["how well".to_string()]))
        || asks("mechanism");
    let mut out = Vec::new();
    for (intent, yes) in [
        (Intent::Mechanism, mechanism),
        (Intent::Efficacy, asks("efficacy") && !mechanism),
        (Intent::Dose, asks("dose")),
        (Intent::SideEffects, asks("side_effects")),
        (Intent::Contraindications, asks("contraindications")),
        (Intent::Screening, asks("screening")),
        (Intent::Vaccines, asks("vaccines")),
        (Intent::Evidence, asks("evidence")),
        (
            Intent::Options,
            !has_medicine && has_condition && (asks("options") || tokens.len() <= 3),
        ),
        (Intent::Dates, asks("dates") && asks("dates_anchor")),
        (Intent::Approval, asks("approval")),
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
