use proptest::prelude::*;

use super::*;

fn schema2() -> KeySchema {
    KeySchema::new(&["PK", "SK"]).unwrap()
}

fn key(pk: AttributeValue, sk: AttributeValue) -> Key {
    Key::from([("PK".to_owned(), pk), ("SK".to_owned(), sk)])
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

#[test]
fn canonical_numbers_equal_exactly_when_values_equal() {
    let same = [
        ["1", "1.0", "1E0"],
        ["+01", "10e-1", "0.1E1"],
        ["0", "-0.000", "0E99"],
        ["-1.50", "-15e-1", "-.15E1"],
        ["1200", "12E2", "1.2e+3"],
    ];
    for group in same {
        let first = canonical_number(group[0]).unwrap();
        for other in &group[1..] {
            assert_eq!(canonical_number(other).unwrap(), first, "{other}");
        }
    }
    assert_eq!(canonical_number("1.50").unwrap(), "15E-1");
    assert_eq!(canonical_number("-0").unwrap(), "0");
    assert_ne!(
        canonical_number("1").unwrap(),
        canonical_number("10").unwrap()
    );
    assert_ne!(
        canonical_number("1").unwrap(),
        canonical_number("-1").unwrap()
    );
    assert_ne!(
        canonical_number("0.1").unwrap(),
        canonical_number("1").unwrap()
    );
}

#[test]
fn malformed_numbers_are_rejected() {
    for bad in [
        "",
        "-",
        ".",
        "e1",
        "1e",
        "1e+",
        "1.2.3",
        "1,0",
        " 1",
        "1 ",
        "abc",
        "0x10",
        "NaN",
        "Infinity",
        "1e99999999999999999999",
        "--1",
        "1e-+2",
    ] {
        assert!(canonical_number(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn key_schema_is_checked() {
    assert!(KeySchema::new::<&str>(&[]).is_err());
    assert!(KeySchema::new(&["a", "b", "c"]).is_err());
    assert!(KeySchema::new(&["a", "a"]).is_err());
    assert!(KeySchema::new(&[""]).is_err());
    assert_eq!(KeySchema::new(&["pk"]).unwrap().attributes(), ["pk"]);
}

#[test]
fn canonical_key_checks_attributes_and_types() {
    let schema = schema2();
    let err = |k: &Key| match schema.canonical_key(k, "keys[0]") {
        Err(CoreError::Validation(m)) => m,
        other => panic!("expected a validation error, got {other:?}"),
    };
    let missing = Key::from([("PK".to_owned(), s("a"))]);
    assert!(err(&missing).contains("\"SK\" is missing"));
    let mut extra = key(s("a"), s("b"));
    extra.insert("other".to_owned(), s("x"));
    assert!(err(&extra).contains("\"other\" is not a key attribute"));
    let wrong_type = key(s("a"), AttributeValue::Bool(true));
    let m = err(&wrong_type);
    assert!(m.starts_with("keys[0].SK") && m.contains("BOOL"), "{m}");
    let bad_number = key(s("a"), n("x1"));
    assert!(err(&bad_number).starts_with("keys[0].SK"));
}

#[test]
fn canonical_key_tells_types_and_boundaries_apart() {
    let schema = schema2();
    let c = |k: Key| schema.canonical_key(&k, "k").unwrap();
    assert_ne!(c(key(s("1"), s("x"))), c(key(n("1"), s("x"))));
    assert_ne!(
        c(key(s("1"), s("x"))),
        c(key(AttributeValue::B(b"1".to_vec()), s("x")))
    );
    // Moving bytes across the pk/sk boundary must change the key.
    assert_ne!(c(key(s("ab"), s("c"))), c(key(s("a"), s("bc"))));
    assert_eq!(c(key(n("1.0"), s("x"))), c(key(n("1"), s("x"))));
    // Items are keyed by their key attributes only.
    let mut item = key(n("1"), s("x"));
    item.insert("payload".to_owned(), s("p"));
    assert_eq!(
        schema.canonical_item_key(&item, "item").unwrap(),
        c(key(n("1E0"), s("x")))
    );
}

#[test]
fn dedupe_keeps_first_occurrence() {
    let d = dedupe(&["a", "b", "a", "c", "b"]);
    assert_eq!(d.unique, vec![0, 1, 3]);
    assert_eq!(d.slot_of, vec![0, 1, 0, 2, 1]);
}

#[test]
fn chunk_size_is_bounded() {
    assert!(chunk(&[1, 2, 3], 0).is_err());
    assert!(chunk(&[1, 2, 3], 101).is_err());
    assert_eq!(chunk(&[1, 2, 3], 2).unwrap(), vec![vec![1, 2], vec![3]]);
    assert_eq!(chunk::<i32>(&[], 100).unwrap(), Vec::<Vec<i32>>::new());
    assert!(KeyPlan::<Key>::new(schema2(), 0).is_err());
}

#[test]
fn plan_orders_items_and_reports_missing_keys() {
    let mut plan = KeyPlan::new(schema2(), 2).unwrap();
    let keys = vec![
        key(s("a"), n("1")),
        key(s("b"), n("2")),
        key(s("a"), n("1.0")),
        key(s("c"), n("3")),
    ];
    let chunks = plan.add_keys(keys.clone()).unwrap();
    assert_eq!(
        chunks,
        vec![
            vec![keys[0].clone(), keys[1].clone()],
            vec![keys[3].clone()]
        ]
    );
    assert_eq!(plan.positions(), [0, 1, 0, 2]);
    // A later call only chunks keys not seen before.
    let again = plan.add_keys(vec![key(s("b"), n("2E0"))]).unwrap();
    assert!(again.is_empty());
    assert_eq!(plan.input_count(), 5);

    let mut found = key(s("c"), n("3"));
    found.insert("v".to_owned(), s("c-item"));
    assert!(plan.add_item(found.clone(), "items[0]").unwrap());
    let mut first = key(s("a"), n("1.00"));
    first.insert("v".to_owned(), s("a-item"));
    assert!(plan.add_item(first.clone(), "items[1]").unwrap());
    assert!(!plan.add_item(first.clone(), "items[2]").unwrap());
    assert_eq!(plan.ordered_items(), vec![&first, &found]);
    assert_eq!(plan.missing_keys(), vec![&keys[1]]);
    assert_eq!(plan.found_count(), 2);

    let stranger = key(s("z"), n("9"));
    let err = plan.add_item(stranger.clone(), "items[3]").unwrap_err();
    assert!(err.to_string().contains("items[3]"));
    assert!(plan.rechunk(&[stranger]).is_err());
}

#[test]
fn missing_positions_name_first_occurrences_of_unfound_keys_in_input_order() {
    let mut plan = KeyPlan::new(schema2(), 100).unwrap();
    let keys = vec![
        key(s("a"), n("1")),
        key(s("b"), n("2")),
        key(s("a"), n("1.0")),
        key(s("c"), n("3")),
        key(s("d"), n("4")),
    ];
    plan.add_keys(keys).unwrap();
    assert!(plan.add_item(key(s("b"), n("2")), "items[0]").unwrap());
    // Slots 3 (d), 0 (a, given twice) and 1 (b, found), out of order and repeated.
    assert_eq!(plan.missing_positions([3, 0, 1, 0]), vec![0, 4]);
    assert_eq!(plan.missing_positions([]), Vec::<usize>::new());
}

#[test]
fn first_duplicate_names_the_earliest_repeat_and_its_first_position() {
    let mut plan = KeyPlan::<Key>::new(schema2(), 100).unwrap();
    plan.add_keys(vec![key(s("a"), n("1")), key(s("b"), n("1"))])
        .unwrap();
    assert_eq!(plan.first_duplicate(), None);
    plan.add_keys(vec![
        key(s("c"), n("1")),
        key(s("b"), n("1E0")),
        key(s("a"), n("1.0")),
    ])
    .unwrap();
    assert_eq!(plan.first_duplicate(), Some((1, 3)));
}

#[test]
fn failed_add_keys_leaves_plan_unchanged() {
    let mut plan = KeyPlan::<Key>::new(schema2(), 100).unwrap();
    let err = plan
        .add_keys(vec![key(s("a"), s("b")), key(s("a"), AttributeValue::Null)])
        .unwrap_err();
    assert!(err.to_string().starts_with("keys[1].SK"), "{err}");
    assert_eq!(plan.unique_count(), 0);
    assert_eq!(plan.input_count(), 0);
}

#[test]
fn rechunk_dedupes_and_restores_input_order() {
    let mut plan = KeyPlan::<Key>::new(schema2(), 2).unwrap();
    let keys: Vec<Key> = (0..5).map(|i| key(s(&i.to_string()), n("1"))).collect();
    plan.add_keys(keys.clone()).unwrap();
    let unprocessed = vec![
        keys[4].clone(),
        key(s("1"), n("1.0")),
        keys[3].clone(),
        keys[4].clone(),
    ];
    let chunks = plan.rechunk(&unprocessed).unwrap();
    assert_eq!(
        chunks,
        vec![
            vec![keys[1].clone(), keys[3].clone()],
            vec![keys[4].clone()]
        ]
    );
}

fn arb_scalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        "[a-c]{0,3}".prop_map(AttributeValue::S),
        // Small numbers in several spellings, so equal values collide.
        (
            -3i32..3,
            prop::sample::select(vec!["", ".0", "E0", ".00e+0"])
        )
            .prop_map(|(m, suffix)| AttributeValue::N(format!("{m}{suffix}"))),
        prop::collection::vec(0u8..3, 0..3).prop_map(AttributeValue::B),
    ]
}

proptest! {
    #[test]
    fn canonical_number_is_stable_under_respelling(
        mantissa in -99_999i64..99_999,
        shift in 0u32..6,
        exp in -20i64..20,
    ) {
        // mantissa * 10^exp written three ways.
        let plain = canonical_number(&format!("{mantissa}E{exp}")).unwrap();
        let padded = canonical_number(&format!("{}E{}", mantissa * 10i64.pow(shift), exp - i64::from(shift))).unwrap();
        prop_assert_eq!(&plain, &padded);
        prop_assert_eq!(canonical_number(&plain).unwrap(), plain);
    }

    #[test]
    fn canonical_numbers_match_exactly_when_values_match(
        a in (-2_000i64..2_000, -4i64..4),
        b in (-2_000i64..2_000, -4i64..4),
        frac in prop::bool::ANY,
    ) {
        let spell = |(m, e): (i64, i64)| {
            if frac { format!("{m}.000e{e}") } else { format!("{m}E{e}") }
        };
        let low = a.1.min(b.1);
        let scaled = |(m, e): (i64, i64)| i128::from(m) * 10i128.pow((e - low) as u32);
        prop_assert_eq!(
            canonical_number(&spell(a)).unwrap() == canonical_number(&spell(b)).unwrap(),
            scaled(a) == scaled(b)
        );
    }

    #[test]
    fn plan_preserves_every_key_order_and_chunk_sizes(
        raw in prop::collection::vec((arb_scalar(), arb_scalar()), 0..250),
        chunk_size in 1usize..=100,
        found_mask in prop::collection::vec(any::<bool>(), 250),
    ) {
        let schema = schema2();
        let keys: Vec<Key> = raw.into_iter().map(|(pk, sk)| key(pk, sk)).collect();
        let mut plan = KeyPlan::new(schema.clone(), chunk_size).unwrap();
        let chunks = plan.add_keys(keys.clone()).unwrap();

        // Chunks: every chunk within bounds, all but the last full.
        for (i, c) in chunks.iter().enumerate() {
            prop_assert!(!c.is_empty() && c.len() <= chunk_size);
            if i + 1 < chunks.len() {
                prop_assert_eq!(c.len(), chunk_size);
            }
        }
        // Flattened chunks are the distinct keys, first occurrence, in order.
        let flat: Vec<Key> = chunks.concat();
        let canon = |k: &Key| schema.canonical_key(k, "k").unwrap();
        let deduped = dedupe(&keys.iter().map(canon).collect::<Vec<_>>());
        let expected: Vec<Key> = deduped.unique.iter().map(|&i| keys[i].clone()).collect();
        prop_assert_eq!(&flat, &expected);
        // Every input key is covered by the key at its slot.
        for (i, k) in keys.iter().enumerate() {
            prop_assert_eq!(canon(&flat[plan.positions()[i]]), canon(k));
        }

        // Return items for some keys, in reverse order; they come back in
        // input order and the rest are reported missing.
        let mut returned = Vec::new();
        for (slot, k) in flat.iter().enumerate().rev() {
            if found_mask[slot] {
                let mut item = k.clone();
                item.insert("slot".to_owned(), AttributeValue::N(slot.to_string()));
                returned.push(item);
            }
        }
        for (i, item) in returned.into_iter().enumerate() {
            let what = format!("items[{i}]");
            prop_assert!(plan.add_item(item, &what).unwrap());
        }
        let slots: Vec<usize> = plan
            .ordered_items()
            .iter()
            .map(|item| match &item["slot"] {
                AttributeValue::N(n) => n.parse().unwrap(),
                _ => unreachable!(),
            })
            .collect();
        let want: Vec<usize> = (0..flat.len()).filter(|&s| found_mask[s]).collect();
        prop_assert_eq!(slots, want);
        let missing: Vec<Key> = plan.missing_keys().into_iter().cloned().collect();
        let want_missing: Vec<Key> = (0..flat.len())
            .filter(|&s| !found_mask[s])
            .map(|s| flat[s].clone())
            .collect();
        prop_assert_eq!(&missing, &want_missing);
        // Re-chunking the missing keys gives them back, in order, in chunks.
        let again = plan.rechunk(&missing).unwrap();
        prop_assert!(again.iter().all(|c| !c.is_empty() && c.len() <= chunk_size));
        prop_assert_eq!(again.concat(), want_missing);
    }
}

/// The spelling rules written the direct way (strings, no buffer reuse), to
/// check the allocation-free writer against.
fn reference_canonical_number(text: &str) -> Option<String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.len() + frac_part.len() == 0 || !digits_only(int_part) || !digits_only(frac_part) {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits_only(digits) {
                return None;
            }
            e.parse().ok()?
        }
    };
    let digits = format!("{int_part}{frac_part}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some("0".to_owned());
    }
    let trimmed = significant.trim_end_matches('0');
    let shift = (frac_part.len() + trimmed.len()) as i64 - significant.len() as i64;
    let sign = if negative { "-" } else { "" };
    Some(format!("{sign}{trimmed}E{}", exponent.checked_sub(shift)?))
}

#[test]
fn number_writer_appends_and_reports_the_reason() {
    let mut out = b"x".to_vec();
    write_canonical_number("-0012.3400e+2", &mut out).unwrap();
    assert_eq!(out, b"x-1234E0");
    out.clear();
    write_canonical_number("000.000", &mut out).unwrap();
    assert_eq!(out, b"0");
    assert_eq!(
        write_canonical_number("1.2.3", &mut Vec::new()),
        Err(NumberError::Malformed)
    );
    assert_eq!(
        write_canonical_number("1e99999999999999999999", &mut Vec::new()),
        Err(NumberError::ExponentOutOfRange)
    );
    assert_eq!(
        canonical_number("1e99999999999999999999").unwrap_err(),
        "\"1e99999999999999999999\" has an exponent out of range"
    );
    assert_eq!(canonical_number("x").unwrap_err(), "\"x\" is not a number");
}

#[test]
fn entries_are_labelled_on_demand() {
    let what = Entry {
        list: "items",
        index: 7,
    };
    assert_eq!(what.to_string(), "items[7]");
    let err = schema2()
        .canonical_key(&key(s("a"), n("1..0")), &what)
        .unwrap_err();
    assert_eq!(err.to_string(), "items[7].SK: \"1..0\" is not a number");
}

#[test]
fn borrowed_values_encode_like_attribute_values() {
    let schema = schema2();
    let cases = [
        (KeyValue::S("ab"), s("ab")),
        (KeyValue::N("1.50"), n("15e-1")),
        (KeyValue::B(b"\x00\xff"), AttributeValue::B(vec![0, 255])),
    ];
    for (pk, pk_av) in &cases {
        for (sk, sk_av) in &cases {
            let mut out = Vec::new();
            pk.encode_into(&mut out).unwrap();
            sk.encode_into(&mut out).unwrap();
            let want = schema.canonical_key(&key(pk_av.clone(), sk_av.clone()), "k");
            assert_eq!(CanonicalKey::from_encoded(out), want.unwrap());
        }
    }
    assert!(KeyValue::N("1e").encode_into(&mut Vec::new()).is_err());
}

#[test]
fn encoded_keys_keep_first_values_and_first_positions() {
    let mut plan: KeyPlan<&str, u32> = KeyPlan::new(schema2(), 2).unwrap();
    let enc = |pk: &str, sk: &str| {
        let mut out = Vec::new();
        KeyValue::S(pk).encode_into(&mut out).unwrap();
        KeyValue::N(sk).encode_into(&mut out).unwrap();
        CanonicalKey::from_encoded(out)
    };
    let new = plan.add_encoded([(enc("a", "1"), "a1"), (enc("b", "2"), "b2")]);
    assert_eq!(new, 0..2);
    let new = plan.add_encoded([
        (enc("a", "1.0"), "a1.0"),
        (enc("c", "3"), "c3"),
        (enc("d", "4"), "d4"),
        (enc("e", "5"), "e5"),
    ]);
    assert_eq!(
        plan.chunks(new).collect::<Vec<_>>(),
        [&["c3", "d4"][..], &["e5"][..]]
    );
    assert_eq!(plan.unique_keys(), ["a1", "b2", "c3", "d4", "e5"]);
    assert_eq!(plan.positions(), [0, 1, 0, 2, 3, 4]);
    let slot = plan.slot(enc("c", "3E0").as_bytes()).unwrap();
    assert_eq!((slot, plan.first_input(slot)), (2, 3));
    assert!(plan.place_at(slot, 30));
    assert!(!plan.place_at(slot, 31));
    assert_eq!(plan.ordered_items(), [&30]);
    assert!(plan
        .item_slot(enc("z", "0").as_bytes(), &"items[0]")
        .is_err());
    assert_eq!(
        plan.rechunk_slots(vec![4, 0, 4, 1]),
        [vec![&"a1", &"b2"], vec![&"e5"]]
    );
}

proptest! {
    #[test]
    fn number_writer_matches_the_reference(text in "[-+]?[0-9]{0,4}(\\.[0-9]{0,4})?([eE][-+]?[0-9]{0,3})?") {
        prop_assert_eq!(canonical_number(&text).ok(), reference_canonical_number(&text));
    }
}

#[test]
fn a_wire_key_part_is_the_part_of_its_decoded_value() {
    let parts = |av: wire::Av<'_>| {
        let mut out = Vec::new();
        key_part(&av, &mut out).map(|()| out)
    };
    let encoded = |value: KeyValue<'_>| {
        let mut out = Vec::new();
        value.encode_into(&mut out).unwrap();
        out
    };
    assert_eq!(
        parts(wire::Av::S("a".into())).unwrap(),
        encoded(KeyValue::S("a"))
    );
    assert_eq!(
        parts(wire::Av::N("1.0".into())).unwrap(),
        encoded(KeyValue::N("1"))
    );
    assert_eq!(
        parts(wire::Av::B("AP8=".into())).unwrap(),
        encoded(KeyValue::B(&[0, 255]))
    );
    for (av, why) in [
        (wire::Av::B("***".into()), "invalid base64"),
        (wire::Av::N("x".into()), "key attribute: "),
        (wire::Av::Bool(true), "not a string, number or binary"),
    ] {
        let err = parts(av).unwrap_err();
        assert!(
            matches!(&err, CoreError::Validation(m) if m.contains(why)),
            "{err}"
        );
    }
}
