//! Every Python object the bindings look up or make once per interpreter:
//! imported types and functions, the interned type tags, shared number
//! texts and placeholder strings, and the memo of dataclass field names.

use dynamorm_core::expr::compiler::placeholder;
use dynamorm_core::value::Tag;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::ffi::{self, EntryKey};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SAFE_UNKNOWN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static A2B_BASE64: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_OPTIONS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static OBJECT_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATACLASS_FIELD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATACLASS_NAMES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static NAME_PLACEHOLDERS: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();
static VALUE_PLACEHOLDERS: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();
static TAGS: PyOnceLock<Tags> = PyOnceLock::new();

/// `decimal.Decimal`.
pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// `uuid.UUID`.
pub(crate) fn uuid_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    UUID.import(py, "uuid", "UUID")
}

/// `uuid.SafeUUID.unknown`, what a `UUID` built from its number is.
pub(crate) fn uuid_safe_unknown(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    SAFE_UNKNOWN
        .get_or_try_init(py, || {
            let safe = py.import("uuid")?.getattr("SafeUUID")?;
            Ok::<_, PyErr>(safe.getattr("unknown")?.unbind())
        })
        .map(|unknown| unknown.bind(py))
}

/// `datetime.time`.
pub(crate) fn time_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIME.import(py, "datetime", "time")
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

/// `json.dumps`.
pub(crate) fn json_dumps(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    JSON_DUMPS.import(py, "json", "dumps")
}

/// `json.loads`.
pub(crate) fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    JSON_LOADS.import(py, "json", "loads")
}

/// The keyword arguments that make `json.dumps` deterministic and compact:
/// sorted keys, no spaces, text kept as UTF-8 rather than `\u` escapes.
pub(crate) fn json_options(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    JSON_OPTIONS
        .get_or_try_init(py, || {
            let options = PyDict::new(py);
            options.set_item("sort_keys", true)?;
            options.set_item("separators", PyTuple::new(py, [",", ":"])?)?;
            options.set_item("ensure_ascii", false)?;
            Ok::<_, PyErr>(options.unbind())
        })
        .map(|options| options.bind(py))
}

/// `object.__new__`: makes an instance without running `__init__`.
pub(crate) fn object_new(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    OBJECT_NEW
        .get_or_try_init(py, || {
            let object = py.import("builtins")?.getattr("object")?;
            Ok::<_, PyErr>(object.getattr("__new__")?.unbind())
        })
        .map(|new| new.bind(py))
}

/// `dataclasses._FIELD`, the marker of a real dataclass field (as opposed to
/// a `ClassVar` or `InitVar` pseudo-field).
pub(crate) fn dataclass_field_marker(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    DATACLASS_FIELD.import(py, "dataclasses", "_FIELD")
}

/// Field names of the dataclasses met nested in values, by class. The classes
/// are kept alive by the memo, so a class is never mistaken for another.
pub(crate) fn dataclass_names(py: Python<'_>) -> &Bound<'_, PyDict> {
    DATACLASS_NAMES
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py)
}

/// How many `#n`/`:v` placeholders are kept as ready-made Python strings.
const CACHED_PLACEHOLDERS: usize = 64;

/// Which placeholders: attribute names (`#n`) or values (`:v`).
#[derive(Clone, Copy)]
pub(crate) enum Prefix {
    Name,
    Value,
}

/// `#n{number}` or `:v{number}` as a Python string; the first few are made
/// once and shared, since nearly every request uses them.
pub(crate) fn placeholder_str(
    py: Python<'_>,
    prefix: Prefix,
    number: usize,
) -> Bound<'_, PyString> {
    let (cache, text) = match prefix {
        Prefix::Name => (&NAME_PLACEHOLDERS, "#n"),
        Prefix::Value => (&VALUE_PLACEHOLDERS, ":v"),
    };
    if number < CACHED_PLACEHOLDERS {
        let strings = cache.get_or_init(py, || {
            (0..CACHED_PLACEHOLDERS)
                .map(|n| PyString::new(py, &placeholder(text, n)).unbind())
                .collect()
        });
        return strings[number].bind(py).clone();
    }
    PyString::new(py, &placeholder(text, number))
}

/// The interned tag strings, and `decimal.Decimal` for the hot paths.
/// Python interns short string literals too, so the keys of `{"S": ...}`
/// written in Python code are these very objects and a pointer comparison
/// recognises them.
pub(crate) struct Tags {
    /// By `Tag as usize`.
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

    /// `Decimal(text)`, made the quick way (see `ffi::new_decimal`).
    #[inline]
    pub(crate) fn new_decimal<'py>(
        &self,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        ffi::new_decimal(self.decimal(text.py()), text)
    }

    /// True when `value` is exactly a `decimal.Decimal` (no subclass).
    #[inline]
    pub(crate) fn is_exact_decimal(&self, value: &Bound<'_, PyAny>) -> bool {
        value.get_type_ptr() == self.decimal.as_ptr().cast()
    }

    /// The tag a dict key names, if any.
    #[inline(always)]
    pub(crate) fn find(&self, key: EntryKey<'_, '_>) -> Option<Tag> {
        let py = key.py();
        for (index, string) in self.strings.iter().enumerate() {
            if key.is(string.bind(py).as_any()) {
                return Some(Tag::ALL[index]);
            }
        }
        // Not one of ours (keys parsed from JSON are not interned): compare text.
        key.with(|key| Tag::parse(key.cast::<PyString>().ok()?.to_str().ok()?))
    }
}

/// The interned tag strings of this interpreter.
pub(crate) fn tags(py: Python<'_>) -> PyResult<&Tags> {
    TAGS.get_or_try_init(py, || {
        Ok(Tags {
            strings: Tag::ALL.map(|tag| PyString::intern(py, tag.as_str()).unbind()),
            decimal: decimal_type(py)?.clone().unbind(),
            small_ints: (0..SMALL_INTS)
                .map(|n| PyString::new(py, &n.to_string()).unbind())
                .collect(),
        })
    })
}
