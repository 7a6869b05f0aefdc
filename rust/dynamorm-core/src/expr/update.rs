//! Update actions → an update expression (SPEC §6).

use super::clause::UpdateAction;
use super::compiler::{At, Compiler};
use super::pathspec::{describe, overlap, Segment};
use crate::error::{CoreError, CoreResult};

/// The text of each clause while actions are added to it.
#[derive(Default)]
struct Clauses {
    set: String,
    remove: String,
    add: String,
    delete: String,
}

/// Starts the next item of a comma-separated clause.
fn next(clause: &mut String) -> &mut String {
    if !clause.is_empty() {
        clause.push_str(", ");
    }
    clause
}

impl Compiler {
    /// Compiles update actions. Overlapping paths and, when `key_attributes`
    /// is given, updates of key attributes are rejected.
    pub fn update<S: AsRef<str>>(
        &mut self,
        actions: &[UpdateAction<S>],
        key_attributes: Option<&[String]>,
    ) -> CoreResult<String> {
        if actions.is_empty() {
            return Err(CoreError::validation("an update needs at least one action"));
        }
        check_targets(actions, key_attributes)?;
        let root = At::root("actions");
        let mut c = Clauses::default();
        for (i, action) in actions.iter().enumerate() {
            let at = root.index(i);
            let path = action.path();
            match action {
                UpdateAction::Set { value, .. } => {
                    let out = next(&mut c.set);
                    self.write_path(out, path, &at)?;
                    out.push_str(" = ");
                    self.placeholders.write_value(out, *value);
                }
                UpdateAction::SetIfNotExists { value, .. } => {
                    let out = next(&mut c.set);
                    self.write_path(out, path, &at)?;
                    out.push_str(" = if_not_exists(");
                    self.write_path(out, path, &at)?;
                    out.push_str(", ");
                    self.placeholders.write_value(out, *value);
                    out.push(')');
                }
                UpdateAction::Add { value, .. } | UpdateAction::Delete { value, .. } => {
                    let out = if matches!(action, UpdateAction::Add { .. }) {
                        next(&mut c.add)
                    } else {
                        next(&mut c.delete)
                    };
                    self.write_path(out, path, &at)?;
                    out.push(' ');
                    self.placeholders.write_value(out, *value);
                }
                UpdateAction::Remove { .. } => {
                    let out = next(&mut c.remove);
                    self.write_path(out, path, &at)?;
                }
                UpdateAction::AppendToList { value, empty, .. }
                | UpdateAction::PrependToList { value, empty, .. } => {
                    let append = matches!(action, UpdateAction::AppendToList { .. });
                    let out = next(&mut c.set);
                    self.write_path(out, path, &at)?;
                    out.push_str(" = list_append(");
                    if !append {
                        self.placeholders.write_value(out, *value);
                        out.push_str(", ");
                    }
                    // With an empty-list default the action works on an item
                    // that has no list yet.
                    if let Some(empty) = empty {
                        out.push_str("if_not_exists(");
                        self.write_path(out, path, &at)?;
                        out.push_str(", ");
                        self.placeholders.write_value(out, *empty);
                        out.push(')');
                    } else {
                        self.write_path(out, path, &at)?;
                    }
                    if append {
                        out.push_str(", ");
                        self.placeholders.write_value(out, *value);
                    }
                    out.push(')');
                }
                UpdateAction::RemoveFromListAt { index, .. } => {
                    let out = next(&mut c.remove);
                    self.write_path(out, path, &at)?;
                    out.push_str(&format!("[{index}]"));
                }
                UpdateAction::SetListElement { index, value, .. } => {
                    let out = next(&mut c.set);
                    self.write_path(out, path, &at)?;
                    out.push_str(&format!("[{index}] = "));
                    self.placeholders.write_value(out, *value);
                }
            }
        }
        let mut text = String::new();
        for (keyword, body) in [
            ("SET ", c.set),
            ("REMOVE ", c.remove),
            ("ADD ", c.add),
            ("DELETE ", c.delete),
        ] {
            if !body.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(keyword);
                text.push_str(&body);
            }
        }
        Ok(text)
    }
}

/// The segments an action writes (a list element for the `_at`/`_element`
/// actions).
fn target<S: AsRef<str>>(action: &UpdateAction<S>, at: &At<'_>) -> CoreResult<Vec<Segment>> {
    let mut segments = action.path().segments().map_err(|m| at.error(m))?;
    if let UpdateAction::RemoveFromListAt { index, .. }
    | UpdateAction::SetListElement { index, .. } = action
    {
        segments.push(Segment::Index(*index));
    }
    Ok(segments)
}

/// DynamoDB rejects two actions on overlapping paths and updates of key
/// attributes; say which actions, by index, before anything is sent.
fn check_targets<S: AsRef<str>>(
    actions: &[UpdateAction<S>],
    key_attributes: Option<&[String]>,
) -> CoreResult<()> {
    let root = At::root("actions");
    let mut seen: Vec<Vec<Segment>> = Vec::with_capacity(actions.len());
    for (i, action) in actions.iter().enumerate() {
        let at = root.index(i);
        let these = target(action, &at)?;
        if let (Some(keys), Some(Segment::Name(root_name))) = (key_attributes, these.first()) {
            if keys.iter().any(|k| k == root_name) {
                return Err(at.error(format!(
                    "'{root_name}' is a key attribute and cannot be updated"
                )));
            }
        }
        if let Some(j) = seen.iter().position(|other| overlap(other, &these)) {
            return Err(at.error(format!(
                "path '{}' overlaps actions[{j}] path '{}'; two actions cannot update \
                 overlapping paths",
                describe(&these),
                describe(&seen[j])
            )));
        }
        seen.push(these);
    }
    Ok(())
}
