//! Model field value → attribute value, following the field's plan.

use dynamorm_core::schema::{ScalarCheck, WhenNone, Write};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList,
    PyMemoryView, PySet, PyString, PyTuple,
};

use super::dataclass::dataclass_dict;
use super::field::Field;
use super::time::to_utc;
use super::tree::{Node, Typed};
use crate::av::tagged_dict;
use crate::cache::{decimal_type, json_dumps, json_options};
use crate::errors::{self, ValidationError};
use crate::marshal::serialize_value;

/// The attribute value of `value` for field `f`; `None` when the attribute
/// is left out. Errors name the field (`Model.field: ...`).
pub(crate) fn encode<'py>(
    f: &Field,
    value: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = value.py();
    if f.plan.omit_empty && is_empty(value)? {
        return Ok(None);
    }
    if value.is_none() {
        return match f.plan.when_none {
            WhenNone::Fail => Err(errors::validation(format!(
                "{}: is a key attribute and has no value",
                f.label
            ))),
            WhenNone::Omit => Ok(None),
            WhenNone::Null => Ok(Some(null(py)?)),
        };
    }
    if let (Write::Tree, Some(tree)) = (f.plan.write, &f.tree) {
        return super::tree::encode(tree, value)
            .map(Some)
            .map_err(|err| err.into_pyerr(&f.label));
    }
    match write(f, value) {
        Ok(av) => Ok(Some(av)),
        Err(err) if err.is_instance_of::<ValidationError>(py) => Err(errors::validation(format!(
            "{}: {}",
            f.label,
            err.value(py)
        ))),
        Err(err) => Err(err),
    }
}

/// SPEC §2's `omit_empty`: `None`, `False`, `""`, `b""`, `0`, `0.0`,
/// `Decimal(0)` and empty lists, tuples, dicts and sets. Other types (a
/// `datetime`, a dataclass) are never empty.
pub(crate) fn is_empty(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_none() {
        return Ok(true);
    }
    let emptiable = value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyFloat>()
        || value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyDict>()
        || value.is_instance_of::<PyBytes>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>()
        || value.is_instance(decimal_type(value.py())?)?;
    // For these types falsy means empty or zero (and `False`); NaN is truthy.
    Ok(emptiable && !value.is_truthy()?)
}

fn write<'py>(f: &Field, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = value.py();
    match f.plan.write {
        Write::Json => {
            let text = json_dumps(py)?
                .call((value,), Some(json_options(py)?))
                .map_err(|err| {
                    if err.is_instance_of::<PyTypeError>(py)
                        || err.is_instance_of::<PyValueError>(py)
                    {
                        errors::validation(format!("cannot be stored as JSON: {}", err.value(py)))
                    } else {
                        err
                    }
                })?;
            tagged_dict(intern!(py, "S"), &text)
        }
        Write::Ttl => {
            let seconds = if let Ok(dt) = value.cast::<PyDateTime>() {
                PyInt::new(py, to_utc(dt)?.epoch_seconds()).into_any()
            } else {
                check(f, value, ScalarCheck::Int)?;
                int_value(value)?
            };
            tagged_dict(intern!(py, "N"), seconds.str()?.as_any())
        }
        Write::Timestamp => {
            let Ok(dt) = value.cast::<PyDateTime>() else {
                return Err(type_error(f, value));
            };
            let text = to_utc(dt)?.format();
            tagged_dict(intern!(py, "S"), PyString::new(py, &text).as_any())
        }
        Write::Binary => {
            let bytes = if let Ok(text) = value.cast::<PyString>() {
                PyBytes::new(py, text.to_str()?.as_bytes()).into_any()
            } else {
                check(f, value, ScalarCheck::Bytes)?;
                as_bytes(value)?
            };
            tagged_dict(intern!(py, "B"), &bytes)
        }
        Write::Set => {
            // Any falsy value, the empty set first of all, is never sent:
            // DynamoDB rejects empty sets.
            if !value.is_truthy()? {
                return null(py);
            }
            if !(value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>()) {
                return Err(type_error(f, value));
            }
            if let Some(expected) = f.tree.as_ref().and_then(element_check) {
                for element in value.try_iter()? {
                    let element = element?;
                    if !accepts(&element, expected)? {
                        return Err(type_error(f, value));
                    }
                }
            }
            serialize_value(value, "value")
        }
        Write::Dataclass => serialize_value(dataclass_dict(f, value)?.as_any(), "value"),
        Write::Checked(expected) => {
            if expected == ScalarCheck::Str && value.is_exact_instance_of::<PyString>() {
                return tagged_dict(intern!(py, "S"), value);
            }
            check(f, value, expected)?;
            serialize_value(value, "value")
        }
        Write::Plain => serialize_value(value, "value"),
        Write::Tree => Err(errors::type_error("a tree field is written by encode()")),
    }
}

/// The check of a plain set's elements (`set[str]`: `str`).
fn element_check(tree: &Typed) -> Option<ScalarCheck> {
    match tree.element()?.node {
        Node::Str => Some(ScalarCheck::Str),
        Node::Int => Some(ScalarCheck::Int),
        Node::Float => Some(ScalarCheck::Float),
        Node::Decimal => Some(ScalarCheck::Decimal),
        Node::Bytes => Some(ScalarCheck::Bytes),
        _ => None,
    }
}

/// `ValidationError` unless `value` is of a type `expected` accepts.
fn check(f: &Field, value: &Bound<'_, PyAny>, expected: ScalarCheck) -> PyResult<()> {
    if accepts(value, expected)? {
        Ok(())
    } else {
        Err(type_error(f, value))
    }
}

/// Whether `value` is of a type `expected` accepts (`bool` is no number).
pub(crate) fn accepts(value: &Bound<'_, PyAny>, expected: ScalarCheck) -> PyResult<bool> {
    let is_bool = value.is_instance_of::<PyBool>();
    Ok(match expected {
        ScalarCheck::Str => value.is_instance_of::<PyString>(),
        ScalarCheck::Int => value.is_instance_of::<PyInt>() && !is_bool,
        ScalarCheck::Float => {
            (value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>()) && !is_bool
        }
        ScalarCheck::Decimal => {
            (value.is_instance_of::<PyInt>() || value.is_instance(decimal_type(value.py())?)?)
                && !is_bool
        }
        ScalarCheck::Bool => is_bool,
        ScalarCheck::Bytes => {
            value.is_instance_of::<PyBytes>()
                || value.is_instance_of::<PyByteArray>()
                || value.is_instance_of::<PyMemoryView>()
        }
    })
}

#[cold]
fn type_error(f: &Field, value: &Bound<'_, PyAny>) -> PyErr {
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let shown = value.repr().map(|r| r.to_string()).unwrap_or_default();
    errors::validation(format!("expected {}, got {type_name} {shown}", f.type_repr))
}

/// `int(value)`, skipping the call for a plain `int`.
fn int_value<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if value.is_exact_instance_of::<PyInt>() {
        Ok(value.clone())
    } else {
        value.py().get_type::<PyInt>().call1((value,))
    }
}

/// `bytes(value)` for bytes, bytearray and memoryview.
fn as_bytes<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if value.is_exact_instance_of::<PyBytes>() {
        Ok(value.clone())
    } else {
        value.py().get_type::<PyBytes>().call1((value,))
    }
}

/// `{"NULL": True}`.
fn null(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    tagged_dict(intern!(py, "NULL"), PyBool::new(py, true).as_any())
}
