//! Failures that know where they happened.
//!
//! The path of a nested value (`item['profile']['tags'][2]`) is only needed
//! when something goes wrong, so it is not built on the way down: each level
//! adds its own segment to the failure as it travels back up.

use pyo3::prelude::*;

use crate::errors;

/// One step into a nested value.
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// Why marshaling stopped. Boxed so that `MResult<Bound<..>>` is two words
/// and comes back in registers: every level of a nested value returns one.
pub(crate) struct Fail(Box<Failure>);

/// What a [`Fail`] holds.
pub(crate) enum Failure {
    /// Bad input: a `ValidationError` whose message is `"{path}: {reason}"`.
    /// `rev_path` holds the segments innermost first.
    Invalid {
        reason: String,
        rev_path: Vec<Segment>,
    },
    /// A Python exception raised while looking at the input; passed on as is.
    Py(PyErr),
}

pub(crate) type MResult<T> = Result<T, Fail>;

impl From<PyErr> for Fail {
    #[cold]
    fn from(err: PyErr) -> Self {
        Fail(Box::new(Failure::Py(err)))
    }
}

impl Fail {
    /// Bad input at the current position.
    #[cold]
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Fail(Box::new(Failure::Invalid {
            reason: reason.into(),
            rev_path: Vec::new(),
        }))
    }

    /// The failure happened under map key `key`.
    #[cold]
    pub(crate) fn at_key(mut self, key: &str) -> Self {
        if let Failure::Invalid { rev_path, .. } = &mut *self.0 {
            rev_path.push(Segment::Key(key.to_owned()));
        }
        self
    }

    /// The failure happened at list position `index`.
    #[cold]
    pub(crate) fn at_index(mut self, index: usize) -> Self {
        if let Failure::Invalid { rev_path, .. } = &mut *self.0 {
            rev_path.push(Segment::Index(index));
        }
        self
    }

    /// The Python exception, with `root` naming the outermost value.
    #[cold]
    pub(crate) fn into_pyerr(self, root: &str) -> PyErr {
        match *self.0 {
            Failure::Py(err) => err,
            Failure::Invalid { reason, rev_path } => {
                let mut path = String::from(root);
                for segment in rev_path.iter().rev() {
                    match segment {
                        Segment::Key(key) => push_key(&mut path, key),
                        Segment::Index(index) => {
                            path.push('[');
                            path.push_str(&index.to_string());
                            path.push(']');
                        }
                    }
                }
                errors::validation(format!("{path}: {reason}"))
            }
        }
    }
}

/// Appends `['key']`, quoted the way Python's `repr` would quote it.
fn push_key(path: &mut String, key: &str) {
    let quote = if key.contains('\'') && !key.contains('"') {
        '"'
    } else {
        '\''
    };
    path.push('[');
    path.push(quote);
    for c in key.chars() {
        if c == quote || c == '\\' {
            path.push('\\');
        }
        path.push(c);
    }
    path.push(quote);
    path.push(']');
}

/// `module.QualName` of a value's type, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    let ty = value.get_type();
    ty.fully_qualified_name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "<unknown type>".to_owned())
}
