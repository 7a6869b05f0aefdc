//! Bindings for the batch-keys part of the core (SPEC §7): `KeyPlan`.

use dynamorm_core::keys::{self, Key, KeySchema};
use dynamorm_core::{AttributeValue, CoreError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PyTuple};

use crate::avjson::{av_from_py, map_from_py, map_to_py};
use crate::errors::{to_pyerr, IntoPyResult};

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
/// Not for concurrent use: call it from one thread (the one that collects the
/// chunk results) or guard it with a lock.
#[pyclass(module = "dynamorm._core")]
pub struct KeyPlan {
    inner: keys::KeyPlan<Py<PyAny>>,
}

fn keys_from_py(iterable: &Bound<'_, PyAny>, label: &str, offset: usize) -> PyResult<Vec<Key>> {
    iterable
        .try_iter()?
        .enumerate()
        .map(|(i, key)| map_from_py(&key?, &format!("{label}[{}]", offset + i)))
        .collect()
}

fn chunks_to_py<'py>(py: Python<'py>, chunks: &[Vec<Key>]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for chunk in chunks {
        let keys = chunk
            .iter()
            .map(|k| map_to_py(py, k))
            .collect::<PyResult<Vec<_>>>()?;
        out.append(PyList::new(py, keys)?)?;
    }
    Ok(out)
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
    let mapping = item.cast::<PyMapping>().map_err(|_| {
        to_pyerr(CoreError::validation(format!(
            "{what}: expected an item dict"
        )))
    })?;
    if mapping.contains(name)? {
        Ok(Some(mapping.get_item(name)?))
    } else {
        Ok(None)
    }
}

#[pymethods]
impl KeyPlan {
    #[new]
    #[pyo3(signature = (key_attributes, chunk_size=100))]
    fn new(key_attributes: Vec<String>, chunk_size: i64) -> PyResult<Self> {
        let chunk_size = usize::try_from(chunk_size)
            .map_err(|_| {
                CoreError::validation(format!(
                    "chunk_size must be between 1 and {}, got {chunk_size}",
                    keys::MAX_CHUNK_SIZE
                ))
            })
            .py()?;
        let schema = KeySchema::new(&key_attributes).py()?;
        Ok(KeyPlan {
            inner: keys::KeyPlan::new(schema, chunk_size).py()?,
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
    fn add_keys<'py>(
        &mut self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let keys = keys_from_py(keys, "keys", self.inner.input_count())?;
        let chunks = self.inner.add_keys(keys).py()?;
        chunks_to_py(py, &chunks)
    }

    /// Places returned items (an iterable of item dicts, e.g. a
    /// `Responses[table]` list) by their key attributes; other attributes
    /// are not read. Returns how many were new (an item for a key already
    /// placed is ignored). An item without the key attributes, or whose key
    /// was never asked for, raises `ValidationError` and none is placed.
    fn add_items(&mut self, items: &Bound<'_, PyAny>) -> PyResult<usize> {
        let schema = self.inner.schema().clone();
        let mut placed = Vec::new();
        for (i, item) in items.try_iter()?.enumerate() {
            let item = item?;
            let what = format!("items[{i}]");
            let mut values: Vec<AttributeValue> = Vec::with_capacity(2);
            for name in schema.attributes() {
                let value = item_attribute(&item, name, &what)?.ok_or_else(|| {
                    to_pyerr(CoreError::validation(format!(
                        "{what}: key attribute {name:?} is missing"
                    )))
                })?;
                values.push(av_from_py(&value, &format!("{what}.{name}"))?);
            }
            let refs: Vec<&AttributeValue> = values.iter().collect();
            let canonical = schema.canonical_of_values(&refs, &what).py()?;
            if !self.inner.is_requested(&canonical) {
                return Err(to_pyerr(CoreError::validation(format!(
                    "{what}: its key was not requested in this batch"
                ))));
            }
            placed.push((canonical, item.unbind(), what));
        }
        let mut new = 0;
        for (canonical, item, what) in placed {
            new += usize::from(self.inner.place(&canonical, item, &what).py()?);
        }
        Ok(new)
    }

    /// The items found, in input-key order, each once (the dicts given to
    /// `add_items`).
    fn ordered_items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner.ordered_items().into_iter().map(|i| i.bind(py)),
        )
    }

    /// The distinct keys without an item yet, in input-key order.
    fn missing_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys = self
            .inner
            .missing_keys()
            .into_iter()
            .map(|k| map_to_py(py, k))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, keys)
    }

    /// The distinct keys, in input order (first occurrence of each).
    fn unique_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys = self
            .inner
            .unique_keys()
            .iter()
            .map(|k| map_to_py(py, k))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, keys)
    }

    /// For each key added, the index of its distinct key in `unique_keys()`.
    fn positions(&self) -> Vec<usize> {
        self.inner.positions().to_vec()
    }

    /// Cuts keys DynamoDB returned as unprocessed (an iterable of key dicts)
    /// into new chunks of at most `chunk_size`, deduplicated, in input-key
    /// order. Each must be a key of this plan, else `ValidationError`.
    fn rechunk<'py>(
        &self,
        py: Python<'py>,
        unprocessed: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let keys = keys_from_py(unprocessed, "unprocessed", 0)?;
        let chunks = self.inner.rechunk(&keys).py()?;
        chunks_to_py(py, &chunks)
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
