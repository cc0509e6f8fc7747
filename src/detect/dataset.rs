//! Elasticsearch's constant_keyword, offline.
//!
//! In the integration's data stream (`logs-o365.audit-*`) the field
//! `event.dataset` is a constant_keyword with the value `o365.audit`, so
//! Elasticsearch matches `event.dataset:o365.audit` on every document of
//! that index, even one whose `_source` lacks the field. A document known
//! to come from there is read with the field filled in.

use std::cell::Cell;
use std::sync::OnceLock;

use crate::doc::{Document, FieldPath, Scalar, Term};

const DATASET_FIELD: &str = "event.dataset";
const DATA_STREAM_FIELD: &str = "data_stream.dataset";
const DATASET: &str = "o365.audit";
const DATA_STREAM_INDEX: &str = "logs-o365.audit-";

/// A document with `event.dataset` filled in when it comes from the
/// integration's data stream and lacks the field.
///
/// What the view needs to know about the document is read only when a
/// question needs it: a document that holds `event.dataset` answers
/// `event.dataset:o365.audit` without the data stream being looked up.
pub struct DatasetView<'a> {
    inner: &'a dyn Document,
    /// the index named is the integration's data stream
    index_in_stream: bool,
    /// whether the document comes from the data stream, once known
    from_stream: Cell<Option<bool>>,
}

impl<'a> DatasetView<'a> {
    /// Wraps `event`, which came from `index` when that is known.
    pub fn new(event: &'a dyn Document, index: Option<&str>) -> DatasetView<'a> {
        let index_in_stream = index.is_some_and(|name| name.contains(DATA_STREAM_INDEX));
        DatasetView {
            inner: event,
            index_in_stream,
            from_stream: Cell::new(None),
        }
    }

    fn comes_from_stream(&self) -> bool {
        if let Some(known) = self.from_stream.get() {
            return known;
        }
        // NOTE: term equality; no number or boolean has this text, so it
        // is the same as asking for the string.
        let from_stream =
            self.index_in_stream || self.inner.any_term(data_stream_path(), dataset_term());
        self.from_stream.set(Some(from_stream));
        from_stream
    }

    /// Whether `event.dataset` is filled in: from the data stream, and
    /// not in the document.
    fn fills(&self) -> bool {
        self.comes_from_stream() && !self.inner.has_value(dataset_path())
    }
}

/// The term `o365.audit`, made once.
fn dataset_term() -> &'static Term {
    static TERM: OnceLock<Term> = OnceLock::new();
    TERM.get_or_init(|| Term::new(DATASET))
}

/// The two paths read for every record, made once.
fn dataset_path() -> &'static FieldPath {
    static PATH: OnceLock<FieldPath> = OnceLock::new();
    PATH.get_or_init(|| FieldPath::new(DATASET_FIELD))
}

fn data_stream_path() -> &'static FieldPath {
    static PATH: OnceLock<FieldPath> = OnceLock::new();
    PATH.get_or_init(|| FieldPath::new(DATA_STREAM_FIELD))
}

impl Document for DatasetView<'_> {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        if path.as_str() != DATASET_FIELD {
            return self.inner.any_value(path, visit);
        }
        let mut held = false;
        let found = self.inner.any_value(path, &mut |value| {
            held = true;
            visit(value)
        });
        found || (!held && self.comes_from_stream() && visit(Scalar::Str(DATASET)))
    }

    fn any_term(&self, path: &FieldPath, term: &Term) -> bool {
        let filled = path.as_str() == DATASET_FIELD && term.as_str() == DATASET;
        self.inner.any_term(path, term) || (filled && self.fills())
    }

    fn has_value(&self, path: &FieldPath) -> bool {
        let dataset = path.as_str() == DATASET_FIELD;
        self.inner.has_value(path) || (dataset && self.comes_from_stream())
    }

    fn exists(&self, path: &FieldPath) -> bool {
        let above = DATASET_FIELD.starts_with(path.as_str());
        let at_or_above = above
            && (path.as_str() == DATASET_FIELD
                || DATASET_FIELD.as_bytes().get(path.as_str().len()) == Some(&b'.'));
        self.inner.exists(path) || (at_or_above && self.fills())
    }

    fn any_object(&self, path: &FieldPath, visit: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        self.inner.any_object(path, visit)
    }

    fn any_leaf(&self, visit: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        if self.fills() && visit(DATASET_FIELD, Scalar::Str(DATASET)) {
            return true;
        }
        self.inner.any_leaf(visit)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn dataset(event: &Value, index: Option<&str>) -> bool {
        let view = DatasetView::new(event, index);
        let by_value = view.any_value(dataset_path(), &mut |v| v == Scalar::Str(DATASET));
        let by_text = view.any_term(dataset_path(), dataset_term());
        assert_eq!(by_value, by_text);
        by_text
    }

    #[test]
    fn backing_index_of_the_data_stream_fills_the_dataset() {
        let event = json!({"event": {"action": "x"}});
        let index = ".ds-logs-o365.audit-default-2026.11.30-000001";
        assert!(dataset(&event, Some(index)));
        assert!(dataset(&event, Some("logs-o365.audit-default")));
    }

    #[test]
    fn data_stream_field_fills_the_dataset() {
        let event = json!({"data_stream": {"dataset": "o365.audit"}});
        assert!(dataset(&event, None));
    }

    #[test]
    fn other_indices_leave_the_document_as_it_is() {
        let event = json!({"event": {"action": "x"}});
        assert!(!dataset(&event, None));
        assert!(!dataset(&event, Some("filebeat-8.15.0")));
    }

    #[test]
    fn a_dataset_present_is_never_replaced() {
        let event = json!({"event": {"dataset": "azure.signinlogs"}});
        let index = Some("logs-o365.audit-default");
        assert!(!dataset(&event, index));
    }
}
