//! Number and set rules of marshaling (SPEC §2).
//!
//! DynamoDB numbers travel as decimal text. They may have at most 38
//! significant digits (leading and trailing zeros do not count) and a
//! magnitude of 0 or between 1E-130 and 9.9999999999999999999999999999999999999E+125.
//! The bindings crate builds Python objects itself; the rules it applies to
//! number text and to sets live here so they are tested without Python.

use std::fmt;
use std::fmt::Write as _;

use crate::error::{CoreError, CoreResult};

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
