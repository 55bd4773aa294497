//! The pack's example questions (`[pack] examples`, offered by the web page, the API
//! document and error messages) must each be understood: a medicine or a condition
//! read, so an interface never advertises a question the engine cannot answer.

use offlabel_engine::Engine;

#[test]
fn every_example_question_names_a_medicine_or_a_condition() {
    let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
    let examples = engine.pack().meta.examples.clone();
    assert!(
        !examples.is_empty(),
        "the embedded pack offers no example question"
    );
    for q in &examples {
        let answer = engine
            .ask(q)
            .unwrap_or_else(|e| panic!("{q:?} refused: {e}"));
        let v = serde_json::to_value(&answer).unwrap_or_default();
        assert!(
            !v["drug"].is_null() || !v["condition"].is_null(),
            "{q:?} reads neither a medicine nor a condition: {v:#}"
        );
    }
}
