// Reads the files in the background: each file is streamed chunk by
// chunk through the wasm `Scanner`, so a large export never sits in
// memory whole and the page stays responsive. The page ends a scan by
// terminating this worker.

import init, { Scanner } from "./pkg/m365_restricted_sender.js";

const ready = init();

/** Posts progress at most this often, in milliseconds. */
const PROGRESS_EVERY = 100;

self.onmessage = async (message) => {
  const { inputs, options } = message.data;
  try {
    await ready;
    const report = await scanAll(inputs, options);
    self.postMessage({ type: "report", report });
  } catch (error) {
    const text = String(error?.message ?? error);
    self.postMessage({ type: "error", message: text });
  }
};

async function scanAll(inputs, options) {
  const scanner = new Scanner(options);
  const total = inputs.reduce((sum, input) => sum + sizeOf(input), 0);
  const progress = { done: 0, total, records: 0, hits: 0, last: 0 };
  try {
    for (const input of inputs) {
      scanner.file(input.name);
      await feed(scanner, input, progress);
    }
    return scanner.finish();
  } finally {
    scanner.free();
  }
}

function sizeOf(input) {
  return input.file ? input.file.size : input.text.length;
}

async function feed(scanner, input, progress) {
  if (input.text !== undefined) {
    count(progress, scanner.push(input.text), input.text.length);
    return report(progress, true);
  }
  const reader = input.file.stream().getReader();
  // NOTE: a rejected file is still read to its end, for the size and
  // SHA-256 the report gives (the module only counts and hashes the
  // rest): a picked or dropped file always ends.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    count(progress, scanner.push(value), value.length);
    report(progress, false);
  }
  report(progress, true);
}

function count(progress, pushed, length) {
  progress.done += length;
  if (typeof pushed?.records === "number") progress.records = pushed.records;
  if (Array.isArray(pushed?.hits)) progress.hits += pushed.hits.length;
}

function report(progress, force) {
  const now = Date.now();
  if (!force && now - progress.last < PROGRESS_EVERY) return;
  progress.last = now;
  const { done, total, records, hits } = progress;
  self.postMessage({ type: "progress", done, total, records, hits });
}
