// The page: gathers the input (drop, pick, paste, the example), has the
// worker scan it, and shows the report. The wasm module is loaded here
// too, for the rule's metadata, the filter's syntax check and the
// explanation of a chosen hit.

import init, {
  compile, evaluate, ruleInfo,
} from "./pkg/m365_restricted_sender.js";
import { byId, plural } from "./dom.js";
import { download, toCsv, toNdjson } from "./export.js";
import { recordOf } from "./record.js";
import {
  hitRowAt, markChosen, PAGE_ROWS, renderAlertNameNote, renderCounts,
  renderDetail, renderFiles, renderHits, renderProblems, renderRule,
  renderUsers, sortHits, wireHits,
} from "./render.js";

const state = {
  info: null,
  /** What was loaded: `{ name, file }` or `{ name, text }`, in order. */
  inputs: [],
  report: null,
  /** The report's hits in the order chosen, and how many are listed. */
  sorted: [],
  shown: PAGE_ROWS,
  /** The chosen hit, and its position in `sorted`. */
  chosen: null,
  position: -1,
  worker: null,
};

start();

async function start() {
  wireInput();
  wireResults();
  try {
    await init();
  } catch (error) {
    setEngine(`The detector did not load: ${error.message}`, true);
    return;
  }
  state.info = ruleInfo();
  renderRule(state.info);
  setEngine(`Detector ready · rule version ${state.info.version}`);
  byId("example").disabled = false;
}

function setEngine(text, failed = false) {
  const engine = byId("engine");
  engine.textContent = text;
  engine.classList.toggle("bad", failed);
}

function say(text) {
  const message = byId("message");
  message.textContent = text ?? "";
  message.hidden = !text;
}

// ---- input ----------------------------------------------------------

function wireInput() {
  byId("pick").addEventListener("change", (event) => {
    loadFiles([...event.target.files]);
    event.target.value = "";
  });
  byId("example").addEventListener("click", loadExample);
  byId("scan-paste").addEventListener("click", () => {
    loadText(byId("paste").value);
  });
  byId("filter").addEventListener("submit", (event) => {
    event.preventDefault();
    rescan();
  });
  byId("cancel").addEventListener("click", cancel);
  wireDrop();
  document.addEventListener("paste", onPaste);
}

/** Files dropped anywhere on the window are scanned together. */
function wireDrop() {
  const overlay = byId("drop-overlay");
  let depth = 0;
  const hasFiles = (event) => event.dataTransfer?.types.includes("Files");
  window.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  window.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    loadFiles([...event.dataTransfer.files]);
  });
}

/** Pasting outside a text field scans what was pasted. */
function onPaste(event) {
  if (event.target.closest?.("input, textarea, [contenteditable]")) return;
  const files = [...(event.clipboardData?.files ?? [])];
  const text = event.clipboardData?.getData("text") ?? "";
  if (files.length === 0 && !text.trim()) return;
  event.preventDefault();
  if (files.length) loadFiles(files);
  else loadText(text);
}

function loadFiles(files) {
  if (files.length === 0) return;
  state.inputs = files.map((file) => ({ name: file.name, file }));
  rescan();
}

function loadText(text) {
  if (!text.trim()) {
    say("Nothing to scan: the pasted text is empty.");
    return;
  }
  state.inputs = [{ name: "pasted text", text }];
  rescan();
}

async function loadExample() {
  try {
    const manifest = await fetchOk("examples/manifest.json").then((r) =>
      r.json());
    if (!manifest.files?.length) throw new Error("the example is empty");
    const files = await Promise.all(manifest.files.map(async (name) => {
      const blob = await fetchOk(`examples/${encodeURIComponent(name)}`)
        .then((r) => r.blob());
      return new File([blob], name);
    }));
    loadFiles(files);
  } catch (error) {
    say(`The example could not be loaded: ${error.message}`);
  }
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response;
}

// ---- scanning -------------------------------------------------------

function currentOptions() {
  const query = byId("kql").value.trim();
  const index = byId("index").value.trim();
  return {
    strict: byId("strict").checked,
    query: query || null,
    index: index || null,
  };
}

/** Checks the filter's syntax here, so the caret shows at once. */
function checkQuery(query) {
  const box = byId("kql-error");
  box.hidden = true;
  if (!query) return true;
  try {
    compile(query).free();
    return true;
  } catch (error) {
    box.textContent = error.message;
    box.hidden = false;
    byId("kql").setAttribute("aria-invalid", "true");
    return false;
  }
}

function rescan() {
  byId("kql").removeAttribute("aria-invalid");
  const options = currentOptions();
  if (!checkQuery(options.query)) return;
  if (state.inputs.length === 0) {
    say("Load files, paste records or load the example first.");
    return;
  }
  stopWorker();
  say(null);
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    type: "module",
  });
  state.worker = worker;
  worker.onmessage = (message) => onWorkerMessage(worker, message.data);
  worker.onerror = (event) => {
    finishScan(worker);
    say(`The scan failed: ${event.message ?? "the worker stopped"}`);
  };
  showProgress({ done: 0, total: 1, records: 0 });
  worker.postMessage({ inputs: state.inputs, options });
}

function onWorkerMessage(worker, data) {
  if (worker !== state.worker) return;
  if (data.type === "progress") return showProgress(data);
  finishScan(worker);
  if (data.type === "report") showReport(data.report);
  else say(`The scan failed: ${data.message}`);
}

function stopWorker() {
  state.worker?.terminate();
  state.worker = null;
}

function finishScan(worker) {
  worker.terminate();
  if (state.worker === worker) state.worker = null;
  byId("progress").hidden = true;
}

function cancel() {
  if (!state.worker) return;
  stopWorker();
  byId("progress").hidden = true;
  say("Scan cancelled; the results shown, if any, are from before.");
}

function showProgress({ done, total, records, hits }) {
  byId("progress").hidden = false;
  const bar = byId("progress-bar");
  bar.max = Math.max(total, 1);
  bar.value = Math.min(done, bar.max);
  const percent = Math.floor((100 * bar.value) / bar.max);
  byId("progress-text").textContent =
    `Reading… ${percent}%` +
    (records ? ` · ${plural(records, "record")}` : "") +
    (hits ? ` · ${plural(hits, "hit")}` : "");
}

// ---- results ----------------------------------------------------------

function wireResults() {
  byId("order").addEventListener("change", () => showHits());
  byId("export-ndjson").addEventListener("click", () => exportHits("ndjson"));
  byId("export-csv").addEventListener("click", () => exportHits("csv"));
  wireHits({
    choose: (position) => chooseHit(position, { focus: true }),
    showMore,
  });
  byId("previous-hit").addEventListener("click", () => step(-1));
  byId("next-hit").addEventListener("click", () => step(1));
  byId("back-to-list").addEventListener("click", backToList);
  byId("detail").addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    backToList();
  });
}

function showReport(report) {
  state.report = report;
  state.chosen = null;
  state.position = -1;
  state.shown = PAGE_ROWS;
  byId("welcome").hidden = true;
  byId("detail").hidden = true;
  renderCounts(report);
  showHits();
  renderUsers(report.users);
  renderProblems(report);
  renderFiles(report.files);
  say(summary(report));
}

function summary(report) {
  const custom = report.options.query
    ? ` with the query \`${shorten(report.options.query)}\``
    : "";
  return `Read ${plural(report.records, "record")}${custom}: ` +
    `${plural(report.hits.length, "hit")}, ` +
    `${plural(report.errorCount, "error")}.`;
}

/** At most about 80 characters of `text`, with `…` where it was cut. */
function shorten(text, most = 80) {
  const chars = [...text];
  if (chars.length <= most) return text;
  return chars.slice(0, most - 1).join("") + "…";
}

/** Lists the hits in the order asked for, keeping the chosen one. */
function showHits() {
  if (!state.report) return;
  state.sorted = sortHits(state.report.hits, byId("order").value);
  state.position = state.sorted.indexOf(state.chosen);
  if (state.position >= state.shown) {
    state.shown = (Math.floor(state.position / PAGE_ROWS) + 1) * PAGE_ROWS;
  }
  renderHits(state.sorted, { shown: state.shown, chosen: state.position });
  renderAlertNameNote(state.sorted, state.info);
  if (state.chosen) {
    markChosen(state.position);
    showDetail();
  }
}

/** Lists the next page of hits and moves the focus to its first row. */
function showMore() {
  const first = state.shown;
  state.shown += PAGE_ROWS;
  renderHits(state.sorted, { shown: state.shown, chosen: state.position });
  const row = hitRowAt(first);
  if (!row) return;
  for (const other of row.parentElement.querySelectorAll("[tabindex='0']")) {
    other.tabIndex = -1;
  }
  row.tabIndex = 0;
  row.focus();
}

/**
 * Shows the hit at `position`. Chosen from the list, its details are
 * scrolled into view and take the focus, so that the choice visibly
 * does something however far down the list it was made.
 */
function chooseHit(position, { focus }) {
  const hit = state.sorted[position];
  if (!hit) return;
  if (position >= state.shown) {
    state.shown = position + 1;
    renderHits(state.sorted, { shown: state.shown, chosen: position });
  }
  state.chosen = hit;
  state.position = position;
  markChosen(position);
  showDetail();
  if (!focus) return;
  const detail = byId("detail");
  detail.scrollIntoView({ block: "start" });
  byId("detail-title").focus({ preventScroll: true });
}

function showDetail() {
  const hit = state.chosen;
  renderDetail(hit, explain(hit), state.info, {
    position: state.position, total: state.sorted.length,
  });
}

/**
 * The previous or next hit, the focus staying on the button pressed;
 * at either end of the list, where that button turns disabled and
 * would drop the focus, it goes to the other one, or to the title.
 */
function step(by) {
  chooseHit(state.position + by, { focus: false });
  const pressed = byId(by < 0 ? "previous-hit" : "next-hit");
  if (!pressed.disabled) return;
  const other = byId(by < 0 ? "next-hit" : "previous-hit");
  (other.disabled ? byId("detail-title") : other).focus();
}

function backToList() {
  const row = hitRowAt(state.position);
  if (row) row.focus();
}

/**
 * The clause-by-clause explanation of a hit: its record judged again
 * with the scan's options (for an export row, the row's AuditData, as
 * the scan read it); should that fail, its normalized event.
 */
function explain(hit) {
  const options = state.report.options;
  const record = hit.raw == null ? null : recordOf(hit.raw).json;
  const records = [record, hit.event].filter((each) => each != null);
  for (const each of records) {
    try {
      return { ...evaluate(each, options), options };
    } catch (error) {
      if (each === records.at(-1)) return { error: error.message };
    }
  }
  return { error: "the record was not kept" };
}

function exportHits(kind) {
  if (!state.report) return;
  const hits = sortHits(state.report.hits, byId("order").value);
  if (kind === "csv") {
    download("restricted-sender-hits.csv", "text/csv", toCsv(hits));
  } else {
    download("restricted-sender-hits.ndjson", "application/x-ndjson",
      toNdjson(hits));
  }
}
