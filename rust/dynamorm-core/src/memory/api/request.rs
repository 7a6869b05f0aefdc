//! Reading a request body's members, with DynamoDB's messages for members of
//! the wrong type or out of range.

use serde_json::{Map, Value};

use crate::memory::error::{ApiError, ApiResult};

/// A request body: a JSON object.
pub struct Request<'a>(pub &'a Map<String, Value>);

impl<'a> Request<'a> {
    /// The body read as an object.
    pub fn of(body: &'a Value) -> ApiResult<Request<'a>> {
        body.as_object().map(Request).ok_or_else(|| {
            ApiError::new(
                "SerializationException",
                "Start of structure or map found where not expected",
            )
        })
    }

    /// A member, if present and not null.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A required string member.
    pub fn string(&self, name: &str) -> ApiResult<&'a str> {
        self.opt_string(name)?.ok_or_else(|| missing(name))
    }

    /// An optional string member.
    pub fn opt_string(&self, name: &str) -> ApiResult<Option<&'a str>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong_type(name, "string")),
        }
    }

    /// An optional boolean member.
    pub fn opt_bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong_type(name, "boolean")),
        }
    }

    /// An optional integer member.
    pub fn opt_int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(name, "integer")),
        }
    }

    /// An optional object member.
    pub fn opt_object(&self, name: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(wrong_type(name, "map")),
        }
    }

    /// A required object member.
    pub fn object(&self, name: &str) -> ApiResult<&'a Map<String, Value>> {
        self.opt_object(name)?.ok_or_else(|| missing(name))
    }

    /// An optional list member.
    pub fn opt_list(&self, name: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(v)) => Ok(Some(v)),
            Some(_) => Err(wrong_type(name, "list")),
        }
    }

    /// A required list member.
    pub fn list(&self, name: &str) -> ApiResult<&'a Vec<Value>> {
        self.opt_list(name)?.ok_or_else(|| missing(name))
    }

    /// An optional member that must be one of `allowed`.
    pub fn opt_enum(&self, name: &str, allowed: &[&str]) -> ApiResult<Option<&'a str>> {
        let Some(value) = self.opt_string(name)? else {
            return Ok(None);
        };
        if allowed.contains(&value) {
            Ok(Some(value))
        } else {
            Err(ApiError::validation(format!(
                "1 validation error detected: Value '{value}' at '{}' failed to satisfy \
                 constraint: Member must satisfy enum value set: [{}]",
                lower_first(name),
                allowed.join(", ")
            )))
        }
    }

    /// Refuses members of DynamoDB's legacy API, which the store does not
    /// implement, rather than ignoring them.
    pub fn refuse_legacy(&self, names: &[&str]) -> ApiResult<()> {
        match names.iter().find(|n| self.get(n).is_some()) {
            Some(name) => Err(ApiError::validation(format!(
                "The legacy parameter {name} is not supported by the in-memory store; \
                 use the expression parameters"
            ))),
            None => Ok(()),
        }
    }
}

/// DynamoDB's message for a required member that is missing.
pub fn missing(name: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{}' failed to satisfy constraint: \
         Member must not be null",
        lower_first(name)
    ))
}

fn wrong_type(name: &str, kind: &str) -> ApiError {
    ApiError::new(
        "SerializationException",
        format!("Unexpected value type for {name}: expected a {kind}"),
    )
}

/// `TableName` → `tableName`, as DynamoDB names members in messages.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
