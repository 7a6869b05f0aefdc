//! One attribute value read from DynamoDB's wire JSON (`{"S": "x"}`,
//! `{"B": "<base64>"}`, ...) by the streaming response reader.
//!
//! Text borrows from the response body where it has no escapes, so the
//! common shapes cost no copy before they become Python objects. A value
//! that is not exactly one known tag is refused: the caller then leaves the
//! response to botocore, which stays the reference for odd input.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde::Deserialize;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString};

/// An attribute value as it appears on the wire.
pub(crate) enum Av<'de> {
    S(Cow<'de, str>),
    N(Cow<'de, str>),
    /// Base64 text, decoded when it becomes `bytes`.
    B(Cow<'de, str>),
    Bool(bool),
    Null,
    L(Vec<Av<'de>>),
    M(Vec<(Cow<'de, str>, Av<'de>)>),
    Ss(Vec<Cow<'de, str>>),
    Ns(Vec<Cow<'de, str>>),
    Bs(Vec<Cow<'de, str>>),
}

/// Text that borrows from the input when it can.
pub(crate) struct Text<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Av<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AvVisitor)
    }
}

struct AvVisitor;

impl<'de> Visitor<'de> for AvVisitor {
    type Value = Av<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute value with one type tag")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Av<'de>, A::Error> {
        let Some(tag) = map.next_key::<Text<'de>>()? else {
            return Err(A::Error::custom("an attribute value without a type tag"));
        };
        let av = match tag.0.as_ref() {
            "S" => Av::S(map.next_value::<Text<'de>>()?.0),
            "N" => Av::N(map.next_value::<Text<'de>>()?.0),
            "B" => Av::B(map.next_value::<Text<'de>>()?.0),
            "BOOL" => Av::Bool(map.next_value()?),
            "NULL" => {
                map.next_value::<bool>()?;
                Av::Null
            }
            "L" => Av::L(map.next_value()?),
            "M" => Av::M(map.next_value::<Members<'de>>()?.0),
            "SS" => Av::Ss(texts(map.next_value()?)),
            "NS" => Av::Ns(texts(map.next_value()?)),
            "BS" => Av::Bs(texts(map.next_value()?)),
            other => return Err(A::Error::custom(format!("unknown type tag {other:?}"))),
        };
        if map.next_key::<Text<'de>>()?.is_some() {
            return Err(A::Error::custom("an attribute value with two type tags"));
        }
        Ok(av)
    }
}

fn texts(list: Vec<Text<'_>>) -> Vec<Cow<'_, str>> {
    list.into_iter().map(|t| t.0).collect()
}

/// The members of an `M` value, in wire order.
struct Members<'de>(Vec<(Cow<'de, str>, Av<'de>)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<Text<'de>>()? {
                    out.push((name.0, map.next_value::<Av<'de>>()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

/// `av` as boto3's client returns it: `{"S": str}`, `{"N": str}`,
/// `{"B": bytes}`, sets as lists, `NULL`/`BOOL` as `bool`.
pub(crate) fn to_py<'py>(py: Python<'py>, av: &Av<'_>) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    match av {
        Av::S(s) => out.set_item("S", PyString::new(py, s))?,
        Av::N(n) => out.set_item("N", PyString::new(py, n))?,
        Av::B(b) => out.set_item("B", bytes_of(py, b)?)?,
        Av::Bool(b) => out.set_item("BOOL", PyBool::new(py, *b))?,
        Av::Null => out.set_item("NULL", true)?,
        Av::L(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            out.set_item("L", list)?;
        }
        Av::M(members) => {
            let map = PyDict::new(py);
            for (name, value) in members {
                map.set_item(PyString::new(py, name), to_py(py, value)?)?;
            }
            out.set_item("M", map)?;
        }
        Av::Ss(items) => out.set_item("SS", PyList::new(py, items.iter().map(|s| s.as_ref()))?)?,
        Av::Ns(items) => out.set_item("NS", PyList::new(py, items.iter().map(|s| s.as_ref()))?)?,
        Av::Bs(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(bytes_of(py, item)?)?;
            }
            out.set_item("BS", list)?;
        }
    }
    Ok(out)
}

/// The bytes of base64 text (standard alphabet, padded, as DynamoDB sends).
pub(crate) fn bytes_of<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(raw) => Ok(PyBytes::new(py, &raw)),
        Err(err) => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "binary value is not base64: {err}"
        ))),
    }
}
