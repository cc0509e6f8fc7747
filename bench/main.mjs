// The benchmark: generates the data set, runs every measurement (each
// in a fresh process), checks that all scanners agree with what was
// planted, prints the table and writes bench-data/results.json.
//
//   node bench/main.mjs [--records N] [--runs N] [--quick] [--memory[=SIZE]]
//
// scripts/bench.sh builds what this needs first; run that instead.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import {
  compareCounts, compareHash, compareHits, expectedHits,
} from "./check.mjs";
import { generate } from "./generate.mjs";
import { BLOCK } from "./records.mjs";
import { ROOT, WASM, checkBuilt } from "./load.mjs";
import { machine } from "./machine.mjs";
import { checkNativeBuilt, nativeSha256Flag, runNative } from "./native.mjs";
import { printTable, judge, spread, stats } from "./report.mjs";

const DATA = join(ROOT, "bench-data");
const SEED = 20260105;
const SHAPES = { ndjson: "NDJSON", json: "JSON array", csv: "Purview CSV" };

/** A custom query that reads five fields, for `--query` and `compile`. */
const FIVE_FIELDS = "event.provider:SecurityComplianceCenter and " +
  "event.action:(AlertTriggered or AlertEntityGenerated) and " +
  'rule.name:"User restricted from sending email" and ' +
  "o365.audit.Severity:High and user.id:SecurityComplianceAlerts";

const PLANS = {
  quick: { records: 10_000, runs: 2, events: 2_000, rounds: 3,
    startups: 3 },
  full: { records: 100_000, runs: 3, events: 10_000, rounds: 5,
    startups: 7 },
};

function parseArgs(argv) {
  const args = { quick: false, memory: null, records: null, runs: null };
  for (const arg of argv) {
    const [name, value] = arg.split("=", 2);
    if (name === "--quick") args.quick = true;
    else if (name === "--memory") args.memory = size(value ?? "1G");
    else if (name === "--records") args.records = size(value);
    else if (name === "--runs") args.runs = size(value);
    else throw new Error(`unknown argument \`${arg}\``);
  }
  const plan = { ...PLANS[args.quick ? "quick" : "full"] };
  plan.records = args.records ?? plan.records;
  plan.runs = args.runs ?? plan.runs;
  plan.memory = args.memory;
  plan.events = Math.min(plan.events, plan.records);
  if (plan.records < BLOCK) {
    throw new Error(`expected at least ${BLOCK} records, so that one ` +
      `alert is planted, got ${plan.records}`);
  }
  if (plan.runs < 1) throw new Error("expected at least one run");
  return plan;
}

/** `100000`, `100k`, `1M`, `1G` (decimal). */
function size(text) {
  const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text ?? "");
  if (!match) throw new Error(`expected a number, got \`${text}\``);
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[match[2].toLowerCase()];
  return Math.round(Number(match[1]) * scale);
}

function say(text) {
  process.stderr.write(`    ${text}\n`);
}

/** Runs `bench/<script>` in a fresh Node process; parses its JSON. */
function child(script, args) {
  const run = spawnSync(process.execPath, [join(ROOT, "bench", script),
    ...args.map(String)], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (run.status !== 0) {
    throw new Error(`\`node bench/${script} ${args.join(" ")}\` failed ` +
      `(status ${run.status}): ${run.stderr.trim()}`);
  }
  return JSON.parse(run.stdout);
}

class Bench {
  constructor(plan) {
    this.plan = plan;
    this.scans = [];
    this.problems = [];
  }

  prepare() {
    checkBuilt();
    checkNativeBuilt();
    const dir = join(DATA, String(this.plan.records));
    say(`generating ${this.plan.records} records into ${dir}`);
    this.data = generate({ dir, count: this.plan.records, seed: SEED });
    say(this.data.reused ? "same size and seed: files reused"
      : `written in ${this.data.seconds.toFixed(1)} s`);
    this.probe = child("wasm.mjs", ["probe"]);
    const native = nativeSha256Flag();
    this.nativeFlag = native.flag;
    if (native.unknown) {
      say(`native usage mentions a hash option this benchmark cannot use: ` +
        `${native.unknown}`);
    }
  }

  /** The per-file SHA-256 settings worth measuring for each engine. */
  shaSettings(engine) {
    const off = engine === "wasm" ? this.probe.sha256Option
      : this.nativeFlag !== null;
    return off ? [true, false] : [true];
  }

  record(scan, result, expected) {
    const file = this.data.files[scan.shape];
    const entry = { ...scan, bytes: file.bytes, records: result.records,
      hits: result.hits.length, ...stats(result.times, file.bytes,
        this.data.count) };
    const problem = compareCounts(result, this.data.count) ??
      compareHash(result, file.sha256) ?? compareHits(result.hits, expected);
    if (problem) this.problems.push(`${scan.label}: ${problem}`);
    entry.agrees = problem === null;
    this.scans.push(entry);
    say(`${scan.label}: ${entry.mbps.toFixed(1)} MB/s, ` +
      `${entry.hits} hits${problem ? " (DISAGREES)" : ""}`);
    return entry;
  }

  wasmScan(mode, shape, { sha256 = true, query = null } = {}) {
    const options = { ...(sha256 ? {} : { sha256: false }),
      ...(query ? { query } : {}) };
    const file = this.data.files[shape].path;
    const result = child("wasm.mjs", [mode, file, this.plan.runs,
      JSON.stringify(options)]);
    const label = mode === "scan" ? `wasm scan ${SHAPES[shape]}`
      : `wasm Scanner ${SHAPES[shape]}, chunks`;
    const expected = expectedHits(this.data, shape,
      { customQuery: query !== null });
    const entry = this.record({ engine: "wasm", mode, shape, sha256,
      query: query ? "five-field" : "rule",
      label: label + suffix(sha256, query) }, result, expected);
    entry.memory = result.memory;
  }

  nativeScan(shape, { sha256 = true, query = null } = {}) {
    const args = [...(sha256 ? [] : [this.nativeFlag]),
      ...(query ? ["--query", query] : []), this.data.files[shape].path];
    const run = runNative(args, this.plan.runs);
    const result = { times: run.times, ...nativeSummary(run.report) };
    const label = `native CLI ${SHAPES[shape]}` + suffix(sha256, query);
    const expected = expectedHits(this.data, shape,
      { customQuery: query !== null });
    const entry = this.record({ engine: "native", mode: "cli", shape,
      sha256, query: query ? "five-field" : "rule", label }, result, expected);
    entry.peakRssBytes = run.peakRssBytes;
  }

  baseline() {
    const result = child("baseline.mjs", [this.data.files.ndjson.path,
      this.plan.runs]);
    this.record({ engine: "node", mode: "baseline", shape: "ndjson",
      sha256: false, query: "rule",
      label: "Node baseline NDJSON" }, result,
    expectedHits(this.data, "ndjson"));
  }

  runScans() {
    for (const sha256 of this.shaSettings("wasm")) {
      for (const shape of Object.keys(SHAPES)) {
        this.wasmScan("scan", shape, { sha256 });
      }
      this.wasmScan("stream", "ndjson", { sha256 });
    }
    for (const sha256 of this.shaSettings("native")) {
      for (const shape of Object.keys(SHAPES)) {
        this.nativeScan(shape, { sha256 });
      }
    }
    this.baseline();
    const fastWasm = this.shaSettings("wasm").at(-1);
    this.wasmScan("scan", "ndjson", { sha256: fastWasm, query: FIVE_FIELDS });
    const fastNative = this.shaSettings("native").at(-1);
    this.nativeScan("ndjson", { sha256: fastNative, query: FIVE_FIELDS });
  }

  runEvents() {
    const { events, rounds } = this.plan;
    say(`per-event functions on ${events} objects, ${rounds} rounds`);
    const run = child("wasm.mjs", ["events", this.data.files.ndjson.path,
      events, rounds, FIVE_FIELDS]);
    this.events = Object.fromEntries(Object.entries(run.results).map(
      ([name, { times, perRound, truths }]) => {
        const runs = spread(times);
        const eventsPerSec = perRound / runs.best;
        return [name, { ...runs, perRound, eventsPerSec, truths }];
      }));
    this.eventCorpus = { events: run.events, ecs: run.ecs };
    const { test, evaluate } = run.results;
    if (test.truths !== evaluate.truths) {
      this.problems.push(`test() found ${test.truths} hits, evaluate() ` +
        `found ${evaluate.truths}`);
    }
  }

  runStartup() {
    const times = [];
    for (let n = 0; n < this.plan.startups; n++) {
      times.push(child("wasm.mjs", ["startup"]).ms);
    }
    // NOTE: in milliseconds, unlike the scans' seconds.
    this.startup = spread(times);
    this.wasmSize = { raw: readFileSync(WASM).length, gzip: gzipSize(WASM) };
  }

  runMemory() {
    if (!this.plan.memory) return;
    say(`streaming ${this.plan.memory / 1e9} GB of generated NDJSON ` +
      "through one Scanner");
    const run = child("wasm.mjs", ["memory", this.plan.memory, SEED]);
    const { records, hits } = run.expected;
    if (run.records !== records || run.hits !== hits || run.errorCount) {
      this.problems.push(`memory run: read ${run.records} records with ` +
        `${run.hits} hits and ${run.errorCount} errors, expected ` +
        `${records} records with ${hits} hits`);
    }
    this.memoryRun = run;
  }

  checkAgreement() {
    const rule = this.scans.filter((scan) => scan.query === "rule");
    const counts = new Set(rule.map((scan) => scan.hits));
    this.agreement = {
      planted: this.data.hits.length,
      ruleScansAgree: this.problems.length === 0 && counts.size === 1,
      problems: this.problems,
    };
  }

  results() {
    return {
      machine: this.machine,
      plan: this.plan,
      data: { records: this.data.count, seed: SEED,
        planted: this.data.hits.length, files: this.data.files },
      options: { wasmSha256Option: this.probe.sha256Option,
        nativeSha256Flag: this.nativeFlag, fiveFieldQuery: FIVE_FIELDS,
        ruleQuery: this.probe.ruleQuery },
      scans: this.scans,
      events: { corpus: this.eventCorpus, results: this.events },
      startup: this.startup,
      wasmSize: this.wasmSize,
      memoryRun: this.memoryRun ?? null,
      agreement: this.agreement,
    };
  }
}

/**
 * The size after `gzip -9`, as scripts/build.sh reports it; zlib's
 * level 9 comes out a few KB larger, so it is only the fallback.
 */
function gzipSize(path) {
  const gzip = spawnSync("gzip", ["-9", "-c", path], { maxBuffer: 1 << 28 });
  if (gzip.status === 0) return gzip.stdout.length;
  return gzipSync(readFileSync(path), { level: 9 }).length;
}

function suffix(sha256, query) {
  return (sha256 ? "" : ", sha256 off") + (query ? ", 5-field query" : "");
}

function nativeSummary(report) {
  return {
    records: report.records, errorCount: report.errorCount,
    duplicates: report.duplicates, sha256: report.files[0]?.sha256,
    hits: report.hits.map(({ line, query, alertName }) =>
      ({ line, query, alertName })),
  };
}

function main() {
  const plan = parseArgs(process.argv.slice(2));
  const bench = new Bench(plan);
  bench.machine = machine();
  bench.prepare();
  bench.runStartup();
  bench.runScans();
  bench.runEvents();
  bench.runMemory();
  bench.checkAgreement();
  const results = bench.results();
  results.criteria = judge(results);
  writeFileSync(join(DATA, "results.json"),
    JSON.stringify(results, null, 1) + "\n");
  printTable(results);
  if (bench.problems.length) {
    console.error("\nFAILED: the scanners disagree with what was planted:");
    for (const problem of bench.problems) console.error(`  ${problem}`);
    process.exit(1);
  }
}

try {
  main();
} catch (error) {
  console.error(`\nFAILED: ${error.message}`);
  process.exit(1);
}
