//! The WebAssembly boundary: the JavaScript API of the npm package.
//!
//! This module only converts: JavaScript values in, the core's types in
//! between, plain JSON-compatible objects out, and the core's errors
//! thrown as real JavaScript `Error`s. What a record is, how it is read
//! and how it is judged all live in the core.
//!
//! Results cross as JSON text that `JSON.parse` turns into objects, so
//! callers get plain objects and arrays (never a `Map`), and `null` where
//! the core's JSON has null.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::detect::{self, CompiledQuery, Detector};
use crate::rule;
use crate::scan::Scanner as CoreScanner;

/// Runs once when the module is instantiated: gives date math a clock,
/// which this target's standard library lacks.
#[wasm_bindgen(start)]
fn start() {
    crate::kql::set_clock(|| Some(js_sys::Date::now() as i64));
}

/// What every export returns: a value, or a JavaScript `Error` to throw.
type JsResult<T> = Result<T, JsError>;

/// How much of a `Uint8Array` is copied into wasm memory at a time, so a
/// large input is never held twice.
const CHUNK: u32 = 1 << 20;

/// What `evaluate` and friends add when handed several records.
const USE_SCAN: &str = "`scan` reads several records";

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `evaluate`, `test`, `scan` and `Scanner`. */
export interface Options {
  /** Turn the alert-name verdict off: `alertName` is then always false. */
  strict?: boolean;
  /** KQL replacing the rule: it decides `query`, and `alertName` is false. */
  query?: string | null;
  /** The index the ECS documents came from, as an ES hit's `_index`. */
  index?: string | null;
  /**
   * Compute each file's SHA-256 (default true). Off, `files[].sha256` is
   * null: hashing costs more than the rest of a scan inside wasm.
   */
  sha256?: boolean;
}

/** One record: an object, or the JSON text of one object. */
export type RecordInput = object | string;

/** One file of a data set given to `scan`. */
export interface NamedInput {
  name: string;
  data: string | Uint8Array | ArrayBuffer;
}

export type ScanInput = string | Uint8Array | ArrayBuffer | NamedInput[];

/** A JSON value, as the report holds the records' contents. */
export type Json =
  | null | boolean | number | string | Json[] | { [key: string]: Json };

/** A clause of the rule's query or of the alert-name query, explained. */
export interface Clause {
  /** The verdict the clause belongs to. */
  verdict: "query" | "alertName";
  /** The clause as KQL text. */
  text: string;
  /** The field it tests, when it tests one. */
  field: string | null;
  /** The value it expects there. */
  expected: string | null;
  /** The values the record holds at the field. */
  values: Json[];
  passed: boolean;
}

/** The judgement of one record. */
export interface Evaluation {
  /** Either verdict is true. */
  hit: boolean;
  /** The rule's own KQL query matched (or the custom query). */
  query: boolean;
  /** The alert was recognized by its name. */
  alertName: boolean;
  clauses: Clause[];
  user: string | null;
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string | null;
  alertId: string | null;
  /** An Elastic Security alert document; null unless `hit`. */
  alert: { [key: string]: Json } | null;
  /** The normalized ECS event. */
  event: { [key: string]: Json };
}

export interface Hit {
  file: string;
  /** 1-based line where the record starts, after decoding. */
  line: number;
  /** 0-based position of the record in its file. */
  index: number;
  query: boolean;
  alertName: boolean;
  timestamp: string | null;
  user: string | null;
  alertId: string | null;
  alert: { [key: string]: Json } | null;
  /** The normalized event; null past the report's budget for records. */
  event: { [key: string]: Json } | null;
  /**
   * The record's text as read; null (with `event` and `alert`) for hits
   * past the report's budget for records, which a warning announces.
   */
  raw: string | null;
}

/** A restricted user, grouped case-insensitively. */
export interface User {
  user: string;
  /** Distinct alerts. */
  alerts: number;
  /** Hit records. */
  records: number;
  first: string | null;
  last: string | null;
}

export interface FileSummary {
  name: string;
  /** Size as given (compressed when it was). */
  bytes: number;
  /** SHA-256 of the bytes as given, hex. */
  sha256: string | null;
  /** The shape found; null when nothing was recognized. */
  format: "ecs" | "es-response" | "o365-api" | "o365audit" | "graph"
    | "purview-csv" | "purview-csv-classic" | "powershell-csv"
    | "pipeline-test" | "mixed" | null;
  encoding: "utf-8" | "utf-16le" | "utf-16be" | "windows-1252" | null;
  compressed: "gzip" | null;
  records: number;
  errors: number;
}

export interface ScanReport {
  tool: { name: string; version: string };
  rule: { id: string; version: number };
  options: { strict: boolean; query: string | null; index: string | null };
  files: FileSummary[];
  /** Records read, duplicates included. */
  records: number;
  duplicates: number;
  /** All errors; `errors` keeps the first 1,000. */
  errorCount: number;
  /** Oldest first; records with no time last. */
  hits: Hit[];
  users: User[];
  /** `line` is null for a file that could not be opened at all. */
  errors: { file: string; line: number | null; message: string }[];
  warnings: { file: string; line?: number; message: string }[];
}

/** What `Scanner.push` returns: progress, and the hits in that chunk. */
export interface Progress {
  /** The file being read. */
  file: string;
  /** Bytes of that file read so far. */
  bytes: number;
  /** Records read so far, all files. */
  records: number;
  /** Hits found in this chunk. */
  hits: Hit[];
  /** The file was rejected as a whole (its error says why): the rest of it
   * is not read, and need not be pushed. */
  rejected: boolean;
}

export interface MitreEntry { id: string; name: string; reference: string }

export interface RuleInfo {
  id: string;
  name: string;
  description: string;
  type: string;
  language: string;
  query: string;
  index: string[];
  severity: string;
  riskScore: number;
  interval: string;
  from: string;
  maxSignals: number;
  references: string[];
  tags: string[];
  version: number;
  author: string[];
  license: string;
  /** The investigation guide, markdown. */
  note: string;
  /** The investigation guide, rendered to HTML when the crate was built. */
  noteHtml: string;
  setup: string;
  setupHtml: string;
  threat: {
    framework: string;
    tactic: MitreEntry;
    technique: MitreEntry[];
  }[];
  alertNameQuery: string;
  alertNameReason: string;
}
"#;

/// The rule's metadata, with the alert-name query and why it exists.
#[wasm_bindgen(js_name = ruleInfo, unchecked_return_type = "RuleInfo")]
pub fn rule_info() -> JsResult<JsValue> {
    to_js(rule::info())
}

/// Judges one record; see `Evaluation`.
#[wasm_bindgen(unchecked_return_type = "Evaluation")]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "RecordInput")] event: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> JsResult<JsValue> {
    let detector = detector(options)?;
    let text = record_text(&event)?;
    to_js(&detector.evaluate(&text).map_err(thrown)?)
}

/// The same judgement as `evaluate(event).hit`, reading only the fields
/// the queries name.
#[wasm_bindgen]
pub fn test(
    #[wasm_bindgen(unchecked_param_type = "RecordInput")] event: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> JsResult<bool> {
    let detector = detector(options)?;
    let text = record_text(&event)?;
    detector.test(&text).map_err(thrown)
}

/// A compiled KQL query.
#[wasm_bindgen]
pub struct Query {
    inner: CompiledQuery,
}

#[wasm_bindgen]
impl Query {
    /// Whether the record matches; raw records are normalized first.
    pub fn matches(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] event: JsValue,
    ) -> JsResult<bool> {
        let text = record_text(&event)?;
        self.inner.matches(&text).map_err(thrown)
    }
}

/// Compiles a KQL query; a syntax error throws with its offset and a
/// caret under the query.
#[wasm_bindgen]
pub fn compile(kql: &str) -> JsResult<Query> {
    match CompiledQuery::new(kql) {
        Ok(inner) => Ok(Query { inner }),
        Err(error) => Err(JsError::new(&with_caret(&error))),
    }
}

/// Reads a whole export and judges every record in it.
#[wasm_bindgen(unchecked_return_type = "ScanReport")]
pub fn scan(
    #[wasm_bindgen(unchecked_param_type = "ScanInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> JsResult<JsValue> {
    let mut scanner = core_scanner(options)?;
    if Array::is_array(&input) {
        scan_named_files(&mut scanner, &Array::from(&input))?;
    } else {
        push_data(&mut scanner, &input, "input")?;
    }
    to_js(&scanner.finish())
}

fn scan_named_files(scanner: &mut CoreScanner, files: &Array) -> JsResult<()> {
    for (position, file) in files.iter().enumerate() {
        let what = format!("input[{position}]");
        let name = get(&file, "name", &what)?.as_string();
        let Some(name) = name else {
            let why = format!("expected `name` to be a string in {what}");
            return Err(JsError::new(&why));
        };
        let data = get(&file, "data", &what)?;
        scanner.file(&name);
        push_data(scanner, &data, &format!("{what}.data"))?;
    }
    Ok(())
}

/// The streaming form of `scan`, for input that arrives in chunks.
#[wasm_bindgen(js_name = Scanner)]
pub struct JsScanner {
    inner: CoreScanner,
}

#[wasm_bindgen(js_class = Scanner)]
impl JsScanner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
    ) -> JsResult<JsScanner> {
        Ok(JsScanner {
            inner: core_scanner(options)?,
        })
    }

    /// Starts the next file of the data set.
    pub fn file(&mut self, name: &str) {
        self.inner.file(name);
    }

    /// Reads a chunk; returns progress and the hits found in it.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] bytes: JsValue,
    ) -> JsResult<JsValue> {
        let chunk = bytes_of(&bytes, "the chunk")?;
        to_js(&self.inner.push(&chunk))
    }

    /// Ends the data set and returns the report; the scanner is then
    /// empty and can read another data set.
    #[wasm_bindgen(unchecked_return_type = "ScanReport")]
    pub fn finish(&mut self) -> JsResult<JsValue> {
        to_js(&self.inner.finish())
    }
}

thread_local! {
    /// The detector of the options last used: compiling the queries costs
    /// more than judging a record, and callers judge many records alike.
    static DETECTOR: RefCell<Option<(detect::Options, Rc<Detector>)>> =
        const { RefCell::new(None) };
}

fn detector(options: Option<JsValue>) -> JsResult<Rc<Detector>> {
    let options = read_options(options)?;
    let cached = DETECTOR.with_borrow(|last| match last {
        Some((used, detector)) if *used == options => Some(detector.clone()),
        _ => None,
    });
    if let Some(detector) = cached {
        return Ok(detector);
    }
    let fresh = Detector::new(options.clone()).map_err(syntax_error)?;
    let detector = Rc::new(fresh);
    DETECTOR.set(Some((options, detector.clone())));
    Ok(detector)
}

fn core_scanner(options: Option<JsValue>) -> JsResult<CoreScanner> {
    CoreScanner::new(read_options(options)?).map_err(syntax_error)
}

fn syntax_error(error: crate::kql::SyntaxError) -> JsError {
    JsError::new(&format!("in option `query`: {}", with_caret(&error)))
}

/// The error's message, then the query with a caret under the fault.
fn with_caret(error: &crate::kql::SyntaxError) -> String {
    format!("{error}\n{}", error.render())
}

/// Reads the option bag, refusing unknown keys and wrong types so that a
/// typo never silently falls back to the default.
fn read_options(options: Option<JsValue>) -> JsResult<detect::Options> {
    let Some(bag) = options.filter(|value| !value.is_undefined()) else {
        return Ok(detect::Options::default());
    };
    if !is_plain_object(&bag) {
        let got = kind_of(&bag);
        return Err(JsError::new(&format!(
            "expected options to be an object, got {got}"
        )));
    }
    check_option_keys(&bag)?;
    Ok(detect::Options {
        strict: bool_option(&bag, "strict", false)?,
        query: string_option(&bag, "query")?,
        index: string_option(&bag, "index")?,
        sha256: bool_option(&bag, "sha256", true)?,
    })
}

fn check_option_keys(bag: &JsValue) -> JsResult<()> {
    for key in Object::keys(&Object::from(bag.clone())).iter() {
        let key = key.as_string().unwrap_or_default();
        if !matches!(key.as_str(), "strict" | "query" | "index" | "sha256") {
            return Err(JsError::new(&format!(
                "unknown option `{key}`: expected `strict`, `query`, `index` \
                 or `sha256`"
            )));
        }
    }
    Ok(())
}

fn bool_option(bag: &JsValue, key: &str, absent: bool) -> JsResult<bool> {
    let value = get(bag, key, "options")?;
    if value.is_undefined() {
        return Ok(absent);
    }
    value.as_bool().ok_or_else(|| {
        let got = kind_of(&value);
        JsError::new(&format!(
            "expected option `{key}` to be a boolean, got {got}"
        ))
    })
}

fn string_option(bag: &JsValue, key: &str) -> JsResult<Option<String>> {
    let value = get(bag, key, "options")?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) => Ok(Some(text)),
        None => Err(JsError::new(&format!(
            "expected option `{key}` to be a string, got {}",
            kind_of(&value)
        ))),
    }
}

/// The JSON text of one record given as an object or as text.
fn record_text(event: &JsValue) -> JsResult<String> {
    if let Some(text) = event.as_string() {
        return Ok(text);
    }
    if Array::is_array(event) {
        return Err(JsError::new(&format!(
            "expected one record, got an array: {USE_SCAN}"
        )));
    }
    if !is_plain_object(event) {
        let got = kind_of(event);
        return Err(JsError::new(&format!(
            "expected a record as an object or a JSON string, got {got}"
        )));
    }
    let text = JSON::stringify(event).map_err(|error| {
        let why = js_message(&error);
        JsError::new(&format!("cannot turn the record into JSON: {why}"))
    })?;
    Ok(String::from(text))
}

/// Copies string, `Uint8Array` or `ArrayBuffer` data into the scanner,
/// a chunk at a time.
fn push_data(scanner: &mut CoreScanner, data: &JsValue, what: &str) -> JsResult<()> {
    if let Some(text) = data.as_string() {
        scanner.push(text.as_bytes());
        return Ok(());
    }
    let array = uint8_array(data, what)?;
    let mut buffer = vec![0; array.length().min(CHUNK) as usize];
    let mut start = 0;
    while start < array.length() {
        let end = array.length().min(start + CHUNK);
        let piece = &mut buffer[..(end - start) as usize];
        array.subarray(start, end).copy_to(piece);
        scanner.push(piece);
        start = end;
    }
    Ok(())
}

fn bytes_of(data: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    match data.as_string() {
        Some(text) => Ok(text.into_bytes()),
        None => Ok(uint8_array(data, what)?.to_vec()),
    }
}

fn uint8_array(data: &JsValue, what: &str) -> JsResult<Uint8Array> {
    if data.is_instance_of::<Uint8Array>() {
        return Ok(Uint8Array::from(data.clone()));
    }
    if data.is_instance_of::<ArrayBuffer>() {
        return Ok(Uint8Array::new(data));
    }
    let got = kind_of(data);
    Err(JsError::new(&format!(
        "expected {what} to be a string, a `Uint8Array` or an \
         `ArrayBuffer`, got {got}"
    )))
}

/// A property of an object; a getter that throws becomes the error.
fn get(object: &JsValue, key: &str, what: &str) -> JsResult<JsValue> {
    if !object.is_object() {
        let got = kind_of(object);
        return Err(JsError::new(&format!(
            "expected {what} to be an object, got {got}"
        )));
    }
    Reflect::get(object, &JsValue::from_str(key)).map_err(|error| {
        let why = js_message(&error);
        JsError::new(&format!("cannot read `{key}` of {what}: {why}"))
    })
}

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !Array::is_array(value) && !value.is_function()
}

/// A value's kind, for messages: "a number", "null", "an array".
fn kind_of(value: &JsValue) -> String {
    if value.is_null() {
        return "null".into();
    }
    if Array::is_array(value) {
        return "an array".into();
    }
    let kind = value.js_typeof().as_string().unwrap_or_default();
    match kind.as_str() {
        "undefined" => kind,
        "object" => "an object".into(),
        _ => format!("a {kind}"),
    }
}

/// A core error thrown as a JavaScript `Error` with the core's message.
fn thrown(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

fn js_message(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => format!("{error:?}"),
    }
}

/// A core value as a plain JavaScript object, by way of JSON text.
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|error| JsError::new(&format!("cannot serialize the result: {error}")))?;
    JSON::parse(&text).map_err(|error| {
        let why = js_message(&error);
        JsError::new(&format!("cannot parse the result: {why}"))
    })
}
