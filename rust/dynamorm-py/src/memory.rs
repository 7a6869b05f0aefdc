//! Bindings for the in-memory DynamoDB of the core (`dynamorm_core::memory`).

use dynamorm_core::memory::MemoryStore as Store;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// An in-process DynamoDB speaking DynamoDB's JSON API.
///
/// ``MemoryStore()`` starts empty, on the system clock. Thread-safe: every
/// call takes the store's lock, and ``handle`` releases the GIL while it
/// works.
#[pyclass(frozen, module = "dynamorm._core")]
pub struct MemoryStore {
    store: Store,
}

#[pymethods]
impl MemoryStore {
    #[new]
    fn new() -> Self {
        MemoryStore {
            store: Store::new(),
        }
    }

    /// Answers one request: ``operation`` is the name in ``X-Amz-Target``
    /// after ``DynamoDB_20120810.`` (``"PutItem"``), ``body`` the JSON
    /// request body. Returns ``(status, body)`` as DynamoDB would answer:
    /// 200 and the result, or 400 (500) and an error body with ``__type``
    /// and ``message``.
    fn handle<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        body: &[u8],
    ) -> (u16, Bound<'py, PyBytes>) {
        let (status, answer) = py.detach(|| self.store.handle(operation, body));
        (status, PyBytes::new(py, &answer))
    }

    /// Deletes every item whose TTL attribute is a number of seconds at or
    /// before ``now``, as DynamoDB's background sweep would (each deletion
    /// is a ``REMOVE`` stream record); returns how many.
    fn expire(&self, py: Python<'_>, now: f64) -> usize {
        py.detach(|| self.store.expire(now))
    }

    /// The stream records of ``table`` so far, oldest first, as a JSON list
    /// (``eventName``, ``dynamodb.Keys`` / ``NewImage`` / ``OldImage`` /
    /// ``SequenceNumber`` / ``SizeBytes`` / ``StreamViewType``); empty for
    /// a table without a stream.
    fn stream_records<'py>(&self, py: Python<'py>, table: &str) -> Bound<'py, PyBytes> {
        let records = py.detach(|| self.store.stream_records(table));
        PyBytes::new(py, &records)
    }

    /// Sets the store's clock to ``now`` (seconds since the epoch), which
    /// idempotency windows and timestamps read; ``None`` goes back to the
    /// system clock.
    #[pyo3(signature = (now))]
    fn set_clock(&self, now: Option<f64>) {
        self.store.set_clock(now);
    }

    fn __repr__(&self) -> String {
        "<MemoryStore>".to_owned()
    }
}

/// Adds this module's classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MemoryStore>()?;
    Ok(())
}
