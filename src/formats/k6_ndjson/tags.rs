//! Tag sets of k6 Points: which tags tell series apart ([`IDENTITY_TAGS`]), the tags objects read
//! so far (parsed once, then recognised by their bytes), and the interning of identity tag sets
//! into small ids that name series.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

/// Tags that tell series apart, in the (sorted) order they appear in series names. `checks` Points
/// also keep `check`.
pub const IDENTITY_TAGS: [&str; 6] = [
    "expected_response",
    "group",
    "method",
    "name",
    "scenario",
    "status",
];

/// Distinct tag sets remembered over all metrics (beyond the per-metric limit, so that a test that
/// tags every request with a unique `name` cannot grow memory without bound).
pub(super) const MAX_INTERNED_TAG_SETS: usize = 20_000;

/// Tags objects compared byte for byte before looking one up: the ~10 Points of one request share
/// one, and a few others (the request's check, the iteration's) come back often.
pub(super) const RECENT_TAGS: usize = 4;

/// Distinct tags objects remembered; beyond that new ones are parsed every time they occur (a
/// test that puts a unique tag on every request). About 1 KB each.
pub(super) const MAX_TAG_OBJECTS: usize = 10_000;

/// Tags objects by their exact JSON.
pub(super) type KnownTags = HashMap<Box<[u8]>, u32, FxBuildHasher>;

/// Every distinct tags object the scanner has read, each parsed and identified once.
#[derive(Default)]
pub(super) struct TagTable {
    pub(super) entries: Vec<TagEntry>,
    pub(super) index: KnownTags,
    /// The last new tags object read once `entries` is full.
    overflow: TagEntry,
}

/// The [`TagTable`] key of `overflow`.
pub(super) const OVERFLOW: u32 = u32::MAX;

impl TagTable {
    pub(super) fn get(&self, k: u32) -> Option<&TagEntry> {
        if k == OVERFLOW {
            Some(&self.overflow)
        } else {
            usize::try_from(k).ok().and_then(|i| self.entries.get(i))
        }
    }

    pub(super) fn add(&mut self, raw: &str, spans: &[Span], sets: &mut Interner) -> u32 {
        match u32::try_from(self.entries.len()) {
            Ok(k) if self.entries.len() < MAX_TAG_OBJECTS => {
                let mut entry = TagEntry::default();
                entry.fill_raw(raw, spans, sets);
                self.entries.push(entry);
                self.index.insert(raw.as_bytes().into(), k);
                k
            }
            _ => {
                self.overflow.fill_raw(raw, spans, sets);
                OVERFLOW
            }
        }
    }
}
/// Where one tag's key and value sit in [`TagEntry::text`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Span {
    pub(super) key: (usize, usize),
    pub(super) value: (usize, usize),
}

/// The tags of one Point, with the interned ids of its identity.
#[derive(Default)]
pub(super) struct TagEntry {
    /// The tags object exactly as the scanner read it, or (slow path) the keys and values one
    /// after another.
    pub(super) text: String,
    pub(super) spans: Vec<Span>,
    /// The identity tag set without `check`.
    pub(super) id: TagSetId,
    /// The identity tag set with `check`, for `checks` Points.
    pub(super) check_id: TagSetId,
}

impl TagEntry {
    /// Takes the tags object the scanner read, whose tags are at `spans`.
    pub(super) fn fill_raw(&mut self, raw: &str, spans: &[Span], sets: &mut Interner) {
        self.text.clear();
        self.text.push_str(raw);
        self.spans.clear();
        self.spans.extend_from_slice(spans);
        self.identify(sets);
    }

    pub(super) fn fill_pairs<'t>(
        &mut self,
        pairs: impl Iterator<Item = (&'t str, &'t str)>,
        sets: &mut Interner,
    ) {
        self.text.clear();
        self.spans.clear();
        for (k, v) in pairs {
            let k0 = self.text.len();
            self.text.push_str(k);
            let k1 = self.text.len();
            self.text.push_str(v);
            self.spans.push(Span {
                key: (k0, k1),
                value: (k1, self.text.len()),
            });
        }
        self.identify(sets);
    }

    pub(super) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|s| {
            (
                self.text.get(s.key.0..s.key.1).unwrap_or(""),
                self.text.get(s.value.0..s.value.1).unwrap_or(""),
            )
        })
    }

    pub(super) fn identify(&mut self, sets: &mut Interner) {
        let mut slots: [&str; 6] = [""; 6];
        let mut check = "";
        for (k, v) in self.pairs() {
            if k == "check" {
                check = v;
            } else if let Some(i) = IDENTITY_TAGS.iter().position(|t| *t == k) {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = v;
                }
            }
        }
        let identity = || {
            IDENTITY_TAGS
                .iter()
                .zip(slots)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        // Keys sorted: `check` sorts before every identity tag. The key buffers are lent out of
        // `sets` while it interns.
        let mut key = std::mem::take(&mut sets.key_buf);
        key.clear();
        for (k, v) in IDENTITY_TAGS.iter().zip(slots) {
            push_tag(&mut key, k, v);
        }
        let id = sets.intern(&key, identity);
        let check_id = if check.is_empty() {
            id
        } else {
            let mut with_check = std::mem::take(&mut sets.check_key_buf);
            with_check.clear();
            push_tag(&mut with_check, "check", check);
            if !key.is_empty() {
                with_check.push(',');
                with_check.push_str(&key);
            }
            let check_id = sets.intern(&with_check, || {
                let mut pairs = vec![("check".to_string(), check.to_string())];
                pairs.extend(identity());
                pairs
            });
            sets.check_key_buf = with_check;
            check_id
        };
        sets.key_buf = key;
        self.id = id;
        self.check_id = check_id;
    }

    pub(super) fn matches(&self, selector: &[(String, String)]) -> bool {
        selector
            .iter()
            .all(|(k, v)| self.pairs().any(|(tk, tv)| tk == k && tv == v))
    }
}

pub(super) fn push_tag(key: &mut String, k: &str, v: &str) {
    if v.is_empty() {
        return;
    }
    if !key.is_empty() {
        key.push(',');
    }
    key.push_str(k);
    key.push(':');
    key.push_str(v);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum TagSetId {
    /// No identity tag: the series is the whole metric.
    #[default]
    None,
    /// Too many tag sets: counted in the whole metric only.
    Folded,
    Id(u32),
}

#[derive(Default)]
pub(super) struct Interner {
    ids: HashMap<String, u32, FxBuildHasher>,
    keys: Vec<String>,
    /// The tags of each tag set, for matching submetric selectors.
    tags: Vec<Vec<(String, String)>>,
    /// Reused for the key of a Point's identity tag set, and of that set with `check`.
    key_buf: String,
    check_key_buf: String,
}

impl Interner {
    pub(super) fn intern(
        &mut self,
        key: &str,
        tags: impl FnOnce() -> Vec<(String, String)>,
    ) -> TagSetId {
        if key.is_empty() {
            return TagSetId::None;
        }
        if let Some(&id) = self.ids.get(key) {
            return TagSetId::Id(id);
        }
        if self.keys.len() >= MAX_INTERNED_TAG_SETS {
            return TagSetId::Folded;
        }
        let Ok(id) = u32::try_from(self.keys.len()) else {
            return TagSetId::Folded;
        };
        self.ids.insert(key.to_string(), id);
        self.keys.push(key.to_string());
        self.tags.push(tags());
        TagSetId::Id(id)
    }

    pub(super) fn tags(&self, id: u32) -> &[(String, String)] {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.tags.get(i))
            .map_or(&[], Vec::as_slice)
    }

    pub(super) fn key(&self, id: u32) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.keys.get(i))
            .map_or("", String::as_str)
    }
}
