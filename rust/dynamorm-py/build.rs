//! Hands PyO3's interpreter cfgs (`Py_3_13`, `Py_GIL_DISABLED`, ...) to this
//! crate, so that `src/ffi.rs` can branch on a free-threaded target; the
//! `rustc-check-cfg` lines it prints also declare them to `unexpected_cfgs`.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
