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
  "scan-expect.json": scanExpect,
};

/**
 * Cases that a JavaScript caller cannot express: `evaluate` takes an
 * object, and JSON.parse has already made the case file's `40.0` a `40`.
 */
const CANNOT_EXPRESS = {
  "o365-normalize.json": {
    "RecordType with a fraction: no event.code":
      "a JavaScript number cannot keep `40.0` apart from `40`",
  },
};

/** Options for `test()`: skipped when a case cannot be expressed. */
function caseOptions(file, c) {
  const skip = CANNOT_EXPRESS[file]?.[c.name];
  return skip ? { skip } : {};
}

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
    describe(file, () => runner(cases, (c) => caseOptions(file, c)));
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

function kqlParse(cases, options) {
  for (const c of cases) {
    test(c.name, options(c), () => {
      if (!c.error) return compile(c.query).free();
      assert.throws(() => compile(c.query), (error) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, new RegExp(`offset ${c.error.offset}\\b`));
        return true;
      });
    });
  }
}

function kqlMatch(cases, options) {
  for (const c of cases) {
    test(c.name, options(c), () => {
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

function o365Normalize(cases, options) {
  for (const c of cases) {
    test(c.name, options(c), () =>
      assertFields(evaluate(c.raw).event, c.fields));
  }
}

/**
 * Record candidates through `evaluate`. What the JavaScript API does not
 * show (how the record arrived, what duplicates are judged on) is left
 * to the Rust tests.
 */
function o365Read(cases, options) {
  for (const c of cases) {
    if (c.cell !== undefined) {
      test(c.name, { skip: "an export row's cell is read by `scan` only" });
      continue;
    }
    const text = c.text ?? JSON.stringify(c.input);
    test(c.name, options(c), () => {
      if (c.error) return assertReadError(text, c.error);
      const result = evaluate(text);
      if ("timestamp" in c) assert.equal(result.timestamp, c.timestamp);
      if (c.fields) assertFields(result.event, c.fields);
    });
  }
}

/**
 * NOTE: `evaluate` reads one record, so where the reader's error is about
 * a second value (two values, an array) it says to use `scan` instead.
 */
function assertReadError(text, expected) {
  assert.throws(() => evaluate(text), (error) => {
    assert.ok(error instanceof Error);
    const message = error.message;
    assert.ok(message.includes(expected) || message.includes("`scan`"),
      message);
    return true;
  });
}

function o365Time(cases, options) {
  for (const c of cases) {
    test(c.name, options(c), () => {
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
function inputExpect(cases, options) {
  for (const c of cases) {
    test(c.file, options(c), () => {
      const bytes = readFileSync(join(CASES, "input", c.file));
      const report = scan([{ name: c.file, data: bytes }]);
      const [file] = report.files;
      assert.equal(report.records + report.errorCount, c.pieces.length);
      assert.equal(file.encoding, c.encoding);
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

// ---- scan -----------------------------------------------------------

const FILE_FACTS = ["name", "format", "encoding", "compressed", "records",
  "errors"];
const TOTALS = ["records", "duplicates", "errorCount"];

/**
 * Whole exports through `scan`, checked fact by fact against what the
 * Rust tests check: files, totals, hits and users (each expected entry's
 * facts, in report order), errors in order, warnings in any order.
 */
function scanExpect(cases, options) {
  for (const c of cases) {
    test(c.name, options(c), () => {
      const files = c.files.map(({ name }) => ({
        name,
        data: new Uint8Array(readFileSync(join(CASES, "scan", name))),
      }));
      const report = scan(files, c.options);
      assertFacts(report.files, c.files, FILE_FACTS, "files");
      for (const total of TOTALS) {
        assert.equal(report[total], c[total], total);
      }
      assertEntries(report.hits, c.hits, "hits");
      assertEntries(report.users, c.users, "users");
      assertErrors(report.errors, c.errors);
      assertWarnings(report.warnings, c.warnings);
    });
  }
}

function assertFacts(actual, expected, facts, what) {
  assert.equal(actual.length, expected.length, `${what}: count`);
  expected.forEach((want, n) => {
    for (const fact of facts) {
      assert.deepEqual(actual[n][fact], want[fact], `${what}[${n}].${fact}`);
    }
  });
}

function assertEntries(actual, expected, what) {
  assertFacts(actual, expected, [], what);
  expected.forEach((want, n) => {
    for (const [fact, value] of Object.entries(want)) {
      assert.deepEqual(actual[n][fact], value, `${what}[${n}].${fact}`);
    }
  });
}

function assertErrors(actual, expected) {
  assert.equal(actual.length, expected.length, "errors: count");
  expected.forEach((want, n) => {
    assert.equal(actual[n].file, want.file, `errors[${n}].file`);
    assert.equal(actual[n].line, want.line, `errors[${n}].line`);
    assert.ok(actual[n].message.includes(want.message),
      `errors[${n}]: ${actual[n].message} lacks ${want.message}`);
  });
}

function assertWarnings(actual, expected) {
  const unmatched = [...actual];
  for (const want of expected) {
    const at = unmatched.findIndex((got) => got.file === want.file
      && (want.line === undefined || got.line === want.line)
      && got.message.includes(want.message));
    assert.notEqual(at, -1, `warning not found: ${JSON.stringify(want)}`);
    unmatched.splice(at, 1);
  }
  assert.deepEqual(unmatched, [], "unexpected warnings");
}
