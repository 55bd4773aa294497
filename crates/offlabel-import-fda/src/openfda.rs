//! `offlabel pack import openfda-labels FILE.json[.zip]...`: openFDA drug/label records →
//! the label layer `knowledge/layers/fda-openfda/`.
//!
//! Streams: the file is read record by record (serde's sequence access over a reader), so a
//! bulk file of 250,000 labels is never held in memory; each record is turned into a label
//! and spooled to disk at once. Accepts the API's `{"meta":…, "results":[…]}` (the bulk
//! download's shape) and a bare list of records; a zip holds one or more such files.

use crate::labels::{Draft, LabelKind, LayerInfo, Options, Sink, Summary};
use crate::{ImportError, InputFile};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::io::{BufReader, Read};
use std::path::Path;

/// The layer's folder name.
pub const LAYER_NAME: &str = "fda-openfda";

const EXPECTED: &str = "openFDA drug/label results: a JSON object with a \"results\" list of label records (the bulk files drug-label-*.json[.zip] or an API response), or a bare list of records";

#[derive(Debug, Default, Deserialize)]
struct Record {
    set_id: Option<String>,
    version: Option<String>,
    effective_time: Option<String>,
    indications_and_usage: Option<Vec<String>>,
    boxed_warning: Option<Vec<String>>,
    contraindications: Option<Vec<String>>,
    purpose: Option<Vec<String>>,
    keep_out_of_reach_of_children: Option<Vec<String>>,
    active_ingredient: Option<Vec<String>>,
    spl_product_data_elements: Option<Vec<String>>,
    package_label_principal_display_panel: Option<Vec<String>>,
    #[serde(default)]
    openfda: OpenFda,
}

#[derive(Debug, Default, Deserialize)]
struct OpenFda {
    #[serde(default)]
    brand_name: Vec<String>,
    #[serde(default)]
    generic_name: Vec<String>,
    #[serde(default)]
    substance_name: Vec<String>,
    #[serde(default)]
    manufacturer_name: Vec<String>,
    #[serde(default)]
    product_type: Vec<String>,
    #[serde(default)]
    route: Vec<String>,
}

fn joined(v: &Option<Vec<String>>) -> Option<String> {
    v.as_ref()
        .map(|parts| parts.join("\n"))
        .filter(|t| !t.trim().is_empty())
}

fn draft(r: Record, source: &str) -> Draft {
    let o = &r.openfda;
    let product_type = o.product_type.join(" ").to_uppercase();
    let drug_facts = r.purpose.is_some() || r.keep_out_of_reach_of_children.is_some();
    let kind = if product_type.contains("PRESCRIPTION") {
        LabelKind::Prescription
    } else if product_type.contains("OTC") || drug_facts {
        LabelKind::Otc
    } else if product_type.is_empty() {
        // An empty openfda block: a label without Drug Facts is a prescription label.
        LabelKind::Prescription
    } else {
        LabelKind::Other
    };
    let any_says = |needle: &str| {
        [
            &r.active_ingredient,
            &r.indications_and_usage,
            &r.spl_product_data_elements,
            &r.package_label_principal_display_panel,
        ]
        .iter()
        .any(|f| {
            f.as_ref()
                .is_some_and(|v| v.iter().any(|t| t.to_lowercase().contains(needle)))
        })
    };
    let homeopathic = any_says("homeopathic") || any_says("hpus");
    // substance_name names the active moieties; generic_name is the product's generic name
    // ("AMIVANTAMAB AND HYALURONIDASE-LPUJ"), used when substance_name is absent.
    let ingredients = if !o.substance_name.is_empty() {
        o.substance_name.clone()
    } else {
        o.generic_name
            .iter()
            .flat_map(|g| g.split(" AND ").map(str::to_string))
            .collect()
    };
    Draft {
        set_id: r.set_id.clone().unwrap_or_default(),
        version: r.version.clone(),
        effective: r.effective_time.clone(),
        products: o.brand_name.clone(),
        ingredients,
        routes: o.route.clone(),
        labeler: o.manufacturer_name.first().cloned(),
        kind,
        homeopathic,
        indications: joined(&r.indications_and_usage),
        boxed_warning: joined(&r.boxed_warning),
        contraindications: joined(&r.contraindications),
        source: source.to_string(),
    }
}

/// Feeds each element of the results list to the sink as it is parsed.
struct Results<'a> {
    sink: &'a mut Sink,
    source: &'a str,
    error: &'a mut Option<ImportError>,
    seen: &'a mut usize,
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of openFDA label records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One record at a time, as a generic value first, so a record of the wrong shape
        // is reported with its set id and skipped instead of stopping the import.
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            *self.seen += 1;
            let set_id = v
                .get("set_id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("(no set id)")
                .to_string();
            if !v.is_object() {
                self.sink.malformed(
                    format!("{} record {}", self.source, self.seen),
                    "not a JSON object".into(),
                );
                continue;
            }
            match serde_json::from_value::<Record>(v) {
                Ok(r) => {
                    if let Err(e) = self.sink.take(draft(r, self.source)) {
                        self.error.get_or_insert(e);
                        return Err(serde::de::Error::custom("write failed"));
                    }
                }
                Err(e) => self
                    .sink
                    .malformed(set_id, format!("record of the wrong shape: {e}")),
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

/// The top level: an object with `results`, or a bare list.
struct Top<'a> {
    results: Results<'a>,
    found: &'a mut bool,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an openFDA response object or a list of label records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        *self.found = true;
        self.results.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut results = Some(self.results);
        while let Some(key) = map.next_key::<String>()? {
            if key == "results"
                && let Some(r) = results.take()
            {
                *self.found = true;
                map.next_value_seed(r)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

fn read_stream(
    sink: &mut Sink,
    name: &str,
    input: impl Read,
    path: &Path,
) -> Result<(), ImportError> {
    let mut error = None;
    let mut found = false;
    let mut seen = 0;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, input));
    let top = Top {
        results: Results {
            sink,
            source: name,
            error: &mut error,
            seen: &mut seen,
        },
        found: &mut found,
    };
    let parsed = de.deserialize_any(top);
    if let Some(e) = error {
        return Err(e);
    }
    let not = |what: String| ImportError::NotThisFormat {
        path: format!(
            "{}{}",
            path.display(),
            if name.is_empty() {
                String::new()
            } else {
                format!(" ({name})")
            }
        ),
        what,
        expected: EXPECTED.to_string(),
    };
    if let Err(e) = parsed {
        return Err(not(format!("it is not valid JSON of that shape ({e})")));
    }
    if !found {
        return Err(not("it has no \"results\" list".into()));
    }
    Ok(())
}

/// Imports openFDA label files into `out`.
pub fn import(files: &[&Path], out: &Path, options: Options) -> Result<Summary, ImportError> {
    let mut sink = Sink::new(out, options)?;
    let mut inputs = Vec::new();
    for &path in files {
        inputs.push(InputFile::of(path)?);
        let open = |reason: String| ImportError::Open {
            path: path.display().to_string(),
            reason,
            expected: EXPECTED,
        };
        let f = std::fs::File::open(path).map_err(|e| open(e.to_string()))?;
        let is_zip = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("zip"));
        let result = if is_zip {
            let mut zip = zip::ZipArchive::new(f).map_err(|e| open(e.to_string()))?;
            let mut names: Vec<String> = zip
                .file_names()
                .filter(|n| n.to_lowercase().ends_with(".json"))
                .map(str::to_string)
                .collect();
            names.sort();
            if names.is_empty() {
                Err(ImportError::NotThisFormat {
                    path: path.display().to_string(),
                    what: "the zip holds no .json file".into(),
                    expected: EXPECTED.to_string(),
                })
            } else {
                names.iter().try_for_each(|n| {
                    let entry = zip.by_name(n).map_err(|e| open(e.to_string()))?;
                    read_stream(&mut sink, n, entry, path)
                })
            }
        } else {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            read_stream(&mut sink, &name, f, path)
        };
        if let Err(e) = result {
            let _ = std::fs::remove_file(out.join("spool.tmp"));
            return Err(e);
        }
    }
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let info = LayerInfo {
        name: LAYER_NAME,
        title: "US labels: openFDA drug/label records",
        importer: format!(
            "offlabel pack import openfda-labels {}{}",
            names.join(" "),
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
