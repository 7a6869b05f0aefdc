//! Bindings for the batch-keys part of the core (SPEC §7): `KeyPlan`.
//!
//! The hot paths read key payloads straight out of the Python dicts (borrowed
//! `&str`/`&[u8]`) into the canonical encoding and keep the caller's dicts,
//! so a plain key or item costs no Rust map, no label string and no new dict.
//! Anything off that path (a mapping that is not a dict, a bytearray, a bad
//! value) goes through the checked conversion, which also words the errors.

use std::ops::Range;

use dynamorm_core::keys::{self, CanonicalKey, Entry, KeySchema, KeyValue};
use dynamorm_core::AttributeValue;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple, PyType};

use crate::av::{av_from_py, map_from_py, map_to_py, only_entry, Tag};
use crate::cache::{tags, Tags};
use crate::errors::{self, OrRaise};
use crate::schema::ItemSchema;

/// Plans a batch get and collects its results, for one table or index.
///
/// Built once from the key attribute names (partition key, then the sort key
/// if any) and a chunk size (1..=100). `add_keys` takes the requested keys
/// (boto3 client DynamoDB JSON, binary as bytes) and returns the chunks to
/// send as `Keys`, deduplicated (numbers by value: `"1"` and `"1.0"` are one
/// key) in input order; `add_items` places the items DynamoDB returned;
/// `ordered_items` gives them back in input-key order (the very dicts passed
/// in, each once, missing keys skipped); `missing_keys` lists the keys still
/// without an item and `rechunk` cuts `UnprocessedKeys` into new chunks.
///
/// The key dicts it returns (chunks, `unique_keys`, `missing_keys`,
/// `rechunk`) are the first-seen dicts given to `add_keys`, shared, not
/// copies: do not mutate them while the plan is in use.
///
/// Not for concurrent use: call it from one thread (the one that collects the
/// chunk results) or guard it with a lock.
#[pyclass(module = "dynamorm._core")]
pub struct KeyPlan {
    /// Keeps each distinct key's dict, and each item's dict (`None` for an
    /// item placed by `add_items_positions`, which is not kept).
    inner: keys::KeyPlan<Py<PyAny>, Option<Py<PyAny>>>,
    /// The key attribute names as interned Python strings, for dict lookups
    /// that build no string per key.
    names: Vec<Py<PyString>>,
}

/// Appends the canonical encoding of the key attributes of `dict` to `out`,
/// reading each value's payload in place. `None` when a value is not in the
/// plain form (an exact dict with one `S`/`N`/`B` tag over an exact
/// `str`/`bytes`, numbers well formed): the caller then takes the checked
/// path, which either normalises the value or words the error.
fn encode_plain(
    tags: &Tags,
    dict: &Bound<'_, PyDict>,
    names: &[Py<PyString>],
    out: &mut Vec<u8>,
) -> Option<()> {
    let py = dict.py();
    for name in names {
        let value = dict.get_item(name.bind(py)).ok()??;
        let value = value.cast_exact::<PyDict>().ok()?;
        let (tag, payload) = only_entry(tags, value)?;
        match tag? {
            Tag::S => KeyValue::S(payload.cast_exact::<PyString>().ok()?.to_str().ok()?)
                .encode_into(out)
                .ok()?,
            Tag::N => KeyValue::N(payload.cast_exact::<PyString>().ok()?.to_str().ok()?)
                .encode_into(out)
                .ok()?,
            Tag::B => KeyValue::B(payload.cast_exact::<PyBytes>().ok()?.as_bytes())
                .encode_into(out)
                .ok()?,
            _ => return None,
        }
    }
    Some(())
}

/// The value of one attribute of an item dict (or mapping), if present.
fn item_attribute<'py>(
    item: &Bound<'py, PyAny>,
    name: &str,
    what: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(dict) = item.cast::<PyDict>() {
        return dict.get_item(name);
    }
    let mapping = item
        .cast::<PyMapping>()
        .map_err(|_| errors::validation(format!("{what}: expected an item dict")))?;
    if mapping.contains(name)? {
        Ok(Some(mapping.get_item(name)?))
    } else {
        Ok(None)
    }
}

/// Builds a Python list of lists from chunks of stored dicts.
fn lists_to_py<'py, 'a, C>(
    py: Python<'py>,
    chunks: impl IntoIterator<Item = C>,
) -> PyResult<Bound<'py, PyList>>
where
    C: IntoIterator<Item = &'a Py<PyAny>>,
{
    let out = PyList::empty(py);
    for chunk in chunks {
        out.append(PyList::new(py, chunk.into_iter().map(|k| k.bind(py)))?)?;
    }
    Ok(out)
}

impl KeyPlan {
    /// The canonical encoding of a key (exactly the key attributes), and the
    /// dict to keep for it: `key` itself when it is a plain dict, else a
    /// normalised copy. Errors name `what` (`keys[3]`).
    fn encode_key<'py>(
        &self,
        key: Bound<'py, PyAny>,
        what: Entry<'_>,
        buf: &mut Vec<u8>,
    ) -> PyResult<(CanonicalKey, Bound<'py, PyAny>)> {
        buf.clear();
        let tags = tags(key.py())?;
        if let Ok(dict) = key.cast_exact::<PyDict>() {
            if dict.len() == self.names.len()
                && encode_plain(tags, dict, &self.names, buf).is_some()
            {
                return Ok((CanonicalKey::from_encoded(buf.clone()), key));
            }
        }
        let map = map_from_py(&key, &what.to_string())?;
        let canonical = self.inner.schema().canonical_key(&map, &what).or_raise()?;
        Ok((canonical, map_to_py(tags, key.py(), &map)?.into_any()))
    }

    /// Leaves the canonical encoding of an item's key attributes in `buf`
    /// (other attributes are not read). Errors name `what` (`items[3]`).
    fn encode_item(
        &self,
        item: &Bound<'_, PyAny>,
        what: Entry<'_>,
        buf: &mut Vec<u8>,
    ) -> PyResult<()> {
        buf.clear();
        if let Ok(dict) = item.cast::<PyDict>() {
            if encode_plain(tags(item.py())?, dict, &self.names, buf).is_some() {
                return Ok(());
            }
        }
        let label = what.to_string();
        let schema = self.inner.schema();
        let mut values: Vec<AttributeValue> = Vec::with_capacity(2);
        for name in schema.attributes() {
            let value = item_attribute(item, name, &label)?.ok_or_else(|| {
                errors::validation(format!("{label}: key attribute {name:?} is missing"))
            })?;
            values.push(av_from_py(&value, &format!("{label}.{name}"))?);
        }
        let refs: Vec<&AttributeValue> = values.iter().collect();
        *buf = schema
            .canonical_of_values(&refs, &what)
            .or_raise()?
            .as_bytes()
            .to_vec();
        Ok(())
    }

    /// The slot of each returned item, all checked before any is placed.
    fn item_slots<'py>(
        &self,
        items: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<(usize, Bound<'py, PyAny>)>> {
        let mut buf = Vec::with_capacity(64);
        let mut placed = Vec::new();
        for (index, item) in items.try_iter()?.enumerate() {
            let item = item?;
            let what = Entry {
                list: "items",
                index,
            };
            self.encode_item(&item, what, &mut buf)?;
            placed.push((self.inner.item_slot(&buf, &what).or_raise()?, item));
        }
        Ok(placed)
    }

    /// Marks each slot found (its item is not kept) and returns the input
    /// position of its key's first occurrence, or `None` when the slot
    /// already had an item.
    fn place_positions(&mut self, slots: impl IntoIterator<Item = usize>) -> Vec<Option<usize>> {
        slots
            .into_iter()
            .map(|slot| {
                self.inner
                    .place_at(slot, None)
                    .then(|| self.inner.first_input(slot))
            })
            .collect()
    }

    /// The slot of each of `keys` (key dicts), each checked to be a key of
    /// this plan; errors name `list[index]`.
    fn slots_of(&self, keys: &Bound<'_, PyAny>, list: &'static str) -> PyResult<Vec<usize>> {
        let mut buf = Vec::with_capacity(64);
        let mut slots = Vec::new();
        for (index, key) in keys.try_iter()?.enumerate() {
            let what = Entry { list, index };
            let (canonical, _) = self.encode_key(key?, what, &mut buf)?;
            slots.push(
                self.inner
                    .planned_slot(canonical.as_bytes(), &what)
                    .or_raise()?,
            );
        }
        Ok(slots)
    }

    fn chunks_to_py<'py>(
        &self,
        py: Python<'py>,
        new: Range<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        lists_to_py(py, self.inner.chunks(new))
    }
}

#[pymethods]
impl KeyPlan {
    #[new]
    #[pyo3(signature = (key_attributes, chunk_size=100))]
    fn new(py: Python<'_>, key_attributes: Vec<String>, chunk_size: i64) -> PyResult<Self> {
        let chunk_size = usize::try_from(chunk_size).map_err(|_| {
            errors::validation(format!(
                "chunk_size must be between 1 and {}, got {chunk_size}",
                keys::MAX_CHUNK_SIZE
            ))
        })?;
        let schema = KeySchema::new(&key_attributes).or_raise()?;
        let names = schema
            .attributes()
            .iter()
            .map(|name| PyString::intern(py, name).unbind())
            .collect();
        Ok(KeyPlan {
            inner: keys::KeyPlan::new(schema, chunk_size).or_raise()?,
            names,
        })
    }

    /// The key attribute names, partition key first.
    #[getter]
    fn key_attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.schema().attributes())
    }

    /// The largest number of keys per chunk.
    #[getter]
    fn chunk_size(&self) -> usize {
        self.inner.chunk_size()
    }

    /// How many keys were added, duplicates included.
    #[getter]
    fn input_count(&self) -> usize {
        self.inner.input_count()
    }

    /// How many distinct keys were added.
    #[getter]
    fn unique_count(&self) -> usize {
        self.inner.unique_count()
    }

    /// How many distinct keys have an item.
    #[getter]
    fn found_count(&self) -> usize {
        self.inner.found_count()
    }

    /// Adds keys (an iterable of key dicts) in input order and returns the
    /// chunks of the keys not seen before, ready to send as `Keys`. A key
    /// must hold exactly the key attributes, each S, N or B; otherwise
    /// `ValidationError` naming the key, and no key is added.
    ///
    /// The chunks hold the very dicts given, the first one of each distinct
    /// key (no copies are made). Only a key that is not in plain form (a
    /// mapping that is not a `dict`, a value that is not a `dict` of one tag
    /// over a `str`, or over `bytes` for B — e.g. a `bytearray`) is replaced
    /// by a normalised new dict.
    fn add_keys<'py>(
        &mut self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let offset = self.inner.input_count();
        let mut buf = Vec::with_capacity(64);
        let mut encoded = Vec::new();
        for (i, key) in keys.try_iter()?.enumerate() {
            let what = Entry {
                list: "keys",
                index: offset + i,
            };
            let (canonical, key) = self.encode_key(key?, what, &mut buf)?;
            encoded.push((canonical, key.unbind()));
        }
        let new = self.inner.add_encoded(encoded);
        self.chunks_to_py(py, new)
    }

    /// Adds the keys of a batch as the user gave them, encoded by `schema`
    /// (the model's `ItemSchema`), and returns the chunks like `add_keys`:
    /// the plain forms (`(pk, sk)` tuples and `key_pair` instances, or bare
    /// partition-key values) are encoded and planned here in one pass; any
    /// other key is handed to `careful(index, key)`, which returns its key
    /// dict or raises the error naming it. No key is added when one fails.
    #[pyo3(signature = (schema, keys, pk_name, sk_name, key_pair, other_forms, careful))]
    #[allow(clippy::too_many_arguments)]
    fn add_user_keys<'py>(
        &mut self,
        py: Python<'py>,
        schema: PyRef<'py, ItemSchema>,
        keys: &Bound<'py, PyList>,
        pk_name: &str,
        sk_name: Option<&str>,
        key_pair: &Bound<'py, PyType>,
        other_forms: &Bound<'py, PyTuple>,
        careful: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let offset = self.inner.input_count();
        let mut buf = Vec::with_capacity(64);
        let mut encoded = Vec::with_capacity(keys.len());
        schema.each_plain_key(
            keys,
            pk_name,
            sk_name,
            key_pair,
            other_forms,
            |index, key, dict| {
                let dict = match dict {
                    Some(dict) => dict.into_any(),
                    None => careful.call1((index, key))?,
                };
                let what = Entry {
                    list: "keys",
                    index: offset + index,
                };
                let (canonical, dict) = self.encode_key(dict, what, &mut buf)?;
                encoded.push((canonical, dict.unbind()));
                Ok(())
            },
        )?;
        let new = self.inner.add_encoded(encoded);
        self.chunks_to_py(py, new)
    }

    /// For each of `keys` (key dicts, e.g. a chunk this plan returned), the
    /// input position of the first occurrence of that key, or `None` for a
    /// key not in this plan. A malformed key raises `ValidationError`.
    fn first_positions(&self, keys: &Bound<'_, PyAny>) -> PyResult<Vec<Option<usize>>> {
        let mut buf = Vec::with_capacity(64);
        let mut out = Vec::new();
        for (index, key) in keys.try_iter()?.enumerate() {
            let what = Entry {
                list: "keys",
                index,
            };
            let (canonical, _) = self.encode_key(key?, what, &mut buf)?;
            let slot = self.inner.slot(canonical.as_bytes());
            out.push(slot.map(|slot| self.inner.first_input(slot)));
        }
        Ok(out)
    }

    /// The input positions (first occurrence) of those of `keys` (key dicts
    /// of this plan) that have no item yet, once each, in input order. A key
    /// not in this plan raises `ValidationError`.
    fn missing_positions(&self, keys: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
        Ok(self.inner.missing_positions(self.slots_of(keys, "keys")?))
    }

    /// The input positions ``(first, again)`` of the first key given again
    /// (numbers compared by value), or ``None`` when all keys are distinct.
    fn first_duplicate(&self) -> Option<(usize, usize)> {
        self.inner.first_duplicate()
    }

    /// Places returned items (an iterable of item dicts, e.g. a
    /// `Responses[table]` list) by their key attributes; other attributes
    /// are not read. Returns how many were new (an item for a key already
    /// placed is ignored). An item without the key attributes, or whose key
    /// was never asked for, raises `ValidationError` and none is placed.
    fn add_items(&mut self, items: &Bound<'_, PyAny>) -> PyResult<usize> {
        let placed = self.item_slots(items)?;
        let mut new = 0;
        for (slot, item) in placed {
            new += usize::from(self.inner.place_at(slot, Some(item.unbind())));
        }
        Ok(new)
    }

    /// Like `add_items`, but returns, for each item given, the input position
    /// (index into all keys passed to `add_keys`) of the first occurrence of
    /// its key, or `None` when its key already had an item (a duplicate
    /// answer). The keys count as found (`found_count`, `missing_keys`), but
    /// the items are not kept, so `ordered_items` leaves them out: the caller
    /// decodes them right away and can drop the raw dicts.
    fn add_items_positions(&mut self, items: &Bound<'_, PyAny>) -> PyResult<Vec<Option<usize>>> {
        let placed = self.item_slots(items)?;
        Ok(self.place_positions(placed.into_iter().map(|(slot, _)| slot)))
    }

    /// Like `add_items_positions`, for items whose keys are given as
    /// canonical key bytes (the fast read path's `ResponseKeys`). Every key is
    /// checked before any is placed.
    fn add_canonical_positions(
        &mut self,
        keys: Vec<PyBackedBytes>,
    ) -> PyResult<Vec<Option<usize>>> {
        let slots = keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let what = Entry {
                    list: "items",
                    index,
                };
                self.inner.item_slot(key, &what).or_raise()
            })
            .collect::<PyResult<Vec<usize>>>()?;
        Ok(self.place_positions(slots))
    }

    /// The items found, in input-key order, each once (the dicts given to
    /// `add_items`; items placed by `add_items_positions` are not kept).
    fn ordered_items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .ordered_items()
                .into_iter()
                .flatten()
                .map(|i| i.bind(py)),
        )
    }

    /// The distinct keys without an item yet, in input-key order.
    fn missing_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner.missing_keys().into_iter().map(|k| k.bind(py)),
        )
    }

    /// The distinct keys, in input order (first occurrence of each).
    fn unique_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.unique_keys().iter().map(|k| k.bind(py)))
    }

    /// For each key added, the index of its distinct key in `unique_keys()`.
    fn positions(&self) -> Vec<usize> {
        self.inner.positions().to_vec()
    }

    /// Cuts keys DynamoDB returned as unprocessed (an iterable of key dicts)
    /// into new chunks of at most `chunk_size`, deduplicated, in input-key
    /// order. Each must be a key of this plan, else `ValidationError`. The
    /// chunks hold the plan's own dicts (those `add_keys` returned).
    fn rechunk<'py>(
        &self,
        py: Python<'py>,
        unprocessed: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let slots = self.slots_of(unprocessed, "unprocessed")?;
        lists_to_py(py, self.inner.rechunk_slots(slots))
    }

    fn __repr__(&self) -> String {
        format!(
            "KeyPlan(key_attributes={:?}, chunk_size={}, keys={}, unique={}, found={})",
            self.inner.schema().attributes(),
            self.inner.chunk_size(),
            self.inner.input_count(),
            self.inner.unique_count(),
            self.inner.found_count()
        )
    }
}

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<KeyPlan>()?;
    Ok(())
}
