//! Tree → canonical text. Keywords upper-case, single spaces, parentheses
//! only where precedence needs them (and around a nested `AND` in `AND` or
//! `OR` in `OR`, so the tree's grouping survives a round trip).

use std::fmt::Write;

use super::ast::*;

/// Prints any expression.
pub fn print(expr: &Expression) -> String {
    let mut out = String::new();
    match expr {
        Expression::Condition(c) | Expression::KeyCondition(c) => write_condition(&mut out, c),
        Expression::Update(u) => write_update(&mut out, u),
        Expression::Projection(paths) => write_list(&mut out, paths, write_path),
    }
    out
}

/// Prints a condition.
pub fn print_condition(cond: &Condition) -> String {
    let mut out = String::new();
    write_condition(&mut out, cond);
    out
}

fn write_list<T>(out: &mut String, items: &[T], write: fn(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(out, item);
    }
}

/// Writes a path.
pub fn write_path(out: &mut String, path: &Path) {
    out.push_str(&path.root.text);
    for element in &path.rest {
        match element {
            PathElement::Field(name) => {
                out.push('.');
                out.push_str(&name.text);
            }
            PathElement::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

fn write_operand(out: &mut String, operand: &Operand) {
    match operand {
        Operand::Path(p) => write_path(out, p),
        Operand::Value(v) => out.push_str(&v.text),
        Operand::Size(p, _) => {
            out.push_str("size(");
            write_path(out, p);
            out.push(')');
        }
        Operand::IfNotExists(p, default, _) => {
            out.push_str("if_not_exists(");
            write_path(out, p);
            out.push_str(", ");
            write_operand(out, default);
            out.push(')');
        }
        Operand::ListAppend(a, b, _) => {
            out.push_str("list_append(");
            write_operand(out, a);
            out.push_str(", ");
            write_operand(out, b);
            out.push(')');
        }
        Operand::Plus(a, b, _) | Operand::Minus(a, b, _) => {
            write_operand(out, a);
            out.push_str(if matches!(operand, Operand::Plus(..)) {
                " + "
            } else {
                " - "
            });
            write_operand(out, b);
        }
    }
}

/// Binding strength: OR 1, AND 2, NOT 3, everything else 4.
pub fn strength(cond: &Condition) -> u8 {
    match cond {
        Condition::Or(..) => 1,
        Condition::And(..) => 2,
        Condition::Not(..) => 3,
        _ => 4,
    }
}

fn write_child(out: &mut String, child: &Condition, min_strength: u8) {
    if strength(child) < min_strength {
        out.push('(');
        write_condition(out, child);
        out.push(')');
    } else {
        write_condition(out, child);
    }
}

/// Writes a condition.
pub fn write_condition(out: &mut String, cond: &Condition) {
    match cond {
        Condition::Compare {
            op, left, right, ..
        } => {
            write_operand(out, left);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_operand(out, right);
        }
        Condition::Between {
            operand, low, high, ..
        } => {
            write_operand(out, operand);
            out.push_str(" BETWEEN ");
            write_operand(out, low);
            out.push_str(" AND ");
            write_operand(out, high);
        }
        Condition::In { operand, list, .. } => {
            write_operand(out, operand);
            out.push_str(" IN (");
            write_list(out, list, write_operand);
            out.push(')');
        }
        Condition::Call {
            function,
            path,
            arg,
            ..
        } => {
            out.push_str(function.name());
            out.push('(');
            write_path(out, path);
            if let Some(arg) = arg {
                out.push_str(", ");
                write_operand(out, arg);
            }
            out.push(')');
        }
        Condition::Not(inner, _) => {
            out.push_str("NOT ");
            write_child(out, inner, 3);
        }
        Condition::And(items, _) | Condition::Or(items, _) => {
            let (joiner, min) = if matches!(cond, Condition::And(..)) {
                (" AND ", 3)
            } else {
                (" OR ", 2)
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(joiner);
                }
                write_child(out, item, min);
            }
        }
    }
}

fn write_update(out: &mut String, update: &Update) {
    for (i, clause) in update.clauses.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(clause.keyword());
        out.push(' ');
        match clause {
            UpdateClause::Set(actions, _) => write_list(out, actions, |out, a| {
                write_path(out, &a.path);
                out.push_str(" = ");
                write_operand(out, &a.value);
            }),
            UpdateClause::Remove(paths, _) => write_list(out, paths, write_path),
            UpdateClause::Add(pairs, _) | UpdateClause::Delete(pairs, _) => {
                write_list(out, pairs, |out, (p, v)| {
                    write_path(out, p);
                    out.push(' ');
                    write_operand(out, v);
                })
            }
        }
    }
}
