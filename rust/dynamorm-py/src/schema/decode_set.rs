//! A stored set → a set field's value.
//!
//! DynamoDB stores a `set[T]` as `SS`, `NS` or `BS`; other clients may
//! write it as a list (`L`) instead. Both read back as a `set` of `T`, or
//! fail: every element must be a `T` (an `int` field's numbers integral),
//! and a list must not hold one value twice, since the set would silently
//! lose it.

use dynamorm_core::schema::SetElement;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PySet, PyString};

use crate::cache::decimal_type;
use crate::errors;

/// The set of `element`s that the stored `av` holds; `value` is its generic
/// unmarshaling (so `av` is a well-formed attribute value).
pub(crate) fn read_set<'py>(
    element: SetElement,
    av: &Bound<'py, PyAny>,
    value: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = av.py();
    let tag = tag_of(av)?;
    let out = PySet::empty(py)?;
    if tag == element.set_tag() {
        if matches!(element, SetElement::Str | SetElement::Bytes) {
            return Ok(value);
        }
        if element == SetElement::Decimal {
            // Each Decimal exactly as stored (`1E+1` stays `Decimal('1E+1')`).
            for text in av.get_item(pyo3::intern!(py, "NS"))?.try_iter()? {
                out.add(decimal_type(py)?.call1((text?,))?)?;
            }
            return Ok(out.into_any());
        }
        for item in value.try_iter()? {
            out.add(number(element, &item?)?)?;
        }
        return Ok(out.into_any());
    }
    if tag != "L" {
        return Err(errors::validation(format!(
            "expected {} (or a list of {}), got {tag}",
            element.set_tag(),
            element.type_name()
        )));
    }
    for (index, item) in value.cast::<PyList>()?.iter().enumerate() {
        let converted = list_element(element, &item).map_err(|err| {
            errors::validation(format!("list element [{index}]: {}", err.value(py)))
        })?;
        let before = out.len();
        out.add(&converted)?;
        if out.len() == before {
            return Err(errors::validation(format!(
                "list element [{index}] repeats {}; a set holds each value once",
                converted.repr()?
            )));
        }
    }
    Ok(out.into_any())
}

/// The one type key of a well-formed attribute value.
fn tag_of(av: &Bound<'_, PyAny>) -> PyResult<String> {
    let dict = av.cast::<PyDict>()?;
    match dict.keys().iter().next() {
        Some(key) => key.extract(),
        None => Err(errors::validation("an attribute value without a type")),
    }
}

/// One element of a stored list, as an element of the set.
fn list_element<'py>(element: SetElement, item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let fits = match element {
        SetElement::Str => item.is_exact_instance_of::<PyString>(),
        SetElement::Bytes => item.is_exact_instance_of::<PyBytes>(),
        SetElement::Int | SetElement::Float | SetElement::Decimal => is_number(item)?,
    };
    if !fits {
        let type_name = item.get_type().name()?;
        return Err(errors::validation(format!(
            "expected {}, got {type_name} {}",
            element.type_name(),
            item.repr()?
        )));
    }
    match element {
        SetElement::Str | SetElement::Bytes => Ok(item.clone()),
        _ => number(element, item),
    }
}

/// An unmarshaled number (`int` or `Decimal`) as the set's element type.
fn number<'py>(element: SetElement, item: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = item.py();
    match element {
        SetElement::Int if item.is_exact_instance_of::<PyInt>() => Ok(item.clone()),
        SetElement::Int => Err(errors::validation(format!(
            "expected an integer, got {}",
            item.repr()?
        ))),
        SetElement::Float => py.get_type::<PyFloat>().call1((item,)),
        SetElement::Decimal => decimal_type(py)?.call1((item,)),
        SetElement::Str | SetElement::Bytes => Ok(item.clone()),
    }
}

/// `int` (not `bool`) or `Decimal`: what a stored `N` unmarshals to.
fn is_number(item: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(
        (item.is_instance_of::<PyInt>() && !item.is_instance_of::<PyBool>())
            || item.is_instance(decimal_type(item.py())?)?,
    )
}
