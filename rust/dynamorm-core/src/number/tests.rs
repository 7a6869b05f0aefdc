//! Tests of the number rules.
use super::*;
use proptest::prelude::*;

fn integer(text: &str) -> Option<String> {
    let mut out = String::new();
    parse_number(text)
        .ok()?
        .write_integer(&mut out)
        .then_some(out)
}

fn float(value: f64) -> Result<String, NumberError> {
    let mut out = String::new();
    write_float(value, &mut out).map(|()| out)
}

#[test]
fn small_int_takes_only_short_plain_integers() {
    assert_eq!(small_int("0"), Some(0));
    assert_eq!(small_int("-0"), Some(0));
    assert_eq!(small_int("007"), Some(7));
    assert_eq!(small_int("-123"), Some(-123));
    assert_eq!(
        small_int("999999999999999999"),
        Some(999_999_999_999_999_999)
    );
    for text in [
        "",
        "-",
        "+1",
        "1.0",
        "1e2",
        " 1",
        "1234567890123456789",
        "١",
    ] {
        assert_eq!(small_int(text), None, "{text:?}");
    }
}

#[test]
fn accepts_plain_decimal_and_exponent_forms() {
    for text in [
        "0",
        "-0",
        "+7",
        "10",
        "1.5",
        ".5",
        "5.",
        "1E+2",
        "1e-3",
        "-12.340E3",
    ] {
        assert!(parse_number(text).is_ok(), "{text}");
    }
}

#[test]
fn rejects_malformed_text() {
    for text in [
        "", "-", ".", "1e", "1e+", "abc", "1.2.3", "1 ", " 1", "0x10", "1_000", "éé", "1e5é",
        "1.5e", "1e5.0", "e5", "--1", "+-1",
    ] {
        assert_eq!(parse_number(text), Err(NumberError::Syntax), "{text}");
    }
}

#[test]
fn rejects_nan_and_infinity() {
    for text in [
        "NaN",
        "-nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "NaN123",
    ] {
        assert_eq!(parse_number(text), Err(NumberError::NotFinite), "{text}");
    }
}

#[test]
fn counts_significant_digits_without_leading_or_trailing_zeros() {
    let digits38 = "1".repeat(38);
    assert!(parse_number(&digits38).is_ok());
    assert_eq!(
        parse_number(&"1".repeat(39)),
        Err(NumberError::TooManyDigits(39))
    );
    assert!(parse_number(&format!("000{digits38}000")).is_ok());
    assert!(parse_number(&format!("0.000{digits38}")).is_ok());
    assert_eq!(parse_number("0012.3400").unwrap().significant_digits(), 4);
}

#[test]
fn enforces_dynamodb_range() {
    let max = format!("9.{}E+125", "9".repeat(37));
    assert!(parse_number(&max).is_ok());
    assert!(parse_number("1E+126").is_err());
    assert_eq!(parse_number("1E+126"), Err(NumberError::TooLarge));
    assert_eq!(
        parse_number(&format!("1{}", "0".repeat(126))),
        Err(NumberError::TooLarge)
    );
    assert!(parse_number("1E-130").is_ok());
    assert!(parse_number("-1E-130").is_ok());
    assert_eq!(parse_number("9.9E-131"), Err(NumberError::TooSmall));
    assert_eq!(
        parse_number("1E-999999999999999"),
        Err(NumberError::TooSmall)
    );
    assert_eq!(
        parse_number("1E+999999999999999"),
        Err(NumberError::TooLarge)
    );
    // Zero is fine whatever its exponent.
    assert!(parse_number("0E-500").unwrap().is_zero());
}

#[test]
fn decides_integrality() {
    for text in [
        "10", "1E+2", "1.0", "-3.000", "0", "0.000", "12.5E1", "1e38",
    ] {
        assert!(is_integral(text), "{text}");
    }
    for text in ["1.5", "1E-1", "0.001", "12.34E1", "abc", "NaN"] {
        assert!(!is_integral(text), "{text}");
    }
}

#[test]
fn classifies_plain_text_or_defers() {
    assert_eq!(classify_plain("12"), Some(Plain::Integer));
    assert_eq!(classify_plain("-3.00"), Some(Plain::Integer));
    assert_eq!(classify_plain("1234.56"), Some(Plain::Fraction));
    assert_eq!(classify_plain("-0.0001"), Some(Plain::Fraction));
    assert_eq!(classify_plain(&"9".repeat(38)), Some(Plain::Integer));
    assert_eq!(
        classify_plain(&format!("0.{}", "1".repeat(37))),
        Some(Plain::Fraction)
    );
    // Deferred to parse_number: valid but outside the shortcut...
    for text in [
        "+1",
        ".5",
        "5.",
        "1E+2",
        &"9".repeat(39),
        &format!("0.{}", "1".repeat(38)),
    ] {
        assert_eq!(classify_plain(text), None, "{text}");
    }
    // ...or invalid.
    for text in ["", "-", "abc", "1.2.3", "NaN", "1 ", "--1", "1.-2"] {
        assert_eq!(classify_plain(text), None, "{text}");
    }
}

#[test]
fn writes_integers_as_plain_text() {
    assert_eq!(integer("1E+2").as_deref(), Some("100"));
    assert_eq!(integer("1.0").as_deref(), Some("1"));
    assert_eq!(integer("-12.5E1").as_deref(), Some("-125"));
    assert_eq!(integer("-0.00").as_deref(), Some("0"));
    assert_eq!(integer("007").as_deref(), Some("7"));
    assert_eq!(integer("1.5"), None);
}

#[test]
fn formats_floats_like_python_repr() {
    let cases = [
        (0.1, "0.1"),
        (3.0, "3.0"),
        (-2.5, "-2.5"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (1e15, "1000000000000000.0"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (123.456, "123.456"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1e100, "1e+100"),
        (f64::MAX / 1e183, "1.797693134862316e+125"),
    ];
    for (value, text) in cases {
        assert_eq!(float(value).as_deref(), Ok(text), "{value:e}");
    }
}

#[test]
fn rejects_floats_dynamodb_cannot_store() {
    assert_eq!(float(f64::NAN), Err(NumberError::NotFinite));
    assert_eq!(float(f64::INFINITY), Err(NumberError::NotFinite));
    assert_eq!(float(1e300), Err(NumberError::TooLarge));
    assert_eq!(float(5e-324), Err(NumberError::TooSmall));
    assert!(float(1e-130).is_ok());
}

#[test]
fn messages_name_the_path() {
    let err = validate_number("1E+200", "item['price']").unwrap_err();
    let CoreError::Validation(message) = err else {
        panic!("not a validation error");
    };
    assert!(message.starts_with("item['price']: "), "{message}");
    assert!(message.contains("1E+200"), "{message}");
    let err = format_float(f64::NAN, "value").unwrap_err();
    assert!(err.to_string().starts_with("value: NaN"), "{err}");
}

#[test]
fn set_rules() {
    assert_eq!(
        set_kind([SetKind::Number, SetKind::Number]),
        Ok(SetKind::Number)
    );
    assert!(set_kind([]).unwrap_err().contains("empty"));
    let mixed = set_kind([SetKind::String, SetKind::Binary]).unwrap_err();
    assert!(
        mixed.contains("strings") && mixed.contains("binary"),
        "{mixed}"
    );
    assert_eq!(SetKind::Binary.tag(), "BS");
}

#[test]
fn a_float_halfway_between_two_shortest_texts_takes_the_even_one_as_python_does() {
    // 70368744177664.625 exactly: "…62" and "…63" both read back as it.
    assert_eq!(float(70368744177664.62).unwrap(), "70368744177664.62");
    assert_eq!(float(-70368744177664.62).unwrap(), "-70368744177664.62");
    // Not a tie: an odd last digit stays.
    assert_eq!(float(0.3).unwrap(), "0.3");
    assert_eq!(float(1.5e16).unwrap(), "1.5e+16");
    assert_eq!(float(0.1 + 0.2).unwrap(), "0.30000000000000004");
}

#[test]
fn number_sets_keep_the_first_text_of_each_value() {
    // A float and a Decimal of 0.1 are unequal in Python but both write "0.1".
    assert_eq!(distinct_numbers(&["0.1", "0.1"]), Some(vec![0]));
    assert_eq!(
        distinct_numbers(&["1", "2", "1.0", "1E0", "+1", "100", "1E+2", "2.00"]),
        Some(vec![0, 1, 5])
    );
    assert_eq!(distinct_numbers(&["-0", "0", "0.0", "-0.0"]), Some(vec![0]));
    assert_eq!(
        distinct_numbers(&["1.2345678901234567e+30", "1234567890123456700000000000000"]),
        Some(vec![0])
    );
    assert_eq!(distinct_numbers(&["-1", "1", "0.1", "0.01"]), None);
    assert_eq!(distinct_numbers::<&str>(&[]), None);
    // Not numbers: left for the number rules to report, never dropped.
    assert_eq!(distinct_numbers(&["x", "x", "1", "1"]), Some(vec![0, 1, 2]));
}

proptest! {
    #[test]
    fn distinct_numbers_drops_exactly_the_repeated_values(
        values in prop::collection::vec((-50i64..50, 0usize..3), 0..12)
    ) {
        // Each value written in one of three spellings: 5, 5.0, 50E-1.
        let texts: Vec<String> = values
            .iter()
            .map(|&(v, spelling)| match spelling {
                0 => v.to_string(),
                1 => format!("{v}.0"),
                _ => format!("{v}0E-1"),
            })
            .collect();
        let mut firsts = Vec::new();
        for (index, (value, _)) in values.iter().enumerate() {
            if !values[..index].iter().any(|(earlier, _)| earlier == value) {
                firsts.push(index);
            }
        }
        let expected = (firsts.len() < texts.len()).then_some(firsts);
        prop_assert_eq!(distinct_numbers(&texts), expected);
    }

    #[test]
    fn float_text_reads_back_as_the_same_float(value in any::<f64>()) {
        match float(value) {
            Ok(text) => {
                let back: f64 = text.parse().unwrap();
                prop_assert_eq!(back.to_bits(), value.to_bits());
                prop_assert!(parse_number(&text).is_ok());
            }
            Err(err) => prop_assert!(
                !value.is_finite() || (value != 0.0 && !(1e-130..1e126).contains(&value.abs())),
                "{value:e} rejected: {err}"
            ),
        }
    }

    #[test]
    fn integers_round_trip(value in any::<i64>(), zeros in 0usize..20) {
        let text = format!("{value}{}", "0".repeat(zeros));
        let number = parse_number(&text).unwrap();
        prop_assert!(number.is_integral());
        let mut out = String::new();
        prop_assert!(number.write_integer(&mut out));
        let expected = if value == 0 { "0".to_owned() } else { text.clone() };
        prop_assert_eq!(out, expected);
    }

    #[test]
    fn exponent_form_matches_plain_form(mantissa in 1u64..1_000_000, exp in 0i64..30) {
        let plain = format!("{mantissa}{}", "0".repeat(exp as usize));
        let mut out = String::new();
        parse_number(&format!("{mantissa}E+{exp}")).unwrap().write_integer(&mut out);
        prop_assert_eq!(out, plain);
    }

    #[test]
    fn classify_plain_agrees_with_parse_number(
        text in prop_oneof!["[-+]?[0-9.eE]{0,42}", "-?[0-9]{1,40}([.][0-9]{1,40})?"]
    ) {
        if let Some(kind) = classify_plain(&text) {
            let number = parse_number(&text);
            prop_assert!(number.is_ok(), "{} classified but rejected", text);
            let integral = number.unwrap().is_integral();
            prop_assert_eq!(integral, kind == Plain::Integer, "{}", text);
        }
    }

    #[test]
    fn classify_plain_takes_decimal_text(int in any::<i64>(), frac in 0u64..10_000_000_000) {
        let text = format!("{int}.{frac:010}");
        let kind = if frac == 0 { Plain::Integer } else { Plain::Fraction };
        prop_assert_eq!(classify_plain(&text), Some(kind));
        prop_assert_eq!(classify_plain(&int.to_string()), Some(Plain::Integer));
    }

    #[test]
    fn small_int_agrees_with_parse_number(
        text in prop_oneof!["-?[0-9]{0,20}", "[-+]?[0-9.eE]{0,8}"]
    ) {
        if let Some(n) = small_int(&text) {
            let mut integer = String::new();
            prop_assert!(parse_number(&text).unwrap().write_integer(&mut integer), "{}", text);
            prop_assert_eq!(integer.parse::<i64>().unwrap(), n, "{}", text);
        }
    }

    #[test]
    fn small_int_reads_every_i64_of_up_to_18_digits(n in -999_999_999_999_999_999i64..=999_999_999_999_999_999) {
        prop_assert_eq!(small_int(&n.to_string()), Some(n));
    }

    #[test]
    fn fractions_are_not_integral(int in 0u64..1_000_000, frac in 1u32..9) {
        let text = format!("{int}.{frac}");
        prop_assert!(!is_integral(&text));
    }
}
