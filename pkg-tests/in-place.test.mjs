// `test` and `matches` read an object's members in place; `evaluate`,
// and both of them when handed JSON text, read the record in full. These
// tests hand the same records to both paths, objects chosen to trip a
// reader that walks members (dotted keys beside nested objects, arrays
// of objects, odd values, getters and proxies), and expect the same
// answers, or the same clear error.

import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { pkg } from "./load.mjs";
import { ALL, RAW_ALERT, ECS_QUERY_HIT } from "./fixtures.mjs";

const { compile, evaluate, ruleInfo } = pkg;
const judge = pkg.test;

const ALERT_NAME = "User restricted from sending email";

/** Queries that read fields the ways the evaluator can: terms, phrases,
 * wildcards, ranges, existence, `not` over fields that may be missing. */
const QUERIES = [
  ruleInfo().query,
  ruleInfo().alertNameQuery,
  "event.action:AlertEntityGenerated",
  "not event.action:AlertEntityGenerated",
  "event.provider:*",
  "not event.provider:*",
  "not missing.field:x",
  "missing.field:*",
  "a.b:1",
  "a.b:c and not a.c:d",
  "a:true",
  "a:false",
  "a:null",
  "a:1e+21",
  "a:0.1",
  "a:0",
  "a >= 2",
  "a.b > 1",
  "a:*",
  "a.b:*",
  "a.b.c:x",
  "event.act*:AlertTriggered",
  "event.action:Alert*",
  "rule.name:\"User restricted\"",
  "user.email:*contoso*",
  "o365.audit.Severity:High",
  "o365.audit.Data:*",
  "event.code:40",
  "x",
  "a:{ b:c }",
  "__proto__.provider:SecurityComplianceCenter",
  "event.__proto__:x",
  "0:a",
  "event.1:b",
  "toString:x",
  "constructor:*",
  "event.hasOwnProperty:z",
  "event.valueOf:*",
  "a.length:1",
  "a.length:*",
];

/** Every query, compiled once. */
const COMPILED = QUERIES.map((kql) => [kql, compile(kql)]);

const OPTION_SETS = [
  undefined,
  { strict: true },
  { index: "logs-o365.audit-default" },
];

/** Runs `read`, giving its value or the message of what it threw. */
function outcome(read) {
  try {
    return { value: read() };
  } catch (error) {
    assert.ok(error instanceof Error, `not an Error: ${error}`);
    return { error: error.message };
  }
}

/** Asserts that an object and its JSON text get the same answers. */
function assertBothPathsAgree(name, record) {
  const text = JSON.stringify(record);
  for (const options of OPTION_SETS) {
    const full = outcome(() => evaluate(text, options).hit);
    const fast = outcome(() => judge(record, options));
    assertSameAnswer(fast, full, `${name}: test ${JSON.stringify(options)}`);
  }
  for (const [kql, query] of COMPILED) {
    const full = outcome(() => query.matches(text));
    const fast = outcome(() => query.matches(record));
    assertSameAnswer(fast, full, `${name}: \`${kql}\``);
  }
}

/** The same answer; where the JSON text is refused whole, the path in
 * place may judge by the members it reads (see "a member JSON cannot
 * carry" below), or refuse it too. */
function assertSameAnswer(fast, full, what) {
  if (full.error !== undefined && fast.error === undefined) {
    assert.equal(typeof fast.value, "boolean", what);
    return;
  }
  assert.deepEqual(fast, full, what);
}

/** A raw alert with `changes` made to a copy. */
function rawAlert(changes) {
  return { ...structuredClone(RAW_ALERT), ...changes };
}

const TRICKY = {
  "dotted key beside a nested object": {
    "event.provider": "SecurityComplianceCenter",
    event: { action: ALERT_NAME, dataset: "o365.audit" },
    "event.category": "web",
  },
  "nested object beside a dotted key that differs": {
    event: { provider: "Exchange", "action": ALERT_NAME },
    "event.provider": "SecurityComplianceCenter",
    "event.dataset": "o365.audit",
  },
  "dotted key inside a nested object": {
    event: { "provider": "SecurityComplianceCenter", dataset: "o365.audit" },
    rule: { "name": ALERT_NAME },
  },
  "key with dots at several depths": {
    a: { "b.c": "x" },
    "a.b": { c: "y" },
    "a.b.c": "z",
  },
  "search hit holding its document in fields": {
    _index: ".ds-logs-o365.audit-default-2026.12.01-000001",
    fields: {
      "event.provider": ["SecurityComplianceCenter"],
      "event.action": ["AlertTriggered"],
      "event.category": ["web"],
      "event.code": ["SecurityComplianceAlerts"],
      "rule.name": [ALERT_NAME],
    },
  },
  "arrays of objects": {
    event: [{ action: "AlertTriggered" }, { action: ALERT_NAME }],
    a: [{ b: "c" }, { b: 1 }, { c: "d" }],
  },
  "arrays nested in arrays": {
    a: [[{ b: [["c"]] }], [[2]]],
    event: { action: [["AlertEntityGenerated"]] },
  },
  "numbers, booleans and null": {
    a: 1e21,
    b: 0.1,
    c: -0,
    d: true,
    e: null,
    f: Number.MAX_SAFE_INTEGER + 2,
    g: 5e-324,
    h: NaN,
    i: Infinity,
  },
  "values JSON leaves out": {
    a: undefined,
    b: () => 1,
    c: Symbol("s"),
    event: { action: undefined, provider: "SecurityComplianceCenter" },
  },
  "arrays holding what JSON writes as null": {
    a: [undefined, () => 1, null, NaN, "x"],
    // eslint-disable-next-line no-sparse-arrays
    b: [, , 3],
  },
  "empty strings and empty containers": {
    event: { provider: "", action: [], dataset: {} },
    a: "",
    b: { c: {} },
  },
  "missing fields": {},
  "an own `__proto__` member, as JSON.parse makes it": JSON.parse(
    "{\"__proto__\": {\"provider\": \"SecurityComplianceCenter\"}, " +
    "\"event\": {\"__proto__\": \"x\", \"dataset\": \"o365.audit\"}}"),
  "keys that are numbers": { 0: "a", event: { 1: "b", action: 2 } },
  "members named like Object.prototype's": {
    toString: "x", constructor: "y", event: { hasOwnProperty: "z",
      valueOf: "SecurityComplianceCenter" },
  },
  "a member named like an array's length": { a: ["x"], "a.length": 1 },
  "only null fields": { event: null, rule: null, a: null },
  "raw record with an array Workload": rawAlert({
    Workload: ["SecurityComplianceCenter"],
  }),
  "raw record with a nested Data": rawAlert({
    Data: "{\"f3u\":\"megan.bowen@contoso.com\"}",
  }),
  "raw record with dotted keys": rawAlert({
    "event.action": "something",
    "rule.name": "other",
  }),
  "raw record with null Name": rawAlert({ Name: null }),
  "raw record with a numeric Operation": rawAlert({ Operation: 7 }),
  "raw record with empty Workload": rawAlert({ Workload: "" }),
  "raw record with lower-case keys too": rawAlert({
    workload: "Exchange",
    operation: "x",
  }),
  "raw record wrapped in o365audit": { o365audit: RAW_ALERT },
  "raw record wrapped in _source": {
    _index: ".ds-logs-o365.audit-default-000001",
    _source: ECS_QUERY_HIT,
  },
  "raw record as text in AuditData": {
    AuditData: JSON.stringify(RAW_ALERT),
  },
  "ECS document with o365audit that was processed": {
    o365audit: RAW_ALERT,
    event: { kind: "event", provider: "SecurityComplianceCenter" },
  },
  "no prototype": Object.assign(Object.create(null), {
    event: Object.assign(Object.create(null), {
      provider: "SecurityComplianceCenter",
      dataset: "o365.audit",
    }),
    rule: { name: ALERT_NAME },
  }),
  "a Date and a Map as values": {
    "@timestamp": new Date(Date.UTC(2026, 10, 30)),
    a: new Map([["b", "c"]]),
    event: { provider: "SecurityComplianceCenter", dataset: "o365.audit" },
    rule: { name: ALERT_NAME },
  },
  "a value with toJSON": {
    event: { toJSON: () => ({ provider: "SecurityComplianceCenter" }) },
    a: { b: "c", toJSON: () => "replaced" },
  },
  "boxed strings and numbers": {
    event: { provider: new String("SecurityComplianceCenter") },
    a: new Number(1),
  },
  "non-enumerable and inherited members": (() => {
    const record = Object.create({ a: "inherited" });
    Object.defineProperty(record, "event", {
      value: { provider: "SecurityComplianceCenter" },
      enumerable: false,
    });
    record.rule = { name: ALERT_NAME };
    return record;
  })(),
  "a raw record whose marks are not enumerable": (() => {
    const record = rawAlert({});
    for (const key of ["Workload", "Operation", "RecordType", "CreationTime"]) {
      Object.defineProperty(record, key, { enumerable: false });
    }
    return record;
  })(),
  "wrappers that are not enumerable": (() => {
    const record = { o365audit: RAW_ALERT, _source: ECS_QUERY_HIT };
    Object.defineProperty(record, "o365audit", { enumerable: false });
    return record;
  })(),
  "a getter that answers": (() => {
    const record = {};
    Object.defineProperty(record, "event", {
      get: () => ({ provider: "SecurityComplianceCenter",
        dataset: "o365.audit" }),
      enumerable: true,
    });
    record.rule = { name: ALERT_NAME };
    return record;
  })(),
  "a lone surrogate on a path the queries read": {
    event: { dataset: "x\udc00", action: "x\udc00" },
  },
  "a huge string": {
    a: "x".repeat(1 << 24),
    event: { provider: "SecurityComplianceCenter", dataset: "o365.audit" },
    rule: { name: ALERT_NAME },
  },
  "a long array": {
    a: Array.from({ length: 200_000 }, (_, i) => ({ b: i })),
    event: { provider: "SecurityComplianceCenter" },
  },
  "deep nesting on a path the queries read": {
    a: JSON.parse("[".repeat(200) + "{\"b\":1}" + "]".repeat(200)),
    event: {
      dataset: JSON.parse("[".repeat(200) + "\"x\"" + "]".repeat(200)),
    },
  },
};

describe("the path in place itself", () => {
  // NOTE: `__testInPlace` and `__matchesInPlace` answer only from the
  // object read in place, or undefined where they leave it to the full
  // path: a change that sent every record down the full path would keep
  // the answers right and lose the speed.
  const inPlace = pkg.__testInPlace;

  test("answers for raw records, ECS documents and wrappers", () => {
    const records = {
      ...ALL,
      "dotted keys": TRICKY["dotted key beside a nested object"],
      "arrays of objects": TRICKY["arrays of objects"],
      "o365audit": TRICKY["raw record wrapped in o365audit"],
      "_source": TRICKY["raw record wrapped in _source"],
      "AuditData text": TRICKY["raw record as text in AuditData"],
    };
    const query = compile("event.action:AlertEntityGenerated");
    for (const [name, record] of Object.entries(records)) {
      assert.equal(inPlace(record), evaluate(record).hit, name);
      if (name !== "AuditData text") {
        const full = query.matches(JSON.stringify(record));
        assert.equal(query.__matchesInPlace(record), full, name);
      }
    }
    query.free();
  });

  test("reads no shape member that a record only inherits", () => {
    // NOTE: JSON shows own members alone; the shape is found among the
    // keys `for...in` lists, which include inherited ones.
    const ecs = structuredClone(ECS_QUERY_HIT);
    const answers = withInherited({ Workload: "SecurityComplianceCenter",
      Operation: ALERT_NAME, RecordType: 40, _source: RAW_ALERT }, () => [
      inPlace(ecs), evaluate(JSON.stringify(ecs)).hit,
      inPlace(RAW_ALERT), evaluate(JSON.stringify(RAW_ALERT)).hit,
    ]);
    assert.deepEqual(answers, [true, true, true, true]);
  });

  test("leaves a search hit's fields to the full path, which finds the alert", () => {
    const hit = TRICKY["search hit holding its document in fields"];
    assert.equal(inPlace(hit), undefined);
    assert.equal(judge(hit), true);
    assert.equal(evaluate(hit).alertName, true);
  });

  test("leaves to the full path what it cannot read as JSON shows it", () => {
    // NOTE: in `event.provider`, which the rule asks first; a value the
    // verdicts do not need to read is never reached.
    const records = [
      { event: { provider: new Date(0) } },
      { event: { toJSON: () => ({}) } },
      { event: { provider: new String("SecurityComplianceCenter") } },
      new Map(),
    ];
    for (const record of records) {
      assert.equal(inPlace(record), undefined, JSON.stringify(record));
    }
  });
});

describe("an object read in place and its JSON text", () => {
  for (const [name, record] of Object.entries({ ...ALL, ...TRICKY })) {
    test(name, () => assertBothPathsAgree(name, record));
  }
});

/** What `run` returns while every object inherits `members`, enumerable
 * members of `Object.prototype`. */
function withInherited(members, run) {
  Object.assign(Object.prototype, members);
  try {
    return run();
  } finally {
    for (const key of Object.keys(members)) delete Object.prototype[key];
  }
}

/** An object whose member `key` throws `message` when read. */
function throwingGetter(key, message) {
  const record = { event: { provider: "SecurityComplianceCenter" } };
  Object.defineProperty(record, key, {
    get() {
      throw new Error(message);
    },
    enumerable: true,
  });
  return record;
}

/** A proxy whose every trap throws. */
function throwingProxy(message) {
  const fail = () => {
    throw new Error(message);
  };
  return new Proxy({}, {
    get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail,
    getPrototypeOf: fail,
  });
}

/** Asserts that every way of judging `record` throws an `Error` whose
 * message matches, and that the instance works afterwards. */
function assertEveryPathThrows(record, pattern) {
  const query = compile("rule.name:x or event.provider:*");
  const runs = [
    () => judge(record),
    () => evaluate(record),
    () => query.matches(record),
  ];
  for (const run of runs) {
    const { error } = outcome(run);
    assert.match(error ?? "no error", pattern);
  }
  query.free();
  assert.equal(judge(RAW_ALERT), true);
  assert.equal(evaluate(RAW_ALERT).hit, true);
}

describe("a record that cannot be read", () => {
  test("a getter on a shape member that throws", () => {
    assertEveryPathThrows(throwingGetter("Workload", "no Workload"),
      /no Workload/);
  });

  test("a getter on a field the queries read that throws", () => {
    assertEveryPathThrows(throwingGetter("rule", "no rule"), /no rule/);
  });

  test("a getter that throws what is not an Error", () => {
    const throwing = (value) => {
      const record = { event: { provider: "SecurityComplianceCenter" } };
      Object.defineProperty(record, "Workload", {
        get() {
          throw value;
        },
        enumerable: true,
      });
      return record;
    };
    assertEveryPathThrows(throwing("a plain string"), /: a plain string$/);
    assertEveryPathThrows(throwing(42), /: a number was thrown$/);
    assertEveryPathThrows(throwing(new Error()), /: Error with no message$/);
    assertEveryPathThrows(throwing(new TypeError("")), /: TypeError with no message$/);
  });

  test("a proxy whose traps throw", () => {
    assertEveryPathThrows(throwingProxy("trapped"), /trapped/);
  });

  test("a revoked proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assertEveryPathThrows(proxy, /^cannot read the record: .*revoked/);
  });

  test("an object whose JSON is not an object", () => {
    assertEveryPathThrows(new Date(0),
      /^expected a record as an object or a JSON string, got a Date, whose JSON is not an object$/);
    assertEveryPathThrows(new String(JSON.stringify(RAW_ALERT)),
      /^expected a record as an object or a JSON string, got a String, whose JSON is not an object$/);
  });

  test("a `toJSON` that gives no JSON value", () => {
    for (const gives of [undefined, () => 1, Symbol("s")]) {
      assertEveryPathThrows({ toJSON: () => gives },
        /^cannot turn the record into JSON: its `toJSON` gave no JSON value$/);
    }
  });

  test("a nested proxy whose traps throw", () => {
    assertEveryPathThrows({ event: throwingProxy("inner trap") },
      /inner trap/);
  });

  test("a member JSON cannot carry, on no path the queries read", () => {
    // NOTE: `evaluate` refuses such a record whole; `test` and `matches`
    // read only the members the queries name, and judge the rest of it.
    const cyclic = {};
    cyclic.self = cyclic;
    const unreadable = {
      "a cycle": cyclic,
      "nesting past the limit": JSON.parse("[".repeat(200) + "]".repeat(200)),
      "a BigInt": 10n,
    };
    const query = compile(ruleInfo().alertNameQuery);
    for (const [name, bad] of Object.entries(unreadable)) {
      for (const good of [RAW_ALERT, ECS_QUERY_HIT, {}]) {
        const record = { ...good, unread: bad };
        assert.ok(outcome(() => evaluate(record)).error, name);
        assert.equal(judge(record), evaluate(good).hit, name);
        assert.equal(query.matches(record), query.matches(good), name);
      }
    }
    query.free();
  });

  test("a lone surrogate is read as U+FFFD on both paths", () => {
    const record = { ...ECS_QUERY_HIT, unread: "\ud800" };
    assert.equal(evaluate(record).hit, true);
    assert.equal(judge(record), true);
    const named = { ...ECS_QUERY_HIT, "event.action": "\ud800" };
    assert.equal(judge(named), evaluate(named).hit);
    assert.equal(compile('event.action:"\ufffd"').matches(named), true);
  });

  test("a cycle on a path the queries read", () => {
    const record = { event: { provider: "SecurityComplianceCenter" } };
    record.event.event = record;
    record.rule = record;
    const full = outcome(() => evaluate(record));
    assert.match(full.error, /cannot turn the record into JSON/);
    // NOTE: the path in place reads only what the queries name, so it
    // may answer where the whole object cannot become JSON; it must not
    // loop, trap or answer what the JSON text would contradict.
    for (const read of [() => judge(record),
      () => compile("rule.rule.rule.name:x").matches(record)]) {
      const fast = outcome(read);
      assert.ok(fast.error !== undefined || fast.value === false,
        JSON.stringify(fast));
    }
    assert.equal(judge(RAW_ALERT), true);
  });

  test("a cycle under a field that `exists` walks", () => {
    const record = { a: {} };
    record.a.b = record.a;
    record.a.c = record.a;
    for (const kql of ["a:*", "not a.x:*"]) {
      const query = compile(kql);
      const fast = outcome(() => query.matches(record));
      assert.ok(fast.error !== undefined || typeof fast.value === "boolean");
      query.free();
    }
    assert.equal(judge(RAW_ALERT), true);
  });

  test("a Map, a Date and a class instance as the record", () => {
    class Record {
      constructor() {
        this.event = { provider: "SecurityComplianceCenter" };
      }
    }
    for (const record of [new Map([["a", 1]]), new Date(0), new Record()]) {
      const full = outcome(() => evaluate(record).hit);
      assert.deepEqual(outcome(() => judge(record)), full);
    }
  });
});
