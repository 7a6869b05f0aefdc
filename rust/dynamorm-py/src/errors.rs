//! Every Python exception the bindings raise is built here, so the error
//! policy at the boundary reads in one place:
//!
//! - bad input is a `dynamorm.errors` class (`ValidationError`,
//!   `ExpressionError`, `InvalidModelError`); the classes live in Python and
//!   are imported here, so `except dynamorm.errors.X` works for errors
//!   raised from Rust;
//! - "leave this one to botocore" is `fallback`, the private
//!   `dynamorm._core.Fallback` (a plain `Exception`, so no `except
//!   ValueError` mistakes it for bad input): the Python side catches it to
//!   take botocore's own path, and it never reaches users;
//! - a malformed answer from DynamoDB is a `ValueError` (`malformed`) that
//!   the Python side words as a `MalformedResponseError`;
//! - the built-in classes a Python container would raise in the same spot
//!   (`IndexError`, `RuntimeError`, `TypeError`) keep their usual meaning.

use dynamorm_core::CoreError;
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

pyo3::import_exception!(dynamorm.errors, ValidationError);
pyo3::import_exception!(dynamorm.errors, ExpressionError);
pyo3::import_exception!(dynamorm.errors, InvalidModelError);

pyo3::create_exception!(
    dynamorm._core,
    Fallback,
    pyo3::exceptions::PyException,
    "Private: input a fast path of the core does not take, which botocore's own \
     code handles. The library catches it and takes botocore's path; it is never \
     raised to users."
);

/// Bad input caught before any request: `dynamorm.errors.ValidationError`.
#[cold]
pub(crate) fn validation(message: impl Into<String>) -> PyErr {
    ValidationError::new_err(message.into())
}

/// A malformed expression: `dynamorm.errors.ExpressionError`, with the byte
/// `position` of the problem.
#[cold]
pub(crate) fn expression(message: impl Into<String>, position: usize) -> PyErr {
    ExpressionError::new_err((message.into(), position))
}

/// An invalid model declaration: `dynamorm.errors.InvalidModelError`.
#[cold]
pub(crate) fn invalid_model(message: impl Into<String>) -> PyErr {
    InvalidModelError::new_err(message.into())
}

/// Input a fast path does not take, which botocore's own code handles: the
/// caller takes botocore's path instead. `message` says why, for the debug
/// log.
#[cold]
pub(crate) fn fallback(message: impl Into<String>) -> PyErr {
    Fallback::new_err(message.into())
}

/// A DynamoDB answer that does not have the shape of its operation's answer
/// (`message` says where and what), or a shape description that is not one.
#[cold]
pub(crate) fn malformed(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// `TypeError`: a value of a type the code it reached cannot take.
#[cold]
pub(crate) fn type_error(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}

/// `IndexError`, as a list read past its end raises it.
#[cold]
pub(crate) fn index_error(message: impl Into<String>) -> PyErr {
    PyIndexError::new_err(message.into())
}

/// `RuntimeError`, as iterating a container changed meanwhile raises it.
#[cold]
pub(crate) fn runtime_error(message: impl Into<String>) -> PyErr {
    PyRuntimeError::new_err(message.into())
}

/// Converts a core error into the matching Python exception.
#[cold]
pub(crate) fn to_pyerr(err: CoreError) -> PyErr {
    match err {
        CoreError::Validation(message) => validation(message),
        CoreError::Expression { message, position } => expression(message, position),
        CoreError::InvalidModel(message) => invalid_model(message),
    }
}

/// Adds the exception classes created here to `dynamorm._core`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Fallback", m.py().get_type::<Fallback>())
}

/// `result.or_raise()?` in binding code: a core result as a `PyResult`.
pub(crate) trait OrRaise<T> {
    /// The value, or the core error as its Python exception.
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, CoreError> {
    #[inline]
    fn or_raise(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}
