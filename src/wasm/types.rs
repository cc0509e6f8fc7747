//! The TypeScript types of the package's API, shipped in its `.d.ts`.

use wasm_bindgen::prelude::*;

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
   * is not read. It need not be pushed; call `stopFile()` then, so that the
   * report gives the file's size and SHA-256 as unknown rather than those of
   * the part pushed. */
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
