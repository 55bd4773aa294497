//! Signal detection over spontaneous adverse-event reports: FAERS import,
//! deduplication, 2×2 counts, disproportionality statistics (PRR, ROR, χ², IC,
//! EBGM) and incidence rates.
//!
//! The crate's `README.md` (beside `Cargo.toml`) specifies the FAERS format read,
//! the deduplication and counting rules, every formula and the JSON fields; the
//! modules follow it:
//!
//! * [`faers`] reads FDA's quarterly ASCII extracts, line by line;
//! * [`store`] keeps them (and reads the intake service's reports) in SQLite;
//! * [`dedup`] keeps the latest version of each case;
//! * [`count`] builds `N`, the margins and the pair counts `a`;
//! * [`stats`] holds the pure statistics, [`signals`] applies them to every pair;
//! * [`run`] is one whole run (store → ranked table), as the command line and the
//!   HTTP API perform it.
//!
//! The crate knows nothing of the knowledge pack: drug names are mapped to keys by a
//! function the caller passes to [`store::Store::import_faers`] and [`run::run`].

pub mod count;
pub mod dedup;
pub mod drugs;
pub mod faers;
pub mod openfda;
pub mod run;
pub mod signals;
pub mod stats;
pub mod store;

pub use count::{AgeBand, Counts, ReportSet, Sex, Stratify};
pub use run::{Counting, RunError, Selection, SignalsReport, SortKey};
pub use signals::{PairStats, Prior, SignalRow};
pub use stats::ebgm::Hyper;
pub use store::{LoadOptions, Roles, Store, StoreError};
