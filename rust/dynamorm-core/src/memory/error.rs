//! The errors the store answers with, as DynamoDB's JSON error bodies.

use serde_json::{json, Map, Value};

/// The prefix DynamoDB puts before every error code in `__type`.
const TYPE_PREFIX: &str = "com.amazonaws.dynamodb.v20120810#";

/// One error answer: DynamoDB's code (`"ValidationException"`), its message,
/// and members some errors carry (`Item`, `CancellationReasons`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
    pub extra: Map<String, Value>,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// A `ValidationException`.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError::new("ValidationException", message)
    }

    /// A `ValidationException` for invalid parameter values, worded as
    /// DynamoDB words them.
    pub fn invalid(message: impl std::fmt::Display) -> Self {
        ApiError::validation(format!(
            "One or more parameter values were invalid: {message}"
        ))
    }

    /// A `ResourceNotFoundException` for a table or index that does not exist.
    pub fn not_found() -> Self {
        ApiError::new("ResourceNotFoundException", "Requested resource not found")
    }

    /// The `ConditionalCheckFailedException` of a failed condition.
    pub fn condition_failed() -> Self {
        ApiError::new(
            "ConditionalCheckFailedException",
            "The conditional request failed",
        )
    }

    /// Adds a member to the error body.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.extra.insert(name.to_owned(), value);
        self
    }

    /// The HTTP status DynamoDB answers this error with.
    pub fn status(&self) -> u16 {
        match self.code {
            "InternalServerError" => 500,
            _ => 400,
        }
    }

    /// The JSON body: `{"__type": "com.amazonaws.dynamodb.v20120810#Code",
    /// "message": ..., ...extra}`.
    pub fn body(&self) -> Value {
        let mut body = Map::with_capacity(2 + self.extra.len());
        body.insert(
            "__type".to_owned(),
            json!(format!("{TYPE_PREFIX}{}", self.code)),
        );
        body.insert("message".to_owned(), json!(self.message));
        body.extend(self.extra.clone());
        Value::Object(body)
    }
}

/// Result alias for the store.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_prefixed_code_the_message_and_the_extra_members() {
        let err = ApiError::condition_failed().with("Item", json!({"pk": {"S": "a"}}));
        assert_eq!(err.status(), 400);
        assert_eq!(
            err.body(),
            json!({
                "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message": "The conditional request failed",
                "Item": {"pk": {"S": "a"}},
            })
        );
        assert_eq!(ApiError::new("InternalServerError", "x").status(), 500);
    }
}
