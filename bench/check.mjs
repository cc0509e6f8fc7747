// Whether a scanner found exactly the hits the generator planted: the
// same lines, with the same verdicts, and every record read.

import { lineOf } from "./generate.mjs";

/** The planted hits as a scanner of `shape` should report them. */
export function expectedHits(manifest, shape, { customQuery = false } = {}) {
  const planted = customQuery
    ? manifest.hits.filter((hit) => hit.alertName)
    : manifest.hits;
  return planted.map((hit) => ({
    line: lineOf[shape](hit.index),
    query: customQuery ? true : hit.query,
    alertName: customQuery ? false : hit.alertName,
  }));
}

const key = (hit) => `${hit.line} query=${hit.query} ` +
  `alertName=${hit.alertName}`;

/** Null when `found` agrees with `expected`, else what differs. */
export function compareHits(found, expected) {
  const want = new Set(expected.map(key));
  const got = new Set(found.map(key));
  const missing = [...want].filter((hit) => !got.has(hit));
  const extra = [...got].filter((hit) => !want.has(hit));
  if (missing.length === 0 && extra.length === 0 &&
      found.length === expected.length) {
    return null;
  }
  const show = (list) => list.slice(0, 5).join("; ") +
    (list.length > 5 ? `; and ${list.length - 5} more` : "");
  const parts = [`found ${found.length} hits, expected ${expected.length}`];
  if (missing.length) parts.push(`missing at line ${show(missing)}`);
  if (extra.length) parts.push(`unexpected at line ${show(extra)}`);
  return parts.join("; ");
}

/** Null unless the scan reported a SHA-256 other than the file's. */
export function compareHash(result, sha256) {
  if (typeof result.sha256 !== "string" || result.sha256 === sha256) {
    return null;
  }
  return `reported SHA-256 ${result.sha256}, expected ${sha256}`;
}

/** Null when a scan read every record and no more, else what is wrong. */
export function compareCounts(result, count) {
  if (result.records !== count) {
    return `read ${result.records} records, expected ${count}`;
  }
  if (result.errorCount) return `reported ${result.errorCount} errors`;
  if (result.duplicates) return `reported ${result.duplicates} duplicates`;
  return null;
}
