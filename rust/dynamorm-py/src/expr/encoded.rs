//! `Encoded`: a value already in its stored form, handed to the compiler.
//!
//! A compared or updated value of a model field is encoded by the field's
//! own rules (`ItemSchema.encode_value`). Wrapped in `Encoded`, it reaches
//! `expr/convert.rs` as that attribute value dict and is used as it is: no
//! decode back to Python, no second marshaling (HOUSE B4). A plain dict is
//! not enough as the marker: `{"S": "x"}` is also a legitimate map value.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{PyTraverseError, PyVisit};

use crate::av::av_from_py;
use crate::marshal::deserialize_value;

/// An attribute value dict (``{"S": "x"}``) the expression compiler takes as
/// it is. Built by ``ItemSchema.encode_value``; ``Encoded(av)`` checks ``av``.
#[pyclass(frozen, module = "dynamorm._core")]
pub struct Encoded {
    av: Py<PyDict>,
}

impl Encoded {
    /// Wraps an attribute value dict the bindings built themselves.
    pub(crate) fn wrap(av: Bound<'_, PyDict>) -> Self {
        Self { av: av.unbind() }
    }

    /// The wrapped attribute value dict.
    pub(crate) fn av<'py>(&self, py: Python<'py>) -> &Bound<'py, PyDict> {
        self.av.bind(py)
    }
}

#[pymethods]
impl Encoded {
    #[new]
    fn new(av: Bound<'_, PyDict>) -> PyResult<Self> {
        av_from_py(av.as_any(), "Encoded")?;
        Ok(Self::wrap(av))
    }

    /// The attribute value dict, as DynamoDB stores it.
    #[getter(av)]
    fn get_av<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        self.av.bind(py).clone()
    }

    /// The plain Python value (``dynamorm.marshal.deserialize`` of ``av``).
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        deserialize_value(self.av.bind(py).as_any())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<Encoded>() else {
            return Ok(py.NotImplemented());
        };
        let equal = self.av.bind(py).eq(other.get().av.bind(py))?;
        Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Encoded({})", self.av.bind(py).repr()?))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.av)
    }
}
