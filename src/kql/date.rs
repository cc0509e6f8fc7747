//! Dates for ranges on date fields: ISO 8601 and epoch milliseconds, and
//! Elasticsearch's date math (`now-1d/d`, `2024-05-01||+1M`), in UTC.
//!
//! A small reader of our own: the formats are the few Elasticsearch's
//! default `strict_date_optional_time||epoch_millis` accepts, and a date
//! crate would cost more in size than these two hundred lines.
//!
//! TODO: Elasticsearch fills a date's missing parts differently for
//! `gt`/`lte` (`2024-05` with `lte` rounds up); here they are always the
//! start of the period. Write `2024-05||/M` for the rounded form.

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use crate::doc::Scalar;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// A date math expression, resolved when a document is evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateMath {
    anchor: Anchor,
    steps: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Now,
    /// milliseconds since the epoch
    At(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Add(i64, Unit),
    Round(Unit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl DateMath {
    /// Reads `now`, a date, or either followed by math (`||` after a
    /// date). None when the text is not a date at all.
    pub(crate) fn parse(text: &str) -> Option<DateMath> {
        let (anchor, math) = match text.strip_prefix("now") {
            Some(math) => (Anchor::Now, math),
            None => match text.split_once("||") {
                Some((date, math)) => (Anchor::At(parse_date(date)?), math),
                None => (Anchor::At(parse_date(text)?), ""),
            },
        };
        let steps = parse_steps(math)?;
        Some(DateMath { anchor, steps })
    }

    /// Whether resolving needs the current time.
    pub(crate) fn uses_now(&self) -> bool {
        self.anchor == Anchor::Now
    }

    /// The instant in milliseconds; rounding goes to the end of the unit
    /// when `up`. None when `now` is needed but unknown, or when
    /// the result leaves the calendar's range.
    pub(crate) fn resolve(&self, now: Option<i64>, up: bool) -> Option<i64> {
        let start = match self.anchor {
            Anchor::Now => now?,
            Anchor::At(ms) => ms,
        };
        self.steps.iter().try_fold(start, |ms, step| match *step {
            Step::Add(amount, unit) => add(ms, amount, unit),
            Step::Round(unit) => round(ms, unit, up),
        })
    }
}

fn parse_steps(mut math: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    while let Some(&op) = math.as_bytes().first() {
        if !matches!(op, b'/' | b'+' | b'-') {
            return None;
        }
        let rest = &math[1..];
        let (step, len) = match op {
            b'/' => (Step::Round(unit(rest)?), 1),
            _ => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit);
                let digits = digits.count();
                // NOTE: Elasticsearch reads a missing amount as 1 (`now+d`).
                let amount = match digits {
                    0 => 1,
                    _ => rest[..digits].parse::<i64>().ok()?,
                };
                let amount = if op == b'-' { -amount } else { amount };
                let unit = unit(&rest[digits..])?;
                (Step::Add(amount, unit), digits + 1)
            }
        };
        steps.push(step);
        math = &rest[len..];
    }
    Some(steps)
}

fn unit(text: &str) -> Option<Unit> {
    let unit = match text.as_bytes().first()? {
        b'y' => Unit::Year,
        b'M' => Unit::Month,
        b'w' => Unit::Week,
        b'd' => Unit::Day,
        b'h' | b'H' => Unit::Hour,
        b'm' => Unit::Minute,
        b's' => Unit::Second,
        _ => return None,
    };
    Some(unit)
}

fn add(ms: i64, amount: i64, unit: Unit) -> Option<i64> {
    let fixed = |size: i64| amount.checked_mul(size)?.checked_add(ms);
    match unit {
        Unit::Year => add_months(ms, amount.checked_mul(12)?),
        Unit::Month => add_months(ms, amount),
        Unit::Week => fixed(7 * MS_PER_DAY),
        Unit::Day => fixed(MS_PER_DAY),
        Unit::Hour => fixed(MS_PER_HOUR),
        Unit::Minute => fixed(MS_PER_MINUTE),
        Unit::Second => fixed(MS_PER_SECOND),
    }
}

/// Calendar months: the day is clamped to the new month's length, so
/// Jan 31 plus a month is the last day of February.
fn add_months(ms: i64, months: i64) -> Option<i64> {
    let days = ms.div_euclid(MS_PER_DAY);
    let time = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let index = year.checked_mul(12)?.checked_add(month - 1)?;
    let index = index.checked_add(months)?;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let day = day.min(days_in_month(year, month));
    let days = bounded_days(year, month, day)?;
    days.checked_mul(MS_PER_DAY)?.checked_add(time)
}

/// The start of the unit holding `ms`, or its last millisecond.
fn round(ms: i64, unit: Unit, up: bool) -> Option<i64> {
    let start = unit_start(ms, unit)?;
    if !up {
        return Some(start);
    }
    add(start, 1, unit)?.checked_sub(1)
}

fn unit_start(ms: i64, unit: Unit) -> Option<i64> {
    let floor = |size: i64| Some(ms - ms.rem_euclid(size));
    let days = ms.div_euclid(MS_PER_DAY);
    let (year, month, _) = civil_from_days(days);
    let day_ms = |days: i64| days.checked_mul(MS_PER_DAY);
    match unit {
        Unit::Year => day_ms(bounded_days(year, 1, 1)?),
        Unit::Month => day_ms(bounded_days(year, month, 1)?),
        // NOTE: weeks start on Monday; 1970-01-01 was a Thursday.
        Unit::Week => day_ms(days - (days + 3).rem_euclid(7)),
        Unit::Day => floor(MS_PER_DAY),
        Unit::Hour => floor(MS_PER_HOUR),
        Unit::Minute => floor(MS_PER_MINUTE),
        Unit::Second => floor(MS_PER_SECOND),
    }
}

/// A document's date value in milliseconds: a JSON number is epoch
/// milliseconds, a string is ISO 8601 or epoch milliseconds.
pub(crate) fn from_scalar(value: Scalar<'_>) -> Option<i64> {
    match value {
        Scalar::Number(text) => epoch_millis(text),
        Scalar::Str(text) => parse_date(text),
        Scalar::Bool(_) => None,
    }
}

/// Reads ISO 8601 first and then epoch milliseconds, as Elasticsearch's
/// default date format does (so `2024` is a year).
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    iso(text).or_else(|| epoch_millis(text))
}

fn epoch_millis(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A cursor over the text of an ISO 8601 date.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn digits(&mut self, count: usize) -> Option<i64> {
        let (head, rest) = self.rest.split_at_checked(count)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.rest = rest;
        head.iter()
            .try_fold(0i64, |n, d| Some(n * 10 + i64::from(d - b'0')))
    }

    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((&first, rest)) if first == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// `-MM` or `-DD` when present, else `default`.
    fn optional_part(&mut self, default: i64) -> Option<i64> {
        if self.eat(b'-') {
            self.digits(2)
        } else {
            Some(default)
        }
    }
}

/// `yyyy[-MM[-dd[THH[:mm[:ss[.fff]]][zone]]]]`, zone `Z` or `±HH[:mm]`.
fn iso(text: &str) -> Option<i64> {
    let mut at = Cursor {
        rest: text.as_bytes(),
    };
    let year = at.digits(4)?;
    let month = at.optional_part(1)?;
    let day = at.optional_part(1)?;
    let days = valid_days(year, month, day)?;
    let time = if at.eat(b'T') { clock(&mut at)? } else { 0 };
    if !at.rest.is_empty() {
        return None;
    }
    days.checked_mul(MS_PER_DAY)?.checked_add(time)
}

fn valid_days(year: i64, month: i64, day: i64) -> Option<i64> {
    let month_ok = (1..=12).contains(&month);
    if !month_ok || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    bounded_days(year, month, day)
}

/// The time of day and zone after `T`, in milliseconds from midnight UTC.
fn clock(at: &mut Cursor<'_>) -> Option<i64> {
    let hour = at.digits(2)?;
    let (mut minute, mut second, mut millis) = (0, 0, 0);
    if at.eat(b':') {
        minute = at.digits(2)?;
        if at.eat(b':') {
            second = at.digits(2)?;
            if at.eat(b'.') || at.eat(b',') {
                millis = fraction(at)?;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let local = hour * MS_PER_HOUR + minute * MS_PER_MINUTE;
    Some(local + second * MS_PER_SECOND + millis - zone(at)?)
}

/// One to nine fraction digits, cut (not rounded) to milliseconds.
fn fraction(at: &mut Cursor<'_>) -> Option<i64> {
    let count = at.rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=9).contains(&count) {
        return None;
    }
    let digits = at.digits(count)?;
    let scale = 10i64.pow(u32::try_from(count).ok()?);
    Some(digits * 1_000 / scale)
}

/// The zone's offset from UTC in milliseconds; none given is UTC.
fn zone(at: &mut Cursor<'_>) -> Option<i64> {
    if at.rest.is_empty() || at.eat(b'Z') {
        return Some(0);
    }
    let sign = if at.eat(b'+') {
        1
    } else if at.eat(b'-') {
        -1
    } else {
        return None;
    };
    let hours = at.digits(2)?;
    let minutes = if at.rest.is_empty() {
        0
    } else {
        at.eat(b':');
        at.digits(2)?
    };
    if hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE))
}

/// [`days_from_civil`] for years that date math can reach, however far
/// `+1000000y` pushes them: beyond a million years is no date.
fn bounded_days(year: i64, month: i64, day: i64) -> Option<i64> {
    (year.abs() <= 1_000_000).then(|| days_from_civil(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = MS_PER_DAY;

    #[test]
    fn iso_dates_with_zones_and_fractions() {
        let cases = [
            ("1970-01-01", Some(0)),
            ("1970-01-02T00:00:00Z", Some(DAY)),
            ("1970-01-01T01:00:00+01:00", Some(0)),
            ("1970-01-01T00:00:00-0130", Some(90 * MS_PER_MINUTE)),
            ("1970-01-01T00:00:00.123456789Z", Some(123)),
            ("1970-01-01T00:00:01.5", Some(1_500)),
            ("1970-01", Some(0)),
            ("1971", Some(365 * DAY)),
            ("2024-02-29", Some(19_782 * DAY)),
            ("2023-02-29", None),
            ("2024-13-01", None),
            ("2024-01-01T24:00", None),
            ("2024-01-01 10:00", None),
            ("2024-01-01T10:00Zjunk", None),
            ("1700000000000", Some(1_700_000_000_000)),
            ("-1", Some(-1)),
            ("soon", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), expected, "{text}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 59, 60, 10_957, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
    }

    #[test]
    fn date_math_adds_and_rounds() {
        let now = parse_date("2024-03-31T10:30:00Z");
        let at = |text: &str, up: bool| {
            let math = DateMath::parse(text)?;
            math.resolve(now, up)
        };
        let date = |text: &str| parse_date(text);
        assert_eq!(at("now", false), now);
        assert_eq!(at("now-1d", false), date("2024-03-30T10:30:00Z"));
        assert_eq!(at("now-1M", false), date("2024-02-29T10:30:00Z"));
        assert_eq!(at("now+1y", false), date("2025-03-31T10:30:00Z"));
        assert_eq!(at("now/d", false), date("2024-03-31"));
        assert_eq!(at("now/d", true), date("2024-03-31T23:59:59.999Z"));
        assert_eq!(at("now/w", false), date("2024-03-25"));
        assert_eq!(at("now/M", true), date("2024-03-31T23:59:59.999Z"));
        assert_eq!(at("now-2h/h", false), date("2024-03-31T08:00:00Z"));
        assert_eq!(at("2024-01-31||+1M", false), date("2024-02-29"));
        assert_eq!(at("2024-01-15", true), date("2024-01-15"));
        assert_eq!(at("now+d", false), date("2024-04-01T10:30:00Z"));
        assert_eq!(at("now-1x", false), None);
        assert_eq!(at("now-", false), None);
        let math = DateMath::parse("now").expect("now reads");
        assert_eq!(math.resolve(None, false), None);
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let math = DateMath::parse("now+9999999999999999y");
        assert_eq!(math.and_then(|m| m.resolve(Some(0), false)), None);
        let math = DateMath::parse("now+9223372036854775807s");
        assert_eq!(math.and_then(|m| m.resolve(Some(0), false)), None);
    }
}
