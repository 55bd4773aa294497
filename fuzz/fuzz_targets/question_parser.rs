//! Fuzzes the question parser and the whole answer path: any bytes that are UTF-8
//! must give an answer or a usage error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offlabel_engine::Engine;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(offlabel_embedded::pack().expect("embedded pack is valid")));

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ENGINE.understand(text);
        if let Ok(answer) = ENGINE.ask(text) {
            assert!(answer.drug.is_none() || !answer.citations.is_empty());
        }
    }
});
