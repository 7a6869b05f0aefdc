//! One spelling per numeric value, so that keys DynamoDB treats as equal
//! (`"1"`, `"1.0"`, `"1E0"`, `"+01"`) dedupe and match as equal.

/// Why a number could not be canonicalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not the syntax DynamoDB accepts for a number.
    Malformed,
    /// The exponent does not fit an `i64`.
    ExponentOutOfRange,
}

impl NumberError {
    /// The short reason for `text`, as [`canonical_number`] reports it.
    pub fn describe(self, text: &str) -> String {
        match self {
            NumberError::Malformed => format!("{text:?} is not a number"),
            NumberError::ExponentOutOfRange => format!("{text:?} has an exponent out of range"),
        }
    }
}

/// The canonical spelling of a DynamoDB number: an optional `-`, the
/// significant digits with no leading or trailing zeros, `E`, and the
/// exponent (`"1.50"` → `"15E-1"`, `"-0"` → `"0"`). Two spellings are equal
/// exactly when they denote the same value.
///
/// Accepts what DynamoDB accepts: an optional sign, digits with at most one
/// `.` (at least one digit in all), and an optional `e`/`E` exponent with an
/// optional sign. Range and precision limits are left to DynamoDB, which
/// reports them on the request. The error is a short reason, without context.
pub fn canonical_number(text: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(text.len() + 4);
    write_canonical_number(text, &mut out).map_err(|e| e.describe(text))?;
    Ok(String::from_utf8(out).expect("a canonical number is ASCII"))
}

/// Appends the canonical spelling of `text` (see [`canonical_number`]) to
/// `out` without allocating; on error `out` may hold a partial spelling.
pub fn write_canonical_number(text: &str, out: &mut Vec<u8>) -> Result<(), NumberError> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let (mantissa, exponent) = match rest.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&b| b == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &[][..]),
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part) {
        return Err(NumberError::Malformed);
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(b"+").or_else(|| e.strip_prefix(b"-"));
            let digits = digits.unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return Err(NumberError::Malformed);
            }
            // ASCII sign and digits only, checked above.
            let e = std::str::from_utf8(e).map_err(|_| NumberError::Malformed)?;
            e.parse().map_err(|_| NumberError::ExponentOutOfRange)?
        }
    };
    // The digits of int_part then frac_part, viewed as one sequence.
    let digit = |i: usize| {
        if i < int_part.len() {
            int_part[i]
        } else {
            frac_part[i - int_part.len()]
        }
    };
    let total = int_part.len() + frac_part.len();
    let Some(first) = (0..total).find(|&i| digit(i) != b'0') else {
        out.push(b'0');
        return Ok(());
    };
    let last = (first..total)
        .rev()
        .find(|&i| digit(i) != b'0')
        .expect("digit `first` is not zero");
    let trailing_zeros = total - 1 - last;
    // value = digits[first..=last] × 10^(exponent − frac_len + trailing_zeros)
    let shift = i64::try_from(frac_part.len())
        .ok()
        .and_then(|frac| frac.checked_sub(i64::try_from(trailing_zeros).ok()?));
    let scale = shift
        .and_then(|shift| exponent.checked_sub(shift))
        .ok_or(NumberError::ExponentOutOfRange)?;
    if negative {
        out.push(b'-');
    }
    if first < int_part.len() {
        out.extend_from_slice(&int_part[first..int_part.len().min(last + 1)]);
    }
    if last >= int_part.len() {
        let from = first.max(int_part.len()) - int_part.len();
        out.extend_from_slice(&frac_part[from..=last - int_part.len()]);
    }
    out.push(b'E');
    write_i64(scale, out);
    Ok(())
}

/// Appends the decimal spelling of `n`, without going through `fmt`.
fn write_i64(n: i64, out: &mut Vec<u8>) {
    if n < 0 {
        out.push(b'-');
    }
    let mut magnitude = n.unsigned_abs();
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}
