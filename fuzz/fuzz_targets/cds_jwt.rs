//! Fuzzes CDS Hooks JWT verification: any `Authorization` value must be refused (no
//! signature can be forged by chance), never panic, and the refusal reason must be one
//! of the verifier's own phrases: no newline or token text for the log.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offlabel_cdshooks::auth::{AuthError, Verifier, bearer_token};
use std::sync::LazyLock;

const PUBLIC: &str = include_str!("../../crates/offlabel-cdshooks/tests/data/test-es384-public.pem");
const AUD: &str = "https://cds.example.org/cds-services/offlabel-order-select";

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::new(PUBLIC, vec!["https://ehr.example.org".into()]).expect("test key")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The clock from the input too: exp/nbf arithmetic must not overflow anywhere.
    let now = data
        .iter()
        .take(8)
        .fold(0u64, |n, b| (n << 8) | u64::from(*b));
    for header in [text.to_string(), format!("Bearer {text}")] {
        if let Some(token) = bearer_token(&header) {
            assert!(!token.is_empty() && !token.contains(|c: char| c.is_whitespace() || c.is_control()));
        }
        match VERIFIER.verify(Some(&header), AUD, now) {
            Ok(_) => panic!("a token without the private key was accepted"),
            Err(AuthError::Invalid(reason)) => {
                assert!(!reason.contains('\n') && !reason.contains('\r'));
                assert!(reason.len() < 80);
            }
            Err(AuthError::Missing | AuthError::Replayed | AuthError::Config(_)) => {}
        }
    }
});
