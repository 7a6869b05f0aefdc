//! The state of one batch get: the keys asked for, in input order, and the
//! items found for them so far.

use std::collections::HashMap;

use super::{check_chunk_size, CanonicalKey, Key, KeySchema};
use crate::error::{CoreError, CoreResult};

/// Plans a batch get and collects its results.
///
/// Keys are added with [`KeyPlan::add_keys`], which returns the chunks to
/// request; each returned item is placed with [`KeyPlan::add_item`];
/// [`KeyPlan::ordered_items`] gives the items in input-key order (a key given
/// twice yields its item once, at its first position; keys with no item are
/// skipped) and [`KeyPlan::missing_keys`] the keys still without an item.
///
/// `T` is whatever the caller wants back for an item: the core's own tests use
/// [`Key`] maps, the Python bindings keep the Python dict so it is returned
/// as it came, without a round trip through Rust values.
#[derive(Debug, Clone)]
pub struct KeyPlan<T> {
    schema: KeySchema,
    chunk_size: usize,
    slots: HashMap<CanonicalKey, usize>,
    unique_keys: Vec<Key>,
    slot_of: Vec<usize>,
    items: Vec<Option<T>>,
    found: usize,
}

impl<T> KeyPlan<T> {
    /// An empty plan for the given key schema and chunk size (1..=100).
    pub fn new(schema: KeySchema, chunk_size: usize) -> CoreResult<Self> {
        Ok(KeyPlan {
            schema,
            chunk_size: check_chunk_size(chunk_size)?,
            slots: HashMap::new(),
            unique_keys: Vec::new(),
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

    /// Adds keys in input order and returns the chunks of the keys not seen
    /// before (duplicates, also of keys added by an earlier call, are
    /// dropped). Every key is checked before any is added, so on error the
    /// plan is unchanged.
    pub fn add_keys(&mut self, keys: Vec<Key>) -> CoreResult<Vec<Vec<Key>>> {
        let offset = self.slot_of.len();
        let canonical = keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                self.schema
                    .canonical_key(key, &format!("keys[{}]", offset + i))
            })
            .collect::<CoreResult<Vec<_>>>()?;
        let first_new = self.unique_keys.len();
        for (key, canonical) in keys.into_iter().zip(canonical) {
            let next = self.unique_keys.len();
            let slot = *self.slots.entry(canonical).or_insert(next);
            if slot == next {
                self.unique_keys.push(key);
                self.items.push(None);
            }
            self.slot_of.push(slot);
        }
        Ok(self.unique_keys[first_new..]
            .chunks(self.chunk_size)
            .map(<[Key]>::to_vec)
            .collect())
    }

    /// Places one returned item, given the canonical encoding of its key
    /// attributes. Returns `true` if the item was new, `false` if an item for
    /// that key was already placed (the first one is kept: DynamoDB may return
    /// an item twice when a retry overlaps).
    ///
    /// An item whose key was never asked for is an error rather than ignored:
    /// DynamoDB only returns requested keys, so it means the plan and the
    /// request disagree (wrong table or key schema), and quietly dropping it
    /// could hide a lost item.
    pub fn place(&mut self, canonical: &CanonicalKey, item: T, what: &str) -> CoreResult<bool> {
        let slot = *self.slots.get(canonical).ok_or_else(|| {
            CoreError::validation(format!("{what}: its key was not requested in this batch"))
        })?;
        let entry = &mut self.items[slot];
        if entry.is_some() {
            return Ok(false);
        }
        *entry = Some(item);
        self.found += 1;
        Ok(true)
    }

    /// Whether a key with this canonical encoding was asked for.
    pub fn is_requested(&self, canonical: &CanonicalKey) -> bool {
        self.slots.contains_key(canonical)
    }

    /// The canonical encoding of an unprocessed key, checking it belongs to
    /// this plan.
    fn known_slot(&self, key: &Key, what: &str) -> CoreResult<usize> {
        let canonical = self.schema.canonical_key(key, what)?;
        self.slots.get(&canonical).copied().ok_or_else(|| {
            CoreError::validation(format!("{what}: this key was not requested in this batch"))
        })
    }

    /// Cuts the keys DynamoDB returned as unprocessed into new chunks of at
    /// most `chunk_size`, deduplicated, in input-key order. Each must be a key
    /// of this plan; the plan's own copy of the key is returned.
    pub fn rechunk(&self, unprocessed: &[Key]) -> CoreResult<Vec<Vec<Key>>> {
        let mut slots = unprocessed
            .iter()
            .enumerate()
            .map(|(i, key)| self.known_slot(key, &format!("unprocessed[{i}]")))
            .collect::<CoreResult<Vec<_>>>()?;
        slots.sort_unstable();
        slots.dedup();
        Ok(slots
            .chunks(self.chunk_size)
            .map(|chunk| chunk.iter().map(|&s| self.unique_keys[s].clone()).collect())
            .collect())
    }

    /// The items found, in input-key order, each once.
    pub fn ordered_items(&self) -> Vec<&T> {
        self.items.iter().flatten().collect()
    }

    /// The distinct keys without an item yet, in input-key order.
    pub fn missing_keys(&self) -> Vec<&Key> {
        self.unique_keys
            .iter()
            .zip(&self.items)
            .filter(|(_, item)| item.is_none())
            .map(|(key, _)| key)
            .collect()
    }

    /// The distinct keys, in input order (first occurrence).
    pub fn unique_keys(&self) -> &[Key] {
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

impl KeyPlan<Key> {
    /// Places one returned item held as a [`Key`] map, reading its key
    /// attributes from the item.
    pub fn add_item(&mut self, item: Key, what: &str) -> CoreResult<bool> {
        let canonical = self.schema.canonical_item_key(&item, what)?;
        self.place(&canonical, item, what)
    }
}
