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

/** Pretty JSON inside a `<pre>`, as text. */
export function jsonBlock(value) {
  return el("pre", { className: "json" }, JSON.stringify(value, null, 2));
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
