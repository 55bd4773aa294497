//! A bounded cache of serialized `/v1/ask` responses, keyed by the raw query string.
//!
//! The engine is a pure function of the (immutable, embedded) pack and the question, so
//! a cached body is exactly what the engine would answer again. The cache holds bytes
//! only: no medical logic, and nothing is written to logs. Eviction is CLOCK-PRO-like
//! (`quick_cache`), bounded by total bytes.

use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

#[derive(Clone)]
struct ByteWeight;

impl Weighter<Box<str>, Bytes> for ByteWeight {
    fn weight(&self, key: &Box<str>, value: &Bytes) -> u64 {
        (key.len() + value.len() + 64) as u64
    }
}

/// Cached answers; disabled when built with a budget of 0 bytes.
pub(crate) struct AnswerCache {
    inner: Option<Cache<Box<str>, Bytes, ByteWeight>>,
}

/// Bodies larger than this are not cached (an answer is typically 2-20 KiB).
const MAX_ENTRY: usize = 256 * 1024;

impl AnswerCache {
    /// A cache holding at most `budget` bytes of keys and bodies.
    pub(crate) fn new(budget: usize) -> AnswerCache {
        if budget == 0 {
            return AnswerCache { inner: None };
        }
        let estimated_items = (budget / 8192).max(16);
        AnswerCache {
            inner: Some(Cache::with_weighter(
                estimated_items,
                budget as u64,
                ByteWeight,
            )),
        }
    }

    /// The cached body for a raw query string.
    pub(crate) fn get(&self, key: &str) -> Option<Bytes> {
        self.inner.as_ref()?.get(key)
    }

    /// Remembers a body.
    pub(crate) fn insert(&self, key: &str, body: Bytes) {
        let fits = body.len() <= MAX_ENTRY && key.len() <= MAX_ENTRY;
        if let Some(c) = self.inner.as_ref().filter(|_| fits) {
            c.insert(key.into(), body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_disables() {
        let c = AnswerCache::new(1 << 20);
        c.insert("q=a", Bytes::from_static(b"{}"));
        assert_eq!(c.get("q=a"), Some(Bytes::from_static(b"{}")));
        assert_eq!(c.get("q=b"), None);
        let off = AnswerCache::new(0);
        off.insert("q=a", Bytes::from_static(b"{}"));
        assert_eq!(off.get("q=a"), None);
    }

    #[test]
    fn stays_within_budget() {
        let c = AnswerCache::new(64 * 1024);
        for i in 0..1000 {
            c.insert(&format!("q={i}"), Bytes::from(vec![b'x'; 1000]));
        }
        let held = (0..1000)
            .filter(|i| c.get(&format!("q={i}")).is_some())
            .count();
        assert!(held < 70, "held {held} entries of 1 KB in a 64 KiB cache");
    }
}
