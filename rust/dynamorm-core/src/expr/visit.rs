//! Collects the attribute names and value placeholders a tree refers to.

use super::ast::*;

/// Every name (written or `#placeholder`) and `:value` in a tree, in the
/// order they appear in the text.
#[derive(Default)]
pub struct References<'a> {
    pub names: Vec<&'a Name>,
    pub values: Vec<&'a ValueRef>,
}

impl<'a> References<'a> {
    /// The references of `expr`.
    pub fn of(expr: &'a Expression) -> Self {
        let mut refs = References::default();
        match expr {
            Expression::Condition(c) | Expression::KeyCondition(c) => refs.condition(c),
            Expression::Update(u) => {
                for clause in &u.clauses {
                    match clause {
                        UpdateClause::Set(actions, _) => {
                            for a in actions {
                                refs.path(&a.path);
                                refs.operand(&a.value);
                            }
                        }
                        UpdateClause::Remove(paths, _) => paths.iter().for_each(|p| refs.path(p)),
                        UpdateClause::Add(pairs, _) | UpdateClause::Delete(pairs, _) => {
                            for (p, v) in pairs {
                                refs.path(p);
                                refs.operand(v);
                            }
                        }
                    }
                }
            }
            Expression::Projection(paths) => paths.iter().for_each(|p| refs.path(p)),
        }
        refs
    }

    fn path(&mut self, path: &'a Path) {
        self.names.push(&path.root);
        for element in &path.rest {
            if let PathElement::Field(name) = element {
                self.names.push(name);
            }
        }
    }

    fn operand(&mut self, operand: &'a Operand) {
        match operand {
            Operand::Path(p) | Operand::Size(p, _) => self.path(p),
            Operand::Value(v) => self.values.push(v),
            Operand::IfNotExists(p, default, _) => {
                self.path(p);
                self.operand(default);
            }
            Operand::ListAppend(a, b, _) | Operand::Plus(a, b, _) | Operand::Minus(a, b, _) => {
                self.operand(a);
                self.operand(b);
            }
        }
    }

    fn condition(&mut self, cond: &'a Condition) {
        match cond {
            Condition::Compare { left, right, .. } => {
                self.operand(left);
                self.operand(right);
            }
            Condition::Between {
                operand, low, high, ..
            } => {
                self.operand(operand);
                self.operand(low);
                self.operand(high);
            }
            Condition::In { operand, list, .. } => {
                self.operand(operand);
                list.iter().for_each(|o| self.operand(o));
            }
            Condition::Call { path, arg, .. } => {
                self.path(path);
                if let Some(arg) = arg {
                    self.operand(arg);
                }
            }
            Condition::Not(inner, _) => self.condition(inner),
            Condition::And(items, _) | Condition::Or(items, _) => {
                items.iter().for_each(|c| self.condition(c))
            }
        }
    }
}
