//! The scan report as text for a terminal.

use std::fmt::Write as _;

use m365_restricted_sender::detect::{Hit, ScanReport};
use m365_restricted_sender::rule;

/// Renders the hits, the restricted users, the errors and warnings, and a
/// summary line.
pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    hits(&mut out, report);
    users(&mut out, report);
    errors(&mut out, report);
    warnings(&mut out, report);
    summary(&mut out, report);
    out
}

fn hits(out: &mut String, report: &ScanReport) {
    let _ = writeln!(out, "Hits ({})", report.hits.len());
    if report.hits.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let rows: Vec<[String; 5]> = report.hits.iter().map(hit_row).collect();
    let header = ["TIME", "VERDICT", "USER", "ACTION", "WHERE"].map(String::from);
    table(out, &header, &rows);
    if report.hits.iter().any(|hit| hit.alert_name && !hit.query) {
        let _ = writeln!(out, "\n  alert-name: {}", rule::info().alert_name_reason);
    }
    out.push('\n');
}

fn hit_row(hit: &Hit) -> [String; 5] {
    [
        hit.timestamp.clone().unwrap_or_else(|| "-".into()),
        verdict(hit).into(),
        clean(hit.user.as_deref().unwrap_or("-")),
        clean(action(hit)),
        clean(&format!("{}:{}", hit.file, hit.line)),
    ]
}

fn verdict(hit: &Hit) -> &'static str {
    match (hit.query, hit.alert_name) {
        (true, true) => "query+alert-name",
        (true, false) => "query",
        _ => "alert-name",
    }
}

/// The action a hit's event records.
fn action(hit: &Hit) -> &str {
    hit.event
        .pointer("/event/action")
        .or_else(|| hit.event.get("event.action"))
        .and_then(|value| value.as_str())
        .unwrap_or("-")
}

fn users(out: &mut String, report: &ScanReport) {
    if report.options.query.is_some() {
        return;
    }
    let _ = writeln!(out, "Restricted users ({})", report.users.len());
    if report.users.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let rows: Vec<[String; 5]> = report
        .users
        .iter()
        .map(|user| {
            [
                clean(&user.user),
                user.alerts.to_string(),
                user.records.to_string(),
                user.first.clone().unwrap_or_else(|| "-".into()),
                user.last.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["USER", "ALERTS", "RECORDS", "FIRST", "LAST"].map(String::from);
    table(out, &header, &rows);
    out.push('\n');
}

fn errors(out: &mut String, report: &ScanReport) {
    if report.error_count == 0 {
        return;
    }
    let _ = writeln!(out, "Errors ({})", report.error_count);
    for error in &report.errors {
        located(out, &error.file, error.line, &error.message);
    }
    let left_out = report.error_count - report.errors.len() as u64;
    if left_out > 0 {
        let _ = writeln!(out, "  ... and {left_out} more");
    }
    out.push('\n');
}

fn warnings(out: &mut String, report: &ScanReport) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "Warnings ({})", report.warnings.len());
    for warning in &report.warnings {
        located(out, &warning.file, warning.line, &warning.message);
    }
    out.push('\n');
}

/// One message with where it was found: `file:line: message`.
fn located(out: &mut String, file: &str, line: Option<u64>, message: &str) {
    let line = line.map(|line| format!(":{line}")).unwrap_or_default();
    let _ = writeln!(out, "  {}{line}: {}", clean(file), clean(message));
}

fn summary(out: &mut String, report: &ScanReport) {
    let by_query = report.hits.iter().filter(|hit| hit.query).count();
    let by_name = report.hits.iter().filter(|hit| hit.alert_name).count();
    let _ = write!(
        out,
        "{} {}, {} {} ({} {}), {} {} ({by_query} by the query, {by_name} by the alert name)",
        report.files.len(),
        plural(report.files.len() as u64, "file", "files"),
        report.records,
        plural(report.records, "record", "records"),
        report.duplicates,
        plural(report.duplicates, "duplicate", "duplicates"),
        report.hits.len(),
        plural(report.hits.len() as u64, "hit", "hits"),
    );
    if report.options.query.is_none() {
        let users = report.users.len() as u64;
        let _ = write!(
            out,
            ", {users} restricted {}",
            plural(users, "user", "users")
        );
    }
    let errors = report.error_count;
    let _ = write!(out, ", {errors} {}", plural(errors, "error", "errors"));
}

fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// Lays rows out in columns two spaces apart.
fn table<const N: usize>(out: &mut String, header: &[String; N], rows: &[[String; N]]) {
    if rows.is_empty() {
        return;
    }
    let mut widths = header.each_ref().map(|cell| cell.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

/// Input text made safe for a terminal: control characters (which could
/// move the cursor or recolour the screen) and the invisible marks that
/// reorder or hide text (bidirectional overrides, zero-width characters)
/// are shown escaped.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() || is_invisible_format(c) {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Unicode's format characters that change how the text around them
/// shows.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_and_bidi_marks_are_escaped() {
        assert_eq!(clean("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("\u{202e}moc.x@live"), "\\u{202e}moc.x@live");
        assert_eq!(clean("megan.bowen@contoso.com"), "megan.bowen@contoso.com");
        assert_eq!(clean("Zoë Ünal"), "Zoë Ünal");
    }
}
