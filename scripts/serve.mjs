// A static file server for the page in `www/`, with no dependencies.
//
//   node scripts/serve.mjs            serves www/ on http://127.0.0.1:8080/
//   PORT=9000 node scripts/serve.mjs  another port (0 picks a free one)
//
// It listens on the loopback address only, sends `application/wasm` so
// that the module compiles while it streams in, and sends the page's
// Content-Security-Policy as a header too (the header also covers the Web
// Worker, which a `<meta>` tag cannot reach).

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  extname, join, normalize, relative, resolve, sep,
} from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
export const WWW = resolve(HERE, "..", "www");

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".ndjson": "application/x-ndjson",
  ".gz": "application/gzip",
};

const HEADERS = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

// The file a URL path names inside `root`, or null when it would leave it.
function fileFor(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  const full = normalize(join(root, path));
  if (full !== root && !full.startsWith(root + sep)) return null;
  return path.endsWith("/") ? join(full, "index.html") : full;
}

/**
 * Where a directory asked for without its trailing slash redirects: its
 * path rebuilt from the file system, so always one leading slash. (The
 * URL as sent may start with `//` or `/\\`, which a browser reads as
 * another host.) The query string, if any, follows.
 */
function directoryLocation(root, dir, url) {
  const parts = relative(root, dir).split(sep).filter(Boolean);
  const path = parts.map((part) => encodeURIComponent(part) + "/").join("");
  const query = url.indexOf("?");
  return "/" + path + (query >= 0 ? url.slice(query) : "");
}

function sendError(res, status, text) {
  res.writeHead(status, { ...HEADERS, "Content-Type": TYPES[".txt"] });
  res.end(text + "\n");
}

async function handle(root, req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return sendError(res, 405, "method not allowed");
  }
  const url = req.url ?? "/";
  const file = fileFor(root, url);
  const info = file && (await stat(file).catch(() => null));
  if (!info) return sendError(res, 404, "not found");
  if (info.isDirectory()) {
    const location = directoryLocation(root, file, url);
    res.writeHead(301, { ...HEADERS, Location: location });
    return res.end();
  }
  const type = TYPES[extname(file).toLowerCase()];
  res.writeHead(200, {
    ...HEADERS,
    "Content-Type": type ?? "application/octet-stream",
    "Content-Length": info.size,
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
}

/** Starts serving `root`; resolves to the server once it listens. */
export function serve({ root = WWW, port = 8080, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    handle(root, req, res).catch(() => sendError(res, 500, "server error"));
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(server));
  });
}

/** The http:// address a listening server answers on. */
export function addressOf(server) {
  const { address, port } = server.address();
  return `http://${address}:${port}/`;
}

async function main() {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, got \`${process.env.PORT}\``);
    process.exit(2);
  }
  const server = await serve({ port }).catch((error) => {
    console.error(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
    process.exit(1);
  });
  console.log(`serving ${WWW} at ${addressOf(server)}`);
  console.log("press Ctrl+C to stop");
}

const runAsScript = process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) main();
