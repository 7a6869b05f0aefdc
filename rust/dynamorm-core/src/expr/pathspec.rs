//! Attribute paths as callers give them: dotted text or explicit segments.

/// One step of a caller's path: an attribute name (any string at all) or a
/// list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Name(String),
    Index(u32),
}

/// A borrowed [`Segment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentRef<'a> {
    Name(&'a str),
    Index(u32),
}

/// A path as a caller gives it: the dotted text `"items[0].price"` or an
/// explicit list of segments (for names holding dots or brackets).
///
/// The text is any string type, so bindings can lend the caller's own
/// strings instead of copying them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathInput<S = String> {
    Text(S),
    Segments(Vec<Segment>),
}

impl<S: AsRef<str>> PathInput<S> {
    /// Calls `f` on each segment in order, or says what is wrong with the
    /// path (before calling `f` at all).
    pub fn walk<'a>(&'a self, mut f: impl FnMut(SegmentRef<'a>)) -> Result<(), String> {
        match self {
            PathInput::Segments(segments) => {
                match segments.first() {
                    Some(Segment::Name(_)) => {}
                    Some(Segment::Index(_)) => {
                        return Err("a path must start with an attribute name".into())
                    }
                    None => return Err("a path needs at least one segment".into()),
                }
                for segment in segments {
                    f(match segment {
                        Segment::Name(n) => SegmentRef::Name(n),
                        Segment::Index(i) => SegmentRef::Index(*i),
                    });
                }
                Ok(())
            }
            PathInput::Text(text) => {
                let text = text.as_ref();
                // Most paths are one plain name: no splitting needed.
                if !text.is_empty() && !text.bytes().any(|b| b == b'.' || b == b'[') {
                    f(SegmentRef::Name(text));
                    return Ok(());
                }
                // Check the whole path before reporting any segment.
                walk_text(text, |_| {})?;
                walk_text(text, f)
            }
        }
    }

    /// The segments of the path, or a message saying what is wrong with it.
    pub fn segments(&self) -> Result<Vec<Segment>, String> {
        let mut out = Vec::new();
        self.walk(|s| {
            out.push(match s {
                SegmentRef::Name(n) => Segment::Name(n.to_string()),
                SegmentRef::Index(i) => Segment::Index(i),
            })
        })?;
        Ok(out)
    }
}

/// Splits `a.b[0][1].c` into segments. Names may hold any character but `.`
/// and `[`; write names holding those as an explicit segment list.
pub fn split_path(text: &str) -> Result<Vec<Segment>, String> {
    PathInput::Text(text).segments()
}

fn walk_text<'a>(text: &'a str, mut f: impl FnMut(SegmentRef<'a>)) -> Result<(), String> {
    for (part_no, part) in text.split('.').enumerate() {
        let (name, mut brackets) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return Err(format!(
                "path {text:?} has an empty attribute name (segment {part_no})"
            ));
        }
        f(SegmentRef::Name(name));
        while !brackets.is_empty() {
            let close = brackets
                .find(']')
                .ok_or_else(|| format!("path {text:?} has a '[' without ']'"))?;
            let digits = &brackets[1..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "path {text:?} has list index [{digits}]; an index is a non-negative integer"
                ));
            }
            let index = digits.parse().map_err(|_| {
                format!("path {text:?} has list index {digits}, which is too large")
            })?;
            f(SegmentRef::Index(index));
            brackets = &brackets[close + 1..];
            if !brackets.is_empty() && !brackets.starts_with('[') {
                return Err(format!(
                    "path {text:?} has text after a list index; use '.' before a name"
                ));
            }
        }
    }
    Ok(())
}

/// Renders segments the way users write paths, for messages.
pub fn describe(segments: &[Segment]) -> String {
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Name(n) if i == 0 => out.push_str(n),
            Segment::Name(n) => {
                out.push('.');
                out.push_str(n);
            }
            Segment::Index(idx) => out.push_str(&format!("[{idx}]")),
        }
    }
    out
}

/// One path is a prefix of the other (or they are the same).
pub fn overlap(a: &[Segment], b: &[Segment]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_paths() {
        use Segment::*;
        assert_eq!(
            split_path("items[0][12].price").unwrap(),
            vec![
                Name("items".into()),
                Index(0),
                Index(12),
                Name("price".into())
            ]
        );
        assert_eq!(
            split_path("a b.ü").unwrap(),
            vec![Name("a b".into()), Name("ü".into())]
        );
        for bad in [
            "",
            "a..b",
            "a[",
            "a[x]",
            "a[1]b",
            "[0]",
            "a.",
            "a[99999999999]",
        ] {
            assert!(split_path(bad).is_err(), "{bad}");
        }
        assert!(PathInput::<String>::Segments(vec![]).segments().is_err());
        assert!(PathInput::<String>::Segments(vec![Index(0)])
            .segments()
            .is_err());
    }

    #[test]
    fn overlap_is_prefix() {
        let a = split_path("a.b[0]").unwrap();
        assert!(overlap(&a, &split_path("a").unwrap()));
        assert!(overlap(&a, &a));
        assert!(!overlap(&a, &split_path("a.b[1]").unwrap()));
        assert_eq!(describe(&a), "a.b[0]");
    }
}
