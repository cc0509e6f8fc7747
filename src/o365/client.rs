//! The client address of a raw record, read as Elastic's pipeline reads
//! `ClientIPAddress`, `ClientIP` or `ActorIpAddress`.
//!
//! Microsoft writes addresses as `10.0.0.1`, `10.0.0.1:443`,
//! `[2001:db8::1]:443`, `::ffff:10.0.0.1`, `[::ffff:10.0.0.1]:443`, and
//! sometimes a host name or `NAME (address)`. The pipeline first rewrites
//! an IPv4-mapped IPv6 address to plain IPv4 (keeping a port), then tries
//! a list of patterns in order; the first that fits decides what is the
//! address, the port and the domain. Only a valid IP becomes `client.ip`.

use std::net::IpAddr;

/// What one address text gives.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientAddress {
    pub address: Option<String>,
    pub domain: Option<String>,
    pub port: Option<u64>,
}

impl ClientAddress {
    /// `client.ip`: the address when it is a valid IP.
    pub fn ip(&self) -> Option<&str> {
        let address = self.address.as_deref()?;
        address.parse::<IpAddr>().is_ok().then_some(address)
    }
}

/// Reads an address text; an empty text gives nothing.
pub(crate) fn parse(text: &str) -> ClientAddress {
    if text.is_empty() {
        return ClientAddress::default();
    }
    let unmapped = unmap_ipv4(text);
    let text = unmapped.as_deref().unwrap_or(text);
    bracketed_ip_and_port(text)
        .or_else(|| lone_ip(text))
        .or_else(|| ip_and_port(text))
        .or_else(|| no_space_domain(text))
        .or_else(|| bracketed_name_and_port(text))
        .or_else(|| name_and_port(text))
        .or_else(|| name_and_address(text))
        .unwrap_or_else(|| address_only(text))
}

/// `[::ffff:1.2.3.4]:80` → `1.2.3.4:80`, `::ffff:1.2.3.4` → `1.2.3.4`.
/// The opening and closing brackets are each optional, as in the
/// pipeline's pattern.
fn unmap_ipv4(text: &str) -> Option<String> {
    let rest = text.strip_prefix('[').unwrap_or(text);
    let rest = rest.strip_prefix("::ffff:")?;
    let ipv4_len = dotted_quad_len(rest)?;
    let (ipv4, tail) = rest.split_at(ipv4_len);
    match tail.strip_prefix(']') {
        None if tail.is_empty() => Some(ipv4.to_string()),
        Some("") => Some(ipv4.to_string()),
        Some(port) if is_colon_digits(port) => Some(format!("{ipv4}{port}")),
        _ => None,
    }
}

/// The length of a leading `digits.digits.digits.digits`.
fn dotted_quad_len(text: &str) -> Option<usize> {
    let mut len = 0;
    for part in 0..4 {
        if part > 0 {
            text.get(len..)?.strip_prefix('.')?;
            len += 1;
        }
        let digits = leading_digits(text.get(len..)?);
        if digits == 0 {
            return None;
        }
        len += digits;
    }
    Some(len)
}

fn leading_digits(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

fn is_colon_digits(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

fn is_ip(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok()
}

/// A grok `POSINT` at the start of `text`, standing alone as a word:
/// no leading zero, and not followed by a letter, digit or `_`.
fn leading_port(text: &str) -> Option<u64> {
    let len = leading_digits(text);
    let digits = text.get(..len)?;
    let next = text.get(len..)?.chars().next();
    let word_follows = next.is_some_and(|c| c.is_alphanumeric() || c == '_');
    if len == 0 || digits.starts_with('0') || word_follows {
        return None;
    }
    // NOTE: Elastic's pipeline fails on a port beyond a long; here the
    // port is simply left out.
    digits.parse().ok()
}

fn with_address(address: &str, port: Option<u64>) -> ClientAddress {
    ClientAddress {
        address: Some(address.to_string()),
        domain: None,
        port,
    }
}

fn with_domain(domain: &str, port: Option<u64>) -> ClientAddress {
    ClientAddress {
        address: None,
        domain: Some(domain.to_string()),
        port,
    }
}

/// `[ip]:port`, anything may follow the port.
fn bracketed_ip_and_port(text: &str) -> Option<ClientAddress> {
    let (inside, rest) = text.strip_prefix('[')?.split_once("]:")?;
    let port = leading_port(rest)?;
    is_ip(inside).then(|| with_address(inside, Some(port)))
}

/// `ip` or `[ip]`, nothing else.
fn lone_ip(text: &str) -> Option<ClientAddress> {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    is_ip(inner).then(|| with_address(inner, None))
}

/// `ip:port`, anything may follow the port. The longest IP before a colon
/// wins.
// NOTE: grok's IP pattern may choose a shorter IPv6 prefix in rare
// texts; those differ only in which digits become the port.
fn ip_and_port(text: &str) -> Option<ClientAddress> {
    text.match_indices(':').rev().find_map(|(colon, _)| {
        let address = text.get(..colon)?;
        let port = leading_port(text.get(colon + 1..)?)?;
        is_ip(address).then(|| with_address(address, Some(port)))
    })
}

/// Any text without whitespace is a domain (`localhost:80` included: the
/// pipeline tries this pattern before the ones with a port).
fn no_space_domain(text: &str) -> Option<ClientAddress> {
    let spaced = text.chars().any(char::is_whitespace);
    (!spaced).then(|| with_domain(text, None))
}

/// `[name]:port` followed by whitespace and more.
fn bracketed_name_and_port(text: &str) -> Option<ClientAddress> {
    let word = first_word(text);
    let (inside, _) = word.strip_prefix('[')?.rsplit_once("]:")?;
    let port = leading_port(text.get(word.rfind("]:")? + 2..)?)?;
    (!inside.is_empty()).then(|| with_domain(inside, Some(port)))
}

/// `name:port` followed by whitespace and more.
fn name_and_port(text: &str) -> Option<ClientAddress> {
    let word = first_word(text);
    let colon = word.rfind(':')?;
    let port = leading_port(text.get(colon + 1..)?)?;
    let name = word.get(..colon)?;
    (!name.is_empty()).then(|| with_domain(name, Some(port)))
}

/// `NAME (address)` or `[NAME (address)]`, as Exchange writes servers.
fn name_and_address(text: &str) -> Option<ClientAddress> {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let (name, rest) = inner.split_once(' ')?;
    let address = rest.strip_prefix('(')?.strip_suffix(')')?;
    let valid = !name.is_empty() && !address.contains(')');
    valid.then(|| ClientAddress {
        address: Some(address.to_string()),
        domain: Some(name.to_string()),
        port: None,
    })
}

fn address_only(text: &str) -> ClientAddress {
    with_address(text, None)
}

fn first_word(text: &str) -> &str {
    text.split(char::is_whitespace).next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<String>, Option<String>, Option<u64>) {
        let parsed = parse(text);
        (parsed.ip().map(String::from), parsed.domain, parsed.port)
    }

    #[test]
    fn forms_microsoft_writes() {
        let cases = [
            ("10.11.12.13", Some("10.11.12.13"), None),
            ("10.11.12.13:12345", Some("10.11.12.13"), Some(12345)),
            ("[10.11.12.13]:12345", Some("10.11.12.13"), Some(12345)),
            ("[10.11.12.13]", Some("10.11.12.13"), None),
            ("::ffff:10.11.12.13", Some("10.11.12.13"), None),
            (
                "[::ffff:10.11.12.13]:12345",
                Some("10.11.12.13"),
                Some(12345),
            ),
            ("2001:db8::abcd", Some("2001:db8::abcd"), None),
            (
                "[2001:db8::abcd]:12345",
                Some("2001:db8::abcd"),
                Some(12345),
            ),
            ("[2001:db8::abcd]", Some("2001:db8::abcd"), None),
        ];
        for (text, ip, port) in cases {
            let want = (ip.map(String::from), None, port);
            assert_eq!(read(text), want, "{text}");
        }
    }

    #[test]
    fn names_are_domains_and_never_ips() {
        assert_eq!(
            read("localhost:12345"),
            (None, Some("localhost:12345".into()), None)
        );
        assert_eq!(read("[host]:80 x"), (None, Some("host".into()), Some(80)));
        let exchange = parse("EXCH01 (192.0.2.20)");
        assert_eq!(exchange.ip(), Some("192.0.2.20"));
        assert_eq!(exchange.domain.as_deref(), Some("EXCH01"));
        assert_eq!(read("not an address"), (None, None, None));
    }

    #[test]
    fn odd_ports_are_left_out() {
        assert_eq!(read("10.0.0.1:0").2, None);
        assert_eq!(read("10.0.0.1:99999999999999999999999").2, None);
        assert_eq!(read("[10.0.0.1]:08").0, None);
    }
}
