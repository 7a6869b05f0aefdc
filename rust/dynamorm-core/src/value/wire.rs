//! One attribute value as it appears in DynamoDB's wire JSON (`{"S": "x"}`,
//! `{"B": "<base64>"}`, ...), read by a streaming response reader.
//!
//! Text borrows from the response body where it has no escapes, so the
//! common shapes cost no copy before they become something else. A value
//! that is not exactly one known tag is refused: the reader then leaves the
//! response to a reader that knows odd input (botocore, for the bindings).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde::Deserialize;

use super::Tag;

/// An attribute value as it appears on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Av<'de> {
    S(Cow<'de, str>),
    N(Cow<'de, str>),
    /// Base64 text, decoded by whoever needs the bytes.
    B(Cow<'de, str>),
    Bool(bool),
    Null,
    L(Vec<Av<'de>>),
    /// The members of a map, in wire order.
    M(Vec<(Cow<'de, str>, Av<'de>)>),
    Ss(Vec<Cow<'de, str>>),
    Ns(Vec<Cow<'de, str>>),
    /// Base64 texts.
    Bs(Vec<Cow<'de, str>>),
}

/// Text that borrows from the input when it can.
pub struct Text<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Av<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AvVisitor)
    }
}

struct AvVisitor;

impl<'de> Visitor<'de> for AvVisitor {
    type Value = Av<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute value with one type tag")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Av<'de>, A::Error> {
        let Some(tag) = map.next_key::<Text<'de>>()? else {
            return Err(A::Error::custom("an attribute value without a type tag"));
        };
        let Some(known) = Tag::parse(&tag.0) else {
            return Err(A::Error::custom(format!("unknown type tag {:?}", tag.0)));
        };
        let av = match known {
            Tag::S => Av::S(map.next_value::<Text<'de>>()?.0),
            Tag::N => Av::N(map.next_value::<Text<'de>>()?.0),
            Tag::B => Av::B(map.next_value::<Text<'de>>()?.0),
            Tag::Bool => Av::Bool(map.next_value()?),
            Tag::Null => {
                map.next_value::<bool>()?;
                Av::Null
            }
            Tag::L => Av::L(map.next_value()?),
            Tag::M => Av::M(map.next_value::<Members<'de>>()?.0),
            Tag::Ss => Av::Ss(texts(map.next_value()?)),
            Tag::Ns => Av::Ns(texts(map.next_value()?)),
            Tag::Bs => Av::Bs(texts(map.next_value()?)),
        };
        if map.next_key::<Text<'de>>()?.is_some() {
            return Err(A::Error::custom("an attribute value with two type tags"));
        }
        Ok(av)
    }
}

fn texts(list: Vec<Text<'_>>) -> Vec<Cow<'_, str>> {
    list.into_iter().map(|t| t.0).collect()
}

/// The members of an `M` value, in wire order.
struct Members<'de>(Vec<(Cow<'de, str>, Av<'de>)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<Text<'de>>()? {
                    out.push((name.0, map.next_value::<Av<'de>>()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Av<'_>, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn plain_text_borrows_from_the_body_and_escaped_text_is_copied() {
        let Av::S(text) = read(r#"{"S": "plain"}"#).unwrap() else {
            panic!("not S");
        };
        assert!(matches!(text, Cow::Borrowed("plain")));
        let Av::S(text) = read(r#"{"S": "a\nb"}"#).unwrap() else {
            panic!("not S");
        };
        assert!(matches!(text, Cow::Owned(ref s) if s == "a\nb"));
    }

    #[test]
    fn every_tag_is_read_with_its_payload() {
        let av = read(
            r#"{"M": {"s": {"S": "x"}, "n": {"N": "1.5"}, "b": {"B": "AA=="},
                "t": {"BOOL": true}, "z": {"NULL": true}, "l": {"L": [{"N": "1"}]},
                "ss": {"SS": ["a"]}, "ns": {"NS": ["2"]}, "bs": {"BS": ["AQ=="]}}}"#,
        )
        .unwrap();
        let Av::M(members) = av else {
            panic!("not M");
        };
        let names: Vec<&str> = members.iter().map(|(name, _)| name.as_ref()).collect();
        assert_eq!(names, ["s", "n", "b", "t", "z", "l", "ss", "ns", "bs"]);
        assert_eq!(members[1].1, Av::N("1.5".into()));
        assert_eq!(members[2].1, Av::B("AA==".into()));
        assert_eq!(members[3].1, Av::Bool(true));
        assert_eq!(members[4].1, Av::Null);
        assert_eq!(members[5].1, Av::L(vec![Av::N("1".into())]));
        assert_eq!(members[8].1, Av::Bs(vec!["AQ==".into()]));
    }

    #[test]
    fn a_value_that_is_not_exactly_one_known_tag_is_refused() {
        for json in [
            r#"{}"#,
            r#"{"X": "a"}"#,
            r#"{"s": "a"}"#,
            r#"{"S": "a", "N": "1"}"#,
            r#"{"S": 1}"#,
            r#"{"BOOL": "yes"}"#,
            r#"["S", "a"]"#,
        ] {
            assert!(read(json).is_err(), "{json}");
        }
    }
}
