//! A piece of input to a record: Microsoft 365 audit data as Elastic
//! would index it.
//!
//! A record candidate is the text of one JSON value, or an export row's
//! `AuditData` cell. Reading it takes off the known wrappers, in this
//! order: `o365audit` (Elastic's input, and pipeline test files), Graph's
//! `auditData`, an export row's `AuditData`, a search hit's `_source` (or
//! its `fields`, one array of values per dotted name, when it has no
//! `_source`).
//! What is left is a raw Management Activity API record, which is
//! normalized to ECS exactly as Elastic's o365 integration does it, or an
//! ECS document, which is taken as it is.
//!
//! ```
//! use m365_restricted_sender::o365::{read_json, RecordKind};
//!
//! let text = r#"{"o365audit": {
//!     "CreationTime": "2024-05-01T10:00:00",
//!     "Id": "00000000-0000-0000-0000-000000000001",
//!     "RecordType": 40, "Workload": "SecurityComplianceCenter",
//!     "Operation": "AlertTriggered", "ResultStatus": "Succeeded",
//!     "Name": "User restricted from sending email"}}"#;
//! let record = read_json(text).unwrap();
//! assert_eq!(record.kind, RecordKind::O365Audit);
//! assert_eq!(record.event["event"]["provider"], "SecurityComplianceCenter");
//! assert_eq!(record.event["event"]["code"], "SecurityComplianceAlerts");
//! let name = &record.event["rule"]["name"];
//! assert_eq!(name, "User restricted from sending email");
//! let time = record.timestamp().unwrap().to_string();
//! assert_eq!(time, "2024-05-01T10:00:00.000Z");
//! ```

mod client;
mod error;
pub(crate) mod fields;
mod json;
mod normalize;
mod read;
mod time;
pub(crate) mod view;

pub use error::{Position, RecordError, RecordErrorKind};
pub use json::{LoneSurrogates, RepeatedKey, MAX_DEPTH};
pub use normalize::normalize;
pub(crate) use read::MAX_WRAPPERS;
pub use read::{read_json, read_row, read_value, AuditRow, Record, RecordKind};
pub use time::{parse_time, parse_time_str, Timestamp};
