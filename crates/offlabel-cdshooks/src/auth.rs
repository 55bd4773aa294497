//! CDS Hooks 2.0 client authentication: the EHR's signed JWT (`Authorization: Bearer`).
//!
//! Checks, as the specification asks: `alg` is ES384 or RS384 (never `none` or HMAC),
//! `kid` picks the key from the configured JWK Set (or the one configured PEM key),
//! `iss` is a trusted issuer, `aud` is exactly the endpoint URL, `exp` is in the future,
//! `nbf` (when present) is past, `iat` and `jti` are present, the token lives at most
//! [`MAX_LIFETIME_SECS`], and a `jti` is accepted once (replay cache, kept until the token
//! expires). Failures carry a reason for the log, never for the client; the reason is one
//! of a fixed set of phrases and never quotes the token, so a forged header cannot write
//! into the log.

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
    /// Not a JWT, bad signature, wrong algorithm, claims missing or wrong. The reason is
    /// one of our own phrases, never text from the token.
    #[error("invalid token: {0}")]
    Invalid(&'static str),
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
    #[serde(default)]
    nbf: Option<u64>,
    iat: u64,
    jti: String,
    #[serde(default)]
    tenant: Option<String>,
}

/// Longest accepted token lifetime (`exp` - now), in seconds. CDS Hooks asks for
/// tokens that expire within five minutes; an hour leaves room for clock skew and slow
/// EHRs while keeping the replay cache short.
pub const MAX_LIFETIME_SECS: u64 = 3600;

/// Leeway for `exp`, `nbf` and `iat` against clock skew, in seconds.
const LEEWAY_SECS: u64 = 30;

/// Most `jti`s the replay cache holds; beyond it new tokens are refused (as replays
/// cannot then be ruled out) until old ones expire.
const MAX_REMEMBERED: usize = 100_000;

/// The token of an `Authorization` header value: the scheme `Bearer` in any case (RFC
/// 9110 makes schemes case-insensitive), one or more spaces, then the token: visible
/// ASCII only (RFC 6750's token68 and any other printable character a configured
/// secret may hold), no whitespace or control characters. `None` for anything else.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, rest) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    Some(token)
}

/// A fixed phrase for a library error: its own messages can quote the token (a bad
/// `alg` value, a JSON fragment), and they go to the log.
fn jwt_reason(e: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidToken => "not a JWT",
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "algorithm refused",
        ErrorKind::MissingAlgorithm => "no algorithm",
        ErrorKind::ExpiredSignature => "expired",
        ErrorKind::ImmatureSignature => "not yet valid (nbf)",
        ErrorKind::InvalidIssuer => "issuer not trusted",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::MissingRequiredClaim(_) => "a required claim is missing",
        ErrorKind::Base64(_) => "not base64url",
        ErrorKind::Json(_) => "header or claims are not the expected JSON",
        ErrorKind::Utf8(_) => "not UTF-8",
        ErrorKind::InvalidKeyFormat | ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) => {
            "key cannot verify this token"
        }
        _ => "token refused by the JWT library",
    }
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
            .and_then(bearer_token)
            .ok_or(AuthError::Missing)?;
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(jwt_reason(&e)))?;
        if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
            return Err(AuthError::Invalid(
                "algorithm refused (ES384 or RS384 only)",
            ));
        }
        let key = match &self.keys {
            Keys::Set(set) => {
                let kid = header.kid.as_deref().ok_or(AuthError::Invalid("no kid"))?;
                let jwk = set.find(kid).ok_or(AuthError::Invalid("unknown kid"))?;
                DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Invalid(jwt_reason(&e)))?
            }
            Keys::Single(k, alg) => {
                if *alg != header.alg {
                    return Err(AuthError::Invalid("algorithm does not match the key"));
                }
                k.clone()
            }
        };
        let mut v = Validation::new(header.alg);
        v.set_audience(&[audience]);
        v.set_issuer(&self.issuers);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        v.leeway = LEEWAY_SECS;
        // The library compares against the system clock; `now` (the caller's clock, which
        // tests set) is checked again below with overflow-free arithmetic.
        v.validate_exp = false;
        v.validate_nbf = false;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &v)
            .map_err(|e| AuthError::Invalid(jwt_reason(&e)))?;
        let claims = data.claims;
        if claims.jti.is_empty() {
            return Err(AuthError::Invalid("empty jti"));
        }
        if claims.exp.saturating_add(LEEWAY_SECS) < now {
            return Err(AuthError::Invalid("expired"));
        }
        if claims.exp > now.saturating_add(MAX_LIFETIME_SECS) {
            return Err(AuthError::Invalid("exp too far ahead (at most one hour)"));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECS))
        {
            return Err(AuthError::Invalid("not yet valid (nbf)"));
        }
        if claims.iat > now.saturating_add(300) {
            return Err(AuthError::Invalid("iat in the future"));
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.retain(|_, exp| exp.saturating_add(LEEWAY_SECS) >= now);
        let key = format!("{}\u{0}{}", claims.iss, claims.jti);
        if seen.contains_key(&key) {
            return Err(AuthError::Replayed);
        }
        if seen.len() >= MAX_REMEMBERED {
            return Err(AuthError::Invalid("replay cache full"));
        }
        seen.insert(key, claims.exp);
        Ok(Verified {
            iss: claims.iss,
            jti: claims.jti,
            tenant: claims.tenant,
        })
    }
}
