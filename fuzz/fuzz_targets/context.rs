//! Fuzzes the context module (ConText): any UTF-8 text and any byte range must give an
//! assessment, never a panic; `locate` finds only ranges inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = offlabel_context::Context::get();
    let n = text.len();
    let a = data.first().map_or(0, |b| *b as usize) % (n + 2);
    let b = data.last().map_or(0, |b| *b as usize) % (n + 2);
    let _ = ctx.assess(text, a..b);
    let prepared = ctx.prepare(text);
    let _ = prepared.assess_tokens(a..b);
    let (head, tail) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    for phrase in [head, tail] {
        if let Some(r) = offlabel_context::locate(text, phrase) {
            assert!(text.get(r).is_some());
        }
    }
});
