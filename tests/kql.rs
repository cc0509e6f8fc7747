//! The KQL engine against the shared conformance cases
//! (`tests/cases/kql-*.json`, also run by the JavaScript tests), plus
//! what only Rust can check: exact messages, explanations, limits, and
//! that no input makes it panic.

use m365_restricted_sender::kql::{self, SyntaxErrorKind, MAX_NESTING};
use serde_json::{json, Value};

fn cases(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("case file is readable");
    let mut doc: Value = serde_json::from_str(&text).expect("case file is JSON");
    match doc.get_mut("cases").map(Value::take) {
        Some(Value::Array(cases)) => cases,
        _ => panic!("{file} has no `cases` array"),
    }
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Parses, and checks that the canonical text parses back to the same
/// tree: Display must never change a query's meaning.
fn parse_round_trip(query: &str) -> Result<kql::Query, kql::SyntaxError> {
    let parsed = kql::parse(query)?;
    let shown = parsed.to_string();
    match kql::parse(&shown) {
        Ok(again) => assert_eq!(again.ast(), parsed.ast(), "{query:?} -> {shown:?}"),
        Err(err) => panic!("{query:?} displays as {shown:?}, which fails: {err}"),
    }
    Ok(parsed)
}

#[test]
fn parse_cases() {
    let mut failures = Vec::new();
    for case in cases("kql-parse.json") {
        let (name, query) = (text(&case, "name"), text(&case, "query"));
        let outcome = parse_round_trip(query);
        let problem = match (&outcome, case.get("error")) {
            (Ok(parsed), None) => check_tree(&case, parsed),
            (Err(err), Some(expected)) => check_error(expected, err),
            (Ok(parsed), Some(_)) => Some(format!("parsed as {}", parsed.ast())),
            (Err(err), None) => Some(format!("failed: {err}")),
        };
        if let Some(problem) = problem {
            failures.push(format!("{name}: {query:?}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn check_tree(case: &Value, parsed: &kql::Query) -> Option<String> {
    let ast = parsed.ast();
    if ast != text(case, "ast") {
        return Some(format!("tree {ast}"));
    }
    let display = case.get("display").and_then(Value::as_str)?;
    let shown = parsed.to_string();
    (shown != display).then(|| format!("displays as {shown:?}"))
}

fn check_error(expected: &Value, err: &kql::SyntaxError) -> Option<String> {
    let kind = format!("{:?}", err.kind());
    let offset = expected.get("offset").and_then(Value::as_u64);
    let same_kind = expected.get("kind").and_then(Value::as_str) == Some(&kind);
    let same_offset = offset == u64::try_from(err.offset()).ok();
    (!same_kind || !same_offset).then(|| format!("{kind} at {}: {err}", err.offset()))
}

#[test]
fn match_cases() {
    let mut failures = Vec::new();
    for case in cases("kql-match.json") {
        let (name, query) = (text(&case, "name"), text(&case, "query"));
        let doc = case.get("doc").cloned().unwrap_or_default();
        let expected = case.get("matches").and_then(Value::as_bool);
        let found = match parse_round_trip(query) {
            Ok(parsed) => {
                let again = kql::parse(&parsed.to_string()).map(|q| q.matches(&doc));
                assert_eq!(again.ok(), Some(parsed.matches(&doc)), "{name}");
                Some(parsed.matches(&doc))
            }
            Err(err) => {
                failures.push(format!("{name}: {query:?} failed: {err}"));
                continue;
            }
        };
        if found != expected {
            failures.push(format!("{name}: {query:?} gave {found:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Asking some clauses last changes how much is read, never the answer:
/// every case again, with the clauses on each of its fields asked last.
#[test]
fn clauses_asked_last_give_the_same_answers() {
    let mut asked = 0;
    for case in cases("kql-match.json") {
        let (name, query) = (text(&case, "name"), text(&case, "query"));
        let doc = case.get("doc").cloned().unwrap_or_default();
        let Ok(parsed) = kql::parse(query) else {
            continue;
        };
        for field in parsed.fields() {
            let reordered = parsed.clone().asking_last(&[field.as_str()]);
            assert_eq!(
                reordered.matches(&doc),
                parsed.matches(&doc),
                "{name}, {field} last"
            );
            assert_eq!(
                reordered.to_string(),
                parsed.to_string(),
                "{name}: written as before"
            );
            asked += 1;
        }
    }
    assert!(asked > 100, "only {asked} reorderings were tried");
}

#[test]
fn clauses_on_the_fields_given_are_asked_last() {
    use m365_restricted_sender::doc::{Document, FieldPath, Scalar, Term};
    use std::cell::RefCell;

    /// A document that has every value and notes the fields it is asked.
    struct Asked(RefCell<Vec<String>>);
    impl Document for Asked {
        fn any_value(&self, path: &FieldPath, _: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
            self.0.borrow_mut().push(path.as_str().to_owned());
            path.as_str() != "b"
        }
        fn any_term(&self, path: &FieldPath, _: &Term) -> bool {
            self.any_value(path, &mut |_| true)
        }
        fn exists(&self, path: &FieldPath) -> bool {
            self.any_value(path, &mut |_| true)
        }
        fn any_object(&self, _: &FieldPath, _: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
            false
        }
        fn any_leaf(&self, _: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
            false
        }
    }
    let query = kql::parse("d:x and (a:x or b:x) and b:x and c:x").expect("valid query");
    let asked = |query: &kql::Query| {
        let doc = Asked(RefCell::new(Vec::new()));
        query.matches(&doc);
        doc.0.into_inner()
    };
    assert_eq!(asked(&query), ["d", "a", "b"]);
    assert_eq!(asked(&query.clone().asking_last(&["d"])), ["a", "b"]);
}

/// Kept out of the shared cases: JavaScript reads `1.0` as `1`, so only
/// a document parsed here keeps the number's text.
#[test]
fn numbers_compare_as_their_json_text() {
    let doc: Value = serde_json::from_str(r#"{"a": 1.0, "b": [-0, 10]}"#).expect("valid json");
    let matches = |q: &str| kql::parse(q).expect(q).matches(&doc);
    assert!(matches("a:1.0"));
    assert!(!matches("a:1"));
    assert!(matches("b:-0"));
    assert!(!matches("b:0"));
    assert!(matches("a >= 1 and a <= 1"));
}

#[test]
fn messages_are_lowercase_with_the_offset_last() {
    let cases = [
        ("a:\"x", "unclosed quoted string at offset 2"),
        ("a:x\\y", "invalid escape `\\y` at offset 3"),
        ("a:x\\", "unfinished escape `\\` at offset 3"),
        ("a:\\u00", "expected 4 hex digits after `\\u` at offset 2"),
        ("(a:x", "expected `)` at offset 4"),
        ("a:{b:x", "expected `}` at offset 6"),
        ("a:", "expected a value at offset 2"),
        ("not ", "expected a field or value at offset 4"),
        ("not not a:x", "unexpected keyword `not` at offset 4"),
        (
            "NOT(a:x)",
            "keyword `NOT` needs whitespace after it at offset 3",
        ),
        (
            "(a:x)AND(b:y)",
            "keyword `AND` needs whitespace on both sides at offset 5",
        ),
        ("(a:x) b:y", "expected `and` or `or` at offset 6"),
        ("a:x}", "unexpected `}` at offset 3"),
        ("a:x\u{a0}b:y", "unexpected `:` at offset 5"),
        ("é:\"x", "unclosed quoted string at offset 2"),
    ];
    for (query, message) in cases {
        let err = kql::parse(query).expect_err(query);
        assert_eq!(err.to_string(), message, "{query:?}");
    }
}

#[test]
fn render_puts_a_caret_under_the_fault() {
    let err = kql::parse("a:x and (b:y").expect_err("unclosed");
    assert_eq!(err.render(), "a:x and (b:y\n            ^");
    let err = kql::parse("a:x or\nb:\"y").expect_err("unclosed quote");
    assert_eq!(err.render(), "b:\"y\n  ^^");
    let err = kql::parse("ä:x:y").expect_err("colon");
    assert_eq!(err.offset(), 3);
    assert_eq!(err.span(), 4..5);
    assert_eq!(err.render(), "ä:x:y\n   ^");
    assert_eq!(err.query(), "ä:x:y");
}

/// The rendered line and the column of its caret, in characters.
fn rendered(err: &kql::SyntaxError) -> (String, usize, usize) {
    let text = err.render();
    let (line, carets) = text.split_once('\n').expect("two lines");
    let column = carets.chars().take_while(|&c| c == ' ').count();
    let width = carets.chars().filter(|&c| c == '^').count();
    (line.to_owned(), column, width)
}

#[test]
fn render_shows_a_window_of_a_long_line() {
    let query = format!("a:({}", "x ".repeat(500_000));
    let err = kql::parse(&query).expect_err("unclosed");
    assert_eq!(err.offset(), 1_000_003);
    let (line, column, width) = rendered(&err);
    assert!(line.starts_with('…') && !line.ends_with('…'), "{line}");
    assert!(line.chars().count() <= 82, "{line}");
    assert_eq!(column, line.chars().count(), "caret past the end");
    assert_eq!(width, 1);
}

#[test]
fn render_keeps_the_caret_under_the_fault_in_the_middle() {
    let pad = "y".repeat(5_000);
    let query = format!("a:{pad} and b:x}} and c:{pad}");
    let err = kql::parse(&query).expect_err("brace");
    let (line, column, width) = rendered(&err);
    assert!(line.starts_with('…') && line.ends_with('…'), "{line}");
    assert!(line.chars().count() <= 82, "{line}");
    assert_eq!(line.chars().nth(column), Some('}'), "{line}");
    assert_eq!(width, 1);
    assert!(line.contains(" and b:x} and c:"), "{line}");
}

#[test]
fn render_cuts_a_long_line_after_an_early_fault() {
    let query = format!("a:x}} {}", "z".repeat(1_000));
    let err = kql::parse(&query).expect_err("brace");
    let (line, column, _) = rendered(&err);
    assert!(line.starts_with("a:x}") && line.ends_with('…'), "{line}");
    assert_eq!(line.chars().count(), 81);
    assert_eq!(column, 3);
}

#[test]
fn render_shortens_the_caret_of_a_long_fault_to_the_window() {
    let query = format!("a:\"{}", "q".repeat(10_000));
    let err = kql::parse(&query).expect_err("unclosed quote");
    let (line, column, width) = rendered(&err);
    assert_eq!(column, 2);
    assert!(line.ends_with('…'), "{line}");
    assert_eq!(column + width, line.chars().count() - 1);
}

#[test]
fn render_leaves_a_line_of_80_characters_whole() {
    let query = format!("a:{} )", "w".repeat(76));
    assert_eq!(query.chars().count(), 80);
    let err = kql::parse(&query).expect_err("paren");
    assert_eq!(err.render(), format!("{query}\n{}^", " ".repeat(79)));
}

fn nested_parens(levels: usize) -> String {
    format!("{}a:x{}", "(".repeat(levels), ")".repeat(levels))
}

#[test]
fn nesting_is_bounded() {
    assert!(kql::parse(&nested_parens(MAX_NESTING)).is_ok());
    for levels in [MAX_NESTING + 1, 5_000] {
        let kind = kql::parse(&nested_parens(levels)).map_err(|e| e.kind());
        assert_eq!(kind.err(), Some(SyntaxErrorKind::NestingTooDeep));
    }
    let hostile = [
        "(".repeat(5_000),
        format!("a:{}", "(".repeat(5_000)),
        "a:{".repeat(5_000),
        "not (".repeat(5_000),
        format!("{}a:x", "not ".repeat(5_000)),
        format!("a:x{}", " and not (b:y".repeat(5_000)),
        format!("{}a:x", "a:{(".repeat(2_500)),
    ];
    for query in hostile {
        assert!(kql::parse(&query).is_err(), "{}", &query[..20]);
    }
}

/// The deepest queries the limit allows, of every kind of nesting.
fn deepest_queries() -> Vec<String> {
    let half = MAX_NESTING / 2;
    vec![
        nested_parens(MAX_NESTING),
        format!(
            "{}a:x{}",
            "not (".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        ),
        format!("a:{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING)),
        format!(
            "{}b:x{}",
            "a:{".repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        ),
        format!("{}b:x{}", "a:{(".repeat(half), ")}".repeat(half)),
    ]
}

#[test]
fn deepest_queries_fit_a_small_stack() {
    // NOTE: WebAssembly gives the module 1 MiB of stack; this thread has
    // half that, and runs unoptimized code with its larger frames.
    let run = || {
        let doc = json!({"a": [{"a": {"b": "x"}}, {"b": "x"}]});
        for query in deepest_queries() {
            let parsed = kql::parse(&query).expect("within the limit");
            parsed.matches(&doc);
            parsed.explain(&doc);
            let _ = (parsed.fields(), parsed.ast(), parsed.to_string());
        }
    };
    let thread = std::thread::Builder::new().stack_size(512 * 1024);
    let handle = thread.spawn(run).expect("thread starts");
    assert!(handle.join().is_ok());
}

#[test]
fn long_flat_chains_parse_and_run() {
    let ands = vec!["not a:x"; 5_000].join(" and ");
    let query = kql::parse(&ands).expect("a long and chain");
    assert!(query.matches(&json!({"a": "y"})));
    assert!(!query.matches(&json!({"a": "x"})));
    let ors = vec!["a:x"; 5_000].join(" or ");
    let query = kql::parse(&ors).expect("a long or chain");
    assert!(query.matches(&json!({"a": "x"})));
    let list = format!("a:({})", vec!["x"; 5_000].join(" or "));
    assert!(kql::parse(&list).is_ok());
}

const RULE: &str = "event.dataset:o365.audit and \
    event.provider:SecurityComplianceCenter and event.category:web and \
    event.action:\"User restricted from sending email\" and \
    event.outcome:success";

#[test]
fn explain_reports_each_clause_with_the_values_found() {
    let query = kql::parse(RULE).expect("rule");
    let doc = json!({"event": {
        "dataset": "o365.audit", "provider": "SecurityComplianceCenter",
        "category": ["iam", "web"], "action": "AlertTriggered",
        "outcome": 1.0,
    }});
    let clauses = query.explain(&doc);
    let passed: Vec<bool> = clauses.iter().map(|c| c.passed).collect();
    assert_eq!(passed, [true, true, true, false, false]);
    let action = &clauses[3];
    assert_eq!(
        action.text,
        "event.action:\"User restricted from sending email\""
    );
    assert_eq!(action.field.as_deref(), Some("event.action"));
    assert_eq!(
        action.expected.as_deref(),
        Some("User restricted from sending email")
    );
    assert_eq!(action.values, [json!("AlertTriggered")]);
    assert_eq!(clauses[2].values, [json!("iam"), json!("web")]);
    let outcome: Value = serde_json::from_str("1.0").expect("number");
    assert_eq!(clauses[4].values, [outcome]);
}

#[test]
fn explain_of_other_shapes() {
    let doc = json!({"a": 7, "b": "x"});
    let one = kql::parse("a >= 5").expect("range").explain(&doc);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].expected.as_deref(), Some(">= 5"));
    assert_eq!(one[0].values, [json!(7)]);
    assert!(one[0].passed);
    let mixed = kql::parse("(a:1 or b:x) and not b:*").expect("query");
    let clauses = mixed.explain(&doc);
    assert_eq!(clauses.len(), 2);
    assert_eq!(clauses[0].text, "a:1 or b:x");
    assert_eq!(clauses[0].field, None);
    assert!(clauses[0].values.is_empty());
    assert_eq!(clauses[1].text, "not b:*");
    assert!(!clauses[1].passed);
    let json = serde_json::to_value(&clauses[1]).expect("serializable");
    assert_eq!(json["passed"], json!(false));
}

#[test]
fn fields_are_listed_once_in_order_with_nested_paths_joined() {
    let query = kql::parse("a:1 and top:{ b:2 and middle:{ c:true } } or a < 3").expect("query");
    let expected = ["a", "top", "top.b", "top.middle", "top.middle.c"];
    assert_eq!(query.fields(), expected);
    let query = kql::parse("x and machine*:osx and \"q f\":1").expect("query");
    assert_eq!(query.fields(), ["machine*", "q f"]);
}

#[test]
fn reads_every_field_flags_free_text_and_wildcard_names() {
    let reads_all = |q: &str| kql::parse(q).expect(q).reads_every_field();
    assert!(!reads_all(RULE));
    assert!(!reads_all("a:* and not b < 5 and c:{d:x}"));
    assert!(reads_all("a:x or free"));
    assert!(reads_all("c:{ d*:x }"));
    assert!(reads_all("a* >= 5"));
    assert!(reads_all("*:x"));
    assert!(!reads_all("*:*"));
}

#[test]
fn now_can_be_fixed() {
    let query = kql::parse("@timestamp >= now-1d").expect("query");
    let doc = json!({"@timestamp": "2024-05-01T12:00:00Z"});
    let day = 86_400_000;
    let at = 1_714_564_800_000; // 2024-05-01T12:00:00Z
    assert!(query.clone().with_now(at + day).matches(&doc));
    assert!(!query.with_now(at + day + 1).matches(&doc));
}

/// A tiny deterministic generator (xorshift), enough to shake the parser.
struct Shaker(u64);

impl Shaker {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PIECES: &[&str] = &[
    "a",
    "b",
    "event.action",
    ":",
    " ",
    "\u{a0}",
    "\t",
    "\n",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "\\",
    "*",
    "<",
    ">",
    "<=",
    ">=",
    "=",
    "and",
    "or",
    "not",
    "AND",
    "Or",
    "NOT",
    "\\n",
    "\\t",
    "\\u00",
    "\\u0041",
    "\\uD83D",
    "\\not",
    "x",
    "1",
    "1.0",
    "-5",
    "true",
    "null",
    "10.0.0.0/8",
    "now-1d/d",
    "2024-01-01||+1M",
    "é",
    "😀",
    "\u{0}",
    "\\*",
    "a.ip",
    "@timestamp",
    "\u{feff}",
    "\u{2028}",
];

fn random_query(shaker: &mut Shaker) -> String {
    let len = shaker.below(24);
    (0..len).map(|_| shaker.pick(PIECES)).collect()
}

fn shaken_document() -> Value {
    json!({
        "a": ["x", 1, true, null, {"b": "y"}], "b": 1.0,
        "event": {"action": "x", "created": "2024-01-01T00:00:00Z"},
        "event.action": "1", "a.ip": "10.1.2.3", "@timestamp": 1_700_000_000_000_i64,
        "é": "😀", "deep": [[[{"a": "x\n"}]]],
    })
}

#[test]
fn no_input_panics() {
    let doc = shaken_document();
    let mut shaker = Shaker(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let query = random_query(&mut shaker);
        match parse_round_trip(&query) {
            Ok(q) => {
                parsed += 1;
                q.matches(&doc);
                q.explain(&doc);
                q.fields();
            }
            Err(err) => {
                let _ = (err.to_string(), err.render(), err.offset());
            }
        }
    }
    // The generator must reach the evaluator, not only the error paths.
    assert!(parsed > 2_000, "only {parsed} random queries parsed");
}

#[test]
fn random_bytes_do_not_panic() {
    let mut shaker = Shaker(42);
    let doc = shaken_document();
    for _ in 0..5_000 {
        let bytes: Vec<u8> = (0..shaker.below(40)).map(|_| shaker.next() as u8).collect();
        let query = String::from_utf8_lossy(&bytes);
        if let Ok(q) = kql::parse(&query) {
            q.matches(&doc);
        }
    }
}
