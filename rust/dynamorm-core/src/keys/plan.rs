//! The state of one batch get: the keys asked for, in input order, and the
//! items found for them so far.

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::Range;

use super::{check_chunk_size, CanonicalKey, Entry, Key, KeySchema};
use crate::error::{CoreError, CoreResult};

/// Plans a batch get and collects its results.
///
/// Keys are added with [`KeyPlan::add_encoded`] (or [`KeyPlan::add_keys`] for
/// [`Key`] maps), which gives the chunks to request; each returned item is
/// placed with [`KeyPlan::place_at`] (or [`KeyPlan::add_item`]);
/// [`KeyPlan::ordered_items`] gives the items in input-key order (a key given
/// twice yields its item once, at its first position; keys with no item are
/// skipped) and [`KeyPlan::missing_keys`] the keys still without an item.
///
/// `K` is what the plan keeps of each distinct key and hands back in chunks,
/// `T` what it keeps of an item: the core's own tests use [`Key`] maps for
/// both, the Python bindings keep the Python dicts so they are returned as
/// they came, without a round trip through Rust values.
#[derive(Debug, Clone)]
pub struct KeyPlan<K, T = K> {
    schema: KeySchema,
    chunk_size: usize,
    slots: HashMap<CanonicalKey, usize>,
    unique_keys: Vec<K>,
    first_input: Vec<usize>,
    slot_of: Vec<usize>,
    items: Vec<Option<T>>,
    found: usize,
}

impl<K, T> KeyPlan<K, T> {
    /// An empty plan for the given key schema and chunk size (1..=100).
    pub fn new(schema: KeySchema, chunk_size: usize) -> CoreResult<Self> {
        Ok(KeyPlan {
            schema,
            chunk_size: check_chunk_size(chunk_size)?,
            slots: HashMap::new(),
            unique_keys: Vec::new(),
            first_input: Vec::new(),
            slot_of: Vec::new(),
            items: Vec::new(),
            found: 0,
        })
    }

    /// The key schema.
    pub fn schema(&self) -> &KeySchema {
        &self.schema
    }

    /// The chunk size.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// Adds keys already encoded (each checked by the caller) in input
    /// order, keeping the first `K` of each distinct key. Returns the slots
    /// of the keys not seen before (duplicates, also of keys added by an
    /// earlier call, are dropped); [`KeyPlan::chunks`] cuts them up.
    pub fn add_encoded(
        &mut self,
        keys: impl IntoIterator<Item = (CanonicalKey, K)>,
    ) -> Range<usize> {
        let first_new = self.unique_keys.len();
        for (canonical, key) in keys {
            let next = self.unique_keys.len();
            let slot = *self.slots.entry(canonical).or_insert(next);
            if slot == next {
                self.unique_keys.push(key);
                self.first_input.push(self.slot_of.len());
                self.items.push(None);
            }
            self.slot_of.push(slot);
        }
        first_new..self.unique_keys.len()
    }

    /// The distinct keys in `slots`, cut into chunks of at most `chunk_size`.
    pub fn chunks(&self, slots: Range<usize>) -> std::slice::Chunks<'_, K> {
        self.unique_keys[slots].chunks(self.chunk_size)
    }

    /// The slot of the distinct key with this canonical encoding, if it was
    /// asked for.
    pub fn slot(&self, canonical: &[u8]) -> Option<usize> {
        self.slots.get(canonical).copied()
    }

    /// The input position of the first occurrence of the key in `slot`.
    pub fn first_input(&self, slot: usize) -> usize {
        self.first_input[slot]
    }

    /// Places one returned item for the key in `slot`. Returns `true` if the
    /// item was new, `false` if an item for that key was already placed (the
    /// first one is kept: DynamoDB may return an item twice when a retry
    /// overlaps).
    pub fn place_at(&mut self, slot: usize, item: T) -> bool {
        let entry = &mut self.items[slot];
        if entry.is_some() {
            return false;
        }
        *entry = Some(item);
        self.found += 1;
        true
    }

    /// The slot of a returned item's key. An item whose key was never asked
    /// for is an error rather than ignored: DynamoDB only returns requested
    /// keys, so it means the plan and the request disagree (wrong table or
    /// key schema), and quietly dropping it could hide a lost item.
    pub fn item_slot(&self, canonical: &[u8], what: &(impl Display + ?Sized)) -> CoreResult<usize> {
        self.slot(canonical).ok_or_else(|| {
            CoreError::validation(format!("{what}: its key was not requested in this batch"))
        })
    }

    /// The slot of a key this plan was given (an unprocessed key, a key of a
    /// failed chunk), checking it belongs to this plan.
    pub fn planned_slot(
        &self,
        canonical: &[u8],
        what: &(impl Display + ?Sized),
    ) -> CoreResult<usize> {
        self.slot(canonical).ok_or_else(|| {
            CoreError::validation(format!("{what}: this key was not requested in this batch"))
        })
    }

    /// Cuts the slots of unprocessed keys into chunks of at most
    /// `chunk_size`, deduplicated, in input-key order, each the plan's own
    /// copy of the key.
    pub fn rechunk_slots(&self, mut slots: Vec<usize>) -> Vec<Vec<&K>> {
        slots.sort_unstable();
        slots.dedup();
        slots
            .chunks(self.chunk_size)
            .map(|chunk| chunk.iter().map(|&s| &self.unique_keys[s]).collect())
            .collect()
    }

    /// The items kept, in input-key order, each once.
    pub fn ordered_items(&self) -> Vec<&T> {
        self.items.iter().flatten().collect()
    }

    /// The distinct keys without an item yet, in input-key order.
    pub fn missing_keys(&self) -> Vec<&K> {
        self.unique_keys
            .iter()
            .zip(&self.items)
            .filter(|(_, item)| item.is_none())
            .map(|(key, _)| key)
            .collect()
    }

    /// The input positions (first occurrence) of the distinct keys in
    /// `slots` that have no item yet, once each, in input order: what a
    /// failure report lists as not read.
    pub fn missing_positions(&self, slots: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut out: Vec<usize> = slots
            .into_iter()
            .filter(|&slot| self.items[slot].is_none())
            .map(|slot| self.first_input[slot])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The input positions `(first, again)` of the first key given again
    /// (the earliest position whose key was given before), or `None` when
    /// every key is distinct.
    pub fn first_duplicate(&self) -> Option<(usize, usize)> {
        self.slot_of
            .iter()
            .enumerate()
            .find(|&(position, &slot)| self.first_input[slot] != position)
            .map(|(position, &slot)| (self.first_input[slot], position))
    }

    /// The distinct keys, in input order (first occurrence).
    pub fn unique_keys(&self) -> &[K] {
        &self.unique_keys
    }

    /// For each input key, the index of its distinct key in
    /// [`KeyPlan::unique_keys`].
    pub fn positions(&self) -> &[usize] {
        &self.slot_of
    }

    /// How many keys were added, duplicates included.
    pub fn input_count(&self) -> usize {
        self.slot_of.len()
    }

    /// How many distinct keys were added.
    pub fn unique_count(&self) -> usize {
        self.unique_keys.len()
    }

    /// How many distinct keys have an item.
    pub fn found_count(&self) -> usize {
        self.found
    }
}

impl<T> KeyPlan<Key, T> {
    /// Adds [`Key`] maps in input order and returns the chunks of the keys
    /// not seen before. Every key is checked before any is added, so on
    /// error the plan is unchanged.
    pub fn add_keys(&mut self, keys: Vec<Key>) -> CoreResult<Vec<Vec<Key>>> {
        let offset = self.input_count();
        let canonical = keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let what = Entry {
                    list: "keys",
                    index: offset + i,
                };
                self.schema.canonical_key(key, &what)
            })
            .collect::<CoreResult<Vec<_>>>()?;
        let new = self.add_encoded(canonical.into_iter().zip(keys));
        Ok(self.chunks(new).map(<[Key]>::to_vec).collect())
    }

    /// Cuts the keys DynamoDB returned as unprocessed into new chunks of at
    /// most `chunk_size`, deduplicated, in input-key order. Each must be a key
    /// of this plan; the plan's own copy of the key is returned.
    pub fn rechunk(&self, unprocessed: &[Key]) -> CoreResult<Vec<Vec<Key>>> {
        let slots = unprocessed
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let what = Entry {
                    list: "unprocessed",
                    index,
                };
                let canonical = self.schema.canonical_key(key, &what)?;
                self.planned_slot(canonical.as_bytes(), &what)
            })
            .collect::<CoreResult<Vec<_>>>()?;
        Ok(self
            .rechunk_slots(slots)
            .into_iter()
            .map(|chunk| chunk.into_iter().cloned().collect())
            .collect())
    }
}

impl<K> KeyPlan<K, Key> {
    /// Places one returned item held as a [`Key`] map, reading its key
    /// attributes from the item. See [`KeyPlan::place_at`].
    pub fn add_item(&mut self, item: Key, what: &(impl Display + ?Sized)) -> CoreResult<bool> {
        let canonical = self.schema.canonical_item_key(&item, what)?;
        let slot = self.item_slot(canonical.as_bytes(), what)?;
        Ok(self.place_at(slot, item))
    }
}
