//! Bindings for the answer-shape check of the core (`dynamorm_core::shape`).

use dynamorm_core::shape::{Node, Shape};
use pyo3::prelude::*;

use crate::errors;

/// The JSON shape of one operation's successful answer, compiled once.
///
/// ``ResponseShape(nodes, root)``: each node is ``(kind, children, union)``
/// with ``kind`` one of ``"structure"`` (``children``: ``(wire name, node
/// index)`` per member; ``union``: exactly one member set), ``"list"`` /
/// ``"map"`` (``children``: one ``("", index)`` for the element or value),
/// ``"string"``, ``"integer"``, ``"number"``, ``"boolean"``, ``"blob"``,
/// ``"timestamp"`` or ``"any"`` (no children); ``root`` is the body's
/// structure (``dynamorm.response_shapes`` builds them from botocore's
/// model). Raises ``ValueError`` for nodes that do not form a shape.
#[pyclass(frozen, module = "dynamorm._core")]
pub struct ResponseShape {
    shape: Shape,
}

/// One node as Python describes it: `(kind, children, union)`.
type NodeSpec = (String, Vec<(String, usize)>, bool);

fn node(kind: &str, children: &[(String, usize)], union: bool) -> PyResult<Node> {
    let only = || match children {
        [(_, index)] => Ok(*index),
        _ => Err(errors::malformed(format!(
            "ResponseShape: a {kind} node has exactly one child"
        ))),
    };
    Ok(match kind {
        "structure" => Node::Structure {
            members: children.to_vec(),
            union,
        },
        "list" => Node::List(only()?),
        "map" => Node::Map(only()?),
        "string" => Node::String,
        "integer" => Node::Integer,
        "number" => Node::Number,
        "boolean" => Node::Boolean,
        "blob" => Node::Blob,
        "timestamp" => Node::Timestamp,
        "any" => Node::Any,
        other => {
            return Err(errors::malformed(format!(
                "ResponseShape: unknown node kind {other:?}"
            )))
        }
    })
}

#[pymethods]
impl ResponseShape {
    #[new]
    fn new(nodes: Vec<NodeSpec>, root: usize) -> PyResult<Self> {
        let nodes = nodes
            .iter()
            .map(|(kind, children, union)| node(kind, children, *union))
            .collect::<PyResult<Vec<_>>>()?;
        let shape = Shape::new(nodes, root).map_err(errors::malformed)?;
        Ok(ResponseShape { shape })
    }

    /// Checks a raw answer body: ``None`` when it fits, else ``ValueError``
    /// saying where and what is wrong (``"Items[3].pk.S: invalid type:
    /// integer `5`, expected a string"``). The GIL is released meanwhile.
    fn check(&self, py: Python<'_>, body: &[u8]) -> PyResult<()> {
        py.detach(|| self.shape.check(body))
            .map_err(|err| errors::malformed(err.to_string()))
    }

    fn __repr__(&self) -> String {
        "<ResponseShape>".to_owned()
    }
}

/// Adds this module's classes to `dynamorm._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ResponseShape>()?;
    Ok(())
}
