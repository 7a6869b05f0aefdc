//! Python clauses, actions and paths → the core's structured inputs.
//!
//! Values are marshaled here, as they are met, and the core only sees their
//! numbers; an `Encoded` value is already an attribute value and is used as
//! it is. Paths and operators stay the caller's Python strings
//! (`PyBackedStr`), lent to the core without copying. Raw expressions (`dynamorm.expr.Raw`) bring their own names and
//! values, which join the request's caller-supplied maps.

use std::collections::BTreeMap;

use dynamorm_core::expr::{
    At, Clause, ClauseValue, NameMap, Operator, PathInput, Segment, UpdateAction, ValueKeys,
};
use dynamorm_core::value::Tag;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::encoded::Encoded;
use crate::errors;
use crate::marshal::serialize_value;

/// The caller's strings as the core sees them: borrowed, not copied.
pub type Str = PyBackedStr;

fn invalid<T>(message: String) -> PyResult<T> {
    Err(errors::validation(message))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Everything gathered from one request's Python inputs.
#[derive(Default)]
pub struct Gathered<'py> {
    /// Marshaled values, indexed by value number.
    pub values: Vec<Bound<'py, PyDict>>,
    /// Names of raw expressions (and of the `names=` argument).
    pub caller_names: NameMap,
    /// Values of raw expressions (and of `values=`), marshaled.
    pub caller_values: BTreeMap<String, Bound<'py, PyDict>>,
}

impl<'py> Gathered<'py> {
    fn value(&mut self, value: &Bound<'py, PyAny>, at: &At<'_>) -> PyResult<usize> {
        let av = if let Ok(encoded) = value.cast::<Encoded>() {
            encoded.get().av(value.py()).clone()
        } else {
            // The label is only built when marshaling fails: then again, with it.
            match serialize_value(value, "value") {
                Ok(av) => av,
                Err(_) => serialize_value(value, &at.to_string())?,
            }
        };
        self.values.push(av);
        Ok(self.values.len() - 1)
    }

    /// Adds caller names (`{"#pk": "PK"}`); a placeholder given twice must
    /// name the same attribute.
    pub fn add_names(&mut self, names: &Bound<'py, PyAny>, label: &str) -> PyResult<()> {
        for item in names
            .call_method0(intern!(names.py(), "items"))?
            .try_iter()?
        {
            let (key, name): (String, String) = item?.extract().map_err(|_| {
                errors::validation(format!("{label} must map str placeholders to str names"))
            })?;
            match self.caller_names.get(&key) {
                Some(existing) if *existing != name => {
                    return invalid(format!(
                        "{label}: placeholder {key:?} is given as both {existing:?} and {name:?}"
                    ))
                }
                _ => {
                    self.caller_names.insert(key, name);
                }
            }
        }
        Ok(())
    }

    /// Adds caller values (`{":v": 3}`), marshaling them.
    pub fn add_values(&mut self, values: &Bound<'py, PyAny>, label: &str) -> PyResult<()> {
        for item in values
            .call_method0(intern!(values.py(), "items"))?
            .try_iter()?
        {
            let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item?.extract()?;
            let Ok(key) = key.extract::<String>() else {
                return invalid(format!("{label} keys must be str placeholders like ':v'"));
            };
            let av = serialize_value(&value, &format!("{label}[{key:?}]"))?;
            if let Some(existing) = self.caller_values.get(&key) {
                if !existing.eq(&av)? {
                    return invalid(format!(
                        "{label}: placeholder {key:?} is given two different values"
                    ));
                }
            }
            self.caller_values.insert(key, av);
        }
        Ok(())
    }

    /// The placeholders of the caller's values.
    pub fn caller_value_keys(&self) -> ValueKeys {
        self.caller_values.keys().cloned().collect()
    }

    /// If `obj` is a `Raw` expression, merges its names/values and returns
    /// its text.
    pub fn raw(&mut self, obj: &Bound<'py, PyAny>) -> PyResult<Option<String>> {
        let py = obj.py();
        // A failed attribute lookup costs an exception; lists and tuples are
        // never raw expressions.
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return Ok(None);
        }
        match obj.getattr_opt(intern!(py, "_group"))? {
            Some(tag) if tag.extract::<&str>().ok() == Some("raw") => {}
            _ => return Ok(None),
        }
        let text: String = obj.getattr(intern!(py, "text"))?.extract()?;
        let names = obj.getattr(intern!(py, "names"))?;
        if !names.is_none() {
            self.add_names(&names, "Raw names")?;
        }
        let values = obj.getattr(intern!(py, "values"))?;
        if !values.is_none() {
            self.add_values(&values, "Raw values")?;
        }
        Ok(Some(text))
    }

    /// Condition clauses: `(path, op[, value])` tuples, lists (ANDed) and
    /// `And`/`Or`/`Not`/`Raw` groups.
    pub fn clauses(&mut self, obj: &Bound<'py, PyAny>, label: &str) -> PyResult<Vec<Clause<Str>>> {
        let at = At::root(label);
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyTuple>() {
            return invalid(format!(
                "{at} must be a list of clauses, e.g. [(\"status\", \"=\", \"active\")]; \
                 wrap a raw expression in Raw(...)"
            ));
        }
        self.items(obj, &at)
    }

    fn items(&mut self, obj: &Bound<'py, PyAny>, at: &At<'_>) -> PyResult<Vec<Clause<Str>>> {
        // Lists are by far the most common: index them instead of going
        // through the iterator protocol.
        if let Ok(list) = obj.cast::<PyList>() {
            let mut out = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                out.push(self.clause(&item, &at.index(i))?);
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            out.push(self.clause(&item?, &at.index(i))?);
        }
        Ok(out)
    }

    fn clause(&mut self, obj: &Bound<'py, PyAny>, at: &At<'_>) -> PyResult<Clause<Str>> {
        let py = obj.py();
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            return self.compare(tuple, at);
        }
        if obj.is_instance_of::<PyList>() {
            return Ok(Clause::And(self.items(obj, at)?));
        }
        if let Some(text) = self.raw(obj)? {
            return Ok(Clause::Raw(text));
        }
        let tag = obj.getattr_opt(intern!(py, "_group"))?;
        match tag.as_ref().and_then(|t| t.extract::<&str>().ok()) {
            Some("and") => Ok(Clause::And(
                self.items(&obj.getattr(intern!(py, "clauses"))?, at)?,
            )),
            Some("or") => Ok(Clause::Or(
                self.items(&obj.getattr(intern!(py, "clauses"))?, at)?,
            )),
            Some("not") => Ok(Clause::Not(Box::new(
                self.clause(&obj.getattr(intern!(py, "clause"))?, &at.index(0))?,
            ))),
            _ => invalid(format!(
                "{at}: expected a (path, op, value) tuple or an And/Or/Not/Raw group, got {}",
                type_name(obj)
            )),
        }
    }

    fn compare(&mut self, tuple: &Bound<'py, PyTuple>, at: &At<'_>) -> PyResult<Clause<Str>> {
        let len = tuple.len();
        if !(2..=3).contains(&len) {
            return invalid(format!(
                "{at}: a clause is (path, op, value) or (path, op), got {len} items"
            ));
        }
        let path = path(&tuple.get_item(0)?, at)?;
        let op: PyBackedStr = tuple
            .get_item(1)?
            .extract()
            .map_err(|_| errors::validation(format!("{at}: the operator must be a str")))?;
        let value = if len == 3 {
            Some(tuple.get_item(2)?)
        } else {
            None
        };
        let operator = Operator::parse(&op);
        let label = at.label(" value");
        let value = match (operator, value) {
            (_, None) => ClauseValue::None,
            (Some(o), Some(v)) if o.takes_none() && v.is_none() => ClauseValue::None,
            (Some(o), Some(v)) if o.takes_many() && v.is_instance_of::<PyTuple>() => {
                let items = v.cast::<PyTuple>()?;
                let mut ids = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    ids.push(self.value(&item, &label.index(i))?);
                }
                ClauseValue::Many(ids)
            }
            (Some(o), Some(v)) if o.takes_many() && !v.is_instance_of::<PyString>() => {
                match v.try_iter() {
                    Ok(iter) => {
                        let mut ids = Vec::new();
                        for (i, item) in iter.enumerate() {
                            ids.push(self.value(&item?, &label.index(i))?);
                        }
                        ClauseValue::Many(ids)
                    }
                    Err(_) => ClauseValue::One(self.value(&v, &label)?),
                }
            }
            (Some(Operator::AttributeType), Some(v)) => {
                let tag = v.extract::<String>().ok();
                if tag.as_deref().and_then(Tag::parse).is_none() {
                    return invalid(format!(
                        "{at} (operator {op:?}): the value must be a type tag, one of \
                         S, SS, N, NS, B, BS, BOOL, NULL, L, M"
                    ));
                }
                ClauseValue::One(self.value(&v, &label)?)
            }
            (_, Some(v)) => ClauseValue::One(self.value(&v, &label)?),
        };
        Ok(Clause::Compare { path, op, value })
    }

    /// Update actions: `(kind, path, ...)` tuples.
    pub fn actions(&mut self, obj: &Bound<'py, PyAny>) -> PyResult<Vec<UpdateAction<Str>>> {
        let mut out = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            out.push(self.action(&item?, &At::root("actions").index(i))?);
        }
        Ok(out)
    }

    fn action(&mut self, obj: &Bound<'py, PyAny>, at: &At<'_>) -> PyResult<UpdateAction<Str>> {
        let py = obj.py();
        let Ok(tuple) = obj.cast::<PyTuple>() else {
            return invalid(format!(
                "{at}: an action is a tuple like (\"set\", path, value), got {}",
                type_name(obj)
            ));
        };
        let kind: String = match tuple.get_item(0).and_then(|k| k.extract()) {
            Ok(kind) => kind,
            Err(_) => return invalid(format!("{at}: the first item must be the action name")),
        };
        let arity = |n: usize, shape: &str| -> PyResult<()> {
            if tuple.len() == n {
                Ok(())
            } else {
                invalid(format!("{at}: {kind:?} takes {shape}"))
            }
        };
        let item = |i: usize| tuple.get_item(i);
        let label = at.label(" value");
        let kind_lower = kind.to_ascii_lowercase();
        let action = match kind_lower.as_str() {
            "set" | "set_if_not_exists" | "add" | "delete" => {
                arity(3, "(name, path, value)")?;
                let path = path(&item(1)?, at)?;
                let value = self.value(&item(2)?, &label)?;
                match kind_lower.as_str() {
                    "set" => UpdateAction::Set { path, value },
                    "set_if_not_exists" => UpdateAction::SetIfNotExists { path, value },
                    "add" => UpdateAction::Add { path, value },
                    _ => UpdateAction::Delete { path, value },
                }
            }
            "increment" | "decrement" => {
                if !(2..=3).contains(&tuple.len()) {
                    return invalid(format!("{at}: {kind:?} takes (name, path[, by])"));
                }
                let path = path(&item(1)?, at)?;
                let by = if tuple.len() == 3 {
                    item(2)?
                } else {
                    1i64.into_pyobject(py)?.into_any()
                };
                // ADD treats a missing attribute as 0, so both work on new items.
                let by = if kind_lower == "decrement" {
                    by.neg()
                        .map_err(|_| errors::validation(format!("{at}: 'by' must be a number")))?
                } else {
                    by
                };
                let value = self.value(&by, &label)?;
                UpdateAction::Add { path, value }
            }
            "remove" => {
                arity(2, "(name, path)")?;
                UpdateAction::Remove {
                    path: path(&item(1)?, at)?,
                }
            }
            "append_to_list" | "prepend_to_list" => {
                arity(3, "(name, path, list)")?;
                let path = path(&item(1)?, at)?;
                let values = item(2)?;
                let value = if values.is_instance_of::<Encoded>() {
                    // The elements encoded already, as one list value.
                    self.value(&values, &label)?
                } else {
                    if !values.is_instance_of::<PyList>() && !values.is_instance_of::<PyTuple>() {
                        return invalid(format!("{at}: {kind:?} takes a list of elements to add"));
                    }
                    let list = PyList::new(py, values.try_iter()?.collect::<PyResult<Vec<_>>>()?)?;
                    self.value(list.as_any(), &label)?
                };
                let empty = Some(self.value(PyList::empty(py).as_any(), &label)?);
                if kind_lower == "append_to_list" {
                    UpdateAction::AppendToList { path, value, empty }
                } else {
                    UpdateAction::PrependToList { path, value, empty }
                }
            }
            "remove_from_list_at" | "set_list_element" => {
                let n = if kind_lower == "set_list_element" {
                    4
                } else {
                    3
                };
                arity(n, "(name, path, index[, value])")?;
                let path = path(&item(1)?, at)?;
                let index: u32 = item(2)?.extract().map_err(|_| {
                    errors::validation(format!("{at}: the index must be an int >= 0"))
                })?;
                if n == 4 {
                    let value = self.value(&item(3)?, &label)?;
                    UpdateAction::SetListElement { path, index, value }
                } else {
                    UpdateAction::RemoveFromListAt { path, index }
                }
            }
            _ => {
                return invalid(format!(
                    "{at}: unknown action {kind:?}; use set, set_if_not_exists, add, increment, \
                     decrement, remove, delete, append_to_list, prepend_to_list, \
                     remove_from_list_at or set_list_element"
                ))
            }
        };
        Ok(action)
    }
}

/// A path: `"a.b[0]"` or a list/tuple of segments (`["a.b", 0]`).
pub fn path(obj: &Bound<'_, PyAny>, at: &At<'_>) -> PyResult<PathInput<Str>> {
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(PathInput::Text(PyBackedStr::try_from(text.clone())?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut segments = Vec::new();
        for segment in obj.try_iter()? {
            let segment = segment?;
            if let Ok(name) = segment.cast::<PyString>() {
                segments.push(Segment::Name(name.to_str()?.to_owned()));
            } else if let Ok(index) = segment.extract::<u32>() {
                segments.push(Segment::Index(index));
            } else {
                return invalid(format!(
                    "{at}: a path segment must be a str name or an int index, got {}",
                    type_name(&segment)
                ));
            }
        }
        return Ok(PathInput::Segments(segments));
    }
    invalid(format!(
        "{at}: a path is a str like \"a.b[0]\" or a list of segments, got {}",
        type_name(obj)
    ))
}

/// A list of paths for a projection.
pub fn paths(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathInput<Str>>> {
    if obj.is_instance_of::<PyString>() {
        return invalid(
            "projection must be a list of paths, e.g. [\"name\", \"address.city\"]".into(),
        );
    }
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        out.push(path(&item?, &At::root("paths").index(i))?);
    }
    Ok(out)
}
