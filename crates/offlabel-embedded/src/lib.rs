//! The knowledge pack built into the `offlabel` binary.
//!
//! At build time `build.rs` loads the workspace's `knowledge/` folder, runs the pack
//! check (a pack with errors fails the build) and embeds the compiled form; here it
//! is only decoded. The text in `knowledge/` stays the reviewed source.

use offlabel_pack::{Pack, PackError};

/// The compiled bytes of the embedded pack (see `offlabel_pack::Pack::from_compiled`).
pub static COMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pack.bin"));

/// The embedded pack, decoded.
pub fn pack() -> Result<Pack, PackError> {
    Pack::from_compiled(COMPILED)
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_pack_decodes() {
        let pack = super::pack().unwrap_or_else(|e| panic!("{e}"));
        assert!(!pack.medicines.is_empty());
    }
}
