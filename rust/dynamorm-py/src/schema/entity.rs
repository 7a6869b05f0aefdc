//! The type attribute of an entity model's items (SPEC §17): written into
//! every item the schema encodes, and checked on every item the fast read
//! path decodes, so that an item of another type is never read as this
//! model.

use dynamorm_core::value::wire::Av;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// An entity model's type attribute: its name and the value its items hold
/// (stored as `S`).
pub(crate) struct Entity {
    attr: Py<PyString>,
    value: Py<PyString>,
    /// `attr` as Rust text, compared with the attribute names read.
    pub attr_text: String,
    value_text: String,
}

impl Entity {
    pub(crate) fn new(py: Python<'_>, attr: String, value: String) -> Self {
        Entity {
            attr: PyString::new(py, &attr).unbind(),
            value: PyString::new(py, &value).unbind(),
            attr_text: attr,
            value_text: value,
        }
    }

    /// `(attribute, value)`, as the schema was given them.
    pub(crate) fn pair<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyString>, Bound<'py, PyString>) {
        (self.attr.bind(py).clone(), self.value.bind(py).clone())
    }

    /// Adds the type attribute to an item being written.
    pub(crate) fn write(&self, item: &Bound<'_, PyDict>) -> PyResult<()> {
        let py = item.py();
        let av = PyDict::new(py);
        av.set_item(intern!(py, "S"), self.value.bind(py))?;
        item.set_item(self.attr.bind(py), av)
    }

    /// Whether `av`, read as the type attribute, names this entity.
    pub(crate) fn holds(&self, av: &Av<'_>) -> bool {
        matches!(av, Av::S(text) if text.as_ref() == self.value_text)
    }
}
