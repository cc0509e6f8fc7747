//! An offline detector for the Elastic Security rule "Microsoft 365 User
//! Restricted from Sending Email".
//!
//! The crate reads Microsoft 365 audit data in the shapes analysts hold,
//! normalizes raw records to ECS as Elastic's o365 integration does, and
//! judges every record twice: with the rule's KQL query, evaluated as
//! Elastic Security would, and by the alert's name, which finds the real
//! Microsoft alert that the rule's own query misses.
//!
//! The pipeline, one module per stage:
//!
//! - [`input`]: bytes to records: gzip, text encodings, format sniffing,
//!   splitting into pieces with their lines;
//! - [`o365`]: a piece to a record: wrappers, raw Management Activity API
//!   records normalized to ECS, times;
//! - [`kql`]: the Kibana Query Language, parsed and evaluated over any
//!   [`doc::Document`];
//! - [`rule`]: the rule itself, compiled in;
//! - [`detect`]: the two verdicts, explanations, alerts and users;
//! - [`scan`]: the streaming scanner that ties them together, judging
//!   most records from a one-pass skim of their text (`skim`) and only
//!   hits, and records it cannot judge, in full.
//!
//! The wasm boundary and the command line are thin layers over these.

#![deny(unsafe_code)]

mod calendar;
pub mod detect;
pub mod doc;
pub mod input;
pub mod kql;
pub mod o365;
pub mod rule;
pub mod scan;
mod skim;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[allow(unsafe_code)]
mod wasm;
