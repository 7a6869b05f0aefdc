//! A value → its attribute value, by its node of the type tree.

use dynamorm_core::schema::{date_text, duration_text, uuid_text, ScalarCheck};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDelta, PyDeltaAccess, PyDict, PyFrozenSet, PyList,
    PyMapping, PySet, PyString, PyTime, PyTuple,
};

use super::{fault, shown, user_error, within, Failure, Member, Node, Typed, Walk};
use crate::av::{tagged_dict, Tag};
use crate::cache::{mapping_type, tags, uuid_type};
use crate::marshal::serialize_value;
use crate::schema::encode::accepts;
use crate::schema::time::to_utc;

/// The attribute value of `value` at node `t`.
pub(crate) fn encode<'py>(t: &Typed, value: &Bound<'py, PyAny>) -> Walk<Bound<'py, PyDict>> {
    let py = value.py();
    if value.is_none() {
        if t.optional || matches!(t.node, Node::Any) {
            return Ok(null(py)?);
        }
        return fault(format!("expected {}, got None", t.repr));
    }
    match &t.node {
        Node::Str => scalar(t, value, ScalarCheck::Str),
        Node::Int => scalar(t, value, ScalarCheck::Int),
        Node::Float => scalar(t, value, ScalarCheck::Float),
        Node::Decimal => scalar(t, value, ScalarCheck::Decimal),
        Node::Bool => scalar(t, value, ScalarCheck::Bool),
        Node::Bytes => scalar(t, value, ScalarCheck::Bytes),
        Node::Any => marshaled(value),
        Node::Datetime => {
            let Ok(dt) = value.cast::<PyDateTime>() else {
                return wrong(t, value);
            };
            text(py, Tag::S, &to_utc(dt)?.format())
        }
        Node::Date => match value.cast::<PyDate>() {
            Ok(date) if !value.is_instance_of::<PyDateTime>() => text(
                py,
                Tag::S,
                &date_text(date.get_year(), date.get_month(), date.get_day()),
            ),
            _ => wrong(t, value),
        },
        Node::Time => {
            if !value.is_instance_of::<PyTime>() {
                return wrong(t, value);
            }
            let iso = value.call_method0(intern!(py, "isoformat"))?;
            Ok(tagged_dict(intern!(py, "S"), &iso)?)
        }
        Node::Timedelta => {
            let Ok(delta) = value.cast::<PyDelta>() else {
                return wrong(t, value);
            };
            let micros = (i128::from(delta.get_days()) * 86_400 + i128::from(delta.get_seconds()))
                * 1_000_000
                + i128::from(delta.get_microseconds());
            text(py, Tag::N, &duration_text(micros))
        }
        Node::Uuid => {
            if !value.is_instance(uuid_type(py)?)? {
                return wrong(t, value);
            }
            let bits: u128 = value.getattr(intern!(py, "int"))?.extract()?;
            text(py, Tag::S, &uuid_text(bits))
        }
        Node::Enum { cls, numeric, .. } => {
            if !value.is_instance(cls.bind(py))? {
                return wrong(t, value);
            }
            let raw = value.getattr(intern!(py, "value"))?;
            let tag = if *numeric { "N" } else { "S" };
            if *numeric {
                Ok(tagged_dict(&PyString::new(py, tag), raw.str()?.as_any())?)
            } else {
                Ok(tagged_dict(&PyString::new(py, tag), &raw)?)
            }
        }
        Node::Literal { choices } => {
            for choice in choices {
                let choice = choice.bind(py);
                if choice.get_type().is(value.get_type()) && choice.eq(value)? {
                    return marshaled(choice);
                }
            }
            fault(format!("expected {}, got {}", t.repr, shown(value)))
        }
        Node::List(element) | Node::VarTuple(element) => {
            if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
                return wrong(t, value);
            }
            list(py, value.try_iter()?.map(|item| (element.as_ref(), item)))
        }
        Node::Tuple(items) => {
            if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
                return wrong(t, value);
            }
            let len = value.len()?;
            if len != items.len() {
                return fault(format!(
                    "expected {} ({} values), got {len} values",
                    t.repr,
                    items.len()
                ));
            }
            list(py, items.iter().zip(value.try_iter()?))
        }
        Node::Set { element, .. } => set(t, element, value),
        Node::Dict(inner) => {
            let Ok(mapping) = value.cast::<PyMapping>() else {
                return wrong(t, value);
            };
            let out = PyDict::new(py);
            for pair in mapping.items()?.iter() {
                let (key, item): (Bound<'py, PyAny>, Bound<'py, PyAny>) = pair.extract()?;
                if !key.is_instance_of::<PyString>() {
                    return fault(format!("map keys must be str, got {}", shown(&key)));
                }
                let av = within(encode(inner, &item), || super::key_step(&key))?;
                out.set_item(key, av)?;
            }
            Ok(map(py, &out)?)
        }
        Node::TypedDict(members) => {
            if !value.is_instance(mapping_type(py)?)? {
                return wrong(t, value);
            }
            let out = PyDict::new(py);
            for m in members {
                let name = m.name.bind(py);
                if !value.contains(name)? {
                    if m.required {
                        return fault(format!("missing key '{}'", m.key));
                    }
                    continue;
                }
                let item = value.get_item(name)?;
                out.set_item(
                    name,
                    within(encode(&m.typed, &item), || format!(".{}", m.key))?,
                )?;
            }
            if value.len()? != out.len() {
                for key in value.try_iter()? {
                    let key = key?;
                    if !members
                        .iter()
                        .any(|m| key.eq(m.name.bind(py)).unwrap_or(false))
                    {
                        return fault(format!("unexpected key {}", key.repr()?));
                    }
                }
            }
            Ok(map(py, &out)?)
        }
        Node::Dataclass { cls, members, .. } => {
            if !value.is_instance(cls.bind(py))? {
                return wrong(t, value);
            }
            Ok(map(py, &dataclass_map(value, members)?)?)
        }
        Node::Custom {
            cls,
            to_storage,
            storage,
            ..
        } => {
            if !value.is_instance(cls.bind(py))? {
                return wrong(t, value);
            }
            let stored = to_storage
                .bind(py)
                .call1((value,))
                .map_err(|err| user_error(py, err, "to_storage failed"))?;
            encode(storage, &stored)
        }
    }
}

/// A dataclass instance's members as a map, `None` members left out (the
/// dataclass's own default applies when it is read back).
fn dataclass_map<'py>(value: &Bound<'py, PyAny>, members: &[Member]) -> Walk<Bound<'py, PyDict>> {
    let py = value.py();
    let own = value
        .getattr_opt(intern!(py, "__dict__"))?
        .and_then(|d| d.cast_into_exact::<PyDict>().ok());
    let out = PyDict::new(py);
    for m in members {
        let name = m.name.bind(py);
        let found = match &own {
            Some(own) => own.get_item(name)?,
            None => None,
        };
        let item = match found {
            Some(item) => item,
            None => value.getattr(name)?,
        };
        if item.is_none() {
            continue;
        }
        out.set_item(
            name,
            within(encode(&m.typed, &item), || format!(".{}", m.key))?,
        )?;
    }
    Ok(out)
}

fn scalar<'py>(
    t: &Typed,
    value: &Bound<'py, PyAny>,
    expected: ScalarCheck,
) -> Walk<Bound<'py, PyDict>> {
    let py = value.py();
    if expected == ScalarCheck::Str && value.is_exact_instance_of::<PyString>() {
        return Ok(tagged_dict(intern!(py, "S"), value)?);
    }
    if !accepts(value, expected)? {
        return wrong(t, value);
    }
    marshaled(value)
}

fn marshaled<'py>(value: &Bound<'py, PyAny>) -> Walk<Bound<'py, PyDict>> {
    serialize_value(value, "value").map_err(|err| {
        let py = value.py();
        let message = err.value(py).to_string();
        // "value: <reason>" from the marshaler: keep the reason.
        Failure::Fault(super::Fault {
            path: Vec::new(),
            message: message
                .strip_prefix("value: ")
                .unwrap_or(&message)
                .to_owned(),
        })
    })
}

fn wrong<T>(t: &Typed, value: &Bound<'_, PyAny>) -> Walk<T> {
    fault(format!("expected {}, got {}", t.repr, shown(value)))
}

fn text<'py>(py: Python<'py>, tag: Tag, text: &str) -> Walk<Bound<'py, PyDict>> {
    Ok(tagged_dict(
        tags(py)?.get(py, tag),
        PyString::new(py, text).as_any(),
    )?)
}

fn list<'a, 'py>(
    py: Python<'py>,
    items: impl Iterator<Item = (&'a Typed, PyResult<Bound<'py, PyAny>>)>,
) -> Walk<Bound<'py, PyDict>> {
    let mut out = Vec::with_capacity(items.size_hint().0);
    for (index, (element, item)) in items.enumerate() {
        out.push(within(encode(element, &item?), || format!("[{index}]"))?);
    }
    Ok(tagged_dict(
        tags(py)?.get(py, Tag::L),
        PyList::new(py, out)?.as_any(),
    )?)
}

fn map<'py>(py: Python<'py>, out: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    tagged_dict(intern!(py, "M"), out.as_any())
}

/// A set of elements stored as `SS`, `NS` or `BS`: each element encoded by
/// its node, which is a scalar stored as `S`, `N` or `B`. An empty set is
/// stored as `NULL` (DynamoDB has no empty set).
fn set<'py>(t: &Typed, element: &Typed, value: &Bound<'py, PyAny>) -> Walk<Bound<'py, PyDict>> {
    let py = value.py();
    if !(value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>()) {
        return wrong(t, value);
    }
    if value.len()? == 0 {
        return Ok(null(py)?);
    }
    let payloads = PyList::empty(py);
    let mut set_tag = Tag::Ss;
    for item in value.try_iter()? {
        let item = item?;
        let av = within(encode(element, &item), || format!("{{{}}}", shown(&item)))?;
        let Some((tag, payload)) = av.iter().next() else {
            return fault("an element without a type");
        };
        set_tag = match tag.extract::<&str>()? {
            "S" => Tag::Ss,
            "N" => Tag::Ns,
            "B" => Tag::Bs,
            other => {
                return fault(format!(
                    "set elements must be stored as S, N or B, not {other}"
                ))
            }
        };
        payloads.append(payload)?;
    }
    Ok(tagged_dict(tags(py)?.get(py, set_tag), payloads.as_any())?)
}

/// `{"NULL": True}`.
fn null(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    tagged_dict(intern!(py, "NULL"), PyBool::new(py, true).as_any())
}
