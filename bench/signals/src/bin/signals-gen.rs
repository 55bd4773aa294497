//! Generates FAERS-shaped report data for the signal benchmark.
//!
//! Reports list 1 + Geometric(1/2) drugs and 1 + Geometric(2/5) events (capped at
//! 20), drawn from Zipf(s) distributions over the drug and event vocabularies, until
//! the drug × event cross products add up to `--rows` (report, drug, event) rows.
//! So that the data hold true signals (as FAERS does), each drug has three
//! "signature" events, and each event of a report is, with probability 1/10, one of
//! the signature events of one of the report's drugs instead of a Zipf draw. Sex and
//! age band are drawn per report. Seeded and deterministic.
//!
//! Output (little-endian arrays, readable with `numpy.fromfile`), in `--out`:
//! `drug_report.u32`, `drug_id.u32`, `event_report.u32`, `event_id.u32`,
//! `report_sex.u8` (0 F, 1 M, 2 unknown), `report_age.u8` (0 <18, 1 18–64, 2 65+,
//! 3 unknown) and `meta.json`.
//!
//! `signals-gen --out bench/signals/data [--rows 20000000] [--drugs 5000]
//! [--events 20000] [--zipf 1.0] [--seed 42]`

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::PathBuf;

/// xoshiro256** seeded through SplitMix64.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// 1 + Geometric(p), capped.
    fn count(&mut self, p: f64, cap: u32) -> u32 {
        let mut k = 1;
        while k < cap && self.uniform() >= p {
            k += 1;
        }
        k
    }
}

/// Cumulative Zipf(s) weights over ranks 1..=n.
fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut cdf = Vec::with_capacity(n);
    let mut acc = 0.0;
    for k in 1..=n {
        acc += 1.0 / (k as f64).powf(s);
        cdf.push(acc);
    }
    for v in &mut cdf {
        *v /= acc;
    }
    cdf
}

fn draw(cdf: &[f64], rng: &mut Rng) -> u32 {
    let u = rng.uniform();
    cdf.partition_point(|&c| c <= u).min(cdf.len() - 1) as u32
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn write_u32(path: PathBuf, data: &[u32]) -> Result<()> {
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    for v in data {
        f.write_all(&v.to_le_bytes())?;
    }
    f.flush()?;
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = arg(&args, "--out").map(PathBuf::from) else {
        bail!(
            "usage: signals-gen --out DIR [--rows N] [--drugs N] [--events N] [--zipf S] [--seed N]"
        );
    };
    let num = |name: &str, default: f64| -> Result<f64> {
        arg(&args, name).map_or(Ok(default), |v| {
            v.parse::<f64>()
                .with_context(|| format!("{name}: {v:?} is not a number"))
        })
    };
    let rows_target = num("--rows", 20_000_000.0)? as u64;
    let n_drugs = num("--drugs", 5_000.0)? as usize;
    let n_events = num("--events", 20_000.0)? as usize;
    let s = num("--zipf", 1.0)?;
    let seed = num("--seed", 42.0)? as u64;
    if n_drugs == 0 || n_events == 0 {
        bail!("--drugs and --events must be positive");
    }
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let (drug_cdf, event_cdf) = (zipf_cdf(n_drugs, s), zipf_cdf(n_events, s));
    let signature: Vec<[u32; 3]> = (0..n_drugs)
        .map(|_| {
            let mut pick = || (rng.uniform() * n_events as f64) as u32 % n_events as u32;
            [pick(), pick(), pick()]
        })
        .collect();
    let (mut dr, mut di, mut er, mut ei) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut sex, mut age) = (Vec::new(), Vec::new());
    let mut rows = 0u64;
    let mut report = 0u32;
    while rows < rows_target {
        let kd = rng.count(0.5, 20);
        let ke = rng.count(0.4, 20);
        let first = di.len();
        for _ in 0..kd {
            dr.push(report);
            di.push(draw(&drug_cdf, &mut rng));
        }
        for _ in 0..ke {
            er.push(report);
            let e = if rng.uniform() < 0.1 {
                let d = di[first + (rng.uniform() * f64::from(kd)) as usize % kd as usize];
                signature[d as usize][(rng.uniform() * 3.0) as usize % 3]
            } else {
                draw(&event_cdf, &mut rng)
            };
            ei.push(e);
        }
        let u = rng.uniform();
        sex.push(if u < 0.55 {
            0u8
        } else if u < 0.93 {
            1
        } else {
            2
        });
        let u = rng.uniform();
        age.push(if u < 0.06 {
            0u8
        } else if u < 0.5 {
            1
        } else if u < 0.8 {
            2
        } else {
            3
        });
        rows += u64::from(kd) * u64::from(ke);
        report += 1;
    }
    write_u32(out.join("drug_report.u32"), &dr)?;
    write_u32(out.join("drug_id.u32"), &di)?;
    write_u32(out.join("event_report.u32"), &er)?;
    write_u32(out.join("event_id.u32"), &ei)?;
    std::fs::write(out.join("report_sex.u8"), &sex)?;
    std::fs::write(out.join("report_age.u8"), &age)?;
    let meta = serde_json::json!({
        "reports": report, "drugs": n_drugs, "events": n_events, "rows": rows,
        "drug_rows": dr.len(), "event_rows": er.len(), "zipf": s, "seed": seed,
    });
    std::fs::write(out.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
    println!("{meta}");
    Ok(())
}
