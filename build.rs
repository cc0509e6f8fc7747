//! Compiles the rule into the crate: its metadata from `src/rule/rule.json`,
//! its investigation guide and setup text from markdown, rendered to HTML
//! here so that neither a markdown renderer nor a JSON parse of the rule
//! ships in the library.

use std::fmt::Write as _;
use std::{env, fs, path::Path};

use serde_json::Value;

const RULE_DIR: &str = "src/rule";

fn main() {
    for file in ["rule.json", "investigation-guide.md", "setup.md"] {
        println!("cargo:rerun-if-changed={RULE_DIR}/{file}");
    }
    let rule: Value = serde_json::from_str(&read("rule.json"))
        .unwrap_or_else(|err| fail(&format!("rule.json: {err}")));
    let note = read("investigation-guide.md");
    let setup = read("setup.md");
    let code = generate(&rule, &note, &setup);
    let out =
        Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| fail("no OUT_DIR"))).join("rule.rs");
    fs::write(out, code).unwrap_or_else(|err| fail(&err.to_string()));
}

fn read(file: &str) -> String {
    fs::read_to_string(Path::new(RULE_DIR).join(file))
        .unwrap_or_else(|err| fail(&format!("{file}: {err}")))
}

fn fail(message: &str) -> ! {
    panic!("cannot compile the rule in: {message}")
}

fn markdown_to_html(markdown: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new(markdown);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// Writes a `RuleInfo` constant; every field of rule.json must be used, so
/// a field added there and forgotten here fails the build.
fn generate(rule: &Value, note: &str, setup: &str) -> String {
    let mut fields = rule
        .as_object()
        .cloned()
        .unwrap_or_else(|| fail("rule.json is not an object"));
    let mut take = |key: &str| {
        fields
            .remove(key)
            .unwrap_or_else(|| fail(&format!("rule.json lacks `{key}`")))
    };
    let mut code = String::from("pub const RULE: RuleInfo = RuleInfo {\n");
    for (key, name) in [
        ("id", "id"),
        ("name", "name"),
        ("description", "description"),
        ("type", "type_"),
        ("language", "language"),
        ("query", "query"),
    ] {
        field(&mut code, name, &string(&take(key)));
    }
    field(&mut code, "index", &strings(&take("index")));
    field(&mut code, "severity", &string(&take("severity")));
    field(&mut code, "risk_score", &number(&take("riskScore")));
    field(&mut code, "interval", &string(&take("interval")));
    field(&mut code, "from", &string(&take("from")));
    field(&mut code, "max_signals", &number(&take("maxSignals")));
    field(&mut code, "references", &strings(&take("references")));
    field(&mut code, "tags", &strings(&take("tags")));
    field(&mut code, "version", &number(&take("version")));
    field(&mut code, "author", &strings(&take("author")));
    field(&mut code, "license", &string(&take("license")));
    field(&mut code, "note", &format!("{note:?}"));
    field(
        &mut code,
        "note_html",
        &format!("{:?}", markdown_to_html(note)),
    );
    field(&mut code, "setup", &format!("{setup:?}"));
    field(
        &mut code,
        "setup_html",
        &format!("{:?}", markdown_to_html(setup)),
    );
    field(&mut code, "threat", &threats(&take("threat")));
    for (key, name) in [
        ("alertNameQuery", "alert_name_query"),
        ("alertNameReason", "alert_name_reason"),
    ] {
        field(&mut code, name, &string(&take(key)));
    }
    if let Some(key) = fields.keys().next() {
        fail(&format!(
            "rule.json has `{key}`, which the build does not know"
        ));
    }
    code.push_str("};\n");
    code
}

fn field(code: &mut String, name: &str, value: &str) {
    let _ = writeln!(code, "    {name}: {value},");
}

fn string(value: &Value) -> String {
    match value.as_str() {
        Some(text) => format!("{text:?}"),
        None => fail(&format!("expected a string, found {value}")),
    }
}

fn number(value: &Value) -> String {
    match value.as_u64() {
        Some(number) => number.to_string(),
        None => fail(&format!("expected a whole number, found {value}")),
    }
}

fn strings(value: &Value) -> String {
    let items = value
        .as_array()
        .unwrap_or_else(|| fail(&format!("expected a list, found {value}")));
    let items: Vec<String> = items.iter().map(string).collect();
    format!("&[{}]", items.join(", "))
}

fn threats(value: &Value) -> String {
    let items = value
        .as_array()
        .unwrap_or_else(|| fail("`threat` is not a list"));
    let items: Vec<String> = items.iter().map(threat).collect();
    format!("&[{}]", items.join(", "))
}

fn threat(value: &Value) -> String {
    let techniques = value["technique"]
        .as_array()
        .unwrap_or_else(|| fail("`technique` is not a list"));
    let techniques: Vec<String> = techniques.iter().map(mitre_entry).collect();
    format!(
        "Threat {{ framework: {}, tactic: {}, technique: &[{}] }}",
        string(&value["framework"]),
        mitre_entry(&value["tactic"]),
        techniques.join(", ")
    )
}

fn mitre_entry(value: &Value) -> String {
    format!(
        "MitreEntry {{ id: {}, name: {}, reference: {} }}",
        string(&value["id"]),
        string(&value["name"]),
        string(&value["reference"])
    )
}
