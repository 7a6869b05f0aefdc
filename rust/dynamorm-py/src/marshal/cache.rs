//! Python objects looked up once per interpreter and the interned type tags.

use std::cell::RefCell;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple, PyType};

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

thread_local! {
    /// The one-element argument tuple `Tags::new_decimal` passes to
    /// `Decimal.__new__`, reused: building and freeing a tuple per number
    /// costs a tenth of the construction. Per thread, so that no other
    /// thread can see it while its item is swapped, GIL or not.
    static DECIMAL_ARGS: RefCell<Option<Py<PyTuple>>> = const { RefCell::new(None) };
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

/// The interned tag strings, and `decimal.Decimal` for the hot paths.
/// Python interns short string literals too, so the keys of `{"S": ...}`
/// written in Python code are these very objects and a pointer comparison
/// recognises them.
pub(crate) struct Tags {
    strings: [Py<PyString>; 10],
    decimal: Py<PyType>,
    small_ints: Vec<Py<PyString>>,
}

/// Integers below this have their text made once and shared (str is
/// immutable), as CPython shares small ints: counts, quantities and
/// versions are mostly small, and making a str costs more than the rest of
/// writing `{"N": "3"}`.
const SMALL_INTS: i64 = 256;

impl Tags {
    /// The interned string of `tag`.
    #[inline]
    pub(crate) fn get<'py>(&self, py: Python<'py>, tag: Tag) -> &Bound<'py, PyString> {
        self.strings[tag as usize].bind(py)
    }

    /// The shared text of `n`, when it is a small non-negative integer.
    #[inline]
    pub(crate) fn small_int_text<'py>(
        &self,
        py: Python<'py>,
        n: i64,
    ) -> Option<&Bound<'py, PyString>> {
        let index = usize::try_from(n).ok()?;
        self.small_ints.get(index).map(|text| text.bind(py))
    }

    /// `decimal.Decimal`.
    #[inline]
    pub(crate) fn decimal<'py>(&self, py: Python<'py>) -> &Bound<'py, PyType> {
        self.decimal.bind(py)
    }

    /// `Decimal(text)`. Calls the type's `tp_new` slot directly: that is all
    /// `Decimal(...)` does (its `__init__` is `object`'s), minus the generic
    /// call machinery, which costs as much again as parsing short text.
    pub(crate) fn new_decimal<'py>(
        &self,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = text.py();
        let ty = self.decimal.as_ptr().cast::<ffi::PyTypeObject>();
        // SAFETY: `ty` is the live Decimal type, kept alive by `self`.
        let Some(new) = (unsafe { (*ty).tp_new }) else {
            return self.decimal(py).call1((text,));
        };
        DECIMAL_ARGS.with(|cell| {
            // Busy only when a finalizer run during the outer call is itself
            // deserializing: it gets a tuple of its own.
            let Ok(mut slot) = cell.try_borrow_mut() else {
                let args = PyTuple::new(py, [text])?;
                // SAFETY: as below, with a fresh tuple.
                return unsafe {
                    Bound::from_owned_ptr_or_err(py, new(ty, args.as_ptr(), std::ptr::null_mut()))
                };
            };
            let args = match slot.as_ref() {
                // SAFETY: reading the reference count of a live object.
                Some(args) if unsafe { ffi::Py_REFCNT(args.as_ptr()) } == 1 => args.bind(py),
                // First use on this thread, or someone else now holds the
                // tuple (gc.get_referrers, say): start a new one.
                _ => slot
                    .insert(PyTuple::new(py, [py.None()])?.unbind())
                    .bind(py),
            };
            // SAFETY: only this thread can reach `args`, and nothing outside
            // holds a reference to it (checked above), so swapping its item
            // is unobservable; the item is owned by the tuple throughout and
            // the placeholder is put back before returning. tp_new takes the
            // type, an args tuple and NULL kwargs, and returns a new
            // reference or NULL with an exception set.
            unsafe {
                let args = args.as_ptr();
                let placeholder = ffi::PyTuple_GET_ITEM(args, 0);
                ffi::PyTuple_SET_ITEM(args, 0, text.clone().into_ptr());
                let out = new(ty, args, std::ptr::null_mut());
                let used = ffi::PyTuple_GET_ITEM(args, 0);
                ffi::PyTuple_SET_ITEM(args, 0, placeholder);
                ffi::Py_DECREF(used);
                Bound::from_owned_ptr_or_err(py, out)
            }
        })
    }

    /// True when `value` is exactly a `decimal.Decimal` (no subclass).
    #[inline]
    pub(crate) fn is_exact_decimal(&self, value: &Bound<'_, PyAny>) -> bool {
        value.get_type_ptr() == self.decimal.as_ptr().cast()
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
pub(crate) fn tags(py: Python<'_>) -> PyResult<&Tags> {
    TAGS.get_or_try_init(py, || {
        Ok(Tags {
            strings: ALL_TAGS.map(|(_, name)| PyString::intern(py, name).unbind()),
            decimal: decimal_type(py)?.clone().unbind(),
            small_ints: (0..SMALL_INTS)
                .map(|n| PyString::new(py, &n.to_string()).unbind())
                .collect(),
        })
    })
}
