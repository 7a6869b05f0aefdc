use super::*;

/// A small model of DynamoDB's read outputs: items of attribute values.
fn shape() -> Shape {
    let av = Node::Structure {
        members: vec![
            ("S".into(), 3),
            ("N".into(), 3),
            ("B".into(), 4),
            ("BOOL".into(), 8),
            ("NULL".into(), 8),
            ("M".into(), 1),
            ("L".into(), 9),
            ("SS".into(), 10),
        ],
        union: true,
    };
    let nodes = vec![
        Node::Structure {
            members: vec![
                ("Item".into(), 1),
                ("Count".into(), 5),
                ("LastEvaluatedKey".into(), 1),
                ("Items".into(), 6),
                ("ConsumedCapacity".into(), 7),
            ],
            union: false,
        },
        Node::Map(2),
        av,
        Node::String,
        Node::Blob,
        Node::Integer,
        Node::List(1),
        Node::Structure {
            members: vec![("TableName".into(), 3), ("CapacityUnits".into(), 11)],
            union: false,
        },
        Node::Boolean,
        Node::List(2),
        Node::List(3),
        Node::Number,
    ];
    Shape::new(nodes, 0).unwrap()
}

fn error(body: &str) -> String {
    shape().check(body.as_bytes()).unwrap_err().to_string()
}

#[test]
fn well_formed_answers_pass() {
    let shape = shape();
    for body in [
        "{}",
        " {} \n",
        r#"{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "b": {"B": "AAE="}}}"#,
        r#"{"Item": {"m": {"M": {"x": {"L": [{"NULL": true}, {"SS": ["a", "b"]}]}}}}}"#,
        r#"{"Items": [], "Count": 0, "ConsumedCapacity": {"CapacityUnits": 0.5}}"#,
        r#"{"Item": null, "Count": null}"#,
        r#"{"Item": {"pk": {"S": "a", "N": null}}}"#,
        r#"{"Item": {"pk": {"__type": "x", "S": "a"}}}"#,
        r#"{"NotInTheModel": [1, {"deep": [null]}], "Count": 3}"#,
        r#"{"Item": {"p\u006b": {"S": "\u00e9"}}}"#,
    ] {
        assert_eq!(shape.check(body.as_bytes()), Ok(()), "{body}");
    }
}

#[test]
fn an_empty_body_is_malformed() {
    assert_eq!(error(""), "an empty body");
    assert_eq!(error(" \r\n"), "an empty body");
}

#[test]
fn a_truncated_body_names_where_it_stops() {
    let message = error(r#"{"Items": [{"pk": {"S": "a"}}, {"pk": {"S": "b"#);
    assert!(
        message.starts_with("Items[1].pk.S: EOF while parsing"),
        "{message}"
    );
    assert!(error(r#"{"Item": {"#).starts_with("Item: EOF"));
    assert!(error("{").starts_with("EOF"));
}

#[test]
fn a_body_that_is_not_an_object_is_malformed() {
    assert!(error("[]").starts_with("invalid type: sequence, expected an object"));
    assert!(error("null").starts_with("invalid type: null"));
    assert!(error("\"x\"").starts_with("invalid type: string"));
    assert!(error("garbage").starts_with("expected value"));
    assert!(error("{} trailing").starts_with("trailing characters"));
}

#[test]
fn members_of_the_wrong_type_name_the_member() {
    assert!(
        error(r#"{"Item": 5}"#).starts_with("Item: invalid type: integer `5`, expected an object")
    );
    assert!(
        error(r#"{"Items": {"a": 1}}"#).starts_with("Items: invalid type: map, expected a list")
    );
    assert!(error(r#"{"Count": "3"}"#)
        .starts_with("Count: invalid type: string \"3\", expected an integer"));
    assert!(error(r#"{"Count": 1.5}"#).starts_with("Count: invalid type: floating point"));
    assert!(error(r#"{"LastEvaluatedKey": [1]}"#)
        .starts_with("LastEvaluatedKey: invalid type: sequence"));
    assert!(
        error(r#"{"Items": [{"pk": {"S": "a"}}, {"pk": {"S": 5}}]}"#)
            .starts_with("Items[1].pk.S: invalid type: integer `5`, expected a string")
    );
    assert!(error(r#"{"ConsumedCapacity": {"CapacityUnits": "1"}}"#)
        .starts_with("ConsumedCapacity.CapacityUnits: invalid type: string"));
    assert!(
        error(r#"{"Item": {"b": {"BOOL": 1}}}"#).starts_with("Item.b.BOOL: invalid type: integer")
    );
}

#[test]
fn nulls_inside_lists_and_maps_are_malformed() {
    assert!(error(r#"{"Items": [null]}"#).starts_with("Items[0]: invalid type: null"));
    assert!(error(r#"{"Item": {"pk": null}}"#).starts_with("Item.pk: invalid type: null"));
    assert!(error(r#"{"Item": {"s": {"SS": ["a", null]}}}"#)
        .starts_with("Item.s.SS[1]: invalid type: null"));
}

#[test]
fn an_attribute_value_has_exactly_one_known_type() {
    assert!(error(r#"{"Item": {"pk": {"S": "a", "N": "1"}}}"#)
        .starts_with("Item.pk: 2 members set where there must be exactly one"));
    assert!(error(r#"{"Item": {"pk": {}}}"#).starts_with("Item.pk: 0 members set"));
    assert!(error(r#"{"Item": {"pk": {"S": null}}}"#).starts_with("Item.pk: 0 members set"));
    assert!(error(r#"{"Item": {"pk": {"X": "a"}}}"#)
        .starts_with("Item.pk.X: not a member this client knows"));
}

#[test]
fn blobs_must_be_base64() {
    assert!(error(r#"{"Item": {"b": {"B": "!!"}}}"#).starts_with("Item.b.B: invalid base64"));
    assert!(error(r#"{"Item": {"b": {"B": 5}}}"#).starts_with("Item.b.B: invalid type: integer"));
}

#[test]
fn nesting_without_end_is_malformed_not_a_stack_overflow() {
    // Inside a member the model does not know too: botocore's json.loads
    // would still read it, into a RecursionError.
    let deep = format!("{{\"X\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let message = error(&deep);
    assert!(
        message.starts_with("X") && message.contains("recursion limit exceeded"),
        "{message}"
    );
    let deep = format!("{{\"X\": {}1{}}}", "{\"a\":".repeat(1000), "}".repeat(1000));
    assert!(error(&deep).contains("recursion limit exceeded"));
    let mut item = String::from(r#"{"S": "a"}"#);
    for _ in 0..200 {
        item = format!(r#"{{"M": {{"k": {item}}}}}"#);
    }
    let message = error(&format!(r#"{{"Item": {{"pk": {item}}}}}"#));
    assert!(message.contains("recursion limit exceeded"), "{message}");
}

#[test]
fn documents_as_deep_as_dynamodb_allows_pass() {
    // DynamoDB nests documents up to 32 levels (here 16 lists and 16 maps).
    let mut item = String::from(r#"{"S": "a"}"#);
    for _ in 0..16 {
        item = format!(r#"{{"L": [{{"M": {{"k": {item}}}}}]}}"#);
    }
    let body = format!(r#"{{"Items": [{{"pk": {item}}}]}}"#);
    assert_eq!(shape().check(body.as_bytes()), Ok(()));
}

#[test]
fn shapes_refuse_dangling_nodes_and_a_root_that_is_not_a_structure() {
    assert!(Shape::new(vec![Node::List(3)], 0).is_err());
    assert!(Shape::new(vec![Node::String], 0).is_err());
    assert!(Shape::new(vec![Node::String], 1).is_err());
    let dangling = Node::Structure {
        members: vec![("A".into(), 7)],
        union: false,
    };
    assert!(Shape::new(vec![dangling], 0).is_err());
}
