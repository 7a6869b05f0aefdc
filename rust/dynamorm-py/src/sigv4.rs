//! Bindings for the Signature Version 4 signer of the core
//! (`dynamorm.transport.signing`).

use dynamorm_core::sigv4::{self, Payload, Request, Scope};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors;

/// `obj` as text; anything else is left to botocore's signer.
fn text<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a str> {
    let Ok(text) = obj.cast::<PyString>() else {
        return Err(errors::fallback(format!(
            "{name} is not a str: {}",
            obj.get_type()
        )));
    };
    text.to_str()
        .map_err(|err| errors::fallback(format!("{name}: {err}")))
}

/// The `Authorization` header value botocore's `SigV4Auth` would write for
/// this request, timestamp and credentials.
///
/// `path` and `query` are already canonical; `headers` are the request's
/// `(name, value)` pairs as it holds them; `host` is signed when they carry
/// no `Host`. Exactly one of `body` (hashed here) and `payload_hash` (used
/// as is) is given. Raises `Fallback` for what this signer leaves to
/// botocore's (non-ASCII headers, a malformed timestamp, arguments that are
/// not text or bytes).
#[pyfunction]
#[pyo3(signature = (
    method, path, query, headers, host, body, payload_hash,
    timestamp, access_key, secret_key, region, service,
))]
#[allow(clippy::too_many_arguments)]
fn sigv4_authorization(
    method: &Bound<'_, PyAny>,
    path: &Bound<'_, PyAny>,
    query: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    host: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    payload_hash: Option<&Bound<'_, PyAny>>,
    timestamp: &Bound<'_, PyAny>,
    access_key: &Bound<'_, PyAny>,
    secret_key: &Bound<'_, PyAny>,
    region: &Bound<'_, PyAny>,
    service: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let payload = match (body, payload_hash) {
        (Some(body), None) => match body.cast::<PyBytes>() {
            Ok(body) => Payload::Body(body.as_bytes()),
            Err(_) => return Err(errors::fallback("body is not bytes")),
        },
        (None, Some(hash)) => Payload::Hash(text(hash, "payload_hash")?),
        _ => {
            return Err(errors::fallback(
                "give exactly one of body and payload_hash",
            ))
        }
    };
    let headers: Vec<(String, String)> = headers
        .extract()
        .map_err(|err| errors::fallback(format!("headers: {err}")))?;
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let request = Request {
        method: text(method, "method")?,
        path: text(path, "path")?,
        query: text(query, "query")?,
        headers: &pairs,
        host: text(host, "host")?,
        payload,
    };
    let scope = Scope {
        timestamp: text(timestamp, "timestamp")?,
        access_key: text(access_key, "access_key")?,
        secret_key: text(secret_key, "secret_key")?,
        region: text(region, "region")?,
        service: text(service, "service")?,
    };
    sigv4::authorization(&request, &scope).map_err(|err| errors::fallback(err.to_string()))
}

/// Adds this module's functions to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sigv4_authorization, m)?)
}
