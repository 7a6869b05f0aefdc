//! One field of a compiled schema: its plan from the core plus the Python
//! objects the codec needs at hand (interned names, default, dataclass).

use dynamorm_core::schema::{FieldDecl, FieldKind, FieldPlan, Roles};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};

use super::dataclass::dataclass_field_names;
use super::tree::Typed;
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
    /// The type tree (`dynamorm.model.codec` describes it): followed on
    /// every path for fields of kind `tree`; for the others, only to encode
    /// values at nested paths.
    tree: Option<Py<PyAny>>,
    /// The value of a missing attribute, unless `default_factory` is given.
    default: Py<PyAny>,
    default_factory: Option<Py<PyAny>>,
    /// A missing attribute is parsed from a key template (the schema's
    /// `fill` is called with the instance).
    from_keys: bool,
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
    /// What the field holds at every depth (see `Descriptor::tree`).
    pub tree: Option<Typed>,
    /// See `Descriptor::from_keys`.
    pub from_keys: bool,
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
        let mut plan = decl.plan().map_err(|err| prefixed(model, err)).or_raise()?;
        let tree = match (&d.tree, decl.kind) {
            (Some(spec), _) => Some(Typed::compile(spec.bind(py)).map_err(|err| {
                errors::invalid_model(format!("{model}.{}: {}", decl.name, err.value(py)))
            })?),
            (None, FieldKind::Tree) => {
                return Err(errors::invalid_model(format!(
                    "{model}: field {:?} is of kind tree without its tree",
                    decl.name
                )))
            }
            _ => None,
        };
        if tree.as_ref().is_some_and(|t| t.is_set()) && !decl.optional && !decl.json {
            // As for the other set fields: the empty set was written as NULL.
            plan.null_is_empty_set = true;
        }
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
            tree,
            from_keys: d.from_keys,
        })
    }

    /// The value of this field when its attribute is missing.
    pub(crate) fn make_default<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.default_factory {
            Some(factory) => factory.bind(py).call0(),
            None => Ok(self.default.bind(py).clone()),
        }
    }

    /// Visits every Python object this field holds, for the garbage collector.
    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.default)?;
        if let Some(factory) = &self.default_factory {
            visit.call(factory)?;
        }
        if let Some(cls) = &self.dataclass {
            visit.call(cls)?;
        }
        if let Some(names) = &self.dataclass_names {
            visit.call(names)?;
        }
        if let Some(tree) = &self.tree {
            tree.traverse(visit)?;
        }
        Ok(())
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
