// The shared case files of tests/cases/, run through the wasm package:
// the Rust tests run the same files on the host, so passing here shows
// that the boundary changes no answer.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { pkg, ROOT } from "./load.mjs";

const { compile, evaluate, scan, Scanner } = pkg;
const CASES = join(ROOT, "tests", "cases");

/** Runners by case file; each takes the file's `cases`. */
const RUNNERS = {
  "kql-parse.json": kqlParse,
  "kql-match.json": kqlMatch,
  "o365-normalize.json": o365Normalize,
  "o365-read.json": o365Read,
  "o365-time.json": o365Time,
  "input-expect.json": inputExpect,
};

function caseFiles() {
  try {
    return readdirSync(CASES).filter((name) => name.endsWith(".json")).sort();
  } catch {
    return [];
  }
}

for (const file of caseFiles()) {
  const { cases } = JSON.parse(readFileSync(join(CASES, file), "utf8"));
  const runner = RUNNERS[file];
  if (runner) {
    describe(file, () => runner(cases));
  } else {
    // TODO: a case file without a JavaScript runner is checked by the
    // Rust tests only; add it to RUNNERS when its shape reaches the API.
    test(file, { skip: "no runner for this case file under Node yet" });
  }
}

if (caseFiles().length === 0) {
  test("shared cases", { skip: `no case file in ${CASES} yet` });
}

// ---- kql ------------------------------------------------------------

function kqlParse(cases) {
  for (const c of cases) {
    test(c.name, () => {
      if (!c.error) return compile(c.query).free();
      assert.throws(() => compile(c.query), (error) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, new RegExp(`offset ${c.error.offset}\\b`));
        return true;
      });
    });
  }
}

function kqlMatch(cases) {
  for (const c of cases) {
    test(c.name, () => {
      const query = compile(c.query);
      try {
        assert.equal(query.matches(c.doc), c.matches, c.note);
      } finally {
        query.free();
      }
    });
  }
}

// ---- o365 -----------------------------------------------------------

function o365Normalize(cases) {
  for (const c of cases) {
    test(c.name, () => assertFields(evaluate(c.raw).event, c.fields));
  }
}

/**
 * Record candidates through `evaluate`. What the JavaScript API does not
 * show (how the record arrived, what duplicates are judged on) is left
 * to the Rust tests.
 */
function o365Read(cases) {
  for (const c of cases) {
    if (c.cell !== undefined) {
      test(c.name, { skip: "an export row's cell is read by `scan` only" });
      continue;
    }
    const text = c.text ?? JSON.stringify(c.input);
    test(c.name, () => {
      if (c.error) {
        assert.throws(() => evaluate(text), (error) => {
          assert.ok(error instanceof Error);
          assert.ok(error.message.includes(c.error), error.message);
          return true;
        });
        return;
      }
      const result = evaluate(text);
      if ("timestamp" in c) assert.equal(result.timestamp, c.timestamp);
      if (c.fields) assertFields(result.event, c.fields);
    });
  }
}

function o365Time(cases) {
  for (const c of cases) {
    test(c.name, () => {
      const result = evaluate({ "@timestamp": c.input });
      assert.equal(result.timestamp, c.expect);
    });
  }
}

/** Each dotted path holds exactly the value; null means absent. */
function assertFields(event, fields) {
  for (const [path, expected] of Object.entries(fields)) {
    const found = lookup(event, path.split("."));
    if (expected === null) {
      assert.equal(found, undefined, `\`${path}\` should be absent`);
    } else {
      assert.deepEqual(found, expected, `\`${path}\``);
    }
  }
}

/** A dotted path in a document, nested or with dotted keys alike. */
function lookup(value, parts) {
  if (parts.length === 0) return value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return undefined;
  }
  for (let take = parts.length; take >= 1; take -= 1) {
    const key = parts.slice(0, take).join(".");
    if (Object.hasOwn(value, key)) {
      const found = lookup(value[key], parts.slice(take));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

// ---- input ----------------------------------------------------------

/**
 * Each fixture through `scan`: every piece is a record or an error, the
 * errors sit on their lines, and small chunks change nothing.
 */
function inputExpect(cases) {
  for (const c of cases) {
    test(c.file, () => {
      const bytes = readFileSync(join(CASES, "input", c.file));
      const report = scan([{ name: c.file, data: bytes }]);
      const [file] = report.files;
      assert.equal(report.records + report.errorCount, c.pieces.length);
      if (c.encoding) assert.equal(file.encoding, c.encoding);
      if ("compressed" in c) assert.equal(file.compressed, c.compressed);
      for (const piece of c.pieces.filter((p) => p.kind === "error")) {
        assertErrorAt(report, piece);
      }
      assert.deepEqual(scanInChunks(c.file, bytes, 5), report);
    });
  }
}

function assertErrorAt(report, piece) {
  const wanted = [piece.contains ?? []].flat();
  const found = report.errors.some((error) => error.line === piece.line &&
    wanted.every((text) => error.message.includes(text)));
  assert.ok(found, `no error at line ${piece.line} saying ${wanted}: ` +
    JSON.stringify(report.errors));
}

function scanInChunks(name, bytes, size) {
  const scanner = new Scanner();
  try {
    scanner.file(name);
    for (let at = 0; at < bytes.length; at += size) {
      scanner.push(bytes.subarray(at, at + size));
    }
    return scanner.finish();
  } finally {
    scanner.free();
  }
}
