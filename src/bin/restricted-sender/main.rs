//! `restricted-sender`: the detector on the command line.
//!
//! A thin layer over the library: it reads files in chunks into the same
//! streaming scanner the page and the package use, and prints the report
//! as a table or as JSON.

use std::fs::File;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use m365_restricted_sender::detect::Options;
use m365_restricted_sender::rule;
use m365_restricted_sender::scan::Scanner;

mod table;

const USAGE: &str = "\
usage: restricted-sender scan [--json] [--strict] [--query KQL] [--index NAME]
                              [--no-sha256] FILE...
       restricted-sender rule
       restricted-sender --version

scan   judges every record of the files, read as one data set (- is stdin)
rule   prints the rule's metadata and investigation guide as JSON

  --json        print the scan report as JSON instead of a table
  --strict      Elastic's exact answer: no alert-name verdict
  --query KQL   judge with this KQL query instead of the rule
  --index NAME  the index ECS documents came from (as an ES hit's _index)
  --no-sha256   do not compute each file's SHA-256 (the report shows null)";

/// Read size: large enough to keep system calls rare, small enough that
/// memory stays flat.
const CHUNK: usize = 1 << 20;

enum Command {
    Scan {
        json: bool,
        options: Options,
        files: Vec<String>,
    },
    Rule,
    Help,
    Version,
}

fn main() -> ExitCode {
    let command = match parse_args() {
        Ok(command) => command,
        Err(message) => return usage_error(&message),
    };
    let result = match command {
        Command::Scan {
            json,
            options,
            files,
        } => scan(json, options, &files),
        Command::Rule => print_json(rule::info()).map(|()| ExitCode::SUCCESS),
        Command::Help => print_text(USAGE).map(|()| ExitCode::SUCCESS),
        Command::Version => print_text(version()).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        // NOTE: a reader that closed the pipe (`| head`) wants no more.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("restricted-sender: cannot write the output: {error}");
            ExitCode::FAILURE
        }
    }
}

fn version() -> &'static str {
    concat!("restricted-sender ", env!("CARGO_PKG_VERSION"))
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("restricted-sender: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn parse_args() -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next().map_err(|e| e.to_string())? {
        Some(Value(name)) => name.string().map_err(|e| e.to_string())?,
        Some(Long("help") | Short('h')) => return Ok(Command::Help),
        None => return Err("a command is needed: `scan` or `rule`".into()),
        Some(Long("version") | Short('V')) => return Ok(Command::Version),
        Some(other) => return Err(other.unexpected().to_string()),
    };
    match command.as_str() {
        "scan" => parse_scan(&mut parser),
        "rule" => match parser.next().map_err(|e| e.to_string())? {
            None => Ok(Command::Rule),
            Some(other) => Err(other.unexpected().to_string()),
        },
        other => Err(format!("unknown command `{other}`")),
    }
}

fn parse_scan(parser: &mut lexopt::Parser) -> Result<Command, String> {
    use lexopt::prelude::*;
    let (mut json, mut options, mut files) = (false, Options::default(), Vec::new());
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("json") => json = true,
            Long("strict") => options.strict = true,
            Long("query") => options.query = Some(text_value(parser)?),
            Long("index") => options.index = Some(text_value(parser)?),
            Long("no-sha256") => options.sha256 = false,
            Long("help") | Short('h') => return Ok(Command::Help),
            Value(file) => files.push(file.string().map_err(|e| e.to_string())?),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if files.is_empty() {
        return Err("`scan` needs at least one file (- is stdin)".into());
    }
    Ok(Command::Scan {
        json,
        options,
        files,
    })
}

fn text_value(parser: &mut lexopt::Parser) -> Result<String, String> {
    use lexopt::ValueExt;
    let value = parser.value().map_err(|e| e.to_string())?;
    value.string().map_err(|e| e.to_string())
}

fn scan(json: bool, options: Options, files: &[String]) -> io::Result<ExitCode> {
    let mut scanner = match Scanner::new(options) {
        Ok(scanner) => scanner,
        Err(error) => {
            let message = table::clean(&error.to_string());
            let lines: Vec<String> = error.render().lines().map(table::clean).collect();
            let caret = lines.join("\n");
            eprintln!("restricted-sender: invalid query: {message}\n{caret}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut any_read = false;
    for name in files {
        any_read |= scan_file(&mut scanner, name);
    }
    let report = scanner.finish();
    if json {
        print_json(&report)?;
    } else {
        print_text(&table::render(&report))?;
    }
    Ok(if any_read {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Feeds one file to the scanner; false when nothing of it could be read.
fn scan_file(scanner: &mut Scanner, name: &str) -> bool {
    let mut chunk = vec![0; CHUNK];
    let (mut source, first) = match open(name).and_then(|mut source| {
        let size = read_chunk(&mut source, &mut chunk)?;
        Ok((source, size))
    }) {
        Ok(opened) => opened,
        Err(error) => {
            let reason = os_message(&error);
            scanner.unreadable(name, &format!("cannot read the file: {reason}"));
            return false;
        }
    };
    scanner.file(if name == "-" { "stdin" } else { name });
    // NOTE: the rest of a rejected regular file is still read, for its size
    // and SHA-256 (the reader only counts and hashes it); a stream or a
    // device may never end (`/dev/zero`), so it is read no further.
    let endless = !is_regular_file(name);
    let mut size = first;
    while size > 0 {
        if scanner.push(&chunk[..size]).rejected && endless {
            scanner.stop_file();
            break;
        }
        size = match read_chunk(&mut source, &mut chunk) {
            Ok(size) => size,
            Err(error) => {
                let reason = os_message(&error);
                scanner.read_error(&format!("cannot read the rest of the file: {reason}"));
                0
            }
        };
    }
    true
}

fn is_regular_file(name: &str) -> bool {
    name != "-" && std::fs::metadata(name).is_ok_and(|meta| meta.is_file())
}

fn open(name: &str) -> io::Result<Box<dyn Read>> {
    if name == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    Ok(Box::new(File::open(name)?))
}

/// Reads the next chunk, retrying when a signal interrupted the read.
fn read_chunk(source: &mut dyn Read, chunk: &mut [u8]) -> io::Result<usize> {
    loop {
        match source.read(chunk) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

/// The system's reason in our style: lowercase, without the error number
/// (`No such file or directory (os error 2)` is `no such file or
/// directory`).
fn os_message(error: &io::Error) -> String {
    let text = error.to_string();
    let text = text
        .rfind(" (os error ")
        .map_or(text.as_str(), |at| &text[..at]);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    // NOTE: standard output flushes at every newline, and pretty JSON has
    // one per member: a report of hits written to a pipe took longer than
    // the scan.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

fn print_text(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}
