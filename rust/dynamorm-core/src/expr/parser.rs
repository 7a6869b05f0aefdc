//! Recursive-descent parser for the four expression kinds.
//!
//! Precedence (DynamoDB's): comparisons, `BETWEEN`, `IN` and functions bind
//! tightest, then `NOT`, then `AND`, then `OR`. Keywords are case-insensitive;
//! function names are not (as in DynamoDB). The parser never panics: nesting
//! is bounded so hostile input cannot exhaust the stack.
//!
//! Operands may be parenthesised, as DynamoDB allows: `(#a) = :v`,
//! `begins_with((#a), (:v))`, `SET #a = (:v)`, `SET #a = (#b + :v)`; a path
//! in parentheses is an operand, not the head of a longer path
//! (`(#a.#b).#c` is a syntax error, as in DynamoDB's grammar). The
//! parentheses carry no meaning, so the tree does not keep them and the
//! printer leaves them out. Two pairs around the same thing, `((#a)) = :v`,
//! parse too; DynamoDB refuses them, and so does
//! [`validate`](super::validate::validate), through
//! [`redundant_parentheses`](super::lexer::redundant_parentheses).

use super::ast::*;
use super::keycond::check_key_condition;
use super::lexer::{tokenize, Token, TokenKind};
use crate::error::{CoreError, CoreResult};

/// Deepest nesting of parentheses / `NOT` / functions accepted.
const MAX_DEPTH: usize = 64;
/// DynamoDB's limit on the operands of `IN`.
pub const MAX_IN_OPERANDS: usize = 100;

const CONDITION_KEYWORDS: [&str; 5] = ["AND", "OR", "NOT", "BETWEEN", "IN"];
const UPDATE_KEYWORDS: [&str; 4] = ["SET", "REMOVE", "ADD", "DELETE"];

/// Parses `text` as an expression of `kind`, or detects the kind when `None`:
/// an update when it starts with an update keyword, else a condition, else a
/// projection.
pub fn parse(text: &str, kind: Option<Kind>) -> CoreResult<Expression> {
    parse_tokens(&tokenize(text)?, kind)
}

/// [`parse`] on the tokens of a text, for callers that look at the tokens
/// too.
pub(crate) fn parse_tokens(tokens: &[Token], kind: Option<Kind>) -> CoreResult<Expression> {
    match kind {
        Some(Kind::Condition) => Parser::new(tokens).condition().map(Expression::Condition),
        Some(Kind::KeyCondition) => {
            let cond = Parser::new(tokens).condition()?;
            check_key_condition(&cond)?;
            Ok(Expression::KeyCondition(cond))
        }
        Some(Kind::Update) => Parser::new(tokens).update().map(Expression::Update),
        Some(Kind::Projection) => Parser::new(tokens).projection().map(Expression::Projection),
        None => {
            if let TokenKind::Ident(word) = &tokens[0].kind {
                if is_keyword(word, &UPDATE_KEYWORDS) {
                    return Parser::new(tokens).update().map(Expression::Update);
                }
            }
            let cond_err = match Parser::new(tokens).condition() {
                Ok(cond) => return Ok(Expression::Condition(cond)),
                Err(e) => e,
            };
            match Parser::new(tokens).projection() {
                Ok(paths) => Ok(Expression::Projection(paths)),
                Err(proj_err) if position(&proj_err) > position(&cond_err) => Err(proj_err),
                Err(_) => Err(cond_err),
            }
        }
    }
}

fn position(err: &CoreError) -> usize {
    match err {
        CoreError::Expression { position, .. } => *position,
        _ => 0,
    }
}

fn is_keyword(word: &str, set: &[&str]) -> bool {
    set.iter().any(|k| k.eq_ignore_ascii_case(word))
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

impl<'t> Parser<'t> {
    fn new(tokens: &'t [Token]) -> Self {
        Parser {
            tokens,
            pos: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> &'t Token {
        // `tokenize` always ends with `End`, and `advance` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, offset: usize) -> &'t Token {
        &self.tokens[(self.pos + offset).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> &'t Token {
        let token = self.peek();
        if token.kind != TokenKind::End {
            self.pos += 1;
        }
        token
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Ident(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn error<T>(&self, expected: &str) -> CoreResult<T> {
        let token = self.peek();
        Err(CoreError::expression(
            format!(
                "syntax error at position {}: expected {expected}, found {}",
                token.span.start,
                token.kind.describe()
            ),
            token.span.start,
        ))
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> CoreResult<&'t Token> {
        if self.peek().kind == kind {
            Ok(self.advance())
        } else {
            self.error(expected)
        }
    }

    fn expect_end(&self) -> CoreResult<()> {
        if self.peek().kind == TokenKind::End {
            Ok(())
        } else {
            self.error("the end of the expression")
        }
    }

    fn enter(&mut self) -> CoreResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let at = self.peek().span.start;
            return Err(CoreError::expression(
                format!("expression nested more than {MAX_DEPTH} levels deep at position {at}"),
                at,
            ));
        }
        Ok(())
    }

    // ---- conditions -------------------------------------------------------

    fn condition(&mut self) -> CoreResult<Condition> {
        let cond = self.or()?;
        self.expect_end()?;
        Ok(cond)
    }

    fn or(&mut self) -> CoreResult<Condition> {
        let first = self.and()?;
        if !self.at_keyword("OR") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.at_keyword("OR") {
            self.advance();
            items.push(self.and()?);
        }
        let span = items[0].span().to(items[items.len() - 1].span());
        Ok(Condition::Or(items, span))
    }

    fn and(&mut self) -> CoreResult<Condition> {
        let first = self.not()?;
        if !self.at_keyword("AND") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.at_keyword("AND") {
            self.advance();
            items.push(self.not()?);
        }
        let span = items[0].span().to(items[items.len() - 1].span());
        Ok(Condition::And(items, span))
    }

    fn not(&mut self) -> CoreResult<Condition> {
        if self.at_keyword("NOT") {
            let start = self.advance().span;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            let span = start.to(inner.span());
            return Ok(Condition::Not(Box::new(inner), span));
        }
        self.primary()
    }

    fn primary(&mut self) -> CoreResult<Condition> {
        let token = self.peek();
        if token.kind == TokenKind::LParen {
            // `(` opens either a group, `(a = :v)`, or a parenthesised
            // operand, `(a) = :v`; no text is both. Groups are what the
            // compiler writes, so they are tried first.
            let (pos, depth) = (self.pos, self.depth);
            let group_err = match self.group() {
                Ok(inner) => return Ok(inner),
                Err(err) => err,
            };
            (self.pos, self.depth) = (pos, depth);
            return self.comparison().map_err(|operand_err| {
                if position(&operand_err) > position(&group_err) {
                    operand_err
                } else {
                    group_err
                }
            });
        }
        if let TokenKind::Ident(word) = &token.kind {
            if self.peek_at(1).kind == TokenKind::LParen {
                if let Some(function) = Function::from_name(word) {
                    return self.call(function);
                }
            }
        }
        self.comparison()
    }

    /// `( condition )`.
    fn group(&mut self) -> CoreResult<Condition> {
        self.advance();
        self.enter()?;
        let inner = self.or()?;
        self.depth -= 1;
        self.expect(TokenKind::RParen, "')'")?;
        Ok(inner)
    }

    /// `operand comparator operand`, `operand BETWEEN operand AND operand`
    /// or `operand IN (operand, ...)`.
    fn comparison(&mut self) -> CoreResult<Condition> {
        let left = self.operand()?;
        let token = self.peek();
        let op = match &token.kind {
            TokenKind::Eq => Comparator::Eq,
            TokenKind::Ne => Comparator::Ne,
            TokenKind::Lt => Comparator::Lt,
            TokenKind::Le => Comparator::Le,
            TokenKind::Gt => Comparator::Gt,
            TokenKind::Ge => Comparator::Ge,
            TokenKind::Ident(w) if w.eq_ignore_ascii_case("BETWEEN") => {
                self.advance();
                let low = self.operand()?;
                if !self.at_keyword("AND") {
                    return self.error("AND after the low bound of BETWEEN");
                }
                self.advance();
                let high = self.operand()?;
                let span = left.span().to(high.span());
                return Ok(Condition::Between {
                    operand: left,
                    low,
                    high,
                    span,
                });
            }
            TokenKind::Ident(w) if w.eq_ignore_ascii_case("IN") => {
                self.advance();
                self.expect(TokenKind::LParen, "'(' after IN")?;
                let mut list = vec![self.operand()?];
                while self.peek().kind == TokenKind::Comma {
                    self.advance();
                    if list.len() == MAX_IN_OPERANDS {
                        let at = self.peek().span.start;
                        return Err(CoreError::expression(
                            format!("IN takes at most {MAX_IN_OPERANDS} operands (position {at})"),
                            at,
                        ));
                    }
                    list.push(self.operand()?);
                }
                let close = self.expect(TokenKind::RParen, "',' or ')' in the IN list")?;
                let span = left.span().to(close.span);
                return Ok(Condition::In {
                    operand: left,
                    list,
                    span,
                });
            }
            _ => return self.error("a comparison operator, BETWEEN or IN"),
        };
        self.advance();
        let right = self.operand()?;
        let span = left.span().to(right.span());
        Ok(Condition::Compare {
            op,
            left,
            right,
            span,
        })
    }

    fn call(&mut self, function: Function) -> CoreResult<Condition> {
        let start = self.advance().span;
        self.advance(); // '('
        let path = self.parenthesised(Self::path)?;
        let arg = if function.arity() == 2 {
            self.expect(TokenKind::Comma, "',' and a second argument")?;
            Some(self.operand()?)
        } else {
            None
        };
        let close = self.expect(TokenKind::RParen, "')'")?;
        Ok(Condition::Call {
            function,
            path,
            arg,
            span: start.to(close.span),
        })
    }

    /// `inner`, or `inner` in any number of parentheses.
    fn parenthesised<T>(&mut self, inner: fn(&mut Self) -> CoreResult<T>) -> CoreResult<T> {
        if self.peek().kind != TokenKind::LParen {
            return inner(self);
        }
        self.advance();
        self.enter()?;
        let value = self.parenthesised(inner)?;
        self.depth -= 1;
        self.expect(TokenKind::RParen, "')'")?;
        Ok(value)
    }

    /// A condition operand, possibly parenthesised.
    fn operand(&mut self) -> CoreResult<Operand> {
        self.parenthesised(Self::bare_operand)
    }

    /// A condition operand: a path, a `:value` or `size(path)`.
    fn bare_operand(&mut self) -> CoreResult<Operand> {
        let token = self.peek();
        match &token.kind {
            TokenKind::ValuePlaceholder(text) => {
                self.advance();
                Ok(Operand::Value(ValueRef {
                    text: text.clone(),
                    span: token.span,
                }))
            }
            TokenKind::Ident(word) if self.peek_at(1).kind == TokenKind::LParen => {
                if word != "size" {
                    return Err(CoreError::expression(
                        format!(
                            "unknown function '{word}' at position {}; expected one of \
                             attribute_exists, attribute_not_exists, attribute_type, \
                             begins_with, contains, size",
                            token.span.start
                        ),
                        token.span.start,
                    ));
                }
                self.advance();
                self.advance();
                let path = self.parenthesised(Self::path)?;
                let close = self.expect(TokenKind::RParen, "')'")?;
                Ok(Operand::Size(path, token.span.to(close.span)))
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }

    fn name(&mut self, what: &str) -> CoreResult<Name> {
        let token = self.peek();
        match &token.kind {
            TokenKind::NamePlaceholder(text) => {
                self.advance();
                Ok(Name {
                    text: text.clone(),
                    span: token.span,
                })
            }
            TokenKind::Ident(word)
                if !is_keyword(word, &CONDITION_KEYWORDS)
                    && !is_keyword(word, &UPDATE_KEYWORDS) =>
            {
                self.advance();
                Ok(Name {
                    text: word.clone(),
                    span: token.span,
                })
            }
            _ => self.error(what),
        }
    }

    fn path(&mut self) -> CoreResult<Path> {
        let root = self.name("an attribute path")?;
        let mut rest = Vec::new();
        let mut span = root.span;
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    let name = self.name("an attribute name after '.'")?;
                    span = span.to(name.span);
                    rest.push(PathElement::Field(name));
                }
                TokenKind::LBracket => {
                    self.advance();
                    let token = self.peek();
                    let TokenKind::Integer(index) = token.kind else {
                        return self.error("a list index");
                    };
                    self.advance();
                    let close = self.expect(TokenKind::RBracket, "']'")?;
                    span = span.to(close.span);
                    rest.push(PathElement::Index(index));
                }
                _ => break,
            }
        }
        Ok(Path { root, rest, span })
    }

    // ---- projections ------------------------------------------------------

    fn projection(&mut self) -> CoreResult<Vec<Path>> {
        let mut paths = vec![self.path()?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            paths.push(self.path()?);
        }
        self.expect_end()?;
        Ok(paths)
    }

    // ---- updates ----------------------------------------------------------

    fn update(&mut self) -> CoreResult<Update> {
        let mut clauses: Vec<UpdateClause> = Vec::new();
        loop {
            let token = self.peek();
            let keyword = match &token.kind {
                TokenKind::Ident(w) if is_keyword(w, &UPDATE_KEYWORDS) => w.to_ascii_uppercase(),
                TokenKind::End if !clauses.is_empty() => break,
                _ if clauses.is_empty() => return self.error("SET, REMOVE, ADD or DELETE"),
                _ => return self.error("SET, REMOVE, ADD, DELETE, ',' or the end"),
            };
            if clauses.iter().any(|c| c.keyword() == keyword) {
                return Err(CoreError::expression(
                    format!(
                        "the {keyword} clause appears twice in the update expression \
                         (second at position {})",
                        token.span.start
                    ),
                    token.span.start,
                ));
            }
            self.advance();
            let clause = match keyword.as_str() {
                "SET" => {
                    let actions = self.comma_list(Self::set_action)?;
                    let span = token.span.to(actions[actions.len() - 1].value.span());
                    UpdateClause::Set(actions, span)
                }
                "REMOVE" => {
                    let paths = self.comma_list(Self::path)?;
                    let span = token.span.to(paths[paths.len() - 1].span);
                    UpdateClause::Remove(paths, span)
                }
                add_or_delete => {
                    let pairs = self.comma_list(Self::path_value)?;
                    let span = token.span.to(pairs[pairs.len() - 1].1.span());
                    if add_or_delete == "ADD" {
                        UpdateClause::Add(pairs, span)
                    } else {
                        UpdateClause::Delete(pairs, span)
                    }
                }
            };
            clauses.push(clause);
        }
        Ok(Update { clauses })
    }

    fn comma_list<T>(&mut self, item: fn(&mut Self) -> CoreResult<T>) -> CoreResult<Vec<T>> {
        let mut items = vec![item(self)?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn path_value(&mut self) -> CoreResult<(Path, Operand)> {
        let path = self.path()?;
        let token = self.peek();
        let TokenKind::ValuePlaceholder(text) = &token.kind else {
            return self.error("a :value placeholder");
        };
        self.advance();
        let value = Operand::Value(ValueRef {
            text: text.clone(),
            span: token.span,
        });
        Ok((path, value))
    }

    fn set_action(&mut self) -> CoreResult<SetAction> {
        let path = self.path()?;
        self.expect(TokenKind::Eq, "'=' in the SET action")?;
        let value = self.set_value()?;
        Ok(SetAction { path, value })
    }

    /// The value of a `SET` action: `term`, `term + term` or `term - term`,
    /// any of them in parentheses. DynamoDB allows one `+` or `-` per value,
    /// so a parenthesised sum is never an operand of another.
    fn set_value(&mut self) -> CoreResult<Operand> {
        let left = self.set_term(true)?;
        let sum = matches!(left, Operand::Plus(..) | Operand::Minus(..));
        let token = self.peek();
        if !matches!(token.kind, TokenKind::Plus | TokenKind::Minus) {
            return Ok(left);
        }
        if sum {
            return Err(CoreError::expression(
                format!(
                    "a SET value takes at most one '+' or '-'; found another at position {}",
                    token.span.start
                ),
                token.span.start,
            ));
        }
        let plus = self.advance().kind == TokenKind::Plus;
        let right = self.set_term(false)?;
        let span = left.span().to(right.span());
        Ok(if plus {
            Operand::Plus(Box::new(left), Box::new(right), span)
        } else {
            Operand::Minus(Box::new(left), Box::new(right), span)
        })
    }

    /// A `SET` operand without `+`/`-`: path, value, `if_not_exists(..)` or
    /// `list_append(..)`, possibly parenthesised. With `whole_value` the
    /// parentheses may hold a whole `SET` value (`(#a + :v)`).
    fn set_term(&mut self, whole_value: bool) -> CoreResult<Operand> {
        let token = self.peek();
        if token.kind == TokenKind::LParen {
            self.advance();
            self.enter()?;
            let inner = if whole_value {
                self.set_value()?
            } else {
                self.set_term(false)?
            };
            self.depth -= 1;
            self.expect(TokenKind::RParen, "')'")?;
            return Ok(inner);
        }
        match &token.kind {
            TokenKind::ValuePlaceholder(text) => {
                self.advance();
                Ok(Operand::Value(ValueRef {
                    text: text.clone(),
                    span: token.span,
                }))
            }
            TokenKind::Ident(word) if self.peek_at(1).kind == TokenKind::LParen => {
                let is_ine = word == "if_not_exists";
                if !is_ine && word != "list_append" {
                    return Err(CoreError::expression(
                        format!(
                            "unknown function '{word}' at position {} in a SET action; \
                             expected if_not_exists or list_append",
                            token.span.start
                        ),
                        token.span.start,
                    ));
                }
                self.advance();
                self.advance();
                self.enter()?;
                let result = if is_ine {
                    let path = self.parenthesised(Self::path)?;
                    self.expect(TokenKind::Comma, "',' and a default value")?;
                    let default = self.set_term(false)?;
                    let close = self.expect(TokenKind::RParen, "')'")?;
                    Operand::IfNotExists(path, Box::new(default), token.span.to(close.span))
                } else {
                    let a = self.set_term(false)?;
                    self.expect(TokenKind::Comma, "',' and a second list")?;
                    let b = self.set_term(false)?;
                    let close = self.expect(TokenKind::RParen, "')'")?;
                    Operand::ListAppend(Box::new(a), Box::new(b), token.span.to(close.span))
                };
                self.depth -= 1;
                Ok(result)
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }
}
