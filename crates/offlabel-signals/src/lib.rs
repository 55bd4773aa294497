//! Signal detection over spontaneous adverse-event reports: FAERS import,
//! deduplication, 2×2 counts, disproportionality statistics (PRR, ROR, χ², IC,
//! EBGM) and incidence rates.
//!
//! The crate README specifies the counting rule, the formulas and the file formats
//! first; the modules follow it:
//!
//! * [`faers`] reads FDA's quarterly ASCII extracts, line by line;
//! * [`store`] keeps them (and reads the intake service's reports) in SQLite;
//! * [`dedup`] keeps the latest version of each case;
//! * [`count`] builds `N`, the margins and the pair counts `a`;
//! * [`stats`] holds the pure statistics, [`signals`] applies them to every pair.
//!
//! The crate knows nothing of the knowledge pack: drug names are mapped to keys by a
//! closure the caller passes to [`store::Store::import_faers`].

pub mod count;
pub mod dedup;
pub mod faers;
pub mod signals;
pub mod stats;
pub mod store;

pub use count::{AgeBand, Counts, ReportSet, Sex, Stratify};
pub use signals::{PairStats, Prior, SignalRow};
pub use stats::ebgm::Hyper;
pub use store::{LoadOptions, Roles, Store, StoreError};
