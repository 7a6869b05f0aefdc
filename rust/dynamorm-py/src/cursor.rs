//! Bindings for the cursor codec of the core (SPEC §4).

use dynamorm_core::cursor::{self, Cursor, SortOrder};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::av::{map_from_py, map_to_py};
use crate::cache::tags;
use crate::errors::OrRaise;

/// Encodes a pagination cursor: base64url (with `=` padding) of the compact
/// JSON `{"lastKey": ..., "index": ..., "sort": ...}`, byte-compatible with
/// DynamORM's Go and TypeScript cursors.
///
/// `last_key` is a `LastEvaluatedKey` as boto3's client returns it (DynamoDB
/// JSON, binary as bytes); `index` the index name (empty means none); `sort`
/// `"ASC"` or `"DESC"` in any case. Raises `ValidationError` for anything
/// else.
#[pyfunction]
#[pyo3(signature = (last_key, index=None, sort=None))]
fn encode_cursor(
    last_key: &Bound<'_, PyAny>,
    index: Option<String>,
    sort: Option<&str>,
) -> PyResult<String> {
    let cursor = Cursor {
        last_key: map_from_py(last_key, "last_key")?,
        index,
        sort: sort.map(SortOrder::parse).transpose().or_raise()?,
    };
    cursor::encode(&cursor).or_raise()
}

/// Decodes a pagination cursor into `(last_key, index, sort)`: `last_key` as
/// boto3 client DynamoDB JSON (binary as bytes), `index` and `sort` (`"ASC"`
/// or `"DESC"`) or `None`. A malformed or tampered cursor raises
/// `ValidationError`.
#[pyfunction]
fn decode_cursor<'py>(
    py: Python<'py>,
    text: &str,
) -> PyResult<(Bound<'py, PyDict>, Option<String>, Option<&'static str>)> {
    let cursor = cursor::decode(text).or_raise()?;
    Ok((
        map_to_py(tags(py)?, py, &cursor.last_key)?,
        cursor.index,
        cursor.sort.map(SortOrder::as_str),
    ))
}

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(encode_cursor, m)?)?;
    m.add_function(wrap_pyfunction!(decode_cursor, m)?)?;
    Ok(())
}
