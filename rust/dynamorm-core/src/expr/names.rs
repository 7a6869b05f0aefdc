//! The placeholder namespace that compiled expressions share.

use std::collections::{BTreeSet, HashMap};

use super::pathspec::{PathInput, SegmentRef};

/// Up to this many names, lookups scan the list instead of hashing.
const LINEAR_LOOKUP: usize = 16;

/// Appends `prefix` and `n` in decimal, without the formatting machinery
/// (this runs for every placeholder).
pub fn push_numbered(out: &mut String, prefix: &str, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(prefix);
    out.extend(digits[..len].iter().rev().map(|&d| d as char));
}

fn numbered(prefix: &str, n: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 3);
    push_numbered(&mut out, prefix, n);
    out
}

/// Generated placeholders for one request: `#n0, #n1, ...` for attribute
/// names (one per distinct name, in order of first use) and `:v0, :v1, ...`
/// for values, skipping any placeholder the caller already uses.
#[derive(Debug, Default)]
pub struct Placeholders {
    /// `(placeholder number, attribute name)`.
    pub(super) names: Vec<(usize, String)>,
    /// Index of `names` by attribute name, built once there are many.
    by_name: HashMap<String, usize>,
    /// `(placeholder number, caller's value number)`.
    pub(super) values: Vec<(usize, usize)>,
    taken_names: BTreeSet<String>,
    taken_values: BTreeSet<String>,
    next_name: usize,
    next_value: usize,
}

impl Placeholders {
    /// A namespace whose generated placeholders avoid `taken_names` /
    /// `taken_values` (the caller's own).
    pub fn new(taken_names: BTreeSet<String>, taken_values: BTreeSet<String>) -> Self {
        Placeholders {
            taken_names,
            taken_values,
            ..Placeholders::default()
        }
    }

    fn name_number(&mut self, attr: &str) -> usize {
        let found = if self.names.len() <= LINEAR_LOOKUP {
            self.names.iter().position(|(_, name)| name == attr)
        } else {
            if self.by_name.is_empty() {
                for (i, (_, name)) in self.names.iter().enumerate() {
                    self.by_name.insert(name.clone(), i);
                }
            }
            self.by_name.get(attr).copied()
        };
        if let Some(i) = found {
            return self.names[i].0;
        }
        let number = next_free(&mut self.next_name, "#n", &self.taken_names);
        if !self.by_name.is_empty() {
            self.by_name.insert(attr.to_string(), self.names.len());
        }
        self.names.push((number, attr.to_string()));
        number
    }

    /// Writes the placeholder for attribute name `attr`.
    pub fn write_name(&mut self, out: &mut String, attr: &str) {
        let number = self.name_number(attr);
        push_numbered(out, "#n", number);
    }

    /// Writes a fresh placeholder for the caller's value number `id`.
    pub fn write_value(&mut self, out: &mut String, id: usize) {
        let number = next_free(&mut self.next_value, ":v", &self.taken_values);
        self.values.push((number, id));
        push_numbered(out, ":v", number);
    }

    /// Writes `path` with every name behind a placeholder.
    pub fn write_path(&mut self, out: &mut String, path: &PathInput) -> Result<(), String> {
        let mut first = true;
        path.walk(|segment| match segment {
            SegmentRef::Name(attr) => {
                if !first {
                    out.push('.');
                }
                first = false;
                self.write_name(out, attr);
            }
            SegmentRef::Index(i) => {
                out.push('[');
                push_numbered(out, "", i as usize);
                out.push(']');
            }
        })
    }

    /// The placeholder for attribute name `attr`.
    pub fn name(&mut self, attr: &str) -> String {
        numbered("#n", self.name_number(attr))
    }

    /// The generated names, `(placeholder, attribute name)` in order.
    pub fn names(&self) -> Vec<(String, String)> {
        self.names
            .iter()
            .map(|(n, attr)| (numbered("#n", *n), attr.clone()))
            .collect()
    }

    /// The generated values, `(placeholder, caller's value number)` in order.
    pub fn values(&self) -> Vec<(String, usize)> {
        self.values
            .iter()
            .map(|(n, id)| (numbered(":v", *n), *id))
            .collect()
    }
}

fn next_free(next: &mut usize, prefix: &str, taken: &BTreeSet<String>) -> usize {
    loop {
        let number = *next;
        *next += 1;
        if taken.is_empty() || !taken.contains(&numbered(prefix, number)) {
            return number;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_skip_taken_and_dedupe() {
        let taken: BTreeSet<String> = ["#n0".to_string(), "#n2".to_string()].into();
        let mut ph = Placeholders::new(taken, [":v0".to_string()].into());
        assert_eq!(ph.name("a"), "#n1");
        assert_eq!(ph.name("b"), "#n3");
        assert_eq!(ph.name("a"), "#n1");
        for i in 0..40 {
            ph.name(&format!("x{i}"));
        }
        assert_eq!(ph.name("b"), "#n3");
        assert_eq!(ph.name("x39"), "#n43");
        assert_eq!(ph.name("new"), "#n44");
        assert_eq!(ph.name("new"), "#n44");
        let mut out = String::new();
        ph.write_value(&mut out, 7);
        ph.write_value(&mut out, 7);
        assert_eq!(out, ":v1:v2");
        assert_eq!(
            ph.values(),
            [(":v1".to_string(), 7), (":v2".to_string(), 7)]
        );
        assert_eq!(numbered(":v", 1234567), ":v1234567");
    }

    #[test]
    fn paths_are_written_with_placeholders() {
        let mut ph = Placeholders::default();
        let mut out = String::new();
        ph.write_path(&mut out, &PathInput::Text("a.b[2][0].a".into()))
            .unwrap();
        assert_eq!(out, "#n0.#n1[2][0].#n0");
        assert!(ph
            .write_path(&mut out, &PathInput::Text("a..b".into()))
            .is_err());
    }
}
