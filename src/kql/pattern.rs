//! Wildcard patterns: anchored, case-sensitive, and only `*` is special.
//!
//! Kibana turns a wildcard into `^…$` with `[\s\S]*` between the literal
//! parts, so `*` matches any run of characters, newlines included, and `?`
//! is an ordinary character. The same patterns match field names when a
//! field is written with a `*` (`machine*:osx`).

/// A wildcard pattern, kept as the literal parts between its stars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// Never fewer than two parts: a pattern has at least one star.
    parts: Vec<String>,
}

impl Pattern {
    /// A pattern from the text around its stars (`x*y` is `["x", "y"]`).
    pub(crate) fn new(mut parts: Vec<String>) -> Pattern {
        while parts.len() < 2 {
            parts.push(String::new());
        }
        Pattern { parts }
    }

    /// The literal parts, in order.
    pub(crate) fn parts(&self) -> &[String] {
        &self.parts
    }

    /// Whether this is `*` alone, which Kibana reads as "exists". `**` is
    /// not lone: Kibana strips only the first star when it checks.
    pub(crate) fn is_lone(&self) -> bool {
        self.parts.len() == 2 && self.parts.iter().all(String::is_empty)
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let Some((first, rest)) = self.parts.split_first() else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return text == first;
        };
        let Some(body) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some(mut body) = body.strip_suffix(last.as_str()) else {
            return false;
        };
        // Leftmost placement of each middle part leaves the most room for
        // the parts after it, so it finds a match whenever one exists.
        for part in middle {
            match body.find(part.as_str()) {
                Some(at) => body = &body[at + part.len()..],
                None => return false,
            }
        }
        true
    }

    /// The pattern as plain text, each star a literal `*`: what Kibana
    /// sends when a wildcard stands where only a value makes sense.
    pub(crate) fn to_plain_text(&self) -> String {
        self.parts.join("*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text.split('*').map(str::to_owned).collect())
    }

    #[test]
    fn matches_are_anchored_and_case_sensitive() {
        let cases = [
            ("foo*", "foobar", true),
            ("foo*", "FOObar", false),
            ("foo*", "xfoo", false),
            ("*bar", "foobar", true),
            ("*bar", "barx", false),
            ("f*o", "fo", true),
            ("f*o", "f", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "acb", false),
            ("ab*ba", "aba", false),
            ("*", "", true),
            ("**", "anything", true),
            ("f?o", "fxo", false),
            ("f?o*", "f?o!", true),
            ("foo*", "foo\nbar", true),
        ];
        for (pat, text, expected) in cases {
            assert_eq!(pattern(pat).matches(text), expected, "{pat} {text}");
        }
    }

    #[test]
    fn only_a_single_bare_star_is_lone() {
        assert!(pattern("*").is_lone());
        assert!(!pattern("**").is_lone());
        assert!(!pattern("a*").is_lone());
    }
}
