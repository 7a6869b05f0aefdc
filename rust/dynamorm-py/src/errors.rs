//! Core errors become the Python exceptions of `dynamorm.errors`; the classes
//! live in Python and are imported here, so `except dynamorm.errors.X` works
//! for errors raised from Rust.

use dynamorm_core::CoreError;
use pyo3::prelude::*;

pyo3::import_exception!(dynamorm.errors, ValidationError);
pyo3::import_exception!(dynamorm.errors, ExpressionError);
pyo3::import_exception!(dynamorm.errors, InvalidModelError);

/// Converts a core error into the matching Python exception.
#[allow(dead_code)]
pub fn to_pyerr(err: CoreError) -> PyErr {
    match err {
        CoreError::Validation(message) => ValidationError::new_err(message),
        CoreError::Expression { message, position } => {
            ExpressionError::new_err((message, position))
        }
        CoreError::InvalidModel(message) => InvalidModelError::new_err(message),
    }
}

/// `result.py()?` in binding code: a core result as a `PyResult`.
#[allow(dead_code)]
pub trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, CoreError> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}
