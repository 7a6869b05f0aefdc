//! The few CPython calls the hot paths make directly. PyO3's safe wrappers
//! re-check sizes and reference counts on every step, which under the stable
//! ABI is a function call each time; marshaling touches every value of an
//! item, so these loops call CPython only where they must.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// The entries of a dict, as owned references. `PyDict_Next` bounds-checks
/// its position itself, so a dict changed meanwhile ends the walk early
/// instead of reading freed memory.
pub(crate) struct Entries<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    pos: ffi::Py_ssize_t,
}

/// Walks `dict`'s entries.
pub(crate) fn entries<'a, 'py>(dict: &'a Bound<'py, PyDict>) -> Entries<'a, 'py> {
    Entries { dict, pos: 0 }
}

impl<'py> Iterator for Entries<'_, 'py> {
    type Item = (Bound<'py, PyAny>, Bound<'py, PyAny>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        // SAFETY: the dict is alive for 'a; PyDict_Next returns borrowed,
        // non-null pointers when it returns non-zero, and both are turned
        // into owned references at once.
        unsafe {
            if ffi::PyDict_Next(self.dict.as_ptr(), &mut self.pos, &mut key, &mut value) == 0 {
                return None;
            }
            let py = self.dict.py();
            Some((
                Bound::from_borrowed_ptr(py, key),
                Bound::from_borrowed_ptr(py, value),
            ))
        }
    }
}

/// The key and value of a dict with exactly one entry. The key is returned
/// as a raw pointer, only good for identity checks right away.
#[inline]
pub(crate) fn only_entry<'py>(
    dict: &Bound<'py, PyDict>,
) -> Option<(*mut ffi::PyObject, Bound<'py, PyAny>)> {
    let mut pos = 0;
    let mut key = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: as in `Entries::next`; the value becomes an owned reference.
    unsafe {
        if ffi::PyDict_Size(dict.as_ptr()) != 1
            || ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut key, &mut value) == 0
        {
            return None;
        }
        Some((key, Bound::from_borrowed_ptr(dict.py(), value)))
    }
}

/// A dict with one entry, `{tag: payload}`.
#[inline]
pub(crate) fn tagged_dict<'py>(
    tag: &Bound<'py, PyString>,
    payload: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(tag.py());
    out.set_item(tag, payload)?;
    Ok(out)
}

/// A list of `len` items, each made by `item(index)`, filled in place (no
/// intermediate vector). If `item` fails the half-filled list is dropped,
/// which CPython allows: empty slots are NULL and skipped on deallocation.
pub(crate) fn build_list<'py, E>(
    py: Python<'py>,
    len: usize,
    mut item: impl FnMut(usize) -> Result<Bound<'py, PyAny>, E>,
) -> Result<Bound<'py, PyList>, E>
where
    E: From<PyErr>,
{
    // `len` is the length of a Python sequence, so it fits a Py_ssize_t.
    let size = len as ffi::Py_ssize_t;
    // SAFETY: PyList_New returns a new reference or NULL with an exception set.
    let list = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyList_New(size))? };
    for index in 0..len {
        let value = item(index)?;
        // SAFETY: `index` < len; PyList_SetItem steals the reference, and the
        // slot it replaces is NULL.
        unsafe {
            ffi::PyList_SetItem(list.as_ptr(), index as ffi::Py_ssize_t, value.into_ptr());
        }
    }
    // SAFETY: PyList_New made a list.
    Ok(unsafe { list.cast_into_unchecked() })
}
