//! DynamoDB JSON → Python value: `N` becomes `int` when integral, else
//! `Decimal`; `B` becomes `bytes`; sets become `set`.

use dynamorm_core::number::{classify_plain, parse_number, small_int, Plain, MAX_DEPTH};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    IntoPyDict, PyBool, PyByteArray, PyBytes, PyDict, PyInt, PyList, PySet, PyString, PyTuple,
};

use super::is_boto3_binary;
use super::path::{type_name, Fail, MResult};
use crate::av::{only_entry, Tag};
use crate::cache::{a2b_base64, tags, Tags};
use crate::ffi::{build_list, dict_len, entries, list_item, presized_dict, set_item, tuple_item};

/// One DynamoDB-JSON value (`{"S": "x"}`) as a Python value.
pub(crate) fn value<'py>(av: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyAny>> {
    any(tags(av.py())?, av, depth)
}

/// A whole item, `{name: DynamoDB JSON}`, as `{name: value}`.
pub(crate) fn item<'py>(item: &Bound<'py, PyAny>) -> MResult<Bound<'py, PyAny>> {
    if !item.is_instance_of::<PyDict>() {
        return Err(Fail::invalid(format!(
            "expected a dict of attribute values, got {}",
            type_name(item)
        )));
    }
    map(tags(item.py())?, item, 0)
}

fn any<'py>(tags: &Tags, av: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyAny>> {
    let py = av.py();
    let entry = match av.cast_exact::<PyDict>() {
        Ok(dict) => only_entry(tags, dict),
        Err(_) => av
            .cast::<PyDict>()
            .ok()
            .and_then(|dict| only_entry(tags, dict)),
    };
    let Some((tag, payload)) = entry else {
        return Err(not_an_attribute_value(av));
    };
    let Some(tag) = tag else {
        return Err(unknown_tag(av));
    };
    match tag {
        Tag::S => string(payload, "S"),
        Tag::N => number(tags, &payload),
        Tag::M => map(tags, &payload, depth),
        Tag::L => list(tags, &payload, depth),
        Tag::Bool => {
            if payload.is_exact_instance_of::<PyBool>() {
                Ok(payload)
            } else {
                Err(wrong_payload("BOOL", "a bool", &payload))
            }
        }
        Tag::Null => Ok(py.None().into_bound(py)),
        Tag::B => binary(payload, "B"),
        Tag::Ss => set(&payload, "SS", |p| string(p, "SS")),
        Tag::Ns => set(&payload, "NS", |p| number(tags, &p)),
        Tag::Bs => set(&payload, "BS", |p| binary(p, "BS")),
    }
}

fn map<'py>(tags: &Tags, payload: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyAny>> {
    if depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    let Ok(dict) = payload.cast::<PyDict>() else {
        return Err(wrong_payload("M", "a dict", payload));
    };
    let out = presized_dict(payload.py(), dict_len(dict))?;
    for (key, item) in entries(dict) {
        match any(tags, &item, depth + 1) {
            Ok(decoded) => set_item(&out, &key, &decoded)?,
            Err(fail) => return Err(fail.at_key(&key_text(&key))),
        }
    }
    Ok(out.into_any())
}

fn list<'py>(tags: &Tags, payload: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyAny>> {
    if depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    let py = payload.py();
    if let Ok(items) = payload.cast::<PyList>() {
        let list = build_list(py, items.len(), |index| {
            let item = list_item(items, index)?;
            any(tags, &item, depth + 1).map_err(|fail| fail.at_index(index))
        })?;
        return Ok(list.into_any());
    }
    if let Ok(items) = payload.cast::<PyTuple>() {
        let list = build_list(py, items.len(), |index| {
            let item = tuple_item(items, index);
            any(tags, &item, depth + 1).map_err(|fail| fail.at_index(index))
        })?;
        return Ok(list.into_any());
    }
    Err(wrong_payload("L", "a list", payload))
}

fn set<'py>(
    payload: &Bound<'py, PyAny>,
    tag: &str,
    element: impl Fn(Bound<'py, PyAny>) -> MResult<Bound<'py, PyAny>>,
) -> MResult<Bound<'py, PyAny>> {
    if !(payload.is_instance_of::<PyList>() || payload.is_instance_of::<PyTuple>()) {
        return Err(wrong_payload(tag, "a list", payload));
    }
    let out = PySet::empty(payload.py())?;
    for (index, item) in payload.try_iter()?.enumerate() {
        out.add(element(item?).map_err(|fail| fail.at_index(index))?)?;
    }
    Ok(out.into_any())
}

#[inline]
fn string<'py>(payload: Bound<'py, PyAny>, tag: &str) -> MResult<Bound<'py, PyAny>> {
    if payload.is_exact_instance_of::<PyString>() {
        Ok(payload)
    } else if let Ok(s) = payload.cast::<PyString>() {
        Ok(PyString::new(payload.py(), &s.to_cow()?).into_any())
    } else {
        Err(wrong_payload(tag, "a str", &payload))
    }
}

/// `int` when integral, else `Decimal`. Short plain integers, by far the
/// most common, are parsed here without a detour through Python.
fn number<'py>(tags: &Tags, payload: &Bound<'py, PyAny>) -> MResult<Bound<'py, PyAny>> {
    let py = payload.py();
    let text = match payload.cast_exact::<PyString>() {
        Ok(text) => text,
        Err(_) => match payload.cast::<PyString>() {
            Ok(text) => text,
            Err(_) => return Err(wrong_payload("N", "number text", payload)),
        },
    };
    let s = text.to_str()?;
    if let Some(small) = small_int(s) {
        return Ok(PyInt::new(py, small).into_any());
    }
    if classify_plain(s) == Some(Plain::Fraction) {
        return Ok(tags.new_decimal(text)?);
    }
    let parsed = parse_number(s).map_err(|err| Fail::invalid(format!("{err} (got '{s}')")))?;
    let mut integer = String::new();
    if parsed.write_integer(&mut integer) {
        Ok(py.get_type::<PyInt>().call1((integer,))?)
    } else {
        Ok(tags.new_decimal(text)?)
    }
}

/// `bytes` from bytes, bytearray, boto3 `Binary` or base64 text (as in
/// DynamoDB Streams events).
fn binary<'py>(payload: Bound<'py, PyAny>, tag: &str) -> MResult<Bound<'py, PyAny>> {
    let py = payload.py();
    if payload.is_exact_instance_of::<PyBytes>() {
        return Ok(payload);
    }
    if let Ok(b) = payload.cast::<PyBytes>() {
        return Ok(PyBytes::new(py, b.as_bytes()).into_any());
    }
    if let Ok(b) = payload.cast::<PyByteArray>() {
        return Ok(PyBytes::new(py, &b.to_vec()).into_any());
    }
    if payload.is_instance_of::<PyString>() {
        let strict = [(intern!(py, "strict_mode"), true)].into_py_dict(py)?;
        return a2b_base64(py)?
            .call((&payload,), Some(&strict))
            .map_err(|_| Fail::invalid(format!("{tag} text is not valid base64")));
    }
    if is_boto3_binary(&payload) {
        return binary(payload.getattr(intern!(py, "value"))?, tag);
    }
    Err(wrong_payload(tag, "bytes", &payload))
}

fn not_an_attribute_value(av: &Bound<'_, PyAny>) -> Fail {
    let got = match av.cast::<PyDict>() {
        Ok(d) => {
            let keys: Vec<String> = d.keys().iter().map(|k| key_text(&k)).collect();
            format!("a dict with keys [{}]", keys.join(", "))
        }
        Err(_) => type_name(av),
    };
    Fail::invalid(format!(
        "expected a DynamoDB attribute value, a dict with one type key such as \
         {{'S': 'text'}}, got {got}"
    ))
}

fn key_text(key: &Bound<'_, PyAny>) -> String {
    match key.cast::<PyString>() {
        Ok(s) => s.to_string_lossy().into_owned(),
        Err(_) => key.repr().map(|r| r.to_string()).unwrap_or_default(),
    }
}

/// `av` is a dict of one entry whose key is not a type tag.
fn unknown_tag(av: &Bound<'_, PyAny>) -> Fail {
    let shown = av
        .cast::<PyDict>()
        .ok()
        .and_then(|dict| dict.keys().iter().next())
        .and_then(|key| key.repr().ok())
        .map(|r| r.to_string())
        .unwrap_or_default();
    Fail::invalid(format!(
        "unknown DynamoDB type tag {shown}; expected one of S, N, B, BOOL, NULL, L, M, SS, NS, BS"
    ))
}

fn wrong_payload(tag: &str, expected: &str, payload: &Bound<'_, PyAny>) -> Fail {
    Fail::invalid(format!(
        "{tag} must hold {expected}, got {}",
        type_name(payload)
    ))
}

fn too_deep() -> Fail {
    Fail::invalid(format!(
        "lists and maps nest deeper than DynamoDB's limit of {MAX_DEPTH} levels"
    ))
}
