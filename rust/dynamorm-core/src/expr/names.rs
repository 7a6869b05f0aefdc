//! The placeholder namespace that compiled expressions share.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::pathspec::{PathInput, SegmentRef};

/// Up to this many names, lookups scan the list instead of hashing.
const LINEAR_LOOKUP: usize = 16;

/// Appends `prefix` and `n` in decimal, without the formatting machinery
/// (this runs for every placeholder).
pub fn push_numbered(out: &mut String, prefix: &str, mut n: usize) {
    out.push_str(prefix);
    // Requests rarely need more than 100 placeholders.
    if n < 10 {
        out.push((b'0' + n as u8) as char);
        return;
    }
    if n < 100 {
        out.push((b'0' + (n / 10) as u8) as char);
        out.push((b'0' + (n % 10) as u8) as char);
        return;
    }
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
    out.extend(digits[..len].iter().rev().map(|&d| d as char));
}

fn numbered(prefix: &str, n: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 3);
    push_numbered(&mut out, prefix, n);
    out
}

/// The generated names of a request, `(placeholder number, attribute
/// name)` in order of first use. The names share one buffer, so a request
/// allocates once for all of them rather than once per name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameList {
    entries: Vec<(usize, Range<usize>)>,
    text: String,
}

impl NameList {
    fn with_capacity(names: usize) -> Self {
        NameList {
            entries: Vec::with_capacity(names),
            text: String::with_capacity(names * 8),
        }
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(placeholder number, attribute name)` of the `i`th name.
    pub fn get(&self, i: usize) -> (usize, &str) {
        let (number, range) = &self.entries[i];
        (*number, &self.text[range.clone()])
    }

    /// Every `(placeholder number, attribute name)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    fn position(&self, attr: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(_, range)| &self.text[range.clone()] == attr)
    }

    fn push(&mut self, number: usize, attr: &str) {
        let start = self.text.len();
        self.text.push_str(attr);
        self.entries.push((number, start..self.text.len()));
    }
}

/// Generated placeholders for one request: `#n0, #n1, ...` for attribute
/// names (one per distinct name, in order of first use) and `:v0, :v1, ...`
/// for values, skipping any placeholder the caller already uses.
#[derive(Debug, Default)]
pub struct Placeholders {
    /// `(placeholder number, attribute name)`.
    pub(super) names: NameList,
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
        // Sized for a typical request, so the lists rarely grow.
        Placeholders {
            names: NameList::with_capacity(8),
            values: Vec::with_capacity(16),
            taken_names,
            taken_values,
            ..Placeholders::default()
        }
    }

    fn name_number(&mut self, attr: &str) -> usize {
        let found = if self.names.len() <= LINEAR_LOOKUP {
            self.names.position(attr)
        } else {
            if self.by_name.is_empty() {
                for (i, (_, name)) in self.names.iter().enumerate() {
                    self.by_name.insert(name.to_string(), i);
                }
            }
            self.by_name.get(attr).copied()
        };
        if let Some(i) = found {
            return self.names.get(i).0;
        }
        let number = next_free(&mut self.next_name, "#n", &self.taken_names);
        if !self.by_name.is_empty() {
            self.by_name.insert(attr.to_string(), self.names.len());
        }
        self.names.push(number, attr);
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
    pub fn write_path<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        path: &PathInput<S>,
    ) -> Result<(), String> {
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
            .map(|(n, attr)| (numbered("#n", n), attr.to_string()))
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
        for n in [0, 9, 10, 42, 99, 100, 101, 999, 1000] {
            assert_eq!(numbered("#n", n), format!("#n{n}"));
        }
    }

    #[test]
    fn paths_are_written_with_placeholders() {
        let mut ph = Placeholders::default();
        let mut out = String::new();
        ph.write_path(&mut out, &PathInput::Text("a.b[2][0].a"))
            .unwrap();
        assert_eq!(out, "#n0.#n1[2][0].#n0");
        assert!(ph.write_path(&mut out, &PathInput::Text("a..b")).is_err());
    }
}
