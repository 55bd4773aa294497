//! Word tokens and their normal form, shared by the names of the vocabulary and the text
//! they are looked for in: both sides go through the same function, so a folding only has
//! to be consistent, not linguistically exact.

/// A word of a text: its byte span in the text and its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// Lower case, British spellings folded to American, plural `-s` dropped.
    pub norm: String,
}

/// British spellings folded to American ones inside a word (matched on the lower-case word).
/// Only fragments that occur in disease names and never inside an unrelated English word.
const SPELLINGS: &[(&str, &str)] = &[
    ("oesophag", "esophag"),
    ("haem", "hem"),
    ("aemia", "emia"),
    ("anaem", "anem"),
    ("leukaem", "leukem"),
    ("ischaem", "ischem"),
    ("oedem", "edem"),
    ("tumour", "tumor"),
    ("paediatr", "pediatr"),
    ("diarrhoea", "diarrhea"),
    ("oestr", "estr"),
    ("coeliac", "celiac"),
    ("foet", "fet"),
    ("orthopaed", "orthoped"),
    ("gynaec", "gynec"),
    ("faec", "fec"),
    ("dyspnoea", "dyspnea"),
    ("apnoea", "apnea"),
    ("amenorrhoea", "amenorrhea"),
    ("gonorrhoea", "gonorrhea"),
    ("seborrhoe", "seborrhe"),
    ("morphoea", "morphea"),
    ("sulph", "sulf"),
    ("behaviour", "behavior"),
];

/// Words written out in roman numerals after these words are read as digits
/// ("type II diabetes" = "type 2 diabetes").
const NUMBERED: &[&str] = &["type", "grade", "stage", "class", "group", "phase"];

fn roman(word: &str) -> Option<&'static str> {
    Some(match word {
        "i" => "1",
        "ii" => "2",
        "iii" => "3",
        "iv" => "4",
        "v" => "5",
        _ => return None,
    })
}

/// The normal form of one word (already lower-case).
fn normal_word(lower: &str) -> String {
    let mut w = lower.to_string();
    if w.contains(['\'', '’']) {
        // Possessive: "Crohn's" reads as "Crohn".
        for suffix in ["'s", "’s"] {
            if let Some(stem) = w.strip_suffix(suffix) {
                w = stem.to_string();
            }
        }
        w = w.replace(['\'', '’'], "");
    }
    // Every British fragment holds "ae", "oe", "our" or "ph": most words skip the table.
    if ["ae", "oe", "our", "ph"].iter().any(|f| w.contains(f)) {
        for (from, to) in SPELLINGS {
            if w.contains(from) {
                w = w.replace(from, to);
            }
        }
    }
    for (from, to) in [("isation", "ization"), ("ised", "ized"), ("ising", "izing")] {
        if let Some(stem) = w.strip_suffix(from)
            && stem.len() >= 3
        {
            w = format!("{stem}{to}");
        }
    }
    plural(w)
}

/// Drops a plural ending: "-ies" to "-y", else a final "-s" unless the word ends in
/// "-ss", "-us", "-is" or "-os" (psoriasis, lupus, herpes stays "herpe" on both sides).
fn plural(mut w: String) -> String {
    if !w.ends_with('s') {
        return w;
    }
    let n = w.chars().count();
    if n >= 5 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if n >= 4 && !["ss", "us", "is", "os"].iter().any(|e| w.ends_with(e)) {
        w.pop();
    }
    w
}

/// Splits a text into word tokens: runs of letters and digits (an apostrophe inside a word
/// stays in it); everything else separates words.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut start = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let inner_apostrophe = matches!(c, '\'' | '’')
            && start.is_some()
            && iter.peek().is_some_and(|(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            push(text, s, i, &mut out);
        }
    }
    if let Some(s) = start {
        push(text, s, text.len(), &mut out);
    }
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let lower = text[start..end].to_lowercase();
    let mut norm = normal_word(&lower);
    if let Some(prev) = out.last()
        && NUMBERED.contains(&prev.norm.as_str())
        && let Some(d) = roman(&lower)
    {
        norm = d.to_string();
    }
    if norm.is_empty() {
        return;
    }
    out.push(Token { start, end, norm });
}

/// The normal form of a whole phrase: its tokens' normal forms joined by single spaces.
pub fn normalise_phrase(text: &str) -> String {
    tokens(text)
        .into_iter()
        .map(|t| t.norm)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_plurals_and_possessives_fold() {
        assert_eq!(
            normalise_phrase("Oesophageal tumours"),
            normalise_phrase("esophageal tumor")
        );
        assert_eq!(
            normalise_phrase("Crohn's disease"),
            normalise_phrase("Crohn disease")
        );
        assert_eq!(normalise_phrase("anaemia"), normalise_phrase("anemia"));
        assert_eq!(
            normalise_phrase("type II diabetes"),
            normalise_phrase("type 2 diabetes")
        );
        assert_eq!(
            normalise_phrase("graft-versus-host"),
            normalise_phrase("graft versus host")
        );
        assert_eq!(normalise_phrase("psoriasis"), "psoriasis");
        assert_eq!(normalise_phrase("allergies"), normalise_phrase("allergy"));
    }

    #[test]
    fn spans_are_byte_offsets() {
        let t = tokens("réactions, Crohn’s");
        assert_eq!(t.len(), 2);
        assert_eq!(&"réactions, Crohn’s"[t[1].start..t[1].end], "Crohn’s");
    }
}
