//! Text normalisation and tokenising shared by every resolver.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One word of a question, in normalised and original form.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower-case, accents stripped.
    pub norm: String,
    /// As typed (for case-sensitive abbreviations).
    pub raw: String,
    /// Which clause of the text the word is in: clause-ending punctuation
    /// (`, ; : . ? ! ( )` and the like) starts the next one. Negation and
    /// abbreviation context never reach across a clause boundary.
    pub clause: u32,
    /// Which sentence: like `clause`, but only `. ; : ? !` and the like end one, so a
    /// comma-separated list ("denies DVT, cancer or stroke") stays in one sentence.
    pub sentence: u32,
    /// Byte offset of the word's first character in the text.
    pub start: usize,
    /// Byte offset just past the word as kept (a trailing "'s" or full stop is not part of it).
    pub end: usize,
}

/// Lower-cases, strips accents and folds typographic variants, keeping CJK characters.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' | '\u{2032}' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Splits text into word tokens. Letters, digits, `%` and `.` inside numbers stay in
/// a word; hyphens and slashes split (`80-year-old` → `80 year old`); an apostrophe-s
/// is dropped (`still's` → `still`).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut raw = String::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut clause = 0u32;
    let mut sentence = 0u32;
    // Byte offset where the word being read began.
    let mut start = 0usize;
    let flush =
        |raw: &mut String, tokens: &mut Vec<Token>, clause: u32, sentence: u32, start: usize| {
            if !raw.is_empty() {
                let trimmed = raw.trim_end_matches(['.', '\'']).to_string();
                let trimmed = trimmed.strip_suffix("'s").unwrap_or(&trimmed).to_string();
                if !trimmed.is_empty() {
                    tokens.push(Token {
                        norm: fold(&trimmed),
                        end: start + trimmed.len(),
                        raw: trimmed,
                        clause,
                        sentence,
                        start,
                    });
                }
                raw.clear();
            }
        };
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next_digit = chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        let prev_digit = i > 0 && chars[i - 1].1.is_ascii_digit();
        if is_cjk(c) {
            flush(&mut raw, &mut tokens, clause, sentence, start);
            continue;
        }
        if c.is_alphanumeric()
            || c == '%'
            || (c == '.' && prev_digit && next_digit)
            || (c == ',' && prev_digit && next_digit)
            || c == '\''
        {
            if raw.is_empty() {
                start = at;
            }
            raw.push(if c == ',' { '.' } else { c });
        } else {
            flush(&mut raw, &mut tokens, clause, sentence, start);
            if matches!(c, ',' | '(' | ')' | '，') {
                clause += 1;
            }
            if matches!(
                c,
                ';' | ':' | '.' | '?' | '!' | '¿' | '¡' | '\n' | '。' | '？'
            ) {
                clause += 1;
                sentence += 1;
            }
        }
    }
    flush(&mut raw, &mut tokens, clause, sentence, start);
    tokens
}

/// Whether a character belongs to the CJK ideograph blocks.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Normalises a lexicon phrase into its token words.
pub fn phrase_words(phrase: &str) -> Vec<String> {
    tokenize(phrase).into_iter().map(|t| t.norm).collect()
}

/// A phrase as one comparable key: its token words joined by single spaces (how the
/// layers' name indexes are keyed).
pub fn phrase_key(phrase: &str) -> String {
    phrase_words(phrase).join(" ")
}

/// Restricted Damerau-Levenshtein (optimal string alignment) distance, giving up
/// early once it must exceed `limit`. Words longer than 32 characters are never
/// compared (no term of the pack is that long), so the rows live on the stack.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        osa(a.as_bytes(), b.as_bytes(), limit)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa(&a, &b, limit)
    }
}

fn osa<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    const ROW: usize = 33;
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > limit || m >= ROW || n >= ROW {
        return None;
    }
    let mut prev2 = [0usize; ROW];
    let mut prev = [0usize; ROW];
    let mut cur = [0usize; ROW];
    for (j, p) in prev.iter_mut().enumerate().take(m + 1) {
        *p = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        prev2 = prev;
        prev = cur;
    }
    (prev[m] <= limit).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(
            fold("¿Puedo usar Opzelura para la PSORIASIS?"),
            "¿puedo usar opzelura para la psoriasis?"
        );
        assert_eq!(fold("Vitíligo"), "vitiligo");
    }

    #[test]
    fn tokenizes_hyphens_numbers_and_possessives() {
        let words: Vec<String> = tokenize("an 80-year-old, 1.5% cream; Still's disease")
            .into_iter()
            .map(|t| t.norm)
            .collect();
        assert_eq!(
            words,
            [
                "an", "80", "year", "old", "1.5%", "cream", "still", "disease"
            ]
        );
    }

    #[test]
    fn distance_handles_transpositions_and_limits() {
        assert_eq!(edit_distance("opzulera", "opzelura", 2), Some(2));
        assert_eq!(edit_distance("rinvok", "rinvoq", 1), Some(1));
        assert_eq!(edit_distance("psorasis", "psoriasis", 1), Some(1));
        assert_eq!(edit_distance("olumaint", "olumiant", 1), Some(1));
        assert_eq!(edit_distance("cream", "dream", 0), None);
        assert_eq!(edit_distance("vitíligo", "vitiligo", 1), Some(1));
        let long = "a".repeat(40);
        assert_eq!(edit_distance(&long, &format!("{long}b"), 1), None);
    }
}
