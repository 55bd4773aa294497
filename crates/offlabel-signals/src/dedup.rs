//! Deduplication of FAERS report versions.
//!
//! Rule (FDA's FAQ, as in the R package `faers`): per `caseid` keep the version
//! with the highest `caseversion`; ties go to the later `fda_dt`, then to the larger
//! `primaryid`. Cases listed in any DELETE file are dropped whatever their version.
//!
//! Legacy AERS versions (2004Q1–2012Q3) are stored with `caseversion` 0 and
//! `primaryid` = −ISR (so they never collide with a FAERS `primaryid`); the rule then
//! keeps, per case, any FAERS version over every AERS one, and among AERS versions the
//! later `fda_dt`, then the larger ISR.

use rustc_hash::{FxHashMap, FxHashSet};

/// One report version, as read from DEMO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// `primaryid`: the version's key, shared by all tables.
    pub primaryid: i64,
    /// `caseid`.
    pub caseid: i64,
    /// `caseversion`.
    pub caseversion: i64,
    /// `fda_dt` as `YYYYMMDD` (0 when missing).
    pub fda_dt: i64,
}

impl Version {
    fn rank(&self) -> (i64, i64, i64) {
        // A legacy version's key is −ISR: its ISR ranks it.
        (self.caseversion, self.fda_dt, self.primaryid.abs())
    }
}

/// The `primaryid`s to count, sorted: the latest version of every case not deleted.
pub fn latest(versions: impl IntoIterator<Item = Version>, deleted: &FxHashSet<i64>) -> Vec<i64> {
    let mut best: FxHashMap<i64, Version> = FxHashMap::default();
    for v in versions {
        if deleted.contains(&v.caseid) {
            continue;
        }
        best.entry(v.caseid)
            .and_modify(|b| {
                if v.rank() > b.rank() {
                    *b = v;
                }
            })
            .or_insert(v);
    }
    let mut ids: Vec<i64> = best.into_values().map(|v| v.primaryid).collect();
    ids.sort_unstable();
    ids
}

/// `fda_dt` (`YYYYMMDD`, possibly empty) as a number for comparison.
pub fn date_key(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(primaryid: i64, caseid: i64, caseversion: i64, fda_dt: i64) -> Version {
        Version {
            primaryid,
            caseid,
            caseversion,
            fda_dt,
        }
    }

    #[test]
    fn keeps_latest_version() {
        let versions = [
            v(1001, 100, 1, 20230101),
            v(1002, 100, 2, 20230201),
            v(2001, 200, 1, 20230101),
            // tie on version: later fda_dt wins
            v(3001, 300, 1, 20230101),
            v(3009, 300, 1, 20230301),
            // tie on version and date: larger primaryid wins
            v(4001, 400, 3, 20230101),
            v(4002, 400, 3, 20230101),
            v(5001, 500, 1, 20230101),
        ];
        let deleted: FxHashSet<i64> = [500].into_iter().collect();
        assert_eq!(latest(versions, &deleted), [1002, 2001, 3009, 4002]);
        // Legacy AERS versions (key −ISR, version 0): the later fda_dt, then the larger
        // ISR; any FAERS version of the same case wins; deletions apply to both.
        let versions = [
            v(-4_000_001, 600, 0, 20040102),
            v(-4_000_009, 600, 0, 20040102),
            v(-4_100_000, 700, 0, 20040301),
            v(-4_000_500, 700, 0, 20040405),
            v(-4_200_000, 800, 0, 20120901),
            v(800_001, 800, 1, 20121201),
            v(-4_300_000, 900, 0, 20050101),
        ];
        let deleted: FxHashSet<i64> = [900].into_iter().collect();
        assert_eq!(
            latest(versions, &deleted),
            [-4_000_500, -4_000_009, 800_001]
        );
    }

    #[test]
    fn dates() {
        assert_eq!(date_key("20230115"), 20230115);
        assert_eq!(date_key(""), 0);
    }
}
