//! DynamoDB's numbers as the store holds them: exact decimals of at most 38
//! significant digits, compared by value and added or subtracted exactly.
//!
//! The text rules (syntax, digits, range) are [`crate::number::parse_number`]'s
//! and the digits and exponent come from [`crate::keys::canonical_number`]; this
//! file adds what the store needs beyond them: an order by value, exact
//! arithmetic, and the plain text DynamoDB answers with (`"1.50"` and `"15E-1"`
//! both come back as `"1.5"`).

use std::cmp::Ordering;

use super::error::ApiError;
use crate::keys::canonical_number;
use crate::number::{parse_number, NumberError, MAX_DIGITS, MAX_EXPONENT, MIN_EXPONENT};

/// An exact decimal: `digits × 10^exponent`, signed. `digits` are the
/// significant digits (values 0–9), with no leading or trailing zeros;
/// zero has none and is never negative.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Zero.
    pub fn zero() -> Self {
        Decimal {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    /// Reads number text, refusing what DynamoDB refuses (with its messages).
    pub fn parse(text: &str) -> Result<Decimal, ApiError> {
        parse_number(text).map_err(|err| ApiError::validation(number_message(err)))?;
        let canonical = canonical_number(text).map_err(ApiError::validation)?;
        Ok(Decimal::from_canonical(&canonical))
    }

    /// Reads the canonical spelling of [`canonical_number`] (`"-15E-1"`, `"0"`).
    fn from_canonical(text: &str) -> Decimal {
        if text == "0" {
            return Decimal::zero();
        }
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (digits, exponent) = rest.split_once('E').unwrap_or((rest, "0"));
        Decimal {
            negative,
            digits: digits.bytes().map(|b| b - b'0').collect(),
            exponent: exponent.parse().unwrap_or(0),
        }
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The power of ten of the first significant digit (zero: 0).
    fn magnitude(&self) -> i64 {
        self.exponent + self.digits.len() as i64 - 1
    }

    /// Checks the value still fits DynamoDB's digits and range, as after
    /// arithmetic.
    pub fn checked(self) -> Result<Decimal, ApiError> {
        if self.is_zero() {
            return Ok(self);
        }
        if self.magnitude() > MAX_EXPONENT {
            return Err(ApiError::validation(
                "Number overflow. Attempting to store a number with magnitude larger than \
                 supported range",
            ));
        }
        if self.magnitude() < MIN_EXPONENT {
            return Err(ApiError::validation(
                "Number underflow. Attempting to store a number with magnitude smaller than \
                 supported range",
            ));
        }
        if self.digits.len() > MAX_DIGITS {
            return Err(ApiError::validation(
                "Attempting to store more than 38 significant digits in a Number",
            ));
        }
        Ok(self)
    }

    /// `self + other`, exact (the caller checks the range with [`Decimal::checked`]).
    pub fn add(&self, other: &Decimal) -> Decimal {
        if self.is_zero() {
            return other.clone();
        }
        if other.is_zero() {
            return self.clone();
        }
        let low = self.exponent.min(other.exponent);
        let a = self.aligned(low);
        let b = other.aligned(low);
        let (digits, negative) = if self.negative == other.negative {
            (add_magnitudes(&a, &b), self.negative)
        } else {
            match compare_magnitudes(&a, &b) {
                Ordering::Equal => return Decimal::zero(),
                Ordering::Greater => (sub_magnitudes(&a, &b), self.negative),
                Ordering::Less => (sub_magnitudes(&b, &a), other.negative),
            }
        };
        Decimal::normalised(negative, digits, low)
    }

    /// `self - other`, exact.
    pub fn sub(&self, other: &Decimal) -> Decimal {
        self.add(&other.negated())
    }

    /// `-self`.
    pub fn negated(&self) -> Decimal {
        let mut out = self.clone();
        out.negative = !out.is_zero() && !out.negative;
        out
    }

    /// The digits, least significant first, of the magnitude written with its
    /// last digit at power `low` (`low <= self.exponent`).
    fn aligned(&self, low: i64) -> Vec<u8> {
        let shift = (self.exponent - low) as usize;
        let mut out = vec![0u8; shift];
        out.extend(self.digits.iter().rev());
        out
    }

    /// Builds a value from least-significant-first digits whose last digit is
    /// at power `low`, trimming zeros at both ends.
    fn normalised(negative: bool, mut digits: Vec<u8>, mut low: i64) -> Decimal {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let trailing = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..trailing);
        low += trailing as i64;
        if digits.is_empty() {
            return Decimal::zero();
        }
        digits.reverse();
        Decimal {
            negative,
            digits,
            exponent: low,
        }
    }

    /// The plain text DynamoDB answers with: no exponent, no needless zeros
    /// (`"100"`, `"-0.25"`, `"0"`).
    pub fn to_text(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut out = String::with_capacity(self.digits.len() + 4);
        if self.negative {
            out.push('-');
        }
        let digit = |d: &u8| char::from(b'0' + d);
        if self.exponent >= 0 {
            out.extend(self.digits.iter().map(digit));
            out.extend(std::iter::repeat_n('0', self.exponent as usize));
        } else {
            let fraction = (-self.exponent) as usize;
            if fraction >= self.digits.len() {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', fraction - self.digits.len()));
                out.extend(self.digits.iter().map(digit));
            } else {
                let whole = self.digits.len() - fraction;
                out.extend(self.digits[..whole].iter().map(digit));
                out.push('.');
                out.extend(self.digits[whole..].iter().map(digit));
            }
        }
        out
    }

    /// The count of significant digits (zero: 0), which item sizes use.
    pub fn significant_digits(&self) -> usize {
        self.digits.len()
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let sign = |d: &Decimal| match (d.is_zero(), d.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (a, b) = (sign(self), sign(other));
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        let by_magnitude = self
            .magnitude()
            .cmp(&other.magnitude())
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            by_magnitude.reverse()
        } else {
            by_magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Normalises number text to DynamoDB's answer form (`"01.50"` → `"1.5"`).
pub fn normalise(text: &str) -> Result<String, ApiError> {
    Decimal::parse(text).map(|d| d.to_text())
}

/// DynamoDB's message for number text it refuses.
fn number_message(err: NumberError) -> String {
    match err {
        NumberError::Syntax | NumberError::NotFinite => {
            "A value provided cannot be converted into a number".to_owned()
        }
        NumberError::TooManyDigits(_) => {
            "Attempting to store more than 38 significant digits in a Number".to_owned()
        }
        NumberError::TooLarge => "Number overflow. Attempting to store a number with magnitude \
                                  larger than supported range"
            .to_owned(),
        NumberError::TooSmall => "Number underflow. Attempting to store a number with \
                                  magnitude smaller than supported range"
            .to_owned(),
    }
}

fn compare_magnitudes(a: &[u8], b: &[u8]) -> Ordering {
    let len = |d: &[u8]| d.len() - d.iter().rev().take_while(|&&x| x == 0).count();
    let (la, lb) = (len(a), len(b));
    la.cmp(&lb)
        .then_with(|| a[..la].iter().rev().cmp(b[..lb].iter().rev()))
}

fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let sum = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(sum % 10);
        carry = sum / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a - b` for `a >= b`, least significant first.
fn sub_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &x) in a.iter().enumerate() {
        let mut d = x as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn every_spelling_of_a_value_reads_as_the_same_decimal_and_answers_plainly() {
        for (text, plain) in [
            ("1", "1"),
            ("1.0", "1"),
            ("01.50", "1.5"),
            ("15E-1", "1.5"),
            ("-0", "0"),
            ("1E+2", "100"),
            ("-0.0025", "-0.0025"),
            ("123.456", "123.456"),
        ] {
            assert_eq!(d(text).to_text(), plain, "{text}");
        }
        assert_eq!(d("1.50"), d("15E-1"));
    }

    #[test]
    fn numbers_order_by_value_whatever_their_sign_or_spelling() {
        let ordered = [
            "-100", "-2.5", "-2", "-0.001", "0", "1E-130", "0.5", "2", "10", "1E+20",
        ];
        for pair in ordered.windows(2) {
            assert!(d(pair[0]) < d(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn text_dynamodb_refuses_is_a_validation_error_with_its_message() {
        let message = |t: &str| Decimal::parse(t).unwrap_err().message;
        assert!(message("abc").contains("cannot be converted"));
        assert!(message("1E+126").starts_with("Number overflow"));
        assert!(message("1E-131").starts_with("Number underflow"));
        assert!(message("1234567890123456789012345678901234567890").contains("38 significant"));
    }

    #[test]
    fn arithmetic_past_the_range_or_the_precision_is_refused() {
        let big = d("9.9999999999999999999999999999999999999E+125");
        assert!(big.add(&d("1E+125")).checked().is_err());
        assert!(d("1E+30").add(&d("1E-30")).checked().is_err());
        assert_eq!(d("0.1").add(&d("0.2")).checked().unwrap(), d("0.3"));
        assert_eq!(d("5").sub(&d("7.5")).to_text(), "-2.5");
        assert_eq!(d("5").sub(&d("5")), Decimal::zero());
    }

    proptest! {
        /// Sums and differences of integers agree with i128 arithmetic, and
        /// the order agrees with the integers' order.
        #[test]
        fn arithmetic_and_order_match_integer_arithmetic(
            a in -1_000_000_000_000i64..1_000_000_000_000,
            b in -1_000_000_000_000i64..1_000_000_000_000,
            scale in 0u32..6,
        ) {
            let text = |n: i64| {
                let n = i128::from(n);
                let div = 10i128.pow(scale);
                let sign = if n < 0 { "-" } else { "" };
                format!("{sign}{}.{:0width$}", n.abs() / div, n.abs() % div, width = scale as usize)
            };
            let (x, y) = (d(&text(a)), d(&text(b)));
            prop_assert_eq!(x.add(&y), d(&text(a + b)));
            prop_assert_eq!(x.sub(&y), d(&text(a - b)));
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(d(&x.to_text()), x);
        }
    }
}
