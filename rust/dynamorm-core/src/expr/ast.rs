//! The syntax tree of the four DynamoDB expression kinds.
//!
//! Every node that came from the text carries a [`Span`] (byte offsets).
//! Spans are position metadata, not structure: two trees compare equal when
//! their structure is equal, wherever their nodes were found, so
//! `parse(print(tree)) == tree` holds although printing normalises spacing.

use std::fmt;

/// A byte range `start..end` in the expression text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

/// Which of DynamoDB's expression parameters a text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `ConditionExpression` / `FilterExpression`.
    Condition,
    /// `KeyConditionExpression`.
    KeyCondition,
    /// `UpdateExpression`.
    Update,
    /// `ProjectionExpression`.
    Projection,
}

impl Kind {
    /// Parses `"condition"`, `"filter"`, `"key_condition"`, `"update"` or
    /// `"projection"`.
    pub fn from_name(name: &str) -> Option<Kind> {
        match name.to_ascii_lowercase().as_str() {
            "condition" | "filter" => Some(Kind::Condition),
            "key_condition" | "keycondition" => Some(Kind::KeyCondition),
            "update" => Some(Kind::Update),
            "projection" => Some(Kind::Projection),
            _ => None,
        }
    }

    /// The name [`Kind::from_name`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Condition => "condition",
            Kind::KeyCondition => "key_condition",
            Kind::Update => "update",
            Kind::Projection => "projection",
        }
    }
}

/// An attribute name in a path: written out (`status`) or a `#placeholder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text as written; placeholders keep their leading `#`.
    pub text: String,
    pub span: Span,
}

impl Name {
    /// Whether this is a `#placeholder`.
    pub fn is_placeholder(&self) -> bool {
        self.text.starts_with('#')
    }
}

/// One step of a document path after its first name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathElement {
    /// `.name`
    Field(Name),
    /// `[3]`
    Index(u32),
}

/// A document path: `a`, `#a.b[0].#c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub root: Name,
    pub rest: Vec<PathElement>,
    pub span: Span,
}

/// A `:value` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRef {
    /// The text as written, with its leading `:`.
    pub text: String,
    pub span: Span,
}

/// Something that has a value: a path, a value placeholder, or a function of
/// them. Conditions use `Path`, `Value` and `Size`; update `SET` actions use
/// the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Path(Path),
    Value(ValueRef),
    /// `size(path)`
    Size(Path, Span),
    /// `if_not_exists(path, operand)`
    IfNotExists(Path, Box<Operand>, Span),
    /// `list_append(a, b)`
    ListAppend(Box<Operand>, Box<Operand>, Span),
    /// `a + b` (update `SET` only)
    Plus(Box<Operand>, Box<Operand>, Span),
    /// `a - b` (update `SET` only)
    Minus(Box<Operand>, Box<Operand>, Span),
}

impl Operand {
    /// Where the operand is in the text.
    pub fn span(&self) -> Span {
        match self {
            Operand::Path(p) => p.span,
            Operand::Value(v) => v.span,
            Operand::Size(_, s)
            | Operand::IfNotExists(_, _, s)
            | Operand::ListAppend(_, _, s)
            | Operand::Plus(_, _, s)
            | Operand::Minus(_, _, s) => *s,
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    /// The operator as DynamoDB writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A boolean function of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Contains,
}

impl Function {
    /// The function's name in expressions (DynamoDB function names are
    /// case-sensitive).
    pub fn name(self) -> &'static str {
        match self {
            Function::AttributeExists => "attribute_exists",
            Function::AttributeNotExists => "attribute_not_exists",
            Function::AttributeType => "attribute_type",
            Function::BeginsWith => "begins_with",
            Function::Contains => "contains",
        }
    }

    /// The function called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "attribute_exists" => Function::AttributeExists,
            "attribute_not_exists" => Function::AttributeNotExists,
            "attribute_type" => Function::AttributeType,
            "begins_with" => Function::BeginsWith,
            "contains" => Function::Contains,
            _ => return None,
        })
    }

    /// How many arguments it takes (the first is always a path).
    pub fn arity(self) -> usize {
        match self {
            Function::AttributeExists | Function::AttributeNotExists => 1,
            _ => 2,
        }
    }
}

/// A condition (also the shape of filter and key-condition expressions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Compare {
        op: Comparator,
        left: Operand,
        right: Operand,
        span: Span,
    },
    Between {
        operand: Operand,
        low: Operand,
        high: Operand,
        span: Span,
    },
    In {
        operand: Operand,
        list: Vec<Operand>,
        span: Span,
    },
    /// A function call; the first argument is a path.
    Call {
        function: Function,
        path: Path,
        arg: Option<Operand>,
        span: Span,
    },
    Not(Box<Condition>, Span),
    /// Two or more conditions, all of which must hold.
    And(Vec<Condition>, Span),
    /// Two or more conditions, one of which must hold.
    Or(Vec<Condition>, Span),
}

impl Condition {
    /// Where the condition is in the text.
    pub fn span(&self) -> Span {
        match self {
            Condition::Compare { span, .. }
            | Condition::Between { span, .. }
            | Condition::In { span, .. }
            | Condition::Call { span, .. }
            | Condition::Not(_, span)
            | Condition::And(_, span)
            | Condition::Or(_, span) => *span,
        }
    }
}

/// `path = value` in a `SET` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAction {
    pub path: Path,
    pub value: Operand,
}

/// One clause of an update expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateClause {
    Set(Vec<SetAction>, Span),
    Remove(Vec<Path>, Span),
    Add(Vec<(Path, Operand)>, Span),
    Delete(Vec<(Path, Operand)>, Span),
}

impl UpdateClause {
    /// The clause keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            UpdateClause::Set(..) => "SET",
            UpdateClause::Remove(..) => "REMOVE",
            UpdateClause::Add(..) => "ADD",
            UpdateClause::Delete(..) => "DELETE",
        }
    }

    /// Every path the clause writes, in order.
    pub fn targets(&self) -> Vec<&Path> {
        match self {
            UpdateClause::Set(actions, _) => actions.iter().map(|a| &a.path).collect(),
            UpdateClause::Remove(paths, _) => paths.iter().collect(),
            UpdateClause::Add(pairs, _) | UpdateClause::Delete(pairs, _) => {
                pairs.iter().map(|(p, _)| p).collect()
            }
        }
    }
}

/// An update expression: its clauses in the order written (each keyword at
/// most once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub clauses: Vec<UpdateClause>,
}

/// A parsed expression of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    Condition(Condition),
    KeyCondition(Condition),
    Update(Update),
    Projection(Vec<Path>),
}

impl Expression {
    /// The kind of expression this is.
    pub fn kind(&self) -> Kind {
        match self {
            Expression::Condition(_) => Kind::Condition,
            Expression::KeyCondition(_) => Kind::KeyCondition,
            Expression::Update(_) => Kind::Update,
            Expression::Projection(_) => Kind::Projection,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
