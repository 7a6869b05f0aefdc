//! The JSON shape of a service answer, checked in one pass over its raw
//! bytes before anything reads it.
//!
//! A successful (2xx) answer that is cut short, is not JSON, nests without
//! end or holds a member of the wrong type (a broken proxy, a faulty server)
//! must become one clear error rather than whatever the reader that meets it
//! first happens to raise — or, worse, an answer read as empty. A `Shape` is
//! compiled once per operation from the service model (the caller walks
//! botocore's output shape into `Node`s) and `Shape::check` says whether a
//! body fits it, and if not, where (`Items[3].pk.S`) and why.
//!
//! The rules follow what botocore's JSON parser needs of a body: structure
//! members it does not know are ignored, a `null` member is as good as
//! absent, but `null` list elements and map values are refused (nothing
//! downstream expects them); a union (an attribute value) has exactly one
//! member set; blobs are base64 text. Nesting is bounded by serde_json's
//! recursion limit (128), far deeper than DynamoDB's 32 levels of document.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use base64::Engine;
use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess,
    Unexpected, Visitor,
};

/// One shape of the service model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A JSON object: `(wire name, node)` per member; a `union` has exactly
    /// one member set (botocore's tagged unions, e.g. `AttributeValue`).
    Structure {
        members: Vec<(String, usize)>,
        union: bool,
    },
    /// A JSON array of one node.
    List(usize),
    /// A JSON object of string keys to one node.
    Map(usize),
    String,
    /// A JSON number without fraction or exponent.
    Integer,
    /// Any JSON number.
    Number,
    Boolean,
    /// Base64 text.
    Blob,
    /// A number (epoch seconds) or a string.
    Timestamp,
    /// Any JSON value (a document).
    Any,
}

/// An answer that does not fit its shape: where (`path`, empty for the body
/// as a whole) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A compiled output shape: the nodes and which one is the body.
#[derive(Clone, Debug)]
pub struct Shape {
    nodes: Vec<Node>,
    root: usize,
}

impl Shape {
    /// The shape whose body is `nodes[root]` (a structure); every index a
    /// node names must be in `nodes`.
    pub fn new(nodes: Vec<Node>, root: usize) -> Result<Self, String> {
        let in_range = |i: usize| i < nodes.len();
        for (i, node) in nodes.iter().enumerate() {
            let ok = match node {
                Node::Structure { members, .. } => members.iter().all(|&(_, m)| in_range(m)),
                Node::List(m) | Node::Map(m) => in_range(*m),
                _ => true,
            };
            if !ok {
                return Err(format!("shape node {i} names a node that does not exist"));
            }
        }
        match nodes.get(root) {
            Some(Node::Structure { .. }) => Ok(Shape { nodes, root }),
            _ => Err(format!("shape root {root} is not a structure")),
        }
    }

    /// Whether `body` fits the shape.
    pub fn check(&self, body: &[u8]) -> Result<(), Malformed> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Malformed {
                path: String::new(),
                message: "an empty body".to_owned(),
            });
        }
        let path = RefCell::new(Vec::new());
        let mut reader = serde_json::Deserializer::from_slice(body);
        let seed = Seed {
            shape: self,
            node: &self.nodes[self.root],
            nullable: false,
            path: &path,
        };
        seed.deserialize(&mut reader)
            .and_then(|_| reader.end())
            .map_err(|err| Malformed {
                path: render(&path.borrow()),
                message: err.to_string(),
            })
    }
}

enum Step {
    Member(String),
    Index(usize),
}

/// The path of `steps`, which were pushed innermost first as the error
/// unwound (so that a body that fits allocates nothing for paths).
fn render(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps.iter().rev() {
        match step {
            Step::Member(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// An object key, borrowed from the body when it has no escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

/// Checks one value against one node; yields whether it was non-null.
/// A failing child's step is added to `path` as the error unwinds.
struct Seed<'a> {
    shape: &'a Shape,
    node: &'a Node,
    nullable: bool,
    path: &'a RefCell<Vec<Step>>,
}

/// What a value the model does not describe is read as: anything, but
/// walked (not skipped) so that serde_json's recursion limit bounds it too.
static ANY: Node = Node::Any;

impl<'a> Seed<'a> {
    fn node(&self) -> &'a Node {
        self.node
    }

    fn child(&self, node: usize, nullable: bool) -> Self {
        self.with(&self.shape.nodes[node], nullable)
    }

    fn any(&self) -> Self {
        self.with(&ANY, true)
    }

    fn with(&self, node: &'a Node, nullable: bool) -> Self {
        Seed {
            shape: self.shape,
            node,
            nullable,
            path: self.path,
        }
    }

    fn at<T, E>(&self, step: impl FnOnce() -> Step, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() {
            self.path.borrow_mut().push(step());
        }
        result
    }

    fn scalar<E: serde::de::Error>(self, ok: bool, got: Unexpected<'_>) -> Result<bool, E> {
        if ok || matches!(self.node(), Node::Any) {
            Ok(true)
        } else {
            Err(E::invalid_type(got, &self))
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.node() {
            Node::Structure { union: true, .. } => "an object with one member set",
            Node::Structure { .. } | Node::Map(_) => "an object",
            Node::List(_) => "a list",
            Node::String => "a string",
            Node::Integer => "an integer",
            Node::Number => "a number",
            Node::Boolean => "a boolean",
            Node::Blob => "base64 text",
            Node::Timestamp => "a timestamp",
            Node::Any => "a value",
        })
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
        let ok = matches!(self.node(), Node::Boolean);
        self.scalar(ok, Unexpected::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<bool, E> {
        let ok = matches!(self.node(), Node::Integer | Node::Number | Node::Timestamp);
        self.scalar(ok, Unexpected::Signed(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<bool, E> {
        let ok = matches!(self.node(), Node::Integer | Node::Number | Node::Timestamp);
        self.scalar(ok, Unexpected::Unsigned(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<bool, E> {
        let ok = matches!(self.node(), Node::Number | Node::Timestamp);
        self.scalar(ok, Unexpected::Float(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        match self.node() {
            Node::Blob => match base64::engine::general_purpose::STANDARD.decode(v) {
                Ok(_) => Ok(true),
                Err(err) => Err(E::custom(format!("invalid base64 ({err})"))),
            },
            node => {
                let ok = matches!(node, Node::String | Node::Timestamp);
                self.scalar(ok, Unexpected::Str(v))
            }
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<bool, E> {
        if self.nullable || matches!(self.node(), Node::Any) {
            Ok(false)
        } else {
            Err(E::invalid_type(Unexpected::Unit, &self))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let member = match *self.node() {
            Node::List(member) => member,
            Node::Any => {
                while seq.next_element_seed(self.any())?.is_some() {}
                return Ok(true);
            }
            _ => return Err(A::Error::invalid_type(Unexpected::Seq, &self)),
        };
        let mut index = 0;
        loop {
            let next = seq.next_element_seed(self.child(member, false));
            if self.at(|| Step::Index(index), next)?.is_none() {
                return Ok(true);
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        match self.node() {
            Node::Structure { members, union } => {
                let mut set = 0;
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    let step = || Step::Member(name.as_ref().to_owned());
                    let Some(&(_, member)) = members.iter().find(|(n, _)| *n == name) else {
                        if *union && name != "__type" {
                            let unknown = Err(A::Error::custom("not a member this client knows"));
                            return self.at(step, unknown);
                        }
                        self.at(step, map.next_value_seed(self.any()))?;
                        continue;
                    };
                    if self.at(step, map.next_value_seed(self.child(member, true)))? {
                        set += 1;
                    }
                }
                if *union && set != 1 {
                    return Err(A::Error::custom(format!(
                        "{set} members set where there must be exactly one"
                    )));
                }
                Ok(true)
            }
            &Node::Map(value) => {
                while let Some(Name(key)) = map.next_key::<Name<'de>>()? {
                    let checked = map.next_value_seed(self.child(value, false));
                    self.at(|| Step::Member(key.as_ref().to_owned()), checked)?;
                }
                Ok(true)
            }
            Node::Any => {
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value_seed(self.any())?;
                }
                Ok(true)
            }
            _ => Err(A::Error::invalid_type(Unexpected::Map, &self)),
        }
    }
}

#[cfg(test)]
#[path = "shape/tests.rs"]
mod tests;
