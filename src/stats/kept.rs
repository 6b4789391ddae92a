//! The last few answers of a costly pure function, kept by the bits of its arguments: the
//! metrics of one comparison ask for the same quantiles again and again.

use std::cell::RefCell;
use std::thread::LocalKey;

/// The last `N` answers, by key; the oldest is replaced.
pub(super) struct Kept<K, const N: usize> {
    slots: [Option<(K, f64)>; N],
    next: usize,
}

impl<K: Copy + PartialEq, const N: usize> Kept<K, N> {
    pub(super) const fn new() -> Self {
        Kept {
            slots: [None; N],
            next: 0,
        }
    }

    fn get(&self, key: K) -> Option<f64> {
        self.slots
            .iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    fn put(&mut self, key: K, v: f64) {
        if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = Some((key, v));
        }
        self.next = (self.next + 1) % N.max(1);
    }
}

/// The answer kept for `key` in `kept`, else `compute()`'s, kept from then on. The cache is not
/// borrowed while `compute` runs, so it may ask other kept functions.
pub(super) fn kept_or<K: Copy + PartialEq + 'static, const N: usize>(
    kept: &'static LocalKey<RefCell<Kept<K, N>>>,
    key: K,
    compute: impl FnOnce() -> f64,
) -> f64 {
    if let Some(v) = kept.with(|c| c.borrow().get(key)) {
        return v;
    }
    let v = compute();
    kept.with(|c| c.borrow_mut().put(key, v));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static TWO: RefCell<Kept<u32, 2>> = const { RefCell::new(Kept::new()) };
    }

    #[test]
    fn answers_are_kept_until_two_newer_ones_replace_them() {
        let calls = std::cell::Cell::new(0);
        let square = |k: u32| {
            kept_or(&TWO, k, || {
                calls.set(calls.get() + 1);
                f64::from(k * k)
            })
        };
        assert_eq!(
            (square(3), square(3), square(4), square(3)),
            (9.0, 9.0, 16.0, 9.0)
        );
        assert_eq!(calls.get(), 2);
        // 5 replaces 3, the oldest; 4 is still kept.
        assert_eq!((square(5), square(4)), (25.0, 16.0));
        assert_eq!(calls.get(), 3);
        assert_eq!(square(3), 9.0);
        assert_eq!(calls.get(), 4);
    }
}
