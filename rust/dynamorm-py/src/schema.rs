//! Bindings for compiled model schemas (item codec).

use pyo3::prelude::*;

/// Adds this module's functions and classes to `dynamorm._core`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
