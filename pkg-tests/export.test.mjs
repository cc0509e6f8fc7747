// The page's exports (www/export.js), which run without a DOM.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  csvCell, toCsv, toNdjson, verdictOf,
} from "../www/export.js";

const HIT = {
  file: "a.csv", line: 4, index: 2, query: false, alertName: true,
  timestamp: "2026-11-30T09:05:40.000Z", user: "=HYPERLINK(\"x\")",
  alertId: "-1+2", alert: null, event: { event: { action: "@SUM(A1)" } },
  raw: "{}",
};

test("a cell a spreadsheet would run is defused", () => {
  for (const text of ["=1+2", "+1", "-1", "@A1", "\tx", "\rx"]) {
    assert.ok(csvCell(text).replace(/^"/, "").startsWith("'"), text);
  }
  assert.equal(csvCell("plain"), "plain");
  assert.equal(csvCell("a,b"), "\"a,b\"");
  assert.equal(csvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
});

test("the CSV has a header and one defused row per hit", () => {
  const [header, row, end] = toCsv([HIT]).split("\r\n");
  assert.equal(header, "timestamp,user,verdict,action,alertId,file,line");
  assert.equal(row, "2026-11-30T09:05:40.000Z,\"'=HYPERLINK(\"\"x\"\")\"," +
    "alert name,'@SUM(A1),'-1+2,a.csv,4");
  assert.equal(end, "");
});

test("the NDJSON holds each hit whole, one per line", () => {
  const lines = toNdjson([HIT, HIT]).split("\n");
  assert.equal(lines.length, 3);
  assert.deepEqual(JSON.parse(lines[0]), HIT);
  assert.equal(verdictOf({ query: true, alertName: true }),
    "query and alert name");
});
