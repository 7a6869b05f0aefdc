//! What a field holds (its kind) and what the library does with it (roles).

use crate::error::{CoreError, CoreResult};

/// The element type of a set field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetElement {
    Str,
    Int,
    Float,
    Decimal,
    Bytes,
}

impl SetElement {
    /// The DynamoDB set that holds these elements: `SS`, `NS` or `BS`.
    pub fn set_tag(self) -> &'static str {
        match self {
            SetElement::Str => "SS",
            SetElement::Bytes => "BS",
            SetElement::Int | SetElement::Float | SetElement::Decimal => "NS",
        }
    }

    /// The Python type of the elements, as messages name it.
    pub fn type_name(self) -> &'static str {
        match self {
            SetElement::Str => "str",
            SetElement::Int => "int",
            SetElement::Float => "float",
            SetElement::Decimal => "Decimal",
            SetElement::Bytes => "bytes",
        }
    }
}

/// The kind of value a field holds, as `dynamorm.typeinfo` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Str,
    Int,
    Float,
    Decimal,
    Bool,
    Bytes,
    Datetime,
    Set(SetElement),
    List,
    Dict,
    Dataclass,
    Any,
    /// Any other type (dates, UUIDs, enums, typed containers, ...): the
    /// bindings follow the field's type tree.
    Tree,
}

impl FieldKind {
    /// The kind named `kind` (`"str"`, `"set"`, ...); a set needs its
    /// `element` kind.
    pub fn parse(kind: &str, element: Option<&str>) -> CoreResult<Self> {
        Ok(match kind {
            "str" => FieldKind::Str,
            "int" => FieldKind::Int,
            "float" => FieldKind::Float,
            "decimal" => FieldKind::Decimal,
            "bool" => FieldKind::Bool,
            "bytes" => FieldKind::Bytes,
            "datetime" => FieldKind::Datetime,
            "list" => FieldKind::List,
            "dict" => FieldKind::Dict,
            "dataclass" => FieldKind::Dataclass,
            "any" => FieldKind::Any,
            "tree" => FieldKind::Tree,
            "set" => FieldKind::Set(match element {
                Some("str") => SetElement::Str,
                Some("int") => SetElement::Int,
                Some("float") => SetElement::Float,
                Some("decimal") => SetElement::Decimal,
                Some("bytes") => SetElement::Bytes,
                other => {
                    return Err(CoreError::InvalidModel(format!(
                        "a set field needs an element kind of str, int, float, decimal or \
                         bytes, got {other:?}"
                    )))
                }
            }),
            other => {
                return Err(CoreError::InvalidModel(format!(
                    "unknown field kind {other:?}"
                )))
            }
        })
    }
}

/// The roles of a field, as bit flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles(u8);

impl Roles {
    pub const PK: Roles = Roles(1);
    pub const SK: Roles = Roles(2);
    pub const VERSION: Roles = Roles(4);
    pub const TTL: Roles = Roles(8);
    pub const CREATED_AT: Roles = Roles(16);
    pub const UPDATED_AT: Roles = Roles(32);

    const NAMES: [(&'static str, Roles); 6] = [
        ("pk", Roles::PK),
        ("sk", Roles::SK),
        ("version", Roles::VERSION),
        ("ttl", Roles::TTL),
        ("created_at", Roles::CREATED_AT),
        ("updated_at", Roles::UPDATED_AT),
    ];

    /// The roles named in `names`.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> CoreResult<Self> {
        let mut roles = Roles::default();
        for name in names {
            let Some((_, role)) = Self::NAMES.iter().find(|(n, _)| *n == name) else {
                return Err(CoreError::InvalidModel(format!(
                    "unknown field role {name:?}; expected one of pk, sk, version, ttl, \
                     created_at, updated_at"
                )));
            };
            roles = roles.with(*role);
        }
        Ok(roles)
    }

    /// These roles plus `other`.
    pub fn with(self, other: Roles) -> Roles {
        Roles(self.0 | other.0)
    }

    /// True when every role of `other` is here.
    pub fn has(self, other: Roles) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// True when any role of `other` is here.
    pub fn any(self, other: Roles) -> bool {
        self.0 & other.0 != 0
    }

    /// True when the field has no role.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `pk` or `sk`.
    pub fn is_key(self) -> bool {
        self.any(Roles::PK.with(Roles::SK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_name() {
        assert_eq!(FieldKind::parse("str", None).unwrap(), FieldKind::Str);
        assert_eq!(
            FieldKind::parse("set", Some("decimal")).unwrap(),
            FieldKind::Set(SetElement::Decimal)
        );
        assert!(FieldKind::parse("set", None).is_err());
        assert!(FieldKind::parse("complex", None).is_err());
    }

    #[test]
    fn set_elements_name_their_set_and_type() {
        assert_eq!(SetElement::Str.set_tag(), "SS");
        assert_eq!(SetElement::Bytes.set_tag(), "BS");
        for number in [SetElement::Int, SetElement::Float, SetElement::Decimal] {
            assert_eq!(number.set_tag(), "NS");
        }
        assert_eq!(SetElement::Decimal.type_name(), "Decimal");
    }

    #[test]
    fn roles_combine() {
        let roles = Roles::parse(["pk", "ttl"]).unwrap();
        assert!(roles.has(Roles::PK) && roles.has(Roles::TTL) && roles.is_key());
        assert!(!roles.has(Roles::SK) && !roles.is_empty());
        assert!(Roles::parse(["sk"]).unwrap().is_key());
        assert!(!Roles::parse(["version"]).unwrap().is_key());
        assert!(Roles::default().is_empty());
        assert!(Roles::parse(["owner"]).is_err());
    }
}
