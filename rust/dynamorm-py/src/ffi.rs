//! Every unsafe call of the bindings, in one place for one review.
//!
//! The hot paths (marshaling, decoding, key planning) call CPython directly
//! where PyO3's safe wrappers would convert and re-check on every step, or
//! where a CPython accessor is a macro reading a field that a function call
//! would wrap: marshaling touches every value of an item. Everything else in
//! the crate is safe code built on these helpers.
//!
//! This build targets one CPython version (not the limited API), so object
//! layouts (`PyDictObject::ma_used`, a list's items, a compact str's data)
//! and three exported but private helpers, `_PyDict_NewPresized`,
//! `_PySet_NextEntry` and, on free-threaded builds, `_PySet_NextEntryRef`,
//! are fair to use.
//!
//! # With the GIL and without it
//!
//! On a GIL build (and on a free-threaded interpreter that turned the GIL
//! back on, as it does for a module declaring `gil_used = true`; see
//! `lib.rs`), no other thread runs while these helpers run, except where
//! they call Python code themselves. The fast paths rely on that: dict and
//! set walks without a lock, a dict entry's key looked at through a borrowed
//! reference, sizes read from object fields, a reused `Decimal` argument
//! tuple. Each such helper has a `cfg(Py_GIL_DISABLED)` branch that is
//! correct without the GIL, which `scripts/check-free-threaded.sh` compiles
//! and lints; the GIL build keeps its fast paths:
//!
//! | helper | GIL build | free-threaded build |
//! |---|---|---|
//! | [`entries`] | `PyDict_Next`; the borrowed key and value made owned | the same step inside the dict's critical section, so both are owned before another thread can change the dict |
//! | [`only_entry`] | size check and `PyDict_Next`; the key stays borrowed ([`EntryKey`]) | size check, `PyDict_Next` and both references inside the critical section; [`EntryKey`] owns its key |
//! | [`dict_len`] | `ma_used` read from the object | `PyDict_Size` (an atomic read), as PyO3's `len` does |
//! | [`set_elements`] | `_PySet_NextEntry`; the borrowed element made owned | `_PySet_NextEntryRef` (an owned element) inside the set's critical section |
//! | [`set_len`] | `PySet_GET_SIZE` | the same: pyo3-ffi makes it an atomic read there |
//! | [`list_item`] | size check, then `PyList_GET_ITEM` | `PyList_GetItemRef`, which checks and reads under the list's lock |
//! | [`build_list`] | `PyList_New`, filled in place while `item` runs Python code | the items gathered first, then one `PyList::new`: no list with NULL slots exists while Python code runs, which another thread could reach through `gc.get_objects()` |
//! | [`new_decimal`] | `tp_new` on a reused, per-thread argument tuple | `tp_new` on a new tuple per call |
//!
//! A critical section covers one step of a walk, never the whole walk: the
//! callers run Python code between steps (encoding a value can), and
//! CPython suspends a critical section whenever the thread waits, so it
//! would not hold across that anyway. A dict or set changed between two
//! steps is what the walks' bounds checks are for, as with the GIL.

use std::marker::PhantomData;

use pyo3::ffi;
use pyo3::prelude::*;
#[cfg(Py_GIL_DISABLED)]
use pyo3::sync::critical_section::with_critical_section;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PySet, PyString, PyTuple, PyType};

extern "C" {
    /// CPython's dict constructor with room for `minused` entries, so that
    /// filling it never resizes. Exported by every CPython 3 (Cython uses it)
    /// though not part of the limited API, which this build does not use.
    fn _PyDict_NewPresized(minused: ffi::Py_ssize_t) -> *mut ffi::PyObject;

    /// CPython's walk over a set's table (what `PyDict_Next` is for dicts);
    /// exported by every CPython 3, though not part of the limited API.
    #[cfg(not(Py_GIL_DISABLED))]
    fn _PySet_NextEntry(
        set: *mut ffi::PyObject,
        pos: *mut ffi::Py_ssize_t,
        key: *mut *mut ffi::PyObject,
        hash: *mut ffi::Py_hash_t,
    ) -> std::os::raw::c_int;

    /// `_PySet_NextEntry` handing out a new reference, for a caller that
    /// holds the set's critical section; exported since CPython 3.13 (for
    /// `_pickle`), which free-threaded support needs anyway.
    #[cfg(Py_GIL_DISABLED)]
    fn _PySet_NextEntryRef(
        set: *mut ffi::PyObject,
        pos: *mut ffi::Py_ssize_t,
        key: *mut *mut ffi::PyObject,
        hash: *mut ffi::Py_hash_t,
    ) -> std::os::raw::c_int;
}

/// The entries of a dict, as owned references. `PyDict_Next` bounds-checks
/// its position itself, so a dict changed meanwhile ends the walk early
/// instead of reading freed memory. Without the GIL each step holds the
/// dict's critical section.
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
        #[cfg(not(Py_GIL_DISABLED))]
        {
            // SAFETY: the GIL is held, so no other thread changes the dict.
            unsafe { dict_next(self.dict, &mut self.pos) }
        }
        #[cfg(Py_GIL_DISABLED)]
        {
            with_critical_section(self.dict.as_any(), || {
                // SAFETY: the dict's critical section is held.
                unsafe { dict_next(self.dict, &mut self.pos) }
            })
        }
    }
}

/// One step of a `PyDict_Next` walk from `pos`: the next entry's key and
/// value as owned references, or `None` at the end.
///
/// # Safety
///
/// No other thread may change `dict` during the call: the GIL is held, or
/// on a free-threaded build the caller holds the dict's critical section.
#[inline(always)]
unsafe fn dict_next<'py>(
    dict: &Bound<'py, PyDict>,
    pos: &mut ffi::Py_ssize_t,
) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let mut key = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: the dict is alive (borrowed) and, by this function's contract,
    // unchanged by other threads until the call returns; PyDict_Next returns
    // borrowed, non-null pointers when it returns non-zero, and both are
    // turned into owned references before the call returns.
    unsafe {
        if ffi::PyDict_Next(dict.as_ptr(), pos, &mut key, &mut value) == 0 {
            return None;
        }
        let py = dict.py();
        Some((
            Bound::from_borrowed_ptr(py, key),
            Bound::from_borrowed_ptr(py, value),
        ))
    }
}

/// `len(dict)`, read from the object (CPython's `PyDict_GET_SIZE`) instead
/// of through a function call: every attribute value is a dict.
#[cfg(not(Py_GIL_DISABLED))]
#[inline]
pub(crate) fn dict_len(dict: &Bound<'_, PyDict>) -> usize {
    // SAFETY: `dict` is a live dict (or subclass), whose object starts with
    // CPython's PyDictObject layout; `ma_used` is never negative, and with
    // the GIL held no other thread writes it meanwhile.
    unsafe { (*dict.as_ptr().cast::<ffi::PyDictObject>()).ma_used as usize }
}

/// `len(dict)`. Without the GIL another thread may be resizing the dict, so
/// `ma_used` is read atomically, by `PyDict_Size` (what PyO3's `len` calls
/// on free-threaded builds).
#[cfg(Py_GIL_DISABLED)]
#[inline]
pub(crate) fn dict_len(dict: &Bound<'_, PyDict>) -> usize {
    dict.len()
}

/// The key of a dict entry met in a walk, good for as long as the dict is
/// borrowed and no Python code runs: compared by identity, or looked at
/// inside [`EntryKey::with`]. With the GIL it is a borrowed pointer into the
/// dict (no reference count touched); without it, an owned reference taken
/// inside the dict's critical section, since another thread could drop the
/// dict's own as soon as the section ends.
#[cfg_attr(not(Py_GIL_DISABLED), derive(Clone, Copy))]
pub(crate) struct EntryKey<'a, 'py> {
    #[cfg(not(Py_GIL_DISABLED))]
    ptr: *mut ffi::PyObject,
    #[cfg(not(Py_GIL_DISABLED))]
    py: Python<'py>,
    #[cfg(Py_GIL_DISABLED)]
    key: Bound<'py, PyAny>,
    dict: PhantomData<&'a Bound<'py, PyDict>>,
}

#[cfg(not(Py_GIL_DISABLED))]
impl<'py> EntryKey<'_, 'py> {
    /// The interpreter the dict belongs to.
    #[inline]
    pub(crate) fn py(&self) -> Python<'py> {
        self.py
    }

    /// True when the key is `object` itself.
    #[inline]
    pub(crate) fn is(&self, object: &Bound<'py, PyAny>) -> bool {
        self.ptr == object.as_ptr()
    }

    /// `f` of the key, without taking a reference to it.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Bound<'py, PyAny>) -> R) -> R {
        // SAFETY: the dict that holds the key is borrowed for 'a and, by this
        // type's contract, unchanged since the key was read; the borrowed
        // reference does not outlive the call.
        let key = unsafe { Borrowed::from_ptr(self.py, self.ptr) };
        f(&key)
    }
}

#[cfg(Py_GIL_DISABLED)]
impl<'py> EntryKey<'_, 'py> {
    /// The interpreter the dict belongs to.
    #[inline]
    pub(crate) fn py(&self) -> Python<'py> {
        self.key.py()
    }

    /// True when the key is `object` itself.
    #[inline]
    pub(crate) fn is(&self, object: &Bound<'py, PyAny>) -> bool {
        self.key.as_ptr() == object.as_ptr()
    }

    /// `f` of the key.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Bound<'py, PyAny>) -> R) -> R {
        f(&self.key)
    }
}

/// The key and value of a dict with exactly one entry: the value owned, the
/// key for a look right away.
#[cfg(not(Py_GIL_DISABLED))]
#[inline]
pub(crate) fn only_entry<'a, 'py>(
    dict: &'a Bound<'py, PyDict>,
) -> Option<(EntryKey<'a, 'py>, Bound<'py, PyAny>)> {
    if dict_len(dict) != 1 {
        return None;
    }
    let mut pos = 0;
    let mut key = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: as in `Entries::next`; the value becomes an owned reference,
    // the key stays borrowed from the dict, which `EntryKey` keeps borrowed.
    unsafe {
        if ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut key, &mut value) == 0 {
            return None;
        }
        let py = dict.py();
        let key = EntryKey {
            ptr: key,
            py,
            dict: PhantomData,
        };
        Some((key, Bound::from_borrowed_ptr(py, value)))
    }
}

/// The key and value of a dict with exactly one entry, both owned: the size
/// check and the walk happen inside the dict's critical section, so another
/// thread cannot add or remove an entry in between.
#[cfg(Py_GIL_DISABLED)]
#[inline]
pub(crate) fn only_entry<'a, 'py>(
    dict: &'a Bound<'py, PyDict>,
) -> Option<(EntryKey<'a, 'py>, Bound<'py, PyAny>)> {
    with_critical_section(dict.as_any(), || {
        if dict_len(dict) != 1 {
            return None;
        }
        let mut pos = 0;
        // SAFETY: the dict's critical section is held.
        let (key, value) = unsafe { dict_next(dict, &mut pos) }?;
        let key = EntryKey {
            key,
            dict: PhantomData,
        };
        Some((key, value))
    })
}

/// The elements of an exact `set` or `frozenset`, as owned references, in
/// the order iterating it gives, without an iterator object. Like
/// `PyDict_Next`, the walk is bounds-checked, so a set changed meanwhile
/// ends it early instead of reading freed memory. Without the GIL each step
/// holds the set's critical section.
pub(crate) struct SetElements<'a, 'py> {
    set: &'a Bound<'py, PyAny>,
    pos: ffi::Py_ssize_t,
}

/// Walks `set`, which must be exactly a `set` or a `frozenset` (a subclass
/// may override `__iter__`).
pub(crate) fn set_elements<'a, 'py>(set: &'a Bound<'py, PyAny>) -> SetElements<'a, 'py> {
    debug_assert!(set.is_exact_instance_of::<PySet>() || set.is_exact_instance_of::<PyFrozenSet>());
    SetElements { set, pos: 0 }
}

impl<'py> Iterator for SetElements<'_, 'py> {
    type Item = Bound<'py, PyAny>;

    #[cfg(not(Py_GIL_DISABLED))]
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut key = std::ptr::null_mut();
        let mut hash = 0;
        // SAFETY: the set is alive for 'a and is a set or frozenset, which
        // with the GIL held no other thread changes meanwhile;
        // _PySet_NextEntry returns a borrowed, non-null key when it returns
        // non-zero, which is turned into an owned reference at once.
        unsafe {
            if _PySet_NextEntry(self.set.as_ptr(), &mut self.pos, &mut key, &mut hash) == 0 {
                return None;
            }
            Some(Bound::from_borrowed_ptr(self.set.py(), key))
        }
    }

    #[cfg(Py_GIL_DISABLED)]
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let py = self.set.py();
        with_critical_section(self.set, || {
            let mut key = std::ptr::null_mut();
            let mut hash = 0;
            // SAFETY: the set is alive for 'a and is a set or frozenset,
            // and its critical section is held, as _PySet_NextEntryRef
            // requires; it returns a new, non-null reference when it
            // returns non-zero, which `from_owned_ptr` takes over.
            unsafe {
                if _PySet_NextEntryRef(self.set.as_ptr(), &mut self.pos, &mut key, &mut hash) == 0 {
                    return None;
                }
                Some(Bound::from_owned_ptr(py, key))
            }
        })
    }
}

/// `len(set)` of a `set` or `frozenset` (or subclass), read from the object
/// (atomically on free-threaded builds: pyo3-ffi's `PySet_GET_SIZE` is).
#[inline]
pub(crate) fn set_len(set: &Bound<'_, PyAny>) -> usize {
    debug_assert!(set.is_instance_of::<PySet>() || set.is_instance_of::<PyFrozenSet>());
    // SAFETY: the caller checked `set` is a set or frozenset; the size is
    // never negative, and PySet_GET_SIZE reads it atomically where other
    // threads may write it.
    unsafe { ffi::PySet_GET_SIZE(set.as_ptr()) as usize }
}

/// An empty dict with room for `len` entries, so filling it never resizes
/// (a resize costs about as much as all the insertions of a small dict).
#[inline]
pub(crate) fn presized_dict(py: Python<'_>, len: usize) -> PyResult<Bound<'_, PyDict>> {
    let len = ffi::Py_ssize_t::try_from(len).unwrap_or(ffi::Py_ssize_t::MAX);
    // SAFETY: returns a new reference to a dict, or NULL with an exception
    // set, which `from_owned_ptr_or_err` turns into an error.
    let dict = unsafe { Bound::from_owned_ptr_or_err(py, _PyDict_NewPresized(len))? };
    // SAFETY: it is a dict.
    Ok(unsafe { dict.cast_into_unchecked() })
}

/// An empty dict of the default size, or the error of a failed allocation
/// (where `PyDict::new` would panic).
#[inline]
pub(crate) fn empty_dict(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    // SAFETY: PyDict_New returns a new reference or NULL with an exception set.
    let dict = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyDict_New())? };
    // SAFETY: PyDict_New made a dict.
    Ok(unsafe { dict.cast_into_unchecked() })
}

/// `dict[key] = value`, without PyO3's generic conversions.
#[inline]
pub(crate) fn set_item(
    dict: &Bound<'_, PyDict>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    // SAFETY: all three are live objects; PyDict_SetItem takes its own
    // references to key and value.
    if unsafe { ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(dict.py()))
    }
}

/// A `str` holding `text`, which must be ASCII, written in place: number
/// text is always ASCII, and this skips the UTF-8 decoder.
#[inline]
pub(crate) fn ascii_str<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyString>> {
    assert!(text.is_ascii());
    // SAFETY: PyUnicode_New returns a new, compact, 1-byte-per-character
    // str of `text.len()` characters (maxchar 127), or NULL with an
    // exception set; its data is written once before anyone else sees it.
    unsafe {
        let out = Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_New(text.len() as ffi::Py_ssize_t, 127),
        )?;
        let data = ffi::PyUnicode_DATA(out.as_ptr()).cast::<u8>();
        std::ptr::copy_nonoverlapping(text.as_ptr(), data, text.len());
        Ok(out.cast_into_unchecked())
    }
}

/// The value of an `int` (or subclass) when it fits an `i64`, else `None`,
/// without raising and catching `OverflowError` for big ones.
#[inline]
pub(crate) fn int_as_i64(int: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    let mut overflow = 0;
    // SAFETY: `int` is a live object; the call sets `overflow` instead of
    // raising when the value does not fit, and only raises for non-ints.
    let value = unsafe { ffi::PyLong_AsLongLongAndOverflow(int.as_ptr(), &mut overflow) };
    if overflow != 0 {
        return Ok(None);
    }
    if value == -1 {
        if let Some(err) = PyErr::take(int.py()) {
            return Err(err);
        }
    }
    Ok(Some(value))
}

/// `list[index]`, read from the object instead of through a function call.
/// Still bounds-checked: encoding an earlier item can run Python code (a
/// `Binary.value` property) that shrinks the list.
#[cfg(not(Py_GIL_DISABLED))]
#[inline]
pub(crate) fn list_item<'py>(
    list: &Bound<'py, PyList>,
    index: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let ptr = list.as_ptr();
    // SAFETY: `ptr` is a live list, which with the GIL held no other thread
    // changes meanwhile; the index is checked against its current size, and
    // the borrowed item becomes an owned reference at once.
    unsafe {
        if index < ffi::PyList_GET_SIZE(ptr) as usize {
            Ok(Bound::from_borrowed_ptr(
                list.py(),
                ffi::PyList_GET_ITEM(ptr, index as ffi::Py_ssize_t),
            ))
        } else {
            Err(crate::errors::index_error("list index out of range"))
        }
    }
}

/// `list[index]`. Without the GIL another thread can shrink the list
/// between a size check and the read, so `PyList_GetItemRef` does both, and
/// takes the reference, under the list's own synchronisation (raising
/// `IndexError("list index out of range")` as the GIL build's check does).
#[cfg(Py_GIL_DISABLED)]
#[inline]
pub(crate) fn list_item<'py>(
    list: &Bound<'py, PyList>,
    index: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let Ok(index) = ffi::Py_ssize_t::try_from(index) else {
        return Err(crate::errors::index_error("list index out of range"));
    };
    // SAFETY: `list` is a live list; PyList_GetItemRef returns a new
    // reference, or NULL with an exception set, which
    // `from_owned_ptr_or_err` turns into an error.
    unsafe { Bound::from_owned_ptr_or_err(list.py(), ffi::PyList_GetItemRef(list.as_ptr(), index)) }
}

/// `tuple[index]` for an index below its length (tuples never change size).
#[inline]
pub(crate) fn tuple_item<'py>(tuple: &Bound<'py, PyTuple>, index: usize) -> Bound<'py, PyAny> {
    assert!(index < tuple.len());
    // SAFETY: the index is in bounds (asserted above) of an immutable tuple.
    unsafe { tuple.get_borrowed_item_unchecked(index).to_owned() }
}

/// A list of `len` items, each made by `item(index)`, filled in place (no
/// intermediate vector). If `item` fails the half-filled list is dropped,
/// which CPython allows: empty slots are NULL and skipped on deallocation.
/// Nothing else holds the list while it fills (`item` gets only the
/// index); only the `gc` module's object walks (`gc.get_objects()`,
/// `gc.get_referrers()`) could reach it meanwhile, from Python code that
/// `item` runs or from another thread while that code lets the GIL go. That
/// narrow hazard is accepted for the in-place fill, which saves 2–3 % of a
/// nested item's marshaling over gathering the items first.
#[cfg(not(Py_GIL_DISABLED))]
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

/// A list of `len` items, each made by `item(index)`. Without the GIL,
/// another thread's `gc.get_objects()` can stop this one at any of the many
/// points where the Python code `item` runs lets it, and would find a list
/// with NULL slots there: so the items are gathered first, and `PyList::new`
/// makes and fills the list in one go, running no Python code in between.
#[cfg(Py_GIL_DISABLED)]
pub(crate) fn build_list<'py, E>(
    py: Python<'py>,
    len: usize,
    mut item: impl FnMut(usize) -> Result<Bound<'py, PyAny>, E>,
) -> Result<Bound<'py, PyList>, E>
where
    E: From<PyErr>,
{
    let mut items = Vec::with_capacity(len);
    for index in 0..len {
        items.push(item(index)?);
    }
    Ok(PyList::new(py, items)?)
}

#[cfg(not(Py_GIL_DISABLED))]
thread_local! {
    /// The one-element argument tuple `new_decimal` passes to
    /// `Decimal.__new__`, reused: building and freeing a tuple per number
    /// costs a tenth of the construction. Per thread, so that no other
    /// thread can see it while its item is swapped, GIL or not.
    static DECIMAL_ARGS: std::cell::RefCell<Option<Py<PyTuple>>> =
        const { std::cell::RefCell::new(None) };
}

/// `decimal(text)`, where `decimal` is `decimal.Decimal`. Calls the type's
/// `tp_new` slot directly: that is all `Decimal(...)` does (its `__init__`
/// is `object`'s), minus the generic call machinery, which costs as much
/// again as parsing short text.
#[cfg(not(Py_GIL_DISABLED))]
pub(crate) fn new_decimal<'py>(
    decimal: &Bound<'py, PyType>,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = text.py();
    let ty = decimal.as_ptr().cast::<ffi::PyTypeObject>();
    // SAFETY: `ty` is the live Decimal type, kept alive by `decimal`.
    let Some(new) = (unsafe { (*ty).tp_new }) else {
        return decimal.call1((text,));
    };
    DECIMAL_ARGS.with(|cell| {
        // Busy only when a finalizer run during the outer call is itself
        // deserializing: it gets a tuple of its own.
        let Ok(mut slot) = cell.try_borrow_mut() else {
            let args = PyTuple::new(py, [text])?;
            // SAFETY: as below, with a fresh tuple.
            return unsafe {
                Bound::from_owned_ptr_or_err(py, new(ty, args.as_ptr(), std::ptr::null_mut()))
            };
        };
        let args = match slot.as_ref() {
            // SAFETY: reading the reference count of a live object.
            Some(args) if unsafe { ffi::Py_REFCNT(args.as_ptr()) } == 1 => args.bind(py),
            // First use on this thread, or someone else now holds the
            // tuple (gc.get_referrers, say): start a new one.
            _ => slot
                .insert(PyTuple::new(py, [py.None()])?.unbind())
                .bind(py),
        };
        // SAFETY: only this thread can reach `args`, and nothing outside
        // holds a reference to it (checked above), so swapping its item
        // is unobservable; the item is owned by the tuple throughout and
        // the placeholder is put back before returning. tp_new takes the
        // type, an args tuple and NULL kwargs, and returns a new
        // reference or NULL with an exception set.
        unsafe {
            let args = args.as_ptr();
            let placeholder = ffi::PyTuple_GET_ITEM(args, 0);
            ffi::PyTuple_SET_ITEM(args, 0, text.clone().into_ptr());
            let out = new(ty, args, std::ptr::null_mut());
            let used = ffi::PyTuple_GET_ITEM(args, 0);
            ffi::PyTuple_SET_ITEM(args, 0, placeholder);
            ffi::Py_DECREF(used);
            Bound::from_owned_ptr_or_err(py, out)
        }
    })
}

/// `decimal(text)`, where `decimal` is `decimal.Decimal`, by its `tp_new`
/// slot as with the GIL, but on a new argument tuple each time: the GIL
/// build's reused tuple relies on no other thread seeing its item swapped,
/// and without the GIL another thread's `gc.get_objects()` can look at any
/// moment.
#[cfg(Py_GIL_DISABLED)]
pub(crate) fn new_decimal<'py>(
    decimal: &Bound<'py, PyType>,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = text.py();
    let ty = decimal.as_ptr().cast::<ffi::PyTypeObject>();
    // SAFETY: `ty` is the live Decimal type, kept alive by `decimal`;
    // CPython's own `type_call` reads `tp_new` without a lock too (and the C
    // `Decimal` is an immutable type, whose slots never change).
    let Some(new) = (unsafe { (*ty).tp_new }) else {
        return decimal.call1((text,));
    };
    let args = PyTuple::new(py, [text])?;
    // SAFETY: tp_new takes the type, an args tuple (owned here for the
    // whole call) and NULL kwargs, and returns a new reference or NULL with
    // an exception set, which `from_owned_ptr_or_err` turns into an error.
    unsafe { Bound::from_owned_ptr_or_err(py, new(ty, args.as_ptr(), std::ptr::null_mut())) }
}

/// `object.__setattr__(obj, name, value)`: sets an attribute through the
/// generic machinery (slot descriptors, `__dict__`), past a class's own
/// `__setattr__`. For building instances of classes that refuse assignment
/// once built (`uuid.UUID`), exactly as their `__setstate__` does.
pub(crate) fn generic_setattr(
    obj: &Bound<'_, PyAny>,
    name: &Bound<'_, PyString>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    // SAFETY: three live objects; PyObject_GenericSetAttr takes borrowed
    // references, returns 0 or -1 with an exception set, and is safe on
    // free-threaded builds (it locks the object's dict or uses the slot).
    if unsafe { ffi::PyObject_GenericSetAttr(obj.as_ptr(), name.as_ptr(), value.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(obj.py()))
    }
}
