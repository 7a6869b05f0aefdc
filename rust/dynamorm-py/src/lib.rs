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
mod memory;
mod request;
mod schema;
mod shape;
mod sigv4;

/// The native module. Each submodule of this crate registers its own items.
//
// `gil_used = true` on purpose: `ffi.rs` has a free-threaded
// (`cfg(Py_GIL_DISABLED)`) branch of every fast path that needs one, which
// `scripts/check-free-threaded.sh` compiles and lints and which has been
// reviewed, but no free-threaded interpreter is available to run the test
// suites on. So the module keeps asking for the GIL: a free-threaded
// interpreter re-enables the GIL when it imports the module (with a
// `RuntimeWarning`; `PYTHON_GIL=0` overrides that, at the user's risk),
// which is safe, only not parallel. Declare `gil_used = false` once the
// suites pass on a free-threaded interpreter, with threads.
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    marshal::register(m)?;
    memory::register(m)?;
    expr::register(m)?;
    keys::register(m)?;
    cursor::register(m)?;
    schema::register(m)?;
    shape::register(m)?;
    request::register(m)?;
    sigv4::register(m)?;
    Ok(())
}
