//! Reads one clause from the command line: `read [LEAD] QUOTE` (for trying the reader).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (lead, quote) = match args.as_slice() {
        [q] => (None, q.as_str()),
        [l, q, ..] => (Some(l.as_str()), q.as_str()),
        [] => return,
    };
    println!("{:#?}", offlabel_indications::read_population(lead, quote));
}
