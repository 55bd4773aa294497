//! Per-stage timings of the answer engine: tokenising, lexicon scan, parsing, status,
//! patient rules and the whole `ask`. Run: cargo bench -p offlabel-engine

use criterion::{Criterion, criterion_group, criterion_main};
use offlabel_engine::patient::Patient;
use offlabel_engine::{Engine, reason, rules, text};
use offlabel_model::Jurisdiction;
use std::hint::black_box;

const QUESTIONS: [&str; 6] = [
    "Can I use Opzelura cream for psoriasis?",
    "Baricitinib dose for an 80 year old with alopecia areata",
    "¿Puedo usar Opzelura para la psoriasis?",
    "opzulera for psorasis",
    "Which JAK inhibitors have been tried for lichen planus?",
    "What tests are needed before starting a JAK inhibitor?",
];

fn stages(c: &mut Criterion) {
    let engine = Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}")));
    let pack = engine.pack();
    c.bench_function("load_pack_and_build_lexicon", |b| {
        b.iter(|| Engine::new(offlabel_embedded::pack().unwrap_or_else(|e| panic!("{e}"))))
    });
    c.bench_function("tokenize", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| text::tokenize(black_box(q)).len())
                .sum::<usize>()
        })
    });
    let tokens: Vec<_> = QUESTIONS.iter().map(|q| text::tokenize(q)).collect();
    c.bench_function("lexicon_scan", |b| {
        b.iter(|| {
            tokens
                .iter()
                .zip(QUESTIONS)
                .map(|(t, q)| engine.lexicon().scan(black_box(t), q).len())
                .sum::<usize>()
        })
    });
    c.bench_function("parse_question", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| engine.understand(black_box(q)).intents.len())
                .sum::<usize>()
        })
    });
    let old = Patient {
        age: Some(80),
        smoker: true,
        ..Patient::default()
    };
    c.bench_function("status_two_jurisdictions", |b| {
        b.iter(|| {
            [Jurisdiction::Us, Jurisdiction::Eu].map(|j| {
                reason::status(pack, "baricitinib", "alopecia-areata", black_box(&old), j).status
            })
        })
    });
    c.bench_function("evidence_ranking", |b| {
        b.iter(|| reason::studies(pack, "baricitinib", black_box("dermatomyositis")).len())
    });
    c.bench_function("patient_rules", |b| {
        b.iter(|| {
            rules::check_patient(pack, Some("baricitinib"), black_box(&old), false)
                .flags
                .len()
        })
    });
    c.bench_function("ask_end_to_end_6_questions", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| {
                    engine
                        .ask(black_box(q))
                        .map(|a| a.answer.len())
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
    c.bench_function("ask_and_serialize_json", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| {
                    engine
                        .ask(black_box(q))
                        .ok()
                        .and_then(|a| serde_json::to_vec(&a).ok())
                        .map_or(0, |v| v.len())
                })
                .sum::<usize>()
        })
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
