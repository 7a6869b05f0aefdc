//! Attribute-value dicts, the one value shape every conversion of the
//! bindings reads or writes: `{"S": "x"}`, `{"N": "1.5"}` (numbers as
//! strings), `{"B": b"..."}` (raw bytes, not base64), `{"BOOL": True}`,
//! `{"NULL": True}`, `{"L": [...]}`, `{"M": {...}}`, `{"SS": [...]}`,
//! `{"NS": [...]}`, `{"BS": [...]}` — the form boto3's low-level client
//! takes and returns.
//!
//! Here are the shared words (a dict's one tagged entry, a tagged dict) and
//! the conversions of that shape to and from the core's values: the checked
//! `AttributeValue` (batch keys, cursors) and the wire `Av` of a response
//! body. Marshaling Python values (`marshal/`) and model fields
//! (`schema/`) build on the same words.

use std::collections::BTreeMap;

use base64::Engine;
use dynamorm_core::value::wire::Av;
pub(crate) use dynamorm_core::value::Tag;
use dynamorm_core::AttributeValue;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple};

use crate::cache::Tags;
use crate::errors;
use crate::ffi;

/// The tag and payload of a dict with exactly one entry; the tag is `None`
/// when the key is not a type tag. `None` for a dict of any other size.
#[inline(always)]
pub(crate) fn only_entry<'py>(
    tags: &Tags,
    dict: &Bound<'py, PyDict>,
) -> Option<(Option<Tag>, Bound<'py, PyAny>)> {
    let (key, payload) = ffi::only_entry(dict)?;
    Some((tags.find(key), payload))
}

/// The tag and payload of `av` when it is exactly a `dict` with one entry
/// under a type tag; `None` for every other shape.
#[inline]
pub(crate) fn tagged_entry<'py>(
    tags: &Tags,
    av: &Bound<'py, PyAny>,
) -> Option<(Tag, Bound<'py, PyAny>)> {
    match only_entry(tags, av.cast_exact::<PyDict>().ok()?)? {
        (Some(tag), payload) => Some((tag, payload)),
        (None, _) => None,
    }
}

/// A dict with one entry, `{tag: payload}`.
#[inline(always)]
pub(crate) fn tagged_dict<'py>(
    tag: &Bound<'py, PyString>,
    payload: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = ffi::empty_dict(tag.py())?;
    ffi::set_item(&out, tag.as_any(), payload)?;
    Ok(out)
}

fn invalid(path: &str, why: impl std::fmt::Display) -> PyErr {
    errors::validation(format!("{path}: {why}"))
}

/// The `(key, value)` pairs of a dict or other mapping.
pub(crate) fn mapping_items<'py>(
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
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(t.iter().collect());
    }
    Err(invalid(
        path,
        format!("{tag} value must be a list, got {}", type_name(obj)),
    ))
}

/// Reads one attribute value dict, checked. `path` names it in error
/// messages.
pub(crate) fn av_from_py(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<AttributeValue> {
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
    let Some(known) = Tag::parse(&tag) else {
        return Err(invalid(
            path,
            format!("unknown attribute value type {tag:?}"),
        ));
    };
    let tag = tag.as_str();
    Ok(match known {
        Tag::S => AttributeValue::S(string(inner, path, tag)?),
        Tag::N => AttributeValue::N(string(inner, path, tag)?),
        Tag::B => AttributeValue::B(bytes(inner, path, tag)?),
        Tag::Bool => AttributeValue::Bool(
            inner
                .cast::<PyBool>()
                .map_err(|_| invalid(path, "BOOL value must be True or False"))?
                .is_true(),
        ),
        Tag::Null => match inner.cast::<PyBool>() {
            Ok(b) if b.is_true() => AttributeValue::Null,
            _ => return Err(invalid(path, "NULL value must be True")),
        },
        Tag::L => AttributeValue::L(
            list(inner, path, tag)?
                .iter()
                .enumerate()
                .map(|(i, v)| av_from_py(v, &format!("{path}[{i}]")))
                .collect::<PyResult<_>>()?,
        ),
        Tag::M => AttributeValue::M(map_from_py(inner, path)?),
        Tag::Ss => AttributeValue::SS(
            list(inner, path, tag)?
                .iter()
                .map(|v| string(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
        Tag::Ns => AttributeValue::NS(
            list(inner, path, tag)?
                .iter()
                .map(|v| string(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
        Tag::Bs => AttributeValue::BS(
            list(inner, path, tag)?
                .iter()
                .map(|v| bytes(v, path, tag))
                .collect::<PyResult<_>>()?,
        ),
    })
}

/// Reads a whole item or key, checked: `{"PK": {"S": "x"}, ...}`.
pub(crate) fn map_from_py(
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

/// The attribute value dict of one core value.
pub(crate) fn av_to_py<'py>(
    tags: &Tags,
    py: Python<'py>,
    value: &AttributeValue,
) -> PyResult<Bound<'py, PyDict>> {
    let payload = match value {
        AttributeValue::S(s) | AttributeValue::N(s) => PyString::new(py, s).into_any(),
        AttributeValue::B(b) => PyBytes::new(py, b).into_any(),
        AttributeValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        AttributeValue::Null => PyBool::new(py, true).to_owned().into_any(),
        AttributeValue::L(items) => {
            let converted = items
                .iter()
                .map(|v| av_to_py(tags, py, v))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, converted)?.into_any()
        }
        AttributeValue::M(map) => map_to_py(tags, py, map)?.into_any(),
        AttributeValue::SS(items) | AttributeValue::NS(items) => PyList::new(py, items)?.into_any(),
        AttributeValue::BS(items) => {
            PyList::new(py, items.iter().map(|b| PyBytes::new(py, b)))?.into_any()
        }
    };
    tagged_dict(tags.get(py, value.tag()), &payload)
}

/// The dict of a whole item or key of core values.
pub(crate) fn map_to_py<'py>(
    tags: &Tags,
    py: Python<'py>,
    map: &BTreeMap<String, AttributeValue>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, value) in map {
        out.set_item(name, av_to_py(tags, py, value)?)?;
    }
    Ok(out)
}

/// The attribute value dict of a value read from the wire, as boto3's
/// client returns it: binary decoded from base64 into `bytes`, sets as
/// lists, `NULL`/`BOOL` as `bool`.
pub(crate) fn wire_to_py<'py>(
    tags: &Tags,
    py: Python<'py>,
    av: &Av<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let (tag, payload) = match av {
        Av::S(s) => (Tag::S, PyString::new(py, s).into_any()),
        Av::N(n) => (Tag::N, PyString::new(py, n).into_any()),
        Av::B(b) => (Tag::B, bytes_of(py, b)?.into_any()),
        Av::Bool(b) => (Tag::Bool, PyBool::new(py, *b).to_owned().into_any()),
        Av::Null => (Tag::Null, PyBool::new(py, true).to_owned().into_any()),
        Av::L(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(wire_to_py(tags, py, item)?)?;
            }
            (Tag::L, list.into_any())
        }
        Av::M(members) => {
            let map = PyDict::new(py);
            for (name, value) in members {
                map.set_item(PyString::new(py, name), wire_to_py(tags, py, value)?)?;
            }
            (Tag::M, map.into_any())
        }
        Av::Ss(items) => (
            Tag::Ss,
            PyList::new(py, items.iter().map(|s| s.as_ref()))?.into_any(),
        ),
        Av::Ns(items) => (
            Tag::Ns,
            PyList::new(py, items.iter().map(|s| s.as_ref()))?.into_any(),
        ),
        Av::Bs(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(bytes_of(py, item)?)?;
            }
            (Tag::Bs, list.into_any())
        }
    };
    tagged_dict(tags.get(py, tag), &payload)
}

/// The bytes of base64 text (standard alphabet, padded, as DynamoDB sends);
/// other text is left to botocore's reader.
pub(crate) fn bytes_of<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(raw) => Ok(PyBytes::new(py, &raw)),
        Err(err) => Err(errors::fallback(format!(
            "binary value is not base64: {err}"
        ))),
    }
}
