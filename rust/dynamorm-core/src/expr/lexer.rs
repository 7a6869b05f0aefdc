//! Splits expression text into tokens with byte spans.

use super::ast::Span;
use crate::error::{CoreError, CoreResult};

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: attribute name, keyword or function name.
    Ident(String),
    /// `#name` (text includes the `#`).
    NamePlaceholder(String),
    /// `:name` (text includes the `:`).
    ValuePlaceholder(String),
    /// A non-negative integer (list index).
    Integer(u32),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Plus,
    Minus,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Ident(s) => format!("'{s}'"),
            TokenKind::NamePlaceholder(s) | TokenKind::ValuePlaceholder(s) => format!("'{s}'"),
            TokenKind::Integer(n) => format!("'{n}'"),
            TokenKind::LParen => "'('".into(),
            TokenKind::RParen => "')'".into(),
            TokenKind::LBracket => "'['".into(),
            TokenKind::RBracket => "']'".into(),
            TokenKind::Comma => "','".into(),
            TokenKind::Dot => "'.'".into(),
            TokenKind::Plus => "'+'".into(),
            TokenKind::Minus => "'-'".into(),
            TokenKind::Eq => "'='".into(),
            TokenKind::Ne => "'<>'".into(),
            TokenKind::Lt => "'<'".into(),
            TokenKind::Le => "'<='".into(),
            TokenKind::Gt => "'>'".into(),
            TokenKind::Ge => "'>='".into(),
            TokenKind::End => "the end of the expression".into(),
        }
    }
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Tokenizes `text`; the last token is always [`TokenKind::End`].
pub fn tokenize(text: &str) -> CoreResult<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let single = |kind| Token {
            kind,
            span: Span::new(start, start + 1),
        };
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => tokens.push(single(TokenKind::LParen)),
            b')' => tokens.push(single(TokenKind::RParen)),
            b'[' => tokens.push(single(TokenKind::LBracket)),
            b']' => tokens.push(single(TokenKind::RBracket)),
            b',' => tokens.push(single(TokenKind::Comma)),
            b'.' => tokens.push(single(TokenKind::Dot)),
            b'+' => tokens.push(single(TokenKind::Plus)),
            b'-' => tokens.push(single(TokenKind::Minus)),
            b'=' => tokens.push(single(TokenKind::Eq)),
            b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (kind, len) = match (c, next) {
                    (b'<', Some(b'>')) => (TokenKind::Ne, 2),
                    (b'<', Some(b'=')) => (TokenKind::Le, 2),
                    (b'>', Some(b'=')) => (TokenKind::Ge, 2),
                    (b'<', _) => (TokenKind::Lt, 1),
                    _ => (TokenKind::Gt, 1),
                };
                tokens.push(Token {
                    kind,
                    span: Span::new(start, start + len),
                });
                i += len;
                continue;
            }
            b'#' | b':' => {
                let mut end = i + 1;
                while end < bytes.len() && is_word_char(bytes[end] as char) {
                    end += 1;
                }
                if end == i + 1 {
                    let what = if c == b'#' { "name" } else { "value" };
                    return Err(CoreError::expression(
                        format!(
                            "'{}' at position {start} must be followed by a {what} placeholder \
                             of letters, digits or '_'",
                            c as char
                        ),
                        start,
                    ));
                }
                let word = text[start..end].to_string();
                let kind = if c == b'#' {
                    TokenKind::NamePlaceholder(word)
                } else {
                    TokenKind::ValuePlaceholder(word)
                };
                tokens.push(Token {
                    kind,
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
            b'0'..=b'9' => {
                let mut end = i;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end < bytes.len() && is_word_char(bytes[end] as char) {
                    return Err(CoreError::expression(
                        format!(
                            "attribute name '{}' at position {start} starts with a digit; \
                             use a #placeholder for it",
                            word_at(text, start)
                        ),
                        start,
                    ));
                }
                let digits = &text[start..end];
                let value: u32 = digits.parse().map_err(|_| {
                    CoreError::expression(
                        format!("list index {digits} at position {start} is too large"),
                        start,
                    )
                })?;
                tokens.push(Token {
                    kind: TokenKind::Integer(value),
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut end = i;
                while end < bytes.len() && is_word_char(bytes[end] as char) {
                    end += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Ident(text[start..end].to_string()),
                    span: Span::new(start, end),
                });
                i = end;
                continue;
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                return Err(CoreError::expression(
                    format!(
                        "unexpected character {ch:?} at position {start}; attribute names with \
                         such characters need a #placeholder"
                    ),
                    start,
                ));
            }
        }
        i += 1;
    }
    tokens.push(Token {
        kind: TokenKind::End,
        span: Span::new(text.len(), text.len()),
    });
    Ok(tokens)
}

/// The span of the inner `(` of the first `((x))` in `tokens`: two pairs of
/// parentheses around the same thing, which DynamoDB refuses in every kind
/// of expression ("The expression has redundant parentheses;"). One pair
/// inside another that holds more, `((#a = :v) AND #b = :w)`, is fine, and
/// so are the parentheses of a function call or an `IN` list, which group
/// nothing: `size((#a))`, `#a IN ((:v))`.
///
/// `tokens` must be balanced (text that parsed).
pub fn redundant_parentheses(tokens: &[Token]) -> Option<Span> {
    // For each open `(`: its index and whether it groups.
    let mut open: Vec<(usize, bool)> = Vec::new();
    // The pair closed last: (index of its `(`, index of its `)`).
    let mut last_closed: Option<(usize, usize)> = None;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => {
                let groups = match i.checked_sub(1).map(|p| &tokens[p].kind) {
                    // A word before `(` names a function, or is IN; only the
                    // boolean keywords are followed by a grouping `(`.
                    Some(TokenKind::Ident(word)) => ["AND", "OR", "NOT", "BETWEEN"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(word)),
                    _ => true,
                };
                open.push((i, groups));
            }
            TokenKind::RParen => {
                let (start, groups) = open.pop()?;
                if groups && last_closed == Some((start + 1, i - 1)) {
                    return Some(tokens[start + 1].span);
                }
                last_closed = Some((start, i));
            }
            _ => {}
        }
    }
    None
}

fn word_at(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokens_and_spans() {
        let tokens = tokenize("#a.b[10] <> :v").unwrap();
        let spans: Vec<_> = tokens.iter().map(|t| (t.span.start, t.span.end)).collect();
        assert_eq!(
            spans,
            vec![
                (0, 2),
                (2, 3),
                (3, 4),
                (4, 5),
                (5, 7),
                (7, 8),
                (9, 11),
                (12, 14),
                (14, 14)
            ]
        );
        assert_eq!(
            kinds("a<=b>=c<d>e"),
            vec![
                TokenKind::Ident("a".into()),
                TokenKind::Le,
                TokenKind::Ident("b".into()),
                TokenKind::Ge,
                TokenKind::Ident("c".into()),
                TokenKind::Lt,
                TokenKind::Ident("d".into()),
                TokenKind::Gt,
                TokenKind::Ident("e".into()),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn redundant_parentheses_are_two_pairs_around_one_thing() {
        let at = |text: &str| redundant_parentheses(&tokenize(text).unwrap()).map(|s| s.start);
        assert_eq!(at("((#a)) = :v"), Some(1));
        assert_eq!(at("#a = :v AND ((#b = :w))"), Some(13));
        assert_eq!(at("NOT ((#a = :v))"), Some(5));
        assert_eq!(at("#a between ((:lo)) and :hi"), Some(12));
        assert_eq!(at("SET #a = ((:v))"), Some(10));
        assert_eq!(at("size(((#a))) > :v"), Some(6));
        for fine in [
            "((#a) = :v)",
            "((#a = :v) AND #b = :w)",
            "(#a = :v) AND (#b = :w)",
            "size((#a)) > :v",
            "begins_with((#a), (:v))",
            "#a IN ((:x))",
            "(((#a <> :v) AND (#b <> :w)) AND (#c = :x))",
            "SET #a = list_append((:v), #b)",
            "((#a) = :v OR #b = :w)",
        ] {
            assert_eq!(at(fine), None, "{fine}");
        }
    }

    #[test]
    fn errors_carry_positions() {
        let pos = |t: &str| match tokenize(t) {
            Err(CoreError::Expression { position, .. }) => position,
            other => panic!("{other:?}"),
        };
        assert_eq!(pos("a = é"), 4);
        assert_eq!(pos("a = # "), 4);
        assert_eq!(pos("ab = :"), 5);
        assert_eq!(pos("x = 1abc"), 4);
        assert_eq!(pos("x[99999999999]"), 2);
    }
}
