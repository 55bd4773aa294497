//! `offlabel export fhir`: the pack as a FHIR R5 Bundle (glue over `offlabel-fhir`).

use anyhow::{Context, Result};
use clap::Subcommand;
use offlabel_engine::Engine;
use std::io::Write;
use std::path::PathBuf;

/// Export formats.
#[derive(Subcommand)]
pub enum ExportCommand {
    /// A FHIR R5 Bundle (collection): products, authorisations, clinical use, dosing,
    /// citations and evidence.
    Fhir {
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Base URL for the entries' fullUrl.
        #[arg(long, value_name = "URL", default_value = offlabel_fhir::DEFAULT_BASE)]
        base: String,
    },
}

/// Runs an export command.
pub fn run(engine: &Engine, command: ExportCommand, out: &mut impl Write) -> Result<()> {
    match command {
        ExportCommand::Fhir { out: file, base } => {
            let bundle = offlabel_fhir::bundle(engine.pack(), &base);
            let mut text = serde_json::to_string_pretty(&bundle)?;
            text.push('\n');
            match file {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
    }
    Ok(())
}
