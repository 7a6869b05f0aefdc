//! Timestamps as DynamORM stores them: RFC 3339 in UTC with exactly nine
//! fraction digits (`2024-05-01T12:00:00.123456000Z`), so that the text sorts
//! in time order, and TTLs as Unix epoch seconds. Python datetimes carry
//! microseconds, so the last three digits are always `000` on write and
//! anything past six digits is dropped on read.

use crate::error::{CoreError, CoreResult};

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A point in time in UTC, to the microsecond, within years 1 to 9999
/// (Python's `datetime` range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub micro: u32,
}

impl UtcTime {
    /// The UTC time of a local date and time whose offset from UTC is
    /// `offset_micros` (east positive): `local - offset`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_local(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        micro: u32,
        offset_micros: i64,
    ) -> CoreResult<Self> {
        let local = UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micro,
        };
        local.check()?;
        Self::from_epoch_micros(local.epoch_micros() - offset_micros)
    }

    /// Microseconds since 1970-01-01T00:00:00Z (negative before).
    pub fn epoch_micros(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let seconds =
            i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        days * MICROS_PER_DAY + seconds * MICROS_PER_SECOND + i64::from(self.micro)
    }

    /// Whole seconds since the epoch, rounded down (as Go's `Time.Unix`).
    pub fn epoch_seconds(&self) -> i64 {
        self.epoch_micros().div_euclid(MICROS_PER_SECOND)
    }

    /// The time `micros` microseconds after the epoch.
    pub fn from_epoch_micros(micros: i64) -> CoreResult<Self> {
        let days = micros.div_euclid(MICROS_PER_DAY);
        let rest = micros.rem_euclid(MICROS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if !(1..=9999).contains(&year) {
            return Err(CoreError::validation(format!(
                "time is outside years 1 to 9999 (epoch microseconds {micros})"
            )));
        }
        let seconds = rest / MICROS_PER_SECOND;
        // Each part is below its unit (24 h, 60 min, 60 s, 10^6 µs), so the
        // narrowing conversions cannot truncate.
        Ok(UtcTime {
            year,
            month,
            day,
            hour: (seconds / 3600) as u8,
            minute: (seconds / 60 % 60) as u8,
            second: (seconds % 60) as u8,
            micro: (rest % MICROS_PER_SECOND) as u32,
        })
    }

    /// The time `seconds` whole seconds after the epoch.
    pub fn from_epoch_seconds(seconds: i64) -> CoreResult<Self> {
        let micros = seconds.checked_mul(MICROS_PER_SECOND).ok_or_else(|| {
            CoreError::validation(format!("epoch seconds {seconds} are out of range"))
        })?;
        Self::from_epoch_micros(micros)
    }

    /// RFC 3339 text, fixed width: `YYYY-MM-DDTHH:MM:SS.fffffffffZ`.
    pub fn format(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}000Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micro
        )
    }

    /// Reads RFC 3339 text: `YYYY-MM-DD`, `T` (or `t` or a space),
    /// `HH:MM:SS`, optional fraction digits (truncated to microseconds) and
    /// a zone, `Z`/`z` or an offset `±HH[:MM[:SS]]` / `±HHMM[SS]`.
    pub fn parse(text: &str) -> CoreResult<Self> {
        parse(text.as_bytes())
            .and_then(|(local, offset)| {
                local.check().ok()?;
                Self::from_epoch_micros(local.epoch_micros() - offset).ok()
            })
            .ok_or_else(|| CoreError::validation(format!("not an RFC 3339 timestamp: {text:?}")))
    }

    fn check(&self) -> CoreResult<()> {
        let valid = (1..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
            && self.micro < 1_000_000;
        if valid {
            Ok(())
        } else {
            Err(CoreError::validation(format!(
                "not a valid date and time: {:?}",
                self
            )))
        }
    }
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01; the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Out-of-range years are refused by the caller; clamp so the cast is exact.
    (
        year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        month,
        day,
    )
}

/// The local time and its offset in microseconds; `None` when malformed.
fn parse(b: &[u8]) -> Option<(UtcTime, i64)> {
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let sep = |at: usize, c: u8| (b[at] == c).then_some(());
    sep(4, b'-')?;
    sep(7, b'-')?;
    sep(13, b':')?;
    sep(16, b':')?;
    let local = UtcTime {
        year: i32::try_from(digits(&b[0..4])?).ok()?,
        month: u8::try_from(digits(&b[5..7])?).ok()?,
        day: u8::try_from(digits(&b[8..10])?).ok()?,
        hour: u8::try_from(digits(&b[11..13])?).ok()?,
        minute: u8::try_from(digits(&b[14..16])?).ok()?,
        second: u8::try_from(digits(&b[17..19])?).ok()?,
        micro: 0,
    };
    let mut rest = &b[19..];
    let mut micro = 0u32;
    if let [b'.', tail @ ..] = rest {
        let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, &c) in tail[..n.min(6)].iter().enumerate() {
            micro += u32::from(c - b'0') * 10u32.pow(5 - i as u32);
        }
        rest = &tail[n..];
    }
    let offset = zone(rest)?;
    Some((UtcTime { micro, ..local }, offset))
}

/// `Z`, `z` or `±HH[:MM[:SS]]` / `±HHMM[SS]`, as microseconds east of UTC.
fn zone(b: &[u8]) -> Option<i64> {
    let (sign, body) = match b {
        [b'Z' | b'z'] => return Some(0),
        [b'+', body @ ..] => (1, body),
        [b'-', body @ ..] => (-1, body),
        _ => return None,
    };
    let parts: Vec<&[u8]> = if body.contains(&b':') {
        body.split(|&c| c == b':').collect()
    } else if body.len() % 2 == 0 && !body.is_empty() {
        body.chunks(2).collect()
    } else {
        return None;
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let mut units = parts.iter().map(|p| digits(p));
    let hours = units.next()??;
    let minutes = units.next().unwrap_or(Some(0))?;
    let seconds = units.next().unwrap_or(Some(0))?;
    if hours >= 24 || minutes >= 60 || seconds >= 60 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds) * MICROS_PER_SECOND)
}

/// The value of ASCII decimal digits; `None` when any byte is not a digit.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> UtcTime {
        UtcTime::parse(text).unwrap()
    }

    #[test]
    fn formats_with_nine_fraction_digits() {
        let t = UtcTime::from_local(2024, 5, 1, 12, 0, 0, 123_456, 0).unwrap();
        assert_eq!(t.format(), "2024-05-01T12:00:00.123456000Z");
        let early = UtcTime::from_local(999, 1, 2, 3, 4, 5, 6, 0).unwrap();
        assert_eq!(early.format(), "0999-01-02T03:04:05.000006000Z");
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let two_hours = 2 * 3600 * MICROS_PER_SECOND;
        let t = UtcTime::from_local(2024, 1, 1, 1, 30, 0, 0, two_hours).unwrap();
        assert_eq!(t.format(), "2023-12-31T23:30:00.000000000Z");
        assert_eq!(utc("2024-01-01T01:30:00+02:00"), t);
        assert_eq!(utc("2024-01-01T01:30:00+0200"), t);
        assert_eq!(utc("2024-01-01T01:30:00+02"), t);
        assert_eq!(utc("2023-12-31 23:30:00z"), t);
        assert_eq!(
            utc("2023-12-31T20:00:00-03:30").format(),
            "2023-12-31T23:30:00.000000000Z"
        );
    }

    #[test]
    fn fractions_are_truncated_to_microseconds() {
        assert_eq!(utc("2024-05-01T12:00:00.123456789Z").micro, 123_456);
        assert_eq!(utc("2024-05-01T12:00:00.5Z").micro, 500_000);
        assert_eq!(utc("2024-05-01T12:00:00Z").micro, 0);
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T12:00:00",
            "2024-05-01X12:00:00Z",
            "2024-02-30T12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:60Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+24:00",
            "2024-05-01T12:00:00+1:00",
            "2024-05-01T12:00:00+01:00:00:00",
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "２０２４-05-01T12:00:00Z",
        ] {
            let err = UtcTime::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("not an RFC 3339 timestamp"),
                "{bad}"
            );
        }
    }

    #[test]
    fn epoch_seconds_round_down() {
        let t = UtcTime::from_local(1970, 1, 1, 0, 0, 1, 500_000, 0).unwrap();
        assert_eq!(t.epoch_seconds(), 1);
        let before = UtcTime::from_local(1969, 12, 31, 23, 59, 59, 500_000, 0).unwrap();
        assert_eq!(before.epoch_seconds(), -1);
        let later = UtcTime::from_local(2030, 1, 1, 0, 0, 0, 0, 0).unwrap();
        assert_eq!(later.epoch_seconds(), 1_893_456_000);
        assert_eq!(UtcTime::from_epoch_seconds(1_893_456_000).unwrap(), later);
        assert!(UtcTime::from_epoch_seconds(i64::MAX).is_err());
        assert!(UtcTime::from_epoch_seconds(300_000_000_000).is_err());
    }

    #[test]
    fn civil_days_round_trip_over_the_whole_range() {
        let first = days_from_civil(1, 1, 1);
        let last = days_from_civil(9999, 12, 31);
        for days in (first..=last).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Every microsecond from year 1 to year 9999.
        fn any_time() -> impl Strategy<Value = UtcTime> {
            let first = UtcTime::from_local(1, 1, 1, 0, 0, 0, 0, 0)
                .unwrap()
                .epoch_micros();
            let last = UtcTime::from_local(9999, 12, 31, 23, 59, 59, 999_999, 0)
                .unwrap()
                .epoch_micros();
            (first..=last).prop_map(|micros| UtcTime::from_epoch_micros(micros).unwrap())
        }

        proptest! {
            #[test]
            fn text_round_trips_and_sorts_like_time(a in any_time(), b in any_time()) {
                let (ta, tb) = (a.format(), b.format());
                prop_assert_eq!(ta.len(), 30);
                prop_assert_eq!(UtcTime::parse(&ta).unwrap(), a);
                prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
            }

            #[test]
            fn offsets_shift_the_instant(t in any_time(), minutes in -1439i64..=1439) {
                let offset = minutes * 60 * MICROS_PER_SECOND;
                let shifted = UtcTime::from_epoch_micros(t.epoch_micros() + offset);
                prop_assume!(shifted.is_ok());
                let local = shifted.unwrap();
                let back = UtcTime::from_local(
                    local.year, local.month, local.day, local.hour, local.minute,
                    local.second, local.micro, offset,
                ).unwrap();
                prop_assert_eq!(back, t);
                let sign = if minutes < 0 { '-' } else { '+' };
                let text = format!(
                    "{}{sign}{:02}:{:02}",
                    &local.format()[..26],
                    minutes.abs() / 60,
                    minutes.abs() % 60
                );
                prop_assert_eq!(UtcTime::parse(&text).unwrap(), t);
            }

            #[test]
            fn epoch_seconds_round_down(t in any_time()) {
                let seconds = t.epoch_seconds();
                let whole = UtcTime::from_epoch_seconds(seconds).unwrap();
                prop_assert!(whole <= t);
                prop_assert!(t.epoch_micros() - whole.epoch_micros() < MICROS_PER_SECOND);
            }
        }
    }
}
