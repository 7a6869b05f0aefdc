//! The table keys of a batch, built in one call: the common forms of key
//! (`(pk, sk)` tuples, `KeyPair`s, bare partition keys) encoded straight
//! into `{attribute: attribute value}` dicts.
//!
//! It takes keys up to the first one it does not handle — another form, a
//! missing part, a value its field refuses — and returns those; the Python
//! caller goes on from there with the checks that name the key at fault.
//! `KeyPlan.add_user_keys` (`keys.rs`) uses the same rule key by key.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use super::encode;
use super::field::Field;
use crate::errors::ValidationError;

/// The attribute value of `value` for `field`, or `None` when this fast
/// loop should stop (the field refuses it or would leave it out).
fn encoded<'py>(field: &Field, value: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if value.is_none() {
        return Ok(None);
    }
    match encode::encode(field, value) {
        Ok(av) => Ok(av),
        Err(err) if err.is_instance_of::<ValidationError>(value.py()) => Ok(None),
        Err(err) => Err(err),
    }
}

/// A key's partition-key value and, on a table with a sort key, its
/// sort-key value.
type Parts<'py> = (Bound<'py, PyAny>, Option<Bound<'py, PyAny>>);

/// The parts of one key, or `None` for a key of another form.
fn parts<'py>(
    key: &Bound<'py, PyAny>,
    with_sk: bool,
    key_pair: &Bound<'py, PyType>,
    other_forms: &Bound<'py, PyTuple>,
) -> PyResult<Option<Parts<'py>>> {
    let py = key.py();
    if key.get_type().is(key_pair) {
        let sk = key.getattr(intern!(py, "sk"))?;
        if !with_sk && !sk.is_none() {
            return Ok(None);
        }
        let pk = key.getattr(intern!(py, "pk"))?;
        return Ok(Some((pk, with_sk.then_some(sk))));
    }
    if with_sk {
        return match key.cast_exact::<PyTuple>() {
            Ok(pair) if pair.len() == 2 => Ok(Some((pair.get_item(0)?, Some(pair.get_item(1)?)))),
            _ => Ok(None),
        };
    }
    if key.is_none() || key.is_instance(other_forms)? {
        return Ok(None);
    }
    Ok(Some((key.clone(), None)))
}

/// The key dict of one plain key, or `None` when it is not plain (another
/// form, a missing part, a value its field refuses or would leave out).
pub(crate) fn plain_one<'py>(
    pk: &Field,
    sk: Option<&Field>,
    key: &Bound<'py, PyAny>,
    key_pair: &Bound<'py, PyType>,
    other_forms: &Bound<'py, PyTuple>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = key.py();
    let Some((pk_value, sk_value)) = parts(key, sk.is_some(), key_pair, other_forms)? else {
        return Ok(None);
    };
    let Some(pk_av) = encoded(pk, &pk_value)? else {
        return Ok(None);
    };
    let dict = PyDict::new(py);
    dict.set_item(pk.attr.bind(py), pk_av)?;
    if let (Some(field), Some(value)) = (sk, sk_value) {
        let Some(sk_av) = encoded(field, &value)? else {
            return Ok(None);
        };
        dict.set_item(field.attr.bind(py), sk_av)?;
    }
    Ok(Some(dict))
}

/// The key dicts of the plain keys at the start of `keys`.
pub(crate) fn plain<'py>(
    pk: &Field,
    sk: Option<&Field>,
    keys: &Bound<'py, PyList>,
    key_pair: &Bound<'py, PyType>,
    other_forms: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(keys.py());
    for key in keys.iter() {
        let Some(dict) = plain_one(pk, sk, &key, key_pair, other_forms)? else {
            break;
        };
        out.append(dict)?;
    }
    Ok(out)
}
