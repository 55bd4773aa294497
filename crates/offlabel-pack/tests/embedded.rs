//! The embedded pack loads and passes its own check.

use offlabel_pack::Pack;

#[test]
fn embedded_pack_is_valid() {
    match Pack::embedded() {
        Ok(_) => {}
        Err(offlabel_pack::PackError::Invalid(diags)) => {
            let list: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
            panic!("{} problems:\n{}", list.len(), list.join("\n"));
        }
        Err(e) => panic!("{e}"),
    }
}
