//! Understanding a question: medicine, condition, jurisdiction, patient, intent, language.

use crate::lexicon::{Hit, Lexicon, Term};
use crate::patient::{Patient, RenalGrade, Severity, Site};
use crate::text::{Token, tokenize};
use offlabel_model::{Jurisdiction, Route};
use offlabel_pack::Pack;
use serde::Serialize;

/// What the person wants to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

const EU_PLACES: &[&str] = &[
    "eu",
    "e.u",
    "europe",
    "european",
    "ema",
    "europa",
    "europeo",
    "europea",
    "ue",
    "austria",
    "belgium",
    "belgica",
    "bulgaria",
    "croatia",
    "croacia",
    "cyprus",
    "chipre",
    "czechia",
    "czech",
    "chequia",
    "denmark",
    "dinamarca",
    "estonia",
    "finland",
    "finlandia",
    "france",
    "francia",
    "germany",
    "alemania",
    "greece",
    "grecia",
    "hungary",
    "hungria",
    "ireland",
    "irlanda",
    "italy",
    "italia",
    "latvia",
    "letonia",
    "lithuania",
    "lituania",
    "luxembourg",
    "luxemburgo",
    "malta",
    "netherlands",
    "holland",
    "paises",
    "poland",
    "polonia",
    "portugal",
    "romania",
    "rumania",
    "slovakia",
    "eslovaquia",
    "slovenia",
    "eslovenia",
    "spain",
    "espana",
    "sweden",
    "suecia",
    "欧洲",
    "欧盟",
];
const US_PLACES: &[&str] = &[
    "us", "usa", "u.s", "fda", "america", "american", "eeuu", "ee.uu", "美国",
];
const OTHER_PLACES: &[&str] = &[
    "uk",
    "britain",
    "england",
    "scotland",
    "wales",
    "canada",
    "japan",
    "china",
    "australia",
    "india",
    "mexico",
    "brazil",
    "brasil",
    "switzerland",
    "suiza",
    "norway",
    "noruega",
    "argentina",
    "chile",
    "colombia",
    "peru",
    "korea",
    "turkey",
    "israel",
    "russia",
    "mhra",
    "pmda",
    "tga",
    "anvisa",
    "cofepris",
    "nmpa",
    "中国",
    "日本",
];

fn has_phrase(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| text.contains(p))
}

/// Whether a cue at token `i` is negated by a nearby "not", "no", "never", "without".
fn negated(tokens: &[Token], i: usize) -> bool {
    let from = i.saturating_sub(3);
    tokens[from..i].iter().any(|t| {
        matches!(
            t.norm.as_str(),
            "not"
                | "no"
                | "never"
                | "without"
                | "nor"
                | "sin"
                | "nunca"
                | "isn't"
                | "aren't"
                | "non"
        )
    })
}

/// Finds a cue word or phrase (normalised, space-joined) that is not negated.
fn cue(tokens: &[Token], cues: &[&str]) -> bool {
    for c in cues {
        let words: Vec<&str> = c.split(' ').collect();
        if words.len() > tokens.len() {
            continue;
        }
        for i in 0..=tokens.len() - words.len() {
            let matches = words.iter().enumerate().all(|(k, w)| {
                let t = tokens[i + k].norm.as_str();
                if let Some(prefix) = w.strip_suffix('*') {
                    t.starts_with(prefix)
                } else {
                    t == *w
                }
            });
            if matches && !negated(tokens, i) {
                return true;
            }
        }
    }
    false
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
    for (i, t) in tokens.iter().enumerate() {
        let w = t.norm.as_str();
        let next = tokens.get(i + 1).map(|t| t.norm.as_str());
        if (w == "us" && t.raw != "US" && t.raw != "U.S") || w == "ue" && t.raw != "UE" {
            // Lower-case "us" is the pronoun; "ue" in lower case is noise.
            continue;
        }
        if US_PLACES.contains(&w)
            || (w == "united" && next == Some("states"))
            || (w == "estados" && next == Some("unidos"))
        {
            push(Place::Known(Jurisdiction::Us));
        } else if EU_PLACES.contains(&w)
            || (w == "european" && next == Some("union"))
            || (w == "union" && next == Some("europea"))
        {
            if w == "paises" && next != Some("bajos") {
                continue;
            }
            push(Place::Known(Jurisdiction::Eu));
        } else if OTHER_PLACES.contains(&w)
            || (w == "united" && next == Some("kingdom"))
            || (w == "new" && next == Some("zealand"))
        {
            let name = if w == "united" {
                "United Kingdom".to_string()
            } else if w == "new" {
                "New Zealand".to_string()
            } else {
                t.raw.clone()
            };
            push(Place::Other(name));
        }
    }
    for cjk in ["美国", "欧洲", "欧盟", "中国", "日本"] {
        if folded.contains(cjk) {
            match cjk {
                "美国" => push(Place::Known(Jurisdiction::Us)),
                "欧洲" | "欧盟" => push(Place::Known(Jurisdiction::Eu)),
                other => push(Place::Other(other.to_string())),
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
    let mut p = Patient {
        age: age(tokens),
        ..Patient::default()
    };
    p.child = cue(
        tokens,
        &[
            "child",
            "children",
            "kid",
            "kids",
            "toddler",
            "baby",
            "infant",
            "boy",
            "girl",
            "nino",
            "nina",
            "ninos",
            "bebe",
            "paediatric",
            "pediatric",
            "son",
            "daughter",
        ],
    ) && p.age.is_none()
        && !cue(tokens, &["teen*", "adolescent*"]);
    p.adolescent = cue(
        tokens,
        &[
            "teen",
            "teens",
            "teenager",
            "teenage",
            "teenaged",
            "adolescent",
            "adolescents",
            "adolescente",
            "adolescentes",
        ],
    ) && p.age.is_none();
    p.elderly = cue(
        tokens,
        &[
            "elderly",
            "older adult",
            "older adults",
            "older patient",
            "older patients",
            "senior",
            "seniors",
            "geriatric",
            "anciano",
            "anciana",
            "mayor",
            "mayores",
        ],
    ) && p.age.is_none();
    p.pregnant = cue(
        tokens,
        &[
            "pregnan*",
            "expecting a baby",
            "embarazada",
            "embarazo",
            "gestante",
            "gestacion",
        ],
    ) || folded.contains("怀孕")
        || folded.contains("孕妇")
        || folded.contains("妊娠");
    p.breastfeeding = cue(
        tokens,
        &[
            "breastfeed*",
            "breast feeding",
            "breast-feeding",
            "nursing",
            "lactating",
            "lactation",
            "lactancia",
            "amamant*",
            "lactando",
            "dando pecho",
        ],
    ) || folded.contains("哺乳");
    p.allergy = cue(
        tokens,
        &[
            "allerg*",
            "hypersensitiv*",
            "alergi*",
            "alergico",
            "alergica",
        ],
    ) || folded.contains("过敏");
    p.immunosuppressed = cue(
        tokens,
        &[
            "immunosuppress*",
            "immunocompromised",
            "immune compromised",
            "weakened immune",
            "weak immune",
            "immunodeficien*",
            "transplant*",
            "inmunosuprim*",
            "inmunodeprim*",
            "trasplant*",
            "hiv positive",
            "on chemotherapy",
            "chemotherapy",
            "on ciclosporin",
            "on cyclosporine",
            "on methotrexate",
            "on azathioprine",
            "on tacrolimus",
            "on mycophenolate",
        ],
    ) || folded.contains("免疫抑制");
    p.smoker = cue(
        tokens,
        &[
            "smoker",
            "smokers",
            "smoke",
            "smokes",
            "smoking",
            "ex-smoker",
            "ex smoker",
            "former smoker",
            "fumador",
            "fumadora",
            "fuma",
            "fumar",
        ],
    ) || folded.contains("吸烟");
    p.vte_history = cue(
        tokens,
        &[
            "blood clot",
            "blood clots",
            "clot",
            "clots",
            "clotting",
            "thrombosis",
            "thromboembolism",
            "thromboembolic",
            "dvt",
            "pulmonary embolism",
            "embolism",
            "vte",
            "trombosis",
            "coagulo",
            "coagulos",
            "embolia",
            "tromboembolismo",
        ],
    );
    p.cardiovascular_history = cue(
        tokens,
        &[
            "heart attack",
            "heart disease",
            "heart failure",
            "heart problems",
            "heart condition",
            "cardiovascular",
            "cardiac",
            "myocardial",
            "infarction",
            "angina",
            "stroke",
            "strokes",
            "coronary",
            "infarto",
            "cardiaco",
            "cardiaca",
            "cardiovascular",
            "ictus",
            "cardiopatia",
        ],
    );
    p.cancer_history = cue(
        tokens,
        &[
            "cancer",
            "cancers",
            "malignan*",
            "tumour",
            "tumor",
            "tumours",
            "tumors",
            "lymphoma",
            "melanoma",
            "carcinoma",
            "leukemia",
            "leukaemia",
            "oncolog*",
            "neoplasia",
            "cancer de",
            "tumoral",
        ],
    ) && !cue(tokens, &["skin cancer check", "cancer risk"]);
    p.renal = renal(tokens);
    p.recurrent_infections = cue(
        tokens,
        &[
            "recurrent infection*",
            "chronic infection*",
            "frequent infection*",
            "repeated infection*",
            "infections often",
            "lots of infections",
            "many infections",
            "infecciones recurrentes",
            "infecciones cronicas",
            "infecciones frecuentes",
        ],
    );
    p.bsa = bsa(tokens);
    p.broken_skin = cue(
        tokens,
        &[
            "broken skin",
            "open wound",
            "open wounds",
            "wound",
            "wounds",
            "cracked skin",
            "infected skin",
            "skin infection",
            "raw skin",
            "bleeding skin",
            "piel rota",
            "herida",
            "heridas",
            "piel infectada",
            "erosion*",
            "ulcerated",
        ],
    );
    let mut sites = Vec::new();
    let mut site = |s: Site, cues: &[&str]| {
        if cue(tokens, cues) && !sites.contains(&s) {
            sites.push(s);
        }
    };
    site(Site::Eyelids, &["eyelid", "eyelids", "parpado", "parpados"]);
    site(
        Site::Eyes,
        &[
            "eye",
            "eyes",
            "ojo",
            "ojos",
            "near the eyes",
            "around the eyes",
        ],
    );
    site(Site::Face, &["face", "facial", "cara", "rostro"]);
    site(
        Site::Mouth,
        &[
            "mouth",
            "lips",
            "lip",
            "oral mucosa",
            "inside the mouth",
            "boca",
            "labios",
            "gums",
        ],
    );
    site(
        Site::Mucosa,
        &[
            "mucosa",
            "mucous",
            "mucosal",
            "genital",
            "genitals",
            "vagina",
            "vaginal",
            "mucosas",
            "genitales",
        ],
    );
    site(Site::Scalp, &["scalp", "cuero cabelludo"]);
    site(Site::Hands, &["hand", "hands", "manos"]);
    // "eye" inside "eyelid" questions: the eyelids are allowed; only the eye itself is mucosa.
    if sites.contains(&Site::Eyelids) && !cue(tokens, &["eye", "eyes", "ojo", "ojos"]) {
        sites.retain(|s| *s != Site::Eyes);
    }
    // "oral" as a route cue is not a site; only "mouth"-words make Site::Mouth.
    p.sites = sites;
    p.severity = severity(tokens);
    p
}

fn renal(tokens: &[Token]) -> Option<RenalGrade> {
    let kidney = cue(
        tokens,
        &[
            "kidney",
            "kidneys",
            "renal",
            "rinon",
            "rinones",
            "nephropathy",
            "dialysis",
            "dialisis",
            "ckd",
        ],
    );
    if !kidney {
        return None;
    }
    let grade = if cue(
        tokens,
        &[
            "severe",
            "severely",
            "grave",
            "severa",
            "end stage",
            "dialysis",
            "dialisis",
        ],
    ) {
        RenalGrade::Severe
    } else if cue(tokens, &["moderate", "moderately", "moderada"]) {
        RenalGrade::Moderate
    } else if cue(tokens, &["mild", "mildly", "leve"]) {
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
    const ES: &[&str] = &[
        "puedo",
        "para",
        "la",
        "el",
        "los",
        "las",
        "usar",
        "es",
        "esta",
        "cual",
        "cuales",
        "que",
        "como",
        "con",
        "dosis",
        "embarazada",
        "tengo",
        "tiene",
        "de",
        "del",
        "en",
        "una",
        "un",
        "aprobado",
        "aprobada",
        "se",
        "funciona",
        "efectos",
        "secundarios",
        "cuando",
        "por",
        "sirve",
        "tomar",
        "aplicar",
        "crema",
        "pastillas",
        "y",
        "mi",
        "hijo",
        "hija",
        "anos",
        "paciente",
        "europa",
        "espana",
        "contra",
        "hay",
        "estudios",
        "lactancia",
        "puede",
    ];
    const EN: &[&str] = &[
        "the", "is", "can", "for", "i", "use", "what", "how", "with", "of", "in", "a", "an", "to",
        "and", "my", "does", "do", "approved", "dose", "are", "it", "be", "if", "while", "been",
        "has", "have", "which",
    ];
    let es = tokens
        .iter()
        .filter(|t| ES.contains(&t.norm.as_str()))
        .count()
        + if raw.contains('¿') || raw.contains('ñ') {
            2
        } else {
            0
        };
    let en = tokens
        .iter()
        .filter(|t| EN.contains(&t.norm.as_str()))
        .count();
    if es > en { Language::Es } else { Language::En }
}

fn intents(tokens: &[Token], folded: &str, has_medicine: bool, has_condition: bool) -> Vec<Intent> {
    let mut out = Vec::new();
    let mut add = |i: Intent, yes: bool| {
        if yes && !out.contains(&i) {
            out.push(i);
        }
    };
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let joined = format!(" {} ", words.join(" "));
    let any = |phrases: &[&str]| {
        phrases.iter().any(|p| {
            joined.contains(&format!(" {p} "))
                || (p.ends_with('*')
                    && words.iter().any(|w| w.starts_with(p.trim_end_matches('*'))))
        })
    };

    let mechanism = any(&["how does", "how do"]) && any(&["work", "works"]) && !any(&["how well"])
        || any(&[
            "mechanism",
            "mechanism of action",
            "mode of action",
            "mecanismo",
            "como funciona",
            "como actua",
            "what does it block",
            "target",
            "targets",
            "inhibit",
            "inhibits",
            "jak1",
            "jak2",
            "selective",
        ])
        || folded.contains("作用机制");
    add(Intent::Mechanism, mechanism);
    add(
        Intent::Efficacy,
        any(&[
            "how well",
            "effective",
            "efficacy",
            "effectiveness",
            "work",
            "works",
            "results",
            "response",
            "respond",
            "success",
            "improve",
            "improvement",
            "eficacia",
            "eficaz",
            "funciona",
            "resultados",
            "repigmentation",
            "vasi",
            "f vasi75",
            "t vasi50",
            "better than",
        ]) && !mechanism
            || folded.contains("疗效"),
    );
    add(
        Intent::Dose,
        any(&[
            "dose",
            "doses",
            "dosage",
            "dosing",
            "how much",
            "how often",
            "how many times",
            "times a day",
            "per day",
            "apply",
            "applied",
            "application",
            "how long",
            "duration",
            "maximum",
            "max",
            "bsa",
            "body surface",
            "surface area",
            "mg",
            "strength",
            "dosis",
            "cuanto",
            "cada cuanto",
            "cuantas veces",
            "aplicar",
            "posology",
            "posologia",
            "frequency",
            "regimen",
            "stop",
            "when to stop",
        ]) || folded.contains("剂量")
            || folded.contains("用法"),
    );
    add(
        Intent::SideEffects,
        any(&[
            "side effect",
            "side effects",
            "adverse",
            "risk",
            "risks",
            "safe",
            "safety",
            "dangerous",
            "harm",
            "harmful",
            "toxicity",
            "zoster",
            "shingles",
            "herpes",
            "cancer risk",
            "blood clots",
            "thrombosis",
            "mace",
            "infection",
            "infections",
            "efectos secundarios",
            "efectos adversos",
            "riesgo",
            "riesgos",
            "seguro",
            "segura",
            "seguridad",
            "boxed warning",
            "black box",
            "warning",
            "incidence",
            "rate",
            "rates",
            "acne",
            "death",
            "deaths",
        ]) || folded.contains("副作用")
            || folded.contains("不良反应"),
    );
    add(
        Intent::Contraindications,
        any(&[
            "contraindication",
            "contraindications",
            "contraindicated",
            "who should not",
            "who cannot",
            "who can't",
            "should not use",
            "must not",
            "not suitable",
            "precaution",
            "precautions",
            "avoid",
            "contraindicaciones",
            "contraindicado",
            "quien no",
            "precauciones",
        ]) || folded.contains("禁忌"),
    );
    add(
        Intent::Screening,
        any(&[
            "test",
            "tests",
            "testing",
            "screen",
            "screening",
            "before starting",
            "before treatment",
            "before initiating",
            "baseline",
            "blood test",
            "blood tests",
            "blood work",
            "bloodwork",
            "lab",
            "labs",
            "laboratory",
            "monitor",
            "monitoring",
            "follow up",
            "follow-up",
            "check-ups",
            "checks",
            "x ray",
            "tuberculosis",
            "tb",
            "hepatitis",
            "pruebas",
            "analisis",
            "analiticas",
            "cribado",
            "seguimiento",
            "controles",
            "antes de empezar",
            "antes de iniciar",
            "monitorizacion",
        ]) || folded.contains("筛查")
            || folded.contains("监测"),
    );
    add(
        Intent::Vaccines,
        any(&[
            "vaccine",
            "vaccines",
            "vaccination",
            "vaccinations",
            "vaccinate",
            "immunisation",
            "immunization",
            "shingrix",
            "vacuna",
            "vacunas",
            "vacunacion",
        ]) || folded.contains("疫苗"),
    );
    add(
        Intent::Evidence,
        any(&[
            "evidence",
            "study",
            "studies",
            "trial",
            "trials",
            "data",
            "literature",
            "published",
            "case report",
            "case reports",
            "tried",
            "been used",
            "used for",
            "experience",
            "evidencia",
            "estudios",
            "ensayo",
            "ensayos",
            "datos",
            "publicaciones",
        ]) || folded.contains("证据")
            || folded.contains("研究"),
    );
    add(
        Intent::Options,
        !has_medicine
            && has_condition
            && (any(&[
                "which",
                "what",
                "options",
                "option",
                "alternatives",
                "treatments",
                "treatment",
                "tried",
                "drugs",
                "medicines",
                "medications",
                "jak",
                "que",
                "cuales",
                "opciones",
                "tratamientos",
                "tratamiento",
                "medicamentos",
                "farmacos",
            ]) || words.len() <= 3),
    );
    add(
        Intent::Dates,
        any(&[
            "when",
            "date",
            "since when",
            "what year",
            "which year",
            "year",
            "cuando",
            "fecha",
            "desde cuando",
            "que ano",
        ]) && any(&[
            "approved",
            "authorised",
            "authorized",
            "authorisation",
            "authorization",
            "approval",
            "licensed",
            "aprobado",
            "aprobada",
            "autorizado",
            "autorizada",
            "autorizacion",
            "aprobacion",
            "marketed",
            "available",
        ]),
    );
    add(
        Intent::Approval,
        any(&[
            "approved",
            "approval",
            "authorised",
            "authorized",
            "authorisation",
            "authorization",
            "licensed",
            "license",
            "licence",
            "indicated",
            "indication",
            "indications",
            "label",
            "off label",
            "off-label",
            "on label",
            "can i use",
            "can i take",
            "can i apply",
            "can i get",
            "can you use",
            "can we use",
            "can it be used",
            "can be used",
            "can it",
            "allowed",
            "legal",
            "prescribe",
            "prescribed",
            "use",
            "used",
            "take",
            "for",
            "puedo usar",
            "puedo tomar",
            "se puede",
            "aprobado",
            "aprobada",
            "autorizado",
            "autorizada",
            "indicado",
            "indicada",
            "fuera de ficha",
            "para",
            "usar",
            "treat",
            "treats",
            "treatment",
            "tratar",
        ]) || folded.contains("批准")
            || folded.contains("可以"),
    );
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
