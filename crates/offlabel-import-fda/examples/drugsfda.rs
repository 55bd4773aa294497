//! Runs the Drugs@FDA import without the `offlabel` binary:
//! `cargo run -p offlabel-import-fda --example drugsfda -- FILE.zip OUT_DIR`.
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: drugsfda FILE.zip OUT_DIR");
        return std::process::ExitCode::from(2);
    };
    match offlabel_import_fda::drugsfda::import(
        std::path::Path::new(input),
        std::path::Path::new(out),
    ) {
        Ok(s) => {
            for r in &s.skipped {
                println!("skipped {}: {}", r.record, r.reason);
            }
            println!(
                "{} medicines, {} applications, {} products, complete to {}, {} bytes, {} skipped",
                s.medicines,
                s.applications,
                s.products,
                s.version,
                s.bytes,
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
