// The JavaScript API's contract, on the built package: every export, the
// shapes it returns, option handling, and errors thrown as real `Error`s
// that leave the instance usable.

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { pkg } from "./load.mjs";
import {
  ALERT_NAME,
  ALL,
  ECS_NO_DATASET,
  ECS_QUERY_HIT,
  RAW_ALERT,
  RAW_SIGN_IN,
  ndjson,
} from "./fixtures.mjs";

const { ruleInfo, evaluate, compile, scan, Scanner } = pkg;
const judge = pkg.test;

/** Asserts that `run` throws a real `Error` whose message matches. */
function throwsError(run, pattern) {
  assert.throws(run, (error) => {
    assert.ok(error instanceof Error, `not an Error: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** A plain JSON value survives a JSON round trip unchanged. */
function assertPlainJson(value) {
  assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
}

/** The clauses of both queries, whether listed together or by verdict. */
function allClauses(clauses) {
  return Array.isArray(clauses)
    ? clauses.flat()
    : Object.values(clauses).flat();
}

const EVALUATION_KEYS = [
  "hit", "query", "alertName", "clauses", "user", "timestamp", "alertId",
  "alert", "event",
];

describe("exports", () => {
  test("are the documented functions and classes", () => {
    for (const name of ["ruleInfo", "evaluate", "test", "compile", "scan"]) {
      assert.equal(typeof pkg[name], "function", name);
    }
    assert.equal(typeof Scanner, "function");
    assert.equal(typeof Scanner.prototype.push, "function");
    assert.equal(typeof Scanner.prototype.free, "function");
  });
});

describe("ruleInfo", () => {
  const info = ruleInfo();

  test("names the rule and its version", () => {
    assert.equal(info.id, "0136b315-b566-482f-866c-1d8e2477ba16");
    assert.equal(info.version, 207);
    assert.equal(info.language, "kuery");
    assert.equal(info.riskScore, 47);
    assert.match(info.query, /event\.action:"User restricted from sending/);
  });

  test("explains the alert-name verdict", () => {
    assert.match(info.alertNameQuery, /rule\.name:"User restricted/);
    assert.ok(info.alertNameReason.length > 80);
    assert.match(info.alertNameReason, /deprecated/);
  });

  test("carries the guide as markdown and as HTML", () => {
    assert.match(info.note, /Possible investigation steps/);
    assert.match(info.noteHtml, /<h\d>Possible investigation steps<\/h\d>/);
  });

  test("maps MITRE ATT&CK as Elastic writes it", () => {
    const [threat] = info.threat;
    assert.equal(threat.tactic.id, "TA0001");
    assert.equal(threat.technique[0].id, "T1078");
    assert.match(threat.technique[0].reference, /^https:\/\/attack\.mitre/);
  });

  test("is a plain JSON object", () => assertPlainJson(info));
});

describe("evaluate", () => {
  test("returns every documented key as plain JSON", () => {
    for (const record of Object.values(ALL)) {
      const result = evaluate(record);
      assert.deepEqual(Object.keys(result).sort(), [...EVALUATION_KEYS].sort());
      assertPlainJson(result);
    }
  });

  test("reads an object and its JSON text alike", () => {
    for (const record of Object.values(ALL)) {
      assert.deepEqual(evaluate(JSON.stringify(record)), evaluate(record));
    }
  });

  test("finds the real alert by its name, not by the query", () => {
    const result = evaluate(RAW_ALERT);
    assert.equal(result.hit, true);
    assert.equal(result.alertName, true);
    assert.equal(result.query, false);
    assert.equal(result.user, "nestor.wilke@contoso.com");
    assert.equal(result.alertId, RAW_ALERT.AlertId);
    assert.equal(result.timestamp, "2026-11-30T09:05:41.000Z");
    assert.equal(result.event.event.provider, "SecurityComplianceCenter");
    assert.equal(result.alert["kibana.alert.workflow_status"], "open");
    assert.equal(result.alert.event.kind, "signal");
  });

  test("matches the rule's own query on an ECS document", () => {
    const result = evaluate(ECS_QUERY_HIT);
    assert.equal(result.query, true);
    assert.equal(result.hit, true);
    assert.equal(result.user, "isaiah.langer@contoso.com");
  });

  test("explains each clause with the values held", () => {
    const clauses = allClauses(evaluate(RAW_ALERT).clauses);
    const action = clauses.find((c) => c.field === "event.action");
    assert.ok(action, "no clause on `event.action`");
    assert.equal(action.passed, false);
    assert.deepEqual(action.values, ["AlertEntityGenerated"]);
    const name = clauses.find((c) => c.field === "rule.name");
    assert.ok(name, "no clause on `rule.name`");
    assert.equal(name.passed, true);
  });

  test("leaves an ordinary record alone", () => {
    const result = evaluate(RAW_SIGN_IN);
    assert.equal(result.hit, false);
    assert.equal(result.alert, null);
  });

  test("throws on an array and points to `scan`", () => {
    throwsError(() => evaluate([RAW_ALERT]), /`scan`/);
    for (const records of [[RAW_ALERT], [RAW_ALERT, RAW_SIGN_IN], []]) {
      throwsError(() => evaluate(JSON.stringify(records)),
        /^expected one record, got an array: `scan` reads arrays of records$/);
    }
  });

  test("throws on text holding several records and points to `scan`", () => {
    throwsError(() => evaluate(ndjson(RAW_ALERT, RAW_SIGN_IN)), /`scan`/);
  });

  test("throws on what is not a record", () => {
    for (const bad of [42, true, null, undefined, () => 1]) {
      throwsError(() => evaluate(bad), /expected a record/);
    }
    throwsError(() => evaluate("{"), /./);
    throwsError(() => evaluate("42"), /./);
  });

  test("throws on bytes, naming them, rather than reading their indices", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(RAW_ALERT));
    const cases = [
      [bytes, /got a Uint8Array: decode it to text first/],
      [bytes.buffer, /got an ArrayBuffer/],
      [new DataView(bytes.buffer), /got a DataView/],
      [new Map([["Operation", "A"]]), /got a Map: make it a plain object/],
      [new Set(), /got a Set/],
    ];
    for (const [bad, message] of cases) {
      throwsError(() => evaluate(bad), message);
      throwsError(() => judge(bad), message);
      const query = compile("Operation:*");
      throwsError(() => query.matches(bad), message);
      query.free();
    }
  });

  test("reads text that keeps its byte order mark", () => {
    const text = "\uFEFF" + JSON.stringify(RAW_ALERT);
    assert.equal(evaluate(text).alertName, true);
  });

  test("says what is wrong with stray characters after the record", () => {
    throwsError(() => evaluate(JSON.stringify(RAW_ALERT) + "}"),
      /^trailing characters at line 1 column \d+$/);
    throwsError(() => evaluate(JSON.stringify(RAW_ALERT) + " x"), /trailing characters/);
    throwsError(() => evaluate(JSON.stringify(RAW_ALERT) + ",{}"), /`scan`/);
  });

  test("throws when the object cannot become JSON", () => {
    const cyclic = { ...RAW_ALERT };
    cyclic.self = cyclic;
    throwsError(() => evaluate(cyclic), /cannot turn the record into JSON/);
    throwsError(() => evaluate({ n: 1n }), /cannot turn the record into JSON/);
  });
});

describe("options", () => {
  test("`strict` turns the alert-name verdict off", () => {
    const result = evaluate(RAW_ALERT, { strict: true });
    assert.equal(result.alertName, false);
    assert.equal(result.hit, false);
    assert.equal(result.alert, null);
    assert.equal(evaluate(ECS_QUERY_HIT, { strict: true }).query, true);
  });

  test("`query` replaces both verdicts", () => {
    const options = { query: "event.provider:SecurityComplianceCenter" };
    const result = evaluate(RAW_ALERT, options);
    assert.equal(result.query, true);
    assert.equal(result.alertName, false);
    assert.equal(result.hit, true);
    assert.equal(evaluate(RAW_SIGN_IN, options).hit, false);
    const named = { query: `rule.name:"${ALERT_NAME}"` };
    assert.equal(evaluate(ECS_QUERY_HIT, named).hit, false);
  });

  test("`index` makes a missing `event.dataset` count as o365.audit", () => {
    assert.equal(evaluate(ECS_NO_DATASET).query, false);
    for (const index of [
      "logs-o365.audit-default",
      ".ds-logs-o365.audit-default-2026.11.30-000001",
    ]) {
      assert.equal(evaluate(ECS_NO_DATASET, { index }).query, true, index);
    }
    const other = { index: "logs-azure.activitylogs-default" };
    assert.equal(evaluate(ECS_NO_DATASET, other).query, false);
  });

  test("absent, null and empty options are the defaults", () => {
    const plain = evaluate(RAW_ALERT);
    assert.deepEqual(evaluate(RAW_ALERT, undefined), plain);
    assert.deepEqual(evaluate(RAW_ALERT, null), plain);
    assert.deepEqual(evaluate(RAW_ALERT, {}), plain);
    assert.deepEqual(evaluate(RAW_ALERT, { query: null, index: null }), plain);
  });

  test("wrong types and unknown keys throw", () => {
    const cases = [
      [{ strict: "yes" }, /option `strict` to be a boolean, got a string/],
      [{ query: 5 }, /option `query` to be a string, got a number/],
      [{ index: ["a"] }, /option `index` to be a string, got an array/],
      [{ strcit: true }, /unknown option `strcit`/],
      [{ sha256: 0 }, /option `sha256` to be a boolean, got a number/],
      ["strict", /options to be an object, got a string/],
      [[], /options to be an object, got an array/],
    ];
    for (const [options, pattern] of cases) {
      throwsError(() => evaluate(RAW_ALERT, options), pattern);
      throwsError(() => judge(RAW_ALERT, options), pattern);
      throwsError(() => scan("", options), pattern);
      throwsError(() => new Scanner(options), pattern);
    }
  });

  test("`sha256: false` leaves the files' hashes out, and nothing else", () => {
    const text = JSON.stringify(RAW_ALERT);
    const hashed = scan(text);
    const unhashed = scan(text, { sha256: false });
    assert.match(hashed.files[0].sha256, /^[0-9a-f]{64}$/);
    assert.equal(unhashed.files[0].sha256, null);
    unhashed.files[0].sha256 = hashed.files[0].sha256;
    assert.deepEqual(unhashed, hashed);
  });

  test("a `query` with a syntax error throws with its offset", () => {
    for (const run of [
      () => evaluate(RAW_ALERT, { query: "event.action:(" }),
      () => scan("", { query: "event.action:(" }),
      () => new Scanner({ query: "event.action:(" }),
    ]) {
      throwsError(run, /option `query`.*offset \d+/s);
    }
  });
});

describe("test", () => {
  test("agrees with `evaluate(...).hit`", () => {
    const optionSets = [
      undefined,
      { strict: true },
      { index: "logs-o365.audit-default" },
      { query: "event.action:AlertEntityGenerated" },
    ];
    for (const options of optionSets) {
      for (const [name, record] of Object.entries(ALL)) {
        const expected = evaluate(record, options).hit;
        assert.equal(judge(record, options), expected, name);
        assert.equal(judge(JSON.stringify(record), options), expected, name);
      }
    }
  });

  test("throws like `evaluate`", () => {
    throwsError(() => judge([RAW_ALERT]), /`scan`/);
    throwsError(() => judge(7), /expected a record/);
  });
});

describe("compile", () => {
  test("returns a query whose `matches` reads raw and ECS records", () => {
    const query = compile("event.provider:SecurityComplianceCenter");
    assert.equal(query.matches(RAW_ALERT), true);
    assert.equal(query.matches(JSON.stringify(RAW_ALERT)), true);
    assert.equal(query.matches(ECS_QUERY_HIT), true);
    assert.equal(query.matches(RAW_SIGN_IN), false);
    query.free();
  });

  test("a syntax error gives the offset and a caret under the query", () => {
    const kql = "event.action:(a or b";
    throwsError(() => compile(kql), /offset \d+/);
    try {
      compile(kql);
    } catch (error) {
      assert.ok(error.message.includes(kql), "query not shown");
      assert.match(error.message, /\n *\^/);
    }
  });

  test("`matches` throws on what is not one record", () => {
    const query = compile("a:b");
    throwsError(() => query.matches([RAW_ALERT]), /`scan`/);
    throwsError(() => query.matches(3), /expected a record/);
    assert.equal(query.matches({ a: "b" }), true);
    query.free();
  });
});

describe("scan", () => {
  const text = ndjson(RAW_SIGN_IN, RAW_ALERT, ECS_QUERY_HIT);
  const bytes = new TextEncoder().encode(text);

  test("reads a string, a Uint8Array and an ArrayBuffer alike", () => {
    const fromText = scan(text);
    assert.deepEqual(scan(bytes), fromText);
    assert.deepEqual(scan(bytes.buffer), fromText);
    assertPlainJson(fromText);
  });

  test("returns the documented report", () => {
    const report = scan([{ name: "mixed.ndjson", data: text }]);
    for (const key of [
      "tool", "rule", "options", "files", "records", "duplicates",
      "errorCount", "hits", "users", "errors", "warnings",
    ]) {
      assert.ok(key in report, `no \`${key}\``);
    }
    assert.equal(report.records, 3);
    assert.equal(report.rule.version, 207);
    assert.equal(report.files[0].name, "mixed.ndjson");
    assert.equal(report.files[0].bytes, bytes.length);
    assert.deepEqual(report.hits.map((hit) => hit.line), [2, 3]);
    const [alert, ecs] = report.hits;
    assert.equal(alert.alertName, true);
    assert.equal(ecs.query, true);
    assert.equal(alert.raw, JSON.stringify(RAW_ALERT));
  });

  test("reads several files as one data set", () => {
    const report = scan([
      { name: "a.ndjson", data: ndjson(RAW_ALERT) },
      { name: "b.ndjson", data: new TextEncoder().encode(ndjson(RAW_ALERT)) },
    ]);
    assert.deepEqual(report.files.map((file) => file.name), [
      "a.ndjson", "b.ndjson",
    ]);
    assert.equal(report.records, 2);
    assert.equal(report.duplicates, 1);
    assert.equal(report.hits.length, 1);
    assert.equal(report.users.length, 1);
  });

  test("applies the options", () => {
    const strict = scan(text, { strict: true });
    assert.deepEqual(strict.options,
      { strict: true, query: null, index: null });
    assert.ok(strict.hits.every((hit) => hit.query && !hit.alertName));
    const custom = scan(text, { query: "event.action:UserLoggedIn" });
    assert.equal(custom.hits.length, 1);
    assert.equal(custom.hits[0].alert, null);
    assert.deepEqual(custom.users, []);
  });

  test("throws on input of the wrong type", () => {
    throwsError(() => scan(5), /a string, a `Uint8Array`, an `ArrayBuffer` or an array of `\{ name, data \}` files, got a number/);
    throwsError(() => scan({ name: "a.json", data: "{}" }), /an array of `\{ name, data \}` files, got an object/);
    throwsError(() => scan([{ name: 1, data: "" }]), /`name` to be a string/);
    throwsError(() => scan([{ name: "a", data: 5 }]), /input\[0\]\.data/);
    throwsError(() => scan(["x"]), /input\[0\] to be an object/);
  });
});

describe("Scanner", () => {
  test("fed in small chunks gives what `scan` gives", () => {
    const files = [
      { name: "one.ndjson", data: ndjson(RAW_SIGN_IN, RAW_ALERT) },
      { name: "two.ndjson", data: ndjson(ECS_QUERY_HIT, RAW_ALERT) },
    ];
    const expected = scan(files);
    for (const size of [1, 7, 64]) {
      const scanner = new Scanner();
      for (const { name, data } of files) {
        scanner.file(name);
        const bytes = new TextEncoder().encode(data);
        for (let at = 0; at < bytes.length; at += size) {
          scanner.push(bytes.subarray(at, at + size));
        }
      }
      assert.deepEqual(scanner.finish(), expected, `chunks of ${size}`);
      scanner.free();
    }
  });

  test("push reports progress as plain JSON", () => {
    const scanner = new Scanner({ strict: false });
    const progress = scanner.push(new TextEncoder().encode(ndjson(RAW_ALERT)));
    assertPlainJson(progress);
    assert.equal(progress.rejected, false);
    scanner.free();
  });

  /** 4 KB of control bytes. NOTE: not zeros, whose run the reader looks
   * past (a block a crash left zero-filled) for 32 KB. */
  const binaryChunk = () => new Uint8Array(4096).map((_, i) => 1 + (i % 8));

  test("push says when a file was rejected, so the rest need not be read", () => {
    const scanner = new Scanner();
    scanner.file("control.bin");
    const progress = scanner.push(binaryChunk());
    assert.equal(progress.rejected, true);
    assert.equal(scanner.push(binaryChunk()).rejected, true);
    const report = scanner.finish();
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0].message, /found binary data/);
    scanner.free();
  });

  test("stopFile gives a rejected file's size and SHA-256 as unknown", () => {
    const scanner = new Scanner();
    scanner.file("control.bin");
    scanner.push(binaryChunk());
    scanner.stopFile();
    throwsError(() => scanner.push(binaryChunk()),
      /^the current file was stopped with `stopFile\(\)`: call `file\(name\)` to start the next$/);
    const report = scanner.finish();
    assert.equal(report.files[0].sha256, null);
    assert.deepEqual(report.warnings.map((w) => w.message),
      ["read no further than byte 4096 once rejected: its size and SHA-256 are unknown"]);
    scanner.file("alert.ndjson");
    scanner.push(ndjson(RAW_ALERT));
    throwsError(() => scanner.stopFile(),
      /^expected the current file to be rejected before `stopFile\(\)`/);
    assert.equal(scanner.finish().hits.length, 1);
    scanner.free();
  });

  test("reads another data set after `finish`", () => {
    const scanner = new Scanner();
    scanner.push(ndjson(RAW_SIGN_IN));
    scanner.finish();
    scanner.push(ndjson(RAW_ALERT));
    assert.deepEqual(scanner.finish(), scan(ndjson(RAW_ALERT)));
    scanner.free();
  });

  test("throws on a chunk of the wrong type", () => {
    const scanner = new Scanner();
    throwsError(() => scanner.push(12), /the chunk to be/);
    scanner.free();
  });
});

describe("arguments of the wrong type", () => {
  /** Asserts that `run` throws an `Error` matching `pattern`, and that
   * the instance still works afterwards. */
  function refusedAndStillWorking(run, pattern) {
    throwsError(run, pattern);
    assert.equal(judge(RAW_ALERT), true);
    const query = compile("event.provider:SecurityComplianceCenter");
    assert.equal(query.matches(RAW_ALERT), true);
    query.free();
    const scanner = new Scanner();
    scanner.file("after.ndjson");
    scanner.push(ndjson(RAW_ALERT));
    assert.equal(scanner.finish().hits.length, 1);
    scanner.free();
  }

  test("`compile` of a number", () => {
    refusedAndStillWorking(() => compile(5),
      /^expected the query to be a string, got a number$/);
  });

  test("`compile` of undefined", () => {
    refusedAndStillWorking(() => compile(undefined),
      /^expected the query to be a string, got undefined$/);
    refusedAndStillWorking(() => compile(),
      /^expected the query to be a string, got undefined$/);
  });

  test("`compile` of an object", () => {
    refusedAndStillWorking(() => compile({ length: 3 }),
      /^expected the query to be a string, got an object$/);
  });

  test("`Scanner.file` of a number", () => {
    const scanner = new Scanner();
    refusedAndStillWorking(() => scanner.file(5),
      /^expected the file name to be a string, got a number$/);
    scanner.free();
  });

  test("`Scanner.file` of an object with a negative length", () => {
    const scanner = new Scanner();
    refusedAndStillWorking(() => scanner.file({ length: -1 }),
      /^expected the file name to be a string, got an object$/);
    scanner.free();
  });

  test("`Scanner.file` of an array", () => {
    const scanner = new Scanner();
    refusedAndStillWorking(() => scanner.file([]),
      /^expected the file name to be a string, got an array$/);
    scanner.free();
  });

  test("values whose reading throws, many times over", () => {
    // NOTE: an exception that crossed into the module left its stack a
    // little lower each time; a few thousand calls broke the instance.
    const unreadableError = () => {
      const error = new Error("hidden");
      Object.defineProperty(error, "message", {
        get() {
          throw 1;
        },
      });
      return error;
    };
    const { proxy: revoked, revoke } = Proxy.revocable([], {});
    revoke();
    const throwingList = new Proxy([], {
      get() {
        throw new Error("no items");
      },
    });
    const runs = [
      [() => scan([{ name: "a", get data() { throw unreadableError(); } }]),
        /^cannot read `data` of input\[0\]: an error whose message cannot be read was thrown$/],
      [() => scan("", { get strict() { throw unreadableError(); } }),
        /^cannot read `strict` of options: an error whose message/],
      [() => judge("{}", new Proxy({}, { ownKeys() { throw unreadableError(); } })),
        /^cannot read the options: an error whose message/],
      [() => scan(revoked), /^cannot read the input: .*revoked/],
      [() => scan(throwingList), /^cannot read the input: no items$/],
      [() => new Scanner().push(new Proxy(new Uint8Array(3), {})),
        /^expected the chunk to be a string, a `Uint8Array` or an `ArrayBuffer`, got an object$/],
      [() => compile(revoked), /^expected the query to be a string, got a revoked proxy$/],
      [() => evaluate({ get "rule.name"() { throw unreadableError(); } }),
        /^cannot turn the record into JSON: an error whose message/],
    ];
    for (const [run, pattern] of runs) {
      for (let call = 0; call < 5000; call++) {
        throwsError(run, pattern);
      }
      refusedAndStillWorking(run, pattern);
    }
  });

  test("a `Uint8Array` whose own `length` throws is read by its bytes", () => {
    const bytes = new TextEncoder().encode(ndjson(RAW_ALERT));
    Object.defineProperty(bytes, "length", {
      get() {
        throw new Error("length");
      },
    });
    assert.equal(scan(bytes).hits.length, 1);
  });

  test("a scanner refused a file name reads on", () => {
    const scanner = new Scanner();
    throwsError(() => scanner.file(null), /file name to be a string/);
    scanner.file("a.ndjson");
    scanner.push(ndjson(RAW_ALERT));
    const report = scanner.finish();
    assert.deepEqual(report.files.map((file) => file.name), ["a.ndjson"]);
    scanner.free();
  });
});

describe("calls after `free`", () => {
  const FREED_SCANNER = /^the scanner was freed: make a `new Scanner\(\)`/;
  const FREED_QUERY = /^the query was freed: `compile` it again/;

  for (const [name, call] of Object.entries({
    file: (scanner) => scanner.file("a.ndjson"),
    push: (scanner) => scanner.push("{}"),
    finish: (scanner) => scanner.finish(),
  })) {
    test(`\`Scanner.${name}\` throws that the scanner was freed`, () => {
      const scanner = new Scanner();
      scanner.free();
      throwsError(() => call(scanner), FREED_SCANNER);
      assert.equal(scan(ndjson(RAW_ALERT)).hits.length, 1);
    });
  }

  test("`Scanner.free` twice does nothing more", () => {
    const scanner = new Scanner();
    scanner.free();
    scanner.free();
    assert.equal(scan(ndjson(RAW_ALERT)).hits.length, 1);
  });

  test("`Query.matches` throws that the query was freed", () => {
    const query = compile("a:b");
    query.free();
    throwsError(() => query.matches({ a: "b" }), FREED_QUERY);
    throwsError(() => query.matches("{\"a\":\"b\"}"), FREED_QUERY);
    query.free();
    assert.equal(compile("a:b").matches({ a: "b" }), true);
  });
});

describe("bad input", () => {
  const hostile = [
    "[".repeat(5000),
    "{\"a\":".repeat(5000),
    "\u0000\uffff\ud800",
    "{\"Operation\":\"AlertTriggered\",\"CreationTime\":12}",
  ];

  test("throws or reports errors, and the instance keeps working", () => {
    for (const input of hostile) {
      try {
        evaluate(input);
      } catch (error) {
        assert.ok(error instanceof Error);
      }
      const report = scan(input);
      assert.equal(typeof report.errorCount, "number");
    }
    const garbage = new Uint8Array(4096).map((_, i) => (i * 131) % 256);
    assert.equal(typeof scan(garbage).records, "number");
    assert.equal(evaluate(RAW_ALERT).hit, true);
    assert.equal(ruleInfo().version, 207);
  });

  test("reports deep nesting as an error of its record", () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const report = scan(ndjson(RAW_ALERT) + deep + "\n");
    assert.ok(report.errorCount >= 1);
    assert.equal(report.hits.length, 1);
  });
});
