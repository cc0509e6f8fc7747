//! The WebAssembly boundary: the JavaScript API of the npm package.
//!
//! This module only converts: JavaScript values in, the core's types in
//! between, plain JSON-compatible objects out, and the core's errors
//! thrown as real JavaScript `Error`s. What a record is, how it is read
//! and how it is judged all live in the core.
//!
//! Results cross as JSON text that `JSON.parse` turns into objects, so
//! callers get plain objects and arrays (never a `Map`), and `null` where
//! the core's JSON has null. Records given as objects cross as JSON text
//! too, except for `test` and `matches`, which read the few members the
//! queries need in place (`object`).

mod object;
mod options;
mod types;

use js_sys::{Array, Reflect, Uint8Array, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::detect::{CompiledQuery, ScanReport};
use crate::rule;
use crate::scan::Scanner as CoreScanner;
use options::{core_scanner, detector};

/// Runs once when the module is instantiated: gives date math a clock,
/// which this target's standard library lacks.
#[wasm_bindgen(start)]
fn start() {
    crate::kql::set_clock(|| Some(js_sys::Date::now() as i64));
}

// Looks at a caller's values in JavaScript, catching whatever the
// caller's code throws (see `guard.js`): an exception must never cross
// into the module.
#[wasm_bindgen(module = "/src/wasm/guard.js")]
extern "C" {
    /// What a thrown value says, for an error message.
    #[wasm_bindgen(js_name = thrownMessage)]
    fn js_message(error: &JsValue) -> String;
    /// A value's kind, for messages: "a number", "null", "an array".
    #[wasm_bindgen(js_name = kindName)]
    fn kind_of(value: &JsValue) -> String;
    /// "a Uint8Array", "an ArrayBuffer": the name of an object's
    /// constructor.
    #[wasm_bindgen(js_name = constructorName)]
    fn constructor_name(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = isPlainObject)]
    fn is_plain_object(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = isList)]
    fn is_list(value: &JsValue) -> bool;
    /// Bytes rather than a record: a typed array, a `DataView` or an
    /// `ArrayBuffer`.
    #[wasm_bindgen(js_name = isBinary)]
    fn is_binary(value: &JsValue) -> bool;
    /// A `Map` or a `Set`, which `JSON.stringify` writes as `{}`.
    #[wasm_bindgen(js_name = isCollection)]
    fn is_collection(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = bytesOf)]
    fn uint8_array_of(value: &JsValue) -> Option<Uint8Array>;
    /// A copy of an array's items, `undefined` for what is not an array,
    /// or the message of what reading it threw.
    #[wasm_bindgen(js_name = itemsOf)]
    fn items_of(value: &JsValue) -> JsValue;
    /// An object's own keys, or the message of what listing them threw.
    #[wasm_bindgen(js_name = keysOf)]
    fn keys_of(value: &JsValue) -> JsValue;
}

/// What every export returns: a value, or a JavaScript `Error` to throw.
type JsResult<T> = Result<T, JsError>;

/// How much of a `Uint8Array` is copied into wasm memory at a time, so a
/// large input is never held twice.
const CHUNK: u32 = 1 << 20;

/// What `evaluate` and friends add when handed several records.
const USE_SCAN: &str = "`scan` reads several records";

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
    let in_place = object::judge(&event, |record| detector.judge_in_place(record))?;
    if let Some(verdict) = in_place {
        return Ok(verdict.hit());
    }
    let text = record_text(&event)?;
    detector.test(&text).map_err(thrown)
}

/// What `test(event)` answers from the object read in place, or
/// `undefined` when that path leaves it to the full one: for the
/// package's tests, which check that both paths agree.
#[wasm_bindgen(js_name = __testInPlace, skip_typescript)]
pub fn test_in_place(event: JsValue) -> JsResult<Option<bool>> {
    let detector = detector(None)?;
    let in_place = object::judge(&event, |record| detector.judge_in_place(record))?;
    Ok(in_place.map(|verdict| verdict.hit()))
}

/// A compiled KQL query.
#[wasm_bindgen]
pub struct Query {
    /// `None` once `free` was called.
    inner: Option<CompiledQuery>,
}

#[wasm_bindgen]
impl Query {
    /// Whether the record matches; raw records are normalized first.
    pub fn matches(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] event: JsValue,
    ) -> JsResult<bool> {
        if let Some(matched) = self.in_place(&event)? {
            return Ok(matched);
        }
        let text = record_text(&event)?;
        self.compiled()?.matches(&text).map_err(thrown)
    }

    /// Releases the compiled query; later calls throw a clear error.
    ///
    /// NOTE: this stands in for the `free` that wasm-bindgen writes,
    /// after which a call would fail with "null pointer passed to rust";
    /// the glue defines both, and this one, written later, wins. The
    /// small shell left is freed when JavaScript collects the object.
    #[wasm_bindgen(js_name = free)]
    pub fn release(&mut self) {
        self.inner = None;
    }

    /// What `matches(event)` answers from the object read in place, or
    /// `undefined`: for the package's tests.
    #[wasm_bindgen(js_name = __matchesInPlace, skip_typescript)]
    pub fn matches_in_place(&self, event: JsValue) -> JsResult<Option<bool>> {
        self.in_place(&event)
    }
}

impl Query {
    fn compiled(&self) -> JsResult<&CompiledQuery> {
        self.inner
            .as_ref()
            .ok_or_else(|| JsError::new("the query was freed: `compile` it again to use it"))
    }

    fn in_place(&self, event: &JsValue) -> JsResult<Option<bool>> {
        let compiled = self.compiled()?;
        object::judge(event, |record| compiled.matches_in_place(record))
    }
}

/// Compiles a KQL query; a syntax error throws with its offset and a
/// caret under the query.
#[wasm_bindgen]
pub fn compile(#[wasm_bindgen(unchecked_param_type = "string")] kql: JsValue) -> JsResult<Query> {
    let kql = string_argument(&kql, "the query")?;
    match CompiledQuery::new(&kql) {
        Ok(inner) => Ok(Query { inner: Some(inner) }),
        Err(error) => Err(JsError::new(&with_caret(&error))),
    }
}

/// The error's message, then the query with a caret under the fault.
fn with_caret(error: &crate::kql::SyntaxError) -> String {
    format!("{error}\n{}", error.render())
}

/// Reads a whole export and judges every record in it.
#[wasm_bindgen(unchecked_return_type = "ScanReport")]
pub fn scan(
    #[wasm_bindgen(unchecked_param_type = "ScanInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
) -> JsResult<JsValue> {
    let mut scanner = core_scanner(options)?;
    let files = items_of(&input);
    if let Some(why) = files.as_string() {
        let why = format!("cannot read the input: {why}");
        return Err(JsError::new(&why));
    }
    if files.is_undefined() {
        push_data(&mut scanner, &input, "input")
            .map_err(|_| JsError::new(&not_scan_input(&input)))?;
    } else {
        scan_named_files(&mut scanner, &Array::from(&files))?;
    }
    report_to_js(scanner.finish())
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
    /// `None` once `free` was called.
    inner: Option<CoreScanner>,
}

#[wasm_bindgen(js_class = Scanner)]
impl JsScanner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: Option<JsValue>,
    ) -> JsResult<JsScanner> {
        Ok(JsScanner {
            inner: Some(core_scanner(options)?),
        })
    }

    /// Releases the scanner; later calls throw a clear error.
    ///
    /// NOTE: this stands in for wasm-bindgen's own `free`, as
    /// `Query::release` does.
    #[wasm_bindgen(js_name = free)]
    pub fn release(&mut self) {
        self.inner = None;
    }

    /// Starts the next file of the data set.
    pub fn file(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> JsResult<()> {
        let name = string_argument(&name, "the file name")?;
        self.scanner()?.file(&name);
        Ok(())
    }

    /// Reads a chunk; returns progress and the hits found in it.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] bytes: JsValue,
    ) -> JsResult<JsValue> {
        if self.scanner()?.is_file_stopped() {
            return Err(JsError::new(
                "the current file was stopped with `stopFile()`: \
                 call `file(name)` to start the next",
            ));
        }
        let chunk = bytes_of(&bytes, "the chunk")?;
        to_js(&self.scanner()?.push(&chunk))
    }

    /// Says that the rest of the current file, which `push` reported
    /// rejected, will not be pushed (a stream that may never end): the
    /// report then gives its size and SHA-256 as unknown, rather than
    /// those of the part pushed.
    #[wasm_bindgen(js_name = stopFile)]
    pub fn stop_file(&mut self) -> JsResult<()> {
        let scanner = self.scanner()?;
        if !scanner.is_file_rejected() {
            return Err(JsError::new(
                "expected the current file to be rejected before `stopFile()`: \
                 the rest of a file that is read must be pushed",
            ));
        }
        scanner.stop_file();
        Ok(())
    }

    /// The bytes the duplicate index and the hits hold now, for the
    /// benchmark's account of memory: `{ index, hits }`.
    #[wasm_bindgen(js_name = __memoryUse, skip_typescript)]
    pub fn memory_use(&mut self) -> JsResult<JsValue> {
        let scanner = self.scanner()?;
        let (index, hits) = (scanner.index_bytes(), scanner.hits_bytes());
        to_js(&serde_json::json!({ "index": index, "hits": hits }))
    }

    /// Ends the data set and returns the report; the scanner is then
    /// empty and can read another data set.
    #[wasm_bindgen(unchecked_return_type = "ScanReport")]
    pub fn finish(&mut self) -> JsResult<JsValue> {
        report_to_js(self.scanner()?.finish())
    }
}

impl JsScanner {
    fn scanner(&mut self) -> JsResult<&mut CoreScanner> {
        self.inner.as_mut().ok_or_else(|| {
            JsError::new("the scanner was freed: make a `new Scanner()` to read more")
        })
    }
}

/// The JSON text of one record given as an object or as text.
fn record_text(event: &JsValue) -> JsResult<String> {
    object::check_readable(event)?;
    if let Some(text) = event.as_string() {
        // NOTE: text read from a file may keep its byte order mark.
        return Ok(match text.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_owned(),
            None => text,
        });
    }
    let collection = is_collection(event);
    if collection || is_binary(event) {
        let got = constructor_name(event);
        let hint = match collection {
            true => "make it a plain object first, as with `Object.fromEntries`",
            false => "decode it to text first, or give the bytes to `scan`",
        };
        return Err(JsError::new(&format!(
            "expected a record as an object or a JSON string, got {got}: {hint}"
        )));
    }
    if is_list(event) {
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
    // NOTE: `JSON.stringify` gives `undefined` when the object's `toJSON`
    // returns what JSON cannot hold (undefined, a function, a symbol).
    let text = text.as_string().ok_or_else(|| {
        JsError::new("cannot turn the record into JSON: its `toJSON` gave no JSON value")
    })?;
    // NOTE: a `Date` or a boxed string is written as a JSON string, whose
    // position in the text would mean nothing to the caller.
    if !text.starts_with(['{', '[']) {
        let got = constructor_name(event);
        return Err(JsError::new(&format!(
            "expected a record as an object or a JSON string, got {got}, \
             whose JSON is not an object"
        )));
    }
    Ok(text)
}

/// A string argument; anything else is refused rather than converted,
/// as the glue would convert it (or fail inside the module).
fn string_argument(value: &JsValue, what: &str) -> JsResult<String> {
    value.as_string().ok_or_else(|| {
        let got = kind_of(value);
        JsError::new(&format!("expected {what} to be a string, got {got}"))
    })
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

/// What `scan` says of input of the wrong type, naming the list of files
/// it also takes.
fn not_scan_input(input: &JsValue) -> String {
    let got = kind_of(input);
    format!(
        "expected the input to be a string, a `Uint8Array`, an `ArrayBuffer` \
         or an array of `{{ name, data }}` files, got {got}"
    )
}

fn uint8_array(data: &JsValue, what: &str) -> JsResult<Uint8Array> {
    uint8_array_of(data).ok_or_else(|| {
        let got = kind_of(data);
        JsError::new(&format!(
            "expected {what} to be a string, a `Uint8Array` or an \
             `ArrayBuffer`, got {got}"
        ))
    })
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

/// A core error thrown as a JavaScript `Error` with the core's message.
fn thrown(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// A report as a JavaScript object, its hits turned a batch at a time.
///
/// NOTE: the JSON text of hundreds of thousands of hits passes the longest
/// string a JavaScript engine makes (V8: 2^29 - 24 characters), and
/// `JSON.parse` of one such text would need it whole.
fn report_to_js(mut report: ScanReport) -> JsResult<JsValue> {
    const BATCH: usize = 4096;
    let hits = std::mem::take(&mut report.hits);
    let object = to_js(&report)?;
    let array = Array::new();
    for batch in hits.chunks(BATCH) {
        let parsed = Array::from(&to_js(batch)?);
        for hit in parsed.iter() {
            array.push(&hit);
        }
    }
    Reflect::set(&object, &JsValue::from_str("hits"), &array)
        .map_err(|_| JsError::new("cannot set the report's hits"))?;
    Ok(object)
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
