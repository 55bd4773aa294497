//! A reader for the OBO 1.2 flat files DO publishes: `[Term]` stanzas of `tag: value` lines.
//! Only what the layer needs is kept; every other tag is read (so a malformed line is still
//! caught) and dropped.

use crate::ImportError;

/// One line of an OBO file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// Empty or whitespace.
    Blank,
    /// `! comment`.
    Comment,
    /// `[Term]`, `[Typedef]`...
    Stanza(&'a str),
    /// `tag: value`, value trimmed.
    Tag(&'a str, &'a str),
}

/// Splits one line; the error says what is wrong with it.
pub fn parse_line(line: &str) -> Result<Line<'_>, String> {
    let t = line.trim();
    if t.is_empty() {
        return Ok(Line::Blank);
    }
    if t.starts_with('!') {
        return Ok(Line::Comment);
    }
    if let Some(rest) = t.strip_prefix('[') {
        return match rest.strip_suffix(']') {
            Some(name) if !name.is_empty() && name.chars().all(char::is_alphanumeric) => {
                Ok(Line::Stanza(name))
            }
            _ => Err(format!("stanza header {t:?} is not like [Term]")),
        };
    }
    match t.split_once(':') {
        Some((tag, value))
            if !tag.is_empty()
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Ok(Line::Tag(tag, value.trim()))
        }
        _ => Err(format!("{t:?} is not a `tag: value` line")),
    }
}

/// How a synonym relates to its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The same concept.
    Exact,
    /// Near, not the same.
    Related,
    /// More specific.
    Narrow,
    /// More general.
    Broad,
}

/// A parsed `synonym:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    /// The synonym text, unescaped.
    pub text: String,
    /// Its scope.
    pub scope: Scope,
    /// Typed as an acronym (`OMO:0003012` or `synonymtypedef="acronym"`).
    pub acronym: bool,
}

/// Parses `"text" SCOPE [TYPE] [xrefs] {qualifiers}`.
pub fn parse_synonym(value: &str) -> Result<Synonym, String> {
    let rest = value
        .strip_prefix('"')
        .ok_or_else(|| format!("synonym {value:?} does not start with a quoted text"))?;
    let mut text = String::new();
    let mut chars = rest.char_indices();
    let mut after = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e)) => text.push(match e {
                    'n' => ' ',
                    't' => ' ',
                    other => other,
                }),
                None => break,
            },
            '"' => {
                after = Some(&rest[i + 1..]);
                break;
            }
            c => text.push(c),
        }
    }
    let after = after.ok_or_else(|| format!("synonym {value:?} has no closing quote"))?;
    let mut words = after.split_whitespace();
    let scope = match words.next() {
        Some("EXACT") => Scope::Exact,
        Some("RELATED") => Scope::Related,
        Some("NARROW") => Scope::Narrow,
        Some("BROAD") => Scope::Broad,
        other => {
            return Err(format!(
                "synonym {value:?} has scope {other:?}, not EXACT, RELATED, NARROW or BROAD"
            ));
        }
    };
    let tail = after
        .trim_start()
        .get(after.trim_start().find(' ').unwrap_or(0)..);
    let tail = tail.unwrap_or("").trim();
    if !tail.contains('[') || !tail.contains(']') {
        return Err(format!(
            "synonym {value:?} lacks its [xref list] (the file may be truncated)"
        ));
    }
    let acronym = tail.starts_with("OMO:0003012")
        || tail.starts_with("acronym")
        || tail.contains("synonymtypedef=\"acronym\"");
    Ok(Synonym {
        text: text.trim().to_string(),
        scope,
        acronym,
    })
}

/// A `[Term]` stanza, the parts the layer uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OboTerm {
    /// `id:`.
    pub id: String,
    /// `name:`.
    pub name: String,
    /// `synonym:` lines.
    pub synonyms: Vec<Synonym>,
    /// `alt_id:` lines.
    pub alt_ids: Vec<String>,
    /// `is_obsolete: true`.
    pub obsolete: bool,
    /// `replaced_by:`.
    pub replaced_by: Option<String>,
    /// `xref:` lines (`PREFIX:code`).
    pub xrefs: Vec<String>,
    /// 1-based line of the `[Term]` header.
    pub line: usize,
}

/// An OBO file: its header tags and its terms.
#[derive(Debug, Clone, Default)]
pub struct Obo {
    /// Header `tag: value` pairs before the first stanza.
    pub header: Vec<(String, String)>,
    /// `[Term]` stanzas in file order.
    pub terms: Vec<OboTerm>,
}

impl Obo {
    /// The first header value of a tag.
    pub fn header(&self, tag: &str) -> Option<&str> {
        self.header
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, v)| v.as_str())
    }
}

/// The first word of a value, without a trailing `! comment`.
fn first_word(value: &str) -> &str {
    value.split_whitespace().next().unwrap_or("")
}

/// Parses a whole OBO file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Obo, ImportError> {
    let err = |line: usize, message: String| ImportError::Malformed {
        file: file.to_string(),
        line,
        message,
    };
    if !text.is_empty() && !text.ends_with('\n') {
        let last = text.lines().count();
        return Err(err(
            last,
            "the file ends in the middle of a line (truncated download?)".into(),
        ));
    }
    let mut obo = Obo::default();
    let mut current: Option<OboTerm> = None;
    let mut in_stanza = false;
    let finish = |t: OboTerm, obo: &mut Obo| -> Result<(), ImportError> {
        if t.id.is_empty() || t.name.is_empty() {
            return Err(err(
                t.line,
                "this [Term] has no id or no name (truncated stanza?)".into(),
            ));
        }
        obo.terms.push(t);
        Ok(())
    };
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        match parse_line(raw).map_err(|m| err(line_no, m))? {
            Line::Blank | Line::Comment => {}
            Line::Stanza(name) => {
                if let Some(t) = current.take() {
                    finish(t, &mut obo)?;
                }
                in_stanza = true;
                if name == "Term" {
                    current = Some(OboTerm {
                        line: line_no,
                        ..OboTerm::default()
                    });
                }
            }
            Line::Tag(tag, value) => {
                if !in_stanza {
                    obo.header.push((tag.to_string(), value.to_string()));
                    continue;
                }
                let Some(t) = current.as_mut() else {
                    continue;
                };
                match tag {
                    "id" => t.id = first_word(value).to_string(),
                    "name" => t.name = value.to_string(),
                    "alt_id" => t.alt_ids.push(first_word(value).to_string()),
                    "is_obsolete" => t.obsolete = value == "true",
                    "replaced_by" => t.replaced_by = Some(first_word(value).to_string()),
                    "xref" => t.xrefs.push(first_word(value).to_string()),
                    "synonym" => t
                        .synonyms
                        .push(parse_synonym(value).map_err(|m| err(line_no, m))?),
                    _ => {}
                }
            }
        }
    }
    if let Some(t) = current.take() {
        finish(t, &mut obo)?;
    }
    Ok(obo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn synonym_forms_of_both_releases() {
        let s = parse_synonym(r#""DIL" EXACT OMO:0003012 []"#).expect("valid");
        assert_eq!(
            (s.text.as_str(), s.scope, s.acronym),
            ("DIL", Scope::Exact, true)
        );
        let s = parse_synonym(r#""a \"b\" c" RELATED [MTH:NOCODE]"#).expect("valid");
        assert_eq!((s.text.as_str(), s.scope), ("a \"b\" c", Scope::Related));
        let s = parse_synonym(r#""X" EXACT [] {synonymtypedef="acronym"}"#).expect("valid");
        assert!(s.acronym);
        assert!(parse_synonym(r#""open EXACT []"#).is_err());
        assert!(parse_synonym(r#""x" SIMILAR []"#).is_err());
        assert!(parse_synonym(r#""x" EXACT"#).is_err());
    }

    #[test]
    fn lines() {
        assert_eq!(parse_line("[Term]"), Ok(Line::Stanza("Term")));
        assert_eq!(
            parse_line("is_a: DOID:4 ! disease"),
            Ok(Line::Tag("is_a", "DOID:4 ! disease"))
        );
        assert!(parse_line("no colon here").is_err());
        assert!(parse_line("[Term").is_err());
    }

    #[test]
    fn truncated_stanza_and_file() {
        let e = parse("x.obo", "[Term]\nid: DOID:1\n").map(|_| ());
        assert!(matches!(e, Err(ImportError::Malformed { line: 1, .. })));
        let e = parse("x.obo", "[Term]\nid: DOID:1\nname: a\nsynonym: \"b").map(|_| ());
        assert!(matches!(e, Err(ImportError::Malformed { line: 4, .. })));
    }

    proptest! {
        #[test]
        fn parse_line_never_panics(s in "\\PC{0,80}") {
            let _ = parse_line(&s);
        }

        #[test]
        fn synonym_parser_never_panics(s in "\\PC{0,80}") {
            let _ = parse_synonym(&s);
        }

        #[test]
        fn quoted_text_round_trips(text in "[^\"\\\\\n]{1,40}", scope in 0usize..4) {
            let scopes = ["EXACT", "RELATED", "NARROW", "BROAD"];
            let line = format!("\"{text}\" {} []", scopes[scope]);
            let s = parse_synonym(&line).map_err(TestCaseError::fail)?;
            prop_assert_eq!(s.text, text.trim());
        }

        #[test]
        fn tag_lines_keep_tag_and_value(tag in "[a-z_]{1,12}", value in "[^\n\r]{0,40}") {
            let line = format!("{tag}: {value}");
            prop_assert_eq!(parse_line(&line), Ok(Line::Tag(tag.as_str(), value.trim())));
        }
    }
}
