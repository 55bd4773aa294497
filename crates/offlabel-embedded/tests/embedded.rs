//! The embedded pack is exactly the checked `knowledge/` folder.

use offlabel_pack::Pack;
use std::path::Path;

#[test]
fn embedded_pack_matches_the_knowledge_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let from_text = match Pack::from_dir(&dir) {
        Ok(p) => p,
        Err(offlabel_pack::PackError::Invalid(diags)) => {
            let list: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
            panic!("{} problems:\n{}", list.len(), list.join("\n"));
        }
        Err(e) => panic!("{e}"),
    };
    let embedded = offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_text.to_compiled(), embedded.to_compiled());
}
