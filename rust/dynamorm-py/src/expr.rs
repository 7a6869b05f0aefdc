//! Bindings for the expression engine (SPEC §5, §12): compile structured
//! clauses into expressions sharing one placeholder namespace, validate and
//! parse raw expressions, and the reserved-word table.

mod compiled;
mod convert;
pub(crate) mod encoded;
mod request;
mod tree;

use dynamorm_core::expr::{self, Compiler, Kind, NameMap, ValueKeys};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::cache::{placeholder_str, Prefix};
use crate::errors::{self, OrRaise};
use crate::ffi::presized_dict;
use convert::{Gathered, Str};

fn kind_arg(kind: Option<&str>) -> PyResult<Option<Kind>> {
    match kind {
        None => Ok(None),
        Some(name) => Kind::from_name(name).map(Some).ok_or_else(|| {
            errors::validation(format!(
                "kind must be 'condition', 'key_condition', 'update', 'projection' or None, \
                 got {name:?}"
            ))
        }),
    }
}

/// What one slot of `compile_request` holds once converted.
enum Slot {
    Clauses(Vec<expr::Clause<Str>>),
    Actions(Vec<expr::UpdateAction<Str>>),
    Paths(Vec<expr::PathInput<Str>>),
    Raw(String),
}

/// The caller's own string for attribute name `name` when a top-level path
/// is exactly that name (the usual case), so the names dict shares it
/// instead of holding a fresh copy.
fn caller_string<'py>(
    py: Python<'py>,
    slots: &[(&'static str, Kind, Slot)],
    name: &str,
) -> Option<Bound<'py, PyString>> {
    let is_name = |path: &expr::PathInput<Str>| match path {
        expr::PathInput::Text(text) => **text == *name,
        expr::PathInput::Segments(_) => false,
    };
    let found = slots.iter().find_map(|(_, _, slot)| match slot {
        Slot::Clauses(clauses) => clauses.iter().find_map(|clause| match clause {
            expr::Clause::Compare { path, .. } if is_name(path) => Some(path),
            _ => None,
        }),
        Slot::Actions(actions) => actions.iter().map(|a| a.path()).find(|p| is_name(p)),
        Slot::Paths(paths) => paths.iter().find(|p| is_name(p)),
        Slot::Raw(_) => None,
    })?;
    let expr::PathInput::Text(text) = found else {
        return None;
    };
    // A str subclass stays the caller's; the dict gets a plain str.
    Some(text.into_pyobject(py).ok()?).filter(|s| s.is_exact_instance_of::<PyString>())
}

/// Each slot's text, then `ExpressionAttributeNames` and
/// `ExpressionAttributeValues`.
type Compiled<'py> = (
    Vec<(&'static str, String)>,
    Bound<'py, PyDict>,
    Bound<'py, PyDict>,
);

/// Converts the Python inputs of each slot, compiles them in one namespace
/// and returns each slot's text with the names and values dicts.
fn compile<'py>(
    py: Python<'py>,
    given: &[(&'static str, Kind, Option<&Bound<'py, PyAny>>)],
    names: Option<&Bound<'py, PyAny>>,
    values: Option<&Bound<'py, PyAny>>,
    key_attributes: Option<&[String]>,
) -> PyResult<Compiled<'py>> {
    let mut g = Gathered::default();
    g.values.reserve(16);
    if let Some(names) = names.filter(|n| !n.is_none()) {
        g.add_names(names, "names")?;
    }
    if let Some(values) = values.filter(|v| !v.is_none()) {
        g.add_values(values, "values")?;
    }
    let mut slots: Vec<(&'static str, Kind, Slot)> = Vec::with_capacity(given.len());
    for &(slot_name, kind, obj) in given {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            continue;
        };
        let slot = if let Some(text) = g.raw(obj)? {
            Slot::Raw(text)
        } else {
            match kind {
                Kind::Update => Slot::Actions(g.actions(obj)?),
                Kind::Projection => Slot::Paths(convert::paths(obj)?),
                _ => Slot::Clauses(g.clauses(obj, slot_name)?),
            }
        };
        slots.push((slot_name, kind, slot));
    }
    let caller_values = g.caller_value_keys();
    let mut compiler =
        Compiler::new(std::mem::take(&mut g.caller_names), caller_values).or_raise()?;
    let mut texts = Vec::with_capacity(slots.len());
    for (slot_name, kind, slot) in &slots {
        let text = match slot {
            Slot::Raw(text) => compiler.raw(text, *kind),
            Slot::Clauses(c) if *kind == Kind::KeyCondition => compiler.key_condition(c, slot_name),
            Slot::Clauses(c) => compiler.condition(c, slot_name),
            Slot::Actions(a) => compiler.update(a, key_attributes),
            Slot::Paths(p) => compiler.projection(p),
        }
        .or_raise()?;
        texts.push((*slot_name, text));
    }
    let namespace = compiler.finish().or_raise()?;
    let names_out = presized_dict(
        py,
        namespace.generated_names.len() + namespace.caller_names.len(),
    )?;
    for (number, name) in namespace.generated_names.iter() {
        let name = caller_string(py, &slots, name).unwrap_or_else(|| PyString::new(py, name));
        names_out.set_item(placeholder_str(py, Prefix::Name, number), name)?;
    }
    for (placeholder, name) in &namespace.caller_names {
        names_out.set_item(placeholder, name)?;
    }
    let values_out = presized_dict(py, namespace.values.len() + g.caller_values.len())?;
    for (number, id) in &namespace.values {
        values_out.set_item(placeholder_str(py, Prefix::Value, *number), &g.values[*id])?;
    }
    for (placeholder, av) in &g.caller_values {
        values_out.set_item(placeholder, av)?;
    }
    Ok((texts, names_out, values_out))
}

fn name_map(names: Option<&Bound<'_, PyAny>>) -> PyResult<Option<NameMap>> {
    let Some(names) = names.filter(|n| !n.is_none()) else {
        return Ok(None);
    };
    let mut g = Gathered::default();
    g.add_names(names, "names")?;
    Ok(Some(g.caller_names))
}

fn value_keys(values: Option<&Bound<'_, PyAny>>) -> PyResult<Option<ValueKeys>> {
    let Some(values) = values.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let mut keys = ValueKeys::new();
    for key in values.try_iter()? {
        let key = key?;
        let Ok(key) = key.cast::<PyString>() else {
            return Err(errors::validation(
                "values keys must be str placeholders like ':v'",
            ));
        };
        keys.insert(key.to_str()?.to_owned());
    }
    Ok(Some(keys))
}

/// Validates a raw expression; raises ``ExpressionError`` (with
/// ``.position``, a byte offset) for a syntax error, a placeholder without an
/// entry, an entry never used, an unescaped reserved word, and — in updates —
/// overlapping paths or (with ``key_attributes``) an update of a key.
/// ``kind`` is ``"condition"``, ``"key_condition"``, ``"update"``,
/// ``"projection"`` or ``None`` to detect it.
#[pyfunction]
#[pyo3(signature = (text, *, names=None, values=None, kind=None, key_attributes=None))]
fn validate_expression(
    text: &str,
    names: Option<&Bound<'_, PyAny>>,
    values: Option<&Bound<'_, PyAny>>,
    kind: Option<&str>,
    key_attributes: Option<Vec<String>>,
) -> PyResult<()> {
    let kind = kind_arg(kind)?;
    let names = name_map(names)?;
    let values = value_keys(values)?;
    expr::validate(
        text,
        kind,
        names.as_ref(),
        values.as_ref(),
        key_attributes.as_deref(),
    )
    .or_raise()?;
    Ok(())
}

/// Parses an expression (``kind`` as for ``validate_expression``) and returns
/// its syntax tree as nested dicts/lists; each node has ``"type"`` and
/// ``"span"`` (byte offsets). Raises ``ExpressionError`` on a syntax error.
#[pyfunction]
#[pyo3(signature = (text, kind=None))]
fn parse_expression<'py>(
    py: Python<'py>,
    text: &str,
    kind: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let tree = expr::parse(text, kind_arg(kind)?).or_raise()?;
    tree::to_python(py, &tree)
}

/// Whether ``word`` is a DynamoDB reserved word (case-insensitive).
#[pyfunction]
fn is_reserved(word: &str) -> bool {
    expr::is_reserved(word)
}

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compiled::compile_condition, m)?)?;
    m.add_function(wrap_pyfunction!(compiled::compile_key_condition, m)?)?;
    m.add_function(wrap_pyfunction!(compiled::compile_update, m)?)?;
    m.add_function(wrap_pyfunction!(compiled::compile_projection, m)?)?;
    m.add_class::<compiled::Compiled>()?;
    m.add_class::<encoded::Encoded>()?;
    m.add_function(wrap_pyfunction!(request::compile_request_object, m)?)?;
    m.add_class::<request::CompiledRequest>()?;
    m.add_function(wrap_pyfunction!(validate_expression, m)?)?;
    m.add_function(wrap_pyfunction!(parse_expression, m)?)?;
    m.add_function(wrap_pyfunction!(is_reserved, m)?)?;
    m.add(
        "RESERVED_WORDS",
        PyTuple::new(m.py(), expr::RESERVED_WORDS)?,
    )?;
    Ok(())
}
