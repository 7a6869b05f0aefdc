//! The pure-Rust core of dynamorm.
//!
//! Everything here is a deterministic transform on data: expression parsing,
//! compiling and validation, the number and set rules of marshaling, batch-key
//! partitioning and the cursor codec. No I/O and no Python; the bindings crate
//! (`dynamorm-py`) exposes it as `dynamorm._core`.
#![forbid(unsafe_code)]

pub mod cursor;
pub mod error;
pub mod expr;
pub mod keys;
pub mod memory;
pub mod number;
pub mod schema;
pub mod shape;
pub mod sigv4;
pub mod value;

pub use error::{CoreError, CoreResult};
pub use value::AttributeValue;
