// Small helpers to build DOM nodes. Text always goes in as text nodes,
// so nothing read from the input can ever become markup.

/**
 * Creates an element. `props` sets properties (`className`, `title`,
 * `hidden`...) or, for keys with a dash, attributes (`aria-label`,
 * `data-index`). Children are nodes or strings; null is skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key.includes("-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  node.append(...present(children));
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

/** Replaces every child of `node`. */
export function fill(node, ...children) {
  node.replaceChildren(...present(children));
}

/** Children flattened, without null or undefined. */
function present(children) {
  return children.flat(Infinity).filter((child) => child != null);
}

/** Pretty JSON inside a `<pre>`, as text, wrapped (see `textLines`). */
export function jsonBlock(value) {
  return textLines(JSON.stringify(value, null, 2));
}

/** Lines laid out one by one at most; more are shown as one text. */
const MAX_LAID_OUT_LINES = 5_000;

/**
 * Text in a `<pre>` whose long lines wrap under their own indentation
 * (a hanging indent), so that a laid-out record reads without scrolling
 * sideways. Each line is a block that keeps its text whole, so that
 * copying the record gives it back as it was. Text of very many lines
 * just wraps.
 */
export function textLines(text, className = "json") {
  const lines = text.split("\n");
  if (lines.length > MAX_LAID_OUT_LINES) {
    return el("pre", { className: `${className} wrap` }, text);
  }
  return el("pre", { className: `${className} lines` }, lines.map((line) => {
    const node = el("span", { className: "line" }, line);
    const indent = line.match(/^ */)[0].length;
    // NOTE: set through the CSSOM, which the page's CSP allows; a style
    // attribute would be blocked.
    if (indent) node.style.setProperty("--indent", `${indent}ch`);
    return node;
  }));
}

/**
 * Text that may also break where `at` matches (an empty match, such as a
 * lookahead), besides where text breaks anyway (spaces, hyphens): a
 * `<span>` of the pieces with `<wbr>` between them.
 */
export function breakable(text, at, className = "") {
  return el("span", { className }, String(text).split(at).flatMap(
    (piece, i) => i === 0 ? [piece] : [el("wbr"), piece]));
}

/**
 * An e-mail address that breaks before its `@` first, and inside its
 * domain, before a dot, only when the domain alone does not fit (the
 * domain is one inline block, see `.domain` in style.css).
 */
export function address(text) {
  const at = String(text).lastIndexOf("@");
  if (at <= 0) return breakable(text, /(?=\.)/);
  return el("span", {}, String(text).slice(0, at), el("wbr"),
    breakable(String(text).slice(at), /(?=\.)/, "domain"));
}

/**
 * Nodes from HTML that the wasm module compiled in at build time (the
 * rule's guide). Never pass input text here.
 */
export function trustedHtml(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const bad of parsed.querySelectorAll("script, style, iframe")) {
    bad.remove();
  }
  for (const link of parsed.querySelectorAll("a[href]")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
  return [...parsed.body.childNodes].map((node) =>
    document.adoptNode(node),
  );
}

/** A time as shown in tables: `2026-11-30 09:05:40`, UTC; ms if any. */
export function shortTime(iso) {
  if (!iso) return "no time";
  return iso.replace("T", " ").replace(/(\.000)?Z$/, "");
}

export function plural(count, one, many = one + "s") {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}
