//! Streaming reader of openFDA drug/event files (the API's JSON, or the bulk download
//! `drug-event-NNNN-of-NNNN.json.zip`): an object whose `results` list holds one
//! adverse-event report each.
//!
//! The file is never held in memory: a serde visitor walks the top-level object,
//! skips every key but `results`, and hands its elements to the caller one at a time
//! (each read as a JSON value first, so a record of an unexpected shape is a *bad
//! record*, counted and reported with its position, never fatal). A `.zip` is read
//! from its first `.json` member, decompressed as it is read.
//!
//! Fields read (openFDA's drug event schema; every value is a string there):
//! `safetyreportid`, `safetyreportversion`, `receivedate`, `receiptdate`,
//! `occurcountry`, `primarysource.reportercountry`, `patient.patientsex` (1 male,
//! 2 female), `patient.patientonsetage` with `patientonsetageunit` (800 decade,
//! 801 year, 802 month, 803 week, 804 day, 805 hour), `patient.patientweight`, and per
//! `patient.drug[]`: `drugcharacterization` (1 suspect, 2 concomitant, 3 interacting),
//! `medicinalproduct`, `activesubstance.activesubstancename`,
//! `drugadministrationroute`; per `patient.reaction[]`: `reactionmeddrapt`.

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Why an openFDA file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum OpenFdaError {
    /// Opening or reading failed.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// The JSON is broken (cut short, not JSON, or not an object with `results`).
    #[error(
        "{path}: {reason}; expected an openFDA drug/event file: a JSON object whose `results` list holds the reports (the API's answer or a bulk drug-event-*.json(.zip) file)"
    )]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde said, with line and column.
        reason: String,
    },
    /// The `results` list holds count rows (`term`, `count`): a count query's answer.
    #[error(
        "{path}: `results` holds counts (term, count), not reports: this is the answer of a count query (`count=`); give drug/event records (the bulk download drug-event-*.json.zip, or a search without `count=`)"
    )]
    CountQuery {
        /// The file.
        path: PathBuf,
    },
    /// The object has no `results` list.
    #[error(
        "{path}: no `results` list (found keys: {found}); give drug/event records (the bulk download drug-event-*.json.zip, or the API's answer to a search)"
    )]
    NoResults {
        /// The file.
        path: PathBuf,
        /// The top-level keys seen.
        found: String,
    },
}

/// A value openFDA writes as a string (some exports write numbers).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }))
    }
}

fn text(t: &Option<Text>) -> &str {
    t.as_ref().map_or("", |t| t.0.trim())
}

/// One report (`results[i]`), the fields read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    /// The report's id.
    pub safetyreportid: Option<Text>,
    /// Its version.
    pub safetyreportversion: Option<Text>,
    /// First received by FDA (`YYYYMMDD`).
    pub receivedate: Option<Text>,
    /// This version received (`YYYYMMDD`).
    pub receiptdate: Option<Text>,
    /// Country where the event occurred.
    pub occurcountry: Option<Text>,
    /// The reporter.
    pub primarysource: Option<PrimarySource>,
    /// The patient, drugs and reactions.
    pub patient: Option<Patient>,
}

/// `primarysource`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrimarySource {
    /// The reporter's country.
    pub reportercountry: Option<Text>,
}

/// `patient`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Patient {
    /// Age at onset.
    pub patientonsetage: Option<Text>,
    /// Its unit code (800–805).
    pub patientonsetageunit: Option<Text>,
    /// 1 male, 2 female, 0 unknown.
    pub patientsex: Option<Text>,
    /// Weight in kg.
    pub patientweight: Option<Text>,
    /// Drugs.
    #[serde(default)]
    pub drug: Vec<Drug>,
    /// Reactions.
    #[serde(default)]
    pub reaction: Vec<Reaction>,
}

/// `patient.drug[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Drug {
    /// 1 suspect, 2 concomitant, 3 interacting.
    pub drugcharacterization: Option<Text>,
    /// The drug's name as reported.
    pub medicinalproduct: Option<Text>,
    /// The active substance.
    pub activesubstance: Option<ActiveSubstance>,
    /// Route code.
    pub drugadministrationroute: Option<Text>,
}

/// `activesubstance`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActiveSubstance {
    /// Its name.
    pub activesubstancename: Option<Text>,
}

/// `patient.reaction[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reaction {
    /// The MedDRA preferred term.
    pub reactionmeddrapt: Option<Text>,
}

/// A report as the store keeps it, in FAERS terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The version's key (`primaryid`).
    pub primaryid: i64,
    /// The case.
    pub caseid: i64,
    /// The version (0 for a legacy report).
    pub caseversion: i64,
    /// This version's receipt date.
    pub fda_dt: String,
    /// First receipt date.
    pub init_fda_dt: String,
    /// `F`, `M` or empty.
    pub sex: String,
    /// Age as given.
    pub age: String,
    /// Its FAERS unit (`YR`, `MON`, …) or empty.
    pub age_cod: String,
    /// Weight in kg, as given.
    pub wt: String,
    /// Reporter's country.
    pub reporter_country: String,
    /// Country of occurrence.
    pub occr_country: String,
    /// `(role, drugname, prod_ai, route)` per drug, in order; roles `PS` (the first
    /// suspect), `SS`, `C`, `I`.
    pub drugs: Vec<(String, String, String, String)>,
    /// Preferred terms.
    pub reactions: Vec<String>,
}

impl Event {
    /// The report in FAERS terms, or why it cannot be kept.
    ///
    /// `safetyreportid` is FAERS's case number. A legacy id `NNNNNNN-C` (ISR and check
    /// digit) is keyed as the legacy ASCII import keys it: `primaryid` = −ISR, version
    /// 0, and the ISR stands for its case (openFDA gives no legacy case number).
    /// Otherwise `primaryid` is the case number followed by the version's digits, as
    /// FAERS writes it.
    ///
    /// # Errors
    /// A missing or unreadable `safetyreportid` or version.
    pub fn to_report(&self) -> Result<Report, String> {
        let id = text(&self.safetyreportid);
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        let (primaryid, caseid, caseversion) = match id.split_once('-') {
            Some((isr, _check)) => {
                let isr =
                    number(isr).ok_or_else(|| format!("safetyreportid {id:?} is not NNNNNNN-C"))?;
                (-isr, -isr, 0)
            }
            None => {
                let case = number(id)
                    .ok_or_else(|| format!("safetyreportid {id:?} is not a positive number"))?;
                let v = text(&self.safetyreportversion);
                let version = if v.is_empty() {
                    1
                } else {
                    number(v).ok_or_else(|| {
                        format!("safetyreportversion {v:?} is not a positive number")
                    })?
                };
                let primary = format!("{case}{version}")
                    .parse::<i64>()
                    .map_err(|_| format!("safetyreportid {id:?} is too long"))?;
                (primary, case, version)
            }
        };
        let patient = self.patient.clone().unwrap_or_default();
        let sex = match text(&patient.patientsex) {
            "1" => "M",
            "2" => "F",
            _ => "",
        };
        let age_cod = match text(&patient.patientonsetageunit) {
            "800" => "DEC",
            "801" => "YR",
            "802" => "MON",
            "803" => "WK",
            "804" => "DY",
            "805" => "HR",
            _ => "",
        };
        let mut drugs = Vec::with_capacity(patient.drug.len());
        let mut primary_given = false;
        for d in &patient.drug {
            let role = match text(&d.drugcharacterization) {
                "1" if !primary_given => {
                    primary_given = true;
                    "PS"
                }
                "1" => "SS",
                "2" => "C",
                "3" => "I",
                _ => continue,
            };
            let name = text(&d.medicinalproduct).to_owned();
            let ai = d
                .activesubstance
                .as_ref()
                .map_or("", |a| text(&a.activesubstancename))
                .to_owned();
            if name.is_empty() && ai.is_empty() {
                continue;
            }
            drugs.push((
                role.to_owned(),
                name,
                ai,
                text(&d.drugadministrationroute).to_owned(),
            ));
        }
        let reactions = patient
            .reaction
            .iter()
            .map(|r| text(&r.reactionmeddrapt).to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(Report {
            primaryid,
            caseid,
            caseversion,
            fda_dt: text(&self.receiptdate).to_owned(),
            init_fda_dt: text(&self.receivedate).to_owned(),
            sex: sex.to_owned(),
            age: text(&patient.patientonsetage).to_owned(),
            age_cod: age_cod.to_owned(),
            wt: text(&patient.patientweight).to_owned(),
            reporter_country: self
                .primarysource
                .as_ref()
                .map_or("", |p| text(&p.reportercountry))
                .to_owned(),
            occr_country: text(&self.occurcountry).to_owned(),
            drugs,
            reactions,
        })
    }
}

/// Reads the reports of one openFDA file, calling `sink(index, record)` for each
/// element of `results` in order: `Ok(event)`, or `Err(reason)` for an element that is
/// not a report object. Returns the number of elements.
///
/// # Errors
/// The file cannot be opened, is not JSON, is cut short, or has no `results` list; or
/// `sink` failed (its message is kept).
pub fn read_events(
    path: &Path,
    sink: &mut dyn FnMut(u64, Result<Event, String>) -> Result<(), String>,
) -> Result<u64, OpenFdaError> {
    let io = |reason: String| OpenFdaError::Io {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|e| io(e.to_string()))?;
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if is_zip {
        let mut zip = zip::ZipArchive::new(file).map_err(|e| io(e.to_string()))?;
        let index = (0..zip.len())
            .find(|&i| {
                zip.name_for_index(i)
                    .is_some_and(|n| n.to_ascii_lowercase().ends_with(".json"))
            })
            .ok_or_else(|| io("the zip holds no .json file".into()))?;
        let member = zip.by_index(index).map_err(|e| io(e.to_string()))?;
        read_stream(path, BufReader::with_capacity(1 << 20, member), sink)
    } else {
        read_stream(path, BufReader::with_capacity(1 << 20, file), sink)
    }
}

fn read_stream<R: Read>(
    path: &Path,
    reader: R,
    sink: &mut dyn FnMut(u64, Result<Event, String>) -> Result<(), String>,
) -> Result<u64, OpenFdaError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut top = TopLevel {
        sink,
        count: 0,
        found: false,
        count_query: false,
        keys: Vec::new(),
    };
    let json = |e: serde_json::Error| OpenFdaError::Json {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let read = (&mut top).deserialize(&mut de);
    if top.count_query {
        return Err(OpenFdaError::CountQuery {
            path: path.to_owned(),
        });
    }
    read.map_err(json)?;
    de.end().map_err(json)?;
    if !top.found {
        return Err(OpenFdaError::NoResults {
            path: path.to_owned(),
            found: top.keys.join(", "),
        });
    }
    Ok(top.count)
}

struct TopLevel<'s> {
    sink: &'s mut dyn FnMut(u64, Result<Event, String>) -> Result<(), String>,
    count: u64,
    found: bool,
    /// `results` held count rows.
    count_query: bool,
    keys: Vec<String>,
}

impl<'de> DeserializeSeed<'de> for &mut TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut TopLevel<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with a `results` list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "results" {
                self.found = true;
                map.next_value_seed(Results { top: &mut *self })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            if self.keys.len() < 10 {
                self.keys.push(key);
            }
        }
        Ok(())
    }
}

struct Results<'a, 's> {
    top: &'a mut TopLevel<'s>,
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of reports")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One element in memory at a time.
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            if value.get("safetyreportid").is_none()
                && value.get("term").is_some()
                && value.get("count").is_some()
            {
                self.top.count_query = true;
                return Err(serde::de::Error::custom("count rows, not reports"));
            }
            let index = self.top.count;
            self.top.count += 1;
            let event = serde_json::from_value::<Event>(value).map_err(|e| e.to_string());
            (self.top.sink)(index, event).map_err(serde::de::Error::custom)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two reports in openFDA's field layout (hand-written, values as the API gives
    /// them), a legacy id, and an element that is not a report.
    const SAMPLE: &str = r#"{
 "meta": {"disclaimer": "…", "results": {"skip": 0, "limit": 3, "total": 3}},
 "results": [
  {"safetyreportversion": "2", "safetyreportid": "10003301", "receivedate": "20140306",
   "receiptdate": "20140312", "occurcountry": "US", "serious": "1",
   "primarysource": {"qualification": "1", "reportercountry": "US"},
   "patient": {"patientonsetage": "67", "patientonsetageunit": "801", "patientsex": "2",
     "reaction": [{"reactionmeddrapt": "Deep vein thrombosis", "reactionoutcome": "6"},
                  {"reactionmeddrapt": "Nausea"}],
     "drug": [{"drugcharacterization": "1", "medicinalproduct": "OLUMIANT",
               "activesubstance": {"activesubstancename": "BARICITINIB"},
               "drugadministrationroute": "048",
               "openfda": {"generic_name": ["BARICITINIB"], "brand_name": ["OLUMIANT"]}},
              {"drugcharacterization": "2", "medicinalproduct": "ASPIRIN"},
              {"drugcharacterization": "1", "medicinalproduct": "XELJANZ XR"}]}},
  {"safetyreportid": "5801206-7", "receiptdate": "20080101",
   "patient": {"patientsex": "1", "patientonsetage": "6", "patientonsetageunit": "802",
     "drug": [{"drugcharacterization": "3", "medicinalproduct": "METHOTREXATE"}],
     "reaction": [{"reactionmeddrapt": "Rash"}]}},
  {"safetyreportid": ["not", "a", "string"], "patient": 7}
 ]
}"#;

    fn read(text: &str) -> Result<Vec<Result<Report, String>>, OpenFdaError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("drug-event.json");
        std::fs::write(&path, text).expect("write");
        let mut out = Vec::new();
        read_events(&path, &mut |_, e| {
            out.push(e.and_then(|e| e.to_report()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_reports_in_the_openfda_layout() {
        let got = read(SAMPLE).expect("read");
        assert_eq!(got.len(), 3);
        let r = got[0].as_ref().expect("first");
        assert_eq!(
            (r.primaryid, r.caseid, r.caseversion),
            (100033012, 10003301, 2)
        );
        assert_eq!(
            (r.sex.as_str(), r.age.as_str(), r.age_cod.as_str()),
            ("F", "67", "YR")
        );
        assert_eq!(r.fda_dt, "20140312");
        let roles: Vec<&str> = r.drugs.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(roles, ["PS", "C", "SS"]);
        assert_eq!(r.drugs[0].2, "BARICITINIB");
        assert_eq!(r.reactions, ["deep vein thrombosis", "nausea"]);
        let legacy = got[1].as_ref().expect("legacy");
        assert_eq!(
            (legacy.primaryid, legacy.caseid, legacy.caseversion),
            (-5801206, -5801206, 0)
        );
        assert_eq!(legacy.drugs[0].0, "I");
        assert!(got[2].is_err());
    }

    #[test]
    fn broken_and_count_files_are_named() {
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        match read(cut) {
            Err(e @ OpenFdaError::Json { .. }) => assert!(e.to_string().contains("line"), "{e}"),
            other => panic!("{other:?}"),
        }
        match read(r#"{"meta": {}}"#) {
            Err(e @ OpenFdaError::NoResults { .. }) => assert!(e.to_string().contains("meta")),
            other => panic!("{other:?}"),
        }
        // The real openFDA sample of ../shared is a count query's answer.
        let real = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/fda/openfda-event/faers_count_pembrolizumab_reaction_20260811.json");
        if real.exists() {
            match read_events(&real, &mut |_, _| Ok(())) {
                Err(OpenFdaError::CountQuery { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    }
}
