//! Python objects the item codec looks up once per interpreter.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_OPTIONS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static DESERIALIZE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static OBJECT_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATACLASS_FIELD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `decimal.Decimal`.
pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
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

/// `dynamorm._core.deserialize`, the generic unmarshaling of one value. The
/// marshal module keeps its Rust entry points private, so the codec calls
/// the exported function; it is only reached off the fast paths.
pub(crate) fn deserialize(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    DESERIALIZE.import(py, "dynamorm._core", "deserialize")
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
