use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use proptest::prelude::*;

use super::*;

const VECTOR_JSON: &str =
    r#"{"lastKey":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}},"index":"gsi-email","sort":"ASC"}"#;
const VECTOR: &str = "eyJsYXN0S2V5Ijp7IlBLIjp7IlMiOiJVU0VSIzEifSwiU0siOnsiUyI6IlBST0ZJTEUifX0sImluZGV4IjoiZ3NpLWVtYWlsIiwic29ydCI6IkFTQyJ9";

fn vector_cursor() -> Cursor {
    Cursor {
        last_key: BTreeMap::from([
            ("SK".to_owned(), AttributeValue::S("PROFILE".to_owned())),
            ("PK".to_owned(), AttributeValue::S("USER#1".to_owned())),
        ]),
        index: Some("gsi-email".to_owned()),
        sort: Some(SortOrder::Asc),
    }
}

fn b64(json: &str) -> String {
    URL_SAFE.encode(json)
}

fn decode_err(text: &str) -> String {
    match decode(text) {
        Err(CoreError::Validation(m)) => m,
        other => panic!("{text:?}: expected a validation error, got {other:?}"),
    }
}

#[test]
fn test_vector_holds_both_ways() {
    assert_eq!(encode(&vector_cursor()).unwrap(), VECTOR);
    assert_eq!(b64(VECTOR_JSON), VECTOR);
    assert_eq!(decode(VECTOR).unwrap(), vector_cursor());
}

#[test]
fn unset_fields_are_left_out_and_binary_is_standard_base64() {
    let cursor = Cursor {
        last_key: BTreeMap::from([
            ("pk".to_owned(), AttributeValue::B(vec![0xfb, 0xff, 0x00])),
            ("n".to_owned(), AttributeValue::N("12.5".to_owned())),
        ]),
        index: None,
        sort: Some(SortOrder::Desc),
    };
    let encoded = encode(&cursor).unwrap();
    let json = String::from_utf8(URL_SAFE.decode(&encoded).unwrap()).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"lastKey":{{"n":{{"N":"12.5"}},"pk":{{"B":"{}"}}}},"sort":"DESC"}}"#,
            STANDARD.encode([0xfb, 0xff, 0x00])
        )
    );
    assert_eq!(decode(&encoded).unwrap(), cursor);
    let bare = Cursor {
        sort: None,
        index: Some(String::new()),
        ..cursor
    };
    let json = String::from_utf8(URL_SAFE.decode(encode(&bare).unwrap()).unwrap()).unwrap();
    assert!(json.ends_with("}}}"), "{json}");
}

#[test]
fn unpadded_and_html_escaped_forms_decode() {
    assert_eq!(
        decode(&URL_SAFE_NO_PAD.encode(VECTOR_JSON)).unwrap(),
        vector_cursor()
    );
    assert_eq!(decode(&format!("  {VECTOR}\n")).unwrap(), vector_cursor());
    let go_style = r#"{"lastKey":{"PK":{"S":"a\u003cb\u0026"}}}"#;
    let cursor = decode(&b64(go_style)).unwrap();
    assert_eq!(cursor.last_key["PK"], AttributeValue::S("a<b&".to_owned()));
}

#[test]
fn malformed_cursors_are_validation_errors() {
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("   ".to_owned(), "empty"),
        ("!!!!".to_owned(), "base64url"),
        (
            STANDARD.encode("{\"lastKey\":{\"PK\":{\"S\":\"??>\"}}}"),
            "base64url",
        ),
        (format!("{VECTOR}="), "base64url"),
        (URL_SAFE.encode([0xff, 0xfe, 0x00]), "UTF-8"),
        (b64("not json"), "JSON object"),
        (b64("[1, 2]"), "JSON object"),
        (b64(r#"[{"PK":{"S":"a"}}]"#), "JSON object"),
        (b64(r#"{"lastKey":{"PK":{"S":"a"}}"#), "not JSON"),
        (b64("{}"), "lastKey"),
        (b64(r#"{"lastKey":{}}"#), "must not be empty"),
        (b64(r#"{"lastKey":[]}"#), "invalid cursor"),
        (b64(r#"{"lastKey":{"PK":{"S":"a"}},"extra":1}"#), "extra"),
        (b64(r#"{"lastKey":{"PK":{"S":"a"}},"sort":"asc"}"#), "sort"),
        (b64(r#"{"lastKey":{"PK":{"S":"a"}},"sort":"UP"}"#), "sort"),
        (
            b64(r#"{"lastKey":{"PK":{"S":"a"}},"index":5}"#),
            "invalid cursor",
        ),
        (b64(r#"{"lastKey":{"PK":{"X":"a"}}}"#), "lastKey.PK"),
        (b64(r#"{"lastKey":{"PK":{"S":1}}}"#), "lastKey.PK"),
        (b64(r#"{"lastKey":{"PK":{"B":"%%"}}}"#), "lastKey.PK"),
        (b64(r#"{"lastKey":{"PK":{"N":"one"}}}"#), "lastKey.PK"),
        (b64(r#"{"lastKey":{"PK":{"BOOL":true}}}"#), "S, N or B"),
        (
            b64(r#"{"lastKey":{"PK":{"S":"a"}},"lastKey":{"PK":{"S":"b"}}}"#),
            "duplicate",
        ),
    ];
    for (text, needle) in cases {
        let message = decode_err(&text);
        assert!(message.starts_with("invalid cursor: "), "{message}");
        assert!(
            message.contains(needle),
            "{text:?}: {message:?} lacks {needle:?}"
        );
    }
}

#[test]
fn encode_rejects_what_decode_would() {
    let mut cursor = vector_cursor();
    cursor.last_key.clear();
    assert!(encode(&cursor).is_err());
    cursor
        .last_key
        .insert("PK".to_owned(), AttributeValue::L(vec![]));
    assert!(encode(&cursor)
        .unwrap_err()
        .to_string()
        .contains("last_key.PK"));
}

#[test]
fn sort_order_parses_any_case() {
    assert_eq!(SortOrder::parse("asc").unwrap(), SortOrder::Asc);
    assert_eq!(SortOrder::parse("Desc").unwrap(), SortOrder::Desc);
    assert!(SortOrder::parse("descending").is_err());
}

fn arb_key_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        any::<String>().prop_map(AttributeValue::S),
        (any::<i64>(), 0u32..4).prop_map(|(m, e)| AttributeValue::N(format!("{m}E-{e}"))),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(AttributeValue::B),
    ]
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = decode(&text);
    }

    #[test]
    fn arbitrary_base64_of_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&URL_SAFE.encode(bytes));
    }

    #[test]
    fn encode_then_decode_round_trips(
        last_key in prop::collection::btree_map(any::<String>(), arb_key_value(), 1..4),
        index in prop::option::of("[a-zA-Z0-9_.<>&-]{1,20}"),
        sort in prop::option::of(prop_oneof![Just(SortOrder::Asc), Just(SortOrder::Desc)]),
    ) {
        let cursor = Cursor { last_key, index, sort };
        let encoded = encode(&cursor).unwrap();
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        prop_assert_eq!(decode(&encoded).unwrap(), cursor);
    }
}
