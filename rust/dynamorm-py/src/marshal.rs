//! Bindings for the marshal part of the core.

use pyo3::prelude::*;

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
