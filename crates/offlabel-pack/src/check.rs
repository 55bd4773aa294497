//! The pack linter: every problem, each with its file, record and fix.

use crate::Pack;
use offlabel_model::{AuthorisationKind, PartialDate, Validity};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One problem in a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File, relative to the pack folder.
    pub file: String,
    /// The record's id (or a line number for syntax errors).
    pub record: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Diagnostic {
    /// A new diagnostic.
    pub fn new(file: &str, record: &str, message: &str, fix: &str) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            record: record.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} (fix: {})",
            self.file, self.record, self.message, self.fix
        )
    }
}

/// The references one record makes, gathered so every family is checked alike.
struct Refs<'a> {
    family: &'static str,
    file: &'a str,
    id: &'a str,
    sources: &'a [String],
    /// The record carries a validity interval (a dated, history-bearing record).
    dated: bool,
    medicines: Vec<&'a str>,
    conditions: Vec<&'a str>,
    percents: Vec<f64>,
    counts: Vec<u32>,
    dates: Vec<PartialDate>,
    ages: Vec<u32>,
}

impl<'a> Refs<'a> {
    fn new(family: &'static str, file: &'a str, id: &'a str, sources: &'a [String]) -> Self {
        Refs {
            family,
            file,
            id,
            sources,
            dated: false,
            medicines: vec![],
            conditions: vec![],
            percents: vec![],
            counts: vec![],
            dates: vec![],
            ages: vec![],
        }
    }
}

/// Checks a pack and returns every problem found (empty when it is sound).
pub fn check(pack: &Pack) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut refs = Vec::new();
    for s in &pack.sources {
        let mut r = Refs::new("source", &s.file, &s.id, &[]);
        r.dates.extend(s.date);
        refs.push(r);
        if !(1..=5).contains(&s.reliability) {
            out.push(Diagnostic::new(
                &s.file,
                &s.id,
                &format!("reliability {} is outside 1-5", s.reliability),
                "use 5 for regulators, 4 for peer-reviewed reviews and trials, 2-3 for websites",
            ));
        }
        if s.secondary && (s.url.is_none() || s.date.is_none()) {
            out.push(Diagnostic::new(
                &s.file,
                &s.id,
                "a secondary source without a URL or a date",
                "give the page's url and the date it was read or published",
            ));
        }
        if let Some(parent) = &s.cited_in {
            if pack.source(parent).is_none() {
                out.push(Diagnostic::new(
                    &s.file,
                    &s.id,
                    &format!("cited_in names unknown source {parent:?}"),
                    "give the id of the document whose reference list holds it",
                ));
            }
            if s.reference.is_none() {
                out.push(Diagnostic::new(
                    &s.file,
                    &s.id,
                    "cited_in without a reference number",
                    "add reference = N",
                ));
            }
        }
    }
    for m in &pack.medicines {
        refs.push(Refs::new("medicine", &m.file, &m.id, &m.sources));
        for code in &m.codes {
            refs.push(Refs::new("medicine code", &m.file, &m.id, &code.sources));
        }
        for p in &m.products {
            refs.push(Refs::new("medicine product", &m.file, &p.brand, &p.sources));
        }
    }
    for c in &pack.classes {
        refs.push(Refs::new("class", &c.file, &c.id, &c.sources));
        if c.targets.is_empty() {
            out.push(Diagnostic::new(
                &c.file,
                &c.id,
                "a class with no targets has no members",
                "list the targets its members inhibit, e.g. targets = [\"JAK1\"]",
            ));
        }
    }
    for c in &pack.conditions {
        for code in &c.codes {
            refs.push(Refs::new("condition code", &c.file, &c.id, &code.sources));
        }
        let mut r = Refs::new("condition", &c.file, &c.id, &c.sources);
        r.conditions.extend(c.parent.as_deref());
        refs.push(r);
        if let Some(sub) = &c.typical_subtype
            && pack.condition(sub).and_then(|s| s.parent.as_deref()) != Some(c.id.as_str())
        {
            out.push(Diagnostic::new(
                &c.file,
                &c.id,
                &format!("typical_subtype {sub:?} is not a direct subtype"),
                "name a condition whose parent is this one",
            ));
        }
    }
    for a in &pack.authorisations {
        let mut r = Refs::new("authorisation", &a.file, &a.id, &a.sources);
        r.medicines.push(&a.medicine);
        r.conditions.extend(a.condition.as_deref());
        r.dates.extend(a.date);
        r.dates.extend(a.valid_from.iter().chain(&a.valid_to));
        r.dated = a.valid_from().is_some() || a.valid_to.is_some();
        r.ages
            .extend(a.population.age_min.iter().chain(&a.population.age_max));
        refs.push(r);
        interval(&mut out, &a.file, &a.id, &a.record);
        if a.kind == AuthorisationKind::Authorised && a.condition.is_none() {
            out.push(Diagnostic::new(
                &a.file,
                &a.id,
                "an authorised record without a condition",
                "name the condition id, or use kind = \"none_listed\"",
            ));
        }
    }
    for p in &pack.posology {
        let mut r = Refs::new("posology", &p.file, &p.id, &p.sources);
        r.medicines.push(&p.medicine);
        r.conditions.extend(p.condition.as_deref());
        r.percents.extend(p.max_bsa_percent);
        r.dates.extend(p.valid_from.iter().chain(&p.valid_to));
        r.dated = p.valid_from.is_some() || p.valid_to.is_some();
        refs.push(r);
        interval(&mut out, &p.file, &p.id, &p.record);
    }
    for e in &pack.efficacy {
        let mut r = Refs::new("efficacy", &e.file, &e.id, &e.sources);
        r.medicines.push(&e.medicine);
        r.conditions.push(&e.condition);
        r.percents.extend(e.arms.iter().map(|a| a.percent));
        r.counts.extend(e.n.iter().chain(&e.studies));
        refs.push(r);
    }
    for a in &pack.adverse_effects {
        let mut r = Refs::new("adverse_effect", &a.file, &a.id, &a.sources);
        r.medicines.extend(a.medicines.iter().map(String::as_str));
        refs.push(r);
    }
    for i in &pack.incidence_rates {
        let mut r = Refs::new("incidence_rate", &i.file, &i.id, &i.sources);
        r.medicines.push(&i.medicine);
        r.counts.extend(i.patients);
        refs.push(r);
        if i.per_100py < 0.0 || i.per_100py_max.is_some_and(|m| m < i.per_100py) {
            out.push(Diagnostic::new(
                &i.file,
                &i.id,
                "rate is negative or its range is reversed",
                "write per_100py >= 0 and per_100py_max >= per_100py",
            ));
        }
    }
    for s in &pack.statements {
        let mut r = Refs::new("statement", &s.file, &s.id, &s.sources);
        r.medicines.extend(s.medicines.iter().map(String::as_str));
        r.conditions.extend(s.conditions.iter().map(String::as_str));
        refs.push(r);
    }
    for e in &pack.regulatory_events {
        let mut r = Refs::new("regulatory_event", &e.file, &e.id, &e.sources);
        r.medicines.extend(e.medicines.iter().map(String::as_str));
        r.dates.push(e.date);
        refs.push(r);
    }
    for p in &pack.precautions {
        let mut r = Refs::new("precaution", &p.file, &p.id, &p.sources);
        r.medicines.extend(p.medicines.iter().map(String::as_str));
        r.ages.extend(p.age_min.iter().chain(&p.age_max));
        r.dates.extend(p.valid_from.iter().chain(&p.valid_to));
        r.dated = p.valid_from.is_some() || p.valid_to.is_some();
        refs.push(r);
        interval(&mut out, &p.file, &p.id, &p.record);
    }
    for d in &pack.dose_adjustments {
        let mut r = Refs::new("dose_adjustment", &d.file, &d.id, &d.sources);
        r.medicines.push(&d.medicine);
        r.ages.extend(d.age_min.iter().chain(&d.age_max));
        r.dates.extend(d.valid_from.iter().chain(&d.valid_to));
        r.dated = d.valid_from.is_some() || d.valid_to.is_some();
        refs.push(r);
        interval(&mut out, &d.file, &d.id, &d.record);
    }
    for s in &pack.screening {
        refs.push(Refs::new("screening", &s.file, &s.id, &s.sources));
    }
    for s in &pack.studies {
        let mut r = Refs::new("study", &s.file, &s.id, &s.sources);
        r.medicines.push(&s.medicine);
        r.conditions.push(&s.condition);
        r.counts.extend(s.n);
        refs.push(r);
        if !["positive", "mixed", "negative"].contains(&s.direction.as_str()) {
            out.push(Diagnostic::new(
                &s.file,
                &s.id,
                &format!(
                    "direction {:?} is not positive, mixed or negative",
                    s.direction
                ),
                "pick one of positive, mixed, negative",
            ));
        }
        if s.refs.is_empty() && s.location != "text" && s.location.starts_with("Table") {
            out.push(Diagnostic::new(
                &s.file,
                &s.id,
                "a table row without reference numbers",
                "copy the row's reference numbers into refs",
            ));
        }
        for n in &s.refs {
            if !s
                .sources
                .iter()
                .any(|id| pack.source(id).is_some_and(|src| src.reference == Some(*n)))
            {
                out.push(Diagnostic::new(
                    &s.file,
                    &s.id,
                    &format!("reference {n} is not among the study's sources"),
                    &format!(
                        "add the source whose reference = {n} (e.g. \"review-ref-{n}\") to sources"
                    ),
                ));
            }
        }
    }

    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    let mut used_medicines: HashSet<&str> = HashSet::new();
    let mut used_conditions: HashSet<&str> = HashSet::new();
    for r in &refs {
        if r.id.trim().is_empty() {
            out.push(Diagnostic::new(
                r.file,
                "(no id)",
                &format!("a {} without an id", r.family),
                "give it a unique kebab-case id",
            ));
        }
        // Products and codes are parts of their medicine or condition: same id.
        if r.family != "medicine product" && !r.family.ends_with(" code") {
            let family = if r.family == "source" {
                "source"
            } else {
                "fact"
            };
            if let Some(first) = seen.insert((family, r.id), r.file) {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("duplicate id (also in {first})"),
                    "rename one of the two records",
                ));
            }
        }
        if r.family != "source" {
            if r.sources.is_empty() {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("{} cites no source", r.family),
                    "add sources = [\"SOURCE_ID\"] naming where the fact is stated",
                ));
            }
            let cited: Vec<_> = r.sources.iter().filter_map(|s| pack.source(s)).collect();
            let traceable = |s: &&offlabel_model::Source| s.url.is_some() && s.date.is_some();
            let seeded = |s: &&offlabel_model::Source| s.seed.is_some() || s.cited_in.is_some();
            if r.dated && !cited.is_empty() && !cited.iter().any(traceable) {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("a dated {} cites no source with both a URL and a date", r.family),
                    "cite the label, regulator page or report it rests on, with url and date in sources.toml",
                ));
            } else if r.family != "medicine product"
                // An identifier may rest on the editorial record alone, like a brand.
                && !r.family.ends_with(" code")
                && !cited.is_empty()
                && !cited.iter().any(|s| traceable(s) || seeded(s))
            {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!(
                        "the {} cites neither a seed document nor a source with a URL and a date",
                        r.family
                    ),
                    "cite a seed (or a reference it numbers) or a dated source with its URL",
                ));
            }
            for s in r.sources {
                if pack.source(s).is_none() {
                    out.push(Diagnostic::new(
                        r.file,
                        r.id,
                        &format!("unknown source {s:?}"),
                        "add it to sources.toml or correct the id",
                    ));
                }
            }
        }
        for m in &r.medicines {
            used_medicines.insert(m);
            if pack.medicine(m).is_none() && pack.class(m).is_none() {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("unknown medicine {m:?}"),
                    "use a medicine id from medicines.toml or a class id from classes.toml",
                ));
            }
        }
        for c in &r.conditions {
            // A subtype naming its parent is structure, not a fact about the parent.
            if r.family != "condition" {
                used_conditions.insert(c);
            }
            if pack.condition(c).is_none() {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("unknown condition {c:?}"),
                    "use a condition id from conditions.toml",
                ));
            }
        }
        for p in &r.percents {
            if !(0.0..=100.0).contains(p) {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("percentage {p} is outside 0-100"),
                    "write percentages as numbers from 0 to 100",
                ));
            }
        }
        for n in &r.counts {
            if *n < 1 {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    "a count (n, patients, studies) below 1",
                    "leave the field out when the source gives no figure",
                ));
            }
        }
        for a in &r.ages {
            if *a > 130 {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("age {a} is above 130"),
                    "ages are in years, 0-130",
                ));
            }
        }
        for d in &r.dates {
            if pack.meta.as_of.year > 1900 && *d > pack.meta.as_of {
                out.push(Diagnostic::new(
                    r.file,
                    r.id,
                    &format!("date {d} is after the pack's as_of {}", pack.meta.as_of),
                    "correct the date or move as_of in pack.toml",
                ));
            }
        }
    }

    overlaps(pack, &mut out);
    newest_fact(pack, &mut out);
    codes(pack, &mut out);

    for m in &pack.medicines {
        if !used_medicines.contains(m.id.as_str()) {
            out.push(Diagnostic::new(
                &m.file,
                &m.id,
                "orphan medicine: no fact refers to it",
                "add facts about it or remove it",
            ));
        }
    }
    // A condition is in use when a fact names it or any of its subtypes: mark every
    // named condition and its ancestors once, so the lint stays linear in the pack.
    let mut in_use: HashSet<&str> = HashSet::with_capacity(used_conditions.len() * 4);
    for u in &used_conditions {
        for a in pack.ancestors(u) {
            if !in_use.insert(a.id.as_str()) {
                break; // This ancestor and its own ancestors are marked already.
            }
        }
    }
    for c in &pack.conditions {
        if !in_use.contains(c.id.as_str()) {
            out.push(Diagnostic::new(
                &c.file,
                &c.id,
                "orphan condition: no fact refers to it or to a subtype of it",
                "add a study, authorisation or statement about it, or remove it",
            ));
        }
        let mut cur = c.parent.as_deref();
        for _ in 0..=pack.conditions.len() {
            match cur {
                Some(p) if p == c.id => {
                    out.push(Diagnostic::new(
                        &c.file,
                        &c.id,
                        "the parent chain loops back to this condition",
                        "fix the parent fields so the hierarchy is a tree",
                    ));
                    break;
                }
                Some(p) => cur = pack.condition(p).and_then(|x| x.parent.as_deref()),
                None => break,
            }
        }
    }
    out
}

/// Codes on medicines and conditions: a system that fits the record, a code, and no
/// code claimed by two records (two medicines may share one only when they are the
/// same ingredient by another route, as RxNorm's ingredient concepts are).
fn codes(pack: &Pack, out: &mut Vec<Diagnostic>) {
    let mut medicines: HashMap<(&str, String), &str> = HashMap::new();
    for m in &pack.medicines {
        for c in &m.codes {
            lint_code(out, &m.file, &m.id, c, &["rxnorm"]);
            let key = (c.system.as_str(), offlabel_model::code_key(&c.code));
            if let Some(other) = medicines.insert(key, &m.id)
                && pack.medicine(other).map(|o| &o.ingredient) != Some(&m.ingredient)
            {
                out.push(Diagnostic::new(
                    &m.file,
                    &m.id,
                    &format!("{} code {} is also {other}'s", c.system, c.code),
                    "a code names one ingredient: correct the code on one of the two",
                ));
            }
        }
    }
    let mut conditions: HashMap<(&str, String), &str> = HashMap::new();
    for k in &pack.conditions {
        for c in &k.codes {
            lint_code(out, &k.file, &k.id, c, &["snomed", "icd10cm"]);
            let key = (c.system.as_str(), offlabel_model::code_key(&c.code));
            if let Some(other) = conditions.insert(key, &k.id) {
                out.push(Diagnostic::new(
                    &k.file,
                    &k.id,
                    &format!("{} code {} is also {other}'s", c.system, c.code),
                    "give the code to the one condition it names (a subtype inherits nothing)",
                ));
            }
        }
    }
}

fn lint_code(
    out: &mut Vec<Diagnostic>,
    file: &str,
    id: &str,
    code: &offlabel_model::Code,
    systems: &[&str],
) {
    if !systems.contains(&code.system.as_str()) {
        out.push(Diagnostic::new(
            file,
            id,
            &format!("code system {:?} is not one for this record", code.system),
            &format!("use one of: {}", systems.join(", ")),
        ));
    }
    if offlabel_model::code_key(&code.code).is_empty() {
        out.push(Diagnostic::new(
            file,
            id,
            &format!("an empty {} code", code.system),
            "give the code as the system writes it, or remove the entry",
        ));
    }
}

/// A validity interval must end after it starts.
fn interval<T: Validity>(out: &mut Vec<Diagnostic>, file: &str, id: &str, r: &T) {
    if let (Some(from), Some(to)) = (r.valid_from(), r.valid_to())
        && to <= from
    {
        out.push(Diagnostic::new(
            file,
            id,
            &format!("valid_to {to} is not after valid_from {from}"),
            "valid_to is the first day the record no longer applies: put it after valid_from",
        ));
    }
}

/// Whether two half-open intervals `[from, to)` share a day (an open end is unbounded).
fn overlap(
    a: (Option<PartialDate>, Option<PartialDate>),
    b: (Option<PartialDate>, Option<PartialDate>),
) -> bool {
    let starts_before_end = |from: Option<PartialDate>, to: Option<PartialDate>| match (from, to) {
        (Some(f), Some(t)) => f < t,
        _ => true,
    };
    starts_before_end(a.0, b.1) && starts_before_end(b.0, a.1)
}

/// Two records for the same medicine, regulator and condition (and, for dose
/// adjustments, the same patient group) must not be in force on the same day: the
/// newer one supersedes the older, which keeps its `valid_to`.
fn overlaps(pack: &Pack, out: &mut Vec<Diagnostic>) {
    type Key = (String, String, String);
    /// File, record id, valid from, valid to.
    type Entry<'a> = (&'a str, &'a str, Option<PartialDate>, Option<PartialDate>);
    let mut groups: HashMap<Key, Vec<Entry<'_>>> = HashMap::new();
    for a in pack
        .authorisations
        .iter()
        .filter(|a| a.kind == AuthorisationKind::Authorised)
    {
        let key = (
            a.medicine.clone(),
            a.regulator.to_string(),
            format!("authorisation {}", a.condition.as_deref().unwrap_or("-")),
        );
        groups
            .entry(key)
            .or_default()
            .push((&a.file, &a.id, a.valid_from(), a.valid_to));
    }
    for p in &pack.posology {
        let Some(reg) = p.regulator else { continue };
        let key = (
            p.medicine.clone(),
            reg.to_string(),
            format!("posology {}", p.condition.as_deref().unwrap_or("-")),
        );
        groups
            .entry(key)
            .or_default()
            .push((&p.file, &p.id, p.valid_from, p.valid_to));
    }
    for d in &pack.dose_adjustments {
        let key = (
            d.medicine.clone(),
            format!("{:?}", d.jurisdiction),
            format!("dose_adjustment {:?} {:?}", d.flag, d.renal),
        );
        groups
            .entry(key)
            .or_default()
            .push((&d.file, &d.id, d.valid_from, d.valid_to));
    }
    let mut keys: Vec<&Key> = groups.keys().collect();
    keys.sort();
    for key in keys {
        let records = &groups[key];
        for (i, a) in records.iter().enumerate() {
            for b in &records[i + 1..] {
                if overlap((a.2, a.3), (b.2, b.3)) {
                    out.push(Diagnostic::new(
                        b.0,
                        b.1,
                        &format!(
                            "in force at the same time as {} for {} ({}, {})",
                            a.1, key.0, key.1, key.2
                        ),
                        "give the older record valid_to = the newer one's valid_from (never delete it)",
                    ));
                }
            }
        }
    }
}

/// The pack's `as_of` is the newest date among its dated facts (decisions, validity
/// bounds, regulatory events), so an answer says how current it is.
fn newest_fact(pack: &Pack, out: &mut Vec<Diagnostic>) {
    let dates = pack
        .authorisations
        .iter()
        .flat_map(|a| [a.date, a.valid_from, a.valid_to])
        .chain(
            pack.posology
                .iter()
                .flat_map(|p| [p.valid_from, p.valid_to]),
        )
        .chain(
            pack.precautions
                .iter()
                .flat_map(|p| [p.valid_from, p.valid_to]),
        )
        .chain(
            pack.dose_adjustments
                .iter()
                .flat_map(|d| [d.valid_from, d.valid_to]),
        )
        .chain(pack.regulatory_events.iter().map(|e| Some(e.date)));
    if let Some(newest) = dates.flatten().max()
        && newest.year > 2000
        && newest != pack.meta.as_of
    {
        out.push(Diagnostic::new(
            "pack.toml",
            "[pack]",
            &format!(
                "as_of {} is not the newest fact date ({newest})",
                pack.meta.as_of
            ),
            &format!("set as_of = \"{newest}\""),
        ));
    }
}
