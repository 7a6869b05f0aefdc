//! A field's type tree, compiled once from `dynamorm.model.types.TypeInfo`
//! (SPEC §2, "Types, all the way down"): what a value is at every depth and
//! the Python objects needed to write and read it (enum members by value,
//! dataclass classes and field names, a registered type's converters).
//!
//! `tree/write.rs` encodes a value by its node and `tree/read.rs` decodes a
//! stored attribute value by it; both report a fault with the path to it
//! (`.home.geo[0].lat`) through `Fault`, so the field's message names the
//! exact place.

mod read;
mod write;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use pyo3::{PyTraverseError, PyVisit};

use crate::errors;

pub(crate) use read::decode;
pub(crate) use write::encode;

/// One node: its type, and whether `None` is allowed there.
pub(crate) struct Typed {
    pub node: Node,
    pub optional: bool,
    /// The node as an annotation (`list[Address] | None`), for messages.
    pub repr: String,
}

/// What a dataclass member is when its attribute is missing.
pub(crate) enum Default {
    /// The member's `default`.
    Value(Py<PyAny>),
    /// The member's `default_factory`.
    Factory(Py<PyAny>),
    /// No default: `None` for an optional member, else a fault.
    Required,
}

/// A named member of a dataclass or TypedDict.
pub(crate) struct Member {
    pub name: Py<PyString>,
    /// `name` as Rust text, for path lookups.
    pub key: String,
    pub typed: Typed,
    pub required: bool,
}

pub(crate) enum Node {
    Str,
    Int,
    Float,
    Decimal,
    Bool,
    Bytes,
    Datetime,
    Date,
    Time,
    Timedelta,
    Uuid,
    /// Untyped: `dynamorm.marshal`'s rules.
    Any,
    Enum {
        cls: Py<PyType>,
        /// Member value → member.
        by_value: Py<PyDict>,
        /// Values are `int` (stored as `N`) rather than `str` (`S`).
        numeric: bool,
    },
    Literal {
        choices: Vec<Py<PyAny>>,
    },
    List(Box<Typed>),
    /// `tuple[T, ...]`.
    VarTuple(Box<Typed>),
    /// `tuple[A, B]`.
    Tuple(Vec<Typed>),
    Set {
        element: Box<Typed>,
        frozen: bool,
    },
    /// `dict[str, T]`.
    Dict(Box<Typed>),
    TypedDict(Vec<Member>),
    Dataclass {
        cls: Py<PyType>,
        members: Vec<Member>,
        /// Each member's default when its attribute is missing, when the
        /// class can be built without its `__init__` (see `Defaults`).
        defaults: Option<Vec<Default>>,
    },
    Custom {
        cls: Py<PyType>,
        to_storage: Py<PyAny>,
        from_storage: Py<PyAny>,
        storage: Box<Typed>,
    },
}

/// A node as `dynamorm.model.codec` describes it: a dict with these keys.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Spec<'py> {
    kind: String,
    optional: bool,
    args: Vec<Bound<'py, PyAny>>,
    fields: Vec<(String, Bound<'py, PyAny>, bool)>,
    choices: Vec<Bound<'py, PyAny>>,
    cls: Option<Bound<'py, PyAny>>,
    variadic: bool,
    frozen: bool,
    repr: String,
    to_storage: Option<Bound<'py, PyAny>>,
    from_storage: Option<Bound<'py, PyAny>>,
}

impl Typed {
    /// Compiles a node descriptor (and the nodes under it).
    pub(crate) fn compile(spec: &Bound<'_, PyAny>) -> PyResult<Self> {
        let spec: Spec<'_> = spec.extract()?;
        let node = node(&spec)?;
        Ok(Typed {
            node,
            optional: spec.optional,
            repr: spec.repr,
        })
    }

    /// Whether this node is a set (whose empty value is stored as `NULL`).
    pub(crate) fn is_set(&self) -> bool {
        matches!(self.node, Node::Set { .. })
    }

    /// The node at `path` under this one (`["geo", "lat"]`, `[0]`), or
    /// `None` when the path leaves the typed part of the tree (a key of an
    /// untyped dict, an index past a fixed tuple).
    pub(crate) fn at(&self, path: &[Step<'_>]) -> Option<&Typed> {
        let Some((step, rest)) = path.split_first() else {
            return Some(self);
        };
        let next = match (&self.node, step) {
            (Node::List(element) | Node::VarTuple(element), Step::Index(_)) => element,
            (Node::Tuple(items), Step::Index(i)) => items.get(*i)?,
            (Node::Dict(value), Step::Key(_)) => value,
            (Node::TypedDict(members) | Node::Dataclass { members, .. }, Step::Key(name)) => {
                &members.iter().find(|m| m.key == *name)?.typed
            }
            (Node::Custom { .. }, _) => return None,
            _ => return None,
        };
        next.at(rest)
    }

    /// The element node of a list, tuple of any length or set.
    pub(crate) fn element(&self) -> Option<&Typed> {
        match &self.node {
            Node::List(element) | Node::VarTuple(element) | Node::Set { element, .. } => {
                Some(element)
            }
            _ => None,
        }
    }

    /// Visits every Python object of the tree, for the garbage collector.
    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        match &self.node {
            Node::Enum { cls, by_value, .. } => {
                visit.call(cls)?;
                visit.call(by_value)?;
            }
            Node::Literal { choices } => {
                for choice in choices {
                    visit.call(choice)?;
                }
            }
            Node::List(inner) | Node::VarTuple(inner) | Node::Dict(inner) => {
                inner.traverse(visit)?
            }
            Node::Set { element, .. } => element.traverse(visit)?,
            Node::Tuple(items) => {
                for item in items {
                    item.traverse(visit)?;
                }
            }
            Node::TypedDict(members) => {
                for member in members {
                    member.typed.traverse(visit)?;
                }
            }
            Node::Dataclass {
                cls,
                members,
                defaults,
            } => {
                visit.call(cls)?;
                for member in members {
                    member.typed.traverse(visit)?;
                }
                for default in defaults.iter().flatten() {
                    if let Default::Value(object) | Default::Factory(object) = default {
                        visit.call(object)?;
                    }
                }
            }
            Node::Custom {
                cls,
                to_storage,
                from_storage,
                storage,
            } => {
                visit.call(cls)?;
                visit.call(to_storage)?;
                visit.call(from_storage)?;
                storage.traverse(visit)?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// One step of a path into a value: a map key or a list index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn node(spec: &Spec<'_>) -> PyResult<Node> {
    let one = |what: &str| -> PyResult<Box<Typed>> {
        match spec.args.as_slice() {
            [only] => Ok(Box::new(Typed::compile(only)?)),
            _ => Err(errors::invalid_model(format!(
                "a {what} node needs exactly one element type"
            ))),
        }
    };
    let cls = || -> PyResult<Bound<'_, PyType>> {
        match &spec.cls {
            Some(cls) => Ok(cls.cast::<PyType>()?.clone()),
            None => Err(errors::invalid_model(format!(
                "a {} node needs its class",
                spec.kind
            ))),
        }
    };
    Ok(match spec.kind.as_str() {
        "str" => Node::Str,
        "int" => Node::Int,
        "float" => Node::Float,
        "decimal" => Node::Decimal,
        "bool" => Node::Bool,
        "bytes" => Node::Bytes,
        "datetime" => Node::Datetime,
        "date" => Node::Date,
        "time" => Node::Time,
        "timedelta" => Node::Timedelta,
        "uuid" => Node::Uuid,
        "any" => Node::Any,
        "list" if spec.args.is_empty() => Node::Any,
        "dict" if spec.args.is_empty() => Node::Any,
        "list" => Node::List(one("list")?),
        "dict" => Node::Dict(one("dict")?),
        "set" => Node::Set {
            element: one("set")?,
            frozen: spec.frozen,
        },
        "tuple" if spec.variadic => Node::VarTuple(one("tuple")?),
        "tuple" => Node::Tuple(
            spec.args
                .iter()
                .map(Typed::compile)
                .collect::<PyResult<_>>()?,
        ),
        "enum" => {
            let cls = cls()?;
            let py = cls.py();
            let by_value = PyDict::new(py);
            let mut numeric = false;
            for member in cls.try_iter()? {
                let member = member?;
                let value = member.getattr(intern!(py, "value"))?;
                numeric = !value.is_instance_of::<PyString>();
                by_value.set_item(value, member)?;
            }
            Node::Enum {
                cls: cls.unbind(),
                by_value: by_value.unbind(),
                numeric,
            }
        }
        "literal" => Node::Literal {
            choices: spec.choices.iter().map(|c| c.clone().unbind()).collect(),
        },
        "typeddict" => Node::TypedDict(members(spec)?),
        "dataclass" => {
            let cls = cls()?;
            let members = members(spec)?;
            Node::Dataclass {
                defaults: direct_defaults(&cls, &members)?,
                cls: cls.unbind(),
                members,
            }
        }
        "custom" => {
            let (Some(to_storage), Some(from_storage)) = (&spec.to_storage, &spec.from_storage)
            else {
                return Err(errors::invalid_model(
                    "a registered type's node needs to_storage and from_storage",
                ));
            };
            Node::Custom {
                cls: cls()?.unbind(),
                to_storage: to_storage.clone().unbind(),
                from_storage: from_storage.clone().unbind(),
                storage: one("registered type")?,
            }
        }
        other => {
            return Err(errors::invalid_model(format!(
                "unknown type node kind {other:?}"
            )))
        }
    })
}

/// The members' defaults, when instances of `cls` can be built without
/// calling its `__init__` (an instance's `__dict__` set at once, as the
/// models are built): a plain dataclass, every member an `__init__`
/// parameter, no `__post_init__`, no `__slots__`. `None` otherwise: read
/// instances are then built by calling the class.
fn direct_defaults(cls: &Bound<'_, PyType>, members: &[Member]) -> PyResult<Option<Vec<Default>>> {
    let py = cls.py();
    if cls.hasattr(intern!(py, "__post_init__"))?
        || cls.getattr_opt(intern!(py, "__slots__"))?.is_some()
    {
        return Ok(None);
    }
    let fields = py.import("dataclasses")?.call_method1("fields", (cls,))?;
    let missing = py.import("dataclasses")?.getattr("MISSING")?;
    let mut out = Vec::with_capacity(members.len());
    for (field, member) in fields.try_iter()?.zip(members) {
        let field = field?;
        if !field.getattr(intern!(py, "init"))?.is_truthy()?
            || field.getattr(intern!(py, "name"))?.extract::<String>()? != member.key
        {
            return Ok(None);
        }
        let default = field.getattr(intern!(py, "default"))?;
        let factory = field.getattr(intern!(py, "default_factory"))?;
        out.push(if !default.is(&missing) {
            Default::Value(default.unbind())
        } else if !factory.is(&missing) {
            Default::Factory(factory.unbind())
        } else {
            Default::Required
        });
    }
    Ok((out.len() == members.len()).then_some(out))
}

fn members(spec: &Spec<'_>) -> PyResult<Vec<Member>> {
    spec.fields
        .iter()
        .map(|(name, node, required)| {
            Ok(Member {
                name: PyString::intern(node.py(), name).unbind(),
                key: name.clone(),
                typed: Typed::compile(node)?,
                required: *required,
            })
        })
        .collect()
}

/// A fault found at some depth of a value: what is wrong, and the path to
/// it, innermost step first (it is built as the fault travels up).
pub(crate) struct Fault {
    path: Vec<String>,
    message: String,
}

/// A tree walk's failure: a fault in the value, or a Python error from
/// elsewhere (a user's `to_storage` raising something other than
/// `TypeError`/`ValueError`, an interpreter error) that passes unchanged.
pub(crate) enum Failure {
    Fault(Fault),
    Python(PyErr),
}

impl From<PyErr> for Failure {
    fn from(err: PyErr) -> Self {
        Failure::Python(err)
    }
}

pub(crate) type Walk<T> = Result<T, Failure>;

/// A fault at this very node.
pub(crate) fn fault<T>(message: impl Into<String>) -> Walk<T> {
    Err(Failure::Fault(Fault {
        path: Vec::new(),
        message: message.into(),
    }))
}

/// Adds a step (`[3]`, `.lat`) to the path of a fault coming up from a child.
pub(crate) fn within<T>(result: Walk<T>, step: impl FnOnce() -> String) -> Walk<T> {
    match result {
        Err(Failure::Fault(mut f)) => {
            f.path.push(step());
            Err(Failure::Fault(f))
        }
        other => other,
    }
}

/// A user callback's `TypeError`/`ValueError` as a fault here; anything else
/// passes unchanged.
pub(crate) fn user_error(py: Python<'_>, err: PyErr, what: &str) -> Failure {
    if err.is_instance_of::<pyo3::exceptions::PyTypeError>(py)
        || err.is_instance_of::<pyo3::exceptions::PyValueError>(py)
        || err.is_instance_of::<errors::ValidationError>(py)
    {
        Failure::Fault(Fault {
            path: Vec::new(),
            message: format!("{what}: {}", err.value(py)),
        })
    } else {
        Failure::Python(err)
    }
}

impl Failure {
    /// The Python error for a fault in field `label`: `ValidationError`
    /// naming the path (`Model.home.geo.lat: expected float, got str 'x'`).
    pub(crate) fn into_pyerr(self, label: &str) -> PyErr {
        match self {
            Failure::Python(err) => err,
            Failure::Fault(Fault { path, message }) => {
                let path: String = path.into_iter().rev().collect();
                errors::validation(format!("{label}{path}: {message}"))
            }
        }
    }
}

/// `.name` for a member step, `[i]` for an index step.
pub(crate) fn key_step(name: &Bound<'_, PyAny>) -> String {
    match name.cast::<PyString>() {
        Ok(text) => format!(".{}", text.to_string_lossy()),
        Err(_) => format!(
            "[{}]",
            name.repr().map(|r| r.to_string()).unwrap_or_default()
        ),
    }
}

/// The short description of a Python value for messages: `str 'x'`.
pub(crate) fn shown(value: &Bound<'_, PyAny>) -> String {
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let text = value.repr().map(|r| r.to_string()).unwrap_or_default();
    let text = if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    };
    format!("{type_name} {text}")
}
