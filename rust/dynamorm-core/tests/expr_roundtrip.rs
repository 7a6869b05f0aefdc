//! Parser/printer properties: printing any tree and parsing it back gives the
//! same tree, with or without redundant-but-legal parentheses anywhere
//! DynamoDB allows them, and the parser never panics.

use std::collections::BTreeSet;

use dynamorm_core::expr::ast::*;
use dynamorm_core::expr::lexer::{redundant_parentheses, tokenize};
use dynamorm_core::expr::printer::{strength, write_path};
use dynamorm_core::expr::{parse, print, validate, NameMap};
use proptest::prelude::*;

const KEYWORDS: [&str; 9] = [
    "and", "or", "not", "between", "in", "set", "remove", "add", "delete",
];

fn name() -> impl Strategy<Value = Name> {
    let placeholder = "#[a-zA-Z0-9_]{1,5}";
    let bare = "[a-zA-Z_][a-zA-Z0-9_]{0,5}".prop_filter("keyword", |w| {
        !KEYWORDS.contains(&w.to_ascii_lowercase().as_str())
    });
    prop_oneof![placeholder.prop_map(String::from), bare].prop_map(|text| Name {
        text,
        span: Span::default(),
    })
}

fn path() -> impl Strategy<Value = Path> {
    let element = prop_oneof![
        name().prop_map(PathElement::Field),
        (0u32..100_000).prop_map(PathElement::Index),
    ];
    (name(), prop::collection::vec(element, 0..3)).prop_map(|(root, rest)| Path {
        root,
        rest,
        span: Span::default(),
    })
}

fn value() -> impl Strategy<Value = Operand> {
    ":[a-zA-Z0-9_]{1,5}".prop_map(|text| {
        Operand::Value(ValueRef {
            text,
            span: Span::default(),
        })
    })
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        path().prop_map(Operand::Path),
        value(),
        path().prop_map(|p| Operand::Size(p, Span::default())),
    ]
}

fn comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Eq),
        Just(Comparator::Ne),
        Just(Comparator::Lt),
        Just(Comparator::Le),
        Just(Comparator::Gt),
        Just(Comparator::Ge),
    ]
}

fn leaf() -> impl Strategy<Value = Condition> {
    let span = Span::default();
    prop_oneof![
        (comparator(), operand(), operand()).prop_map(move |(op, left, right)| {
            Condition::Compare {
                op,
                left,
                right,
                span,
            }
        }),
        (operand(), operand(), operand()).prop_map(move |(operand, low, high)| {
            Condition::Between {
                operand,
                low,
                high,
                span,
            }
        }),
        (operand(), prop::collection::vec(operand(), 1..4)).prop_map(move |(operand, list)| {
            Condition::In {
                operand,
                list,
                span,
            }
        }),
        (
            prop_oneof![
                Just(Function::AttributeExists),
                Just(Function::AttributeNotExists),
                Just(Function::AttributeType),
                Just(Function::BeginsWith),
                Just(Function::Contains),
            ],
            path(),
            operand()
        )
            .prop_map(move |(function, path, arg)| Condition::Call {
                function,
                path,
                arg: (function.arity() == 2).then_some(arg),
                span,
            }),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        let span = Span::default();
        prop_oneof![
            inner
                .clone()
                .prop_map(move |c| Condition::Not(Box::new(c), span)),
            prop::collection::vec(inner.clone(), 2..4).prop_map(move |v| Condition::And(v, span)),
            prop::collection::vec(inner, 2..4).prop_map(move |v| Condition::Or(v, span)),
        ]
    })
}

fn set_term() -> impl Strategy<Value = Operand> {
    let base = prop_oneof![path().prop_map(Operand::Path), value()];
    base.prop_recursive(3, 8, 2, |inner| {
        let span = Span::default();
        prop_oneof![
            (path(), inner.clone()).prop_map(move |(p, d)| Operand::IfNotExists(
                p,
                Box::new(d),
                span
            )),
            (inner.clone(), inner).prop_map(move |(a, b)| Operand::ListAppend(
                Box::new(a),
                Box::new(b),
                span
            )),
        ]
    })
}

fn set_value() -> impl Strategy<Value = Operand> {
    let span = Span::default();
    prop_oneof![
        set_term(),
        (set_term(), set_term()).prop_map(move |(a, b)| Operand::Plus(
            Box::new(a),
            Box::new(b),
            span
        )),
        (set_term(), set_term()).prop_map(move |(a, b)| Operand::Minus(
            Box::new(a),
            Box::new(b),
            span
        )),
    ]
}

fn update() -> impl Strategy<Value = Update> {
    let span = Span::default();
    let set = prop::collection::vec(
        (path(), set_value()).prop_map(|(path, value)| SetAction { path, value }),
        1..3,
    )
    .prop_map(move |a| UpdateClause::Set(a, span));
    let remove =
        prop::collection::vec(path(), 1..3).prop_map(move |p| UpdateClause::Remove(p, span));
    let add = prop::collection::vec((path(), value()), 1..3)
        .prop_map(move |p| UpdateClause::Add(p, span));
    let delete = prop::collection::vec((path(), value()), 1..3)
        .prop_map(move |p| UpdateClause::Delete(p, span));
    (
        prop::option::of(set),
        prop::option::of(remove),
        prop::option::of(add),
        prop::option::of(delete),
        any::<prop::sample::Index>(),
    )
        .prop_filter_map("no clause", |(s, r, a, d, rot)| {
            let mut clauses: Vec<_> = [s, r, a, d].into_iter().flatten().collect();
            if clauses.is_empty() {
                return None;
            }
            let n = rot.index(clauses.len());
            clauses.rotate_left(n);
            Some(Update { clauses })
        })
}

/// `operand` in parentheses, and every operand inside it too.
fn paren_operand(operand: &Operand) -> String {
    let inner = match operand {
        Operand::Path(p) => paren_path(p),
        Operand::Value(v) => v.text.clone(),
        Operand::Size(p, _) => format!("size({})", paren_path(p)),
        Operand::IfNotExists(p, d, _) => {
            format!("if_not_exists({}, {})", paren_path(p), paren_operand(d))
        }
        Operand::ListAppend(a, b, _) => {
            format!("list_append({}, {})", paren_operand(a), paren_operand(b))
        }
        Operand::Plus(a, b, _) => format!("{} + {}", paren_operand(a), paren_operand(b)),
        Operand::Minus(a, b, _) => format!("{} - {}", paren_operand(a), paren_operand(b)),
    };
    format!("({inner})")
}

fn paren_path(path: &Path) -> String {
    let mut out = String::from("(");
    write_path(&mut out, path);
    out.push(')');
    out
}

/// A condition printed with every operand, every function argument and
/// every sub-condition in parentheses.
fn paren_condition(cond: &Condition) -> String {
    match cond {
        Condition::Compare {
            op, left, right, ..
        } => format!(
            "{} {} {}",
            paren_operand(left),
            op.symbol(),
            paren_operand(right)
        ),
        Condition::Between {
            operand, low, high, ..
        } => format!(
            "{} BETWEEN {} AND {}",
            paren_operand(operand),
            paren_operand(low),
            paren_operand(high)
        ),
        Condition::In { operand, list, .. } => {
            let list: Vec<String> = list.iter().map(paren_operand).collect();
            format!("{} IN ({})", paren_operand(operand), list.join(", "))
        }
        Condition::Call {
            function,
            path,
            arg,
            ..
        } => match arg {
            Some(arg) => format!(
                "{}({}, {})",
                function.name(),
                paren_path(path),
                paren_operand(arg)
            ),
            None => format!("{}({})", function.name(), paren_path(path)),
        },
        Condition::Not(inner, _) => format!("NOT ({})", paren_condition(inner)),
        Condition::And(items, _) | Condition::Or(items, _) => {
            let joiner = if matches!(cond, Condition::And(..)) {
                " AND "
            } else {
                " OR "
            };
            let items: Vec<String> = items
                .iter()
                .map(|c| format!("({})", paren_condition(c)))
                .collect();
            items.join(joiner)
        }
    }
}

/// An update printed with every `SET` value and every operand in it in
/// parentheses.
fn paren_update(update: &Update) -> String {
    let mut out = String::new();
    for clause in &update.clauses {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(clause.keyword());
        out.push(' ');
        let parts: Vec<String> = match clause {
            UpdateClause::Set(actions, _) => actions
                .iter()
                .map(|a| {
                    let mut text = String::new();
                    write_path(&mut text, &a.path);
                    format!("{text} = ({})", paren_operand(&a.value))
                })
                .collect(),
            other => vec![print(&Expression::Update(Update {
                clauses: vec![other.clone()],
            }))[other.keyword().len() + 1..]
                .to_owned()],
        };
        out.push_str(&parts.join(", "));
    }
    out
}

/// Prints trees with single parentheses wherever DynamoDB allows one pair,
/// each pair there or not as `coin` says; the pair numbered `double_at` (in
/// printing order, counting the pairs precedence needs) is written twice,
/// which DynamoDB calls redundant.
struct Parens<'c> {
    coin: &'c [bool],
    flips: usize,
    pairs: usize,
    double_at: Option<usize>,
    out: String,
}

impl<'c> Parens<'c> {
    fn new(coin: &'c [bool], double_at: Option<usize>) -> Self {
        Parens {
            coin,
            flips: 0,
            pairs: 0,
            double_at,
            out: String::new(),
        }
    }

    fn flip(&mut self) -> bool {
        let heads = self.coin[self.flips % self.coin.len()];
        self.flips += 1;
        heads
    }

    /// `inner` in one pair of parentheses (two if it is the doubled one).
    fn pair(&mut self, inner: impl FnOnce(&mut Self)) {
        let twice = self.double_at == Some(self.pairs);
        self.pairs += 1;
        self.out.push_str(if twice { "((" } else { "(" });
        inner(self);
        self.out.push_str(if twice { "))" } else { ")" });
    }

    /// `inner`, in parentheses when `needed` or when the coin says so.
    fn maybe(&mut self, needed: bool, inner: impl FnOnce(&mut Self)) {
        if needed || self.flip() {
            self.pair(inner);
        } else {
            inner(self);
        }
    }

    fn path(&mut self, path: &Path) {
        write_path(&mut self.out, path);
    }

    fn operand(&mut self, operand: &Operand) {
        match operand {
            Operand::Path(p) => self.maybe(false, |me| me.path(p)),
            Operand::Value(v) => self.maybe(false, |me| me.out.push_str(&v.text)),
            Operand::Size(p, _) => self.maybe(false, |me| {
                me.out.push_str("size(");
                me.maybe(false, |me| me.path(p));
                me.out.push(')');
            }),
            Operand::IfNotExists(p, default, _) => self.maybe(false, |me| {
                me.out.push_str("if_not_exists(");
                me.maybe(false, |me| me.path(p));
                me.out.push_str(", ");
                me.operand(default);
                me.out.push(')');
            }),
            Operand::ListAppend(a, b, _) => self.maybe(false, |me| {
                me.out.push_str("list_append(");
                me.operand(a);
                me.out.push_str(", ");
                me.operand(b);
                me.out.push(')');
            }),
            Operand::Plus(..) | Operand::Minus(..) => unreachable!("sums are SET values"),
        }
    }

    /// `cond`, in parentheses when it binds looser than `min` or when the
    /// coin says so.
    fn condition(&mut self, cond: &Condition, min: u8) {
        self.maybe(strength(cond) < min, |me| match cond {
            Condition::Compare {
                op, left, right, ..
            } => {
                me.operand(left);
                me.out.push_str(&format!(" {} ", op.symbol()));
                me.operand(right);
            }
            Condition::Between {
                operand, low, high, ..
            } => {
                me.operand(operand);
                me.out.push_str(" BETWEEN ");
                me.operand(low);
                me.out.push_str(" AND ");
                me.operand(high);
            }
            Condition::In { operand, list, .. } => {
                me.operand(operand);
                me.out.push_str(" IN (");
                for (i, item) in list.iter().enumerate() {
                    if i > 0 {
                        me.out.push_str(", ");
                    }
                    me.operand(item);
                }
                me.out.push(')');
            }
            Condition::Call {
                function,
                path,
                arg,
                ..
            } => {
                me.out.push_str(function.name());
                me.out.push('(');
                me.maybe(false, |me| me.path(path));
                if let Some(arg) = arg {
                    me.out.push_str(", ");
                    me.operand(arg);
                }
                me.out.push(')');
            }
            Condition::Not(inner, _) => {
                me.out.push_str("NOT ");
                me.condition(inner, 3);
            }
            Condition::And(items, _) | Condition::Or(items, _) => {
                let (joiner, min) = if matches!(cond, Condition::And(..)) {
                    (" AND ", 3)
                } else {
                    (" OR ", 2)
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        me.out.push_str(joiner);
                    }
                    me.condition(item, min);
                }
            }
        });
    }

    /// A `SET` value: a sum may be in parentheses and so may each of its
    /// terms; a lone term takes one pair at most (two would be redundant).
    fn set_value(&mut self, value: &Operand) {
        match value {
            Operand::Plus(a, b, _) | Operand::Minus(a, b, _) => self.maybe(false, |me| {
                me.operand(a);
                me.out.push_str(if matches!(value, Operand::Plus(..)) {
                    " + "
                } else {
                    " - "
                });
                me.operand(b);
            }),
            term => self.operand(term),
        }
    }

    fn update(&mut self, update: &Update) {
        for (i, clause) in update.clauses.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            match clause {
                UpdateClause::Set(actions, _) => {
                    self.out.push_str("SET ");
                    for (j, action) in actions.iter().enumerate() {
                        if j > 0 {
                            self.out.push_str(", ");
                        }
                        write_path(&mut self.out, &action.path);
                        self.out.push_str(" = ");
                        self.set_value(&action.value);
                    }
                }
                // REMOVE, ADD and DELETE take no parentheses.
                other => {
                    let clause = Update {
                        clauses: vec![other.clone()],
                    };
                    self.out.push_str(&print(&Expression::Update(clause)));
                }
            }
        }
    }
}

/// `print` for [`Parens`]: the text, and how many pairs it holds.
fn with_parens(expr: &Expression, coin: &[bool], double_at: Option<usize>) -> (String, usize) {
    let mut printer = Parens::new(coin, double_at);
    match expr {
        Expression::Condition(c) | Expression::KeyCondition(c) => printer.condition(c, 0),
        Expression::Update(u) => printer.update(u),
        Expression::Projection(_) => unreachable!("projections take no parentheses"),
    }
    (printer.out, printer.pairs)
}

/// Checks `expr` printed with coin-chosen single parentheses parses back to
/// `expr` and holds nothing redundant; then that doubling any one of its
/// pairs still parses to `expr` but is redundant.
fn check_parenthesised(expr: &Expression, coin: &[bool], pick: prop::sample::Index) {
    let kind = expr.kind();
    let (text, pairs) = with_parens(expr, coin, None);
    let tree = parse(&text, Some(kind)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(&tree, expr, "{text:?}");
    let tokens = tokenize(&text).unwrap();
    assert_eq!(redundant_parentheses(&tokens), None, "{text:?}");
    if pairs == 0 {
        return;
    }
    let (doubled, _) = with_parens(expr, coin, Some(pick.index(pairs)));
    let tree = parse(&doubled, Some(kind)).unwrap_or_else(|e| panic!("{doubled:?}: {e}"));
    assert_eq!(&tree, expr, "{doubled:?}");
    let tokens = tokenize(&doubled).unwrap();
    assert!(redundant_parentheses(&tokens).is_some(), "{doubled:?}");
}

/// Key conditions on a table keyed `pk`, `sk`: a partition-key `=` and
/// maybe a sort-key part, in either order, either side of each comparison.
fn key_condition() -> impl Strategy<Value = Condition> {
    let span = Span::default();
    let key = |name: &'static str| {
        prop_oneof![Just(format!("#{name}")), Just(name.to_owned())].prop_map(move |text| Path {
            root: Name { text, span },
            rest: vec![],
            span,
        })
    };
    let value = move |text: &'static str| {
        Operand::Value(ValueRef {
            text: text.to_owned(),
            span,
        })
    };
    let compare = move |op, key: Path, v: &'static str, value_first: bool| {
        let (left, right) = if value_first {
            (value(v), Operand::Path(key))
        } else {
            (Operand::Path(key), value(v))
        };
        Condition::Compare {
            op,
            left,
            right,
            span,
        }
    };
    let partition = (key("pk"), any::<bool>())
        .prop_map(move |(k, first)| compare(Comparator::Eq, k, ":p", first));
    let sort = prop_oneof![
        (
            prop_oneof![
                Just(Comparator::Eq),
                Just(Comparator::Lt),
                Just(Comparator::Le),
                Just(Comparator::Gt),
                Just(Comparator::Ge),
            ],
            key("sk"),
            any::<bool>()
        )
            .prop_map(move |(op, k, first)| compare(op, k, ":s", first)),
        key("sk").prop_map(move |k| Condition::Between {
            operand: Operand::Path(k),
            low: value(":lo"),
            high: value(":hi"),
            span,
        }),
        key("sk").prop_map(move |path| Condition::Call {
            function: Function::BeginsWith,
            path,
            arg: Some(value(":s")),
            span,
        }),
    ];
    (partition, prop::option::of(sort), any::<bool>()).prop_map(
        move |(partition, sort, sort_first)| match sort {
            None => partition,
            Some(sort) if sort_first => Condition::And(vec![sort, partition], span),
            Some(sort) => Condition::And(vec![partition, sort], span),
        },
    )
}

/// The `#x` / `:x` placeholders of `text`.
fn placeholders(text: &str, sigil: char) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == sigil))
        .filter(|w| w.len() > 1 && w.starts_with(sigil))
        .map(str::to_owned)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn conditions_with_random_single_parentheses_parse_to_the_same_tree(
        cond in condition(),
        coin in prop::collection::vec(any::<bool>(), 1..64),
        pick in any::<prop::sample::Index>(),
    ) {
        check_parenthesised(&Expression::Condition(cond), &coin, pick);
    }

    #[test]
    fn updates_with_random_single_parentheses_parse_to_the_same_tree(
        update in update(),
        coin in prop::collection::vec(any::<bool>(), 1..64),
        pick in any::<prop::sample::Index>(),
    ) {
        check_parenthesised(&Expression::Update(update), &coin, pick);
    }

    #[test]
    fn key_conditions_in_any_order_with_random_single_parentheses_validate(
        cond in key_condition(),
        coin in prop::collection::vec(any::<bool>(), 1..64),
        pick in any::<prop::sample::Index>(),
    ) {
        let expr = Expression::KeyCondition(cond);
        check_parenthesised(&expr, &coin, pick);
        let (text, _) = with_parens(&expr, &coin, None);
        let names: NameMap = placeholders(&text, '#')
            .into_iter()
            .map(|p| (p.clone(), p[1..].to_owned()))
            .collect();
        let values = placeholders(&text, ':');
        let keys = ["pk".to_owned(), "sk".to_owned()];
        let checked = validate(
            &text,
            Some(Kind::KeyCondition),
            Some(&names),
            Some(&values),
            Some(&keys),
        );
        prop_assert!(checked.is_ok(), "{}: {:?}", text, checked);
    }

    #[test]
    fn parenthesised_operands_parse_to_the_same_condition(cond in condition()) {
        let text = paren_condition(&cond);
        let expr = Expression::Condition(cond);
        prop_assert_eq!(&parse(&text, Some(Kind::Condition)).unwrap(), &expr, "{}", text);
    }

    #[test]
    fn parenthesised_set_values_parse_to_the_same_update(update in update()) {
        let text = paren_update(&update);
        let expr = Expression::Update(update);
        prop_assert_eq!(&parse(&text, Some(Kind::Update)).unwrap(), &expr, "{}", text);
    }

    #[test]
    fn condition_round_trips(cond in condition()) {
        let expr = Expression::Condition(cond);
        let text = print(&expr);
        prop_assert_eq!(&parse(&text, Some(Kind::Condition)).unwrap(), &expr, "{}", text);
        prop_assert_eq!(&parse(&text, None).unwrap(), &expr, "{}", text);
    }

    #[test]
    fn update_round_trips(update in update()) {
        let expr = Expression::Update(update);
        let text = print(&expr);
        prop_assert_eq!(&parse(&text, Some(Kind::Update)).unwrap(), &expr, "{}", text);
        prop_assert_eq!(&parse(&text, None).unwrap(), &expr, "{}", text);
    }

    #[test]
    fn projection_round_trips(paths in prop::collection::vec(path(), 1..4)) {
        let expr = Expression::Projection(paths);
        let text = print(&expr);
        prop_assert_eq!(&parse(&text, Some(Kind::Projection)).unwrap(), &expr, "{}", text);
        prop_assert_eq!(&parse(&text, None).unwrap(), &expr, "{}", text);
    }

    #[test]
    fn parser_never_panics_on_any_string(text in "\\PC{0,60}") {
        for kind in [None, Some(Kind::Condition), Some(Kind::KeyCondition), Some(Kind::Update), Some(Kind::Projection)] {
            let _ = parse(&text, kind);
        }
    }

    #[test]
    fn parser_never_panics_on_token_soup(
        words in prop::collection::vec(
            prop_oneof![
                Just("("), Just(")"), Just("["), Just("]"), Just(","), Just("."), Just("="),
                Just("<>"), Just("<"), Just(">="), Just("+"), Just("-"), Just("AND"), Just("or"),
                Just("NOT"), Just("BETWEEN"), Just("IN"), Just("SET"), Just("REMOVE"), Just("ADD"),
                Just("DELETE"), Just("size"), Just("begins_with"), Just("if_not_exists"),
                Just("list_append"), Just("attribute_exists"), Just("a"), Just("#b"), Just(":c"),
                Just("3"), Just("é"), Just("#"), Just(":"),
            ],
            0..30,
        )
    ) {
        let text = words.join(" ");
        for kind in [None, Some(Kind::Condition), Some(Kind::KeyCondition), Some(Kind::Update), Some(Kind::Projection)] {
            let _ = parse(&text, kind);
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}a = :v{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&text, None).is_err());
    let text = format!("{}a = :v", "NOT ".repeat(100_000));
    assert!(parse(&text, None).is_err());
    let text = format!(
        "SET a = {}:v{}",
        "list_append(".repeat(50_000),
        ", :w)".repeat(50_000)
    );
    assert!(parse(&text, None).is_err());
}

#[test]
fn precedence_is_dynamodb_s() {
    let text = "a = :a OR NOT b = :b AND c BETWEEN :lo AND :hi";
    let Expression::Condition(Condition::Or(items, _)) = parse(text, None).unwrap() else {
        panic!("top level must be OR");
    };
    assert!(matches!(items[0], Condition::Compare { .. }));
    let Condition::And(ands, _) = &items[1] else {
        panic!("AND binds tighter than OR")
    };
    assert!(matches!(ands[0], Condition::Not(..)));
    assert!(matches!(ands[1], Condition::Between { .. }));
    // Keywords are case-insensitive; the printer normalises them.
    let tree = parse("a = :a or not (b = :b and c in (:x, :y))", None).unwrap();
    assert_eq!(print(&tree), "a = :a OR NOT (b = :b AND c IN (:x, :y))");
}

#[test]
fn spans_point_into_the_text() {
    let Expression::Condition(Condition::Compare {
        left, right, span, ..
    }) = parse("  #a.b[2] >= :v", None).unwrap()
    else {
        panic!()
    };
    assert_eq!((left.span().start, left.span().end), (2, 9));
    assert_eq!((right.span().start, right.span().end), (13, 15));
    assert_eq!((span.start, span.end), (2, 15));
}
