//! One field of a compiled schema: its plan from the core plus the Python
//! objects the codec needs at hand (interned names, default, dataclass).

use dynamorm_core::schema::{FieldDecl, FieldKind, FieldPlan, Roles};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

use super::dataclass::dataclass_field_names;
use crate::errors::{self, OrRaise};

/// A field as `dynamorm.codec` describes it: a dict with these keys.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct Descriptor {
    name: String,
    attr: String,
    kind: String,
    element: Option<String>,
    optional: bool,
    roles: Vec<String>,
    index_key: bool,
    omit_empty: bool,
    json: bool,
    binary: bool,
    /// The annotation's `repr`, for type errors.
    type_repr: String,
    dataclass_type: Option<Py<PyType>>,
    /// The value of a missing attribute, unless `default_factory` is given.
    default: Py<PyAny>,
    default_factory: Option<Py<PyAny>>,
}

/// A compiled field.
pub(crate) struct Field {
    pub name: Py<PyString>,
    pub attr: Py<PyString>,
    /// `Model.field`, the prefix of every error about this field.
    pub label: String,
    pub plan: FieldPlan,
    pub is_key: bool,
    /// 0 for the partition key, 1 for the sort key: the field's part of a
    /// canonical table key.
    pub key_part: Option<usize>,
    pub type_repr: String,
    pub dataclass: Option<Py<PyType>>,
    /// The field names of `dataclass`, looked up once.
    pub dataclass_names: Option<Py<PyTuple>>,
    pub default: Py<PyAny>,
    pub default_factory: Option<Py<PyAny>>,
}

impl Field {
    /// Compiles a descriptor of a field of model `model`.
    pub(crate) fn compile(py: Python<'_>, model: &str, d: Descriptor) -> PyResult<Self> {
        let roles = Roles::parse(d.roles.iter().map(String::as_str))
            .map_err(|err| prefixed(model, err))
            .or_raise()?;
        let decl = FieldDecl {
            kind: FieldKind::parse(&d.kind, d.element.as_deref())
                .map_err(|err| prefixed(model, err))
                .or_raise()?,
            optional: d.optional,
            roles,
            index_key: d.index_key,
            omit_empty: d.omit_empty,
            json: d.json,
            binary: d.binary,
            name: d.name,
            attr: d.attr,
        };
        let plan = decl.plan().map_err(|err| prefixed(model, err)).or_raise()?;
        if decl.kind == FieldKind::Dataclass && d.dataclass_type.is_none() {
            return Err(errors::invalid_model(format!(
                "{model}: field {:?} is a dataclass field without its dataclass_type",
                decl.name
            )));
        }
        let dataclass_names = match &d.dataclass_type {
            Some(cls) if decl.kind == FieldKind::Dataclass => {
                Some(dataclass_field_names(cls.bind(py))?.unbind())
            }
            _ => None,
        };
        Ok(Field {
            name: PyString::intern(py, &decl.name).unbind(),
            attr: PyString::intern(py, &decl.attr).unbind(),
            label: format!("{model}.{}", decl.name),
            plan,
            is_key: roles.is_key(),
            key_part: if roles.has(Roles::PK) {
                Some(0)
            } else if roles.has(Roles::SK) {
                Some(1)
            } else {
                None
            },
            type_repr: d.type_repr,
            dataclass: d.dataclass_type,
            dataclass_names,
            default: d.default,
            default_factory: d.default_factory,
        })
    }

    /// The value of this field when its attribute is missing.
    pub(crate) fn make_default<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.default_factory {
            Some(factory) => factory.bind(py).call0(),
            None => Ok(self.default.bind(py).clone()),
        }
    }

    /// Every Python object this field holds, for the garbage collector.
    pub(crate) fn objects(&self) -> impl Iterator<Item = &Py<PyAny>> {
        [Some(&self.default), self.default_factory.as_ref()]
            .into_iter()
            .flatten()
            .chain(self.dataclass.iter().map(|cls| cls.as_any()))
            .chain(self.dataclass_names.iter().map(|names| names.as_any()))
    }
}

fn prefixed(model: &str, err: dynamorm_core::CoreError) -> dynamorm_core::CoreError {
    match err {
        dynamorm_core::CoreError::InvalidModel(message) => {
            dynamorm_core::CoreError::InvalidModel(format!("{model}: {message}"))
        }
        other => other,
    }
}
