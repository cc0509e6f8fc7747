// How the page lays out a hit's record (www/record.js), without a DOM.

import { test } from "node:test";
import assert from "node:assert/strict";

import { readText } from "./load.mjs";
import {
  auditDataOf, csvCells, MAX_PRETTY_CHARS, prettyJson, recordOf,
} from "../www/record.js";

test("JSON is laid out one member a line, its tokens as written", () => {
  const text = '{"a":1, "b":[2,{}],"c":{"d":"x,\\"y:{"},"e":[ ],' +
    '"n":12345678901234567890}\n';
  assert.equal(prettyJson(text), [
    "{",
    '  "a": 1,',
    '  "b": [',
    "    2,",
    "    {}",
    "  ],",
    '  "c": {',
    '    "d": "x,\\"y:{"',
    "  },",
    '  "e": [],',
    '  "n": 12345678901234567890',
    "}",
  ].join("\n"));
});

test("laid-out JSON reads back as the same value", async () => {
  const lines = (await readText("example-export/contoso-management-api.ndjson"))
    .split("\n").filter((line) => line.trim());
  assert.ok(lines.length > 3);
  for (const line of lines) {
    const pretty = prettyJson(line);
    assert.deepEqual(JSON.parse(pretty), JSON.parse(line));
    assert.ok(pretty.split("\n").length > 5, "not laid out");
  }
});

test("text that is not JSON is kept whole after the point it stops", () => {
  assert.equal(prettyJson('{"a": "open'), '{\n  "a": "open');
  assert.equal(prettyJson("x,y"), "x,\ny");
  assert.equal(prettyJson(""), "");
});

test("a CSV row splits into its cells", () => {
  assert.deepEqual(csvCells('a,"b ""q"", c",,"{""x"":1}"\r\n'),
    ["a", 'b "q", c', "", '{"x":1}']);
  assert.deepEqual(csvCells('"two\nlines",z'), ["two\nlines", "z"]);
});

test("the record of an export row is its AuditData cell", async () => {
  const [header, row] = (await readText(
    "example-export/purview-audit-search.csv")).split("\n");
  const column = csvCells(header).indexOf("AuditData");
  assert.ok(column > 0);
  const record = auditDataOf(row);
  assert.equal(record, csvCells(row)[column]);
  assert.equal(JSON.parse(record).Operation, "AlertEntityGenerated");
  assert.equal(auditDataOf("a,b,c"), null);
});

test("of several cells holding objects, the longest is the record", () => {
  assert.equal(auditDataOf('"{}",x,"{""a"":1}",y,"{""b"":2}"'), '{"a":1}');
});

test("a hit's raw text is told apart as a JSON record or a CSV row",
  async () => {
    assert.deepEqual(recordOf('  {"a":1}'), { json: '  {"a":1}', row: false });
    assert.deepEqual(recordOf("[1]"), { json: "[1]", row: false });
    const [, row] = (await readText(
      "example-export/purview-audit-search.csv")).split("\n");
    assert.deepEqual(recordOf(row), { json: auditDataOf(row), row: true });
    assert.deepEqual(recordOf("a,b"), { json: null, row: true });
  });

test("text too long to lay out is shown as read", () => {
  const long = "[" + "1,".repeat(MAX_PRETTY_CHARS / 2) + "1]";
  assert.equal(prettyJson(long), long);
});
