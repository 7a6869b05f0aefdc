//! Dataclass values of model fields: an instance as the dict it is stored
//! as, and the field names of a dataclass, looked up once per class.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PySet, PyString, PyTuple, PyType,
};

use super::field::Field;
use crate::cache::{dataclass_field_marker, dataclass_names};
use crate::errors;

/// `{field name: value}` of a dataclass instance, `None` values left out,
/// nested dataclass values turned into dicts the same way. The field names
/// of the declared dataclass were looked up when the schema was built.
pub(crate) fn dataclass_dict<'py>(
    f: &Field,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let py = value.py();
    if value.is_instance_of::<PyType>() || !is_dataclass(value)? {
        let type_name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(errors::validation(format!(
            "expected a dataclass instance, got {type_name}"
        )));
    }
    let names = match (&f.dataclass, &f.dataclass_names) {
        (Some(cls), Some(names)) if value.get_type().is(cls.bind(py)) => names.bind(py).clone(),
        _ => cached_field_names(&value.get_type())?,
    };
    // Plain dataclasses keep their values in `__dict__`, which is quicker to
    // read than attributes; slotted ones (and properties) use getattr.
    let own = value
        .getattr_opt(intern!(py, "__dict__"))?
        .and_then(|d| d.cast_into_exact::<PyDict>().ok());
    let out = PyDict::new(py);
    for name in names.iter() {
        let name = name.cast_into::<PyString>()?;
        let found = match &own {
            Some(own) => own.get_item(&name)?,
            None => None,
        };
        let item = match found {
            Some(item) => item,
            None => value.getattr(&name)?,
        };
        if item.is_none() {
            continue;
        }
        if is_dataclass(&item)? {
            out.set_item(name, dataclass_dict(f, &item)?)?;
        } else {
            out.set_item(name, item)?;
        }
    }
    Ok(out)
}

fn cached_field_names<'py>(cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyTuple>> {
    let py = cls.py();
    let cache = dataclass_names(py);
    if let Some(names) = cache.get_item(cls)? {
        return Ok(names.cast_into::<PyTuple>()?);
    }
    let names = dataclass_field_names(cls)?;
    cache.set_item(cls, &names)?;
    Ok(names)
}

/// The names of a dataclass's fields, in order (`dataclasses.fields`: no
/// `ClassVar` or `InitVar` pseudo-fields).
pub(crate) fn dataclass_field_names<'py>(
    cls: &Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = cls.py();
    let marker = dataclass_field_marker(py)?;
    let declared = cls
        .getattr(intern!(py, "__dataclass_fields__"))?
        .cast_into::<PyDict>()?;
    let mut names = Vec::with_capacity(declared.len());
    for (_, field) in declared.iter() {
        if field.getattr(intern!(py, "_field_type"))?.is(marker) {
            names.push(field.getattr(intern!(py, "name"))?);
        }
    }
    PyTuple::new(py, names)
}

/// `dataclasses.is_dataclass`: a dataclass or an instance of one.
fn is_dataclass(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    // A failed attribute lookup costs an exception; the built-in types that
    // make up most values cannot be dataclasses.
    if value.is_exact_instance_of::<PyString>()
        || value.is_exact_instance_of::<PyInt>()
        || value.is_exact_instance_of::<PyList>()
        || value.is_exact_instance_of::<PyDict>()
        || value.is_exact_instance_of::<PyBool>()
        || value.is_exact_instance_of::<PyFloat>()
        || value.is_exact_instance_of::<PyBytes>()
        || value.is_exact_instance_of::<PyTuple>()
        || value.is_exact_instance_of::<PySet>()
    {
        return Ok(false);
    }
    let name = intern!(value.py(), "__dataclass_fields__");
    match value.cast::<PyType>() {
        Ok(cls) => cls.hasattr(name),
        Err(_) => value.get_type().hasattr(name),
    }
}
