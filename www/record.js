// A hit's record as text an analyst can read: JSON laid out one member a
// line, and a CSV row split into its cells to find the record it holds.
// Display only: the scan itself reads the input in wasm. No DOM here, so
// Node tests these functions directly.

/**
 * Text longer than this many characters is shown as read: laying it out
 * would hold the page up for little gain.
 */
export const MAX_PRETTY_CHARS = 4_000_000;

// One JSON token, or a run of whitespace, or anything else up to the
// next token. A string that never closes stops the loop.
const TOKEN = /"(?:[^"\\]|\\[\s\S])*"|[{}[\],:]|\s+|[^\s{}[\],:"]+/y;

/**
 * JSON text laid out two spaces a level, each token kept exactly as
 * written (a number too long for JavaScript stays as it was). Text that
 * is not JSON comes back laid out as far as it reads, then as it is.
 */
export function prettyJson(text) {
  if (text.length > MAX_PRETTY_CHARS) return text;
  const out = [];
  let depth = 0;
  let open = false;
  let read = 0;
  TOKEN.lastIndex = 0;
  for (let match; (match = TOKEN.exec(text)); read = TOKEN.lastIndex) {
    const token = match[0];
    if (/^\s/.test(token)) continue;
    const closes = token === "}" || token === "]";
    if (open && !closes) out.push(newline(depth));
    open = token === "{" || token === "[";
    if (open) depth += 1;
    if (closes) depth = Math.max(0, depth - 1);
    if (closes && !isOpener(out.at(-1))) out.push(newline(depth));
    out.push(token === ":" ? ": " : token);
    if (token === ",") out.push(newline(depth));
  }
  return out.join("") + text.slice(read);
}

function newline(depth) {
  return "\n" + "  ".repeat(depth);
}

function isOpener(token) {
  return token === "{" || token === "[";
}

/**
 * The cells of one CSV row as read: commas outside quotes separate
 * cells, `""` inside quotes is one quote, and quoted cells may hold line
 * breaks.
 */
export function csvCells(row) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < row.length; i += 1) {
    const c = row[i];
    if (quoted && c === '"' && row[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  cells.push(cell.replace(/\r?\n$/, ""));
  return cells;
}

/**
 * The record a CSV export row carries: its `AuditData` cell, found as
 * the longest cell that holds a JSON object (the row's other cells are
 * short scalars). Null when no cell does.
 */
export function auditDataOf(row) {
  const objects = csvCells(row).map((cell) => cell.trim())
    .filter((cell) => cell.startsWith("{") && cell.endsWith("}"));
  if (objects.length === 0) return null;
  return objects.reduce((long, cell) =>
    cell.length > long.length ? cell : long);
}

/**
 * What a hit's raw text holds, for display: `json` is the record as
 * JSON text (null when none is found), `row` says the raw text is an
 * export's CSV row, whose record is its AuditData cell. A JSON record
 * starts with `{` or `[`; a CSV row never does, as its first cell is a
 * plain value.
 */
export function recordOf(raw) {
  const row = !/^\s*[{[]/.test(raw);
  return { json: row ? auditDataOf(raw) : raw, row };
}
