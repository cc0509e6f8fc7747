//! Instants as audit data writes them, and one way to print them.
//!
//! Elastic stores `@timestamp` as `YYYY-MM-DDTHH:MM:SS.mmmZ`, with finer
//! fractions cut. Microsoft writes `CreationTime` without a zone (it is
//! UTC) and with any number of fraction digits; PowerShell 5.1 writes
//! `/Date(ms)/`; Elasticsearch also accepts epoch milliseconds. All of
//! these are read here; a date crate would be more than this needs.

use std::fmt;

use serde_json::Value;

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_MINUTE: i64 = 60_000;

/// An instant in milliseconds since 1970-01-01T00:00:00Z, within the
/// years 0000 to 9999 (the years `@timestamp` can print).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The first instant of year 0000.
    pub const MIN: Timestamp = Timestamp(-62_167_219_200_000);
    /// The last millisecond of year 9999.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);

    /// The instant `millis` after the epoch, if it lies in 0000..=9999.
    pub fn from_millis(millis: i64) -> Option<Timestamp> {
        let t = Timestamp(millis);
        (Self::MIN..=Self::MAX).contains(&t).then_some(t)
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, as Elasticsearch prints `@timestamp`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MS_PER_DAY);
        let ms = self.0.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            ms / MS_PER_HOUR,
            ms % MS_PER_HOUR / MS_PER_MINUTE,
            ms % MS_PER_MINUTE / 1000,
            ms % 1000
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads an instant from a JSON value: a string (ISO 8601 with any offset
/// or none, which means UTC; PowerShell's `/Date(ms)/`; epoch
/// milliseconds) or a number (epoch milliseconds). Anything else, or a
/// time outside the years 0000 to 9999, is `None`.
///
/// ```
/// use m365_restricted_sender::o365::parse_time;
/// use serde_json::json;
///
/// let t = parse_time(&json!("2020-02-14T19:00:00.1234567")).unwrap();
/// assert_eq!(t.to_string(), "2020-02-14T19:00:00.123Z");
/// assert_eq!(parse_time(&json!(1_700_000_000_000_i64)), parse_time(
///     &json!("/Date(1700000000000)/")));
/// assert_eq!(parse_time(&json!("yesterday")), None);
/// ```
pub fn parse_time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => parse_time_str(text),
        Value::Number(number) => epoch_number(number.as_str()),
        _ => None,
    }
}

/// [`parse_time`] for text.
pub fn parse_time_str(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    powershell_date(text)
        .or_else(|| iso8601(text))
        .or_else(|| epoch_text(text))
}

/// Epoch milliseconds from a JSON number's text, read as serde_json
/// reads a number: as an integer when it is one, else as a finite float.
pub(crate) fn epoch_number(text: &str) -> Option<Timestamp> {
    if let Ok(millis) = text.parse::<i64>() {
        return Timestamp::from_millis(millis);
    }
    // NOTE: a fraction of a millisecond is cut toward the earlier instant,
    // as fractions of a second are.
    let float = text.parse::<f64>().ok().filter(|f| f.is_finite());
    let millis = float?.floor();
    let range = Timestamp::MIN.0 as f64..=Timestamp::MAX.0 as f64;
    let in_range = range.contains(&millis);
    in_range.then_some(Timestamp(millis as i64))
}

fn epoch_text(text: &str) -> Option<Timestamp> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Timestamp::from_millis(text.parse().ok()?)
}

/// `/Date(1700000000000)/`, `\/Date(...)\/`, optionally with an offset
/// such as `+0100` after the number. The number is already UTC: the
/// offset only says where the writer was, so it is skipped.
fn powershell_date(text: &str) -> Option<Timestamp> {
    let inner = text
        .strip_prefix("\\/Date(")
        .and_then(|rest| rest.strip_suffix(")\\/"))
        .or_else(|| text.strip_prefix("/Date(")?.strip_suffix(")/"))?;
    let sign_len = usize::from(inner.starts_with('-'));
    let digits_end = inner
        .bytes()
        .skip(sign_len)
        .position(|b| !b.is_ascii_digit())
        .map_or(inner.len(), |i| i + sign_len);
    let (number, offset) = inner.split_at(digits_end);
    if !offset.is_empty() && !is_compact_offset(offset) {
        return None;
    }
    epoch_text(number)
}

fn is_compact_offset(text: &str) -> bool {
    let Some(digits) = text.strip_prefix(['+', '-']) else {
        return false;
    };
    digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// ISO 8601 in the forms Elasticsearch's `date_optional_time` reads:
/// `YYYY[-MM[-DD[(T| )HH[:MM[:SS[(.|,)fraction]]][zone]]]]`, zone being
/// `Z` or `±HH[[:]MM]`. Without a zone the time is UTC.
fn iso8601(text: &str) -> Option<Timestamp> {
    let mut cursor = Cursor::new(text);
    let days = cursor.date()?;
    let mut millis = days.checked_mul(MS_PER_DAY)?;
    if cursor.eat_any(b"Tt ") {
        millis += cursor.time_of_day()?;
        millis -= cursor.zone()?;
    }
    cursor.at_end().then_some(())?;
    Timestamp::from_millis(millis)
}

/// A reading position in ASCII text; every step checks before it takes.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn eat_any(&mut self, set: &[u8]) -> bool {
        let hit = self.peek().is_some_and(|b| set.contains(&b));
        self.at += usize::from(hit);
        hit
    }

    /// Exactly `count` digits as a number.
    fn digits(&mut self, count: usize) -> Option<i64> {
        let end = self.at.checked_add(count)?;
        let slice = self.bytes.get(self.at..end)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at = end;
        Some(slice.iter().fold(0, |n, b| n * 10 + i64::from(b - b'0')))
    }

    /// `YYYY[-MM[-DD]]` as days since the epoch.
    fn date(&mut self) -> Option<i64> {
        let year = self.digits(4)?;
        let (mut month, mut day) = (1, 1);
        if self.eat_any(b"-") {
            month = self.digits(2)?;
            if self.eat_any(b"-") {
                day = self.digits(2)?;
            }
        }
        let days = 1..=days_in_month(year, month);
        let valid = (1..=12).contains(&month) && days.contains(&day);
        valid.then(|| days_from_civil(year, month, day))
    }

    /// `HH[:MM[:SS[.fraction]]]` as milliseconds into the day.
    fn time_of_day(&mut self) -> Option<i64> {
        let hour = self.digits(2)?;
        let (mut minute, mut second, mut millis) = (0, 0, 0);
        if self.eat_any(b":") {
            minute = self.digits(2)?;
            if self.eat_any(b":") {
                second = self.digits(2)?;
                if self.eat_any(b".,") {
                    millis = self.fraction_millis()?;
                }
            }
        }
        let valid = hour < 24 && minute < 60 && second < 60;
        let clock = hour * MS_PER_HOUR + minute * MS_PER_MINUTE;
        valid.then_some(clock + second * 1000 + millis)
    }

    /// One or more digits; the first three are milliseconds, the rest are
    /// cut (not rounded), as Elasticsearch stores them.
    fn fraction_millis(&mut self) -> Option<i64> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = self.bytes.get(start..self.at)?;
        if digits.is_empty() {
            return None;
        }
        let padded = digits.iter().chain(b"000").take(3);
        Some(padded.fold(0, |n, b| n * 10 + i64::from(b - b'0')))
    }

    /// The zone's offset east of UTC in milliseconds (0 when none).
    fn zone(&mut self) -> Option<i64> {
        if self.eat_any(b"Zz") || self.at_end() {
            return Some(0);
        }
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.at += 1;
        let hours = self.digits(2)?;
        let colon = self.eat_any(b":");
        let minutes = match self.digits(2) {
            Some(minutes) => minutes,
            None if colon => return None,
            None => 0,
        };
        let valid = hours < 24 && minutes < 60;
        valid.then_some(sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_print_four_digit_years() {
        assert_eq!(Timestamp::MIN.to_string(), "0000-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::from_millis(Timestamp::MAX.0 + 1), None);
    }
}
