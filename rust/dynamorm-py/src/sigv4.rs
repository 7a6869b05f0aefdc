//! Bindings for the Signature Version 4 signer of the core (`dynamorm.signing`).

use dynamorm_core::sigv4::{self, Payload, Request, Scope};
use pyo3::prelude::*;

use crate::errors;

/// The `Authorization` header value botocore's `SigV4Auth` would write for
/// this request, timestamp and credentials.
///
/// `path` and `query` are already canonical; `headers` are the request's
/// `(name, value)` pairs as it holds them; `host` is signed when they carry
/// no `Host`. Exactly one of `body` (hashed here) and `payload_hash` (used
/// as is) is given. Raises `ValueError` for what this signer leaves to
/// botocore's (non-ASCII headers, a malformed timestamp).
#[pyfunction]
#[pyo3(signature = (
    method, path, query, headers, host, body, payload_hash,
    timestamp, access_key, secret_key, region, service,
))]
#[allow(clippy::too_many_arguments)]
fn sigv4_authorization(
    method: &str,
    path: &str,
    query: &str,
    headers: Vec<(String, String)>,
    host: &str,
    body: Option<&[u8]>,
    payload_hash: Option<&str>,
    timestamp: &str,
    access_key: &str,
    secret_key: &str,
    region: &str,
    service: &str,
) -> PyResult<String> {
    let payload = match (body, payload_hash) {
        (Some(body), None) => Payload::Body(body),
        (None, Some(hash)) => Payload::Hash(hash),
        _ => {
            return Err(errors::type_error(
                "give exactly one of body and payload_hash",
            ))
        }
    };
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let request = Request {
        method,
        path,
        query,
        headers: &pairs,
        host,
        payload,
    };
    let scope = Scope {
        timestamp,
        access_key,
        secret_key,
        region,
        service,
    };
    sigv4::authorization(&request, &scope).map_err(|err| errors::fallback(err.to_string()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sigv4_authorization, m)?)
}
