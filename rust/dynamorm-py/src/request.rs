//! Request bodies in DynamoDB's JSON protocol, written straight from the
//! parameter dict the library built (the request side of the fast path).
//!
//! The output is what botocore's JSON serializer sends for the same
//! parameters: binary values (`bytes`) as base64 text, everything else as
//! JSON (numbers in `N` values are already strings). Anything else — a type
//! the library never puts in a request, text that is not UTF-8 — is
//! `errors::fallback`, and the caller uses botocore's serializer.

use std::io::Write;

use base64::Engine;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};

use crate::errors;

/// Deeper than any DynamoDB item may nest (32 levels) plus the request's own
/// structure; past it the dict is not a request the library built.
const MAX_DEPTH: usize = 128;

fn write_str(out: &mut Vec<u8>, text: &str) {
    // serde_json escapes exactly what JSON requires; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// The UTF-8 text of `text`; a str that has none (lone surrogates) is left
/// to botocore.
fn utf8<'a>(text: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    text.to_str()
        .map_err(|err| errors::fallback(format!("a str that is not UTF-8: {err}")))
}

fn write_value(out: &mut Vec<u8>, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(errors::fallback("request nests too deeply"));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        write_str(out, utf8(text)?);
    } else if let Ok(dict) = obj.cast::<PyDict>() {
        out.push(b'{');
        for (i, (key, value)) in dict.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let key = key
                .cast::<PyString>()
                .map_err(|_| errors::fallback("request dict keys must be str"))?;
            write_str(out, utf8(key)?);
            out.push(b':');
            write_value(out, &value, depth + 1)?;
        }
        out.push(b'}');
    } else if let Ok(list) = obj.cast::<PyList>() {
        write_array(out, list.iter(), depth)?;
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        write_array(out, tuple.iter(), depth)?;
    } else if let Ok(flag) = obj.cast::<PyBool>() {
        out.extend_from_slice(if flag.is_true() { b"true" } else { b"false" });
    } else if obj.is_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(n) => {
                let _ = write!(out, "{n}");
            }
            // Python ints are unbounded; their decimal text is exact.
            Err(_) => {
                let text = obj.str().map_err(|err| {
                    errors::fallback(format!("an int without decimal text: {err}"))
                })?;
                out.extend_from_slice(utf8(&text)?.as_bytes());
            }
        }
    } else if let Ok(bytes) = obj.cast::<PyBytes>() {
        write_base64(out, bytes.as_bytes());
    } else if let Ok(array) = obj.cast::<PyByteArray>() {
        write_base64(out, &array.to_vec());
    } else if obj.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(float) = obj.cast::<PyFloat>() {
        let value = float.value();
        if !value.is_finite() {
            return Err(errors::fallback("request holds a non-finite float"));
        }
        let _ = serde_json::to_writer(&mut *out, &value);
    } else {
        let name = obj.get_type().name()?;
        return Err(errors::fallback(format!(
            "cannot write a {name} into a request body"
        )));
    }
    Ok(())
}

fn write_array<'py>(
    out: &mut Vec<u8>,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
) -> PyResult<()> {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_value(out, &item, depth + 1)?;
    }
    out.push(b']');
    Ok(())
}

fn write_base64(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'"');
    let start = out.len();
    let engine = &base64::engine::general_purpose::STANDARD;
    out.resize(
        start + base64::encoded_len(data.len(), true).unwrap_or(0),
        0,
    );
    let written = engine
        .encode_slice(data, &mut out[start..])
        .unwrap_or_default();
    out.truncate(start + written);
    out.push(b'"');
}

/// The JSON request body (UTF-8 bytes) of a DynamoDB request whose
/// parameters are `params`: `bytes` as base64 text, `str`, `int`, `float`,
/// `bool`, `None`, `list`/`tuple` and `dict` (str keys) as JSON. Raises
/// `Fallback` for any other value, a non-finite float or text that is not
/// UTF-8: botocore's serializer takes those.
#[pyfunction]
pub fn encode_request<'py>(
    py: Python<'py>,
    params: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, params.as_any(), 0)?;
    Ok(PyBytes::new(py, &out))
}

/// Registers this module's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(encode_request, m)?)
}
