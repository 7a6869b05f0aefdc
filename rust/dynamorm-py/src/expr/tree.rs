//! A syntax tree as plain Python data: every node a dict with `"type"` and
//! `"span"` (a `(start, end)` byte range), children nested as dicts/lists.

use dynamorm_core::expr::ast::*;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

fn node<'py>(py: Python<'py>, kind: &str, span: Span) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("type", kind)?;
    d.set_item("span", (span.start, span.end))?;
    Ok(d)
}

fn list<'py, T>(
    py: Python<'py>,
    items: &[T],
    f: impl Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for item in items {
        out.append(f(py, item)?)?;
    }
    Ok(out)
}

fn name<'py>(py: Python<'py>, n: &Name) -> PyResult<Bound<'py, PyDict>> {
    let kind = if n.is_placeholder() {
        "name_placeholder"
    } else {
        "name"
    };
    let d = node(py, kind, n.span)?;
    d.set_item("text", &n.text)?;
    Ok(d)
}

fn path<'py>(py: Python<'py>, p: &Path) -> PyResult<Bound<'py, PyDict>> {
    let d = node(py, "path", p.span)?;
    let elements = PyList::empty(py);
    elements.append(name(py, &p.root)?)?;
    for element in &p.rest {
        match element {
            PathElement::Field(n) => elements.append(name(py, n)?)?,
            PathElement::Index(i) => {
                let e = PyDict::new(py);
                e.set_item("type", "index")?;
                e.set_item("index", i)?;
                elements.append(e)?;
            }
        }
    }
    d.set_item("elements", elements)?;
    Ok(d)
}

fn operand<'py>(py: Python<'py>, o: &Operand) -> PyResult<Bound<'py, PyDict>> {
    Ok(match o {
        Operand::Path(p) => path(py, p)?,
        Operand::Value(v) => {
            let d = node(py, "value_placeholder", v.span)?;
            d.set_item("text", &v.text)?;
            d
        }
        Operand::Size(p, span) => {
            let d = node(py, "size", *span)?;
            d.set_item("path", path(py, p)?)?;
            d
        }
        Operand::IfNotExists(p, default, span) => {
            let d = node(py, "if_not_exists", *span)?;
            d.set_item("path", path(py, p)?)?;
            d.set_item("default", operand(py, default)?)?;
            d
        }
        Operand::ListAppend(a, b, span)
        | Operand::Plus(a, b, span)
        | Operand::Minus(a, b, span) => {
            let kind = match o {
                Operand::ListAppend(..) => "list_append",
                Operand::Plus(..) => "plus",
                _ => "minus",
            };
            let d = node(py, kind, *span)?;
            d.set_item("left", operand(py, a)?)?;
            d.set_item("right", operand(py, b)?)?;
            d
        }
    })
}

fn condition<'py>(py: Python<'py>, c: &Condition) -> PyResult<Bound<'py, PyDict>> {
    Ok(match c {
        Condition::Compare {
            op,
            left,
            right,
            span,
        } => {
            let d = node(py, "compare", *span)?;
            d.set_item("op", op.symbol())?;
            d.set_item("left", operand(py, left)?)?;
            d.set_item("right", operand(py, right)?)?;
            d
        }
        Condition::Between {
            operand: o,
            low,
            high,
            span,
        } => {
            let d = node(py, "between", *span)?;
            d.set_item("operand", operand(py, o)?)?;
            d.set_item("low", operand(py, low)?)?;
            d.set_item("high", operand(py, high)?)?;
            d
        }
        Condition::In {
            operand: o,
            list: items,
            span,
        } => {
            let d = node(py, "in", *span)?;
            d.set_item("operand", operand(py, o)?)?;
            d.set_item("list", list(py, items, operand)?)?;
            d
        }
        Condition::Call {
            function,
            path: p,
            arg,
            span,
        } => {
            let d = node(py, "function", *span)?;
            d.set_item("name", function.name())?;
            let args = PyList::empty(py);
            args.append(path(py, p)?)?;
            if let Some(arg) = arg {
                args.append(operand(py, arg)?)?;
            }
            d.set_item("args", args)?;
            d
        }
        Condition::Not(inner, span) => {
            let d = node(py, "not", *span)?;
            d.set_item("operand", condition(py, inner)?)?;
            d
        }
        Condition::And(items, span) | Condition::Or(items, span) => {
            let kind = if matches!(c, Condition::And(..)) {
                "and"
            } else {
                "or"
            };
            let d = node(py, kind, *span)?;
            d.set_item("operands", list(py, items, condition)?)?;
            d
        }
    })
}

fn pair<'py>(py: Python<'py>, (p, v): &(Path, Operand)) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("path", path(py, p)?)?;
    d.set_item("value", operand(py, v)?)?;
    Ok(d)
}

fn clause<'py>(py: Python<'py>, c: &UpdateClause) -> PyResult<Bound<'py, PyDict>> {
    let (kind, span) = match c {
        UpdateClause::Set(_, s) => ("set", s),
        UpdateClause::Remove(_, s) => ("remove", s),
        UpdateClause::Add(_, s) => ("add", s),
        UpdateClause::Delete(_, s) => ("delete", s),
    };
    let d = node(py, kind, *span)?;
    let actions = match c {
        UpdateClause::Set(actions, _) => list(py, actions, |py, a| {
            pair(py, &(a.path.clone(), a.value.clone()))
        })?,
        UpdateClause::Remove(paths, _) => list(py, paths, path)?,
        UpdateClause::Add(pairs, _) | UpdateClause::Delete(pairs, _) => list(py, pairs, pair)?,
    };
    d.set_item("actions", actions)?;
    Ok(d)
}

/// The tree of `expr` as nested dicts and lists.
pub fn to_python<'py>(py: Python<'py>, expr: &Expression) -> PyResult<Bound<'py, PyDict>> {
    match expr {
        Expression::Condition(c) | Expression::KeyCondition(c) => {
            let d = PyDict::new(py);
            d.set_item("type", expr.kind().name())?;
            d.set_item("span", (c.span().start, c.span().end))?;
            d.set_item("condition", condition(py, c)?)?;
            Ok(d)
        }
        Expression::Update(u) => {
            let d = PyDict::new(py);
            d.set_item("type", "update")?;
            d.set_item("clauses", list(py, &u.clauses, clause)?)?;
            Ok(d)
        }
        Expression::Projection(paths) => {
            let d = PyDict::new(py);
            d.set_item("type", "projection")?;
            d.set_item("paths", list(py, paths, path)?)?;
            Ok(d)
        }
    }
}
