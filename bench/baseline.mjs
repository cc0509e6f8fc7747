// What a developer would write without the package: `JSON.parse` on
// every line of raw NDJSON and a hand-written test for the same two
// verdicts. It starts, like the wasm `scan`, from the file's bytes
// already in memory. Prints one JSON object on stdout.
//
//   node bench/baseline.mjs FILE RUNS

import { readFileSync } from "node:fs";

const ALERT_NAME = "User restricted from sending email";

/**
 * The rule's query on a raw record (after Elastic's normalization every
 * record is `o365.audit` and `web`, so three clauses remain), and the
 * alert found by its name, which only an alert record (type 40) carries.
 */
function verdicts(record) {
  if (record.Workload !== "SecurityComplianceCenter") return null;
  const query = record.Operation === ALERT_NAME &&
    succeeded(record.ResultStatus);
  const alertName = record.Name === ALERT_NAME &&
    String(record.RecordType) === "40";
  return query || alertName ? { query, alertName } : null;
}

/** Elastic's `event.outcome: success`: anything but a failure. */
function succeeded(status) {
  if (status == null) return true;
  if (typeof status !== "string") return false;
  const lower = status.toLowerCase();
  return lower !== "failed" && lower !== "false";
}

function scan(bytes) {
  const lines = bytes.toString("utf8").split("\n");
  const hits = [];
  let records = 0;
  for (let n = 0; n < lines.length; n++) {
    if (lines[n].trim() === "") continue;
    records += 1;
    const found = verdicts(JSON.parse(lines[n]));
    if (found) hits.push({ line: n + 1, ...found });
  }
  return { records, hits };
}

const [file, runs] = process.argv.slice(2);
const bytes = readFileSync(file);
const times = [];
let result;
for (let run = 0; run < +runs; run++) {
  const start = performance.now();
  result = scan(bytes);
  times.push((performance.now() - start) / 1000);
}
console.log(JSON.stringify({ times, ...result }));
