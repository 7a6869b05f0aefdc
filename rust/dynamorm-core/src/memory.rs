//! An in-process DynamoDB: tables, items and indexes held in memory, served
//! through DynamoDB's JSON API (`handle(operation, body)`), with conditions,
//! updates, filters and projections evaluated by the expression engine of
//! [`crate::expr`]. Tests run the library's own request building and answer
//! decoding against it, as against a server.

pub mod api;
pub mod decimal;
pub mod error;
pub mod eval;
pub mod item;
pub mod store;

use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// A thread-safe in-memory DynamoDB: the store behind a lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<store::Store>,
}

impl MemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn state(&self) -> MutexGuard<'_, store::Store> {
        // A panic while the lock was held leaves no half-applied write
        // behind (writes are applied after every check), so the state is
        // still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Answers one request (see [`api::handle`]).
    pub fn handle(&self, operation: &str, body: &[u8]) -> (u16, Vec<u8>) {
        api::handle(&mut self.state(), operation, body)
    }

    /// Deletes the items whose TTL has passed at `now` (seconds since the
    /// epoch); returns how many.
    pub fn expire(&self, now: f64) -> usize {
        self.state().expire(now)
    }

    /// The stream records of `table` so far, oldest first, as a JSON list.
    pub fn stream_records(&self, table: &str) -> Vec<u8> {
        let state = self.state();
        let records = state.streams.get(table).cloned().unwrap_or_default();
        serde_json::to_vec(&Value::Array(records)).unwrap_or_default()
    }

    /// Sets the store's clock (`None`: the system clock).
    pub fn set_clock(&self, now: Option<f64>) {
        self.state().set_clock(now);
    }
}
