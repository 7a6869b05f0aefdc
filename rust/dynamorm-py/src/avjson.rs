//! Python DynamoDB-JSON dicts (boto3 client style, binary as bytes) ⇄ core
//! `AttributeValue`.
//!
//! This is the form boto3's low-level client takes and returns: `{"S": "x"}`,
//! `{"N": "1.5"}` (numbers as strings), `{"B": b"..."}` (raw bytes, not
//! base64), `{"BOOL": True}`, `{"NULL": True}`, `{"L": [...]}`, `{"M": {...}}`,
//! `{"SS": [...]}`, `{"NS": [...]}`, `{"BS": [...]}`. Errors are
//! `ValidationError`s naming the path of the bad value.

use std::collections::BTreeMap;

use dynamorm_core::{AttributeValue, CoreError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyMapping, PyString};

use crate::errors::to_pyerr;

fn invalid(path: &str, why: impl std::fmt::Display) -> PyErr {
    to_pyerr(CoreError::validation(format!("{path}: {why}")))
}

/// The `(key, value)` pairs of a dict or other mapping.
pub fn mapping_items<'py>(
    obj: &Bound<'py, PyAny>,
    path: &str,
) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    if let Ok(dict) = obj.cast::<PyDict>() {
        return Ok(dict.iter().collect());
    }
    let mapping = obj
        .cast::<PyMapping>()
        .map_err(|_| invalid(path, format!("expected a dict, got {}", type_name(obj))))?;
    mapping
        .items()?
        .iter()
        .map(|pair| pair.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>())
        .collect()
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

fn string(obj: &Bound<'_, PyAny>, path: &str, tag: &str) -> PyResult<String> {
    obj.cast::<PyString>()
        .map_err(|_| {
            invalid(
                path,
                format!("{tag} value must be a str, got {}", type_name(obj)),
            )
        })?
        .to_str()
        .map(str::to_owned)
}

fn bytes(obj: &Bound<'_, PyAny>, path: &str, tag: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(invalid(
        path,
        format!("{tag} value must be bytes, got {}", type_name(obj)),
    ))
}

fn list<'py>(obj: &Bound<'py, PyAny>, path: &str, tag: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(l.iter().collect());
    }
    if let Ok(t) = obj.cast::<pyo3::types::PyTuple>() {
        return Ok(t.iter().collect());
    }
    Err(invalid(
        path,
        format!("{tag} value must be a list, got {}", type_name(obj)),
    ))
}

/// Reads one attribute value dict. `path` names it in error messages.
pub fn av_from_py(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<AttributeValue> {
    let items = mapping_items(obj, path)?;
    let [(tag, inner)] = items.as_slice() else {
        return Err(invalid(
            path,
            format!(
                "an attribute value must have exactly one type key like {{\"S\": ...}}, got {} keys",
                items.len()
            ),
        ));
    };
    let tag: String = tag
        .extract()
        .map_err(|_| invalid(path, "the type key must be a str"))?;
    let tag = tag.as_str();
    let each = |f: &dyn Fn(&Bound<'_, PyAny>, &str) -> PyResult<AttributeValue>| {
        list(inner, path, tag)?
            .iter()
            .enumerate()
            .map(|(i, v)| f(v, &format!("{path}[{i}]")))
            .collect::<PyResult<Vec<_>>>()
    };
    Ok(match tag {
        "S" => AttributeValue::S(string(inner, path, tag)?),
        "N" => AttributeValue::N(string(inner, path, tag)?),
        "B" => AttributeValue::B(bytes(inner, path, tag)?),
        "BOOL" => AttributeValue::Bool(
            inner
                .cast::<PyBool>()
                .map_err(|_| invalid(path, "BOOL value must be True or False"))?
                .is_true(),
        ),
        "NULL" => match inner.cast::<PyBool>() {
            Ok(b) if b.is_true() => AttributeValue::Null,
            _ => return Err(invalid(path, "NULL value must be True")),
        },
        "L" => AttributeValue::L(each(&|v, p| av_from_py(v, p))?),
        "M" => AttributeValue::M(map_from_py(inner, path)?),
        "SS" => AttributeValue::SS(
            list(inner, path, tag)?
                .iter()
                .map(|v| string(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
        "NS" => AttributeValue::NS(
            list(inner, path, tag)?
                .iter()
                .map(|v| string(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
        "BS" => AttributeValue::BS(
            list(inner, path, tag)?
                .iter()
                .map(|v| bytes(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
        other => {
            return Err(invalid(
                path,
                format!("unknown attribute value type {other:?}"),
            ))
        }
    })
}

/// Reads a whole item or key: `{"PK": {"S": "x"}, ...}`.
pub fn map_from_py(
    obj: &Bound<'_, PyAny>,
    path: &str,
) -> PyResult<BTreeMap<String, AttributeValue>> {
    mapping_items(obj, path)?
        .into_iter()
        .map(|(name, value)| {
            let name: String = name
                .extract()
                .map_err(|_| invalid(path, "attribute names must be str"))?;
            let value = av_from_py(&value, &format!("{path}.{name}"))?;
            Ok((name, value))
        })
        .collect()
}

/// Builds the boto3-client dict for one attribute value.
pub fn av_to_py<'py>(py: Python<'py>, value: &AttributeValue) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let tag = value.type_tag();
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => out.set_item(tag, s)?,
        AttributeValue::B(b) => out.set_item(tag, PyBytes::new(py, b))?,
        AttributeValue::Bool(b) => out.set_item(tag, *b)?,
        AttributeValue::Null => out.set_item(tag, true)?,
        AttributeValue::L(items) => {
            let converted = items
                .iter()
                .map(|v| av_to_py(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            out.set_item(tag, PyList::new(py, converted)?)?;
        }
        AttributeValue::M(map) => out.set_item(tag, map_to_py(py, map)?)?,
        AttributeValue::SS(items) | AttributeValue::NS(items) => {
            out.set_item(tag, PyList::new(py, items)?)?;
        }
        AttributeValue::BS(items) => {
            let converted = items.iter().map(|b| PyBytes::new(py, b));
            out.set_item(tag, PyList::new(py, converted)?)?;
        }
    }
    Ok(out)
}

/// Builds the boto3-client dict for a whole item or key.
pub fn map_to_py<'py>(
    py: Python<'py>,
    map: &BTreeMap<String, AttributeValue>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, value) in map {
        out.set_item(name, av_to_py(py, value)?)?;
    }
    Ok(out)
}
