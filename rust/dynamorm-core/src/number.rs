//! Number and set rules of marshaling (SPEC §2).
//!
//! DynamoDB numbers travel as decimal text. They may have at most 38
//! significant digits (leading and trailing zeros do not count) and a
//! magnitude of 0 or between 1E-130 and 9.9999999999999999999999999999999999999E+125.
//! The bindings crate builds Python objects itself; the rules it applies to
//! number text and to sets live here so they are tested without Python.

use std::collections::HashSet;
use std::fmt;
use std::fmt::Write as _;

use crate::error::{CoreError, CoreResult};
use crate::keys::write_canonical_number;

/// Most significant digits DynamoDB keeps.
pub const MAX_DIGITS: usize = 38;
/// Decimal exponent of the smallest magnitude DynamoDB stores (1E-130).
pub const MIN_EXPONENT: i64 = -130;
/// Decimal exponent of the largest magnitude DynamoDB stores (9.99…E+125).
pub const MAX_EXPONENT: i64 = 125;
/// Deepest nesting of lists and maps DynamoDB accepts.
pub const MAX_DEPTH: usize = 32;

/// Why a number was rejected. `Display` gives the reason alone; callers put
/// the path in front (see [`validate_number`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not decimal text (`"abc"`, `"1e"`, `""`).
    Syntax,
    /// NaN or an infinity.
    NotFinite,
    /// More than [`MAX_DIGITS`] significant digits; holds the count.
    TooManyDigits(usize),
    /// Magnitude above 9.99…E+125.
    TooLarge,
    /// Non-zero magnitude below 1E-130.
    TooSmall,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Syntax => f.write_str("not a valid decimal number"),
            NumberError::NotFinite => f.write_str("NaN and Infinity are not supported by DynamoDB"),
            NumberError::TooManyDigits(n) => write!(
                f,
                "number has {n} significant digits; DynamoDB allows at most {MAX_DIGITS}"
            ),
            NumberError::TooLarge => f.write_str(
                "number is larger in magnitude than DynamoDB's maximum \
                 9.9999999999999999999999999999999999999E+125",
            ),
            NumberError::TooSmall => {
                f.write_str("number is smaller in magnitude than DynamoDB's minimum 1E-130")
            }
        }
    }
}

/// A number text that passed DynamoDB's rules, with what is needed to read it
/// back: its significant digits and the power of ten of the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number<'a> {
    negative: bool,
    /// The mantissa as written (digits and at most one `.`).
    mantissa: &'a str,
    /// Index, among the mantissa's digits, of the first significant one.
    first: usize,
    /// Count of significant digits; 0 for zero.
    digits: usize,
    /// Power of ten of the last significant digit.
    exponent: i64,
}

impl Number<'_> {
    /// True when the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits == 0
    }

    /// True when the value has no fractional part (`"10"`, `"1E+2"`, `"1.0"`).
    pub fn is_integral(&self) -> bool {
        self.digits == 0 || self.exponent >= 0
    }

    /// Count of significant digits (0 for zero).
    pub fn significant_digits(&self) -> usize {
        self.digits
    }

    /// Writes the value as plain integer text (`"1E+2"` → `"100"`), or
    /// returns `false` and writes nothing when it is not integral.
    pub fn write_integer(&self, out: &mut String) -> bool {
        if !self.is_integral() {
            return false;
        }
        if self.digits == 0 {
            out.push('0');
            return true;
        }
        if self.negative {
            out.push('-');
        }
        let significant = self
            .mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip(self.first)
            .take(self.digits);
        out.extend(significant.map(char::from));
        // Bounded by MAX_EXPONENT once validated, so this stays small.
        out.extend(std::iter::repeat_n('0', self.exponent as usize));
        true
    }
}

/// Parses decimal text (`[+-]digits[.digits][e[+-]digits]`) and checks it
/// against DynamoDB's digit and range rules.
pub fn parse_number(text: &str) -> Result<Number<'_>, NumberError> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };

    // One pass over the mantissa, which ends at the exponent marker if any.
    // Marshaling checks every number it writes, so this avoids re-scanning.
    let mut total = 0usize;
    let mut fraction = 0usize;
    let mut seen_point = false;
    let mut first_nonzero = None;
    let mut last_nonzero = 0usize;
    let mut end = rest.len();
    for (at, &b) in rest.as_bytes().iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if b != b'0' {
                    first_nonzero.get_or_insert(total);
                    last_nonzero = total;
                }
                total += 1;
                if seen_point {
                    fraction += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => {
                end = at;
                break;
            }
            // Every spelling of NaN or infinity starts with a letter other
            // than `e`, so it lands here before anything else is decided.
            _ if is_not_finite(rest) => return Err(NumberError::NotFinite),
            _ => return Err(NumberError::Syntax),
        }
    }
    let mantissa = &rest[..end];
    let written_exponent = match rest.get(end + 1..) {
        Some(e) => parse_exponent(e)?,
        None => 0,
    };
    if total == 0 {
        return Err(NumberError::Syntax);
    }
    let Some(first) = first_nonzero else {
        return Ok(Number {
            negative,
            mantissa,
            first: 0,
            digits: 0,
            exponent: 0,
        });
    };
    let digits = last_nonzero - first + 1;
    let trailing = (total - 1 - last_nonzero) as i64;
    let exponent = written_exponent - fraction as i64 + trailing;
    if digits > MAX_DIGITS {
        return Err(NumberError::TooManyDigits(digits));
    }
    let scientific = exponent + digits as i64 - 1;
    if scientific > MAX_EXPONENT {
        return Err(NumberError::TooLarge);
    }
    if scientific < MIN_EXPONENT {
        return Err(NumberError::TooSmall);
    }
    Ok(Number {
        negative,
        mantissa,
        first,
        digits,
        exponent,
    })
}

/// What [`classify_plain`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    /// No fractional part (`"12"`, `"-3.00"`).
    Integer,
    /// A nonzero fractional part (`"12.5"`).
    Fraction,
}

/// A shortcut for the most common number text, `-?digits(.digits)?` with at
/// most [`MAX_DIGITS`] digits in all: such text always passes
/// [`parse_number`] (so many digits cannot leave DynamoDB's range), and this
/// says whether it is integral in one cheap pass. `None` means "not of that
/// form", not "invalid": the caller then asks [`parse_number`].
pub fn classify_plain(text: &str) -> Option<Plain> {
    let bytes = text.as_bytes();
    let digits = match bytes.first()? {
        b'-' => &bytes[1..],
        _ => bytes,
    };
    if digits.len() > MAX_DIGITS + 1 {
        return None;
    }
    let int_len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 {
        return None;
    }
    match &digits[int_len..] {
        [] if int_len <= MAX_DIGITS => Some(Plain::Integer),
        [b'.', fraction @ ..] if !fraction.is_empty() && int_len + fraction.len() <= MAX_DIGITS => {
            let mut nonzero = false;
            for &b in fraction {
                if !b.is_ascii_digit() {
                    return None;
                }
                nonzero |= b != b'0';
            }
            Some(if nonzero {
                Plain::Fraction
            } else {
                Plain::Integer
            })
        }
        _ => None,
    }
}

/// The value of the most common number text of all, at most 18 plain digits
/// with an optional `-` (which always fits an `i64`; `"-0"` is 0): integers
/// read without [`parse_number`]. `None` means "not of that form", not
/// "invalid".
#[inline]
pub fn small_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
}

fn is_not_finite(text: &str) -> bool {
    ["nan", "snan", "inf", "infinity"]
        .iter()
        .any(|word| text.eq_ignore_ascii_case(word))
        || (text.len() > 3 && text.as_bytes()[..3].eq_ignore_ascii_case(b"nan"))
}

/// Exponent digits, saturated far outside the valid range so that absurd
/// exponents are reported as out of range instead of overflowing.
fn parse_exponent(text: &str) -> Result<i64, NumberError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Syntax);
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        value = (value * 10 + i64::from(b - b'0')).min(1_000_000_000);
    }
    Ok(if negative { -value } else { value })
}

/// Checks number text against DynamoDB's rules; the error message names `path`.
pub fn validate_number<'a>(text: &'a str, path: &str) -> CoreResult<Number<'a>> {
    parse_number(text).map_err(|err| number_error(path, text, err))
}

/// The message used for a rejected number at `path`.
pub fn number_error(path: &str, text: &str, err: NumberError) -> CoreError {
    CoreError::validation(format!("{path}: {err} (got '{text}')"))
}

/// True when `text` is a valid DynamoDB number with no fractional part, so it
/// can be read back as an integer.
pub fn is_integral(text: &str) -> bool {
    parse_number(text).is_ok_and(|n| n.is_integral())
}

/// Writes `value` as the shortest text that reads back as the same float,
/// laid out like Python's `repr(float)` (`"0.1"`, `"1e-05"`, `"1.5e+16"`,
/// `"3.0"`), after checking it is finite and within DynamoDB's range.
pub fn write_float(value: f64, out: &mut String) -> Result<(), NumberError> {
    if !value.is_finite() {
        return Err(NumberError::NotFinite);
    }
    if value == 0.0 {
        out.push_str(if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        });
        return Ok(());
    }
    // `{:e}` is Rust's shortest round-trip form: "-1.2345e-5".
    let mut sci = String::with_capacity(32);
    let _ = write!(sci, "{:e}", value.abs());
    prefer_even_tie(value.abs(), &mut sci);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().map_err(|_| NumberError::Syntax)?;
    if exp > MAX_EXPONENT {
        return Err(NumberError::TooLarge);
    }
    if exp < MIN_EXPONENT {
        return Err(NumberError::TooSmall);
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if value.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.abs());
    }
    Ok(())
}

/// Where a float lies exactly halfway between two shortest texts that both
/// read back as it (70368744177664.625: `…64.62` and `…64.63`), Rust's
/// shortest form may pick the odd last digit; Python's `repr` picks the even
/// one, and the text must be Python's. `sci` is Rust's `{:e}` text of `abs`.
fn prefer_even_tie(abs: f64, sci: &mut String) {
    let Some((m, e)) = odd_parts(abs) else {
        return;
    };
    // A midpoint is an odd n < 10^18 times 10^j, which is m × 2^e only when
    // e = j and the odd parts match: m = n × 5^e (so 5^e < 2^53) or
    // m × 5^-e = n (so 5^-e < 10^18). Most floats fail this at once.
    if !(-26..=22).contains(&e) {
        return;
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    if mantissa.bytes().last().is_none_or(|b| b % 2 == 0) {
        return;
    }
    // At most 17 digits: the shortest text of any f64 fits a u64.
    let (mut d, mut count) = (0u64, 0usize);
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        d = d * 10 + u64::from(b - b'0');
        count += 1;
    }
    let Ok(exp) = exp.parse::<i64>() else {
        return;
    };
    // The text is d × 10^k; the midpoints beside it are (10d ∓ 5) × 10^(k-1).
    let j = exp - count as i64;
    if e != j {
        return;
    }
    for (midpoint, other) in [(10 * d - 5, d - 1), (10 * d + 5, d + 1)] {
        if !odd_parts_match(m, midpoint, j) {
            continue;
        }
        let other = other.to_string();
        if other.len() != count {
            return;
        }
        let mut candidate = String::with_capacity(sci.len());
        candidate.push_str(&other[..1]);
        if other.len() > 1 {
            candidate.push('.');
            candidate.push_str(&other[1..]);
        }
        let _ = write!(candidate, "e{exp}");
        if candidate.parse::<f64>() == Ok(abs) {
            *sci = candidate;
        }
        return;
    }
}

/// `(m, e)` with `x = m × 2^e` and `m` odd, for a finite non-zero `x`.
fn odd_parts(x: f64) -> Option<(u64, i64)> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let zeros = m.trailing_zeros();
    Some((m >> zeros, e + i64::from(zeros)))
}

/// For `e == j`: whether `m × 2^j` is `n × 10^j`, i.e. `m = n × 5^j`.
fn odd_parts_match(m: u64, n: u64, j: i64) -> bool {
    let Some(five) = 5u128.checked_pow(j.unsigned_abs() as u32) else {
        return false;
    };
    if j >= 0 {
        u128::from(n).checked_mul(five) == Some(u128::from(m))
    } else {
        u128::from(m).checked_mul(five) == Some(u128::from(n))
    }
}

/// [`write_float`] into a new string; the error message names `path`.
pub fn format_float(value: f64, path: &str) -> CoreResult<String> {
    let mut out = String::new();
    write_float(value, &mut out).map_err(|err| number_error(path, &value.to_string(), err))?;
    Ok(out)
}

/// The three DynamoDB set types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `SS`
    String,
    /// `NS`
    Number,
    /// `BS`
    Binary,
}

impl SetKind {
    /// The DynamoDB type tag (`"SS"`, `"NS"`, `"BS"`).
    pub fn tag(self) -> &'static str {
        match self {
            SetKind::String => "SS",
            SetKind::Number => "NS",
            SetKind::Binary => "BS",
        }
    }

    /// What the elements are, in words, for messages.
    pub fn element(self) -> &'static str {
        match self {
            SetKind::String => "strings",
            SetKind::Number => "numbers",
            SetKind::Binary => "binary values",
        }
    }
}

/// The set rules: DynamoDB rejects empty sets, and a set holds elements of one
/// kind. Given the kind of each element in order, returns the set's kind or
/// the reason it cannot be stored.
pub fn set_kind(kinds: impl IntoIterator<Item = SetKind>) -> Result<SetKind, String> {
    let mut kinds = kinds.into_iter();
    let first = kinds.next().ok_or_else(empty_set_reason)?;
    match kinds.find(|k| *k != first) {
        Some(other) => Err(mixed_set_reason(first, other)),
        None => Ok(first),
    }
}

/// The positions of the number-set elements to send, or `None` when every
/// element is a distinct value.
///
/// DynamoDB refuses a number set holding two texts of one value (`"0.1"`
/// from a `float` and `"0.1"` from a `Decimal`, `"1"` and `"1.0"`, `"100"`
/// and `"1E+2"`) with a message that names no attribute. A set's meaning is
/// its values, so only the first text of each value is kept. Texts that are
/// not numbers are all kept: the number rules report them.
pub fn distinct_numbers<S: AsRef<str>>(texts: &[S]) -> Option<Vec<usize>> {
    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(texts.len());
    let mut keep = Vec::with_capacity(texts.len());
    let mut canonical = Vec::with_capacity(24);
    for (index, text) in texts.iter().enumerate() {
        canonical.clear();
        let is_new = match write_canonical_number(text.as_ref(), &mut canonical) {
            Ok(()) => seen.insert(canonical.clone()),
            Err(_) => true,
        };
        if is_new {
            keep.push(index);
        }
    }
    (keep.len() < texts.len()).then_some(keep)
}

/// Reason given for an empty set.
pub fn empty_set_reason() -> String {
    "empty sets cannot be stored in DynamoDB (leave the attribute out or use None)".to_owned()
}

/// Reason given for a set mixing kinds of elements.
pub fn mixed_set_reason(first: SetKind, other: SetKind) -> String {
    format!(
        "a set must hold only strings, only numbers or only binary values; \
         this one mixes {} and {}",
        first.element(),
        other.element()
    )
}

#[cfg(test)]
mod tests;
