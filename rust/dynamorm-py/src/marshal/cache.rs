//! Python objects looked up once per interpreter and the interned type tags.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static A2B_BASE64: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TAGS: PyOnceLock<Tags> = PyOnceLock::new();

/// `decimal.Decimal`.
pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// `collections.abc.Mapping`.
pub(crate) fn mapping_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    MAPPING.import(py, "collections.abc", "Mapping")
}

/// `binascii.a2b_base64`, for binary values given as base64 text (the form
/// DynamoDB Streams events use).
pub(crate) fn a2b_base64(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    A2B_BASE64.import(py, "binascii", "a2b_base64")
}

/// True when `value` is a `boto3.dynamodb.types.Binary`. Checked by name so
/// that boto3 is never imported here: if it was not imported, no value can be
/// one of its `Binary`s.
pub(crate) fn is_boto3_binary(value: &Bound<'_, PyAny>) -> bool {
    let ty = value.get_type();
    ty.name().is_ok_and(|n| n == "Binary") && ty.module().is_ok_and(|m| m == "boto3.dynamodb.types")
}

/// A DynamoDB type tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    S,
    N,
    M,
    L,
    Bool,
    Null,
    B,
    Ss,
    Ns,
    Bs,
}

/// Every tag with its text, in the order of `Tag`'s variants.
const ALL_TAGS: [(Tag, &str); 10] = [
    (Tag::S, "S"),
    (Tag::N, "N"),
    (Tag::M, "M"),
    (Tag::L, "L"),
    (Tag::Bool, "BOOL"),
    (Tag::Null, "NULL"),
    (Tag::B, "B"),
    (Tag::Ss, "SS"),
    (Tag::Ns, "NS"),
    (Tag::Bs, "BS"),
];

/// The interned tag strings. Python interns short string literals too, so
/// the keys of `{"S": ...}` written in Python code are these very objects and
/// a pointer comparison recognises them.
pub(crate) struct Tags {
    strings: [Py<PyString>; 10],
}

impl Tags {
    /// The interned string of `tag`.
    #[inline]
    pub(crate) fn get<'py>(&self, py: Python<'py>, tag: Tag) -> &Bound<'py, PyString> {
        self.strings[tag as usize].bind(py)
    }

    /// The tag a dict key names, if any.
    #[inline]
    pub(crate) fn find(&self, py: Python<'_>, key: *mut ffi::PyObject) -> Option<Tag> {
        for (index, string) in self.strings.iter().enumerate() {
            if string.as_ptr() == key {
                return Some(ALL_TAGS[index].0);
            }
        }
        // Not one of ours (keys parsed from JSON are not interned): compare text.
        // SAFETY: `key` is a live borrowed reference held by the caller's dict.
        let key = unsafe { Borrowed::from_ptr(py, key) };
        let key = key.cast::<PyString>().ok()?;
        let text = key.to_str().ok()?;
        ALL_TAGS
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(tag, _)| *tag)
    }
}

/// The interned tag strings of this interpreter.
pub(crate) fn tags(py: Python<'_>) -> &Tags {
    TAGS.get_or_init(py, || Tags {
        strings: ALL_TAGS.map(|(_, name)| PyString::intern(py, name).unbind()),
    })
}
