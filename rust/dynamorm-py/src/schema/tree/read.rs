//! A stored attribute value → the value of its node of the type tree, of
//! exactly that type: `list[float]` gives floats, a nested dataclass its
//! class, an enum its member. A stored value the node cannot hold (an enum
//! value that names no member, a number where a date belongs) is a fault
//! naming the path and the stored value.

use dynamorm_core::schema::{parse_date, parse_duration, parse_uuid, SetElement};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDelta, PyDict, PyFrozenSet, PyList, PySet, PyString, PyTuple};

use super::{user_error, within, Default, Failure, Fault, Member, Node, Typed, Walk};
use crate::av::{tagged_dict, tagged_entry, Tag};
use crate::cache::{object_new, tags, time_type, uuid_safe_unknown, uuid_type};
use crate::ffi::generic_setattr;
use crate::schema::decode::{
    generic, read_decimal, read_float, read_int, read_plain, read_timestamp,
};
use crate::schema::decode_set::read_set;

/// The value of node `t` stored as `av`.
pub(crate) fn decode<'py>(t: &Typed, av: &Bound<'py, PyAny>) -> Walk<Bound<'py, PyAny>> {
    let py = av.py();
    let Some((tag, payload)) = tagged_entry(tags(py)?, av) else {
        // Not a one-entry tagged dict: the generic reader words the fault.
        return cannot(av, generic(av).err());
    };
    if tag == Tag::Null {
        return null(t, av);
    }
    match &t.node {
        Node::Any => leaf(av, read_plain(av)),
        Node::Str => match (tag, payload.cast::<PyString>()) {
            (Tag::S, Ok(_)) => Ok(payload),
            _ => expected(t, av),
        },
        Node::Int => leaf_if(t, av, tag == Tag::N, read_int),
        Node::Float => leaf_if(t, av, tag == Tag::N, read_float),
        Node::Decimal => leaf_if(t, av, tag == Tag::N, read_decimal),
        Node::Bool => match tag {
            Tag::Bool if payload.is_instance_of::<PyBool>() => Ok(payload),
            _ => expected(t, av),
        },
        Node::Bytes => leaf_if(t, av, tag == Tag::B, generic),
        Node::Datetime => leaf_if(t, av, tag == Tag::S, read_timestamp),
        Node::Date => {
            let text = text_of(t, av, tag, &payload, Tag::S)?;
            match parse_date(&text) {
                Ok((y, m, d)) => Ok(PyDate::new(py, y, m, d)?.into_any()),
                Err(err) => cannot(av, Some(err.to_string())),
            }
        }
        Node::Time => {
            text_of(t, av, tag, &payload, Tag::S)?;
            let parsed = time_type(py)?.call_method1(intern!(py, "fromisoformat"), (&payload,));
            leaf(av, parsed)
        }
        Node::Timedelta => {
            let text = text_of(t, av, tag, &payload, Tag::N)?;
            match parse_duration(&text) {
                Ok(micros) => {
                    let day = 86_400_000_000;
                    let (days, rest) = (micros.div_euclid(day), micros.rem_euclid(day));
                    let Ok(days) = i32::try_from(days) else {
                        return cannot(av, Some("the duration is out of range"));
                    };
                    // rest < 86,400 s, so both parts fit an i32.
                    let (seconds, micros) = ((rest / 1_000_000) as i32, (rest % 1_000_000) as i32);
                    leaf(
                        av,
                        PyDelta::new(py, days, seconds, micros, true).map(Bound::into_any),
                    )
                }
                Err(err) => cannot(av, Some(err.to_string())),
            }
        }
        Node::Uuid => {
            let text = text_of(t, av, tag, &payload, Tag::S)?;
            match parse_uuid(&text) {
                Ok(bits) => Ok(new_uuid(py, bits)?),
                Err(err) => cannot(av, Some(err.to_string())),
            }
        }
        Node::Enum {
            cls,
            by_value,
            numeric,
        } => {
            let raw = match (tag, *numeric) {
                (Tag::S, false) => payload.clone(),
                (Tag::N, true) => read_plain(av).map_err(|e| Failure::Fault(reason_of(av, e)))?,
                _ => return expected(t, av),
            };
            match by_value.bind(py).get_item(&raw)? {
                Some(member) => Ok(member),
                None => cannot(
                    av,
                    Some(format!(
                        "{} is not a value of {}",
                        raw.repr()?,
                        cls.bind(py).name()?
                    )),
                ),
            }
        }
        Node::Literal { choices } => {
            let value = read_plain(av).map_err(|e| Failure::Fault(reason_of(av, e)))?;
            for choice in choices {
                let choice = choice.bind(py);
                if choice.get_type().is(value.get_type()) && choice.eq(&value)? {
                    return Ok(value);
                }
            }
            cannot(
                av,
                Some(format!("{} is not one of {}", value.repr()?, t.repr)),
            )
        }
        Node::List(element) => {
            let items = l_items(t, av, tag, &payload)?;
            Ok(PyList::new(py, elements(element, &items)?)?.into_any())
        }
        Node::VarTuple(element) => {
            let items = l_items(t, av, tag, &payload)?;
            Ok(PyTuple::new(py, elements(element, &items)?)?.into_any())
        }
        Node::Tuple(types) => {
            let items = l_items(t, av, tag, &payload)?;
            if items.len() != types.len() {
                return cannot(
                    av,
                    Some(format!(
                        "expected {} ({} values), got {} values",
                        t.repr,
                        types.len(),
                        items.len()
                    )),
                );
            }
            let mut out = Vec::with_capacity(types.len());
            for (index, (typed, item)) in types.iter().zip(items.iter()).enumerate() {
                out.push(within(decode(typed, &item), || format!("[{index}]"))?);
            }
            Ok(PyTuple::new(py, out)?.into_any())
        }
        Node::Set { element, frozen } => {
            let set = set(t, element, av, tag, &payload)?;
            if *frozen {
                Ok(PyFrozenSet::new(py, set.iter())?.into_any())
            } else {
                Ok(set.into_any())
            }
        }
        Node::Dict(inner) => {
            let map = m_entries(t, av, tag, &payload)?;
            let out = PyDict::new(py);
            for (key, item) in map.iter() {
                let value = within(decode(inner, &item), || super::key_step(&key))?;
                out.set_item(key, value)?;
            }
            Ok(out.into_any())
        }
        Node::TypedDict(members) => {
            let map = m_entries(t, av, tag, &payload)?;
            let out = PyDict::new(py);
            for (key, item) in map.iter() {
                let value = match member_of(members, &key) {
                    Some(m) => within(decode(&m.typed, &item), || format!(".{}", m.key))?,
                    // A key the TypedDict does not declare: kept, untyped.
                    None => within(leaf(&item, read_plain(&item)), || super::key_step(&key))?,
                };
                out.set_item(key, value)?;
            }
            missing(av, members, &out)?;
            Ok(out.into_any())
        }
        Node::Dataclass {
            cls,
            members,
            defaults,
        } => {
            let map = m_entries(t, av, tag, &payload)?;
            let values = PyDict::new(py);
            for (key, item) in map.iter() {
                let Some(m) = member_of(members, &key) else {
                    return cannot(av, Some(format!("{} has no field {}", t.repr, key.repr()?)));
                };
                values.set_item(
                    m.name.bind(py),
                    within(decode(&m.typed, &item), || format!(".{}", m.key))?,
                )?;
            }
            match defaults {
                Some(defaults) => {
                    // Built as the models are: the instance's __dict__ at once.
                    for (m, default) in members.iter().zip(defaults) {
                        let name = m.name.bind(py);
                        if values.contains(name)? {
                            continue;
                        }
                        let value = match default {
                            Default::Value(value) => value.bind(py).clone(),
                            Default::Factory(factory) => factory.bind(py).call0()?,
                            Default::Required if m.typed.optional => py.None().into_bound(py),
                            Default::Required => {
                                return cannot(
                                    av,
                                    Some(format!("{} needs the field '{}'", t.repr, m.key)),
                                )
                            }
                        };
                        values.set_item(name, value)?;
                    }
                    let obj = object_new(py)?.call1((cls.bind(py),))?;
                    generic_setattr(&obj, intern!(py, "__dict__"), values.as_any())?;
                    Ok(obj)
                }
                None => {
                    for m in members {
                        // A None member was left out on write: a member
                        // without a default gets its None back.
                        if m.required && m.typed.optional && !values.contains(m.name.bind(py))? {
                            values.set_item(m.name.bind(py), py.None())?;
                        }
                    }
                    cls.bind(py)
                        .call((), Some(&values))
                        .map_err(|err| user_error(py, err, &format!("cannot build {}", t.repr)))
                }
            }
        }
        Node::Custom {
            from_storage,
            storage,
            ..
        } => {
            let stored = decode(storage, av)?;
            from_storage
                .bind(py)
                .call1((stored,))
                .map_err(|err| user_error(py, err, "from_storage failed"))
        }
    }
}

/// A stored `NULL`: `None` where allowed, an empty set for a set that does
/// not allow `None` (its empty value is written as `NULL`).
fn null<'py>(t: &Typed, av: &Bound<'py, PyAny>) -> Walk<Bound<'py, PyAny>> {
    let py = av.py();
    if t.optional || matches!(t.node, Node::Any) {
        return Ok(py.None().into_bound(py));
    }
    match &t.node {
        Node::Set { frozen: true, .. } => Ok(PyFrozenSet::empty(py)?.into_any()),
        Node::Set { .. } => Ok(PySet::empty(py)?.into_any()),
        _ => expected(t, av),
    }
}

/// Required members a TypedDict's stored map lacks.
fn missing(av: &Bound<'_, PyAny>, members: &[Member], out: &Bound<'_, PyDict>) -> Walk<()> {
    for m in members {
        if m.required && !out.contains(m.name.bind(av.py()))? {
            return cannot(av, Some(format!("missing key '{}'", m.key)));
        }
    }
    Ok(())
}

fn elements<'py>(element: &Typed, items: &Bound<'py, PyList>) -> Walk<Vec<Bound<'py, PyAny>>> {
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        out.push(within(decode(element, &item), || format!("[{index}]"))?);
    }
    Ok(out)
}

/// A set's elements, each by the element node. `SS`/`NS`/`BS` of plain
/// strings, numbers or bytes take the set reader's fast path; a list (`L`)
/// is accepted as other clients may write one, each value at most once.
fn set<'py>(
    t: &Typed,
    element: &Typed,
    av: &Bound<'py, PyAny>,
    tag: Tag,
    payload: &Bound<'py, PyAny>,
) -> Walk<Bound<'py, PySet>> {
    let py = av.py();
    let plain = match element.node {
        Node::Str => Some(SetElement::Str),
        Node::Int => Some(SetElement::Int),
        Node::Float => Some(SetElement::Float),
        Node::Decimal => Some(SetElement::Decimal),
        Node::Bytes => Some(SetElement::Bytes),
        _ => None,
    };
    if let Some(kind) = plain {
        let read = generic(av).and_then(|value| read_set(kind, av, value));
        let read = leaf(av, read)?;
        return Ok(read.cast_into::<PySet>().map_err(PyErr::from)?);
    }
    let element_tag = match tag {
        Tag::Ss => "S",
        Tag::Ns => "N",
        Tag::Bs => "B",
        Tag::L => "",
        _ => return expected(t, av),
    };
    let out = PySet::empty(py)?;
    for (index, item) in payload.try_iter()?.enumerate() {
        let item = item?;
        let stored = if element_tag.is_empty() {
            item
        } else {
            tagged_dict(&PyString::new(py, element_tag), &item)?.into_any()
        };
        let value = within(decode(element, &stored), || format!("[{index}]"))?;
        let before = out.len();
        out.add(&value)?;
        if out.len() == before && element_tag.is_empty() {
            return cannot(av, Some(format!("list element [{index}] repeats a value")));
        }
    }
    Ok(out)
}

/// The text of a stored `S` (`want` = `Tag::S`) or `N` (`Tag::N`) value.
fn text_of(
    t: &Typed,
    av: &Bound<'_, PyAny>,
    tag: Tag,
    payload: &Bound<'_, PyAny>,
    want: Tag,
) -> Walk<String> {
    match payload.cast::<PyString>() {
        Ok(text) if tag == want => Ok(text.to_str()?.to_owned()),
        _ => expected(t, av),
    }
}

fn l_items<'py>(
    t: &Typed,
    av: &Bound<'py, PyAny>,
    tag: Tag,
    payload: &Bound<'py, PyAny>,
) -> Walk<Bound<'py, PyList>> {
    match (tag, payload.cast::<PyList>()) {
        (Tag::L, Ok(items)) => Ok(items.clone()),
        (Tag::L, Err(_)) => match payload.cast::<PyTuple>() {
            Ok(items) => Ok(PyList::new(av.py(), items.iter())?),
            Err(_) => cannot(av, generic(av).err()),
        },
        _ => expected(t, av),
    }
}

fn m_entries<'py>(
    t: &Typed,
    av: &Bound<'py, PyAny>,
    tag: Tag,
    payload: &Bound<'py, PyAny>,
) -> Walk<Bound<'py, PyDict>> {
    match (tag, payload.cast::<PyDict>()) {
        (Tag::M, Ok(map)) => Ok(map.clone()),
        (Tag::M, Err(_)) => cannot(av, generic(av).err()),
        _ => expected(t, av),
    }
}

/// A leaf reader's result, its error a fault at this node.
fn leaf<'py>(
    av: &Bound<'py, PyAny>,
    result: PyResult<Bound<'py, PyAny>>,
) -> Walk<Bound<'py, PyAny>> {
    result.map_err(|err| {
        let py = av.py();
        if err.is_instance_of::<crate::errors::ValidationError>(py)
            || err.is_instance_of::<pyo3::exceptions::PyValueError>(py)
            || err.is_instance_of::<pyo3::exceptions::PyTypeError>(py)
            || err.is_instance_of::<pyo3::exceptions::PyArithmeticError>(py)
        {
            Failure::Fault(reason_of(av, err))
        } else {
            Failure::Python(err)
        }
    })
}

fn leaf_if<'py>(
    t: &Typed,
    av: &Bound<'py, PyAny>,
    fits: bool,
    read: fn(&Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
) -> Walk<Bound<'py, PyAny>> {
    if !fits {
        return expected(t, av);
    }
    leaf(av, read(av))
}

fn expected<T>(t: &Typed, av: &Bound<'_, PyAny>) -> Walk<T> {
    cannot(av, Some(format!("expected {}", t.repr)))
}

/// `cannot read {"S": "x"}: <why>`.
fn cannot<T>(av: &Bound<'_, PyAny>, why: Option<impl ToString>) -> Walk<T> {
    let why = why
        .map(|w| w.to_string())
        .unwrap_or_else(|| "malformed".into());
    Err(Failure::Fault(reason(av, &why)))
}

fn reason(av: &Bound<'_, PyAny>, why: &str) -> Fault {
    let shown = av.repr().map(|r| r.to_string()).unwrap_or_default();
    Fault {
        path: Vec::new(),
        message: format!("cannot read {shown}: {why}"),
    }
}

fn reason_of(av: &Bound<'_, PyAny>, err: PyErr) -> Fault {
    let why = err.value(av.py()).to_string();
    reason(av, &why)
}

/// A `uuid.UUID` of the number `bits`, built as `UUID.__setstate__` builds
/// one (no text parsing: the stored text was read already).
fn new_uuid(py: Python<'_>, bits: u128) -> PyResult<Bound<'_, PyAny>> {
    let uuid = object_new(py)?.call1((uuid_type(py)?,))?;
    generic_setattr(&uuid, intern!(py, "int"), bits.into_pyobject(py)?.as_any())?;
    generic_setattr(&uuid, intern!(py, "is_safe"), uuid_safe_unknown(py)?)?;
    Ok(uuid)
}

/// The member a stored map key names (compared as text: keys read from
/// the wire are not the interned member names).
fn member_of<'m>(members: &'m [Member], key: &Bound<'_, PyAny>) -> Option<&'m Member> {
    let key = key.cast::<PyString>().ok()?.to_str().ok()?;
    members.iter().find(|m| m.key == key)
}
