//! Tokens with byte offsets, folded for comparison (lower case, accents dropped).

use std::ops::Range;

/// One token of a text: its bytes in the text and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the text.
    pub span: Range<usize>,
    /// Lower case, accents dropped, typographic apostrophes made plain.
    pub norm: String,
}

impl Token {
    /// Whether this token ends a sentence (and so every scope).
    pub fn is_boundary(&self) -> bool {
        matches!(self.norm.as_str(), "." | "?" | "!" | ";" | "¿" | "¡")
    }

    /// Whether the token is a word or number (punctuation does not count toward a window).
    pub fn is_word(&self) -> bool {
        self.norm.chars().next().is_some_and(char::is_alphanumeric)
    }
}

/// Folds one character for comparison; `None` drops it (combining marks).
fn fold(c: char, out: &mut String) {
    let base = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        '\u{2019}' | '\u{2018}' | '`' | '´' => '\'',
        '\u{0300}'..='\u{036f}' => return,
        c => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push(base);
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}')
}

/// Splits a text into words (letters and digits, with inner apostrophes: "don't"),
/// numbers ("2.5", "1,000") and single punctuation characters. Spaces are dropped.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut norm = String::new();
        let mut end = start + c.len_utf8();
        fold(c, &mut norm);
        if c.is_alphanumeric() {
            let numeric = c.is_ascii_digit();
            while let Some(&(i, next)) = chars.peek() {
                let joins = if next.is_alphanumeric() || ('\u{0300}'..='\u{036f}').contains(&next) {
                    true
                } else if is_apostrophe(next) || (numeric && matches!(next, '.' | ',')) {
                    // Only inside a word or number: "don't", "2.5"; not a trailing "." or "'".
                    let mut ahead = text[i + next.len_utf8()..].chars();
                    ahead.next().is_some_and(|a| {
                        if numeric {
                            a.is_ascii_digit()
                        } else {
                            a.is_alphabetic()
                        }
                    })
                } else {
                    false
                };
                if !joins {
                    break;
                }
                fold(next, &mut norm);
                end = i + next.len_utf8();
                chars.next();
            }
        }
        if norm.is_empty() {
            continue;
        }
        tokens.push(Token {
            span: start..end,
            norm,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn words_numbers_and_punctuation() {
        assert_eq!(
            norms("I don't smoke; H/O PE in 2019, 2.5 mg."),
            [
                "i", "don't", "smoke", ";", "h", "/", "o", "pe", "in", "2019", ",", "2.5", "mg",
                "."
            ]
        );
        assert_eq!(
            norms("Dejé de fumar ¿sí?"),
            ["deje", "de", "fumar", "¿", "si", "?"]
        );
        assert_eq!(norms("I’ve"), ["i've"]);
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "Él dejó de fumar.";
        for t in tokenize(text) {
            assert!(text.get(t.span.clone()).is_some());
        }
    }
}
