//! Expression engine: lexer, parser, syntax tree, printer, compiler, validation.
//!
//! - [`parse`] turns text of any of DynamoDB's four expression kinds into a
//!   tree whose nodes carry byte spans; [`print`] turns a tree back into
//!   canonical text.
//! - [`validate`] checks raw text the way DynamoDB would (placeholders,
//!   unused entries, reserved words, overlapping update paths, key attributes)
//!   and reports the byte position of the problem.
//! - [`Compiler`] builds expressions from structured clauses with every name
//!   and value behind a generated placeholder, several expressions sharing
//!   one namespace.

pub mod ast;
pub mod clause;
pub mod compiler;
pub mod keycond;
pub mod lexer;
pub mod names;
pub mod parser;
pub mod pathspec;
pub mod printer;
pub mod reserved;
mod update;
pub mod validate;
mod visit;

pub use ast::{Expression, Kind, Span};
pub use clause::{Clause, ClauseValue, Operator, UpdateAction};
pub use compiler::{At, Compiler, Namespace};
pub use names::{NameList, Placeholders};
pub use parser::parse;
pub use pathspec::{split_path, PathInput, Segment};
pub use printer::print;
pub use reserved::{is_reserved, RESERVED_WORDS};
pub use validate::{validate, NameMap, ValueKeys};
