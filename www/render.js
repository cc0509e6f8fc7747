// Renders a ScanReport, a chosen hit and the rule into the page. Every
// value from the input goes in through `textContent` (see dom.js).

import {
  byId, el, fill, jsonBlock, plural, shortTime, textLines, trustedHtml,
} from "./dom.js";
import { actionOf, verdictOf } from "./export.js";
import { prettyJson, recordOf } from "./record.js";

/** Hits listed at most; the exports hold them all. */
export const MAX_ROWS = 2000;

export function renderCounts(report) {
  const queryHits = report.hits.filter((hit) => hit.query).length;
  const nameHits = report.hits.filter((hit) => hit.alertName).length;
  const items = [
    ["Files", report.files.length],
    ["Records", report.records],
    ["Hits", report.hits.length],
    ["by the query", queryHits],
    ["by alert name", nameHits],
    ["Restricted users", report.users.length],
    ["Duplicates", report.duplicates],
    ["Errors", report.errorCount],
    ["Warnings", report.warnings.length],
  ];
  fill(byId("counts"), items.map(([label, value]) =>
    el("div", { className: value && label === "Errors" ? "bad" : "" },
      el("dt", {}, label), el("dd", {}, value.toLocaleString("en")))));
  byId("summary-section").hidden = false;
}

function verdictBadges(hit) {
  return [
    hit.query ? el("span", { className: "badge query" }, "query") : null,
    hit.alertName
      ? el("span", { className: "badge name" }, "alert name")
      : null,
  ];
}

/** Oldest or newest first; records with no time stay last. */
export function sortHits(hits, order) {
  const sorted = hits.map((hit, position) => ({ hit, position }));
  const sign = order === "newest" ? -1 : 1;
  sorted.sort((a, b) => {
    const [x, y] = [a.hit.timestamp, b.hit.timestamp];
    if (x === y) return a.position - b.position;
    if (!x) return 1;
    if (!y) return -1;
    return sign * (x < y ? -1 : 1);
  });
  return sorted.map(({ hit }) => hit);
}

/**
 * Fills the hits table. `onChoose(hit, row)` runs when a row is chosen
 * by click, Enter or Space; arrow keys move between rows.
 */
export function renderHits(hits, { selected, onChoose }) {
  const body = byId("hits").tBodies[0];
  const rows = hits.slice(0, MAX_ROWS).map((hit) => hitRow(hit, onChoose));
  fill(body, rows);
  const current = hits.indexOf(selected);
  const focusable = rows[current >= 0 && current < rows.length ? current : 0];
  if (focusable) focusable.tabIndex = 0;
  if (current >= 0 && rows[current]) {
    rows[current].setAttribute("aria-current", "true");
  }
  byId("hits").hidden = hits.length === 0;
  byId("no-hits").hidden = hits.length > 0;
  byId("hits-section").hidden = false;
  if (hits.length > MAX_ROWS) {
    body.append(el("tr", {}, el("td", { colSpan: 5, className: "more" },
      `Showing the first ${MAX_ROWS.toLocaleString("en")} of ` +
      `${plural(hits.length, "hit")}; the exports hold them all.`)));
  }
}

function hitRow(hit, onChoose) {
  const row = el("tr", { tabIndex: -1, className: "hit" },
    el("td", { className: "time", title: hit.timestamp ?? "" },
      shortTime(hit.timestamp)),
    el("td", { className: "user" }, hit.user ?? "—"),
    el("td", { className: "verdict" }, verdictBadges(hit)),
    el("td", { className: "action" }, actionOf(hit)),
    el("td", { className: "where" }, `${hit.file}:${hit.line}`));
  row.addEventListener("click", () => onChoose(hit, row));
  row.addEventListener("keydown", (event) =>
    onRowKey(event, hit, row, onChoose));
  return row;
}

function onRowKey(event, hit, row, onChoose) {
  const moves = {
    ArrowDown: "nextElementSibling",
    ArrowUp: "previousElementSibling",
  };
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    onChoose(hit, row);
  } else if (moves[event.key]) {
    const next = row[moves[event.key]];
    if (next?.classList.contains("hit")) {
      event.preventDefault();
      row.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    }
  }
}

export function markChosen(row) {
  for (const other of byId("hits").querySelectorAll("tr.hit")) {
    other.removeAttribute("aria-current");
    other.tabIndex = -1;
  }
  row.setAttribute("aria-current", "true");
  row.tabIndex = 0;
}

export function renderAlertNameNote(hits, info) {
  const named = hits.filter((hit) => hit.alertName && !hit.query).length;
  const note = byId("alert-name-note");
  note.hidden = named === 0;
  if (named === 0) return;
  fill(note,
    el("strong", {},
      `${plural(named, "hit")} found by the alert's name only. `),
    whyMissed(info));
}

/** Why the rule's own query misses a real alert, in the rule's words. */
function whyMissed(info) {
  return el("span", {}, info?.alertNameReason ?? "");
}

/** The chosen hit: verdicts, clauses, alert, event and raw record. */
export function renderDetail(hit, evaluation, info) {
  const section = byId("detail");
  fill(byId("detail-body"),
    el("p", { className: "detail-head" },
      el("strong", {}, hit.user ?? "no user found"), " · ",
      shortTime(hit.timestamp), " · ", verdictBadges(hit)),
    hit.alertName && !hit.query
      ? el("p", { className: "note" },
        el("strong", {}, "Why the rule's query misses this record. "),
        whyMissed(info))
      : null,
    facts(hit),
    clausesBlock(evaluation),
    jsonDetails("Alert", hit.alert, false),
    jsonDetails("Normalized event", hit.event, false),
    recordDetails(hit.raw));
  section.hidden = false;
}

function facts(hit) {
  const rows = [
    ["Verdict", verdictOf(hit)],
    ["Action", actionOf(hit) || "—"],
    ["Alert id", hit.alertId ?? "—"],
    ["File", hit.file],
    ["Line", String(hit.line)],
    ["Record in file", `#${hit.index + 1}`],
  ];
  return el("dl", { className: "facts" },
    rows.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

function clausesBlock(evaluation) {
  if (evaluation.error) {
    return el("p", { className: "message" },
      "No explanation: " + evaluation.error);
  }
  const custom = Boolean(evaluation.options?.query);
  const groups = Object.entries(GROUP_TITLES).map(([verdict, title]) => [
    verdict === "query" && custom ? "The custom query" : title,
    evaluation.clauses.filter((clause) => clause.verdict === verdict),
  ]);
  return el("div", { className: "clauses" },
    groups.filter(([, list]) => list.length > 0)
      .map(([title, list]) => clauseTable(title, list)));
}

const GROUP_TITLES = {
  query: "The rule's query",
  alertName: "The alert-name query",
};

function clauseTable(title, clauses) {
  return el("table", { className: "clause-table" },
    el("caption", {}, title),
    el("thead", {}, el("tr", {},
      ["", "Clause", "Expected", "Held"].map((name) =>
        el("th", { scope: "col" }, name)))),
    el("tbody", {}, clauses.map(clauseRow)));
}

function clauseRow(clause) {
  const held = (clause.values ?? []).map((value) =>
    typeof value === "string" ? value : JSON.stringify(value));
  return el("tr", { className: clause.passed ? "pass" : "fail" },
    el("td", { className: "mark" },
      el("span", { "aria-label": clause.passed ? "passed" : "failed" },
        clause.passed ? "✓" : "✗")),
    el("td", {}, el("code", {}, clause.text ?? "")),
    el("td", {}, clause.expected ?? "—"),
    el("td", {}, held.length ? held.join(", ") : el("em", {}, "nothing")));
}

function jsonDetails(title, value, open) {
  if (value == null) return null;
  return el("details", { open }, el("summary", {}, title), jsonBlock(value));
}

/**
 * The record as read, and laid out: a JSON record pretty-printed, or for
 * an export row its AuditData cell, the row itself shown as read.
 */
function recordDetails(raw) {
  if (raw == null) {
    return el("p", { className: "message" },
      "This hit's record, event and alert were not kept: the report " +
      "keeps them for the first hits only (see the warnings).");
  }
  const { json, row } = recordOf(raw);
  return [
    json == null ? null : el("details", { className: "record", open: true },
      el("summary", {}, row ? "Record (the row's AuditData)" : "Record"),
      textLines(prettyJson(json))),
    el("details", { className: "record" },
      el("summary", {}, row ? "Row as read" : "Record as read"),
      el("pre", { className: "json wrap" }, raw)),
  ];
}

export function renderUsers(users) {
  fill(byId("users").tBodies[0], users.map((user) => el("tr", {},
    el("td", { className: "user" }, user.user),
    el("td", { className: "num" }, String(user.alerts)),
    el("td", { className: "num" }, String(user.records)),
    el("td", { className: "time" }, shortTime(user.first)),
    el("td", { className: "time" }, shortTime(user.last)))));
  byId("users").hidden = users.length === 0;
  byId("no-users").hidden = users.length > 0;
  byId("users-section").hidden = false;
}

export function renderProblems(report) {
  const items = [
    ...report.errors.map((error) => problem("error", error)),
    ...report.warnings.map((warning) => problem("warning", warning)),
  ];
  const hidden = report.errorCount - report.errors.length;
  if (hidden > 0) {
    items.push(el("li", { className: "more" },
      `${plural(hidden, "more error")} not listed`));
  }
  fill(byId("problems"), items);
  byId("problems-section").hidden = items.length === 0;
}

function problem(kind, { file, line, message }) {
  const where = line == null ? file : `${file}:${line}`;
  return el("li", { className: kind },
    el("span", { className: "kind" }, kind), " ",
    el("span", { className: "where" }, where), " ",
    el("span", {}, message));
}

export function renderFiles(files) {
  fill(byId("files").tBodies[0], files.map((file) => el("tr", {},
    el("td", {}, file.name),
    el("td", {}, file.format ?? "—"),
    el("td", {}, [file.encoding, file.compressed].filter(Boolean).join(", ")),
    el("td", { className: "num" }, file.bytes.toLocaleString("en")),
    el("td", { className: "num" }, String(file.records)),
    el("td", { className: "num" }, String(file.errors)),
    el("td", { className: "hash", title: file.sha256 ?? "not computed" },
      file.sha256 ? file.sha256.slice(0, 12) + "…" : "—"))));
  byId("files-section").hidden = files.length === 0;
}

/** The rule panel: what Elastic runs, and what applies offline. */
export function renderRule(info) {
  fill(byId("rule"),
    el("p", { className: "rule-name" }, info.name),
    el("p", {}, info.description),
    el("dl", { className: "facts" },
      fact("Severity", el("span", { className: `sev ${info.severity}` },
        info.severity)),
      fact("Risk score", String(info.riskScore)),
      fact("Version", String(info.version)),
      fact("Query", el("code", { className: "kql" }, info.query)),
      fact("Alert-name query",
        el("code", { className: "kql" }, info.alertNameQuery)),
      fact("MITRE ATT&CK", threatList(info.threat)),
      fact("Schedule", notApplied(
        `every ${info.interval}, from ${info.from}, ` +
        `at most ${info.maxSignals} alerts a run`)),
      fact("Index patterns", notApplied(info.index.join(", "))),
      fact("References", linkList(info.references)),
      fact("Setup", trustedHtml(info.setupHtml)),
      fact("Author", info.author.join(", ")),
      fact("License", info.license)));
  fill(byId("guide"), trustedHtml(info.noteHtml));
}

function fact(term, value) {
  return [el("dt", {}, term), el("dd", {}, value)];
}

function notApplied(text) {
  return [text, el("span", { className: "offline" }, " (not applied offline)")];
}

function threatList(threats) {
  return el("ul", { className: "plain" }, threats.flatMap((threat) => [
    el("li", {}, "Tactic: ", link(threat.tactic)),
    ...threat.technique.map((technique) =>
      el("li", {}, "Technique: ", link(technique))),
  ]));
}

function link({ id, name, reference }) {
  return outside(reference, `${name} (${id})`);
}

function linkList(urls) {
  return el("ul", { className: "plain refs" }, urls.map((url) =>
    el("li", {}, outside(url, url))));
}

/** A link that opens in a new tab and tells the other site nothing. */
function outside(href, text) {
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" },
    text);
}
