//! Detection: the two verdicts on a record, why each clause passed or
//! failed, the restricted user, and the alert a hit raises.
//!
//! Every record is judged twice (see product.md, "Two verdicts"): by the
//! rule's own KQL query, exactly as Elastic Security evaluates it, and by
//! the alert's name, which finds the real Microsoft alert that the rule's
//! query cannot see on data normalized by Elastic's o365 integration.

mod alert;
mod dataset;
mod dedup;
pub(crate) mod in_place;
mod report;
mod user;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::doc::{Document, FieldPath, Scalar};
use crate::kql::{self, ClauseReport, Query, SyntaxError};
use crate::o365::{self, view, Record, RecordError, RecordErrorKind, Timestamp};
use crate::rule;
use crate::skim::{Lean, LeanPlan, Skimmer};

pub use dataset::DatasetView;
pub use dedup::{content_hash, ContentHash};
pub(crate) use dedup::{
    fingerprint_bytes, is_canonical_escape, write_object_mark, write_string, MemberSum,
};
use in_place::ViewFields;
pub use report::{
    fill_users_from_alerts, restricted_users, sort_by_time, ErrorEntry, FileReport, Hit, RuleRef,
    ScanReport, Tool, User, Warning,
};
pub use user::{is_address, restricted_user};

/// How records are judged; the same options as the JavaScript API and the
/// command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Turns the alert-name verdict off, leaving Elastic's exact answer.
    pub strict: bool,
    /// A KQL query that replaces both verdicts.
    pub query: Option<String>,
    /// The index the ECS documents came from, as an ES hit's `_index`.
    pub index: Option<String>,
    /// Whether a scan computes each file's SHA-256 (on by default; off,
    /// the report's `sha256` is null).
    ///
    /// NOTE: WebAssembly has no SHA instructions: there the hash alone
    /// runs at about 200 MB/s, slower than the rest of a scan, so a host
    /// that does not show it may turn it off. It is not written in the
    /// report's options, which keep the fields that change the verdicts.
    #[serde(skip_serializing)]
    pub sha256: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            strict: false,
            query: None,
            index: None,
            sha256: true,
        }
    }
}

/// The two verdicts on one record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// The rule's query (or the custom query) matched.
    pub query: bool,
    /// The alert was recognized by its name.
    pub alert_name: bool,
}

impl Verdict {
    /// A record is a hit when either verdict is true.
    pub fn hit(self) -> bool {
        self.query || self.alert_name
    }
}

/// Judges records with compiled queries.
pub struct Detector {
    /// The rule's query, or the custom query that replaces both verdicts.
    query: Query,
    /// The alert-name query; none under a custom query.
    alert_name: Option<Query>,
    options: Options,
    /// What a skim keeps to judge a record; none when the queries read
    /// more than named fields (every record then is parsed in full).
    lean: Option<LeanPlan>,
    /// Where the fields the queries read come from in a raw record.
    view_fields: ViewFields,
}

impl Detector {
    /// Compiles the queries; only a custom query can fail to parse.
    pub fn new(options: Options) -> Result<Detector, SyntaxError> {
        let (query, alert_name) = match &options.query {
            Some(text) => (compile(text)?, None),
            None => (
                compile(rule::info().query)?,
                Some(compile(rule::info().alert_name_query)?),
            ),
        };
        let lean = lean_plan(&query, alert_name.as_ref());
        let view_fields = view_fields([Some(&query), alert_name.as_ref()]);
        Ok(Detector {
            query,
            alert_name,
            options,
            lean,
            view_fields,
        })
    }

    /// The options the detector was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether this detector runs a custom query instead of the rule.
    pub fn is_custom(&self) -> bool {
        self.alert_name.is_none()
    }

    /// The two verdicts on a record.
    pub fn judge(&self, record: &Record) -> Verdict {
        self.judge_document(&self.view(record))
    }

    fn judge_document(&self, doc: &dyn Document) -> Verdict {
        let by_name = |query: &Query| !self.options.strict && query.matches(doc);
        Verdict {
            query: self.query.matches(doc),
            alert_name: self.alert_name.as_ref().is_some_and(by_name),
        }
    }

    /// The record's event as the queries see it: with `event.dataset`
    /// filled in where Elasticsearch's constant_keyword would fill it.
    pub fn view<'a>(&self, record: &'a Record) -> DatasetView<'a> {
        let index = record.index.as_deref().or(self.options.index.as_deref());
        DatasetView::new(&record.event, index)
    }

    /// What a skim must keep for this detector to judge a record.
    pub(crate) fn lean_plan(&self) -> Option<&LeanPlan> {
        self.lean.as_ref()
    }

    /// The two verdicts on a skimmed record; `None` when what it kept
    /// does not tell (the record must then be read in full).
    pub(crate) fn judge_lean(&self, lean: &Lean<'_>) -> Option<Verdict> {
        if !lean.answerable() {
            return None;
        }
        // NOTE: a normalized raw record always has its `event.dataset`,
        // which the dataset view would only look up to leave alone.
        let verdict = match lean.is_raw() {
            true => self.judge_document(lean),
            false => {
                let index = lean.index.or(self.options.index.as_deref());
                self.judge_document(&DatasetView::new(lean, index))
            }
        };
        (!lean.was_unsure()).then_some(verdict)
    }

    /// Judges one record given as JSON text, with the explanation.
    pub fn evaluate(&self, text: &str) -> Result<Evaluation, RecordError> {
        let record = read_one(text)?;
        Ok(self.evaluation(&record))
    }

    /// Judges one record given as JSON text: `evaluate(..).hit`, from a
    /// skim of the fields the queries read when it can tell, else from
    /// the record read in full (which also gives the same errors).
    pub fn test(&self, text: &str) -> Result<bool, RecordError> {
        let mut skimmer = Skimmer::default();
        let skimmed = self.lean.as_ref().and_then(|plan| skimmer.json(text, plan));
        if let Some(verdict) = skimmed.and_then(|lean| self.judge_lean(&lean)) {
            return Ok(verdict.hit());
        }
        let record = read_one(text)?;
        Ok(self.judge(&record).hit())
    }

    /// The full judgement of a record already read.
    pub fn evaluation(&self, record: &Record) -> Evaluation {
        let view = self.view(record);
        let verdict = self.judge_document(&view);
        let facts = Facts::of(record, &view);
        let alert = self.alert(&record.event, verdict, &facts);
        Evaluation {
            hit: verdict.hit(),
            query: verdict.query,
            alert_name: verdict.alert_name,
            clauses: self.explain(&view),
            timestamp: facts.timestamp(),
            user: facts.user,
            alert_id: facts.alert_id,
            alert,
            event: record.event.clone(),
        }
    }

    /// The alert document a hit raises; none for a miss or a custom query.
    pub fn alert(&self, event: &Value, verdict: Verdict, facts: &Facts) -> Option<Value> {
        if !verdict.hit() || self.is_custom() {
            return None;
        }
        Some(alert::document(event, verdict, facts))
    }

    fn explain(&self, doc: &dyn Document) -> Vec<Clause> {
        let mut all = clauses(Source::Query, &self.query, doc);
        if let Some(alert_name) = &self.alert_name {
            all.extend(clauses(Source::AlertName, alert_name, doc));
        }
        all
    }
}

/// The plan of what a skim keeps, when the queries read named fields only.
fn lean_plan(query: &Query, alert_name: Option<&Query>) -> Option<LeanPlan> {
    let mut fields = query.named_fields()?;
    if let Some(alert_name) = alert_name {
        fields.extend(alert_name.named_fields()?);
    }
    LeanPlan::new(&fields)
}

/// Where the fields the queries read come from in a raw record.
fn view_fields<'q>(queries: impl IntoIterator<Item = Option<&'q Query>>) -> ViewFields {
    let names: Vec<String> = queries
        .into_iter()
        .flatten()
        .flat_map(Query::fields)
        .collect();
    ViewFields::new(names.iter().map(String::as_str))
}

/// Reads exactly one record, pointing to `scan` for anything more.
fn read_one(text: &str) -> Result<Record, RecordError> {
    o365::read_json(text).map_err(|error| point_to_scan(text, error))
}

fn point_to_scan(text: &str, error: RecordError) -> RecordError {
    let message = match error.kind() {
        RecordErrorKind::NotAnObject if text.trim_start().starts_with('[') => {
            "expected one record, got an array: `scan` reads arrays of records"
        }
        RecordErrorKind::Syntax
            if error.message().starts_with("trailing characters")
                && another_value_follows(text) =>
        {
            "expected one record, found several: `scan` reads them"
        }
        _ => return error,
    };
    RecordError::new(RecordErrorKind::NotAnObject, message, None)
}

/// Whether another JSON object or array follows the first value of
/// `text`, rather than stray characters.
fn another_value_follows(text: &str) -> bool {
    let deserializer = serde_json::Deserializer::from_str(text);
    let mut values = deserializer.into_iter::<serde::de::IgnoredAny>();
    if !matches!(values.next(), Some(Ok(_))) {
        return false;
    }
    let rest = text.get(values.byte_offset()..).unwrap_or_default();
    let rest = rest.trim_start_matches([' ', '\t', '\r', '\n', ',']);
    rest.starts_with(['{', '['])
}

/// Which verdict a clause belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// The rule's query, or the custom query.
    Query,
    /// The alert-name query.
    AlertName,
}

/// One clause of a query, judged on one record.
#[derive(Clone, Debug, Serialize)]
pub struct Clause {
    /// The verdict the clause belongs to.
    pub verdict: Source,
    /// The clause as KQL.
    pub text: String,
    /// The field it tests, when it tests one.
    pub field: Option<String>,
    /// The value it expects, when it is a simple `field:value`.
    pub expected: Option<String>,
    /// The values the record holds at the field.
    pub values: Vec<Value>,
    /// Whether the clause held.
    pub passed: bool,
}

fn clauses(source: Source, query: &Query, doc: &dyn Document) -> Vec<Clause> {
    let clause = |report: ClauseReport| Clause {
        verdict: source,
        text: report.text,
        field: report.field,
        expected: report.expected,
        values: report.values,
        passed: report.passed,
    };
    query.explain(doc).into_iter().map(clause).collect()
}

/// What `evaluate` returns for one record.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// Either verdict is true.
    pub hit: bool,
    /// The rule's query (or the custom query) matched.
    pub query: bool,
    /// The alert was recognized by its name.
    pub alert_name: bool,
    /// Every clause of both queries, judged.
    pub clauses: Vec<Clause>,
    /// The restricted user, when the record names one.
    pub user: Option<String>,
    /// The record's time, ISO 8601 UTC with milliseconds.
    pub timestamp: Option<String>,
    /// Microsoft's alert id.
    pub alert_id: Option<String>,
    /// The alert a hit raises, shaped like an Elastic Security alert.
    pub alert: Option<Value>,
    /// The normalized ECS event.
    pub event: Value,
}

/// The facts about a record that a hit reports.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The restricted user.
    pub user: Option<String>,
    /// The record's time.
    pub time: Option<Timestamp>,
    /// Microsoft's alert id.
    pub alert_id: Option<String>,
}

const ALERT_ID: &str = "o365.audit.AlertId";
const CREATION_TIME: &str = "o365.audit.CreationTime";

impl Facts {
    /// Reads the facts from a record's event as the queries see it.
    pub fn of(record: &Record, doc: &dyn Document) -> Facts {
        Facts {
            user: restricted_user(doc, record.raw.is_some()),
            time: time_of(doc),
            alert_id: first_string(doc, ALERT_ID),
        }
    }

    /// The time as the report writes it.
    pub fn timestamp(&self) -> Option<String> {
        self.time.map(|time| time.to_string())
    }
}

fn time_of(doc: &dyn Document) -> Option<Timestamp> {
    first_time(doc, "@timestamp").or_else(|| first_time(doc, CREATION_TIME))
}

fn first_time(doc: &dyn Document, path: &str) -> Option<Timestamp> {
    let mut found = None;
    doc.any_value(&FieldPath::new(path), &mut |value| {
        found = match value {
            Scalar::Str(text) => o365::parse_time_str(text),
            Scalar::Number(text) => epoch_millis(text),
            Scalar::Bool(_) => None,
        };
        found.is_some()
    });
    found
}

/// A number of epoch milliseconds, fractions included.
fn epoch_millis(text: &str) -> Option<Timestamp> {
    let number = text.parse::<serde_json::Number>().ok()?;
    o365::parse_time(&Value::Number(number))
}

/// The first string value at `path`.
pub fn first_string(doc: &dyn Document, path: &str) -> Option<String> {
    let mut found = None;
    doc.any_value(&FieldPath::new(path), &mut |value| match value {
        Scalar::Str(text) => {
            found = Some(text.to_owned());
            true
        }
        _ => false,
    });
    found
}

/// A query as the detector matches it: the clauses on the data set's
/// constant fields, true of nearly every record, asked last.
fn compile(text: &str) -> Result<Query, SyntaxError> {
    Ok(kql::parse(text)?.asking_last(&view::CONSTANT_FIELDS))
}

/// A query compiled once, for `compile(kql).matches(event)`.
pub struct CompiledQuery {
    query: Query,
    /// Where the fields the query reads come from in a raw record.
    view_fields: ViewFields,
}

impl CompiledQuery {
    /// Parses the query.
    pub fn new(text: &str) -> Result<CompiledQuery, SyntaxError> {
        let query = compile(text)?;
        let view_fields = view_fields([Some(&query)]);
        Ok(CompiledQuery { query, view_fields })
    }

    /// Whether one record, given as JSON text, matches; raw records are
    /// normalized first.
    pub fn matches(&self, text: &str) -> Result<bool, RecordError> {
        let record = read_one(text)?;
        let view = DatasetView::new(&record.event, record.index.as_deref());
        Ok(self.query.matches(&view))
    }

    /// The query itself.
    pub fn query(&self) -> &Query {
        &self.query
    }
}
