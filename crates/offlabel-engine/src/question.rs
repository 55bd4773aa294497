//! Understanding a question: medicine, condition, jurisdiction, patient, intent, language.

use crate::cues::{self, Hits, ListId, cue};
use crate::lexicon::{Hit, Lexicon, Term};
use crate::outside::VocabularyIndex;
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
    /// Cost, insurance and how to obtain it.
    Access,
    /// Interactions with other medicines.
    Interactions,
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

/// A finding about the patient that the parser read, with its context (ConText, the
/// `offlabel-context` crate), so a reader sees why a flag did or did not fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    /// Which patient cue list it belongs to ("pregnant", "smoker", "vte", "site_face"...).
    pub kind: String,
    /// The words as written.
    pub text: String,
    /// Denied ("not pregnant", "nothing on my face", "never smoked").
    pub negated: bool,
    /// About someone other than the patient ("my husband smokes").
    pub other_person: bool,
    /// A relative's finding, kept as family history ("my mother had breast cancer").
    pub family_history: bool,
    /// In the past ("had a PE in 2019", "quit in 2020"); past clots, cancers and
    /// smoking still count.
    pub historical: bool,
    /// Only possible or asked about ("if I get pregnant"); still counts, to be safe.
    pub hypothetical: bool,
    /// Stated with doubt ("I might be pregnant"); still counts, to be safe.
    pub uncertain: bool,
    /// Named as something the medicine might cause, not the patient's own ("can it
    /// cause blood clots").
    pub asked_as_outcome: bool,
    /// Whether it counts for the patient (and so may fire a flag).
    pub counts: bool,
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
    /// The class a question named (by class id), e.g. "JAK inhibitors".
    pub class: Option<String>,
    /// Condition id.
    pub condition: Option<String>,
    /// Other conditions named that are neither the condition's subtype nor its parent
    /// ("Opzelura for psoriasis and eczema").
    pub other_conditions: Vec<String>,
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
    /// Every patient finding read, with its context.
    pub findings: Vec<Finding>,
}

/// Whether a cue at token `i` is negated: by "not", "no", "never", "without"... up to
/// three words before it, or by "no history of", "denies"... anywhere earlier in the
/// same clause ("no history of cancer or heart disease" negates both), unless a "but"
/// stands between.
fn negated(tokens: &[Token], hits: &Hits, i: usize) -> bool {
    let Some(at) = tokens.get(i) else {
        return false;
    };
    let no_contrast_between = |from: usize, to: usize| {
        !hits
            .positions(cue!("patient", "contrast"))
            .any(|j| from < j && j < to)
    };
    // "not pregnant", "without a blood clot": up to three words before, same clause.
    let near = hits
        .positions(cue!("patient", "negation"))
        .any(|k| k < i && k + 3 >= i && tokens[k].clause == at.clause && no_contrast_between(k, i));
    // "face spared", "cara no afectada": up to three words after, same clause.
    let after = hits
        .positions(cue!("patient", "negation_after"))
        .any(|k| k > i && k <= i + 3 && tokens[k].clause == at.clause && no_contrast_between(i, k));
    // "no history of DVT, cancer or stroke": to the end of the sentence.
    let history = hits
        .positions(cue!("patient", "history_negation"))
        .any(|k| k < i && tokens[k].sentence == at.sentence && no_contrast_between(k, i));
    near || after || history
}

/// Whether a cue at token `i` names something the medicine might cause rather than
/// the patient's history: "can Rinvoq cause a heart attack", "is it linked to cancer",
/// "¿provoca trombosis?" (an outcome word up to four words before, same clause).
fn outcome_asked(tokens: &[Token], hits: &Hits, i: usize) -> bool {
    let Some(at) = tokens.get(i) else {
        return false;
    };
    hits.positions(cue!("patient", "outcome"))
        .any(|k| k < i && k + 4 >= i && tokens[k].clause == at.clause)
}

/// Whether a cue at token `i` lies inside a phrase of the `exclude` list ("risk of
/// blood clots" asks about the medicine), unless the phrase describes the patient's
/// own risk ("at high risk of blood clots", "increased risk of stroke").
fn excluded(hits: &Hits, exclude: ListId, i: usize) -> bool {
    hits.covering(exclude, i).any(|start| {
        start
            .checked_sub(1)
            .is_none_or(|k| hits.at(cue!("patient", "at_risk"), k).is_none())
    })
}

/// Whether a cue is affirmed, or, in Chinese text, one of its Chinese substrings
/// occurs. An occurrence counts unless it is negated, asked about as an outcome of
/// the medicine, inside a phrase of the `exclude` list ("risk of blood clots"), or
/// someone else's. Each occurrence is judged on its own (and recorded as a
/// [`Finding`]), so "I had a DVT; does it cause blood clots?" keeps the DVT.
fn affirmed(text: &Text<'_>, kind: &str, words: ListId, exclude: ListId, zh: &[String]) -> bool {
    affirmed_where(text, kind, words, exclude, zh, |_| true)
}

/// How many words a ConText negation may stand from the finding for the parser to
/// follow it, inside the same clause. ConText reaches further (clinical lists); a
/// wrong negation would drop a contraindication, a missed one only adds a warning.
const CONTEXT_NEGATION_REACH: usize = 6;

/// [`affirmed`], counting only the cue positions `keep` accepts.
fn affirmed_where(
    text: &Text<'_>,
    kind: &str,
    words: ListId,
    exclude: ListId,
    zh: &[String],
    keep: impl Fn(usize) -> bool,
) -> bool {
    let mut any = false;
    for i in text.hits.positions(words) {
        if !keep(i) {
            continue;
        }
        let finding = text.judge(kind, words, exclude, i);
        any |= finding.counts;
        text.record(finding);
    }
    any || text.zh(zh)
}

/// Parses a question against a pack's lexicon; conditions of the patient's history
/// are also read through the Disease Ontology layer (see [`history`]).
pub(crate) fn parse(
    pack: &Pack,
    lexicon: &Lexicon,
    vocabulary: &VocabularyIndex,
    text: &str,
) -> Question {
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
    let condition = resolve_condition(pack, &hits);
    let other_conditions = other_conditions(pack, &hits, condition.as_deref());
    let (medicine, medicine_words, route_assumed) =
        resolve_medicine(pack, &hits, route, condition.as_deref());
    let foreign_medicine = hits.iter().find_map(|h| match &h.term {
        Term::Foreign(name) => Some(name.clone()),
        _ => None,
    });
    let class = hits.iter().find_map(|h| match &h.term {
        Term::Class(id) => Some(id.clone()),
        _ => None,
    });
    let mut other_medicines: Vec<String> = Vec::new();
    for h in &hits {
        if let Term::Medicine(id) = &h.term
            && Some(id) != medicine.as_ref()
            && !other_medicines.contains(id)
        {
            other_medicines.push(id.clone());
        }
    }
    let cjk = text.chars().any(crate::text::is_cjk);
    let text = Text {
        tokens: &tokens,
        hits: &cue_hits,
        folded: &folded,
        cjk,
        raw: text,
        context: offlabel_context::Context::get().prepare(text),
        first_person: first_person(&tokens),
        findings: std::cell::RefCell::new(Vec::new()),
    };
    let places = places(&text);
    let mut patient = patient(&text);
    history(&text, vocabulary, &mut patient);
    // A disease of the mouth's lining puts a cream on mucosa ("oral lichen planus").
    let topical = medicine
        .as_deref()
        .and_then(|m| pack.medicine(m))
        .is_some_and(|m| m.route == Route::Topical);
    if topical
        && condition.as_deref().is_some_and(|c| {
            cues::cue_list!("patient", "mucosal_conditions")
                .iter()
                .any(|m| m == c)
        })
        && !patient.sites.contains(&Site::Mouth)
    {
        patient.sites.push(Site::Mouth);
    }
    let mut intents = intents(
        &text,
        medicine.is_some() || class.is_some(),
        condition.is_some(),
    );
    if condition.is_none() {
        within_disease_names(&text, vocabulary, &mut intents);
    }
    let findings = text.findings.take();
    Question {
        medicine,
        other_medicines,
        medicine_words,
        route_assumed,
        foreign_medicine,
        class,
        condition,
        other_conditions,
        places,
        patient,
        intents,
        language,
        corrections,
        findings,
    }
}

pub(crate) fn route_cues(lexicon: &Lexicon, tokens: &[Token]) -> Option<Route> {
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

pub(crate) fn resolve_medicine(
    pack: &Pack,
    hits: &[Hit],
    route: Option<Route>,
    condition: Option<&str>,
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
        // Without a route word, the form the pack has facts for in the condition asked
        // ("ruxolitinib for VEXAS" is the tablets); else the cream, usual in dermatology.
        // Either way the answer says the route was assumed.
        let chosen = match route {
            Some(r) => candidates.iter().copied().find(|m| m.route == r),
            None => condition
                .and_then(|c| {
                    let used: Vec<_> = candidates
                        .iter()
                        .copied()
                        .filter(|m| has_facts_in(pack, &m.id, c))
                        .collect();
                    (used.len() == 1).then(|| used[0])
                })
                .or_else(|| {
                    candidates
                        .iter()
                        .copied()
                        .find(|m| m.route == Route::Topical)
                }),
        }
        .or(candidates.first().copied());
        if let Some(m) = chosen {
            return (Some(m.id.clone()), Some(h.text.clone()), route.is_none());
        }
    }
    (None, None, false)
}

/// Whether the pack holds a study or authorisation of `medicine` in `condition`, a
/// subtype of it, or a condition it belongs to.
fn has_facts_in(pack: &Pack, medicine: &str, condition: &str) -> bool {
    let related = |c: &str| pack.is_within(c, condition) || pack.is_within(condition, c);
    pack.studies_of(medicine).any(|s| related(&s.condition))
        || pack
            .authorisations_of(medicine)
            .any(|a| a.condition.as_deref().is_some_and(related))
}

/// Conditions named besides `chosen` and unrelated to it (not its ancestor or subtype).
fn other_conditions(pack: &Pack, hits: &[Hit], chosen: Option<&str>) -> Vec<String> {
    let Some(chosen) = chosen else {
        return Vec::new();
    };
    let related = |id: &str| {
        pack.ancestors(chosen).iter().any(|a| a.id == id)
            || pack.ancestors(id).iter().any(|a| a.id == chosen)
    };
    let mut out: Vec<String> = Vec::new();
    for h in hits {
        if let Term::Condition(id) = &h.term
            && !related(id)
            && !out.contains(id)
        {
            out.push(id.clone());
        }
    }
    out
}

fn resolve_condition(pack: &Pack, hits: &[Hit]) -> Option<String> {
    let mut conditions: Vec<(&Hit, &str)> = hits
        .iter()
        .filter_map(|h| match &h.term {
            Term::Condition(id) => Some((h, id.as_str())),
            _ => None,
        })
        .collect();
    // A condition written out beats a two-letter abbreviation that may mean something else.
    if conditions.iter().any(|(h, _)| !h.abbreviation) {
        conditions.retain(|(h, _)| !h.abbreviation);
    }
    // Prefer the most specific condition named (a subtype over its parent); between
    // unrelated conditions, the one named first.
    let mut best: Option<(&Hit, &str)> = None;
    for (h, id) in conditions {
        best = match best {
            None => Some((h, id)),
            Some((bh, bid)) => {
                let is_descendant = pack.ancestors(id).iter().any(|a| a.id == bid) && id != bid;
                let is_ancestor = pack.ancestors(bid).iter().any(|a| a.id == id);
                if is_descendant || (!is_ancestor && h.start < bh.start) {
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
    /// The question as typed (finding spans point into it).
    raw: &'a str,
    /// The text matched once against the ConText lexicon.
    context: offlabel_context::Prepared,
    /// The writer speaks of themself ("I", "me", "my skin", "puedo"): then findings
    /// about a spouse, friend or relative are not the patient's. Without it the person
    /// named is the subject ("my wife is pregnant, can she use it?").
    first_person: bool,
    /// Findings judged so far.
    findings: std::cell::RefCell<Vec<Finding>>,
}

/// Whether the writer speaks of themself: a first-person word, or "my"/"mi" before
/// something that is not a person ("my skin", not "my husband" or "my 70-year-old mother").
fn first_person(tokens: &[Token]) -> bool {
    tokens
        .iter()
        .enumerate()
        .any(|(i, t)| match t.norm.as_str() {
            "i" | "i'm" | "im" | "i've" | "ive" | "i'd" | "me" | "myself" | "yo" | "puedo"
            | "tengo" | "estoy" | "soy" | "uso" | "tomo" | "aplico" => true,
            "my" | "mi" | "mis" => !tokens[i + 1..tokens.len().min(i + 5)]
                .iter()
                .any(|n| PERSON.contains(n.norm.as_str())),
            _ => false,
        })
}

impl Text<'_> {
    /// The engine token where a byte offset falls (the first token starting at or after it).
    fn token_at(&self, byte: usize) -> usize {
        self.tokens
            .iter()
            .position(|t| t.end > byte)
            .unwrap_or(self.tokens.len())
    }

    /// Judges the cue of list `words` at token `i`: the parser's own negation,
    /// outcome and exclusion rules, and the finding's ConText.
    fn judge(&self, kind: &str, words: ListId, exclude: ListId, i: usize) -> Finding {
        let len = self.hits.at(words, i).unwrap_or(1).max(1);
        self.judge_at(kind, exclude, i, len)
    }

    /// Judges the finding of `len` tokens from token `i`.
    fn judge_at(&self, kind: &str, exclude: ListId, i: usize, len: usize) -> Finding {
        let last = (i + len - 1).min(self.tokens.len().saturating_sub(1));
        let span = self.tokens[i].start..self.tokens[last].end;
        let a = self.context.assess(span.clone());
        let clause = self.tokens[i].clause;
        let near = |t: &offlabel_context::Trigger| {
            let k = self.token_at(t.span.start);
            k < self.tokens.len()
                && self.tokens[k].clause == clause
                && k.abs_diff(i) <= CONTEXT_NEGATION_REACH
        };
        let context_negated = a
            .triggers
            .iter()
            .any(|t| t.category == offlabel_context::Category::Negated && near(t));
        let negated = negated(self.tokens, self.hits, i) || context_negated;
        // "Family history of clots" is a relative's whatever the subject; "my mother
        // had cancer" only when the writer is the patient.
        let named_family = a.triggers.iter().any(|t| {
            t.category == offlabel_context::Category::Family
                && self.raw.get(t.span.clone()).is_some_and(|w| {
                    let w = crate::text::fold(w);
                    w.contains("famil") || w.contains("relative") || w == "fh" || w.contains("f/h")
                })
        });
        // "My mum had a clot and so did I": the writer shares the finding.
        let shared = {
            let sentence = self.tokens[i].sentence;
            let words: Vec<&str> = self.tokens[i..]
                .iter()
                .take_while(|t| t.sentence == sentence)
                .map(|t| t.norm.as_str())
                .collect();
            words.windows(3).any(|w| {
                matches!(
                    w,
                    ["so", "did" | "do" | "have" | "am" | "was", "i"]
                        | ["as", "did" | "do" | "have", "i"]
                        | ["i", "did" | "do" | "have" | "had", "too"]
                        | ["a", "mi", "tambien"]
                )
            }) || words
                .windows(2)
                .any(|w| matches!(w, ["me", "too"] | ["yo", "tambien"] | ["i", "too"]))
        };
        let relative_of_subject = self.relative_of_subject(&a);
        let other = a.experiencer == offlabel_context::Experiencer::Other
            && (self.first_person || named_family || relative_of_subject)
            && !shared;
        let family = a.family_history && (self.first_person || named_family || relative_of_subject);
        let outcome = outcome_asked(self.tokens, self.hits, i);
        let excluded = excluded(self.hits, exclude, i);
        Finding {
            kind: kind.to_string(),
            text: self.raw.get(span).unwrap_or_default().to_string(),
            negated,
            other_person: other,
            family_history: family,
            historical: a.temporality == offlabel_context::Temporality::Historical,
            hypothetical: a.temporality == offlabel_context::Temporality::Hypothetical,
            uncertain: a.uncertain,
            asked_as_outcome: outcome || excluded,
            counts: !negated && !other && !outcome && !excluded,
        }
    }

    /// Whether the person ConText says a finding belongs to is introduced by a
    /// third-person possessive ("her husband", "his mother") whose owner the question
    /// is about: the same possessive stands elsewhere before something not a person
    /// ("for her eczema", "his skin"). "Her husband had a heart attack, can he take
    /// it?" names no such owner, so the husband may be the patient and the finding
    /// counts.
    fn relative_of_subject(&self, a: &offlabel_context::Assessment) -> bool {
        let possessive = |w: &str| matches!(w, "her" | "his" | "their");
        let person_after = |k: usize| {
            self.tokens[k + 1..self.tokens.len().min(k + 4)]
                .iter()
                .any(|n| PERSON.contains(n.norm.as_str()))
        };
        a.triggers.iter().any(|t| {
            if !matches!(
                t.category,
                offlabel_context::Category::Other | offlabel_context::Category::Family
            ) {
                return false;
            }
            // The possessive opens the trigger ("her husband") or stands just before it.
            let k = self.token_at(t.span.start);
            let Some(owner) = [Some(k), k.checked_sub(1)]
                .into_iter()
                .flatten()
                .filter_map(|p| self.tokens.get(p))
                .map(|w| w.norm.as_str())
                .find(|w| possessive(w))
            else {
                return false;
            };
            self.tokens
                .iter()
                .enumerate()
                .any(|(j, w)| w.norm == owner && !person_after(j))
        })
    }

    /// Keeps a finding for `understood` (once per kind and words).
    fn record(&self, finding: Finding) {
        let mut all = self.findings.borrow_mut();
        if !all
            .iter()
            .any(|f| f.kind == finding.kind && f.text == finding.text && f == &finding)
        {
            all.push(finding);
        }
    }

    /// Whether a finding of `kind` is a relative's, kept as family history.
    fn family(&self, kind: &str) -> bool {
        self.findings
            .borrow()
            .iter()
            .any(|f| f.kind == kind && f.family_history && !f.negated && !f.asked_as_outcome)
    }

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
    let us_upper = cues::cue_list!("places", "us_upper");
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
        } else if let Some(code) = country_code(text.tokens, i) {
            push(code);
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

/// A two-letter country code after "in", "en" or "from" ("approved in NL").
fn country_code(tokens: &[Token], i: usize) -> Option<Place> {
    let after_in = i
        .checked_sub(1)
        .is_some_and(|k| matches!(tokens[k].norm.as_str(), "in" | "en" | "from"));
    if !after_in {
        return None;
    }
    let raw = tokens[i].raw.as_str();
    if cues::cue_list!("places", "eu_upper")
        .iter()
        .any(|c| c == raw)
    {
        Some(Place::Known(Jurisdiction::Eu))
    } else if cues::cue_list!("places", "other_upper")
        .iter()
        .any(|c| c == raw)
    {
        Some(Place::Other(raw.to_string()))
    } else {
        None
    }
}

/// A number written in digits or words at token `k` ("80", "ten", "seventy two",
/// "setenta y dos", "once"): its value and how many tokens it spans. Spanish words
/// count only where `spanish` is set (in "de once años"), as "once" is English too.
fn number_at(tokens: &[Token], k: usize, spanish: bool) -> Option<(u32, usize)> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const UNIDADES: [&str; 30] = [
        "cero",
        "uno",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "seis",
        "siete",
        "ocho",
        "nueve",
        "diez",
        "once",
        "doce",
        "trece",
        "catorce",
        "quince",
        "dieciseis",
        "diecisiete",
        "dieciocho",
        "diecinueve",
        "veinte",
        "veintiuno",
        "veintidos",
        "veintitres",
        "veinticuatro",
        "veinticinco",
        "veintiseis",
        "veintisiete",
        "veintiocho",
        "veintinueve",
    ];
    const DECENAS: [&str; 7] = [
        "treinta",
        "cuarenta",
        "cincuenta",
        "sesenta",
        "setenta",
        "ochenta",
        "noventa",
    ];
    let word = |k: usize| tokens.get(k).map(|t| t.norm.as_str());
    let w = word(k)?;
    if let Ok(n) = w.parse::<u32>() {
        return Some((n, 1));
    }
    let position = |list: &[&str], w: &str| list.iter().position(|x| *x == w);
    if let Some(u) = position(&UNITS, w) {
        return Some((u as u32, 1));
    }
    if let Some(t) = position(&TENS, w) {
        let tens = 20 + 10 * t as u32;
        return match word(k + 1).and_then(|n| position(&UNITS[1..10], n)) {
            Some(u) => Some((tens + u as u32 + 1, 2)),
            None => Some((tens, 1)),
        };
    }
    if !spanish {
        return None;
    }
    if let Some(u) = position(&UNIDADES, w) {
        return Some((u as u32, 1));
    }
    if let Some(t) = position(&DECENAS, w) {
        let tens = 30 + 10 * t as u32;
        return match (
            word(k + 1),
            word(k + 2).and_then(|n| position(&UNIDADES[1..10], n)),
        ) {
            (Some("y"), Some(u)) => Some((tens + u as u32 + 1, 3)),
            _ => Some((tens, 1)),
        };
    }
    None
}

/// An age given as a decade or a word for one: "in her 70s", "late seventies",
/// "octogenarian", "octogenaria".
fn decade_age(tokens: &[Token], i: usize) -> Option<u32> {
    let w = tokens[i].norm.as_str();
    let base = match w {
        "sexagenarian" | "sexagenario" | "sexagenaria" => 60,
        "septuagenarian" | "septuagenario" | "septuagenaria" => 70,
        "octogenarian" | "octogenario" | "octogenaria" => 80,
        "nonagenarian" | "nonagenario" | "nonagenaria" => 90,
        _ => {
            let decade = match w {
                "twenties" | "20s" => 20,
                "thirties" | "30s" => 30,
                "forties" | "40s" => 40,
                "fifties" | "50s" => 50,
                "sixties" | "60s" => 60,
                "seventies" | "70s" => 70,
                "eighties" | "80s" => 80,
                "nineties" | "90s" => 90,
                _ => return None,
            };
            // Only as a person's age: "in her 70s", "his late seventies".
            let before = |k: usize| i.checked_sub(k).map(|j| tokens[j].norm.as_str());
            let owner = |w: Option<&str>| {
                matches!(w, Some("her" | "his" | "my" | "their" | "your" | "the"))
            };
            let offset = match before(1) {
                Some("early") => 0,
                Some("mid") => 4,
                Some("late") => 7,
                _ => 0,
            };
            let owned =
                owner(before(1)) || (offset > 0 || before(1) == Some("early")) && owner(before(2));
            if !owned {
                return None;
            }
            return Some(decade + offset);
        }
    };
    Some(base)
}

/// Words for a person an age may follow ("my son is 15").
static PERSON: LazyLock<rustc_hash::FxHashSet<&'static str>> = LazyLock::new(|| {
    cues::cue_list!("patient", "person")
        .iter()
        .map(String::as_str)
        .collect()
});

/// An infant's or toddler's age given in months, weeks or days, in months (weeks and
/// days rounded down, at least 0): "18-month-old", "6 weeks old", "aged 10 months",
/// "un bebé de 18 meses", "my son is 9 months". A duration is not an age: "for 14
/// months", "after 6 weeks", "hace 3 meses" are skipped.
fn age_in_months(tokens: &[Token]) -> Option<u32> {
    let norm = |k: usize| tokens.get(k).map(|t| t.norm.as_str());
    let unit = |w: Option<&str>| -> Option<f64> {
        Some(match w? {
            "month" | "months" | "mo" | "mos" | "mes" | "meses" => 1.0,
            "week" | "weeks" | "wk" | "wks" | "semana" | "semanas" => 12.0 / 52.0,
            "day" | "days" | "dia" | "dias" => 12.0 / 365.0,
            _ => return None,
        })
    };
    for i in 0..tokens.len() {
        let Some((n, len)) = number_at(tokens, i, true) else {
            continue;
        };
        let Some(per) = unit(norm(i + len)) else {
            continue;
        };
        let after = norm(i + len + 1);
        let before = i.checked_sub(1).and_then(norm);
        let old = matches!(after, Some("old" | "de" | "edad"))
            && (after != Some("de") || norm(i + len + 2) == Some("edad"));
        // "aged 10 months", "my son is 9 months", "bebé de 18 meses", "un niño de 6 semanas".
        let aged = matches!(before, Some("aged" | "age"))
            // "my son, 14 months, has eczema"
            || before.is_some_and(|w| PERSON.contains(w))
            || (matches!(before, Some("is" | "es" | "tiene" | "turned"))
                && i >= 2
                && PERSON.contains(tokens[i - 2].norm.as_str()))
            || (before == Some("de")
                && i >= 2
                && (PERSON.contains(tokens[i - 2].norm.as_str())
                    || matches!(
                        tokens[i - 2].norm.as_str(),
                        "bebe" | "nino" | "nina" | "lactante"
                    )));
        if (old || aged) && n <= 60 {
            return Some((f64::from(n) * per).floor() as u32);
        }
    }
    None
}

/// Reads an age from "80 year old", "aged 80", "age 80", "80 años", "80 y/o", "80yo",
/// "I'm 66", "my son is 15", "my son, 16,", "a nine-year-old", "I am seventy-two",
/// "mi hijo de once años", "in her 70s" and "octogenarian". A duration is not an age:
/// "10 years ago", "for 5 years", "hace 3 años" are skipped.
fn age(tokens: &[Token]) -> Option<u32> {
    let norm = |k: usize| tokens.get(k).map(|t| t.norm.as_str());
    let is_years = |w: Option<&str>| {
        matches!(
            w,
            Some("year" | "years" | "yr" | "yrs" | "y" | "yo" | "ano" | "anos" | "岁")
        )
    };
    // Words that make "N years" a duration rather than an age.
    let duration_before = |k: usize| {
        k.checked_sub(1).and_then(norm).is_some_and(|w| {
            matches!(
                w,
                "for"
                    | "since"
                    | "after"
                    | "in"
                    | "within"
                    | "over"
                    | "past"
                    | "last"
                    | "every"
                    | "each"
                    | "hace"
                    | "durante"
                    | "desde"
                    | "cada"
                    | "en"
                    | "por"
            )
        })
    };
    let duration_after = |k: usize| match norm(k) {
        Some("ago" | "later" | "before" | "earlier" | "since" | "atras" | "despues") => true,
        // "10 years of eczema" is a duration; "80 years of age" is not.
        Some("of") => !matches!(norm(k + 1), Some("age" | "edad")),
        _ => false,
    };
    let plausible = |n: u32| n <= 130;
    // A bare number after "I'm", "is", a person word...: an age unless a unit follows.
    let bare_age = |k: usize| {
        // "one" is "I'm one of...", not an age.
        if matches!(norm(k), Some("one")) {
            return None;
        }
        let (n, len) = number_at(tokens, k, false)?;
        let unit_after = norm(k + len).is_some_and(|w| {
            matches!(
                w,
                "mg" | "g"
                    | "kg"
                    | "ml"
                    | "cm"
                    | "mm"
                    | "percent"
                    | "per"
                    | "times"
                    | "time"
                    | "x"
                    | "weeks"
                    | "week"
                    | "days"
                    | "day"
                    | "months"
                    | "month"
                    | "hours"
                    | "tablets"
                    | "pills"
                    | "lbs"
                    | "pounds"
                    | "of"
                    | "semanas"
                    | "meses"
                    | "dias"
                    | "veces"
                    | "por"
            )
        });
        (!unit_after && (1..=120).contains(&n) && !duration_after(k + len)).then_some(n)
    };
    for (i, t) in tokens.iter().enumerate() {
        let w = t.norm.as_str();
        // "80yo", "80y"
        if let Some(n) = w
            .strip_suffix("yo")
            .or_else(|| w.strip_suffix("yrs"))
            .or_else(|| w.strip_suffix("yr"))
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|n| plausible(*n))
        {
            return Some(n);
        }
        // "80 years old", "a nine year old", "once años", "setenta y dos años"
        if let Some((n, len)) = number_at(tokens, i, true)
            && plausible(n)
            && is_years(norm(i + len))
            && !duration_before(i)
            && !duration_after(i + len + 1)
        {
            return Some(n);
        }
        if let Some(n) = decade_age(tokens, i) {
            return Some(n);
        }
        let next = norm(i + 1);
        if matches!(w, "aged" | "age" | "edad") {
            let k = if next == Some("of") { i + 2 } else { i + 1 };
            if let Some((n, _)) = number_at(tokens, k, true).filter(|(n, _)| plausible(*n)) {
                return Some(n);
            }
        }
        // "I'm 66", "I am 70"
        if (matches!(w, "i'm" | "im") || (w == "am" && i > 0 && norm(i - 1) == Some("i")))
            && let Some(n) = bare_age(i + 1)
        {
            return Some(n);
        }
        // "my son is 15", "grandmother is 82", "my son, 16, has", "patient 70"
        if PERSON.contains(w) {
            let k = if matches!(
                next,
                Some("is" | "was" | "es" | "tiene" | "turned" | "turns")
            ) {
                i + 2
            } else {
                i + 1
            };
            if let Some(n) = bare_age(k) {
                return Some(n);
            }
        }
    }
    None
}

fn bsa(tokens: &[Token]) -> Option<f64> {
    bsa_number(tokens).or_else(|| bsa_words(tokens))
}

/// Words after "whole body" / "total" that make it an outcome, not a share of the
/// body: "whole-body repigmentation", "how many people get total clearance".
const OUTCOME_WORDS: [&str; 12] = [
    "repigmentation",
    "repigmented",
    "repigment",
    "repigmentacion",
    "clearance",
    "response",
    "improvement",
    "remission",
    "respuesta",
    "mejoria",
    "regrowth",
    "recovery",
];

/// A share of the body in words: "half my body" (50), "a quarter of the skin" (25),
/// "a fifth of the body" (20), "two thirds of my skin" (67), "the whole body" / "todo
/// el cuerpo" (100, unless it names an outcome: "whole-body repigmentation").
fn bsa_words(tokens: &[Token]) -> Option<f64> {
    let body = |k: usize| {
        tokens[k.min(tokens.len())..tokens.len().min(k + 4)]
            .iter()
            .any(|t| matches!(t.norm.as_str(), "body" | "skin" | "cuerpo" | "piel"))
    };
    let outcome_after = |k: usize| {
        tokens[k.min(tokens.len())..tokens.len().min(k + 5)]
            .iter()
            .any(|t| OUTCOME_WORDS.contains(&t.norm.as_str()) || t.norm.starts_with("repigment"))
    };
    let norm = |k: usize| tokens.get(k).map(|t| t.norm.as_str());
    tokens.iter().enumerate().find_map(|(i, t)| {
        let before = i.checked_sub(1).and_then(norm);
        let many = match before {
            Some("two" | "dos") => 2.0,
            Some("three" | "tres") => 3.0,
            _ => 1.0,
        };
        let share = match t.norm.as_str() {
            "whole" | "entire" | "todo" | "toda" => {
                if outcome_after(i + 1) {
                    return None;
                }
                100.0
            }
            "half" | "mitad" => 50.0,
            "third" | "thirds" | "tercio" | "tercios" => (100.0 * many / 3.0_f64).round(),
            "quarter" | "quarters" | "cuarta" => 25.0 * many,
            "fifth" | "fifths" | "quinta" | "quinto" => 20.0 * many,
            "tenth" | "tenths" | "decima" | "decimo" => 10.0 * many,
            _ => return None,
        };
        body(i + 1).then_some(share)
    })
}

fn bsa_number(tokens: &[Token]) -> Option<f64> {
    for (i, t) in tokens.iter().enumerate() {
        // "15%", or "15 percent" / "15 per cent" / "15 por ciento".
        // The number in digits, or in words ("twenty percent", "veinte por ciento").
        let (value, len) = match t.norm.strip_suffix('%') {
            Some(num) => match num.parse::<f64>() {
                Ok(v) => (v, 0),
                Err(_) => continue,
            },
            None => match t.norm.parse::<f64>() {
                Ok(v) => (v, 1),
                Err(_) => match number_at(tokens, i, true) {
                    Some((n, len)) => (f64::from(n), len),
                    None => continue,
                },
            },
        };
        let i = if len == 0 {
            i
        } else {
            let k = i + len;
            match tokens.get(k).map(|t| t.norm.as_str()) {
                Some("percent" | "pct" | "%") => k,
                Some("per" | "por")
                    if matches!(
                        tokens.get(k + 1).map(|t| t.norm.as_str()),
                        Some("cent" | "ciento")
                    ) =>
                {
                    k + 1
                }
                _ => continue,
            }
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

/// A clinical abbreviation of the `[shorthand]` list `kind` ("had a PE", "previous
/// MI"), written in its case and in its clinical sense, judged like any finding.
fn shorthand(text: &Text<'_>, kind: &'static str, exclude: ListId) -> bool {
    let list = cues::list("shorthand", kind);
    let before = cues::cue_list!("shorthand", "before");
    let not_after = cues::cue_list!("shorthand", "not_after");
    let mut any = false;
    for (i, t) in text.tokens.iter().enumerate() {
        if !list.contains(&t.raw) {
            continue;
        }
        let clinical_before = i.checked_sub(1).is_some_and(|k| {
            text.tokens[k].clause == t.clause && before.iter().any(|b| *b == text.tokens[k].norm)
        });
        let everyday_after = text
            .tokens
            .get(i + 1)
            .is_some_and(|n| n.clause == t.clause && not_after.contains(&n.norm));
        if !clinical_before || everyday_after {
            continue;
        }
        let finding = text.judge_at(kind, exclude, i, 1);
        any |= finding.counts;
        text.record(finding);
    }
    any
}

/// Reads a patient cue: `$name` affirmed, `${name}_exclude` absent, or `${name}_zh` in Chinese text.
macro_rules! patient_has {
    ($text:expr, $name:literal) => {
        affirmed(
            $text,
            $name,
            cue!("patient", $name),
            cue!("patient", concat!($name, "_exclude")),
            cues::cue_list!("patient", concat!($name, "_zh")),
        )
    };
}

fn patient(text: &Text<'_>) -> Patient {
    let tokens = text.tokens;
    let months = age_in_months(tokens);
    let mut p = Patient {
        age: months.map(|m| m / 12).or_else(|| age(tokens)),
        age_months: months,
        ..Patient::default()
    };
    p.adolescent = patient_has!(text, "adolescent") && p.age.is_none();
    p.child = patient_has!(text, "child") && p.age.is_none() && !p.adolescent;
    p.elderly = patient_has!(text, "elderly") && p.age.is_none();
    p.pregnant = patient_has!(text, "pregnant");
    p.breastfeeding = patient_has!(text, "breastfeeding");
    // A breastfeeding patient is the mother: "breastfeeding my baby" names her child.
    if p.breastfeeding && p.age.is_none() {
        p.child = false;
    }
    p.allergy = drug_allergy(text);
    p.immunosuppressed = patient_has!(text, "immunosuppressed")
        | shorthand(
            text,
            "immunosuppressed",
            cue!("patient", "immunosuppressed_exclude"),
        );
    p.smoker = patient_has!(text, "smoker");
    p.cyp2c9_poor_metabolizer = patient_has!(text, "cyp2c9");
    p.vte_history =
        patient_has!(text, "vte") | shorthand(text, "vte", cue!("patient", "vte_exclude"));
    p.cardiovascular_history = patient_has!(text, "cardiovascular")
        | shorthand(
            text,
            "cardiovascular",
            cue!("patient", "cardiovascular_exclude"),
        );
    p.cancer_history =
        patient_has!(text, "cancer") | shorthand(text, "cancer", cue!("patient", "cancer_exclude"));
    p.renal = renal(text);
    p.recurrent_infections = patient_has!(text, "infections")
        | shorthand(text, "infections", cue!("patient", "infections_exclude"));
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
        (Site::Body, patient_has!(text, "site_body")),
    ] {
        if yes {
            p.sites.push(site);
        }
    }
    // "vitiligo without facial involvement", "no lesions on the face": the disease is
    // named off the face, which matters for authorisations limited to it.
    let face_denied = text
        .findings
        .borrow()
        .iter()
        .any(|f| f.kind == "site_face" && f.negated && !f.other_person);
    if face_denied
        && !p
            .sites
            .iter()
            .any(|s| matches!(s, Site::Face | Site::Eyelids | Site::Body))
    {
        p.sites.push(Site::Body);
    }
    p.severity = severity(tokens);
    p.family_vte = text.family("vte");
    p.family_cancer = text.family("cancer");
    p
}

/// The patient's history read through the Disease Ontology layer: every DO condition
/// named where a history cue occurs ("history of colon cancer", "had a PE") sets the
/// flags of its subtree (`[history]` in `cues.toml`), judged like any finding, so a
/// denied, a relative's or someone else's condition sets nothing. Without a history
/// cue the layer is not loaded.
/// Drops a side-effect or screening intent whose every cue word lies inside a disease's
/// name ("for deep vein thrombosis", "for hepatitis B"): the words name what the medicine
/// is asked for, not a harm or a test.
fn within_disease_names(text: &Text<'_>, vocabulary: &VocabularyIndex, intents: &mut Vec<Intent>) {
    let gated = [
        (Intent::SideEffects, cue!("intents", "side_effects")),
        (Intent::Screening, cue!("intents", "screening")),
    ];
    if !gated.iter().any(|(i, _)| intents.contains(i)) {
        return;
    }
    let Some((_, matcher)) = vocabulary.get() else {
        return;
    };
    let spans: Vec<(usize, usize)> = matcher
        .find(text.raw)
        .into_iter()
        .filter(|m| !m.negated)
        .map(|m| (m.start, m.end))
        .collect();
    if spans.is_empty() {
        return;
    }
    let inside = |i: usize| {
        text.tokens
            .get(i)
            .is_some_and(|t| spans.iter().any(|&(s, e)| t.start >= s && t.end <= e))
    };
    for (intent, list) in gated {
        if intents.contains(&intent) && text.hits.positions(list).all(inside) {
            intents.retain(|i| *i != intent);
        }
    }
}

fn history(text: &Text<'_>, vocabulary: &VocabularyIndex, patient: &mut Patient) {
    if !text.hits.any(cue!("history", "cues")) {
        return;
    }
    let Some((vocabulary, matcher)) = vocabulary.get() else {
        return;
    };
    for mention in matcher.find(text.raw) {
        let flags = crate::history_flags::flags_of(vocabulary, &mention.doid);
        if flags.is_empty() {
            continue;
        }
        let i = text.token_at(mention.start);
        if i >= text.tokens.len() {
            continue;
        }
        let len = text.tokens[i..]
            .iter()
            .take_while(|t| t.start < mention.end)
            .count()
            .max(1);
        for flag in flags {
            let exclude = cues::id("patient", crate::history_flags::exclude_list(flag));
            let mut finding = text.judge_at(flag.as_str(), exclude, i, len);
            finding.negated |= mention.negated;
            finding.counts &= !mention.negated;
            if finding.counts {
                crate::history_flags::set(patient, flag);
            }
            text.record(finding);
        }
    }
}

/// An allergy that may be to the medicine: stated, not denied, and not named as an
/// allergy to pollen, food, animals... ("allergic to pollen" rules nothing out).
fn drug_allergy(text: &Text<'_>) -> bool {
    let other = cue!("patient", "allergy_other");
    let named_other = |i: usize| {
        let clause = text.tokens[i].clause;
        (i + 1..text.tokens.len().min(i + 5))
            .take_while(|&k| text.tokens[k].clause == clause)
            .any(|k| text.hits.at(other, k).is_some())
    };
    affirmed_where(
        text,
        "allergy",
        cue!("patient", "allergy"),
        cue!("patient", "allergy_exclude"),
        cues::cue_list!("patient", "allergy_zh"),
        |i| !named_other(i),
    )
}

/// Kidney function stated as a number: "eGFR 40", "GFR of 25", "CrCl 55 ml/min".
fn renal_from_gfr(tokens: &[Token]) -> Option<RenalGrade> {
    tokens.iter().enumerate().find_map(|(i, t)| {
        if !matches!(t.norm.as_str(), "egfr" | "gfr" | "crcl" | "tfg" | "fge") {
            return None;
        }
        let value = tokens[i + 1..tokens.len().min(i + 4)]
            .iter()
            .find_map(|t| t.norm.parse::<f64>().ok())?;
        match value {
            v if v < 30.0 => Some(RenalGrade::Severe),
            v if v < 60.0 => Some(RenalGrade::Moderate),
            v if v < 90.0 => Some(RenalGrade::Mild),
            _ => None,
        }
    })
}

fn renal(text: &Text<'_>) -> Option<RenalGrade> {
    if let Some(grade) = renal_from_gfr(text.tokens) {
        return Some(grade);
    }
    if !(patient_has!(text, "renal") | shorthand(text, "renal", cue!("patient", "renal_exclude"))) {
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

/// The severity of the disease: every grade named counts, so "used to be mild, now
/// severe" spans mild to severe and no authorisation for one grade alone covers it.
fn severity(tokens: &[Token]) -> Option<Severity> {
    let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    let (mut mild, mut moderate, mut severe) = (false, false, false);
    // Severity words describing the kidneys or side effects do not grade the skin
    // disease; "not very severe" grades nothing.
    let near_kidney = |i: usize| {
        words[i + 1..words.len().min(i + 3)]
            .iter()
            .any(|w| matches!(*w, "kidney" | "renal" | "rinon" | "impairment"))
    };
    let denied = |i: usize| {
        words[i.saturating_sub(2)..i]
            .iter()
            .any(|w| matches!(*w, "not" | "no" | "isn't" | "never"))
    };
    for (i, w) in words.iter().enumerate() {
        if near_kidney(i) || denied(i) {
            continue;
        }
        match *w {
            "mild" | "leve" | "light" | "mildly" => mild = true,
            "moderate" | "moderada" | "moderado" | "moderately" => moderate = true,
            "severe" | "grave" | "severa" | "severo" | "serious" | "severely"
                if (i + 1 < words.len() || *w != "serious")
                    && !matches!(
                        words.get(i + 1).copied().unwrap_or(""),
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
                severe = true;
            }
            _ => {}
        }
    }
    Severity::spanning(mild, moderate, severe)
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
                    cues::cue_list!("intents", concat!($name, "_zh"))
                } else {
                    &[]
                })
        };
    }
    let tokens = text.tokens;
    let mechanism = (asks!("mechanism_how") && asks!("mechanism_work") && !asks!("mechanism_not"))
        || asks!("mechanism");
    let access = asks!("access");
    // "How much does it cost" asks no dose: beside a cost word, a dose cue inside
    // "how much does/is..." does not count ("how much do I apply" still does).
    let dose = if access {
        text.hits.positions(cue!("intents", "dose")).any(|i| {
            text.hits
                .covering(cue!("intents", "dose_not_with_cost"), i)
                .next()
                .is_none()
        })
    } else {
        asks!("dose")
    };
    // "When was it approved" asks a date; the year of an age ("a 15 year old") does not.
    let dates = text.hits.positions(cue!("intents", "dates")).any(|i| {
        text.hits
            .covering(cue!("intents", "dates_not"), i)
            .next()
            .is_none()
    }) || text.zh(if text.cjk {
        cues::cue_list!("intents", "dates_zh")
    } else {
        &[]
    });
    let mut out = Vec::new();
    for (intent, yes) in [
        (Intent::Mechanism, mechanism),
        (Intent::Efficacy, asks!("efficacy") && !mechanism),
        (Intent::Dose, dose),
        (Intent::SideEffects, asks!("side_effects")),
        (Intent::Contraindications, asks!("contraindications")),
        (Intent::Screening, asks!("screening")),
        (Intent::Vaccines, asks!("vaccines")),
        (Intent::Evidence, asks!("evidence")),
        (
            Intent::Options,
            !has_medicine && has_condition && (asks!("options") || tokens.len() <= 3),
        ),
        (Intent::Dates, dates && asks!("dates_anchor")),
        (Intent::Access, access),
        (Intent::Interactions, asks!("interactions")),
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
        let pack = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
        let lex = Lexicon::new(&pack);
        parse(&pack, &lex, &VocabularyIndex::default(), text)
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
    fn ages_and_durations() {
        let age = |t: &str| q(t).patient.age;
        assert_eq!(age("I'm 66 and have eczema"), Some(66));
        assert_eq!(age("I am 70, Cibinqo dose?"), Some(70));
        assert_eq!(age("My son is 15 and has eczema"), Some(15));
        assert_eq!(age("my daughter, 14, has vitiligo"), Some(14));
        assert_eq!(age("80 years of age"), Some(80));
        assert_eq!(age("I quit smoking 10 years ago"), None);
        assert_eq!(age("eczema for 5 years"), None);
        assert_eq!(age("hace 3 años tuve una trombosis"), None);
        assert_eq!(age("my son is 15 mg"), None);
        assert!(!q("¿Cuáles son las indicaciones de Rinvoq?").patient.child);
        assert!(!q("My daughter has vitiligo").patient.child);
    }

    #[test]
    fn ages_in_words_and_decades() {
        let age = |t: &str| q(t).patient.age;
        assert_eq!(age("a nine-year-old with eczema"), Some(9));
        assert_eq!(age("I am seventy-two"), Some(72));
        assert_eq!(age("mi hijo de once años"), Some(11));
        assert_eq!(age("paciente de setenta y dos años"), Some(72));
        assert_eq!(age("a woman in her late 70s"), Some(77));
        assert_eq!(age("an octogenarian"), Some(80));
        assert_eq!(age("I'm one of many patients"), None);
        assert_eq!(age("once a day for 70s music fans"), None);
    }

    #[test]
    fn every_severity_named_counts() {
        assert_eq!(
            q("used to be mild but is now severe").patient.severity,
            Some(Severity::MildToSevere)
        );
        assert_eq!(q("not very severe eczema").patient.severity, None);
        assert_eq!(
            q("my AD is severe").patient.severity,
            Some(Severity::Severe)
        );
    }

    #[test]
    fn cost_questions_ask_no_dose() {
        let i = q("How much does Opzelura cost?").intents;
        assert!(i.contains(&Intent::Access) && !i.contains(&Intent::Dose));
        let i = q("How much does Opzelura cost and how much do I apply?").intents;
        assert!(i.contains(&Intent::Access) && i.contains(&Intent::Dose));
        let i = q("How much Opzelura can I apply?").intents;
        assert!(!i.contains(&Intent::Access) && i.contains(&Intent::Dose));
        let i = q("¿Cuánto cuesta Cibinqo?").intents;
        assert!(i.contains(&Intent::Access) && !i.contains(&Intent::Dose));
    }

    #[test]
    fn an_age_is_no_date_asked() {
        let i = q("Is Olumiant licensed for alopecia areata in a 15 year old?").intents;
        assert!(!i.contains(&Intent::Dates));
        let i = q("When was Olumiant approved for alopecia areata?").intents;
        assert!(i.contains(&Intent::Dates));
    }

    #[test]
    fn cue_words_inside_a_disease_name_ask_nothing() {
        // "hepatitis" asks for a test and "thrombosis" for a harm, but not as the disease.
        let i = q("Vemlidy for chronic hepatitis B").intents;
        assert!(!i.contains(&Intent::Screening));
        let i = q("Eliquis for deep vein thrombosis").intents;
        assert!(!i.contains(&Intent::SideEffects));
        let i = q("Can Rinvoq cause shingles?").intents;
        assert!(i.contains(&Intent::SideEffects));
    }

    #[test]
    fn effects_asked_about_are_not_the_patients_history() {
        let p = q("Can Rinvoq cause a heart attack?").patient;
        assert!(!p.cardiovascular_history);
        let p = q("Is abrocitinib linked to cancer?").patient;
        assert!(!p.cancer_history);
        let p = q("¿Olumiant provoca trombosis?").patient;
        assert!(!p.vte_history);
        let p = q("Does Rinvoq increase the risk of blood clots?").patient;
        assert!(!p.vte_history);
        // Each occurrence on its own: the history stated elsewhere stays.
        let p = q("I had a DVT last year; does Olumiant cause blood clots?").patient;
        assert!(p.vte_history);
        let p = q("Can Rinvoq cause a heart attack in someone who had a stroke?").patient;
        assert!(p.cardiovascular_history);
        // The patient's own risk is history again.
        let p = q("She is at high risk of blood clots, Olumiant?").patient;
        assert!(p.vte_history);
        let p = q("increased risk of stroke, Rinvoq for eczema?").patient;
        assert!(p.cardiovascular_history);
    }

    #[test]
    fn history_by_disease_ontology_subtree() {
        // No cue word names these: the DO layer's subtrees do.
        let p = q("history of glioblastoma, can I take baricitinib for alopecia areata?").patient;
        assert!(p.cancer_history);
        let p = q("I have had tuberculosis; is upadacitinib safe?").patient;
        assert!(p.recurrent_infections);
        let p = q("previous cerebral venous sinus thrombosis, tofacitinib for alopecia?").patient;
        assert!(p.vte_history && !p.cardiovascular_history);
        let p = q("history of lupus nephritis, baricitinib for alopecia areata").patient;
        assert!(p.renal.is_some());
        // Denied, a relative's or someone else's: nothing.
        let p = q("no history of glioblastoma; baricitinib for alopecia areata?").patient;
        assert!(!p.cancer_history);
        let p = q("my father had endocarditis; can I use Rinvoq?").patient;
        assert!(!p.cardiovascular_history);
        // Kidney stones do not impair the kidneys.
        let p = q("history of kidney stones, baricitinib for alopecia areata").patient;
        assert!(p.renal.is_none());
    }

    #[test]
    fn negation_reaches_the_end_of_its_clause() {
        let p = q("No history of cancer or heart disease, baricitinib for AA").patient;
        assert!(!p.cancer_history && !p.cardiovascular_history);
        let p = q("Denies blood clots; she smokes").patient;
        assert!(!p.vte_history && p.smoker);
        let p = q("not pregnant but breastfeeding").patient;
        assert!(!p.pregnant && p.breastfeeding);
    }

    #[test]
    fn abbreviations_need_a_clinical_context() {
        assert_eq!(
            q("baricitinib for AA").condition.as_deref(),
            Some("alopecia-areata")
        );
        assert_eq!(
            q("HS patients on upadacitinib").condition.as_deref(),
            Some("hidradenitis-suppurativa")
        );
        assert_eq!(
            q("I go to AA meetings, can I take baricitinib?").condition,
            None
        );
        assert_eq!(q("Send me a DM about Cibinqo").condition, None);
        assert_eq!(
            q("Is Olumiant approved in NL?").places,
            [Place::Known(Jurisdiction::Eu)]
        );
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
    fn findings_pass_through_context() {
        // Someone else's finding is not the patient's when the writer speaks of themself.
        let p = q("my husband smokes, I never have; Olumiant for alopecia areata?").patient;
        assert!(!p.smoker);
        let p = q("My wife is pregnant, is it OK for me to keep using Opzelura?").patient;
        assert!(!p.pregnant);
        // ...and is the patient's when that person is the subject.
        let p = q("My wife is pregnant, can she use Opzelura?").patient;
        assert!(p.pregnant);
        // A family history is kept as such.
        let p = q("family history of blood clots, can I take Olumiant?").patient;
        assert!(!p.vte_history && p.family_vte);
        let p = q("Her husband has lymphoma; is Rinvoq ok for her eczema?").patient;
        assert!(!p.cancer_history);
        let p = q("Her husband had a heart attack, can he take Olumiant?").patient;
        assert!(p.cardiovascular_history, "the husband may be the patient");
        let p = q("my mother had breast cancer; is Rinvoq safe for me?").patient;
        assert!(!p.cancer_history && p.family_cancer);
        // Negation words the parser's own list lacks.
        let p = q("vitiligo only on my knees and elbows, nothing on my face").patient;
        assert_eq!(p.sites, [Site::Body]);
        // A breastfeeding mother is not a child.
        let p = q("I am breastfeeding my baby, can I use Opzelura?").patient;
        assert!(p.breastfeeding && !p.child);
        // The findings are listed with their context.
        let f = q("my husband smokes and I had a DVT in 2019").findings;
        assert!(
            f.iter()
                .any(|f| f.kind == "smoker" && f.other_person && !f.counts)
        );
        assert!(
            f.iter()
                .any(|f| f.kind == "vte" && f.historical && f.counts)
        );
    }

    #[test]
    fn the_writer_may_share_a_relatives_finding() {
        let p = q("my mum had a clot and so did I, Olumiant?").patient;
        assert!(p.vte_history);
        let p = q("My son, 14 months, has eczema").patient;
        assert_eq!(p.age_months, Some(14));
    }

    #[test]
    fn shorthand_only_in_its_clinical_sense() {
        assert!(q("had a PE after knee surgery").patient.vte_history);
        assert!(q("previous MI, Rinvoq?").patient.cardiovascular_history);
        assert!(q("Tuve una TVP hace dos años").patient.vte_history);
        assert!(q("I keep getting UTIs").patient.recurrent_infections);
        assert!(!q("my PE teacher asked about Opzelura").patient.vte_history);
        assert!(
            !q("Do I need a TB test before Olumiant?")
                .patient
                .recurrent_infections
        );
        assert!(!q("I never had a PE").patient.vte_history);
    }

    #[test]
    fn ages_in_months_weeks_and_days() {
        let p = q("our 18-month-old has eczema").patient;
        assert_eq!((p.age, p.age_months), (Some(1), Some(18)));
        let p = q("my baby is 6 weeks old").patient;
        assert_eq!((p.age, p.age_months), (Some(0), Some(1)));
        assert_eq!(
            q("bebé de 10 meses con eccema").patient.age_months,
            Some(10)
        );
        assert_eq!(q("should I keep going after 14 months?").patient.age, None);
        assert_eq!(q("eczema for 6 weeks").patient.age_months, None);
    }

    #[test]
    fn body_share_in_words() {
        let bsa = |t: &str| q(t).patient.bsa;
        assert_eq!(bsa("twenty percent of my skin"), Some(20.0));
        assert_eq!(bsa("a fifth of the body"), Some(20.0));
        assert_eq!(bsa("half my body"), Some(50.0));
        assert_eq!(bsa("two thirds of my body"), Some(67.0));
        assert_eq!(bsa("el veinte por ciento del cuerpo"), Some(20.0));
        assert_eq!(bsa("how many people get whole-body repigmentation"), None);
        assert_eq!(bsa("it covers my whole body"), Some(100.0));
    }

    #[test]
    fn intents_as_kinds() {
        let has = |t: &str, i: Intent| q(t).intents.contains(&i);
        assert!(has(
            "should I keep going with Opzelura after 14 months?",
            Intent::Dose
        ));
        assert!(has("¿Debo seguir con Opzelura?", Intent::Dose));
        assert!(has("what strengths does Cibinqo come in", Intent::Dose));
        assert!(has(
            "will they check my cholesterol on Rinvoq",
            Intent::Screening
        ));
        assert!(has(
            "pre-treatment checklist for Olumiant",
            Intent::Screening
        ));
        assert!(has("which jabs can I have on Olumiant", Intent::Vaccines));
        assert!(has("does Opzelura get into the blood", Intent::SideEffects));
        assert!(has("¿Opzelura pasa a la sangre?", Intent::SideEffects));
        assert!(has("how many people respond to Opzelura", Intent::Efficacy));
        assert!(has(
            "¿cuántas personas responden a Opzelura?",
            Intent::Efficacy
        ));
        assert!(has(
            "what does the literature say about Olumiant",
            Intent::Evidence
        ));
        assert!(has(
            "how often are off-label requests approved",
            Intent::Access
        ));
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
