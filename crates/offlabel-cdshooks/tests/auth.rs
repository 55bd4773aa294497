//! JWT checks as CDS Hooks 2.0 asks: ES384/RS384 only, trusted `iss`, exact `aud`,
//! `exp`, `iat`, `jti` once. The key pair in `tests/data` is a throwaway test key.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use offlabel_cdshooks::auth::{AuthError, MAX_LIFETIME_SECS, Verifier, bearer_token};
use serde_json::json;

const AUD: &str = "https://cds.example.org/cds-services/offlabel-order-select";
const ISS: &str = "https://sandbox.cds-hooks.org";
const PRIVATE: &str = include_str!("data/test-es384-private.pem");
const PUBLIC: &str = include_str!("data/test-es384-public.pem");

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn token(claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some("44823f3d-0b01-4a6c-a80e-b9d3e8a7226f".into());
    let key = EncodingKey::from_ec_pem(PRIVATE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    encode(&header, &claims, &key).unwrap_or_else(|e| panic!("{e}"))
}

fn claims(jti: &str) -> serde_json::Value {
    let t = now();
    json!({ "iss": ISS, "aud": AUD, "exp": t + 300, "iat": t, "jti": jti })
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn verifier() -> Verifier {
    Verifier::new(PUBLIC, vec![ISS.into()]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_good_token_passes_once() {
    let v = verifier();
    let t = token(claims("jti-1"));
    let ok = v
        .verify(Some(&bearer(&t)), AUD, now())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.iss, ISS);
    assert_eq!(
        v.verify(Some(&bearer(&t)), AUD, now()),
        Err(AuthError::Replayed)
    );
}

#[test]
fn bad_tokens_are_refused() {
    let v = verifier();
    assert_eq!(v.verify(None, AUD, now()), Err(AuthError::Missing));
    let wrong_aud = token(claims("a"));
    assert!(
        v.verify(
            Some(&bearer(&wrong_aud)),
            "https://cds.example.org/cds-services",
            now()
        )
        .is_err()
    );
    let mut c = claims("b");
    c["iss"] = json!("https://evil.example");
    assert!(v.verify(Some(&bearer(&token(c))), AUD, now()).is_err());
    let mut c = claims("c");
    c["exp"] = json!(now() - 3600);
    assert!(v.verify(Some(&bearer(&token(c))), AUD, now()).is_err());
    let mut c = claims("d");
    if let Some(o) = c.as_object_mut() {
        o.remove("jti");
    }
    assert!(v.verify(Some(&bearer(&token(c))), AUD, now()).is_err());
    let mut c = claims("e");
    if let Some(o) = c.as_object_mut() {
        o.remove("iat");
    }
    assert!(v.verify(Some(&bearer(&token(c))), AUD, now()).is_err());
    // HMAC with the public key as the secret (the classic confusion attack) and alg none.
    let hs = encode(
        &Header::new(Algorithm::HS384),
        &claims("f"),
        &EncodingKey::from_secret(PUBLIC.as_bytes()),
    )
    .unwrap_or_default();
    assert!(matches!(
        v.verify(Some(&bearer(&hs)), AUD, now()),
        Err(AuthError::Invalid(_))
    ));
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&claims("g").to_string())
    );
    assert!(v.verify(Some(&bearer(&none)), AUD, now()).is_err());
    // A tampered signature.
    let good = token(claims("h"));
    // A different last character (the same one would leave the token intact).
    let last = if good.ends_with('x') { 'y' } else { 'x' };
    let tampered = format!("{}{last}", &good[..good.len() - 1]);
    assert!(v.verify(Some(&bearer(&tampered)), AUD, now()).is_err());
}

#[test]
fn jwks_picks_the_key_by_kid() {
    let key = EncodingKey::from_ec_pem(PRIVATE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::ES384)
        .unwrap_or_else(|e| panic!("{e}"));
    jwk.common.key_id = Some("44823f3d-0b01-4a6c-a80e-b9d3e8a7226f".into());
    let set = json!({ "keys": [jwk] }).to_string();
    let v = Verifier::new(&set, vec![ISS.into()]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        v.verify(Some(&bearer(&token(claims("k1")))), AUD, now())
            .is_ok()
    );
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some("other".into());
    let other = encode(&header, &claims("k2"), &key).unwrap_or_default();
    assert!(v.verify(Some(&bearer(&other)), AUD, now()).is_err());
    assert!(
        Verifier::new(&set, Vec::new()).is_err(),
        "issuers are required"
    );
}

fn b64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = s.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn an_exp_near_the_top_of_u64_is_refused_not_replayable() {
    let v = verifier();
    for exp in [u64::MAX, u64::MAX - 10, 1 << 63] {
        let mut c = claims(&format!("huge-{exp}"));
        c["exp"] = json!(exp);
        let t = token(c);
        assert!(v.verify(Some(&bearer(&t)), AUD, now()).is_err());
        assert!(v.verify(Some(&bearer(&t)), AUD, now()).is_err());
    }
    // At the limit it passes once, then is a replay.
    let mut c = claims("long");
    c["exp"] = json!(now() + MAX_LIFETIME_SECS - 5);
    let t = token(c);
    assert!(v.verify(Some(&bearer(&t)), AUD, now()).is_ok());
    assert_eq!(
        v.verify(Some(&bearer(&t)), AUD, now()),
        Err(AuthError::Replayed)
    );
}

#[test]
fn nbf_in_the_future_is_refused() {
    let v = verifier();
    let mut c = claims("nbf-future");
    c["nbf"] = json!(now() + 600);
    assert_eq!(
        v.verify(Some(&bearer(&token(c))), AUD, now()),
        Err(AuthError::Invalid("not yet valid (nbf)"))
    );
    let mut c = claims("nbf-past");
    c["nbf"] = json!(now() - 10);
    assert!(v.verify(Some(&bearer(&token(c))), AUD, now()).is_ok());
}

#[test]
fn refusal_reasons_never_quote_the_token() {
    let v = verifier();
    let forged = format!(
        "{}.{}.sig",
        b64("{\"alg\":\"ES384\nINFO CDS Hooks token accepted iss=evil\",\"typ\":\"JWT\"}"),
        b64(&claims("z").to_string())
    );
    let e = v
        .verify(Some(&bearer(&forged)), AUD, now())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("invalid token"), "{e}");
    assert!(!e.contains('\n') && !e.contains("evil"), "{e}");
}

#[test]
fn the_bearer_scheme_is_case_insensitive_and_the_token_exact() {
    assert_eq!(bearer_token("Bearer abc"), Some("abc"));
    assert_eq!(bearer_token("BEARER abc"), Some("abc"));
    assert_eq!(bearer_token("bEaReR   abc"), Some("abc"));
    assert_eq!(bearer_token("Bearer abc "), None);
    assert_eq!(bearer_token("Bearer a bc"), None);
    assert_eq!(bearer_token("Bearer "), None);
    assert_eq!(bearer_token("Basic abc"), None);
    assert_eq!(bearer_token("Bearerabc"), None);
    assert_eq!(bearer_token("Bearer \u{b}abc"), None);
    assert_eq!(bearer_token("Bearer a\u{0}bc"), None);
    assert_eq!(
        bearer_token("Bearer a.b-c_d~e+f/g=="),
        Some("a.b-c_d~e+f/g==")
    );
    let v = verifier();
    let t = token(claims("case"));
    assert!(v.verify(Some(&format!("BEARER {t}")), AUD, now()).is_ok());
}
