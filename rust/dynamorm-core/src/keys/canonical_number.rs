//! One spelling per numeric value, so that keys DynamoDB treats as equal
//! (`"1"`, `"1.0"`, `"1E0"`, `"+01"`) dedupe and match as equal.

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
    let bad = || format!("{text:?} is not a number");
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part) {
        return Err(bad());
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return Err(bad());
            }
            e.parse()
                .map_err(|_| format!("{text:?} has an exponent out of range"))?
        }
    };
    let digits: String = int_part.chars().chain(frac_part.chars()).collect();
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok("0".to_owned());
    }
    let trimmed = significant.trim_end_matches('0');
    let scale = i64::try_from(frac_part.len() + trimmed.len())
        .ok()
        .and_then(|n| n.checked_sub(i64::try_from(significant.len()).ok()?))
        .and_then(|shift| exponent.checked_sub(shift))
        .ok_or_else(|| format!("{text:?} has an exponent out of range"))?;
    let sign = if negative { "-" } else { "" };
    Ok(format!("{sign}{trimmed}E{scale}"))
}
