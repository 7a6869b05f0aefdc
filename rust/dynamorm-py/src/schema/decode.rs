//! Stored attribute value → model field value, following the field's plan.
//!
//! The common shapes (`{"S": str}`, `{"N": "12"}`, `{"BOOL": b}`) are read
//! here directly; anything else goes through the generic unmarshaling, so
//! that every malformed value is refused exactly as `dynamorm.marshal`
//! refuses it.

use dynamorm_core::number::parse_number;
use dynamorm_core::schema::{Read, UtcTime};
use pyo3::exceptions::{PyArithmeticError, PyKeyError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};

use super::cache::{decimal_type, deserialize, json_loads};
use super::decode_set::read_set;
use super::field::Field;
use super::json_av::{self, Av};
use super::time::from_utc;
use crate::errors::{IntoPyResult, ValidationError};

/// The field value of the stored attribute value `av` (present, not `NULL`).
/// Errors name the field and the value (`Model.field: cannot read ...`).
pub(crate) fn decode<'py>(f: &Field, av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
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
        ValidationError::new_err(format!(
            "{}: cannot read {shown}: {}",
            f.label,
            err.value(py)
        ))
    })
}

fn read<'py>(f: &Field, av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    match f.plan.read {
        Read::Plain => match only(av) {
            Some((Tag::S, s)) if s.is_exact_instance_of::<PyString>() => Ok(s),
            Some((Tag::Bool, b)) if b.is_exact_instance_of::<PyBool>() => Ok(b),
            Some((Tag::N, n)) => match small_int(&n) {
                Some(i) => Ok(PyInt::new(py, i).into_any()),
                None => generic(av),
            },
            _ => generic(av),
        },
        Read::Int => {
            if let Some((Tag::N, n)) = only(av) {
                if let Some(i) = small_int(&n) {
                    return Ok(PyInt::new(py, i).into_any());
                }
            }
            let value = generic(av)?;
            if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
                Ok(value)
            } else {
                Err(ValidationError::new_err(format!(
                    "expected an integer, got {}",
                    value.repr()?
                )))
            }
        }
        Read::Float => {
            if let Some((Tag::N, n)) = only(av) {
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
        Read::Decimal => {
            let text = match only(av) {
                Some((Tag::N, n))
                    if n.cast::<PyString>()
                        .is_ok_and(|t| t.to_str().is_ok_and(|s| parse_number(s).is_ok())) =>
                {
                    n
                }
                _ => {
                    generic(av)?;
                    av.get_item(intern!(py, "N"))?
                }
            };
            decimal_type(py)?.call1((text,))
        }
        Read::Set(element) => read_set(element, av, generic(av)?),
        Read::Dataclass => {
            let value = generic(av)?;
            let Some(cls) = &f.dataclass else {
                return Err(PyTypeError::new_err("no dataclass to build"));
            };
            let Ok(values) = value.cast::<PyDict>() else {
                return Err(ValidationError::new_err(format!(
                    "expected a map for a dataclass, got {}",
                    value.repr()?
                )));
            };
            cls.bind(py).call((), Some(values))
        }
        Read::Timestamp => {
            let text = av.get_item(intern!(py, "S"))?;
            let Ok(text) = text.cast::<PyString>() else {
                return Err(ValidationError::new_err("S must hold text"));
            };
            Ok(from_utc(py, UtcTime::parse(text.to_str()?).py()?)?.into_any())
        }
        Read::Ttl { as_datetime } => {
            let value = match only(av) {
                Some((Tag::N, n)) => match small_int(&n) {
                    Some(i) => PyInt::new(py, i).into_any(),
                    None => generic(av)?,
                },
                _ => generic(av)?,
            };
            let number = !value.is_instance_of::<PyBool>()
                && (value.is_instance_of::<PyInt>() || value.is_instance(decimal_type(py)?)?);
            if !number {
                return Err(ValidationError::new_err(format!(
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
                ValidationError::new_err(format!("epoch seconds {seconds} are out of range"))
            })?;
            Ok(from_utc(py, UtcTime::from_epoch_seconds(seconds).py()?)?.into_any())
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
                Err(err) => Err(ValidationError::new_err(format!(
                    "B is not UTF-8 text: {err}"
                ))),
            }
        }
        Read::Json => {
            let text = av.get_item(intern!(py, "S"))?;
            json_loads(py)?.call1((text,))
        }
    }
}

/// The generic unmarshaling of one attribute value.
fn generic<'py>(av: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    deserialize(av.py())?.call1((av,))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    S,
    N,
    Bool,
}

/// The tag and payload of a plain dict with exactly one entry whose tag is
/// `S`, `N` or `BOOL`; `None` for every other shape.
#[inline]
fn only<'py>(av: &Bound<'py, PyAny>) -> Option<(Tag, Bound<'py, PyAny>)> {
    let dict = av.cast_exact::<PyDict>().ok()?;
    if dict.len() != 1 {
        return None;
    }
    let (key, value) = dict.iter().next()?;
    let key = key.cast_exact::<PyString>().ok()?;
    let tag = match key.to_str().ok()? {
        "S" => Tag::S,
        "N" => Tag::N,
        "BOOL" => Tag::Bool,
        _ => return None,
    };
    Some((tag, value))
}

/// The value of `N` text that is at most 18 plain digits with an optional
/// `-` (always fits an `i64`; `-0` is `0`).
#[inline]
fn small_int(payload: &Bound<'_, PyAny>) -> Option<i64> {
    small_int_text(payload.cast_exact::<PyString>().ok()?.to_str().ok()?)
}

/// `small_int` on text.
#[inline]
fn small_int_text(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
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
            if let Some(i) = small_int_text(n) {
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
    decode(f, json_av::to_py(py, av)?.as_any())
}
