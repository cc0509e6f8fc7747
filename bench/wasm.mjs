// One measurement of the wasm package, in a process of its own so that
// each starts from a fresh module (its memory only ever grows) and a
// fresh JIT. Prints one JSON object on stdout.
//
//   node bench/wasm.mjs probe
//   node bench/wasm.mjs startup
//   node bench/wasm.mjs scan FILE RUNS OPTIONS_JSON
//   node bench/wasm.mjs stream FILE RUNS OPTIONS_JSON
//   node bench/wasm.mjs events FILE COUNT ROUNDS QUERY
//   node bench/wasm.mjs memory BYTES SEED

import { createReadStream, readFileSync } from "node:fs";

import { ndjsonChunks } from "./generate.mjs";
import { GLUE, WASM, MIB, checkBuilt, loadPackage } from "./load.mjs";

const seconds = (start) => (performance.now() - start) / 1000;
const ROUND_SECONDS = 0.25;

/** The hits as the check compares them: line and verdicts. */
function hitsOf(report) {
  return report.hits.map((hit) => ({
    file: hit.file, line: hit.line, query: hit.query,
    alertName: hit.alertName,
  }));
}

function summary(report) {
  return {
    records: report.records,
    errorCount: report.errorCount,
    duplicates: report.duplicates,
    sha256: report.files[0]?.sha256 ?? null,
    format: report.files[0]?.format ?? null,
    hits: hitsOf(report),
  };
}

/** What this build offers: the `sha256` option, the rule's query. */
async function probe() {
  const { api, memory } = await loadPackage();
  let sha256Option = false;
  try {
    const report = api.scan(new Uint8Array([10]), { sha256: false });
    sha256Option = report.files[0]?.sha256 == null;
  } catch {
    sha256Option = false;
  }
  const rule = api.ruleInfo();
  return { sha256Option, ruleQuery: rule.query,
    alertNameQuery: rule.alertNameQuery, memory: memory.buffer.byteLength };
}

/**
 * Instantiating the module and the first call, timed from before the
 * glue is imported; the process is fresh, so nothing is cached.
 */
async function startup() {
  checkBuilt();
  const start = performance.now();
  const api = await import(new URL(`file://${GLUE}`).href);
  api.initSync({ module: readFileSync(WASM) });
  api.ruleInfo();
  return { ms: performance.now() - start };
}

/** `scan` of the whole file, given as a `Uint8Array` already in memory. */
async function scan(file, runs, options) {
  const { api, memory } = await loadPackage();
  const bytes = new Uint8Array(readFileSync(file));
  const before = memory.buffer.byteLength;
  const times = [];
  let report;
  let afterFirst;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    report = api.scan(bytes, options);
    times.push(seconds(start));
    afterFirst ??= memory.buffer.byteLength;
  }
  return { times, ...summary(report), memory: {
    before, afterFirst, after: memory.buffer.byteLength } };
}

/** `Scanner` fed 1 MiB chunks straight from a file stream. */
async function stream(file, runs, options) {
  const { api, memory } = await loadPackage();
  const before = memory.buffer.byteLength;
  const times = [];
  let report;
  let afterFirst;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    report = await streamOnce(api, file, options);
    times.push(seconds(start));
    afterFirst ??= memory.buffer.byteLength;
  }
  return { times, ...summary(report), memory: {
    before, afterFirst, after: memory.buffer.byteLength } };
}

async function streamOnce(api, file, options) {
  const scanner = new api.Scanner(options);
  try {
    scanner.file(file);
    const chunks = createReadStream(file, { highWaterMark: MIB });
    for await (const chunk of chunks) scanner.push(chunk);
    return scanner.finish();
  } finally {
    scanner.free();
  }
}

/**
 * The per-event functions on objects JavaScript already holds: the
 * first records of the file as parsed raw records, alternating with the
 * ECS documents that `evaluate` makes of the next ones, with the records
 * the rule's own query matches put in, so every function has hits.
 */
async function events(file, count, rounds, query) {
  const { api } = await loadPackage();
  const corpus = eventCorpus(api, file, count);
  const rule = api.compile(api.ruleInfo().query);
  const custom = api.compile(query);
  const functions = {
    test: (event) => api.test(event),
    ruleMatches: (event) => rule.matches(event),
    queryMatches: (event) => custom.matches(event),
    evaluate: (event) => api.evaluate(event).hit,
  };
  const results = {};
  for (const [name, judge] of Object.entries(functions)) {
    results[name] = timeEvents(corpus, judge, rounds);
  }
  rule.free();
  custom.free();
  return { events: corpus.length, ecs: Math.floor(corpus.length / 2),
    results };
}

function eventCorpus(api, file, count) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n", count);
  if (lines.length < count) {
    throw new Error(`expected ${count} records in ${file}`);
  }
  const queryHits = queryHitLines(api, text).slice(0, count / 100);
  lines.splice(count - 2 * queryHits.length, 2 * queryHits.length,
    ...queryHits.flatMap((line) => [line, line]));
  return lines.map((line, n) => {
    const record = JSON.parse(line);
    return n % 2 === 0 ? record : api.evaluate(record).event;
  });
}

/** The NDJSON lines whose records the rule's own query matches, found
 * by `scan`; each appears twice in the corpus, raw and as ECS. */
function queryHitLines(api, text) {
  const all = text.split("\n");
  const report = api.scan(text, { sha256: false });
  return report.hits.filter((hit) => hit.query)
    .map((hit) => all[hit.line - 1]);
}

/**
 * Rounds of at least ROUND_SECONDS each, over the whole corpus as many
 * times as that takes (a first, untimed pass tells how many): the
 * times, the events judged per round, how many were true in one pass.
 */
function timeEvents(corpus, judge, rounds) {
  const passOnce = () => {
    let truths = 0;
    for (const event of corpus) if (judge(event)) truths += 1;
    return truths;
  };
  const start = performance.now();
  const truths = passOnce();
  const passes = Math.max(1, Math.ceil(ROUND_SECONDS / seconds(start)));
  const times = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let pass = 0; pass < passes; pass++) passOnce();
    times.push(seconds(start));
  }
  return { times, perRound: passes * corpus.length, truths };
}

/**
 * A long NDJSON stream pushed through one `Scanner`, generated as it
 * goes: how much the module's memory grows while it reads `bytes`.
 */
async function memoryRun(bytes, seed) {
  const { api, memory } = await loadPackage();
  const scanner = new api.Scanner();
  scanner.file("generated.ndjson");
  const before = memory.buffer.byteLength;
  const tally = { records: 0, hits: 0 };
  let pushSeconds = 0;
  let pushed = 0;
  for (const chunk of ndjsonChunks({ bytes, seed, tally })) {
    const start = performance.now();
    scanner.push(chunk);
    pushSeconds += seconds(start);
    pushed += chunk.length;
  }
  // NOTE: asked before `finish`, which hands the hits over and empties
  // the index.
  const held = scanner.__memoryUse();
  const start = performance.now();
  const report = scanner.finish();
  pushSeconds += seconds(start);
  scanner.free();
  return { bytes: pushed, seconds: pushSeconds, before,
    after: memory.buffer.byteLength, held, expected: tally,
    records: report.records, hits: report.hits.length,
    errorCount: report.errorCount };
}

const commands = {
  probe: () => probe(),
  startup: () => startup(),
  scan: (file, runs, options) => scan(file, +runs, JSON.parse(options)),
  stream: (file, runs, options) => stream(file, +runs, JSON.parse(options)),
  events: (file, count, rounds, query) =>
    events(file, +count, +rounds, query),
  memory: (bytes, seed) => memoryRun(+bytes, +seed),
};

const [command, ...args] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`unknown command \`${command}\`: expected one of ` +
    Object.keys(commands).join(", "));
  process.exit(2);
}
console.log(JSON.stringify(await commands[command](...args)));
