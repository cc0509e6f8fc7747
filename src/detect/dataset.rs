//! Elasticsearch's constant_keyword, offline.
//!
//! In the integration's data stream (`logs-o365.audit-*`) the field
//! `event.dataset` is a constant_keyword with the value `o365.audit`, so
//! Elasticsearch matches `event.dataset:o365.audit` on every document of
//! that index, even one whose `_source` lacks the field. A document known
//! to come from there is read with the field filled in.

use serde_json::Value;

use crate::doc::{Document, FieldPath, Scalar};

const DATASET_FIELD: &str = "event.dataset";
const DATA_STREAM_FIELD: &str = "data_stream.dataset";
const DATASET: &str = "o365.audit";
const DATA_STREAM_INDEX: &str = "logs-o365.audit-";

/// A document with `event.dataset` filled in when it comes from the
/// integration's data stream and lacks the field.
pub struct DatasetView<'a> {
    inner: &'a Value,
    fill: bool,
}

impl<'a> DatasetView<'a> {
    /// Wraps `event`, which came from `index` when that is known.
    pub fn new(event: &'a Value, index: Option<&str>) -> DatasetView<'a> {
        let from_stream = index.is_some_and(|name| name.contains(DATA_STREAM_INDEX))
            || holds(event, DATA_STREAM_FIELD, DATASET);
        let fill = from_stream && !has_value(event, DATASET_FIELD);
        DatasetView { inner: event, fill }
    }
}

fn holds(doc: &dyn Document, path: &str, wanted: &str) -> bool {
    doc.any_value(&FieldPath::new(path), &mut |value| {
        value == Scalar::Str(wanted)
    })
}

fn has_value(doc: &dyn Document, path: &str) -> bool {
    doc.any_value(&FieldPath::new(path), &mut |_| true)
}

impl Document for DatasetView<'_> {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        if self.fill && path.as_str() == DATASET_FIELD {
            return visit(Scalar::Str(DATASET));
        }
        self.inner.any_value(path, visit)
    }

    fn exists(&self, path: &FieldPath) -> bool {
        let filled = self.fill && DATASET_FIELD.starts_with(path.as_str());
        let at_or_above = filled
            && (path.as_str() == DATASET_FIELD
                || DATASET_FIELD.as_bytes().get(path.as_str().len()) == Some(&b'.'));
        at_or_above || self.inner.exists(path)
    }

    fn any_object(&self, path: &FieldPath, visit: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        self.inner.any_object(path, visit)
    }

    fn any_leaf(&self, visit: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        if self.fill && visit(DATASET_FIELD, Scalar::Str(DATASET)) {
            return true;
        }
        self.inner.any_leaf(visit)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dataset(event: &Value, index: Option<&str>) -> bool {
        holds(&DatasetView::new(event, index), DATASET_FIELD, DATASET)
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
