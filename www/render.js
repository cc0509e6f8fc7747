// Renders a ScanReport, a chosen hit and the rule into the page. Every
// value from the input goes in through `textContent` (see dom.js).

import {
  address, breakable, byId, el, fill, jsonBlock, plural, shortTime,
  textLines, trustedHtml,
} from "./dom.js";
import { actionOf, verdictOf } from "./export.js";
import { prettyJson, recordOf } from "./record.js";

/** Hits listed at first, and how many more each "Show more" adds. */
export const PAGE_ROWS = 1000;

/** Where a long clause or query may break: after a field's `:`. */
const AFTER_COLON = /(?<=:)(?=\S)/;

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
 * Fills the hits table with the first `shown` hits; the chosen one (a
 * position in `hits`, or -1) is marked and takes the keyboard focus
 * stop, else the first row does.
 */
export function renderHits(hits, { shown, chosen }) {
  const count = Math.min(shown, hits.length);
  const rows = hits.slice(0, count).map(hitRow);
  fill(byId("hits").tBodies[0], rows);
  const stop = rows[chosen] ?? rows[0];
  if (stop) stop.tabIndex = 0;
  rows[chosen]?.setAttribute("aria-current", "true");
  byId("hits").hidden = hits.length === 0;
  byId("no-hits").hidden = hits.length > 0;
  byId("hits-section").hidden = false;
  renderMore(count, hits.length);
}

function renderMore(count, total) {
  byId("hits-more").hidden = count >= total;
  if (count >= total) return;
  byId("hits-more-text").textContent =
    `Listing ${count.toLocaleString("en")} of ${plural(total, "hit")}; ` +
    "the exports hold them all.";
  const next = Math.min(PAGE_ROWS, total - count);
  byId("show-more").textContent = `Show ${next.toLocaleString("en")} more`;
}

function hitRow(hit, position) {
  const where = `${hit.file}:${hit.line}`;
  return el("tr", { tabIndex: -1, className: "hit", "data-position": position },
    el("td", { className: "time", title: hit.timestamp ?? "" },
      dateAndClock(hit.timestamp)),
    el("td", { className: "user" }, hit.user ? address(hit.user) : "—"),
    el("td", { className: "verdict" }, verdictBadges(hit)),
    el("td", { className: "action" }, actionOf(hit)),
    el("td", { className: "where", title: where }, fileAndLine(hit)));
}

/**
 * A time in a table that may break between the date and the clock,
 * which leaves the other columns more room in a narrow table.
 */
function dateAndClock(iso) {
  if (!iso) return shortTime(iso);
  const [date, clock] = shortTime(iso).split(" ");
  return el("span", {}, el("span", { className: "date" }, date), " ",
    el("span", { className: "clock" }, clock));
}

/** `file:line`, breaking in the name only: after `_`, and after `-`. */
function fileAndLine(hit) {
  return el("span", {}, breakable(hit.file, /(?<=_)/),
    el("span", { className: "line-no" }, `:${hit.line}`));
}

/**
 * Makes the hits table answer the mouse and the keyboard: a click,
 * Enter or Space chooses a row (`choose(position)`); the arrow keys,
 * Home and End move between rows.
 */
export function wireHits({ choose, showMore }) {
  const body = byId("hits").tBodies[0];
  body.addEventListener("click", (event) => {
    const row = event.target.closest("tr.hit");
    if (row) choose(positionOf(row));
  });
  body.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.hit");
    if (row) onRowKey(event, row, choose);
  });
  byId("show-more").addEventListener("click", showMore);
}

function positionOf(row) {
  return Number(row.dataset.position);
}

function onRowKey(event, row, choose) {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    return choose(positionOf(row));
  }
  const rows = row.parentElement.rows;
  const next = {
    ArrowDown: row.nextElementSibling,
    ArrowUp: row.previousElementSibling,
    Home: rows[0],
    End: rows[rows.length - 1],
  }[event.key];
  if (!next?.classList.contains("hit")) return;
  event.preventDefault();
  row.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

/** Marks the hit at `position` as chosen and scrolls the list to it. */
export function markChosen(position) {
  const body = byId("hits").tBodies[0];
  const marked = "tr.hit[tabindex='0'], tr.hit[aria-current]";
  for (const other of body.querySelectorAll(marked)) {
    other.removeAttribute("aria-current");
    other.tabIndex = -1;
  }
  const row = body.rows[position];
  if (!row) return;
  row.setAttribute("aria-current", "true");
  row.tabIndex = 0;
  revealInList(row);
}

/** The row of the hit at `position`, when it is listed. */
export function hitRowAt(position) {
  return byId("hits").tBodies[0].rows[position] ?? null;
}

/**
 * Scrolls the hits list, and only the list, so that `row` shows below
 * the list's sticky header.
 */
function revealInList(row) {
  const list = row.closest(".hits-wrap");
  if (!list) return;
  const head = list.querySelector("thead")?.getBoundingClientRect();
  const box = list.getBoundingClientRect();
  const top = Math.max(box.top, head?.bottom ?? box.top);
  const place = row.getBoundingClientRect();
  if (place.top < top) list.scrollTop -= top - place.top;
  else if (place.bottom > box.bottom) {
    list.scrollTop += place.bottom - box.bottom;
  }
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

/**
 * The chosen hit, the `position`th of `total`: verdicts, clauses, alert,
 * event and the record, laid out and as read.
 */
export function renderDetail(hit, evaluation, info, place) {
  const { position, total } = place;
  const title = `Hit ${(position + 1).toLocaleString("en")} of ` +
    total.toLocaleString("en");
  byId("detail-title").textContent = title;
  byId("detail-status").textContent =
    `${title}: ${hit.user ?? "no user found"}, ${shortTime(hit.timestamp)}`;
  byId("previous-hit").disabled = position === 0;
  byId("next-hit").disabled = position + 1 >= total;
  fill(byId("detail-body"),
    el("p", { className: "detail-head" },
      el("strong", { className: "user" },
        hit.user ? address(hit.user) : "no user found"), " · ",
      el("span", { className: "time" }, shortTime(hit.timestamp)), " ",
      verdictBadges(hit)),
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
  byId("detail").hidden = false;
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
    el("td", { className: "clause" },
      el("code", {}, breakable(clause.text ?? "", AFTER_COLON))),
    el("td", { "data-label": "Expected" }, clause.expected ?? "—"),
    el("td", { "data-label": "Held" },
      held.length ? held.join(", ") : el("em", {}, "nothing")));
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
    el("td", { className: "user" }, address(user.user)),
    cell("num", "Alerts", String(user.alerts)),
    cell("num", "Records", String(user.records)),
    cell("time", "First", dateAndClock(user.first)),
    cell("time", "Last", dateAndClock(user.last)))));
  byId("users").hidden = users.length === 0;
  byId("no-users").hidden = users.length > 0;
  byId("users-section").hidden = false;
}

/**
 * A table cell that names its column, so that on a narrow window, where
 * the table reads as cards, each value still says what it is.
 */
function cell(className, label, content) {
  return el("td", { className, "data-label": label }, content);
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
    el("td", { className: "name" }, breakable(file.name, /(?=\.)|(?<=_)/)),
    cell("", "Format", file.format ?? "—"),
    cell("", "Encoding",
      [file.encoding, file.compressed].filter(Boolean).join(", ") || "—"),
    cell("num", "Bytes", file.bytes.toLocaleString("en")),
    cell("num", "Records", file.records.toLocaleString("en")),
    cell("num", "Errors", file.errors.toLocaleString("en")),
    el("td", {
      className: "hash", "data-label": "SHA-256",
      title: file.sha256 ?? "not computed",
    }, file.sha256 ? file.sha256.slice(0, 12) + "…" : "—"))));
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
      fact("Query", kql(info.query)),
      fact("Alert-name query", kql(info.alertNameQuery)),
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

/** A query shown as code; a long line breaks after a field's `:`. */
function kql(query) {
  return el("code", { className: "kql" }, breakable(query, AFTER_COLON));
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
