//! `dynamorm.expr.CompiledRequest`: the expressions of one request with
//! their shared names and values, built in one call and turned into boto3
//! parameters without any Python code in between (every model operation
//! goes through it).

use dynamorm_core::expr::Kind;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use super::compile;

/// The expressions of one request, sharing ``names`` and ``values``.
#[pyclass(frozen, module = "dynamorm.expr", name = "CompiledRequest")]
pub struct CompiledRequest {
    /// ``KeyConditionExpression`` text, if any.
    #[pyo3(get)]
    key_condition: Option<Py<PyString>>,
    /// ``FilterExpression`` text, if any.
    #[pyo3(get)]
    filter: Option<Py<PyString>>,
    /// ``ConditionExpression`` text, if any.
    #[pyo3(get)]
    condition: Option<Py<PyString>>,
    /// ``UpdateExpression`` text, if any.
    #[pyo3(get)]
    update: Option<Py<PyString>>,
    /// ``ProjectionExpression`` text, if any.
    #[pyo3(get)]
    projection: Option<Py<PyString>>,
    /// ``ExpressionAttributeNames`` of every part.
    #[pyo3(get)]
    names: Py<PyDict>,
    /// ``ExpressionAttributeValues`` of every part (DynamoDB JSON).
    #[pyo3(get)]
    values: Py<PyDict>,
}

/// The five expression fields, in order.
const FIELDS: [&str; 5] = [
    "key_condition",
    "filter",
    "condition",
    "update",
    "projection",
];

/// The request parameter of the `i`th field, made once per interpreter.
fn param_key(py: Python<'_>, i: usize) -> &Bound<'_, PyString> {
    match i {
        0 => intern!(py, "KeyConditionExpression"),
        1 => intern!(py, "FilterExpression"),
        2 => intern!(py, "ConditionExpression"),
        3 => intern!(py, "UpdateExpression"),
        _ => intern!(py, "ProjectionExpression"),
    }
}

impl CompiledRequest {
    fn parts(&self) -> [&Option<Py<PyString>>; 5] {
        [
            &self.key_condition,
            &self.filter,
            &self.condition,
            &self.update,
            &self.projection,
        ]
    }
}

fn eq_opt(py: Python<'_>, a: &Option<Py<PyString>>, b: &Option<Py<PyString>>) -> PyResult<bool> {
    match (a, b) {
        (None, None) => Ok(true),
        (Some(a), Some(b)) => a.bind(py).as_any().eq(b.bind(py)),
        _ => Ok(false),
    }
}

#[pymethods]
impl CompiledRequest {
    #[new]
    #[pyo3(signature = (key_condition=None, filter=None, condition=None, update=None,
                        projection=None, names=None, values=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        key_condition: Option<Py<PyString>>,
        filter: Option<Py<PyString>>,
        condition: Option<Py<PyString>>,
        update: Option<Py<PyString>>,
        projection: Option<Py<PyString>>,
        names: Option<Py<PyDict>>,
        values: Option<Py<PyDict>>,
    ) -> Self {
        CompiledRequest {
            key_condition,
            filter,
            condition,
            update,
            projection,
            names: names.unwrap_or_else(|| PyDict::new(py).unbind()),
            values: values.unwrap_or_else(|| PyDict::new(py).unbind()),
        }
    }

    /// The request parameters for a boto3 client call (empty parts left out).
    fn to_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let params = PyDict::new(py);
        for (i, text) in self.parts().into_iter().enumerate() {
            if let Some(text) = text {
                params.set_item(param_key(py, i), text)?;
            }
        }
        let names = self.names.bind(py);
        if !names.is_empty() {
            params.set_item(intern!(py, "ExpressionAttributeNames"), names)?;
        }
        let values = self.values.bind(py);
        if !values.is_empty() {
            params.set_item(intern!(py, "ExpressionAttributeValues"), values)?;
        }
        Ok(params)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<CompiledRequest>() else {
            return Ok(py.NotImplemented());
        };
        let other = other.get();
        let mut equal = self.names.bind(py).as_any().eq(other.names.bind(py))?
            && self.values.bind(py).as_any().eq(other.values.bind(py))?;
        for (a, b) in self.parts().into_iter().zip(other.parts()) {
            equal = equal && eq_opt(py, a, b)?;
        }
        Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    #[classattr]
    fn __match_args__() -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        (
            "key_condition",
            "filter",
            "condition",
            "update",
            "projection",
            "names",
            "values",
        )
    }

    /// Pickles as a call of the constructor with every field.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let mut args: Vec<Py<PyAny>> = this
            .parts()
            .into_iter()
            .map(|part| match part {
                Some(text) => text.clone_ref(py).into_any(),
                None => py.None(),
            })
            .collect();
        args.push(this.names.clone_ref(py).into_any());
        args.push(this.values.clone_ref(py).into_any());
        Ok((slf.get_type(), PyTuple::new(py, args)?))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut out = String::from("CompiledRequest(");
        for (field, text) in FIELDS.iter().zip(self.parts()) {
            let shown = match text {
                Some(text) => text.bind(py).repr()?.to_string(),
                None => "None".to_string(),
            };
            out.push_str(&format!("{field}={shown}, "));
        }
        out.push_str(&format!(
            "names={}, values={})",
            self.names.bind(py).repr()?,
            self.values.bind(py).repr()?
        ));
        Ok(out)
    }
}

/// Compiles the expressions of one request into one shared namespace.
///
/// ``key_condition``, ``filter`` and ``condition`` take lists of clauses
/// (``(path, op, value)`` tuples and ``And``/``Or``/``Not``/``Raw`` groups,
/// ANDed); ``update`` takes action tuples such as ``("set", path, value)``;
/// ``projection`` takes paths. Any slot may instead be a ``Raw`` expression.
/// ``names``/``values`` are the caller's own placeholders for raw
/// expressions; generated ones never collide with them, and every one of
/// them must be used. ``key_attributes`` makes an update of a key attribute
/// an error.
///
/// Returns a ``CompiledRequest``: the text of each given slot, with the
/// shared ``ExpressionAttributeNames`` and ``ExpressionAttributeValues``
/// (DynamoDB JSON). The arguments are positional;
/// ``dynamorm.expr.compile_request`` is the keyword front.
#[pyfunction]
#[pyo3(signature = (key_condition, filter, condition, update, projection, names, values,
                    key_attributes))]
#[allow(clippy::too_many_arguments)]
pub fn compile_request_object<'py>(
    py: Python<'py>,
    key_condition: Option<&Bound<'py, PyAny>>,
    filter: Option<&Bound<'py, PyAny>>,
    condition: Option<&Bound<'py, PyAny>>,
    update: Option<&Bound<'py, PyAny>>,
    projection: Option<&Bound<'py, PyAny>>,
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
    key_attributes: Option<Vec<String>>,
) -> PyResult<CompiledRequest> {
    let given = [
        ("key_condition", Kind::KeyCondition, key_condition),
        ("update", Kind::Update, update),
        ("condition", Kind::Condition, condition),
        ("filter", Kind::Condition, filter),
        ("projection", Kind::Projection, projection),
    ];
    let (texts, names_out, values_out) =
        compile(py, &given, names, values, key_attributes.as_deref())?;
    let mut request = CompiledRequest {
        key_condition: None,
        filter: None,
        condition: None,
        update: None,
        projection: None,
        names: names_out.unbind(),
        values: values_out.unbind(),
    };
    for (slot_name, text) in texts {
        let text = Some(PyString::new(py, &text).unbind());
        match slot_name {
            "key_condition" => request.key_condition = text,
            "filter" => request.filter = text,
            "condition" => request.condition = text,
            "update" => request.update = text,
            _ => request.projection = text,
        }
    }
    Ok(request)
}
