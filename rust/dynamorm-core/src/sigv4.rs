//! AWS Signature Version 4 for the library's own requests.
//!
//! The output is byte for byte what botocore's `SigV4Auth` writes into the
//! `Authorization` header for the same request, timestamp and credentials
//! (the Python side checks that once per process and differential tests
//! check it on generated requests). The Python caller hands over the
//! canonical path and query string (computed with botocore's own helpers),
//! the request headers as they are, and the payload or its hash.
//!
//! Header canonicalisation follows botocore exactly, including its quirks:
//! names are lowercased, duplicates keep their order and are joined with
//! `,`, runs of whitespace inside a value collapse to one space (Python's
//! `str.split` whitespace, which includes `\x0b` and `\x1c`–`\x1f`), and the
//! `SignedHeaders` list is made of the distinct lowercased names, each
//! stripped, then sorted. Non-ASCII names or values are refused (the caller
//! then signs with botocore) so no Unicode case or space rule can differ.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::{CoreError, CoreResult};

type HmacSha256 = Hmac<Sha256>;

/// Headers botocore leaves out of the signature (`SIGNED_HEADERS_BLACKLIST`).
const UNSIGNED_HEADERS: [&str; 14] = [
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Where the payload's hash comes from.
pub enum Payload<'a> {
    /// The body bytes, hashed here (an empty body has the empty string's hash).
    Body(&'a [u8]),
    /// A value used as is (`UNSIGNED-PAYLOAD`, or an `X-Amz-Content-SHA256` header).
    Hash(&'a str),
}

/// One request to sign.
pub struct Request<'a> {
    /// The HTTP method (uppercased here, as botocore does).
    pub method: &'a str,
    /// The canonical URI path, already normalised and quoted.
    pub path: &'a str,
    /// The canonical query string, already sorted and joined.
    pub query: &'a str,
    /// The headers as the request holds them (any case, duplicates allowed).
    pub headers: &'a [(&'a str, &'a str)],
    /// The `host` header to sign when the request carries none.
    pub host: &'a str,
    /// The payload, or its hash.
    pub payload: Payload<'a>,
}

/// Who signs, for what scope and when.
pub struct Scope<'a> {
    /// `YYYYMMDDTHHMMSSZ`, the value botocore puts in `X-Amz-Date`.
    pub timestamp: &'a str,
    /// The credentials' access key id.
    pub access_key: &'a str,
    /// The credentials' secret key.
    pub secret_key: &'a str,
    /// The signing region.
    pub region: &'a str,
    /// The signing name of the service (`dynamodb`).
    pub service: &'a str,
}

/// Python's `str.split()` whitespace, on ASCII.
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\x1c'..='\x1f'
    )
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The canonical headers block (without its trailing newline) and the
/// `SignedHeaders` value.
fn canonical_headers(request: &Request<'_>) -> CoreResult<(String, String)> {
    // (lowercased name, value) in request order, minus the unsigned ones.
    let mut signed: Vec<(String, &str)> = Vec::with_capacity(request.headers.len() + 1);
    for (name, value) in request.headers {
        if !name.is_ascii() || !value.is_ascii() {
            return Err(CoreError::Validation(format!(
                "header {name:?}: only ASCII headers are signed here"
            )));
        }
        let lower = name.to_ascii_lowercase();
        if !UNSIGNED_HEADERS.contains(&lower.as_str()) {
            signed.push((lower, value));
        }
    }
    if !signed.iter().any(|(name, _)| name == "host") {
        if !request.host.is_ascii() {
            return Err(CoreError::Validation(
                "host: only ASCII is signed here".into(),
            ));
        }
        signed.push(("host".to_owned(), request.host));
    }
    let mut names: Vec<&str> = signed.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    names.dedup();

    let mut block = String::with_capacity(256);
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            block.push('\n');
        }
        block.push_str(name);
        block.push(':');
        let mut first_value = true;
        for (_, value) in signed.iter().filter(|(n, _)| n == name) {
            if !first_value {
                block.push(',');
            }
            first_value = false;
            let mut first_word = true;
            for word in value.split(is_py_space).filter(|w| !w.is_empty()) {
                if !first_word {
                    block.push(' ');
                }
                first_word = false;
                block.push_str(word);
            }
        }
    }
    let mut stripped: Vec<&str> = names.iter().map(|n| n.trim_matches(is_py_space)).collect();
    stripped.sort_unstable();
    Ok((block, stripped.join(";")))
}

/// The canonical request and the `SignedHeaders` value.
pub fn canonical_request(request: &Request<'_>) -> CoreResult<(String, String)> {
    if !request.method.is_ascii() {
        return Err(CoreError::Validation(
            "method: only ASCII is signed here".into(),
        ));
    }
    let (headers, signed) = canonical_headers(request)?;
    let payload = match request.payload {
        Payload::Body(body) => sha256_hex(body),
        Payload::Hash(hash) => hash.to_owned(),
    };
    let method = request.method.to_ascii_uppercase();
    let text = [
        method.as_str(),
        request.path,
        request.query,
        &headers,
        "",
        &signed,
        &payload,
    ]
    .join("\n");
    Ok((text, signed))
}

/// The derived signing key for a date (`YYYYMMDD`), region and service.
pub fn signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret_key}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The `Authorization` header value for `request`, signed for `scope`.
pub fn authorization(request: &Request<'_>, scope: &Scope<'_>) -> CoreResult<String> {
    let date = scope.timestamp.get(..8).ok_or_else(|| {
        CoreError::Validation(format!(
            "timestamp {:?}: expected YYYYMMDDTHHMMSSZ",
            scope.timestamp
        ))
    })?;
    let (canonical, signed) = canonical_request(request)?;
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{credential_scope}\n{}",
        scope.timestamp,
        sha256_hex(canonical.as_bytes())
    );
    let key = signing_key(scope.secret_key, date, scope.region, scope.service);
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    Ok(format!(
        "AWS4-HMAC-SHA256 Credential={}/{credential_scope}, SignedHeaders={signed}, \
         Signature={signature}",
        scope.access_key
    ))
}

#[cfg(test)]
mod tests;
