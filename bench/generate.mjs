// Writes one data set in the three shapes the benchmark scans: raw
// Management Activity API NDJSON, the same records as one JSON array (a
// content blob), and a Purview "Audit log search" CSV export. Each file
// is written as it is generated, a batch at a time, and hashed on the
// way, so a large data set is never held whole.
//
// A manifest beside the files records what was generated (count, seed,
// hashes and the hits the generator planted); a second run with the
// same count and seed finds it and reuses the files.

import { createHash } from "node:crypto";
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync,
  writeFileSync, writeSync,
} from "node:fs";
import { join } from "node:path";

import { RecordSource } from "./records.mjs";

/** Bump when the records change, so that old files are not reused. */
const GENERATOR_VERSION = 2;
const BATCH = 2000;
const CSV_HEADER = "RecordId,CreationDate,RecordType,Operation,UserId," +
  "AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames";

/** A file written in pieces, with its SHA-256 kept up to date. */
class HashedFile {
  constructor(path) {
    this.path = path;
    this.fd = openSync(path, "w");
    this.hash = createHash("sha256");
    this.bytes = 0;
  }

  write(text) {
    const bytes = Buffer.from(text, "utf8");
    writeSync(this.fd, bytes);
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  close() {
    closeSync(this.fd);
    return { path: this.path, bytes: this.bytes,
      sha256: this.hash.digest("hex") };
  }
}

/** A CSV cell as Excel and Purview quote it: doubled quotes inside. */
function quoted(text) {
  return `"${text.replaceAll('"', '""')}"`;
}

function csvRow(text) {
  const record = JSON.parse(text);
  return [
    record.Id,
    `${record.CreationTime}.0000000Z`,
    String(record.RecordType),
    quoted(record.Operation),
    record.UserId,
    quoted(text),
    "",
    "",
  ].join(",") + "\r\n";
}

/** The line where each shape puts record `index` (1-based). */
export const lineOf = {
  ndjson: (index) => index + 1,
  json: (index) => index + 2,
  csv: (index) => index + 2,
};

/**
 * Generates `count` records into `dir` unless a matching data set is
 * there already; returns the manifest.
 */
export function generate({ dir, count, seed }) {
  mkdirSync(dir, { recursive: true });
  const manifestPath = join(dir, "manifest.json");
  const found = readManifest(manifestPath);
  if (found && found.count === count && found.seed === seed &&
      found.version === GENERATOR_VERSION && filesIntact(found)) {
    return { ...found, reused: true };
  }
  const manifest = writeDataSet(dir, count, seed);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + "\n");
  return { ...manifest, reused: false };
}

function readManifest(path) {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

function filesIntact(manifest) {
  return Object.values(manifest.files).every(
    (file) => existsSync(file.path) && statSync(file.path).size === file.bytes,
  );
}

function writeDataSet(dir, count, seed) {
  const started = performance.now();
  const source = new RecordSource(seed);
  const out = {
    ndjson: new HashedFile(join(dir, "audit.ndjson")),
    json: new HashedFile(join(dir, "audit.json")),
    csv: new HashedFile(join(dir, "audit.csv")),
  };
  out.json.write("[\n");
  out.csv.write("\ufeff" + CSV_HEADER + "\r\n");
  const hits = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const { text, hit } = source.next();
      if (hit) hits.push({ index: i, ...hit });
      batch.push(text);
    }
    writeBatch(out, batch, start + batch.length === count);
  }
  out.json.write("]\n");
  const files = Object.fromEntries(
    Object.entries(out).map(([shape, file]) => [shape, file.close()]),
  );
  const seconds = (performance.now() - started) / 1000;
  return { version: GENERATOR_VERSION, count, seed, files, hits, seconds };
}

function writeBatch(out, batch, last) {
  out.ndjson.write(batch.join("\n") + "\n");
  out.json.write(batch.join(",\n") + (last ? "\n" : ",\n"));
  out.csv.write(batch.map(csvRow).join(""));
}

/**
 * NDJSON for the memory run, at least `bytes` long, a chunk of about
 * `chunkBytes` at a time, so that it never exists whole. `tally` counts
 * the records and planted hits given so far.
 */
export function* ndjsonChunks({ bytes, seed, tally, chunkBytes = 1 << 20 }) {
  const source = new RecordSource(seed);
  let written = 0;
  while (written < bytes) {
    const lines = [];
    let size = 0;
    while (size < chunkBytes) {
      const { text, hit } = source.next();
      lines.push(text);
      size += text.length + 1;
      tally.records += 1;
      if (hit) tally.hits += 1;
    }
    const chunk = Buffer.from(lines.join("\n") + "\n", "utf8");
    written += chunk.length;
    yield chunk;
  }
}
