//! CDS Hooks 2.0 client authentication: the EHR's signed JWT (`Authorization: Bearer`).
//!
//! Checks, as the specification asks: `alg` is ES384 or RS384 (never `none` or HMAC),
//! `kid` picks the key from the configured JWK Set (or the one configured PEM key),
//! `iss` is a trusted issuer, `aud` is exactly the endpoint URL, `exp` is in the future,
//! `iat` and `jti` are present, and a `jti` is accepted once (replay cache, kept until
//! the token expires). Failures carry a reason for the log, never for the client.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Why a token was refused (the HTTP answer is a bare 401 either way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("no bearer token")]
    Missing,
    /// Not a JWT, bad signature, wrong algorithm, claims missing or wrong.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The `jti` was seen before.
    #[error("token replayed (jti seen before)")]
    Replayed,
    /// The key configuration cannot be read.
    #[error("CDS Hooks key configuration: {0}")]
    Config(String),
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Claims {
    iss: String,
    exp: u64,
    iat: u64,
    jti: String,
    #[serde(default)]
    tenant: Option<String>,
}

enum Keys {
    Set(JwkSet),
    Single(DecodingKey, Algorithm),
}

/// Verifies EHR tokens and remembers their `jti`s.
pub struct Verifier {
    keys: Keys,
    issuers: Vec<String>,
    seen: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.issuers)
            .finish_non_exhaustive()
    }
}

/// What a verified token said (safe to log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The issuer.
    pub iss: String,
    /// The token id.
    pub jti: String,
    /// The tenant, when given.
    pub tenant: Option<String>,
}

impl Verifier {
    /// Builds a verifier from key material: a JWK Set (JSON `{"keys": [...]}`) or one
    /// PEM public key (EC P-384 → ES384, RSA → RS384), and the trusted issuers.
    ///
    /// # Errors
    /// [`AuthError::Config`] when the key cannot be read or no issuer is given.
    pub fn new(key_material: &str, issuers: Vec<String>) -> Result<Verifier, AuthError> {
        if issuers.is_empty() {
            return Err(AuthError::Config(
                "no trusted issuer: set OFFLABEL_CDS_ISSUERS".into(),
            ));
        }
        let text = key_material.trim();
        let keys = if text.starts_with('{') {
            let set: JwkSet = serde_json::from_str(text)
                .map_err(|e| AuthError::Config(format!("not a JWK Set: {e}")))?;
            Keys::Set(set)
        } else if text.contains("BEGIN PUBLIC KEY") || text.contains("BEGIN RSA PUBLIC KEY") {
            match DecodingKey::from_ec_pem(text.as_bytes()) {
                Ok(k) if !text.contains("RSA") => Keys::Single(k, Algorithm::ES384),
                _ => Keys::Single(
                    DecodingKey::from_rsa_pem(text.as_bytes()).map_err(|e| {
                        AuthError::Config(format!("not an EC or RSA public key: {e}"))
                    })?,
                    Algorithm::RS384,
                ),
            }
        } else {
            return Err(AuthError::Config(
                "expected a JWK Set (JSON) or a PEM public key".into(),
            ));
        };
        Ok(Verifier {
            keys,
            issuers,
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Verifies `Authorization` header value for the endpoint `audience` (the exact URL).
    ///
    /// # Errors
    /// [`AuthError`] for any failure.
    pub fn verify(
        &self,
        authorization: Option<&str>,
        audience: &str,
        now: u64,
    ) -> Result<Verified, AuthError> {
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(AuthError::Missing)?;
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
            return Err(AuthError::Invalid(format!(
                "algorithm {:?} refused (ES384 or RS384 only)",
                header.alg
            )));
        }
        let key = match &self.keys {
            Keys::Set(set) => {
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| AuthError::Invalid("no kid".into()))?;
                let jwk = set
                    .find(kid)
                    .ok_or_else(|| AuthError::Invalid("unknown kid".into()))?;
                DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Invalid(e.to_string()))?
            }
            Keys::Single(k, alg) => {
                if *alg != header.alg {
                    return Err(AuthError::Invalid(
                        "algorithm does not match the key".into(),
                    ));
                }
                k.clone()
            }
        };
        let mut v = Validation::new(header.alg);
        v.set_audience(&[audience]);
        v.set_issuer(&self.issuers);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        v.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &v)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        let claims = data.claims;
        if claims.jti.is_empty() {
            return Err(AuthError::Invalid("empty jti".into()));
        }
        if claims.iat > now + 300 {
            return Err(AuthError::Invalid("iat in the future".into()));
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, exp| *exp + 60 >= now);
        let key = format!("{}\u{0}{}", claims.iss, claims.jti);
        if seen.contains_key(&key) {
            return Err(AuthError::Replayed);
        }
        seen.insert(key, claims.exp);
        Ok(Verified {
            iss: claims.iss,
            jti: claims.jti,
            tenant: claims.tenant,
        })
    }
}
