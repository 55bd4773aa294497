//! Strict JSON for write paths.
//!
//! `serde_json` accepts `{"serious": false, "serious": true}` and keeps the last value, so a
//! report can say two things and be stored as one of them. [`check_no_duplicate_keys`] walks
//! the document once, without building it, and refuses any object that names a key twice;
//! [`from_slice`] runs that check and then deserializes.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Why a body was refused.
#[derive(Debug, thiserror::Error)]
pub enum StrictJsonError {
    /// Not JSON, or not the expected shape (serde_json's message, with line and column).
    #[error("{0}")]
    Syntax(#[from] serde_json::Error),
    /// An object names the same key twice.
    #[error("the key {key:?} appears twice in one object (at {path}); send each key once")]
    DuplicateKey {
        /// The key, cut to 40 characters.
        key: String,
        /// Where the object is, as a JSON-pointer-like path (`/drugs/0`), keys cut short.
        path: String,
    },
}

/// Refuses `body` when it is not JSON or an object in it repeats a key.
///
/// # Errors
/// [`StrictJsonError`].
pub fn check_no_duplicate_keys(body: &[u8]) -> Result<(), StrictJsonError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut found = None;
    let seed = Walk {
        path: String::new(),
        found: &mut found,
    };
    match seed.deserialize(&mut de) {
        Ok(()) => {}
        Err(e) => {
            return Err(match found {
                Some(dup) => dup,
                None => StrictJsonError::Syntax(e),
            });
        }
    }
    de.end()?;
    Ok(())
}

/// [`check_no_duplicate_keys`], then `serde_json::from_slice`.
///
/// # Errors
/// [`StrictJsonError`].
pub fn from_slice<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, StrictJsonError> {
    check_no_duplicate_keys(body)?;
    Ok(serde_json::from_slice(body)?)
}

/// [`from_slice`] for types with integer fields that people write as `80.0`: numbers
/// with a zero fraction become integers before deserializing (JSON Schema counts `80.0`
/// as an integer too), so the HTTP API and the command line read a body the same way.
///
/// # Errors
/// [`StrictJsonError`].
pub fn from_slice_integral<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, StrictJsonError> {
    check_no_duplicate_keys(body)?;
    let mut value: serde_json::Value = serde_json::from_slice(body)?;
    integral_numbers(&mut value);
    Ok(serde_json::from_value(value)?)
}

/// Writes numbers with a zero fraction (`80.0`) as integers; fields that take decimals
/// accept integers too.
pub fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let integral = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15);
            if let Some(f) = integral {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Visits one value; records the first duplicate key in `found` and aborts.
struct Walk<'a> {
    path: String,
    found: &'a mut Option<StrictJsonError>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let seed = Walk {
                path: format!("{}/{i}", self.path),
                found: &mut *self.found,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                *self.found = Some(StrictJsonError::DuplicateKey {
                    key: cut(&key),
                    path: if self.path.is_empty() {
                        "/".into()
                    } else {
                        self.path.clone()
                    },
                });
                // Stop at once: the error carries the duplicate, not this message.
                map.next_value::<IgnoredAny>()?;
                return Err(de::Error::custom("duplicate key"));
            }
            let seed = Walk {
                path: format!("{}/{}", self.path, cut(&key)),
                found: &mut *self.found,
            };
            map.next_value_seed(seed)?;
            keys.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(body: &str) -> Option<(String, String)> {
        match check_no_duplicate_keys(body.as_bytes()) {
            Err(StrictJsonError::DuplicateKey { key, path }) => Some((key, path)),
            _ => None,
        }
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        assert_eq!(
            dup(r#"{"serious": false, "serious": true}"#),
            Some(("serious".into(), "/".into()))
        );
        assert_eq!(
            dup(r#"{"drugs": [{"name": "a"}, {"name": "b", "name": "c"}]}"#),
            Some(("name".into(), "/drugs/1".into()))
        );
        // An escaped spelling of the same key is the same key.
        assert!(dup(r#"{"a": 1, "\u0061": 2}"#).is_some());
    }

    #[test]
    fn ordinary_documents_pass() {
        for ok in [
            r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#,
            "[]",
            "1.5",
            r#""text""#,
            "null",
        ] {
            assert!(check_no_duplicate_keys(ok.as_bytes()).is_ok(), "{ok}");
        }
    }

    #[test]
    fn syntax_errors_stay_syntax_errors() {
        for bad in ["{", r#"{"a": 1} x"#, "", r#"{"a" 1}"#] {
            assert!(
                matches!(
                    check_no_duplicate_keys(bad.as_bytes()),
                    Err(StrictJsonError::Syntax(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn from_slice_refuses_what_serde_json_would_take() {
        let body = br#"{"serious": false, "serious": true}"#;
        let lenient: serde_json::Value =
            serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lenient["serious"], true);
        assert!(from_slice::<serde_json::Value>(body).is_err());
    }

    #[test]
    fn integral_numbers_read_as_integers() {
        #[derive(serde::Deserialize)]
        struct P {
            age: u32,
            weight: f64,
        }
        let p: P = from_slice_integral(br#"{"age": 80.0, "weight": 70}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.age, p.weight), (80, 70.0));
        assert!(from_slice_integral::<P>(br#"{"age": 80.5, "weight": 70}"#).is_err());
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_serde_json_on_documents_without_duplicates(
            v in proptest::collection::btree_map("[a-z]{0,3}", 0i64..9, 0..6)
        ) {
            let body = serde_json::to_vec(&v).unwrap_or_default();
            proptest::prop_assert!(check_no_duplicate_keys(&body).is_ok());
        }

        #[test]
        fn never_panics(s in ".{0,64}") {
            let _ = check_no_duplicate_keys(s.as_bytes());
        }
    }
}
