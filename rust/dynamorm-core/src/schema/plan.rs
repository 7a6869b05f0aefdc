//! The encoding rules of SPEC §2, decided once per field.
//!
//! The order of the checks matters and is the reference codec's
//! (`dynamorm.codec.ReferenceCodec`): `omit_empty` first, then what `None`
//! means, then `json`, the TTL role, timestamps, `binary`, sets, nested
//! dataclasses and finally the plain kinds.

use super::kind::{FieldKind, Roles, SetElement};
use crate::error::{CoreError, CoreResult};

/// One declared field, as the model layer describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDecl {
    /// The Python attribute name.
    pub name: String,
    /// The stored attribute name.
    pub attr: String,
    pub kind: FieldKind,
    /// The annotation allows `None` (`X | None`).
    pub optional: bool,
    pub roles: Roles,
    /// The field is a key of some secondary index.
    pub index_key: bool,
    pub omit_empty: bool,
    pub json: bool,
    pub binary: bool,
}

/// What a `None` value becomes on write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenNone {
    /// A table key must have a value: `ValidationError`.
    Fail,
    /// Left out: index keys (DynamoDB rejects a `NULL` index key) and
    /// library-owned fields not yet written.
    Omit,
    /// Written as `{"NULL": true}`.
    Null,
}

/// The Python types a plain scalar field accepts (`bool` is never accepted
/// where a number is expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarCheck {
    /// `str`.
    Str,
    /// `int`.
    Int,
    /// `float` or `int`.
    Float,
    /// `Decimal` or `int`.
    Decimal,
    /// `bool`.
    Bool,
    /// `bytes`, `bytearray` or `memoryview`.
    Bytes,
}

/// How a non-empty, non-`None` value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// `S`: deterministic JSON text (sorted keys, no spaces, UTF-8).
    Json,
    /// `N`: Unix epoch seconds of a `datetime` (floored), or an `int`.
    Ttl,
    /// `S`: RFC 3339 in UTC with 9 fraction digits.
    Timestamp,
    /// `B`: bytes as they are, `str` as UTF-8.
    Binary,
    /// A DynamoDB set; an empty set (any falsy value) is written as `NULL`.
    Set,
    /// `M` of the dataclass's fields, `None` fields left out.
    Dataclass,
    /// The value's own marshaling after a type check.
    Checked(ScalarCheck),
    /// The value's own marshaling, unchecked (`list`, `dict`, `Any`).
    Plain,
    /// By the field's type tree.
    Tree,
}

/// How a stored attribute (not missing, not `NULL`) is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// `S` holding JSON text.
    Json,
    /// `N` epoch seconds as a UTC `datetime` (`as_datetime`) or an `int`.
    Ttl { as_datetime: bool },
    /// `S` holding an RFC 3339 timestamp, as an aware UTC `datetime`.
    Timestamp,
    /// `B` decoded as UTF-8.
    BinaryStr,
    /// A number as `float`.
    Float,
    /// `N` text as `Decimal`, exactly as stored.
    Decimal,
    /// A number that must be integral, as `int`.
    Int,
    /// A set, its numbers as the declared element type.
    Set(SetElement),
    /// `M` passed to the dataclass's constructor.
    Dataclass,
    /// The attribute's own unmarshaling.
    Plain,
    /// By the field's type tree.
    Tree,
}

/// Everything the codec needs to know to write and read one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPlan {
    pub when_none: WhenNone,
    /// A stored `NULL` reads back as an empty set rather than `None`: a
    /// set field that does not allow `None` wrote its empty set as `NULL`.
    pub null_is_empty_set: bool,
    pub omit_empty: bool,
    pub write: Write,
    pub read: Read,
}

impl FieldDecl {
    /// The field's plan; `InvalidModel` for option combinations the model
    /// layer would also refuse.
    pub fn plan(&self) -> CoreResult<FieldPlan> {
        self.check()?;
        let when_none = if self.roles.is_key() {
            WhenNone::Fail
        } else if self.index_key || !self.roles.is_empty() {
            WhenNone::Omit
        } else {
            WhenNone::Null
        };
        Ok(FieldPlan {
            when_none,
            null_is_empty_set: matches!(self.kind, FieldKind::Set(_))
                && !self.optional
                && !self.json,
            omit_empty: self.omit_empty,
            write: self.write(),
            read: self.read(),
        })
    }

    fn write(&self) -> Write {
        if self.json {
            return Write::Json;
        }
        if self.roles.has(Roles::TTL) {
            return Write::Ttl;
        }
        match self.kind {
            FieldKind::Datetime => Write::Timestamp,
            _ if self.binary => Write::Binary,
            FieldKind::Set(_) => Write::Set,
            FieldKind::Dataclass => Write::Dataclass,
            FieldKind::Str => Write::Checked(ScalarCheck::Str),
            FieldKind::Int => Write::Checked(ScalarCheck::Int),
            FieldKind::Float => Write::Checked(ScalarCheck::Float),
            FieldKind::Decimal => Write::Checked(ScalarCheck::Decimal),
            FieldKind::Bool => Write::Checked(ScalarCheck::Bool),
            FieldKind::Bytes => Write::Checked(ScalarCheck::Bytes),
            FieldKind::List | FieldKind::Dict | FieldKind::Any => Write::Plain,
            FieldKind::Tree => Write::Tree,
        }
    }

    fn read(&self) -> Read {
        if self.json {
            return Read::Json;
        }
        if self.roles.has(Roles::TTL) {
            return Read::Ttl {
                as_datetime: self.kind == FieldKind::Datetime,
            };
        }
        match self.kind {
            FieldKind::Datetime => Read::Timestamp,
            FieldKind::Str if self.binary => Read::BinaryStr,
            FieldKind::Float => Read::Float,
            FieldKind::Decimal => Read::Decimal,
            FieldKind::Int => Read::Int,
            FieldKind::Set(element) => Read::Set(element),
            FieldKind::Dataclass => Read::Dataclass,
            FieldKind::Tree => Read::Tree,
            _ => Read::Plain,
        }
    }

    fn check(&self) -> CoreResult<()> {
        let fail = |reason: &str| {
            Err(CoreError::InvalidModel(format!(
                "field {:?}: {reason}",
                self.name
            )))
        };
        if self.attr.is_empty() {
            return fail("attr must not be empty");
        }
        if self.json && self.binary {
            return fail("cannot be both json and binary");
        }
        if self.binary && !matches!(self.kind, FieldKind::Str | FieldKind::Bytes) {
            return fail("binary=True needs a bytes or str field");
        }
        if self.roles.has(Roles::TTL) && !matches!(self.kind, FieldKind::Datetime | FieldKind::Int)
        {
            return fail("is a TTL field, so it must be datetime or int");
        }
        if self.roles.any(Roles::CREATED_AT.with(Roles::UPDATED_AT))
            && self.kind != FieldKind::Datetime
        {
            return fail("is a timestamp field, so it must be datetime");
        }
        if self.roles.has(Roles::VERSION) && self.kind != FieldKind::Int {
            return fail("is a version field, so it must be int");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(kind: FieldKind) -> FieldDecl {
        FieldDecl {
            name: "f".into(),
            attr: "f".into(),
            kind,
            optional: false,
            roles: Roles::default(),
            index_key: false,
            omit_empty: false,
            json: false,
            binary: false,
        }
    }

    #[test]
    fn none_is_an_error_for_table_keys_left_out_for_index_keys_and_roles() {
        let mut d = decl(FieldKind::Str);
        assert_eq!(d.plan().unwrap().when_none, WhenNone::Null);
        d.index_key = true;
        assert_eq!(d.plan().unwrap().when_none, WhenNone::Omit);
        d.roles = Roles::SK;
        assert_eq!(d.plan().unwrap().when_none, WhenNone::Fail);
        let mut v = decl(FieldKind::Int);
        v.roles = Roles::VERSION;
        assert_eq!(v.plan().unwrap().when_none, WhenNone::Omit);
    }

    #[test]
    fn json_wins_over_every_other_rule() {
        let mut d = decl(FieldKind::Datetime);
        d.json = true;
        d.roles = Roles::TTL;
        let plan = d.plan().unwrap();
        assert_eq!((plan.write, plan.read), (Write::Json, Read::Json));
    }

    #[test]
    fn ttl_timestamps_binary_and_sets_have_their_own_rules() {
        let mut ttl = decl(FieldKind::Datetime);
        ttl.roles = Roles::TTL;
        let plan = ttl.plan().unwrap();
        assert_eq!(plan.write, Write::Ttl);
        assert_eq!(plan.read, Read::Ttl { as_datetime: true });
        let mut created = decl(FieldKind::Datetime);
        created.roles = Roles::CREATED_AT;
        assert_eq!(created.plan().unwrap().read, Read::Timestamp);
        let mut bin = decl(FieldKind::Str);
        bin.binary = true;
        let plan = bin.plan().unwrap();
        assert_eq!((plan.write, plan.read), (Write::Binary, Read::BinaryStr));
        let mut raw = decl(FieldKind::Bytes);
        raw.binary = true;
        assert_eq!(raw.plan().unwrap().read, Read::Plain);
        let set = decl(FieldKind::Set(SetElement::Float)).plan().unwrap();
        assert_eq!(
            (set.write, set.read),
            (Write::Set, Read::Set(SetElement::Float))
        );
    }

    #[test]
    fn scalars_are_type_checked_containers_are_not() {
        let int = decl(FieldKind::Int).plan().unwrap();
        assert_eq!(
            (int.write, int.read),
            (Write::Checked(ScalarCheck::Int), Read::Int)
        );
        let list = decl(FieldKind::List).plan().unwrap();
        assert_eq!((list.write, list.read), (Write::Plain, Read::Plain));
        let dc = decl(FieldKind::Dataclass).plan().unwrap();
        assert_eq!((dc.write, dc.read), (Write::Dataclass, Read::Dataclass));
    }

    #[test]
    fn contradictory_options_are_invalid_models() {
        let mut both = decl(FieldKind::Str);
        both.json = true;
        both.binary = true;
        assert!(matches!(both.plan(), Err(CoreError::InvalidModel(m)) if m.contains("\"f\"")));
        let mut bin = decl(FieldKind::Int);
        bin.binary = true;
        assert!(bin.plan().is_err());
        let mut ttl = decl(FieldKind::Str);
        ttl.roles = Roles::TTL;
        assert!(ttl.plan().is_err());
        let mut version = decl(FieldKind::Float);
        version.roles = Roles::VERSION;
        assert!(version.plan().is_err());
        let mut empty = decl(FieldKind::Str);
        empty.attr.clear();
        assert!(empty.plan().is_err());
    }
}
