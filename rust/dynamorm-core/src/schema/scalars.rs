//! The stored text of the scalar types SPEC §2 keeps as `S` or `N` beyond
//! numbers and strings: dates (`YYYY-MM-DD`), durations (`N` seconds, exact
//! to the microsecond) and UUIDs (canonical lower-case, hyphenated). The
//! same text in every DynamORM port.

use crate::error::{CoreError, CoreResult};
use crate::number::parse_number;

/// `YYYY-MM-DD` of a date (years 1 to 9999, as Python's `date`).
pub fn date_text(year: i32, month: u8, day: u8) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// The year, month and day of stored `YYYY-MM-DD` text, checked to be a
/// real date.
pub fn parse_date(text: &str) -> CoreResult<(i32, u8, u8)> {
    let bad = || CoreError::validation(format!("{text:?} is not a date (YYYY-MM-DD)"));
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    let digits = |range: std::ops::Range<usize>| -> CoreResult<u32> {
        let part = &text[range];
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year == 0 || day == 0 || day > days {
        return Err(bad());
    }
    Ok((year as i32, month as u8, day as u8))
}

const MICROS: i128 = 1_000_000;

/// A duration of `micros` microseconds as `N` text in seconds: `90`,
/// `90.000005`, `-0.5` (no exponent, no trailing zeros).
pub fn duration_text(micros: i128) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let magnitude = micros.unsigned_abs();
    let (seconds, fraction) = (magnitude / MICROS as u128, magnitude % MICROS as u128);
    if fraction == 0 {
        return format!("{sign}{seconds}");
    }
    let digits = format!("{fraction:06}");
    format!("{sign}{seconds}.{}", digits.trim_end_matches('0'))
}

/// The microseconds of stored `N` text in seconds; the number must be a
/// whole number of microseconds.
pub fn parse_duration(text: &str) -> CoreResult<i128> {
    parse_number(text).map_err(|err| CoreError::validation(format!("{text:?}: {err}")))?;
    let not_exact = || {
        CoreError::validation(format!(
            "{text} seconds is not a whole number of microseconds"
        ))
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (
            &text[..at],
            text[at + 1..].parse::<i32>().map_err(|_| not_exact())?,
        ),
        None => (text, 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    // value = digits × 10^(exponent − len(fraction)); in microseconds, × 10^6.
    let scale = exponent - fraction.len() as i32 + 6;
    let mut value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| not_exact())?
    };
    if scale >= 0 {
        for _ in 0..scale {
            value = value.checked_mul(10).ok_or_else(not_exact)?;
        }
    } else {
        for _ in 0..(-scale) {
            if value % 10 != 0 {
                return Err(not_exact());
            }
            value /= 10;
        }
    }
    Ok(if negative { -value } else { value })
}

/// The canonical text of a UUID: 32 lower-case hex digits in groups of
/// 8-4-4-4-12.
pub fn uuid_text(value: u128) -> String {
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The 128-bit value of UUID text: hyphenated (either case) or 32 bare hex
/// digits, optionally braced or `urn:uuid:`-prefixed, as Python's `UUID`
/// reads it.
pub fn parse_uuid(text: &str) -> CoreResult<u128> {
    let bad = || CoreError::validation(format!("{text:?} is not a UUID"));
    let trimmed = text
        .strip_prefix("urn:uuid:")
        .unwrap_or(text)
        .trim_start_matches('{')
        .trim_end_matches('}');
    let hex: String = trimmed.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    u128::from_str_radix(&hex, 16).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_and_read_as_yyyy_mm_dd() {
        assert_eq!(date_text(2026, 1, 9), "2026-01-09");
        assert_eq!(date_text(7, 12, 31), "0007-12-31");
        assert_eq!(parse_date("2024-02-29").unwrap(), (2024, 2, 29));
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "0000-01-01",
            "2024-1-01",
            "20240101",
            "2024-01-01T00:00",
            "２０２４-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_are_seconds_exact_to_the_microsecond() {
        assert_eq!(duration_text(90_000_005), "90.000005");
        assert_eq!(duration_text(90_000_000), "90");
        assert_eq!(duration_text(-500_000), "-0.5");
        assert_eq!(duration_text(0), "0");
        assert_eq!(duration_text(1), "0.000001");
        for (text, micros) in [
            ("90.000005", 90_000_005),
            ("90", 90_000_000),
            ("-0.5", -500_000),
            ("1E2", 100_000_000),
            ("1.5e-6", -1),
            ("0.0000010", 1),
            ("+3", 3_000_000),
        ] {
            if micros == -1 {
                assert!(parse_duration(text).is_err(), "{text}");
            } else {
                assert_eq!(parse_duration(text).unwrap(), micros, "{text}");
            }
        }
        assert!(parse_duration("0.0000001").is_err());
        assert!(parse_duration("abc").is_err());
        for micros in [0_i128, 1, -1, 86_400_000_000 * 999_999_999, 123_456_789] {
            assert_eq!(parse_duration(&duration_text(micros)).unwrap(), micros);
        }
    }

    #[test]
    fn uuids_are_canonical_lower_case_hyphenated() {
        let value = 0x1234_5678_9abc_def0_1234_5678_9abc_def0_u128;
        assert_eq!(uuid_text(value), "12345678-9abc-def0-1234-56789abcdef0");
        assert_eq!(uuid_text(0), "00000000-0000-0000-0000-000000000000");
        for text in [
            "12345678-9abc-def0-1234-56789abcdef0",
            "12345678-9ABC-DEF0-1234-56789ABCDEF0",
            "123456789abcdef0123456789abcdef0",
            "{12345678-9abc-def0-1234-56789abcdef0}",
            "urn:uuid:12345678-9abc-def0-1234-56789abcdef0",
        ] {
            assert_eq!(parse_uuid(text).unwrap(), value, "{text}");
        }
        for bad in ["", "1234", "12345678-9abc-def0-1234-56789abcdefg"] {
            assert!(parse_uuid(bad).is_err(), "{bad}");
        }
    }
}
