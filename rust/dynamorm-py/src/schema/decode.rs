//! Stored attribute value → model field value, following the field's plan.
//!
//! The common shapes (`{"S": str}`, `{"N": "12"}`, `{"BOOL": b}`) are read
//! here directly; anything else goes through the generic unmarshaling, so
//! that every malformed value is refused exactly as `dynamorm.marshal`
//! refuses it.

use dynamorm_core::number::{parse_number, small_int};
use dynamorm_core::schema::{Read, UtcTime};
use dynamorm_core::value::wire::Av;
use pyo3::exceptions::{PyArithmeticError, PyKeyError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};

use super::decode_set::read_set;
use super::field::Field;
use super::time::from_utc;
use crate::av::{tagged_entry, wire_to_py, Tag};
use crate::cache::{decimal_type, json_loads, tags};
use crate::errors::{self, OrRaise, ValidationError};
use crate::marshal::deserialize_value;

/// The field value of the stored attribute value `av` (present, not `NULL`).
/// Errors name the field and the value (`Model.field: cannot read ...`).
pub(crate) fn decode<'py>(f: &Field, av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    if let (Read::Tree, Some(tree)) = (f.plan.read, &f.tree) {
        return super::tree::decode(tree, av).map_err(|err| err.into_pyerr(&f.label));
    }
    read(f, av).map_err(|err| {
        let readable = err.is_instance_of::<ValidationError>(py)
            || err.is_instance_of::<PyValueError>(py)
            || err.is_instance_of::<PyTypeError>(py)
            || err.is_instance_of::<PyKeyError>(py)
            || err.is_instance_of::<PyArithmeticError>(py);
        if !readable {
            return err;
        }
        let shown = av
            .cast::<PyDict>()
            .map_or_else(|_| av.repr(), |d| d.repr())
            .map(|r| r.to_string())
            .unwrap_or_default();
        errors::validation(format!(
            "{}: cannot read {shown}: {}",
            f.label,
            err.value(py)
        ))
    })
}

fn read<'py>(f: &Field, av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    let tags = tags(py)?;
    match f.plan.read {
        Read::Plain => read_plain(av),
        Read::Int => read_int(av),
        Read::Float => read_float(av),
        Read::Decimal => read_decimal(av),
        Read::Tree => Err(errors::type_error("a tree field is read by decode()")),
        Read::Set(element) => read_set(element, av, generic(av)?),
        Read::Dataclass => {
            let value = generic(av)?;
            let Some(cls) = &f.dataclass else {
                return Err(errors::type_error("no dataclass to build"));
            };
            let Ok(values) = value.cast::<PyDict>() else {
                return Err(errors::validation(format!(
                    "expected a map for a dataclass, got {}",
                    value.repr()?
                )));
            };
            cls.bind(py).call((), Some(values))
        }
        Read::Timestamp => read_timestamp(av),
        Read::Ttl { as_datetime } => {
            let value = match tagged_entry(tags, av) {
                Some((Tag::N, n)) => match small_int_of(&n) {
                    Some(i) => PyInt::new(py, i).into_any(),
                    None => generic(av)?,
                },
                _ => generic(av)?,
            };
            let number = !value.is_instance_of::<PyBool>()
                && (value.is_instance_of::<PyInt>() || value.is_instance(decimal_type(py)?)?);
            if !number {
                return Err(errors::validation(format!(
                    "expected epoch seconds, got {}",
                    value.repr()?
                )));
            }
            let seconds = if value.is_exact_instance_of::<PyInt>() {
                value
            } else {
                py.get_type::<PyInt>().call1((value,))?
            };
            if !as_datetime {
                return Ok(seconds);
            }
            let seconds: i64 = seconds.extract().map_err(|_| {
                errors::validation(format!("epoch seconds {seconds} are out of range"))
            })?;
            Ok(from_utc(py, UtcTime::from_epoch_seconds(seconds).or_raise()?)?.into_any())
        }
        Read::BinaryStr => {
            let payload = av.get_item(intern!(py, "B"))?;
            let bytes = if payload.is_exact_instance_of::<PyBytes>() {
                payload
            } else {
                py.get_type::<PyBytes>().call1((payload,))?
            };
            let bytes = bytes.cast::<PyBytes>()?;
            match std::str::from_utf8(bytes.as_bytes()) {
                Ok(text) => Ok(PyString::new(py, text).into_any()),
                Err(err) => Err(errors::validation(format!("B is not UTF-8 text: {err}"))),
            }
        }
        Read::Json => {
            let text = av.get_item(intern!(py, "S"))?;
            json_loads(py)?.call1((text,))
        }
    }
}

/// An untyped attribute's value, as `dynamorm.marshal` reads it (the
/// common shapes read directly).
pub(crate) fn read_plain<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    match tagged_entry(tags(py)?, av) {
        Some((Tag::S, s)) if s.is_exact_instance_of::<PyString>() => Ok(s),
        Some((Tag::Bool, b)) if b.is_exact_instance_of::<PyBool>() => Ok(b),
        Some((Tag::N, n)) => match small_int_of(&n) {
            Some(i) => Ok(PyInt::new(py, i).into_any()),
            None => generic(av),
        },
        _ => generic(av),
    }
}

/// A stored number that must be integral, as `int`.
pub(crate) fn read_int<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    if let Some((Tag::N, n)) = tagged_entry(tags(py)?, av) {
        if let Some(i) = small_int_of(&n) {
            return Ok(PyInt::new(py, i).into_any());
        }
    }
    let value = generic(av)?;
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        Ok(value)
    } else {
        Err(errors::validation(format!(
            "expected an integer, got {}",
            value.repr()?
        )))
    }
}

/// A stored number as `float`.
pub(crate) fn read_float<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    if let Some((Tag::N, n)) = tagged_entry(tags(py)?, av) {
        if let Ok(text) = n.cast::<PyString>() {
            let text = text.to_str()?;
            if parse_number(text).is_ok() {
                if let Ok(x) = text.parse::<f64>() {
                    // Zero is stored without its sign.
                    let x = if x == 0.0 { 0.0 } else { x };
                    return Ok(PyFloat::new(py, x).into_any());
                }
            }
        }
    }
    py.get_type::<PyFloat>().call1((generic(av)?,))
}

/// A stored number as `Decimal`, exactly as stored.
pub(crate) fn read_decimal<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    let tags = tags(py)?;
    let text = match tagged_entry(tags, av) {
        Some((Tag::N, n))
            if n.cast::<PyString>()
                .is_ok_and(|t| t.to_str().is_ok_and(|s| parse_number(s).is_ok())) =>
        {
            if let Ok(text) = n.cast_exact::<PyString>() {
                return tags.new_decimal(text);
            }
            n
        }
        _ => {
            generic(av)?;
            av.get_item(intern!(py, "N"))?
        }
    };
    decimal_type(py)?.call1((text,))
}

/// A stored RFC 3339 timestamp as an aware UTC `datetime`.
pub(crate) fn read_timestamp<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    let text = av.get_item(intern!(py, "S"))?;
    let Ok(text) = text.cast::<PyString>() else {
        return Err(errors::validation("S must hold text"));
    };
    Ok(from_utc(py, UtcTime::parse(text.to_str()?).or_raise()?)?.into_any())
}

/// The generic unmarshaling of one attribute value, as
/// `dynamorm.marshal.deserialize` does it.
pub(crate) fn generic<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    deserialize_value(av)
}

/// The value of `N` text that is at most 18 plain digits with an optional
/// `-` (see `small_int`).
#[inline]
fn small_int_of(payload: &Bound<'_, PyAny>) -> Option<i64> {
    small_int(payload.cast_exact::<PyString>().ok()?.to_str().ok()?)
}

/// The field value of an attribute value read from the wire (present, not
/// `NULL`). The shapes `decode` reads directly are read here the same way;
/// every other shape becomes the dict boto3 would have built and goes
/// through `decode`, so both paths give the same values and the same errors.
pub(crate) fn decode_wire<'py>(
    py: Python<'py>,
    f: &Field,
    av: &Av<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    match (f.plan.read, av) {
        (Read::Plain, Av::S(s)) => return Ok(PyString::new(py, s).into_any()),
        (Read::Plain, Av::Bool(b)) => return Ok(PyBool::new(py, *b).to_owned().into_any()),
        (Read::Plain | Read::Int | Read::Ttl { as_datetime: false }, Av::N(n)) => {
            if let Some(i) = small_int(n) {
                return Ok(PyInt::new(py, i).into_any());
            }
        }
        (Read::Float, Av::N(n)) if parse_number(n).is_ok() => {
            if let Ok(x) = n.parse::<f64>() {
                // Zero is stored without its sign.
                let x = if x == 0.0 { 0.0 } else { x };
                return Ok(PyFloat::new(py, x).into_any());
            }
        }
        (Read::Decimal, Av::N(n)) if parse_number(n).is_ok() => {
            return decimal_type(py)?.call1((PyString::new(py, n),));
        }
        (Read::Timestamp, Av::S(s)) => {
            if let Ok(t) = UtcTime::parse(s) {
                return Ok(from_utc(py, t)?.into_any());
            }
        }
        _ => {}
    }
    decode(f, wire_to_py(tags(py)?, py, av)?.as_any())
}
