//! Splitting an indication text into clauses.
//!
//! The EMA's export loses the layout of section 4.1: headings run into the next sentence
//! ("Rheumatoid arthritisBaricitinib is indicated…"), bullets become " - " or vanish after a
//! colon, and `&nbsp;` stays as text. The splitter works on byte ranges of the original text so
//! that every quote is the regulator's exact words.

use std::ops::Range;

/// One indication clause found in a text, as byte ranges into that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The heading before the clause ("Rheumatoid arthritis"), if any.
    pub heading: Option<Range<usize>>,
    /// The sentence introducing a list the clause is an item of ("X is indicated for:").
    pub lead: Option<Range<usize>>,
    /// The clause's own words: the indication sentence and the sentences that qualify it.
    pub quote: Range<usize>,
    /// Sentences that state the population of every indication of the text
    /// ("Cymbalta is indicated in adults."), wherever they stand.
    pub shared: Vec<Range<usize>>,
}

impl Clause {
    /// The heading's text.
    pub fn heading_text<'a>(&self, text: &'a str) -> Option<&'a str> {
        self.heading.clone().and_then(|r| text.get(r))
    }

    /// The lead's text.
    pub fn lead_text<'a>(&self, text: &'a str) -> Option<&'a str> {
        self.lead.clone().and_then(|r| text.get(r))
    }

    /// The quote's text.
    pub fn quote_text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.quote.clone()).unwrap_or("")
    }

    /// The shared sentences' texts.
    pub fn shared_texts<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.shared
            .iter()
            .filter_map(|r| text.get(r.clone()))
            .collect()
    }
}

const NBSP: &str = "&nbsp;";

/// Length of the whitespace (a space character or a literal `&nbsp;`) at `i`, 0 if none.
fn ws_len(text: &str, i: usize) -> usize {
    let rest = &text[i..];
    if rest.starts_with(NBSP) {
        return NBSP.len();
    }
    match rest.chars().next() {
        Some(c) if c.is_whitespace() => c.len_utf8(),
        _ => 0,
    }
}

fn skip_ws(text: &str, mut i: usize) -> usize {
    while i < text.len() {
        let n = ws_len(text, i);
        if n == 0 {
            break;
        }
        i += n;
    }
    i
}

/// Trims whitespace and `&nbsp;` from both ends of a range.
fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start;
    let mut end = r.end;
    while start < end {
        let n = ws_len(text, start);
        if n == 0 || start + n > end {
            break;
        }
        start += n;
    }
    while start < end {
        let s = &text[start..end];
        if s.ends_with(NBSP) {
            end -= NBSP.len();
        } else if let Some(c) = s.chars().next_back().filter(|c| c.is_whitespace()) {
            end -= c.len_utf8();
        } else {
            break;
        }
    }
    start..end
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "vs", "approx", "incl", "no", "dr", "st", "spp", "sp", "k.s", "etc",
];

/// True when the `.` at `dot` closes an abbreviation rather than a sentence.
fn is_abbreviation(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = before[word_start..].to_lowercase();
    // Single letters are initials or parts of "i.e." / "e.g."; a single digit ends a
    // sentence ("with a CPS ≥ 1. Keytruda is indicated…").
    (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
        || ABBREVIATIONS.contains(&word.as_str())
}

/// Sentence ranges: a `.` followed (after optional whitespace) by an uppercase letter ends a
/// sentence, also when glued ("myelofibrosis.Polycythaemia").
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c != '.' && c != '!' && c != '?' {
            continue;
        }
        let next = skip_ws(text, i + 1);
        let Some(n) = text[next..].chars().next() else {
            continue;
        };
        if !n.is_uppercase() || is_abbreviation(text, i) {
            continue;
        }
        // "5.1" and the like never reach here: the next character is a digit.
        let r = trim(text, start..i + 1);
        if !r.is_empty() {
            out.push(r);
        }
        start = i + 1;
    }
    let r = trim(text, start..text.len());
    if !r.is_empty() {
        out.push(r);
    }
    out
}

/// Position of the indication verb ("indicated") in a sentence, skipping "as indicated by".
fn indicated_at(s: &str) -> Option<usize> {
    let lower = s.to_lowercase();
    // Lowercasing keeps byte offsets only for ASCII; fall back to no match otherwise.
    if lower.len() != s.len() {
        return find_indicated(s);
    }
    find_indicated(&lower)
}

fn find_indicated(lower: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = lower[from..].find("indicated") {
        let at = from + p;
        let before = &lower[..at];
        let after = &lower[at + "indicated".len()..];
        let word_start = before
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let word_end = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        let as_indicated = before.trim_end().ends_with(" as") || before.trim_end() == "as";
        let indicated_by = after.trim_start().starts_with("by ");
        if word_start && word_end && !as_indicated && !indicated_by {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

const INDICATION_NOUNS: &[&str] = &[
    "treatment",
    "prevention",
    "prophylaxis",
    "management",
    "reversal",
    "relief",
    "reduction",
    "induction",
    "maintenance",
    "control",
    "diagnosis",
    "replacement",
    "symptomatic",
    "adjunctive",
    "adjunct",
    "active immunisation",
    "immunisation",
    "vaccination",
    "first-line",
    "second-line",
    "long-term",
    "short-term",
];

/// True when a sentence opens with an indication noun ("Treatment of…"), the old style of
/// texts without "is indicated".
fn opens_with_indication_noun(s: &str) -> bool {
    // A heading run into an old-style sentence: "Type 2 diabetes mellitus For the treatment of…".
    if [
        " For the treatment",
        " Treatment of",
        " For the prevention",
        " Prevention of",
        " Prophylaxis of",
    ]
    .iter()
    .any(|p| s.contains(p))
    {
        return true;
    }
    let lower = s.to_lowercase();
    let mut rest = lower.as_str();
    for prefix in ["for the ", "in the ", "for ", "in "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    INDICATION_NOUNS.iter().any(|n| {
        rest.strip_prefix(n)
            .is_some_and(|r| r.chars().next().is_none_or(|c| !c.is_alphanumeric()))
    })
}

/// True when an "indicated" sentence only widens or bounds the previous clause's patients
/// ("Caprelsa is indicated in adults, children and adolescents aged 5 years and older.").
fn is_population_only(s: &str, verb: usize) -> bool {
    let after = s[verb + "indicated".len()..].to_lowercase();
    let after = after.trim_start();
    let after = after.strip_prefix("only ").unwrap_or(after);
    (after.starts_with("in ") || after.starts_with("for use in "))
        && !after.contains(" of ")
        && !after.contains(':')
        && !after.contains("treatment")
}

fn is_upper_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_uppercase)
}

/// Where the subject of an indication sentence starts, when a heading precedes it: the first
/// name of the medicine written with a capital, else the last point where a heading is glued
/// to the sentence.
fn subject_start(text: &str, sentence: Range<usize>, verb: usize, names: &[&str]) -> Option<usize> {
    let s = &text[sentence.clone()];
    let region = &s[..verb];
    let lower = region.to_lowercase();
    if lower.len() == region.len() {
        let mut best: Option<usize> = None;
        for name in names.iter().map(|n| n.trim().to_lowercase()) {
            if name.len() < 3 || name.len() != name.to_lowercase().len() {
                continue;
            }
            let mut from = 0;
            while let Some(p) = lower[from..].find(&name) {
                let at = from + p;
                from = at + 1;
                if at == 0 || !is_upper_at(region, at) {
                    continue;
                }
                let prev = region[..at].chars().next_back();
                let next = region[at + name.len()..].chars().next();
                let starts_word =
                    prev.is_none_or(|c| !c.is_alphanumeric()) || is_upper_at(region, at);
                let ends_word = next.is_none_or(|c| !c.is_lowercase());
                if starts_word && ends_word {
                    best = Some(best.map_or(at, |b| b.min(at)));
                    break;
                }
            }
        }
        if let Some(at) = best {
            return Some(sentence.start + at);
        }
    }
    glued_heading_end(region).map(|at| sentence.start + at)
}

/// The last place before the verb where a heading is glued to its sentence: `&nbsp;` or a colon
/// before a capital, a closing bracket directly before a capital, or a lowercase word of at
/// least three letters running into a capital ("arthritisTofacitinib").
fn glued_heading_end(region: &str) -> Option<usize> {
    let mut found = None;
    let chars: Vec<(usize, char)> = region.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !c.is_uppercase() || i == 0 {
            continue;
        }
        let before = &region[..i];
        let trimmed = before.trim_end();
        if before.ends_with(NBSP) || (trimmed.ends_with(':') && trimmed.len() < before.len()) {
            found = Some(i);
            continue;
        }
        if k >= 1 && (chars[k - 1].1 == ')' || chars[k - 1].1 == ']') {
            found = Some(i);
            continue;
        }
        if k >= 3 && chars[k - 3..k].iter().all(|(_, p)| p.is_lowercase()) {
            found = Some(i);
        }
    }
    found
}

/// True when a sentence names patients or ages, so it bounds a population.
fn states_population(s: &str) -> bool {
    let lower = s.to_lowercase();
    [
        "adult",
        "child",
        "adolescent",
        "paediatric",
        "pediatric",
        "infant",
        "neonate",
        "newborn",
        "year",
        "month",
        "patient",
        "elderly",
        "women",
        "men ",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Splits an indication text into clauses (see [`split_with_names`]; this one knows no names
/// and finds headings only where they are glued to their sentence).
pub fn split(text: &str) -> Vec<Clause> {
    split_with_names(text, &[])
}

/// Splits an indication text into clauses, using the medicine's names (brand, INN) to find
/// where a heading ends and its sentence begins.
///
/// A clause starts at each sentence with "indicated" (or opening with "Treatment of…" and the
/// like); the sentences after it that start no indication belong to it. A list after
/// "indicated …:" gives one clause per item, each with the introducing words as `lead`.
/// Text before the first clause becomes that clause's heading. Nothing is dropped but
/// whitespace.
pub fn split_with_names(text: &str, names: &[&str]) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut preamble: Option<Range<usize>> = None;
    let mut shared: Vec<Range<usize>> = Vec::new();
    for s in sentences(text) {
        let stext = &text[s.clone()];
        let verb = indicated_at(stext);
        let starts_clause = match verb {
            Some(v) => clauses.is_empty() || !is_population_only(stext, v),
            None => opens_with_indication_noun(stext),
        };
        if !starts_clause {
            if verb.is_some() && !clauses.is_empty() {
                // "X is indicated in adults." bounds every indication of the text, not only
                // the one before it: attached to all below.
                shared.push(s.clone());
            } else if let Some(last) = clauses.last_mut() {
                last.quote.end = s.end;
            } else {
                preamble = Some(preamble.map_or(s.clone(), |p| p.start..s.end));
            }
            continue;
        }
        let mut body_start = s.start;
        let mut heading = None;
        if let Some(v) = verb
            && let Some(subj) = subject_start(text, s.clone(), v, names)
        {
            let h = trim(text, s.start..subj);
            let h_text = text[h.clone()].to_lowercase();
            // "In patients with moderate to high-risk TIA Clopidogrel is indicated…": the words
            // before the subject restrict the patients; they stay in the quote to be read.
            let restricts = h_text.starts_with("in ") || h_text.starts_with("for ");
            if !h.is_empty() && !h_text.ends_with(',') && !restricts {
                heading = Some(h);
                body_start = subj;
            }
        }
        if let Some(p) = preamble.take() {
            if text[p.clone()].split_whitespace().count() > 12 {
                // Too long for a heading: an indication of its own in words the splitter did
                // not recognise; kept as a clause so it is read (and reported), not hidden.
                clauses.push(Clause {
                    heading: None,
                    lead: None,
                    quote: p,
                    shared: Vec::new(),
                });
            } else if states_population(&text[p.clone()]) {
                // "Adults, adolescents (12 years and over) and children (6 - 11 years). X is
                // indicated for…": the opening sentences bound every indication.
                shared.push(p);
            } else {
                heading = Some(p.start..heading.map_or(p.end, |h| h.end));
            }
        }
        let body = body_start..s.end;
        let items = verb.and_then(|v| list_items(text, body.clone(), s.start + v));
        match items {
            Some((lead, items)) => {
                for item in items {
                    clauses.push(Clause {
                        heading: heading.clone(),
                        lead: Some(lead.clone()),
                        quote: item,
                        shared: Vec::new(),
                    });
                }
            }
            None => clauses.push(Clause {
                heading,
                lead: None,
                quote: trim(text, body),
                shared: Vec::new(),
            }),
        }
    }
    if let Some(p) = preamble {
        clauses.push(Clause {
            heading: None,
            lead: None,
            quote: p,
            shared: Vec::new(),
        });
    }
    for c in &mut clauses {
        c.shared = shared.clone();
    }
    clauses
}

/// A list after "indicated …:": the lead (through the colon) and the items, split at
/// bullets (" - ", "•"), semicolons and full stops.
fn list_items(
    text: &str,
    body: Range<usize>,
    verb: usize,
) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    let colon = text[verb..body.end].find(':').map(|p| verb + p)?;
    let lead = trim(text, body.start..colon + 1);
    let rest = colon + 1..body.end;
    let mut items = Vec::new();
    let mut start = rest.start;
    let bytes = text.as_bytes();
    let mut i = rest.start;
    while i < rest.end {
        let c = text[i..].chars().next().unwrap_or(' ');
        let clen = c.len_utf8();
        let is_sep = match c {
            ';' | '•' | '●' | '·' => true,
            '.' => i + 1 < rest.end && !bytes[i + 1].is_ascii_digit() && !is_abbreviation(text, i),
            '-' | '–' => {
                // A bullet dash stands between spaces; a hyphen in a word does not.
                let before_ws = text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_whitespace)
                    || text[..i].ends_with(NBSP);
                let after_ws = i + clen < text.len() && ws_len(text, i + clen) > 0;
                before_ws && after_ws
            }
            _ => false,
        };
        if is_sep {
            // The separator belongs to the item before it unless it is a bullet.
            let (end, next) = if c == '-' || c == '–' || c == '•' || c == '●' || c == '·' {
                (i, i)
            } else {
                (i + clen, i + clen)
            };
            let r = trim(text, start..end);
            if !r.is_empty() {
                items.push(r);
                start = next;
            }
        }
        i += clen;
    }
    let r = trim(text, start..rest.end);
    if !r.is_empty() {
        items.push(r);
    }
    // One item after a colon is no list: keep the sentence whole.
    if items.len() < 2 {
        return None;
    }
    Some((lead, items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn squeeze(s: &str) -> String {
        s.replace(NBSP, "")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// Every piece of the text, once, in order: headings and leads shared by several clauses
    /// count once.
    fn pieces(text: &str, clauses: &[Clause]) -> String {
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for c in clauses {
            let own = [c.heading.clone(), c.lead.clone(), Some(c.quote.clone())];
            for r in own.into_iter().flatten().chain(c.shared.iter().cloned()) {
                if !ranges.contains(&r) {
                    ranges.push(r);
                }
            }
        }
        ranges.sort_by_key(|r| r.start);
        ranges.iter().map(|r| squeeze(&text[r.clone()])).collect()
    }

    proptest! {
        #[test]
        fn split_loses_and_reorders_nothing(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("Rheumatoid arthritis".to_string()),
                    Just("Olumiant is indicated for the treatment of".to_string()),
                    Just("Treatment of".to_string()),
                    Just("psoriasis.".to_string()),
                    Just(":".to_string()),
                    Just(" - ".to_string()),
                    Just(";".to_string()),
                    Just("&nbsp;".to_string()),
                    Just("as indicated by".to_string()),
                    Just("in adults.".to_string()),
                    "[a-zA-Z\u{ad}é’ .,;:()-]{0,12}",
                ],
                0..14,
            ),
            names in proptest::collection::vec("[A-Za-zé]{0,8}", 0..3),
        ) {
            let text = parts.join("");
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let clauses = split_with_names(&text, &refs);
            prop_assert_eq!(pieces(&text, &clauses), squeeze(&text));
        }
    }

    fn quotes(text: &str, names: &[&str]) -> Vec<(Option<String>, String)> {
        split_with_names(text, names)
            .iter()
            .map(|c| {
                (
                    c.heading_text(text).map(str::to_string),
                    c.quote_text(text).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn glued_headings_split() {
        let t = "Rheumatoid arthritisRINVOQ is indicated for the treatment of RA. RINVOQ may be used as monotherapy. Psoriatic arthritisRINVOQ is indicated for the treatment of active psoriatic arthritis in adult patients.";
        let q = quotes(t, &[]);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].0.as_deref(), Some("Rheumatoid arthritis"));
        assert_eq!(
            q[0].1,
            "RINVOQ is indicated for the treatment of RA. RINVOQ may be used as monotherapy."
        );
        assert_eq!(q[1].0.as_deref(), Some("Psoriatic arthritis"));
    }

    #[test]
    fn spaced_headings_need_names() {
        let t = "Alopecia areata Baricitinib is indicated for the treatment of severe alopecia areata in adult patients (see section 5.1).";
        let q = quotes(t, &["Olumiant", "baricitinib"]);
        assert_eq!(q[0].0.as_deref(), Some("Alopecia areata"));
        assert!(q[0].1.starts_with("Baricitinib is indicated"));
        // Without names the heading stays in the quote: nothing is lost.
        assert_eq!(quotes(t, &[])[0].1, t);
    }

    #[test]
    fn glued_full_stop_and_acronym_heading() {
        let t = "Polycythaemia vera (PV)Jakavi is indicated for the treatment of adult patients with polycythaemia vera.Graft versus host disease (GvHD)Acute GvHDJakavi is indicated for the treatment of acute GvHD.";
        let q = quotes(t, &["Jakavi", "ruxolitinib"]);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].0.as_deref(), Some("Polycythaemia vera (PV)"));
        assert_eq!(
            q[1].0.as_deref(),
            Some("Graft versus host disease (GvHD)Acute GvHD")
        );
        assert_eq!(
            q[1].1,
            "Jakavi is indicated for the treatment of acute GvHD."
        );
    }

    #[test]
    fn lists_after_a_colon() {
        let t = "Baricitinib is indicated for the treatment of active juvenile idiopathic arthritis in patients 2 years of age and older: - Polyarticular juvenile idiopathic arthritis, - Enthesitis related arthritis, and - Juvenile psoriatic arthritis. Baricitinib may be used as monotherapy.";
        let c = split(t);
        assert_eq!(c.len(), 3);
        assert!(c[0].lead_text(t).is_some_and(|l| l.ends_with("older:")));
        assert_eq!(c[1].quote_text(t), "- Enthesitis related arthritis, and");
        assert!(c[2].quote_text(t).ends_with("monotherapy."));
    }

    #[test]
    fn population_sentence_joins_its_clause() {
        let t = "Caprelsa is indicated for the treatment of medullary thyroid cancer. Caprelsa is indicated in adults, children and adolescents aged 5 years and older.";
        let c = split(t);
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].shared_texts(t),
            ["Caprelsa is indicated in adults, children and adolescents aged 5 years and older."]
        );
    }

    #[test]
    fn a_population_sentence_bounds_every_indication() {
        let t = "Treatment of major depressive disorder. Treatment of diabetic peripheral neuropathic pain. Treatment of generalised anxiety disorder. Cymbalta is indicated in adults.";
        let c = split(t);
        assert_eq!(c.len(), 3);
        assert!(
            c.iter()
                .all(|c| c.shared_texts(t) == ["Cymbalta is indicated in adults."])
        );
    }

    #[test]
    fn an_opening_population_sentence_bounds_the_clauses() {
        let t = "Adults, adolescents (12 years and over) and children (6 - 11 years). Alisade is indicated for the treatment of the symptoms of allergic rhinitis.";
        let c = split(t);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].heading, None);
        assert_eq!(
            c[0].shared_texts(t),
            ["Adults, adolescents (12 years and over) and children (6 - 11 years)."]
        );
    }

    #[test]
    fn a_number_ends_a_sentence() {
        let t = "Keytruda is indicated for the treatment of HNSCC in adults whose tumours express PD-L1 with a CPS ≥ 1. Keytruda is indicated for the treatment of urothelial carcinoma.";
        let c = split_with_names(t, &["Keytruda"]);
        assert_eq!(c.len(), 2);
        assert!(c[0].quote_text(t).ends_with("CPS ≥ 1."));
        assert_eq!(c[1].heading, None);
    }

    #[test]
    fn restricting_words_before_the_subject_stay_in_the_quote() {
        let t = "In patients with moderate to high-risk Transient Ischemic Attack (TIA) Clopidogrel is indicated in combination with ASA for the prevention of stroke.";
        let c = split_with_names(t, &["Clopidogrel", "clopidogrel"]);
        assert_eq!(c[0].heading, None);
        assert_eq!(c[0].quote_text(t), t);
    }

    #[test]
    fn old_style_and_empty() {
        assert_eq!(split("Treatment of diabetes mellitus.").len(), 1);
        assert!(split("").is_empty());
        assert!(split("  &nbsp; ").is_empty());
        assert_eq!(split("Some words without a verb").len(), 1);
    }

    #[test]
    fn as_indicated_by_is_not_a_verb() {
        let t = "X is indicated for the treatment of axSpA with inflammation as indicated by elevated CRP.";
        assert_eq!(split(t).len(), 1);
    }
}
