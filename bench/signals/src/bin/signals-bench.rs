//! Times every statistic for every drug–event pair on data from `signals-gen`.
//!
//! Phases, each timed: building the deduplicated report set from the (report,
//! drug) and (report, event) rows, counting `N`, the margins and every pair's `a`,
//! fitting the EBGM prior, and computing the 2×2 statistics, IC and EBGM posterior
//! for every pair. Reading the files is timed apart, and so is `closed_form` (the
//! plain-arithmetic statistics alone, without the IC and EBGM quantiles, to set
//! beside the same phase in Polars, `polars_signals.py`); neither is in `total`. Prints one JSON object with the
//! wall times (s), the sizes, the fitted prior and the peak resident memory (VmHWM).
//!
//! `signals-bench --data bench/signals/data [--stratify none|sex|age|sex,age]
//! [--sample FILE]` (`--sample` writes every pair whose `(drug·7919 + event) mod
//! 1000 = 0` as CSV, for comparison with the pandas run).

use anyhow::{Context, Result, bail};
use offlabel_signals::count::Cell;
use offlabel_signals::count::{AgeBand, Counts, ReportSet, Sex, Stratify};
use offlabel_signals::signals::{self, SignalRow};
use offlabel_signals::stats::{self, Estimate, IcQuantiles, Table2x2};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// The statistics of one pair that are plain arithmetic on its 2×2 table, as the
/// columns polars_signals.py's `closed_form` phase computes.
#[allow(dead_code)] // held only to be timed
struct ClosedForm {
    table: Table2x2,
    expected: f64,
    prr: Estimate,
    chi2_yates: f64,
    ror: Estimate,
    ic: f64,
}

impl ClosedForm {
    fn new(counts: &Counts, cell: &Cell) -> ClosedForm {
        // Unit quantiles: only the IC point estimate is wanted here.
        let unit = IcQuantiles {
            q025: 1.0,
            q975: 1.0,
        };
        let table = counts.table(cell);
        let expected = counts.expected(cell);
        ClosedForm {
            table,
            expected,
            prr: stats::prr(&table),
            chi2_yates: stats::chi2_yates(&table),
            ror: stats::ror(&table),
            ic: stats::ic_with(table.a, expected, &unit).value,
        }
    }
}

fn read_u32(path: &Path) -> Result<Vec<u32>> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "reading {}; generate the data first with signals-gen",
            path.display()
        )
    })?;
    if bytes.len() % 4 != 0 {
        bail!("{} is not an array of u32", path.display());
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = arg(&args, "--data").unwrap_or_else(|| "bench/signals/data".into());
    let data = Path::new(&data);
    let stratify = match arg(&args, "--stratify") {
        Some(s) => Stratify::parse(&s).context("--stratify: none, sex, age or sex,age")?,
        None => Stratify::None,
    };
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("meta.json")).with_context(|| {
            format!(
                "reading {}/meta.json; run signals-gen first",
                data.display()
            )
        })?,
    )?;
    let n_drugs = meta["drugs"].as_u64().context("meta.json: drugs")? as usize;
    let n_events = meta["events"].as_u64().context("meta.json: events")? as usize;

    let t = Instant::now();
    let dr = read_u32(&data.join("drug_report.u32"))?;
    let di = read_u32(&data.join("drug_id.u32"))?;
    let er = read_u32(&data.join("event_report.u32"))?;
    let ei = read_u32(&data.join("event_id.u32"))?;
    let sex_raw = std::fs::read(data.join("report_sex.u8"))?;
    let age_raw = std::fs::read(data.join("report_age.u8"))?;
    let read_s = t.elapsed().as_secs_f64();

    let total = Instant::now();
    let t = Instant::now();
    let sex: Vec<Sex> = sex_raw
        .iter()
        .map(|&s| match s {
            0 => Sex::Female,
            1 => Sex::Male,
            _ => Sex::Unknown,
        })
        .collect();
    let age: Vec<AgeBand> = age_raw
        .iter()
        .map(|&a| match a {
            0 => AgeBand::Under18,
            1 => AgeBand::Adult,
            2 => AgeBand::Over65,
            _ => AgeBand::Unknown,
        })
        .collect();
    let set = ReportSet::from_pairs(
        (0..n_drugs).map(|i| format!("d{i}")).collect(),
        (0..n_events).map(|i| format!("e{i}")).collect(),
        dr.into_iter().zip(di).collect(),
        er.into_iter().zip(ei).collect(),
        sex,
        age,
    );
    let build_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let counts = Counts::build(&set, stratify);
    let count_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let prior = signals::fit_prior(&counts)?;
    let fit_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let stats = signals::compute(&counts, prior.hyper, |_| true);
    let stats_s = t.elapsed().as_secs_f64();
    let total_s = total.elapsed().as_secs_f64();

    let signals_met: usize = stats.iter().filter(|s| !s.rules.names().is_empty()).count();
    if let Some(path) = arg(&args, "--sample") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        writeln!(f, "{}", SignalRow::CSV_HEADER)?;
        for s in stats
            .iter()
            .filter(|s| (u64::from(s.drug) * 7919 + u64::from(s.event)) % 1000 == 0)
        {
            let row = SignalRow::new(
                s,
                &set.drug_names[s.drug as usize],
                &set.event_names[s.event as usize],
            );
            writeln!(f, "{}", row.csv())?;
        }
        f.flush()?;
    }
    // Dropped first so that this phase does not raise the peak memory of the run.
    drop(stats);

    // The column-arithmetic statistics alone (no IC quantiles, no EBGM posterior),
    // timed apart from the total to set beside polars_signals.py's `closed_form`.
    let t = Instant::now();
    let closed: Vec<ClosedForm> = counts
        .cells
        .par_iter()
        .with_min_len(4096)
        .map(|c| ClosedForm::new(&counts, c))
        .collect();
    let closed_s = t.elapsed().as_secs_f64();
    std::hint::black_box(&closed);
    drop(closed);

    let out = serde_json::json!({
        "implementation": "rust",
        "threads": rayon::current_num_threads(),
        "stratify": stratify.label(),
        "reports": set.reports(),
        "reports_counted": counts.n,
        "rows": counts.rows,
        "pairs": counts.cells.len(),
        "pairs_with_a_signal": signals_met,
        "prior": prior,
        "seconds": {
            "read_files": read_s,
            "build_reports": build_s,
            "count": count_s,
            "fit_prior": fit_s,
            "statistics": stats_s,
            "total": total_s,
            "closed_form": closed_s,
        },
        "peak_rss_mib": peak_rss_mib(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
