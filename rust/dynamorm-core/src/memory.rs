//! An in-process DynamoDB: tables, items and indexes held in memory, served
//! through DynamoDB's JSON API (`handle(operation, body)`), with conditions,
//! updates, filters and projections evaluated by the expression engine of
//! [`crate::expr`]. Tests run the library's own request building and answer
//! decoding against it, as against a server.

pub mod decimal;
pub mod error;
pub mod eval;
pub mod item;
