//! `offlabel pack import spl DIR|ZIP`: Structured Product Labels (DailyMed's XML) → the
//! label layer `knowledge/layers/fda-spl/`.
//!
//! Reads a folder of `.xml` files, a zip of them, or DailyMed's zip of zips (each inner zip
//! holding one label's XML and its images), one label at a time. An XML that is not an SPL
//! document is refused with what was expected; a label that cannot be parsed is reported
//! (file, reason) and skipped, and more than 1% skipped fails the import.

use crate::labels::{Draft, LabelKind, LayerInfo, Options, Sink, Summary};
use crate::{ImportError, InputFile};
use quick_xml::events::Event;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The layer's folder name.
pub const LAYER_NAME: &str = "fda-spl";

const EXPECTED: &str = "SPL XML (an HL7 <document> in the urn:hl7-org:v3 namespace, as DailyMed publishes it): a folder of .xml files, a zip of them, or DailyMed's zip of zips";

/// LOINC section codes the reader keeps.
const INDICATIONS: &str = "34067-9";
const BOXED_WARNING: &str = "34066-1";
const CONTRAINDICATIONS: &str = "34070-3";

/// Reads one SPL document. `Err` when it is not SPL or not well-formed.
pub fn read_spl(source: &str, input: impl BufRead) -> Result<Draft, String> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut d = Draft {
        source: source.to_string(),
        ..Draft::default()
    };
    // Element path (local names) from the root.
    let mut path: Vec<String> = Vec::new();
    // Open sections: (depth in `path`, LOINC code).
    let mut sections: Vec<(usize, String)> = Vec::new();
    // The text being collected for a kept section: (section depth, code, text).
    let mut collecting: Option<(usize, String, String)> = None;
    let mut excerpt_depth: Option<usize> = None;
    let mut title_text: Option<String> = None;
    let mut name_text: Option<(String, String)> = None; // (what, text)
    let mut doc_type: Option<String> = None;
    let mut pending_ingredient = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        let is_start = matches!(event, Event::Start(_));
        let decoder = reader.decoder();
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    let ns_ok = e.attributes().flatten().any(|a| {
                        a.key.as_ref() == b"xmlns" && a.value.as_ref() == b"urn:hl7-org:v3"
                    });
                    if name != "document" || !ns_ok {
                        return Err(format!(
                            "root element <{name}> is not an SPL <document> in urn:hl7-org:v3"
                        ));
                    }
                }
                let attr = |key: &[u8]| -> Option<String> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .and_then(|a| {
                            a.decode_and_unescape_value(decoder)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                let parent = path.last().map(String::as_str);
                let depth = path.len();
                match (name.as_str(), parent) {
                    ("code", Some("document")) => doc_type = attr(b"code"),
                    ("setId", Some("document")) => d.set_id = attr(b"root").unwrap_or_default(),
                    ("versionNumber", Some("document")) => d.version = attr(b"value"),
                    ("effectiveTime", Some("document")) => d.effective = attr(b"value"),
                    ("code", Some("section")) => {
                        if let Some(code) = attr(b"code")
                            && let Some(s) = sections.last_mut()
                            && s.1.is_empty()
                        {
                            s.1 = code.clone();
                            if collecting.is_none()
                                && [INDICATIONS, BOXED_WARNING, CONTRAINDICATIONS]
                                    .contains(&code.as_str())
                            {
                                collecting = Some((s.0, code, String::new()));
                            }
                        }
                    }
                    ("routeCode", _) => {
                        if let Some(r) = attr(b"displayName") {
                            d.routes.push(r);
                        }
                    }
                    ("ingredient", _) => {
                        pending_ingredient =
                            attr(b"classCode").is_some_and(|c| c.starts_with("ACTI"));
                    }
                    ("activeIngredientSubstance", _) => pending_ingredient = true,
                    _ => {}
                }
                if is_start {
                    if name == "section" {
                        sections.push((depth, String::new()));
                    }
                    if name == "excerpt" && collecting.is_some() {
                        excerpt_depth.get_or_insert(depth);
                    }
                    if name == "title" && collecting.is_some() && excerpt_depth.is_none() {
                        title_text = Some(String::new());
                    }
                    if name == "name" {
                        let p: Vec<&str> = path.iter().rev().take(2).map(String::as_str).collect();
                        let what = match p.as_slice() {
                            ["representedOrganization", "assignedEntity", ..]
                                if d.labeler.is_none() && path.len() <= 4 =>
                            {
                                Some("labeler")
                            }
                            ["manufacturedProduct", "manufacturedProduct", ..]
                            | ["manufacturedMedicine", ..] => Some("product"),
                            ["ingredientSubstance", ..] | ["activeIngredientSubstance", ..]
                                if pending_ingredient =>
                            {
                                Some("ingredient")
                            }
                            _ => None,
                        };
                        if let Some(w) = what {
                            name_text = Some((w.to_string(), String::new()));
                        }
                    }
                    if matches!(name.as_str(), "paragraph" | "item" | "br")
                        && let Some((_, _, t)) = collecting.as_mut()
                        && excerpt_depth.is_none()
                        && !t.ends_with('\n')
                        && !t.is_empty()
                    {
                        t.push('\n');
                    }
                    path.push(name);
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let depth = path.len();
                if name == "section" {
                    sections.pop();
                    if collecting.as_ref().is_some_and(|c| c.0 == depth)
                        && let Some((_, code, text)) = collecting.take()
                    {
                        let text = tidy(&text);
                        let slot = match code.as_str() {
                            INDICATIONS => &mut d.indications,
                            BOXED_WARNING => &mut d.boxed_warning,
                            _ => &mut d.contraindications,
                        };
                        if slot.is_none() && !text.is_empty() {
                            *slot = Some(text);
                        }
                    }
                }
                if name == "excerpt" && excerpt_depth == Some(depth) {
                    excerpt_depth = None;
                }
                if name == "title"
                    && let Some(t) = title_text.take()
                    && let Some((sd, _, text)) = collecting.as_mut()
                    && sections.last().is_some_and(|s| s.0 > *sd)
                {
                    // A subsection's title ("1.1 Rheumatoid Arthritis") is a heading; its
                    // number is not.
                    let t = t
                        .trim()
                        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                    if !t.trim().is_empty() {
                        text.push('\n');
                        text.push_str(t.trim());
                        text.push('\n');
                    }
                }
                if name == "name"
                    && let Some((what, t)) = name_text.take()
                {
                    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !t.is_empty() {
                        match what.as_str() {
                            "labeler" => d.labeler = Some(t),
                            "product" => d.products.push(t),
                            _ => d.ingredients.push(t.to_uppercase()),
                        }
                    }
                }
                if matches!(name.as_str(), "paragraph" | "item")
                    && let Some((_, _, t)) = collecting.as_mut()
                    && excerpt_depth.is_none()
                {
                    t.push('\n');
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| format!("bad text encoding: {e}"))?;
                push_text(
                    &s,
                    &mut title_text,
                    &mut name_text,
                    &mut collecting,
                    excerpt_depth,
                );
            }
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let n = r.decode().map_err(|e| format!("bad entity: {e}"))?;
                        quick_xml::escape::resolve_predefined_entity(&n)
                            .unwrap_or_default()
                            .to_string()
                    }
                };
                push_text(
                    &s,
                    &mut title_text,
                    &mut name_text,
                    &mut collecting,
                    excerpt_depth,
                );
            }
            Event::CData(t) => {
                let s = String::from_utf8_lossy(&t).into_owned();
                push_text(
                    &s,
                    &mut title_text,
                    &mut name_text,
                    &mut collecting,
                    excerpt_depth,
                );
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if path.is_empty() && d.set_id.is_empty() && doc_type.is_none() {
        return Err("empty document".into());
    }
    d.kind = match doc_type.as_deref() {
        Some("34391-3") => LabelKind::Prescription,
        Some("34390-5") => LabelKind::Otc,
        _ => LabelKind::Other,
    };
    d.homeopathic = d.ingredients.iter().any(|i| i.contains("HPUS"))
        || d.indications
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains("homeopathic"));
    d.products.dedup();
    d.ingredients.dedup();
    Ok(d)
}

fn push_text(
    s: &str,
    title: &mut Option<String>,
    name: &mut Option<(String, String)>,
    collecting: &mut Option<(usize, String, String)>,
    excerpt: Option<usize>,
) {
    if let Some(t) = title.as_mut() {
        t.push_str(s);
        return;
    }
    if let Some((_, t)) = name.as_mut() {
        t.push_str(s);
    }
    if excerpt.is_none()
        && let Some((_, _, t)) = collecting.as_mut()
    {
        t.push_str(s);
    }
}

/// Whitespace runs within a line become one space; blank lines go.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Imports SPL from `input` (folder, zip, zip of zips) into `out`.
pub fn import(input: &Path, out: &Path, options: Options) -> Result<Summary, ImportError> {
    let open = |reason: String| ImportError::Open {
        path: input.display().to_string(),
        reason,
        expected: EXPECTED,
    };
    let mut sink = Sink::new(out, options)?;
    let mut inputs = Vec::new();
    let mut xml_seen = 0usize;
    let mut not_spl: Vec<String> = Vec::new();
    let mut take = |sink: &mut Sink, name: &str, r: &mut dyn Read| -> Result<(), ImportError> {
        xml_seen += 1;
        match read_spl(name, BufReader::new(r)) {
            Ok(d) => sink.take(d),
            Err(reason) if reason.starts_with("root element") => {
                not_spl.push(format!("{name}: {reason}"));
                Ok(())
            }
            Err(reason) => {
                sink.malformed(name.to_string(), reason);
                Ok(())
            }
        }
    };
    if input.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(input)
            .map_err(|e| open(e.to_string()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
            .collect();
        files.sort();
        for p in files {
            inputs.push(InputFile::of(&p)?);
            let mut f = std::fs::File::open(&p).map_err(|e| open(e.to_string()))?;
            let name = p
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            take(&mut sink, &name, &mut f)?;
        }
    } else {
        inputs.push(InputFile::of(input)?);
        let f = std::fs::File::open(input).map_err(|e| open(e.to_string()))?;
        let mut zip = zip::ZipArchive::new(f).map_err(|e| open(e.to_string()))?;
        let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
        names.sort();
        for name in names {
            let lower = name.to_lowercase();
            let mut entry = zip.by_name(&name).map_err(|e| open(e.to_string()))?;
            if lower.ends_with(".xml") {
                take(&mut sink, &name, &mut entry)?;
            } else if lower.ends_with(".zip") {
                // DailyMed's release: one small zip per label; read it in memory.
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(|e| open(format!("{name}: {e}")))?;
                let mut inner = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
                    Ok(z) => z,
                    Err(e) => {
                        sink.malformed(name.clone(), format!("inner zip unreadable: {e}"));
                        continue;
                    }
                };
                for i in 0..inner.len() {
                    let Ok(mut e) = inner.by_index(i) else {
                        continue;
                    };
                    if e.name().to_lowercase().ends_with(".xml") {
                        let label = format!("{name}/{}", e.name());
                        take(&mut sink, &label, &mut e)?;
                    }
                }
            }
        }
    }
    if xml_seen == 0 || (not_spl.len() == xml_seen) {
        let _ = std::fs::remove_file(out.join("spool.tmp"));
        return Err(ImportError::NotThisFormat {
            path: input.display().to_string(),
            what: if xml_seen == 0 {
                "it holds no .xml file".into()
            } else {
                not_spl.first().cloned().unwrap_or_default()
            },
            expected: EXPECTED.to_string(),
        });
    }
    for n in not_spl {
        sink.refuse_other(n);
    }
    let info = LayerInfo {
        name: LAYER_NAME,
        title: "US labels: Structured Product Labels (DailyMed)",
        importer: format!(
            "offlabel pack import spl {}{}",
            input
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            if options.otc { " --otc" } else { "" }
        ),
        scope: if options.otc {
            "human prescription and OTC labels".into()
        } else {
            "human prescription labels".into()
        },
    };
    sink.finish(out, &info, &inputs)
}
