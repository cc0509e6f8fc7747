// Exports of the hits: NDJSON (one hit per line, as the report has it)
// and CSV for spreadsheets.

export const CSV_COLUMNS = [
  "timestamp", "user", "verdict", "action", "alertId", "file", "line",
];

/** The verdict of a hit in words. */
export function verdictOf(hit) {
  if (hit.query && hit.alertName) return "query and alert name";
  return hit.query ? "query" : "alert name";
}

export function actionOf(hit) {
  const action = hit.event?.event?.action;
  return Array.isArray(action) ? action.join(", ") : action ?? "";
}

export function toNdjson(hits) {
  return hits.map((hit) => JSON.stringify(hit) + "\n").join("");
}

export function toCsv(hits) {
  const rows = hits.map((hit) => [
    hit.timestamp ?? "", hit.user ?? "", verdictOf(hit), actionOf(hit),
    hit.alertId ?? "", hit.file, String(hit.line),
  ]);
  return [CSV_COLUMNS, ...rows]
    .map((row) => row.map(csvCell).join(","))
    .join("\r\n") + "\r\n";
}

/**
 * One CSV cell. A cell a spreadsheet would run as a formula (it starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
 * apostrophe, so opening the export runs nothing from the input.
 */
export function csvCell(value) {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Offers `text` as a file download, without any network request. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
