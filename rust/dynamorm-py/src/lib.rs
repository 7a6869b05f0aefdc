//! `dynamorm._core`: the thin PyO3 layer over `dynamorm-core`. It converts
//! values and exposes functions and classes; the rules live in the core crate.

use pyo3::prelude::*;

mod av;
mod cache;
mod cursor;
mod errors;
mod expr;
mod ffi;
mod keys;
mod marshal;
mod request;
mod schema;
mod shape;
mod sigv4;

/// The native module. Each submodule of this crate registers its own items.
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    marshal::register(m)?;
    expr::register(m)?;
    keys::register(m)?;
    cursor::register(m)?;
    schema::register(m)?;
    shape::register(m)?;
    request::register(m)?;
    sigv4::register(m)?;
    Ok(())
}
