//! Runs the import without the `offlabel` binary: `cargo run -p offlabel-import-ema --example import -- FILE.xlsx OUT_DIR`.
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: import FILE.xlsx OUT_DIR");
        return std::process::ExitCode::from(2);
    };
    match offlabel_import_ema::import(std::path::Path::new(input), std::path::Path::new(out)) {
        Ok(s) => {
            println!(
                "{} medicines, {} products, {} indications ({} fully read), {} rows skipped",
                s.medicines,
                s.products,
                s.indications,
                s.fully_read,
                s.skipped.len()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("import: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
