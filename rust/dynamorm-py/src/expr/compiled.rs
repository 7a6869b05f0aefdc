//! `dynamorm.expr.Compiled` and the one-expression entry points that build
//! it directly, so nothing in Python unpacks a tuple or builds a dataclass.
//! `compile_condition` and `compile_key_condition` are `dynamorm.expr`'s own
//! functions (same signature and docstring); the update and projection
//! entries take positional arguments from thin Python wrappers.

use dynamorm_core::expr::Kind;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};

use super::compile;

/// One compiled expression with its placeholders (values in DynamoDB JSON).
///
/// ``expression`` is the text, ``names`` the ``ExpressionAttributeNames``
/// and ``values`` the ``ExpressionAttributeValues`` it needs.
#[pyclass(frozen, module = "dynamorm.expr", name = "Compiled")]
pub struct Compiled {
    /// The expression text; it holds only placeholders for names and values.
    #[pyo3(get)]
    expression: Py<PyString>,
    /// ``{"#n0": "status", ...}``.
    #[pyo3(get)]
    names: Py<PyDict>,
    /// ``{":v0": {"S": "x"}, ...}``.
    #[pyo3(get)]
    values: Py<PyDict>,
}

/// `Compiled`'s constructor arguments, in order.
type Fields = (Py<PyString>, Py<PyDict>, Py<PyDict>);

#[pymethods]
impl Compiled {
    #[new]
    #[pyo3(signature = (expression, names=None, values=None))]
    fn new(
        py: Python<'_>,
        expression: Bound<'_, PyString>,
        names: Option<Bound<'_, PyDict>>,
        values: Option<Bound<'_, PyDict>>,
    ) -> Self {
        Compiled {
            expression: expression.unbind(),
            names: names.unwrap_or_else(|| PyDict::new(py)).unbind(),
            values: values.unwrap_or_else(|| PyDict::new(py)).unbind(),
        }
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<Compiled>() else {
            return Ok(py.NotImplemented());
        };
        let other = other.get();
        let equal = self
            .expression
            .bind(py)
            .as_any()
            .eq(other.expression.bind(py))?
            && self.names.bind(py).as_any().eq(other.names.bind(py))?
            && self.values.bind(py).as_any().eq(other.values.bind(py))?;
        Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("expression", "names", "values")
    }

    /// Pickles as a call of the constructor with the three fields.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, Fields) {
        let py = slf.py();
        let this = slf.get();
        (
            slf.get_type(),
            (
                this.expression.clone_ref(py),
                this.names.clone_ref(py),
                this.values.clone_ref(py),
            ),
        )
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Compiled(expression={}, names={}, values={})",
            self.expression.bind(py).repr()?,
            self.names.bind(py).repr()?,
            self.values.bind(py).repr()?
        ))
    }
}

/// Compiles one slot and wraps the result.
fn one<'py>(
    py: Python<'py>,
    slot: (&'static str, Kind, &Bound<'py, PyAny>),
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
    key_attributes: Option<&[String]>,
) -> PyResult<Compiled> {
    let (slot_name, kind, input) = slot;
    let (mut texts, names_out, values_out) = compile(
        py,
        &[(slot_name, kind, Some(input))],
        names,
        values,
        key_attributes,
    )?;
    let text = texts.pop().map(|(_, t)| t).unwrap_or_default();
    Ok(Compiled {
        expression: PyString::new(py, &text).unbind(),
        names: names_out.unbind(),
        values: values_out.unbind(),
    })
}

/// Compiles clauses (ANDed) into a condition or filter expression.
#[pyfunction]
#[pyo3(signature = (clauses, *, names=None, values=None))]
pub fn compile_condition<'py>(
    py: Python<'py>,
    clauses: &Bound<'py, PyAny>,
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
) -> PyResult<Compiled> {
    one(
        py,
        ("clauses", Kind::Condition, clauses),
        names,
        values,
        None,
    )
}

/// Compiles a key condition: partition key ``=``, optionally ANDed with
/// one sort-key clause (``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``,
/// ``BEGINS_WITH``).
#[pyfunction]
#[pyo3(signature = (clauses, *, names=None, values=None))]
pub fn compile_key_condition<'py>(
    py: Python<'py>,
    clauses: &Bound<'py, PyAny>,
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
) -> PyResult<Compiled> {
    one(
        py,
        ("clauses", Kind::KeyCondition, clauses),
        names,
        values,
        None,
    )
}

/// Compiles update action tuples into a ``Compiled`` update expression;
/// with ``key_attributes``, an action on a key attribute is an error.
#[pyfunction]
#[pyo3(signature = (actions, names=None, values=None, key_attributes=None))]
pub fn compile_update<'py>(
    py: Python<'py>,
    actions: &Bound<'py, PyAny>,
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
    key_attributes: Option<Vec<String>>,
) -> PyResult<Compiled> {
    one(
        py,
        ("actions", Kind::Update, actions),
        names,
        values,
        key_attributes.as_deref(),
    )
}

/// Compiles a projection of ``paths`` into a ``Compiled``.
#[pyfunction]
#[pyo3(signature = (paths, names=None))]
pub fn compile_projection<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
    names: Option<&Bound<'py, PyAny>>,
) -> PyResult<Compiled> {
    one(py, ("paths", Kind::Projection, paths), names, None, None)
}
