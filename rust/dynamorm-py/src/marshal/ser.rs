//! Python value → DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`, ...), building
//! the Python dicts directly.

use dynamorm_core::number::{
    classify_plain, distinct_numbers, empty_set_reason, mixed_set_reason, parse_number,
    write_float, SetKind, MAX_DEPTH,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMemoryView, PySet,
    PyString, PyTuple,
};

use super::is_boto3_binary;
use super::path::{type_name, Fail, MResult};
use crate::av::{tagged_dict, Tag};
use crate::cache::{decimal_type, mapping_type, tags, Tags};
use crate::errors;
use crate::ffi::{
    ascii_str, build_list, dict_len, entries, int_as_i64, list_item, presized_dict, set_elements,
    set_item, set_len, tuple_item,
};

/// One value as its DynamoDB-JSON dict.
pub(crate) fn value<'py>(v: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyDict>> {
    any(tags(v.py())?, v, depth)
}

/// A mapping of attribute names to values as an item, `{name: DynamoDB JSON}`.
pub(crate) fn item<'py>(v: &Bound<'py, PyAny>) -> MResult<Bound<'py, PyDict>> {
    map(tags(v.py())?, v, 0)
}

fn any<'py>(tags: &Tags, v: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyDict>> {
    let (tag, payload) = tagged(tags, v, depth)?;
    Ok(tagged_dict(tags.get(v.py(), tag), &payload)?)
}

fn map<'py>(tags: &Tags, v: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyDict>> {
    if depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    let py = v.py();
    if let Ok(dict) = v.cast::<PyDict>() {
        let out = presized_dict(py, dict_len(dict))?;
        for (key, item) in entries(dict) {
            map_entry(tags, &out, &key, &item, depth)?;
        }
        return Ok(out);
    }
    let out = PyDict::new(py);
    if v.is_instance(mapping_type(py)?)? {
        for pair in v.call_method0(intern!(py, "items"))?.try_iter()? {
            let (key, item): (Bound<'py, PyAny>, Bound<'py, PyAny>) = pair?.extract()?;
            map_entry(tags, &out, &key, &item, depth)?;
        }
    } else {
        return Err(Fail::invalid(format!(
            "expected a mapping, got {}",
            type_name(v)
        )));
    }
    Ok(out)
}

fn map_entry<'py>(
    tags: &Tags,
    out: &Bound<'py, PyDict>,
    key: &Bound<'py, PyAny>,
    item: &Bound<'py, PyAny>,
    depth: usize,
) -> MResult<()> {
    let name = match key.cast_exact::<PyString>() {
        Ok(name) => name,
        Err(_) => match key.cast::<PyString>() {
            Ok(name) => name,
            Err(_) => {
                return Err(Fail::invalid(format!(
                    "map keys must be str, got {} key {}",
                    type_name(key),
                    key.repr().map(|r| r.to_string()).unwrap_or_default()
                )))
            }
        },
    };
    match any(tags, item, depth + 1) {
        Ok(encoded) => Ok(set_item(out, name.as_any(), encoded.as_any())?),
        Err(fail) => Err(fail.at_key(&name.to_string_lossy())),
    }
}

/// The type tag and payload of one value. Exact built-in types are tried
/// first, in rough order of how often they appear in items; subclasses and
/// the rarer types follow.
fn tagged<'py>(
    tags: &Tags,
    v: &Bound<'py, PyAny>,
    depth: usize,
) -> MResult<(Tag, Bound<'py, PyAny>)> {
    let py = v.py();
    if v.is_exact_instance_of::<PyString>() {
        return Ok((Tag::S, v.clone()));
    }
    if v.is_exact_instance_of::<PyDict>() {
        return Ok((Tag::M, map(tags, v, depth)?.into_any()));
    }
    if v.is_exact_instance_of::<PyInt>() {
        return Ok((Tag::N, int_text(tags, v)?.into_any()));
    }
    if v.is_exact_instance_of::<PyBool>() {
        return Ok((Tag::Bool, v.clone()));
    }
    if v.is_exact_instance_of::<PyList>() || v.is_exact_instance_of::<PyTuple>() {
        return Ok((Tag::L, list(tags, v, depth)?.into_any()));
    }
    if v.is_none() {
        return Ok((Tag::Null, PyBool::new(py, true).to_owned().into_any()));
    }
    if let Ok(f) = v.cast_exact::<PyFloat>() {
        return Ok((Tag::N, float_text(py, f.value())?.into_any()));
    }
    if v.is_exact_instance_of::<PyBytes>() {
        return Ok((Tag::B, v.clone()));
    }
    if tags.is_exact_decimal(v) {
        return Ok((Tag::N, decimal_text(v)?.into_any()));
    }
    if v.is_instance_of::<PySet>() || v.is_instance_of::<PyFrozenSet>() {
        return set(tags, v);
    }
    subclass_or_rare(tags, v, depth)
}

fn subclass_or_rare<'py>(
    tags: &Tags,
    v: &Bound<'py, PyAny>,
    depth: usize,
) -> MResult<(Tag, Bound<'py, PyAny>)> {
    let py = v.py();
    if let Ok(s) = v.cast::<PyString>() {
        // A str subclass (a StrEnum member, say) is stored as its plain text.
        return Ok((Tag::S, PyString::new(py, &s.to_cow()?).into_any()));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok((Tag::N, int_text(tags, v)?.into_any()));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok((Tag::N, float_text(py, f.value())?.into_any()));
    }
    if v.is_instance(decimal_type(py)?)? {
        return Ok((Tag::N, decimal_text(v)?.into_any()));
    }
    if let Some(bytes) = binary(v)? {
        return Ok((Tag::B, bytes));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return Ok((Tag::L, list(tags, v, depth)?.into_any()));
    }
    if v.is_instance_of::<PyDict>() || v.is_instance(mapping_type(py)?)? {
        return Ok((Tag::M, map(tags, v, depth)?.into_any()));
    }
    Err(Fail::invalid(format!(
        "values of type {} cannot be stored in DynamoDB",
        type_name(v)
    )))
}

fn list<'py>(tags: &Tags, v: &Bound<'py, PyAny>, depth: usize) -> MResult<Bound<'py, PyList>> {
    if depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    let py = v.py();
    let encode = |index: usize, item: Bound<'py, PyAny>| {
        any(tags, &item, depth + 1)
            .map(Bound::into_any)
            .map_err(|fail| fail.at_index(index))
    };
    if let Ok(items) = v.cast::<PyList>() {
        return build_list(py, items.len(), |index| {
            encode(index, list_item(items, index)?)
        });
    }
    if let Ok(items) = v.cast::<PyTuple>() {
        return build_list(py, items.len(), |index| {
            encode(index, tuple_item(items, index))
        });
    }
    let items: Vec<Bound<'py, PyAny>> = v.try_iter()?.collect::<PyResult<_>>()?;
    build_list(py, items.len(), |index| encode(index, items[index].clone()))
}

fn too_deep() -> Fail {
    Fail::invalid(format!(
        "lists and maps nest deeper than DynamoDB's limit of {MAX_DEPTH} levels"
    ))
}

/// bytes-like values and boto3 `Binary` as `bytes`; `None` for anything else.
fn binary<'py>(v: &Bound<'py, PyAny>) -> MResult<Option<Bound<'py, PyAny>>> {
    let py = v.py();
    if v.is_exact_instance_of::<PyBytes>() {
        return Ok(Some(v.clone()));
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(Some(PyBytes::new(py, b.as_bytes()).into_any()));
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(Some(PyBytes::new(py, &b.to_vec()).into_any()));
    }
    if v.is_instance_of::<PyMemoryView>() {
        return Ok(Some(v.call_method0(intern!(py, "tobytes"))?));
    }
    if is_boto3_binary(v) {
        let inner = v.getattr(intern!(py, "value"))?;
        return match binary(&inner)? {
            Some(bytes) => Ok(Some(bytes)),
            None => Err(Fail::invalid(format!(
                "Binary.value must be bytes-like, got {}",
                type_name(&inner)
            ))),
        };
    }
    Ok(None)
}

/// What a set element is, and its payload in the set's list.
fn set_element<'py>(tags: &Tags, v: &Bound<'py, PyAny>) -> MResult<(SetKind, Bound<'py, PyAny>)> {
    if let Ok(s) = v.cast::<PyString>() {
        let text = if v.is_exact_instance_of::<PyString>() {
            s.clone()
        } else {
            PyString::new(v.py(), &s.to_cow()?)
        };
        return Ok((SetKind::String, text.into_any()));
    }
    if let Some(text) = number_text(tags, v)? {
        return Ok((SetKind::Number, text.into_any()));
    }
    if let Some(bytes) = binary(v)? {
        return Ok((SetKind::Binary, bytes));
    }
    Err(Fail::invalid(format!(
        "a set element of type {} cannot be stored in DynamoDB; \
         sets hold only str, numbers or bytes",
        type_name(v)
    )))
}

fn set<'py>(tags: &Tags, v: &Bound<'py, PyAny>) -> MResult<(Tag, Bound<'py, PyAny>)> {
    let py = v.py();
    let mut kind = None;
    // Python's set equality is numeric equality, and each of `int`, `float`
    // and `Decimal` writes distinct values as distinct numbers: a set of one
    // of them cannot hold two elements of one value. Mixed (`{0.1,
    // Decimal("0.1")}`) or other number types can.
    let mut first_type = None;
    let mut one_plain_type = true;
    let mut add = |element: &Bound<'py, PyAny>| -> MResult<Bound<'py, PyAny>> {
        let (element_kind, payload) = set_element(tags, element)?;
        match kind {
            None => kind = Some(element_kind),
            Some(k) if k != element_kind => {
                return Err(Fail::invalid(mixed_set_reason(k, element_kind)))
            }
            Some(_) => {}
        }
        if one_plain_type {
            let this_type = PlainNumber::of(tags, element);
            one_plain_type =
                this_type.is_some() && *first_type.get_or_insert(this_type) == this_type;
        }
        Ok(payload)
    };
    let list = if v.is_exact_instance_of::<PySet>() || v.is_exact_instance_of::<PyFrozenSet>() {
        // Straight from the set's table into the list. Encoding an element
        // can run Python code (a `Binary.value` property), so a set changed
        // meanwhile is reported as iterating it would.
        let len = set_len(v);
        let mut elements = set_elements(v);
        let list = build_list(py, len, |_| match elements.next() {
            Some(element) => add(&element),
            None => Err(set_changed().into()),
        })?;
        if set_len(v) != len {
            return Err(set_changed().into());
        }
        list
    } else {
        let mut items = Vec::with_capacity(v.len()?);
        for element in v.try_iter()? {
            items.push(add(&element?)?);
        }
        PyList::new(py, items)?
    };
    let kind = kind.ok_or_else(|| Fail::invalid(empty_set_reason()))?;
    let tag = match kind {
        SetKind::String => Tag::Ss,
        SetKind::Number => Tag::Ns,
        SetKind::Binary => Tag::Bs,
    };
    if kind == SetKind::Number && !one_plain_type {
        return Ok((tag, distinct_number_list(&list)?.into_any()));
    }
    Ok((tag, list.into_any()))
}

/// The number types whose sets never hold two elements of one value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlainNumber {
    Int,
    Float,
    Decimal,
}

impl PlainNumber {
    /// The type `v` is exactly (no subclass), if it is one of these.
    fn of(tags: &Tags, v: &Bound<'_, PyAny>) -> Option<Self> {
        if v.is_exact_instance_of::<PyInt>() {
            Some(Self::Int)
        } else if v.is_exact_instance_of::<PyFloat>() {
            Some(Self::Float)
        } else if tags.is_exact_decimal(v) {
            Some(Self::Decimal)
        } else {
            None
        }
    }
}

/// `texts` (the number texts of a set) without the texts of a value met
/// before; see `distinct_numbers`.
fn distinct_number_list<'py>(texts: &Bound<'py, PyList>) -> MResult<Bound<'py, PyList>> {
    let owned: Vec<Bound<'py, PyString>> = texts
        .iter()
        .map(|text| text.cast_into::<PyString>())
        .collect::<Result<_, _>>()
        .map_err(PyErr::from)?;
    let strs = owned
        .iter()
        .map(|text| text.to_str())
        .collect::<PyResult<Vec<&str>>>()?;
    match distinct_numbers(&strs) {
        None => Ok(texts.clone()),
        Some(keep) => Ok(PyList::new(texts.py(), keep.iter().map(|&i| &owned[i]))?),
    }
}

#[cold]
fn set_changed() -> PyErr {
    errors::runtime_error("Set changed size during iteration")
}

/// Number text of an int (not bool), float or Decimal; `None` for other types.
fn number_text<'py>(tags: &Tags, v: &Bound<'py, PyAny>) -> MResult<Option<Bound<'py, PyString>>> {
    let py = v.py();
    if v.is_instance_of::<PyBool>() {
        return Ok(None);
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(Some(int_text(tags, v)?));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(Some(float_text(py, f.value())?));
    }
    if v.is_instance(decimal_type(py)?)? {
        return Ok(Some(decimal_text(v)?));
    }
    Ok(None)
}

fn int_text<'py>(tags: &Tags, v: &Bound<'py, PyAny>) -> MResult<Bound<'py, PyString>> {
    let py = v.py();
    if let Some(small) = int_as_i64(v)? {
        if let Some(text) = tags.small_int_text(py, small) {
            return Ok(text.clone());
        }
        let mut buf = [0u8; 20];
        return Ok(ascii_str(py, format_i64(small, &mut buf))?);
    }
    // Past 64 bits: Python's own decimal text, then DynamoDB's digit rules
    // (trailing zeros are free, so 10**50 is fine and 2**200 is not).
    let text = if v.is_exact_instance_of::<PyInt>() {
        v.str()?
    } else {
        py.get_type::<PyInt>().call1((v,))?.str()?
    };
    check_number(&text)?;
    Ok(text)
}

fn decimal_text<'py>(v: &Bound<'py, PyAny>) -> MResult<Bound<'py, PyString>> {
    let text = v.str()?;
    check_number(&text)?;
    Ok(text)
}

fn check_number(text: &Bound<'_, PyString>) -> MResult<()> {
    let s = text.to_str()?;
    if classify_plain(s).is_some() {
        return Ok(());
    }
    parse_number(s).map_err(|err| Fail::invalid(format!("{err} (got '{s}')")))?;
    Ok(())
}

fn float_text(py: Python<'_>, f: f64) -> MResult<Bound<'_, PyString>> {
    let mut text = String::with_capacity(24);
    write_float(f, &mut text).map_err(|err| Fail::invalid(format!("{err} (got {f:?})")))?;
    Ok(ascii_str(py, text.as_bytes())?)
}

/// Decimal text of `n` in `buf`, without allocating.
fn format_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let negative = n < 0;
    let mut rest = n.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}
