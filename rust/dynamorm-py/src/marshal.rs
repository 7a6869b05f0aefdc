//! Bindings for marshaling: Python values ⇄ DynamoDB JSON (SPEC §2, §12).
//!
//! Python objects are built directly (no JSON text in between). The number
//! and set rules come from `dynamorm_core::number`.

mod de;
mod path;
mod ser;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Serializes one Python value to its DynamoDB-JSON dict ({"S": "x"}, ...).
/// `path` names where the value sits, for error messages (e.g. "value", "values[':v0']").
pub(crate) fn serialize_value<'py>(
    value: &Bound<'py, PyAny>,
    path: &str,
) -> PyResult<Bound<'py, PyDict>> {
    ser::value(value, 0).map_err(|fail| fail.into_pyerr(path))
}

/// Deserializes one DynamoDB-JSON value, exactly as `deserialize` does
/// (errors name the value `value`).
pub(crate) fn deserialize_value<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    de::value(av, 0).map_err(|fail| fail.into_pyerr("value"))
}

/// True when `value` is a `boto3.dynamodb.types.Binary`. Checked by name so
/// that boto3 is never imported here: if it was not imported, no value can be
/// one of its `Binary`s.
fn is_boto3_binary(value: &Bound<'_, PyAny>) -> bool {
    let ty = value.get_type();
    ty.name().is_ok_and(|n| n == "Binary") && ty.module().is_ok_and(|m| m == "boto3.dynamodb.types")
}

/// Serializes a Python value to DynamoDB JSON (``{"S": "x"}``, ``{"N": "1"}``, ...).
///
/// Raises ``ValidationError`` naming the path of a value that cannot be stored.
#[pyfunction]
fn serialize<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    serialize_value(value, "value")
}

/// Deserializes one DynamoDB-JSON value to Python: numbers become ``int`` when
/// integral, else ``Decimal``; binary becomes ``bytes``; sets become ``set``.
#[pyfunction]
fn deserialize<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    deserialize_value(av)
}

/// Serializes a mapping of attribute names to values into a DynamoDB item.
#[pyfunction]
fn serialize_item<'py>(item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    ser::item(item).map_err(|fail| fail.into_pyerr("item"))
}

/// Deserializes a DynamoDB item (``{name: {"S": ...}}``) into ``{name: value}``.
#[pyfunction]
fn deserialize_item<'py>(item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    de::item(item).map_err(|fail| fail.into_pyerr("item"))
}

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(serialize, m)?)?;
    m.add_function(wrap_pyfunction!(deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(serialize_item, m)?)?;
    m.add_function(wrap_pyfunction!(deserialize_item, m)?)?;
    Ok(())
}
