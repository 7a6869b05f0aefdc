//! Model field value → attribute value, following the field's plan.

use dynamorm_core::schema::{ScalarCheck, WhenNone, Write};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList,
    PyMemoryView, PySet, PyString, PyTuple, PyType,
};

use super::cache::{dataclass_field_marker, decimal_type, json_dumps, json_options};
use super::field::Field;
use super::time::to_utc;
use crate::errors::ValidationError;
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
            WhenNone::Fail => Err(ValidationError::new_err(format!(
                "{}: is a key attribute and has no value",
                f.label
            ))),
            WhenNone::Omit => Ok(None),
            WhenNone::Null => Ok(Some(null(py)?)),
        };
    }
    match write(f, value) {
        Ok(av) => Ok(Some(av)),
        Err(err) if err.is_instance_of::<ValidationError>(py) => Err(ValidationError::new_err(
            format!("{}: {}", f.label, err.value(py)),
        )),
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
                        ValidationError::new_err(format!(
                            "cannot be stored as JSON: {}",
                            err.value(py)
                        ))
                    } else {
                        err
                    }
                })?;
            tagged(py, intern!(py, "S"), &text)
        }
        Write::Ttl => {
            let seconds = if let Ok(dt) = value.cast::<PyDateTime>() {
                PyInt::new(py, to_utc(dt)?.epoch_seconds()).into_any()
            } else {
                check(f, value, ScalarCheck::Int)?;
                int_value(value)?
            };
            tagged(py, intern!(py, "N"), seconds.str()?.as_any())
        }
        Write::Timestamp => {
            let Ok(dt) = value.cast::<PyDateTime>() else {
                return Err(type_error(f, value));
            };
            let text = to_utc(dt)?.format();
            tagged(py, intern!(py, "S"), PyString::new(py, &text).as_any())
        }
        Write::Binary => {
            let bytes = if let Ok(text) = value.cast::<PyString>() {
                PyBytes::new(py, text.to_str()?.as_bytes()).into_any()
            } else {
                check(f, value, ScalarCheck::Bytes)?;
                as_bytes(value)?
            };
            tagged(py, intern!(py, "B"), &bytes)
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
            serialize_value(value, "value")
        }
        Write::Dataclass => serialize_value(dataclass_dict(f, value)?.as_any(), "value"),
        Write::Checked(expected) => {
            if expected == ScalarCheck::Str && value.is_exact_instance_of::<PyString>() {
                return tagged(py, intern!(py, "S"), value);
            }
            check(f, value, expected)?;
            serialize_value(value, "value")
        }
        Write::Plain => serialize_value(value, "value"),
    }
}

/// `ValidationError` unless `value` is of a type `expected` accepts.
fn check(f: &Field, value: &Bound<'_, PyAny>, expected: ScalarCheck) -> PyResult<()> {
    let is_bool = value.is_instance_of::<PyBool>();
    let ok = match expected {
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
    };
    if ok {
        Ok(())
    } else {
        Err(type_error(f, value))
    }
}

#[cold]
fn type_error(f: &Field, value: &Bound<'_, PyAny>) -> PyErr {
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let shown = value.repr().map(|r| r.to_string()).unwrap_or_default();
    ValidationError::new_err(format!("expected {}, got {type_name} {shown}", f.type_repr))
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

/// `{field name: value}` of a dataclass instance, `None` values left out,
/// nested dataclass values turned into dicts the same way. The field names
/// of the declared dataclass were looked up when the schema was built.
fn dataclass_dict<'py>(f: &Field, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = value.py();
    if value.is_instance_of::<PyType>() || !is_dataclass(value)? {
        let type_name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(ValidationError::new_err(format!(
            "expected a dataclass instance, got {type_name}"
        )));
    }
    let names = match (&f.dataclass, &f.dataclass_names) {
        (Some(cls), Some(names)) if value.get_type().is(cls.bind(py)) => names.bind(py).clone(),
        _ => cached_field_names(&value.get_type())?,
    };
    // Plain dataclasses keep their values in `__dict__`, which is quicker to
    // read than attributes; slotted ones (and properties) use getattr.
    let own = value
        .getattr_opt(intern!(py, "__dict__"))?
        .and_then(|d| d.cast_into_exact::<PyDict>().ok());
    let out = PyDict::new(py);
    for name in names.iter() {
        let name = name.cast_into::<PyString>()?;
        let found = match &own {
            Some(own) => own.get_item(&name)?,
            None => None,
        };
        let item = match found {
            Some(item) => item,
            None => value.getattr(&name)?,
        };
        if item.is_none() {
            continue;
        }
        if is_dataclass(&item)? {
            out.set_item(name, dataclass_dict(f, &item)?)?;
        } else {
            out.set_item(name, item)?;
        }
    }
    Ok(out)
}

/// Field names of the dataclasses met nested in values, by class. The classes
/// are kept alive by the cache, so a class is never mistaken for another.
static NESTED_NAMES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn cached_field_names<'py>(cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyTuple>> {
    let py = cls.py();
    let cache = NESTED_NAMES
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py);
    if let Some(names) = cache.get_item(cls)? {
        return Ok(names.cast_into::<PyTuple>()?);
    }
    let names = dataclass_field_names(cls)?;
    cache.set_item(cls, &names)?;
    Ok(names)
}

/// The names of a dataclass's fields, in order (`dataclasses.fields`: no
/// `ClassVar` or `InitVar` pseudo-fields).
pub(crate) fn dataclass_field_names<'py>(
    cls: &Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = cls.py();
    let marker = dataclass_field_marker(py)?;
    let declared = cls
        .getattr(intern!(py, "__dataclass_fields__"))?
        .cast_into::<PyDict>()?;
    let mut names = Vec::with_capacity(declared.len());
    for (_, field) in declared.iter() {
        if field.getattr(intern!(py, "_field_type"))?.is(marker) {
            names.push(field.getattr(intern!(py, "name"))?);
        }
    }
    PyTuple::new(py, names)
}

/// `dataclasses.is_dataclass`: a dataclass or an instance of one.
fn is_dataclass(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    // A failed attribute lookup costs an exception; the built-in types that
    // make up most values cannot be dataclasses.
    if value.is_exact_instance_of::<PyString>()
        || value.is_exact_instance_of::<PyInt>()
        || value.is_exact_instance_of::<PyList>()
        || value.is_exact_instance_of::<PyDict>()
        || value.is_exact_instance_of::<PyBool>()
        || value.is_exact_instance_of::<PyFloat>()
        || value.is_exact_instance_of::<PyBytes>()
        || value.is_exact_instance_of::<PyTuple>()
        || value.is_exact_instance_of::<PySet>()
    {
        return Ok(false);
    }
    let name = intern!(value.py(), "__dataclass_fields__");
    match value.cast::<PyType>() {
        Ok(cls) => cls.hasattr(name),
        Err(_) => value.get_type().hasattr(name),
    }
}

/// `{"NULL": True}`.
fn null(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    tagged(py, intern!(py, "NULL"), PyBool::new(py, true).as_any())
}

/// `{tag: payload}`.
#[inline]
pub(crate) fn tagged<'py>(
    py: Python<'py>,
    tag: &Bound<'py, PyString>,
    payload: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item(tag, payload)?;
    Ok(out)
}
