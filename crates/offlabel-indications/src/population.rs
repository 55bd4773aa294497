//! Reading the population an indication clause states.
//!
//! The reader works on a lowercased copy of the clause. Each recogniser finds its phrases,
//! records them in the [`Population`] and blanks them out; what is left once the frame
//! ("X is indicated for the treatment of"), the condition phrase and plain function words are
//! removed is `unread`. Anything unread makes the reading not full: a consumer must then not
//! treat the population as known, so an unread restriction never widens it.

use offlabel_regulatory::{AgeGroup, Population, PriorTherapy, PriorTherapyKind, Severity};
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// What the reader made of one clause.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// The population read.
    pub population: Population,
    /// The words naming the condition (lowercased), for the condition matcher.
    pub condition_text: Option<String>,
    /// Phrases the reader did not interpret.
    pub unread: Vec<String>,
    /// True when nothing is unread and a condition phrase was found.
    pub fully_read: bool,
}

/// The working copy: lowercase text where consumed phrases are blanked with spaces.
struct Work {
    text: String,
    /// Where a list item starts after its lead (0 when the clause has no lead).
    item_start: usize,
}

impl Work {
    fn blank(&mut self, start: usize, end: usize) {
        let spaces = " ".repeat(end - start);
        self.text.replace_range(start..end, &spaces);
    }

    /// Runs `re` over the text, hands each match to `f`, and blanks it.
    fn take(&mut self, re: &Regex, mut f: impl FnMut(&Captures)) {
        let spans: Vec<(usize, usize)> = re
            .captures_iter(&self.text)
            .map(|c| {
                f(&c);
                c.get(0).map_or((0, 0), |m| (m.start(), m.end()))
            })
            .collect();
        for (s, e) in spans {
            self.blank(s, e);
        }
    }
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file, tested below: a bad one is a programming error.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant pattern")
}

macro_rules! pattern {
    ($name:ident, $p:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| re($p));
    };
}

pattern!(
    REFERENCE,
    r"\(?\s*(?:see|refer to)\s+(?:also\s+)?sections?\s+\d+(?:\.\d+)?(?:\s*(?:,|and|or)\s*\d+(?:\.\d+)?)*(?:\s+for [^)]*)?\)?|\(see section[^)]*\)|for further information[^.]*(?:section \d\.\d)?[^.]*|please refer to section \d+(?:\.\d+)?|\si\s|\((?:e\.g\.?|i\.e\.?|for example|such as)[^)]*\)"
);
pattern!(
    BOILERPLATE,
    r"(?:the use of [^.]{0,60}? should be (?:in accordance with|based on) official (?:recommendations|guidance)[^.]*|[^.;]{0,40}\bshould be used in accordance with official (?:recommendations|guidance)[^.]*|[^.;]{0,60}\bhas been shown to [^.]*|for study results with respect to [^.]*\.?)"
);
pattern!(
    AGE_RANGE,
    r"(?:aged\s+|from\s+)?(\d+)\s*(years?|months?|weeks?|days?)?\s*(?:-|to|–|through)\s*(less than\s+|under\s+|below\s+|<\s*)?(\d+)\s*(years?|months?)(?:\s+of age)?(?:\s+old)?"
);
pattern!(
    AGE_MIN,
    r"(?:(?:from|aged|at least|of|≥|>=)\s+(?:the age of\s+)?)?(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen)\s*(years?|months?|weeks?|days?)(?:\s+of\s+age)?(?:\s+old)?\s*(?:and|or)\s+(?:older|over|above)|(?:from|aged|at least|over|older than|above|≥|>=)\s+(?:the age of\s+)?(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen)\s*(years?|months?|weeks?|days?)(?:\s+of\s+age)?(?:\s+old)?|(?:from|aged) (?:the age of )?(\d+)(?:\s+of age)?\b"
);
pattern!(
    AGE_MAX,
    r"(?:below|under|less than|<|younger than|up to)\s+(\d+)\s*(years?|months?)(?:\s+of age)?(?:\s+old)?"
);
pattern!(FROM_BIRTH, r"\bfrom birth\b");
pattern!(
    AGE_GROUP,
    r"\b(adults?|adult patients|adolescents?|adolescent patients|children|child|paediatric|pediatric|infants?|neonates?|newborns?|toddlers|elderly|older adults|individuals|persons|subjects)\b(?:\s+(?:and\s+)?patients)?(?:\s+population)?"
);
pattern!(
    WEIGHT_MIN,
    r"(?:weighing|body ?weight(?: of)?|weight(?: of)?)\s*(?:at least|≥|>=|of at least|more than|greater than|>)?\s*(\d+(?:\.\d+)?)\s*kg(?:\s+(?:or|and) (?:more|above|over))?"
);
pattern!(
    SEVERITY,
    r"\b(mild|moderate|severe)(?:ly)?\b(?:\s*-?\s*to\s*-?\s*|\s*-\s*|\s+or\s+|,\s*)?(?:(mild|moderate|severe)(?:ly)?\b)?(?:\s*,?\s*(?:and\s+)?(active))?"
);
pattern!(ACTIVE, r"\bactive\b(?:\s+disease)?");
pattern!(
    MONO_IF,
    r"(?:[a-z]+ )?(?:can|may) be (?:given|used) (?:in combination with ([^.]*?) or )?as monotherapy (?:in case of|when|where|if)[^.]*(?:inappropriate|intoleran\w+|contraindicated|not tolerated)[^.]*"
);
pattern!(
    MONO_OR_COMBO,
    r"(?:[a-z]+ )?(?:may|can) be (?:used|given) (?:as monotherapy|alone) (?:or|and/or) in combination with ([^.;]+)"
);
pattern!(
    COMBO,
    r"(?:alone or |either alone or )?in combination with "
);
pattern!(
    COMBO_END,
    r",|\.|;|\(see|\s(?:is|are|for|in|as|where|when|who|to|at|and is)\s"
);
pattern!(MONO, r"\bas monotherapy\b|\bmonotherapy\b");
pattern!(
    ADD_ON,
    r"as (?:an )?add-on (?:maintenance )?(?:therapy |treatment )?to ([^,.;]+)|as (?:an )?add-on (?:therapy |treatment )?with ([^,.;]+?)(?: for|,|$)|as (?:an )?add-on\b|(?:as )?an adjunct to (diet and exercise|diet|[^,.;]+? therapy)(?: to improve glycaemic control)?|(?:as )?(?:an )?adjunct(?:ive)? (?:therapy|treatment)(?: to| in)?"
);
pattern!(
    EXCLUSION,
    r"(?:is |are )?not indicated (?:for|in) [^.;]*|with the exception of [^.;)]*\)?|excluding [^.;]*"
);
pattern!(
    CANDIDATE,
    r"(?:who are )?candidates for (?:systemic therapy|systemic treatment|phototherapy|systemic therapy or phototherapy)"
);
pattern!(
    INADEQUATE,
    r"(?:who|which)\s+(?:have|has|had)\s+(?:had\s+|shown\s+)?(?:failed to respond|responded inadequately|an inadequate response|inadequate response|an insufficient response|insufficient response|lost response|failed to respond|not responded|been intolerant|an intolerance|a contraindication)[^.;]*|(?:who|which)\s+(?:are|were)\s+(?:intolerant|inadequately controlled|not adequately controlled|not controlled)[^.;]*|(?:when|where) the response to [^.;]*? (?:has been |is |was )?inadequate|(?:with|after) (?:an )?inadequate response to [^.;]*|(?:who|which) (?:are|were) (?:resistant|refractory) to [^.;]*|(?:who are |which is )?(?:insufficiently|inadequately|not adequately) controlled (?:on|by|with) [^.;]*|(?:when|where|for whom) [^.;]*? (?:is|are) (?:considered )?(?:inappropriate|not appropriate|not tolerated|contraindicated|not suitable|unsuitable)(?: due to [^.;]*)?|(?:who are )?intolerant (?:to|of) [^.;,]*"
);
pattern!(
    AFTER_FAILURE,
    r"(?:who (?:have|has) (?:had )?(?:progressed|relapsed|disease progression)|(?:after|following) (?:failure of|progression on|progression|disease progression|prior|at least|one or more|two or more|treatment with|previous|standard))[^.;]*|(?:who have|with) (?:received|had) (?:at least )?(?:one|two|three|1|2|3) (?:or more )?(?:prior|previous|lines)[^.;]*"
);
pattern!(
    PREVIOUSLY,
    r"(?:who have|who has|whose disease has) (?:received|been (?:previously )?treated with|previously received|had prior)[^.;]*|previously treated with [^.;]*|\bpre-?treated\b"
);
pattern!(
    FIRST_LINE,
    r"\b(?:not previously treated(?: with [^.;,]*)?|newly diagnosed|treatment-na[iï]ve|previously untreated|first-line|front-line|first line)\b"
);
pattern!(
    QUALIFIER,
    r"\bwith (?:facial|scalp|nail|genital|palmoplantar|[a-z]+) involvement\b|\bnon-segmental\b|\b(?:hr|her2|egfr|alk|ros1|braf v600|braf|kras g12c|pd-l1|ret|ntrk|msi-h|dmmr|brca)(?:\s*\([a-z0-9]+\))?[- ]?(?:positive|negative|mutant|mutated|mutation-positive|fusion-positive|expressing)\b|\bwith objective signs of inflammation[^,]*(?:\([^)]*\))?[^,]*|\b(?:unresectable|metastatic|locally advanced|advanced|recurrent|relapsed|refractory|early|high-risk|at high risk of recurrence)\b|\b(?:postmenopausal |post-menopausal |premenopausal |pre-menopausal |pre- or perimenopausal |perimenopausal )?(?:women|men)\b|\bat (?:high |increased |low |moderate |low to moderate )?risk (?:of|for) [^,.;]*"
);
pattern!(
    PRE_CONDITION_QUALIFIER,
    r"\bat (?:high |increased |low |moderate |low to moderate )?risk (?:of|for) [^,.;]*|\b(?:insufficiently|inadequately|not adequately|poorly) controlled\b(?: (?:on|by|with) [^,.;]*)?|\buncontrolled\b"
);
pattern!(
    CONDITION_TAIL,
    r"\s(?:characterised by|characterized by|caused by|associated with|due to|despite|on a combination of|on treatment with|on|receiving|requiring|eligible for)\s"
);
pattern!(
    GLYCAEMIC,
    r"(?:when|where|in patients in whom|in whom|who) [^.;]*?(?:do|does|did) not provide adequate glycaemic control|(?:with )?(?:insufficient|inadequate) glycaemic control\b|(?:to |and )?(?:improve|achieve) glycaemic control\b"
);
pattern!(
    LATER_LINE,
    r"\b(?:second|third|second or third|second- or third|second and third|later)[- ]line\b|\b(?:who (?:have )?)?failed to respond to [^.;]*"
);
pattern!(
    REMISSION,
    r"\b(?:the )?(?:induction|maintenance)(?: and maintenance)? of (?:sustained |clinical )?(?:response and )?remission\b|\bin (?:antiretroviral )?combination therapy\b"
);
pattern!(
    FRAME,
    r"\b(?:is|are) (?:also |only )?indicated\b(?:\s+(?:for|in|as|to))?(?:\s+use\s+in)?|\b(?:for |in )?(?:the )?(?:first-line |adjuvant |neoadjuvant |symptomatic |long-term |short-term |maintenance |regular |supportive |routine |replacement |)?(?:treatment|prevention|prophylaxis|management|therapy|reduction|relief|control|reversal|induction|replacement treatment|immuni[sz]ation|vaccination)(?:\s+(?:of|in|against|for))?\b|\bactive immuni[sz]ation(?:\s+against)?\b|\bto improve glycaemic control\b"
);
pattern!(
    CONDITION_AFTER_FRAME,
    r"(?:(?:treatment|prevention|prophylaxis|management|therapy|reduction|relief|control|reversal|induction|immuni[sz]ation|vaccination) (?:of|in|against|for)|\bto prevent)\s+([^.;:]+)"
);
pattern!(
    PATIENTS_WITH,
    r"(?:\bpatients?|\b(?:adults?|children|adolescents)|\s{3})\s*(?:with|suffering from|infected with)\s+([^.;:]+)"
);
pattern!(
    CONDITION_STOP,
    r"\s+(?:in|who|whose|when|where|after|following|that|which|at|for whom|for|requiring|as|and in|receiving|undergoing|treated)\s+|\(see|$"
);

/// Words that, after a comma, start the patient description rather than continue a list of
/// conditions or qualifiers.
const COMMA_STOP: &[&str] = &[
    "who",
    "whose",
    "in",
    "when",
    "where",
    "after",
    "following",
    "that",
    "which",
    "including",
    "as",
    "with",
    "for",
    "particularly",
    "especially",
    "requiring",
    "not",
    "adults",
    "adult",
    "patients",
    "children",
    "adolescents",
    "aged",
    "alone",
    "either",
    "if",
    "but",
    "previously",
    "at",
    "to",
    "whether",
    "irrespective",
    "regardless",
    "e.g",
    "i.e",
    "such",
];

const STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "in",
    "with",
    "who",
    "whom",
    "patients",
    "patient",
    "for",
    "to",
    "as",
    "is",
    "are",
    "be",
    "by",
    "at",
    "on",
    "also",
    "both",
    "either",
    "whose",
    "that",
    "have",
    "has",
    "been",
    "had",
    "were",
    "was",
    "and/or",
    "use",
    "used",
    "indicated",
    "disease",
    "its",
    "their",
    "it",
    "this",
    "these",
    "all",
    "any",
    "can",
    "may",
    "should",
    "other",
    "those",
    "including",
    "such",
    "from",
    "medicinal",
    "product",
    "products",
    "medicine",
    "i.e",
    "e.g",
    "etc",
    "well",
    "when",
    "not",
];

fn number(word: &str) -> Option<f32> {
    let n = match word {
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "sixteen" => 16.0,
        w => w.parse().ok()?,
    };
    Some(n)
}

/// An age in months: a lower bound rounds up and an upper bound down, so a bound in days or
/// weeks never widens the population.
fn months(n: f32, unit: &str, lower_bound: bool) -> Option<u32> {
    let m = if unit.starts_with("year") {
        n * 12.0
    } else if unit.starts_with("month") {
        n
    } else if unit.starts_with("week") {
        n / 4.345
    } else {
        n / 30.44
    };
    if !(0.0..=1_600.0).contains(&m) {
        return None;
    }
    Some(if lower_bound { m.ceil() } else { m.floor() } as u32)
}

fn normalise(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace(['’', '‘'], "'")
        .replace(['–', '‑'], "-")
        .to_lowercase()
}

fn cap(c: &Captures, i: usize) -> Option<String> {
    c.get(i).map(|m| m.as_str().trim().to_string())
}

/// Reads the population of a clause given as its lead (if any) and its quote.
pub fn read_population(lead: Option<&str>, quote: &str) -> Reading {
    read_population_with_names(lead, quote, &[])
}

/// Reads the population of a clause, treating the medicine's names (brand, INN) as read
/// wherever they stand ("Truxima, in combination with…", "RINVOQ may be used…").
pub fn read_population_with_names(lead: Option<&str>, quote: &str, names: &[&str]) -> Reading {
    // A ";" between lead and item stops the phrase patterns from running into the item.
    let (joined, item_start) = match lead {
        Some(l) => {
            let l = normalise(l);
            let n = l.len() + 2;
            (format!("{l}; {}", normalise(quote)), n)
        }
        None => (normalise(quote), 0),
    };
    let mut w = Work {
        text: joined,
        item_start,
    };
    let mut p = Population::default();
    let mut min_age: Option<u32> = None;
    let mut max_age: Option<u32> = None;
    let mut bounded = false;
    // Where the verb stands before anything is blanked: a subject can only come before it.
    let verb_at = w.text.find(" indicated");
    blank_names(&mut w, names);
    w.take(&REFERENCE, |_| {});
    w.take(&BOILERPLATE, |_| {});
    w.take(&EXCLUSION, |c| p.exclusions.extend(cap(c, 0)));
    w.take(&MONO_IF, |c| {
        p.regimen.monotherapy_if_partner_unsuitable = true;
        p.regimen.combinations.extend(cap(c, 1));
    });
    w.take(&MONO_OR_COMBO, |c| {
        p.regimen.monotherapy = true;
        p.regimen.combinations.extend(cap(c, 1));
    });
    w.take(&ADD_ON, |c| {
        let partner = cap(c, 1).or_else(|| cap(c, 2)).or_else(|| cap(c, 3));
        p.regimen.add_on_to.push(partner.unwrap_or_else(|| {
            // "as add-on maintenance treatment": kept in the text's words.
            cap(c, 0).unwrap_or_default()
        }));
    });
    take_combinations(&mut w, &mut p);
    w.take(&MONO, |_| p.regimen.monotherapy = true);
    w.take(&AGE_RANGE, |c| {
        let hi_unit = c.get(5).map_or("years", |m| m.as_str());
        let lo_unit = c.get(2).map_or(hi_unit, |m| m.as_str());
        // "6 to 11 years" includes 11-year-olds; "2 to less than 18 years" stops at 18.
        let inclusive = if c.get(3).is_some() { 0.0 } else { 1.0 };
        let lo = c
            .get(1)
            .and_then(|m| number(m.as_str()))
            .and_then(|n| months(n, lo_unit, true));
        let hi = c
            .get(4)
            .and_then(|m| number(m.as_str()))
            .and_then(|n| months(n + inclusive, hi_unit, false));
        min_age = lo.map(|l| min_age.map_or(l, |m: u32| m.min(l)));
        max_age = hi.map(|h| max_age.map_or(h, |m: u32| m.max(h)));
        bounded = true;
    });
    w.take(&AGE_MIN, |c| {
        let (n, unit) = if c.get(1).is_some() {
            (c.get(1), c.get(2).map_or("years", |m| m.as_str()))
        } else if c.get(3).is_some() {
            (c.get(3), c.get(4).map_or("years", |m| m.as_str()))
        } else {
            (c.get(5), "years")
        };
        if let Some(m) = n
            .and_then(|m| number(m.as_str()))
            .and_then(|n| months(n, unit, true))
        {
            min_age = Some(min_age.map_or(m, |x| x.min(m)));
            bounded = true;
        }
    });
    w.take(&FROM_BIRTH, |_| {
        min_age = Some(0);
        bounded = true;
    });
    w.take(&AGE_MAX, |c| {
        let unit = c.get(2).map_or("years", |m| m.as_str());
        if let Some(m) = c
            .get(1)
            .and_then(|m| number(m.as_str()))
            .and_then(|n| months(n, unit, false))
        {
            max_age = Some(max_age.map_or(m, |x| x.max(m)));
        }
    });
    w.take(&AGE_GROUP, |c| {
        let word = c.get(1).map_or("", |m| m.as_str());
        let g = match word {
            "adult" | "adults" | "adult patients" => Some(AgeGroup::Adults),
            "adolescent" | "adolescents" | "adolescent patients" => Some(AgeGroup::Adolescents),
            "children" | "child" => Some(AgeGroup::Children),
            "paediatric" | "pediatric" => Some(AgeGroup::Paediatric),
            "infant" | "infants" | "toddlers" => Some(AgeGroup::Infants),
            "neonate" | "neonates" | "newborn" | "newborns" => Some(AgeGroup::Neonates),
            "elderly" | "older adults" => Some(AgeGroup::Elderly),
            _ => None,
        };
        if let Some(g) = g
            && !p.age_groups.contains(&g)
        {
            p.age_groups.push(g);
        }
    });
    w.take(&WEIGHT_MIN, |c| {
        p.min_weight_kg = c.get(1).and_then(|m| m.as_str().parse().ok());
    });
    w.take(&GLYCAEMIC, |c| {
        let text = cap(c, 0).unwrap_or_default();
        if text.contains("not provide") {
            p.prior_therapy.push(PriorTherapy {
                kind: PriorTherapyKind::InadequateResponse,
                text,
            });
        } else if text.contains("insufficient") || text.contains("inadequate") {
            p.qualifiers.push(text);
        }
    });
    w.take(&LATER_LINE, |c| {
        let text = cap(c, 0).unwrap_or_default();
        let kind = if text.contains("failed to respond") {
            PriorTherapyKind::InadequateResponse
        } else {
            PriorTherapyKind::AfterFailure
        };
        p.prior_therapy.push(PriorTherapy { kind, text });
    });
    w.take(&CANDIDATE, |c| {
        p.prior_therapy.extend(cap(c, 0).map(|text| PriorTherapy {
            kind: PriorTherapyKind::CandidateForSystemicTherapy,
            text,
        }));
    });
    for (re, kind) in [
        (&*INADEQUATE, PriorTherapyKind::InadequateResponse),
        (&*AFTER_FAILURE, PriorTherapyKind::AfterFailure),
        (&*PREVIOUSLY, PriorTherapyKind::PreviouslyTreated),
        (&*FIRST_LINE, PriorTherapyKind::FirstLine),
    ] {
        w.take(re, |c| {
            let text = c
                .get(0)
                .map_or("", |m| m.as_str())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let kind = if kind == PriorTherapyKind::InadequateResponse
                && (text.contains("resistant") || text.contains("refractory"))
            {
                PriorTherapyKind::Refractory
            } else {
                kind
            };
            p.prior_therapy.push(PriorTherapy { kind, text });
        });
    }
    w.take(&SEVERITY, |c| {
        for i in [1, 2] {
            let s = match c.get(i).map(|m| m.as_str()) {
                Some("mild") => Some(Severity::Mild),
                Some("moderate") => Some(Severity::Moderate),
                Some("severe") => Some(Severity::Severe),
                _ => None,
            };
            if let Some(s) = s
                && !p.severity.contains(&s)
            {
                p.severity.push(s);
            }
        }
        if c.get(3).is_some() {
            p.active_disease = true;
        }
    });
    // "active immunisation" is a vaccine's frame, not active disease.
    w.text = w.text.replace("active immunisation", "       immunisation");
    w.text = w.text.replace("active immunization", "       immunization");
    w.take(&ACTIVE, |_| p.active_disease = true);
    w.take(&REMISSION, |c| {
        let text = cap(c, 0).unwrap_or_default();
        if let Some(rest) = text.strip_prefix("in ") {
            p.regimen.combinations.push(rest.to_string());
        }
    });
    w.take(&PRE_CONDITION_QUALIFIER, |c| p.qualifiers.extend(cap(c, 0)));
    let condition_text = find_condition(&mut w, &mut p.qualifiers);
    if let Some(c) = &condition_text {
        p.qualifiers
            .extend(QUALIFIER.find_iter(c).map(|m| m.as_str().to_string()));
    }
    w.take(&QUALIFIER, |c| p.qualifiers.extend(cap(c, 0)));
    w.take(&FRAME, |_| {});
    if names.is_empty() {
        drop_subject(&mut w, verb_at);
    }

    let unread = leftovers(&w.text);
    finish_ages(&mut p, min_age, max_age, bounded);
    p.severity.sort();
    p.age_groups.sort();
    let mut seen = Vec::new();
    p.qualifiers.retain(|q| {
        let new = !seen.contains(q);
        seen.push(q.clone());
        new
    });
    let fully_read = unread.is_empty() && condition_text.is_some();
    Reading {
        population: p,
        condition_text,
        unread,
        fully_read,
    }
}

/// "in combination with X": X runs to the first comma, full stop or word that starts another
/// part of the sentence ("is indicated", "in adults"), keeping one bracketed abbreviation.
fn take_combinations(w: &mut Work, p: &mut Population) {
    let starts: Vec<(usize, usize, bool)> = COMBO
        .find_iter(&w.text)
        .map(|m| (m.start(), m.end(), m.as_str().contains("alone")))
        .collect();
    for (start, end, alone) in starts {
        let rest = &w.text[end..];
        let stop = COMBO_END.find(rest).map_or(rest.len(), |m| m.start());
        let partner = rest[..stop].trim().to_string();
        if !partner.is_empty() {
            p.regimen.combinations.push(partner);
        }
        if alone {
            p.regimen.monotherapy = true;
        }
        w.blank(start, end + stop);
    }
}

/// The condition phrase: after "treatment of" (or "patients with" when what follows the frame
/// names patients), up to the first word that starts the patient description.
fn find_condition(w: &mut Work, qualifiers: &mut Vec<String>) -> Option<String> {
    let mut found = None;
    if w.item_start > 0 {
        // A list item names its own condition, or is a condition ("- Enthesitis related
        // arthritis"), or only narrows the lead's patients.
        found = condition_in(w, w.item_start);
        if found.is_none() {
            found = item_remainder(w);
            if found.is_some()
                && let Some((s, e)) = condition_in(w, 0)
            {
                qualifiers.push(clean_phrase(&w.text[s..e]));
                w.blank(s, e);
            }
        }
    }
    if found.is_none() {
        found = condition_in(w, 0);
    }
    if found.is_none() && !w.text.contains("indicated") {
        // Old-style text with no frame ("Hypertension."): the whole remainder names it.
        let t = w.text.trim();
        if !t.is_empty() && t.split_whitespace().count() <= 8 {
            let s = w.text.find(t).unwrap_or(0);
            let e = s + t.len();
            let e = if w.text[..e].ends_with('.') { e - 1 } else { e };
            found = Some((s, e));
        }
    }
    let (s, e) = found?;
    let mut phrase = clean_phrase(&w.text[s..e]);
    // What follows "characterised by", "caused by"… restricts the patients: a qualifier, not
    // part of the condition's name.
    if let Some(m) = CONDITION_TAIL.find(&phrase) {
        qualifiers.push(phrase[m.start()..].trim().to_string());
        phrase = phrase[..m.start()].trim().to_string();
    }
    // "asthma with type 2 inflammation": the "with" part may narrow the condition, and the
    // matcher may recognise only what precedes it; kept as a qualifier so it is never lost.
    if let Some(k) = phrase.find(" with ") {
        let part = phrase[k + 1..].to_string();
        if !qualifiers.contains(&part) {
            qualifiers.push(part);
        }
    }
    w.blank(s, e);
    if phrase.is_empty() {
        None
    } else {
        Some(phrase)
    }
}

/// The first condition phrase at or after `from`: after the frame, else after "patients with".
fn condition_in(w: &Work, from: usize) -> Option<(usize, usize)> {
    for c in CONDITION_AFTER_FRAME.captures_iter(&w.text) {
        if let Some(m) = c.get(1).filter(|m| m.start() >= from) {
            let (s, e) = cut_at_stop(&w.text, m.start(), m.end());
            if !w.text[s..e].trim().is_empty() {
                return Some((s, e));
            }
        }
    }
    for c in PATIENTS_WITH.captures_iter(&w.text) {
        if let Some(m) = c.get(1).filter(|m| m.start() >= from) {
            let (s, e) = cut_at_stop(&w.text, m.start(), m.end());
            if !w.text[s..e].trim().is_empty() {
                return Some((s, e));
            }
        }
    }
    None
}

/// What is left of a list item once the population phrases are blanked, when it is short
/// enough to be a condition's name.
fn item_remainder(w: &Work) -> Option<(usize, usize)> {
    let item = &w.text[w.item_start..];
    let words: Vec<&str> = item
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty() && !STOPWORDS.contains(t))
        .collect();
    let ageish = words.iter().any(|w| {
        w.chars().any(|c| c.is_ascii_digit()) || w.starts_with("year") || w.starts_with("month")
    });
    // "a sulphonylurea when…", "as combination therapy…": a regimen, not a condition.
    let first = item.split_whitespace().next().unwrap_or("");
    let regimen_like = ["a", "an", "as", "with", "in", "when", "where"].contains(&first);
    if words.is_empty() || words.len() > 12 || ageish || regimen_like {
        return None;
    }
    let t = item.trim_end();
    let lead_ws = item.len() - item.trim_start().len();
    Some(cut_at_stop(
        &w.text,
        w.item_start + lead_ws,
        w.item_start + t.len(),
    ))
}

/// A phrase without its bullets, connectors and leading patient words.
fn clean_phrase(raw: &str) -> String {
    let phrase = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut phrase = phrase
        .trim_matches(|c: char| c == ',' || c == '.' || c == ' ' || c == '-' || c == ';')
        .to_string();
    for tail in [", and", ", or", " and", " or", ","] {
        if let Some(r) = phrase.strip_suffix(tail) {
            phrase = r.to_string();
        }
    }
    // "treatment of adult patients with X": the age words are blanked, "patients with" stays.
    loop {
        let before = phrase.len();
        for lead in [
            "the treatment of ",
            "treatment of ",
            "the prevention of ",
            "prevention of ",
            "and ",
            "or ",
            "with ",
            "patients ",
            "patient ",
            "of ",
            "in ",
            "the ",
        ] {
            if let Some(r) = phrase.strip_prefix(lead) {
                phrase = r.to_string();
            }
        }
        if phrase.len() == before {
            break;
        }
    }
    phrase
}

fn cut_at_stop(text: &str, start: usize, end: usize) -> (usize, usize) {
    let piece = &text[start..end];
    let mut stop = CONDITION_STOP
        .find(piece)
        .map_or(piece.len(), |m| m.start());
    // A comma ends the phrase unless a list of conditions goes on ("A, and B").
    let mut from = 0;
    while let Some(k) = piece[from..stop].find(',') {
        let at = from + k;
        let after = piece[at + 1..].trim_start();
        let next = after.split_whitespace().next().unwrap_or("");
        if COMMA_STOP.contains(&next) || next.is_empty() {
            stop = at;
            break;
        }
        from = at + 1;
    }
    (start, start + stop)
}

/// Blanks every whole-word occurrence of the medicine's names.
fn blank_names(w: &mut Work, names: &[&str]) {
    let mut names: Vec<String> = names
        .iter()
        .map(|n| normalise(n.trim()))
        .filter(|n| n.len() >= 3)
        .collect();
    // Longest first, so "pregabalin zentiva" goes before "pregabalin".
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        let mut from = 0;
        while let Some(k) = w.text[from..].find(&name) {
            let at = from + k;
            let end = at + name.len();
            let before_ok = w.text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = w.text[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            // Only where the name is the subject: a name inside a restriction ("controlled on
            // metformin alone") stays part of that restriction's words.
            let rest = w.text[end..].trim_start_matches([',', ' ']);
            let subject = [
                "is ",
                "are ",
                "may ",
                "can ",
                "should ",
                "in combination",
                "as ",
                "alone",
                "monotherapy",
                "has ",
                "was ",
                "(",
            ]
            .iter()
            .any(|v| rest.starts_with(v));
            if before_ok && after_ok && subject {
                w.blank(at, end);
            }
            from = end;
        }
    }
}

/// Blanks the subject before "is indicated" when it is a short name ("Olumiant").
fn drop_subject(w: &mut Work, verb_at: Option<usize>) {
    let Some(verb_at) = verb_at else {
        return;
    };
    let t = w.text.trim_start();
    let offset = w.text.len() - t.len();
    // After the frame was blanked the subject is the first run of words followed by a gap.
    if let Some(gap) = t.find("   ") {
        let subject = &t[..gap];
        let words = subject.split_whitespace().count();
        if (1..=4).contains(&words) && !subject.contains(',') && offset + gap <= verb_at {
            w.blank(offset, offset + gap);
        }
    }
}

fn leftovers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut phrase: Vec<&str> = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace()) {
        if raw.is_empty() {
            // A blank (consumed text) ends a phrase only when it was a run of spaces.
            if !phrase.is_empty() {
                out.push(phrase.join(" "));
                phrase.clear();
            }
            continue;
        }
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let in_brackets = raw.starts_with('(') && raw.ends_with(')') && raw.len() <= 12;
        if word.is_empty() || in_brackets || STOPWORDS.contains(&word) {
            continue;
        }
        phrase.push(raw.trim_matches(|c: char| c == ',' || c == '.' || c == ';' || c == ':'));
    }
    if !phrase.is_empty() {
        out.push(phrase.join(" "));
    }
    out
}

/// Age bounds: an explicit number wins; otherwise the groups named give them, taking the
/// narrowest reading ("children" alone ends at 12).
fn finish_ages(p: &mut Population, min_age: Option<u32>, max_age: Option<u32>, bounded: bool) {
    let g = &p.age_groups;
    let young = [
        AgeGroup::Children,
        AgeGroup::Paediatric,
        AgeGroup::Infants,
        AgeGroup::Neonates,
    ];
    let has_young = g.iter().any(|x| young.contains(x));
    let group_min = if has_young {
        None
    } else if g.contains(&AgeGroup::Adolescents) {
        Some(144)
    } else if g.contains(&AgeGroup::Adults) || g.contains(&AgeGroup::Elderly) {
        Some(216)
    } else {
        None
    };
    let group_max =
        if g.is_empty() || g.contains(&AgeGroup::Adults) || g.contains(&AgeGroup::Elderly) {
            None
        } else if g.contains(&AgeGroup::Adolescents) || g.contains(&AgeGroup::Paediatric) {
            Some(216)
        } else if g.contains(&AgeGroup::Children) {
            Some(144)
        } else if g.contains(&AgeGroup::Infants) {
            Some(24)
        } else {
            Some(1)
        };
    p.min_age_months = if bounded { min_age } else { group_min };
    let adults = g.contains(&AgeGroup::Adults) || g.contains(&AgeGroup::Elderly);
    // "Adults, adolescents and children (6 - 11 years)": the range bounds the children, not
    // the whole population; an upper bound below 18 years with adults named is not the top.
    p.max_age_months = match max_age {
        Some(m) if adults && m < 216 => None,
        Some(m) => Some(m),
        None => group_max,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for r in [
            &*REFERENCE,
            &*BOILERPLATE,
            &*AGE_RANGE,
            &*AGE_MIN,
            &*AGE_MAX,
            &*FROM_BIRTH,
            &*AGE_GROUP,
            &*WEIGHT_MIN,
            &*SEVERITY,
            &*ACTIVE,
            &*MONO_IF,
            &*MONO_OR_COMBO,
            &*COMBO,
            &*MONO,
            &*ADD_ON,
            &*EXCLUSION,
            &*CANDIDATE,
            &*INADEQUATE,
            &*AFTER_FAILURE,
            &*PREVIOUSLY,
            &*FIRST_LINE,
            &*QUALIFIER,
            &*REMISSION,
            &*GLYCAEMIC,
            &*LATER_LINE,
            &*PRE_CONDITION_QUALIFIER,
            &*CONDITION_TAIL,
            &*FRAME,
            &*CONDITION_AFTER_FRAME,
            &*PATIENTS_WITH,
            &*CONDITION_STOP,
        ] {
            assert!(!r.as_str().is_empty());
        }
    }
}
