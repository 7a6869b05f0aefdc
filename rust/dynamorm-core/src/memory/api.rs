//! DynamoDB's JSON API over the store: one handler per operation, each
//! taking the request body and answering `(status, body)` as DynamoDB would.

use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::store::Store;

mod batch;
pub mod capacity;
mod expressions;
mod read;
mod request;
mod tables;
mod transact;
mod write;

use request::Request;

/// The operations the store answers.
pub const OPERATIONS: [&str; 17] = [
    "CreateTable",
    "DeleteTable",
    "DescribeTable",
    "ListTables",
    "UpdateTable",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
];

/// Answers one request: `operation` is the name after `DynamoDB_20120810.`
/// in `X-Amz-Target`, `body` the JSON request body.
pub fn handle(store: &mut Store, operation: &str, body: &[u8]) -> (u16, Vec<u8>) {
    match answer(store, operation, body) {
        Ok(bytes) => (200, bytes),
        Err(err) => (
            err.status(),
            serde_json::to_vec(&err.body()).unwrap_or_default(),
        ),
    }
}

fn answer(store: &mut Store, operation: &str, body: &[u8]) -> ApiResult<Vec<u8>> {
    let parsed: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|err| {
            ApiError::new(
                "SerializationException",
                format!("Malformed request body: {err}"),
            )
        })?
    };
    let request = Request::of(&parsed)?;
    let value = match operation {
        "Query" => return read::query(store, &request),
        "Scan" => return read::scan(store, &request),
        "TransactWriteItems" => return transact::transact_write(store, &request, &parsed),
        "GetItem" => read::get_item(store, &request)?,
        "PutItem" => write::single(store, &request, "Put")?,
        "UpdateItem" => write::single(store, &request, "Update")?,
        "DeleteItem" => write::single(store, &request, "Delete")?,
        "BatchGetItem" => batch::batch_get(store, &request)?,
        "BatchWriteItem" => batch::batch_write(store, &request)?,
        "TransactGetItems" => transact::transact_get(store, &request)?,
        "CreateTable" => tables::create_table(store, &request)?,
        "DeleteTable" => tables::delete_table(store, &request)?,
        "DescribeTable" => tables::describe_table(store, &request)?,
        "ListTables" => tables::list_tables(store, &request)?,
        "UpdateTable" => tables::update_table(store, &request)?,
        "UpdateTimeToLive" => tables::update_ttl(store, &request)?,
        "DescribeTimeToLive" => tables::describe_ttl(store, &request)?,
        other => {
            return Err(ApiError::new(
                "UnknownOperationException",
                format!("The in-memory store does not implement the operation {other}"),
            ))
        }
    };
    serde_json::to_vec(&value).map_err(|e| ApiError::new("InternalServerError", e.to_string()))
}

#[cfg(test)]
mod tests;
