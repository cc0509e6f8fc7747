//! A record candidate to a [`Record`]: known wrappers taken off, then the
//! record told apart as a raw Management Activity API record (normalized)
//! or an ECS document (taken as it is).

use serde_json::{Map, Value};

use super::error::{Position, RecordError, RecordErrorKind};
use super::json::{self, LoneSurrogates, RepeatedKey};
use super::normalize::normalize;
use super::time::{parse_time, Timestamp};

type Object = Map<String, Value>;
type Result<T, E = RecordError> = std::result::Result<T, E>;

/// One audit event, ready to be judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The shape it arrived in: its outermost wrapper, or what it is.
    pub kind: RecordKind,
    /// The ECS document the rule is evaluated on: the normalized raw
    /// record, or the ECS document as it is.
    pub event: Value,
    /// The raw record before normalization; `None` for ECS documents.
    pub raw: Option<Value>,
    /// The `_index` of a search hit.
    pub index: Option<String>,
    /// Escaped surrogates without their pair in the record's text, read
    /// as U+FFFD: worth a warning.
    pub lone_surrogates: Option<LoneSurrogates>,
    /// A key that an object of the record's text holds twice (its last
    /// value is read): worth a warning.
    pub repeated_key: Option<RepeatedKey>,
}

/// How a record arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// an ECS document (an indexed event, a Kibana export)
    Ecs,
    /// a bare Management Activity API record
    Raw,
    /// `{"o365audit": record}`, as Elastic's input hands records on, also
    /// with `event.original` beside it (a pipeline test file's events)
    O365Audit,
    /// a Graph audit record, the record in its `auditData`
    Graph,
    /// an export row (CSV, or JSON from PowerShell) with `AuditData`
    ExportRow,
    /// an Elasticsearch search hit, the document in its `_source`
    EsHit,
}

impl RecordKind {
    /// A short lower-case name, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Ecs => "ecs",
            RecordKind::Raw => "o365-api",
            RecordKind::O365Audit => "o365audit",
            RecordKind::Graph => "graph",
            RecordKind::ExportRow => "export-row",
            RecordKind::EsHit => "es-hit",
        }
    }
}

impl Record {
    /// What duplicates are judged on: the raw record, else the document
    /// (an ES hit's `_source`), never a wrapper's other fields.
    pub fn content(&self) -> &Value {
        self.raw.as_ref().unwrap_or(&self.event)
    }

    /// The event's time: `@timestamp`, else a raw `CreationTime`.
    pub fn timestamp(&self) -> Option<Timestamp> {
        let raw_time = || self.raw.as_ref()?.get("CreationTime");
        self.event
            .get("@timestamp")
            .and_then(parse_time)
            .or_else(|| raw_time().and_then(parse_time))
    }
}

/// A row of an export whose `AuditData` cell holds the record. The input
/// layer's CSV rows implement it; so does `str`, for the cell alone.
pub trait AuditRow {
    /// The `AuditData` cell, or `None` when the row has no such column.
    fn audit_data(&self) -> Option<&str>;
}

impl AuditRow for str {
    fn audit_data(&self) -> Option<&str> {
        Some(self)
    }
}

impl AuditRow for crate::input::Row<'_> {
    fn audit_data(&self) -> Option<&str> {
        Some(crate::input::Row::audit_data(self))
    }
}

/// Reads one record candidate: the exact text of one JSON value.
///
/// ```
/// use m365_restricted_sender::o365::{read_json, RecordKind};
///
/// let text = r#"{"_index": ".ds-logs-o365.audit-default-2024.05.01-000001",
///     "_source": {"event": {"action": "AlertTriggered"}}}"#;
/// let record = read_json(text).unwrap();
/// assert_eq!(record.kind, RecordKind::EsHit);
/// assert_eq!(record.event["event"]["action"], "AlertTriggered");
///
/// let error = read_json("{\n  \"a\": 1 \"b\": 2}").unwrap_err();
/// assert_eq!(error.to_string(), "expected `,` or `}` at line 2 column 10");
/// ```
pub fn read_json(text: &str) -> Result<Record, RecordError> {
    let (value, lone) = json::parse_lenient(text)?;
    let mut record = match value {
        Value::Object(object) => read_object(object)?,
        other => return Err(not_an_object(&other, first_byte(text))),
    };
    record.lone_surrogates = lone;
    record.repeated_key = json::first_repeated_key(text);
    Ok(record)
}

/// Reads a value already parsed (for callers handed an object).
pub fn read_value(value: Value) -> Result<Record, RecordError> {
    match value {
        Value::Object(object) => read_object(object),
        other => Err(not_an_object(&other, None)),
    }
}

/// Reads an export row through its `AuditData` cell. The row's other
/// columns are copies for display and are not read.
pub fn read_row<R: AuditRow + ?Sized>(row: &R) -> Result<Record, RecordError> {
    let cell = row.audit_data();
    let cell = cell.ok_or_else(|| wrapper_error("missing `AuditData` column"))?;
    let (object, lone) = object_in_text(cell, "AuditData")?;
    let mut record = classify(object);
    record.kind = RecordKind::ExportRow;
    record.lone_surrogates = lone;
    record.repeated_key = json::first_repeated_key(cell);
    Ok(record)
}

/// Wrappers may nest (a hit whose `_source` is an `o365audit` document);
/// a few levels are plenty.
pub(crate) const MAX_WRAPPERS: usize = 4;

fn read_object(mut body: Object) -> Result<Record, RecordError> {
    let mut kind = None;
    let mut index = None;
    for _ in 0..MAX_WRAPPERS {
        let Some(unwrapped) = unwrap_once(&mut body)? else {
            break;
        };
        kind = kind.or(Some(unwrapped.kind));
        index = index.or(unwrapped.index);
        body = unwrapped.body;
    }
    let mut record = classify(body);
    record.kind = kind.unwrap_or(record.kind);
    record.index = index;
    Ok(record)
}

struct Unwrapped {
    kind: RecordKind,
    body: Object,
    index: Option<String>,
}

/// Takes off the first known wrapper, trying them in a fixed order.
fn unwrap_once(object: &mut Object) -> Result<Option<Unwrapped>, RecordError> {
    let found = if is_o365audit_wrapper(object) {
        Some((RecordKind::O365Audit, "o365audit"))
    } else if object.contains_key("auditData") {
        Some((RecordKind::Graph, "auditData"))
    } else if object.contains_key("AuditData") {
        Some((RecordKind::ExportRow, "AuditData"))
    } else if object.get("_source").is_some_and(Value::is_object) {
        Some((RecordKind::EsHit, "_source"))
    } else if is_fields_hit(object) {
        Some((RecordKind::EsHit, "fields"))
    } else {
        None
    };
    let Some((kind, field)) = found else {
        return Ok(None);
    };
    let index = match kind {
        RecordKind::EsHit => object.get("_index").and_then(Value::as_str),
        _ => None,
    };
    let index = index.map(str::to_owned);
    let body = object_in(object.remove(field).unwrap_or(Value::Null), field)?;
    let body = match field {
        "fields" => single_values(body),
        _ => body,
    };
    Ok(Some(Unwrapped { kind, body, index }))
}

/// A search hit asked for `fields` rather than its `_source` (Kibana's
/// Discover does): the document is in `fields`, one array of values per
/// dotted field name.
fn is_fields_hit(object: &Object) -> bool {
    object.contains_key("_index")
        && !object.contains_key("_source")
        && object.get("fields").is_some_and(Value::is_object)
}

/// A hit's `fields` as a document with flat dotted keys: an array of one
/// value is that value (Elasticsearch wraps every value in an array), an
/// array of several stays one, which a query matches if any element does.
fn single_values(fields: Object) -> Object {
    let single = |value: Value| match value {
        Value::Array(mut values) if values.len() == 1 => values.pop().unwrap_or(Value::Null),
        other => other,
    };
    let mut flat = Object::new();
    for (key, value) in fields {
        flat.insert(key, single(value));
    }
    flat
}

/// `o365audit` holding an object, in a document that has not been through
/// the pipeline: one that has (it carries `event.kind`, `pipeline_error`
/// when it failed there) is what Elastic indexed, and is taken as it is.
fn is_o365audit_wrapper(object: &Object) -> bool {
    let processed = object.contains_key("event.kind")
        || object.get("event").and_then(|e| e.get("kind")).is_some();
    object.get("o365audit").is_some_and(Value::is_object) && !processed
}

/// A wrapper's record: an object, or JSON text holding one.
fn object_in(value: Value, field: &'static str) -> Result<Object, RecordError> {
    match value {
        Value::Object(object) => Ok(object),
        // TODO: a lone surrogate in a wrapper's JSON text is read as
        // U+FFFD without a warning; the record's own text has none then.
        Value::String(text) => object_in_text(&text, field).map(|(object, _)| object),
        _ => {
            let message = "expected an object or JSON text";
            Err(wrapper_error(message).inside(field))
        }
    }
}

fn object_in_text(
    text: &str,
    field: &'static str,
) -> Result<(Object, Option<LoneSurrogates>), RecordError> {
    if text.trim().is_empty() {
        let message = format!("empty `{field}`");
        return Err(wrapper_error(message));
    }
    match json::parse_lenient(text).map_err(|error| error.inside(field))? {
        (Value::Object(object), lone) => Ok((object, lone)),
        (other, _) => Err(not_an_object(&other, first_byte(text)).inside(field)),
    }
}

/// A raw record has `Workload` or `Operation`, and `RecordType` or
/// `CreationTime`; any other object is an ECS document.
fn is_raw(object: &Object) -> bool {
    let has = |key: &str| object.contains_key(key);
    let what = has("Workload") || has("Operation");
    let when = has("RecordType") || has("CreationTime");
    what && when
}

/// A bare record: raw (normalized) or ECS (as it is).
fn classify(body: Object) -> Record {
    let (kind, event, raw) = if is_raw(&body) {
        (RecordKind::Raw, normalize(&body), Some(Value::Object(body)))
    } else {
        (RecordKind::Ecs, Value::Object(body), None)
    };
    Record {
        kind,
        event,
        raw,
        index: None,
        lone_surrogates: None,
        repeated_key: None,
    }
}

fn wrapper_error(message: impl Into<String>) -> RecordError {
    RecordError::new(RecordErrorKind::Wrapper, message, None)
}

fn not_an_object(value: &Value, position: Option<Position>) -> RecordError {
    let found = match value {
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(true) => "`true`",
        Value::Bool(false) => "`false`",
        Value::Null => "`null`",
        Value::Object(_) => "an object",
    };
    let message = format!("expected an object, found {found}");
    RecordError::new(RecordErrorKind::NotAnObject, message, position)
}

/// Where the value in `text` starts.
fn first_byte(text: &str) -> Option<Position> {
    let at = text.find(|c: char| !c.is_whitespace())?;
    Some(json::position_of(text, at))
}
