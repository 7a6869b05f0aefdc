//! Helpers for the evaluators' tests: expressions parsed from text, items
//! and values from DynamoDB JSON.

use serde_json::Value;

use super::{Env, Names};
use crate::expr::ast::{Condition, Expression, Kind, Path, Update};
use crate::expr::parse;
use crate::memory::item::{read_item, Item};

/// An item from DynamoDB JSON.
pub fn item(json: Value) -> Item {
    read_item(&json, "Item").unwrap()
}

/// Names and values from JSON (`{"#a": "a"}`, `{":v": {"S": "x"}}`).
pub struct Request {
    pub names: Names,
    pub values: Item,
}

impl Request {
    pub fn new(names: Value, values: Value) -> Self {
        Request {
            names: serde_json::from_value(names).unwrap(),
            values: item(values),
        }
    }

    pub fn env(&self) -> Env<'_> {
        Env {
            names: &self.names,
            values: &self.values,
            param: "ConditionExpression",
        }
    }
}

pub fn condition(text: &str) -> Condition {
    match parse(text, Some(Kind::Condition)).unwrap() {
        Expression::Condition(c) => c,
        other => panic!("not a condition: {other:?}"),
    }
}

pub fn update(text: &str) -> Update {
    match parse(text, Some(Kind::Update)).unwrap() {
        Expression::Update(u) => u,
        other => panic!("not an update: {other:?}"),
    }
}

pub fn projection(text: &str) -> Vec<Path> {
    match parse(text, Some(Kind::Projection)).unwrap() {
        Expression::Projection(p) => p,
        other => panic!("not a projection: {other:?}"),
    }
}
