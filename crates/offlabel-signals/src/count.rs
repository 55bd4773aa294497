//! From reports to 2×2 counts.
//!
//! A [`ReportSet`] holds the deduplicated reports as interned ids: per report its
//! counted drugs, its events (each listed once) and its stratum. [`Counts::build`]
//! turns it into `N`, the margins and one [`Cell`] per drug–event pair with `a ≥ 1`.
//!
//! The counting is hand-written: the pairs are bucketed by drug (one counting-sort
//! pass over the reports) and each drug's events are tallied in a dense per-thread
//! array the size of the event vocabulary, drugs in parallel. On the benchmark's
//! 20 M drug–event rows this counts 2.6× faster than the same join and group-by in
//! Polars (figures in `bench/signals/README.md`), because the dense tally stays in
//! cache and the output comes out sorted without a sort.

use crate::stats::Table2x2;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Sex of the patient, for stratification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// Female.
    Female = 0,
    /// Male.
    Male = 1,
    /// Not reported, or not F/M.
    Unknown = 2,
}

impl Sex {
    /// From a FAERS `sex` code (`F`, `M`, `UNK`, `NS`…) or an intake value
    /// (`female`, `male`…): the first letter decides.
    pub fn parse(text: &str) -> Sex {
        match text.trim().chars().next().map(|c| c.to_ascii_uppercase()) {
            Some('F') => Sex::Female,
            Some('M') => Sex::Male,
            _ => Sex::Unknown,
        }
    }

    /// The label used in output.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Unknown => "unknown",
        }
    }
}

/// Age band of the patient, for stratification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBand {
    /// Under 18 years.
    Under18 = 0,
    /// 18 to 64 years.
    Adult = 1,
    /// 65 years and over.
    Over65 = 2,
    /// Not reported.
    Unknown = 3,
}

impl AgeBand {
    /// The band of an age in years (`None` or a negative or non-finite age: unknown).
    pub fn of(age_years: Option<f64>) -> AgeBand {
        match age_years {
            Some(a) if (0.0..18.0).contains(&a) => AgeBand::Under18,
            Some(a) if a.is_finite() && (18.0..65.0).contains(&a) => AgeBand::Adult,
            Some(a) if a.is_finite() && a >= 65.0 => AgeBand::Over65,
            _ => AgeBand::Unknown,
        }
    }

    /// Parses `<18`, `18-64`, `65+` (and `under18`, `adult`, `65plus`, `unknown`).
    pub fn parse(text: &str) -> Option<AgeBand> {
        match text.trim().to_ascii_lowercase().as_str() {
            "<18" | "under18" | "0-17" => Some(AgeBand::Under18),
            "18-64" | "adult" => Some(AgeBand::Adult),
            "65+" | ">=65" | "65plus" | "65-" => Some(AgeBand::Over65),
            "unknown" => Some(AgeBand::Unknown),
            _ => None,
        }
    }

    /// The label used in output.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under18 => "<18",
            AgeBand::Adult => "18-64",
            AgeBand::Over65 => "65+",
            AgeBand::Unknown => "unknown",
        }
    }
}

/// How the expected count is stratified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Stratify {
    /// One stratum: `E = (a+b)(a+c)/N`.
    #[default]
    None,
    /// By sex (F, M, unknown).
    Sex,
    /// By age band (<18, 18–64, 65+, unknown).
    Age,
    /// By sex and age band (12 strata).
    SexAge,
}

impl Stratify {
    /// Parses `none`, `sex`, `age`, `sex,age` (or `age,sex`).
    pub fn parse(text: &str) -> Option<Stratify> {
        let mut sex = false;
        let mut age = false;
        for part in text.split([',', '+']) {
            match part.trim().to_ascii_lowercase().as_str() {
                "sex" => sex = true,
                "age" => age = true,
                "none" | "" => {}
                _ => return None,
            }
        }
        Some(match (sex, age) {
            (false, false) => Stratify::None,
            (true, false) => Stratify::Sex,
            (false, true) => Stratify::Age,
            (true, true) => Stratify::SexAge,
        })
    }

    /// The name used in output.
    pub fn label(self) -> &'static str {
        match self {
            Stratify::None => "none",
            Stratify::Sex => "sex",
            Stratify::Age => "age",
            Stratify::SexAge => "sex,age",
        }
    }

    fn strata(self) -> usize {
        match self {
            Stratify::None => 1,
            Stratify::Sex => 3,
            Stratify::Age => 4,
            Stratify::SexAge => 12,
        }
    }

    fn index(self, sex: Sex, age: AgeBand) -> usize {
        match self {
            Stratify::None => 0,
            Stratify::Sex => sex as usize,
            Stratify::Age => age as usize,
            Stratify::SexAge => sex as usize * 4 + age as usize,
        }
    }
}

/// Interns strings to dense `u32` ids.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    /// The id of `name`, adding it when new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The names, by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Deduplicated reports with interned drugs and events (compressed rows: the
/// drugs of report `r` are `drugs[drug_offsets[r]..drug_offsets[r + 1]]`, sorted
/// and unique; likewise the events).
#[derive(Debug, Clone, Default)]
pub struct ReportSet {
    /// Drug keys by id.
    pub drug_names: Vec<String>,
    /// Event names (MedDRA PT, lower case) by id.
    pub event_names: Vec<String>,
    /// Row offsets into `drugs` (one more than the number of reports).
    pub drug_offsets: Vec<u64>,
    /// Counted drug ids.
    pub drugs: Vec<u32>,
    /// Row offsets into `events`.
    pub event_offsets: Vec<u64>,
    /// Event ids.
    pub events: Vec<u32>,
    /// Sex per report.
    pub sex: Vec<Sex>,
    /// Age band per report.
    pub age: Vec<AgeBand>,
}

impl ReportSet {
    /// Builds the set from `(report, drug)` and `(report, event)` pairs in any order
    /// and with repeats; reports are `0..sex.len()` (`sex` and `age` give each
    /// report's stratum). Ids must be below the name lists' lengths.
    pub fn from_pairs(
        drug_names: Vec<String>,
        event_names: Vec<String>,
        drug_pairs: Vec<(u32, u32)>,
        event_pairs: Vec<(u32, u32)>,
        sex: Vec<Sex>,
        age: Vec<AgeBand>,
    ) -> ReportSet {
        let reports = sex.len();
        let (drug_offsets, drugs) = csr(reports, drug_pairs);
        let (event_offsets, events) = csr(reports, event_pairs);
        ReportSet {
            drug_names,
            event_names,
            drug_offsets,
            drugs,
            event_offsets,
            events,
            sex,
            age,
        }
    }

    /// Number of reports (with or without counted drugs and events).
    pub fn reports(&self) -> usize {
        self.sex.len()
    }

    /// The drugs of report `r`.
    pub fn drugs_of(&self, r: usize) -> &[u32] {
        &self.drugs[self.drug_offsets[r] as usize..self.drug_offsets[r + 1] as usize]
    }

    /// The events of report `r`.
    pub fn events_of(&self, r: usize) -> &[u32] {
        &self.events[self.event_offsets[r] as usize..self.event_offsets[r + 1] as usize]
    }

    /// Keeps only the reports for which `keep(sex, age)` holds.
    pub fn retain_strata(&mut self, keep: impl Fn(Sex, AgeBand) -> bool) {
        let mut drug_pairs = Vec::new();
        let mut event_pairs = Vec::new();
        let mut sex = Vec::new();
        let mut age = Vec::new();
        for r in 0..self.reports() {
            if !keep(self.sex[r], self.age[r]) {
                continue;
            }
            let id = sex.len() as u32;
            drug_pairs.extend(self.drugs_of(r).iter().map(|&d| (id, d)));
            event_pairs.extend(self.events_of(r).iter().map(|&e| (id, e)));
            sex.push(self.sex[r]);
            age.push(self.age[r]);
        }
        let names = (
            std::mem::take(&mut self.drug_names),
            std::mem::take(&mut self.event_names),
        );
        *self = ReportSet::from_pairs(names.0, names.1, drug_pairs, event_pairs, sex, age);
    }
}

/// Compressed rows from `(row, value)` pairs: sorted, unique values per row.
fn csr(rows: usize, mut pairs: Vec<(u32, u32)>) -> (Vec<u64>, Vec<u32>) {
    pairs.retain(|&(r, _)| (r as usize) < rows);
    if pairs.is_sorted_by_key(|p| p.0) {
        // Already grouped by row (files sorted by report): sort within rows only.
        let mut start = 0;
        while start < pairs.len() {
            let row = pairs[start].0;
            let end = start + pairs[start..].partition_point(|p| p.0 == row);
            pairs[start..end].sort_unstable();
            start = end;
        }
    } else {
        pairs.par_sort_unstable();
    }
    pairs.dedup();
    let mut offsets = vec![0u64; rows + 1];
    for &(r, _) in &pairs {
        offsets[r as usize + 1] += 1;
    }
    for i in 0..rows {
        offsets[i + 1] += offsets[i];
    }
    (offsets, pairs.into_iter().map(|(_, v)| v).collect())
}

/// One drug–event pair with at least one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// Drug id.
    pub drug: u32,
    /// Event id.
    pub event: u32,
    /// Reports with both.
    pub a: u32,
}

/// Per-stratum margins, for the stratified expected count.
#[derive(Debug, Clone, Default)]
pub struct StrataMargins {
    /// Reports per stratum.
    pub n: Vec<u64>,
    /// `drug[s * drugs + d]`: reports of stratum `s` with drug `d`.
    pub drug: Vec<u32>,
    /// `event[s * events + e]`: reports of stratum `s` with event `e`.
    pub event: Vec<u32>,
}

/// `N`, the margins and the non-empty cells.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Reports with at least one counted drug and one event.
    pub n: u64,
    /// Per drug id: reports with the drug (`a + b`).
    pub drug_margin: Vec<u64>,
    /// Per event id: reports with the event (`a + c`).
    pub event_margin: Vec<u64>,
    /// Pairs with `a ≥ 1`, sorted by drug id then event id.
    pub cells: Vec<Cell>,
    /// The stratification of the expected count.
    pub stratify: Stratify,
    /// Per-stratum margins (empty unless stratified).
    pub strata: StrataMargins,
    /// (report, drug, event) rows counted: the sum over reports of drugs × events.
    pub rows: u64,
}

impl Counts {
    /// Counts `set` (see the module documentation).
    pub fn build(set: &ReportSet, stratify: Stratify) -> Counts {
        let n_drugs = set.drug_names.len();
        let n_events = set.event_names.len();
        let strata = stratify.strata();
        let mut drug_margin = vec![0u64; n_drugs];
        let mut event_margin = vec![0u64; n_events];
        let mut margins = StrataMargins::default();
        if stratify != Stratify::None {
            margins.n = vec![0; strata];
            margins.drug = vec![0; strata * n_drugs];
            margins.event = vec![0; strata * n_events];
        }
        // Pass 1: margins and, per drug, the number of (report, event) rows.
        let mut bucket = vec![0u64; n_drugs + 1];
        let mut n = 0u64;
        for r in 0..set.reports() {
            let (drugs, events) = (set.drugs_of(r), set.events_of(r));
            if drugs.is_empty() || events.is_empty() {
                continue;
            }
            n += 1;
            for &d in drugs {
                drug_margin[d as usize] += 1;
                bucket[d as usize + 1] += events.len() as u64;
            }
            for &e in events {
                event_margin[e as usize] += 1;
            }
            if stratify != Stratify::None {
                let s = stratify.index(set.sex[r], set.age[r]);
                margins.n[s] += 1;
                for &d in drugs {
                    margins.drug[s * n_drugs + d as usize] += 1;
                }
                for &e in events {
                    margins.event[s * n_events + e as usize] += 1;
                }
            }
        }
        for i in 0..n_drugs {
            bucket[i + 1] += bucket[i];
        }
        let rows = bucket[n_drugs];
        // Pass 2: the events of each drug's reports, bucketed by drug.
        let mut by_drug = vec![0u32; rows as usize];
        let mut fill: Vec<u64> = bucket[..n_drugs].to_vec();
        for r in 0..set.reports() {
            let (drugs, events) = (set.drugs_of(r), set.events_of(r));
            if drugs.is_empty() || events.is_empty() {
                continue;
            }
            for &d in drugs {
                let at = fill[d as usize] as usize;
                by_drug[at..at + events.len()].copy_from_slice(events);
                fill[d as usize] += events.len() as u64;
            }
        }
        drop(fill);
        // Pass 3: tally each drug's events in a dense array, drugs in parallel.
        let chunk = (n_drugs / (rayon::current_num_threads() * 16)).max(1);
        let drug_ids: Vec<u32> = (0..n_drugs as u32).collect();
        let parts: Vec<Vec<Cell>> = drug_ids
            .par_chunks(chunk)
            .map(|ids| {
                let mut tally = vec![0u32; n_events];
                let mut touched: Vec<u32> = Vec::new();
                let mut out = Vec::new();
                for &d in ids {
                    let span =
                        &by_drug[bucket[d as usize] as usize..bucket[d as usize + 1] as usize];
                    for &e in span {
                        let t = &mut tally[e as usize];
                        if *t == 0 {
                            touched.push(e);
                        }
                        *t += 1;
                    }
                    touched.sort_unstable();
                    for &e in &touched {
                        out.push(Cell {
                            drug: d,
                            event: e,
                            a: tally[e as usize],
                        });
                        tally[e as usize] = 0;
                    }
                    touched.clear();
                }
                out
            })
            .collect();
        let mut cells = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for p in parts {
            cells.extend(p);
        }
        Counts {
            n,
            drug_margin,
            event_margin,
            cells,
            stratify,
            strata: margins,
            rows,
        }
    }

    /// The 2×2 table of a cell from its `a` and the margins. The margins come
    /// from the same reports as `a`, so the table is consistent; were it not, the
    /// cell keeps its `a` with empty other cells rather than failing the run.
    pub fn table(&self, cell: &Cell) -> Table2x2 {
        let a = u64::from(cell.a);
        let with_drug = self.drug_margin[cell.drug as usize];
        let with_event = self.event_margin[cell.event as usize];
        Table2x2::from_margins(a, with_drug, with_event, self.n).unwrap_or(Table2x2 {
            a,
            b: 0,
            c: 0,
            d: 0,
        })
    }

    /// The expected count of a cell: `(a+b)(a+c)/N`, or with stratification
    /// `Σ_s (a+b)_s (a+c)_s / N_s` over the strata.
    pub fn expected(&self, cell: &Cell) -> f64 {
        if self.stratify == Stratify::None {
            return self.drug_margin[cell.drug as usize] as f64
                * self.event_margin[cell.event as usize] as f64
                / self.n as f64;
        }
        let (nd, ne) = (self.drug_margin.len(), self.event_margin.len());
        let mut e = 0.0;
        for (s, &ns) in self.strata.n.iter().enumerate() {
            if ns == 0 {
                continue;
            }
            let d = self.strata.drug[s * nd + cell.drug as usize];
            let v = self.strata.event[s * ne + cell.event as usize];
            e += d as f64 * v as f64 / ns as f64;
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> ReportSet {
        // r0: d0,d1 × e0,e1; r1: d0 × e0; r2: d1 × e1 (e1 twice); r3: d0 only.
        ReportSet::from_pairs(
            vec!["d0".into(), "d1".into()],
            vec!["e0".into(), "e1".into()],
            vec![(0, 0), (0, 1), (1, 0), (2, 1), (3, 0), (0, 1)],
            vec![(0, 0), (0, 1), (1, 0), (2, 1), (2, 1)],
            vec![Sex::Female, Sex::Male, Sex::Female, Sex::Unknown],
            vec![AgeBand::Adult; 4],
        )
    }

    #[test]
    fn counts_reports_once() {
        let c = Counts::build(&set(), Stratify::None);
        assert_eq!(c.n, 3);
        assert_eq!(c.drug_margin, [2, 2]);
        assert_eq!(c.event_margin, [2, 2]);
        let cells: Vec<(u32, u32, u32)> = c.cells.iter().map(|c| (c.drug, c.event, c.a)).collect();
        assert_eq!(cells, [(0, 0, 2), (0, 1, 1), (1, 0, 1), (1, 1, 2)]);
        assert_eq!(c.rows, 6);
    }

    #[test]
    fn table_follows_from_the_margins() {
        let c = Counts::build(&set(), Stratify::None);
        // d0,e0: a=2, with d0 2, with e0 2, N=3.
        let t = c.table(&c.cells[0]);
        assert_eq!((t.a, t.b, t.c, t.d), (2, 0, 0, 1));
        // A cell the margins cannot hold keeps its a with empty other cells.
        let odd = Cell {
            drug: 0,
            event: 0,
            a: 5,
        };
        let t = c.table(&odd);
        assert_eq!((t.a, t.b, t.c, t.d), (5, 0, 0, 0));
    }

    #[test]
    fn stratified_expected_sums_strata() {
        let c = Counts::build(&set(), Stratify::Sex);
        // Cell d0,e0: F stratum n=2, d0=1, e0=1 → 0.5; M stratum n=1, 1·1/1 → 1.
        assert!((c.expected(&c.cells[0]) - 1.5).abs() < 1e-15);
        let crude = Counts::build(&set(), Stratify::None);
        assert!((crude.expected(&crude.cells[0]) - 4.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn parse_strata() {
        assert_eq!(Stratify::parse("sex,age"), Some(Stratify::SexAge));
        assert_eq!(Stratify::parse("age"), Some(Stratify::Age));
        assert_eq!(Stratify::parse("weight"), None);
        assert_eq!(AgeBand::of(Some(17.9)), AgeBand::Under18);
        assert_eq!(AgeBand::of(Some(64.99)), AgeBand::Adult);
        assert_eq!(AgeBand::of(Some(65.0)), AgeBand::Over65);
        assert_eq!(AgeBand::of(None), AgeBand::Unknown);
        assert_eq!(Sex::parse("female"), Sex::Female);
        assert_eq!(Sex::parse("UNK"), Sex::Unknown);
    }
}
