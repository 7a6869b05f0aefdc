//! The one error type of the core. The bindings crate turns each variant into
//! the matching Python exception of `dynamorm.errors`.

use thiserror::Error;

/// Everything the core can reject. Messages name the field, operation or
/// position at fault; they are shown to users unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CoreError {
    /// Bad input caught before any request (`dynamorm.errors.ValidationError`).
    #[error("{0}")]
    Validation(String),
    /// A malformed or invalid expression (`dynamorm.errors.ExpressionError`).
    /// `position` is a byte offset into the expression text.
    #[error("{message}")]
    Expression { message: String, position: usize },
    /// An invalid model declaration (`dynamorm.errors.InvalidModelError`).
    #[error("{0}")]
    InvalidModel(String),
}

impl CoreError {
    /// Shorthand for [`CoreError::Validation`].
    pub fn validation(message: impl Into<String>) -> Self {
        CoreError::Validation(message.into())
    }

    /// Shorthand for [`CoreError::Expression`].
    pub fn expression(message: impl Into<String>, position: usize) -> Self {
        CoreError::Expression {
            message: message.into(),
            position,
        }
    }
}

/// Result alias used throughout the core.
pub type CoreResult<T> = Result<T, CoreError>;
