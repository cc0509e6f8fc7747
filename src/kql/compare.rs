//! How a document's value compares with a query's value when the field
//! is not a plain keyword: numbers for ranges, IP addresses and networks.
//!
//! Offline there is no index mapping, so kql.md §0 decides: a range
//! compares as numbers when both sides read as numbers, and a CIDR value
//! matches a network only on IP fields.

use std::cmp::Ordering;
use std::net::IpAddr;

/// A number read from text, exact for integers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    /// Reads decimal text such as `5`, `-0.5`, `.5`, `1e3` or `+7`.
    ///
    /// Rejects what Rust would read but a person would not call a number
    /// (`inf`, `NaN`) and anything with other characters (`1.2.3.4`).
    pub(crate) fn parse(text: &str) -> Option<Number> {
        if !looks_numeric(text) {
            return None;
        }
        if let Ok(int) = text.parse::<i128>() {
            return Some(Number::Int(int));
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float)
    }

    /// The order of two numbers; integers compare exactly.
    pub(crate) fn cmp(self, other: Number) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(&b),
            (a, b) => a.as_f64().total_cmp(&b.as_f64()),
        }
    }

    #[allow(clippy::cast_precision_loss)] // NOTE: a float compare is meant
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(int) => int as f64,
            // NOTE: -0.0 and 0.0 are equal numbers; total_cmp alone would
            // order them.
            Number::Float(0.0) => 0.0,
            Number::Float(float) => float,
        }
    }
}

/// Whether `text` has the shape `[+-]digits[.digits][e[+-]digits]`.
fn looks_numeric(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|exp| {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        !exp.is_empty() && digits(exp)
    });
    let has_digits = !(whole.is_empty() && fraction.is_empty());
    has_digits && digits(whole) && digits(fraction) && exponent_ok
}

/// An IP network; a single address is a network of full length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpNet {
    address: IpAddr,
    prefix: u8,
}

/// Reads `10.0.0.0/8`, `2001:db8::/32` or a single address.
pub(crate) fn ip_net(text: &str) -> Option<IpNet> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let full = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse::<u8>().ok().filter(|&p| p <= full)?
        }
        Some(_) => return None,
        None => full,
    };
    Some(IpNet { address, prefix })
}

impl IpNet {
    /// Whether the address written as `text` falls in this network.
    pub(crate) fn contains_text(&self, text: &str) -> bool {
        text.parse::<IpAddr>().is_ok_and(|ip| self.contains(ip))
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
                Some(ip) => self.contains(IpAddr::V4(ip)),
                None => false,
            },
            (IpAddr::V6(_), IpAddr::V4(ip)) => {
                let mapped = ip.to_ipv6_mapped();
                self.contains(IpAddr::V6(mapped))
            }
        }
    }
}

/// The order of two addresses; an IPv4 address sorts as its IPv6-mapped
/// form, as Elasticsearch stores it.
pub(crate) fn ip_order(a: IpAddr, b: IpAddr) -> Ordering {
    let wide = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    wide(a).cmp(&wide(b))
}

/// Whether the first `bits` bits of two addresses agree.
fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let whole = bits / 8;
    let rest = bits % 8;
    if a.get(..whole) != b.get(..whole) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xFFu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_person_would() {
        for text in ["5", "-0.5", ".5", "5.", "1e3", "+7", "00949", "-0"] {
            assert!(Number::parse(text).is_some(), "{text}");
        }
        for text in ["", "inf", "NaN", "1.2.3", "..4", "1e", "0x10", "5 "] {
            assert!(Number::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        let n = |t: &str| Number::parse(t).expect("number");
        assert_eq!(n("10").cmp(n("9")), Ordering::Greater);
        assert_eq!(n("1.0").cmp(n("1")), Ordering::Equal);
        assert_eq!(n("-0").cmp(n("0.0")), Ordering::Equal);
        assert_eq!(n("-0.0").cmp(n("0")), Ordering::Equal);
        let big = "170141183460469231731687303715884105727";
        assert_eq!(
            n(big).cmp(n("170141183460469231731687303715884105726")),
            Ordering::Greater
        );
    }

    #[test]
    fn networks_contain_their_addresses() {
        let net = |t: &str| ip_net(t).expect("network");
        assert!(net("192.168.0.0/16").contains_text("192.168.16.3"));
        assert!(!net("10.0.0.0/8").contains_text("192.168.16.3"));
        assert!(net("10.0.0.0/8").contains_text("::ffff:10.1.2.3"));
        assert!(net("2001:db8::/32").contains_text("2001:db8::1"));
        assert!(net("0.0.0.0/0").contains_text("8.8.8.8"));
        assert!(net("10.1.2.3").contains_text("10.1.2.3"));
        assert!(!net("10.1.2.3").contains_text("10.1.2.4"));
        assert!(net("10.1.2.0/25").contains_text("10.1.2.127"));
        assert!(!net("10.1.2.0/25").contains_text("10.1.2.128"));
        assert!(ip_net("10.0.0.0/33").is_none());
        assert!(ip_net("1.2.3.4/+8").is_none());
        assert!(ip_net("host").is_none());
    }
}
