// The development server: directory redirects stay on its own origin,
// whatever the path sent looks like.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { addressOf, serve } from "../scripts/serve.mjs";

let root, server, origin;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "restricted-sender-serve-"));
  for (const dir of ["examples", "two words"]) {
    mkdirSync(join(root, dir));
    writeFileSync(join(root, dir, "index.html"), "<p>here</p>\n");
  }
  server = await serve({ root, port: 0 });
  origin = new URL(addressOf(server)).origin;
});

after(() => {
  server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Sends `path` exactly as written, as `curl --path-as-is` would. */
function head(path) {
  return new Promise((ok, fail) => {
    const { hostname, port } = new URL(origin);
    const req = request({ hostname, port, path, method: "HEAD" }, (res) => {
      res.resume();
      ok({ status: res.statusCode, location: res.headers.location });
    });
    req.on("error", fail);
    req.end();
  });
}

const REDIRECTS = [
  ["/examples", "/examples/"],
  ["//examples", "/examples/"],
  ["///examples", "/examples/"],
  ["/%2F%2Fexamples", "/examples/"],
  ["/%2F/examples", "/examples/"],
  ["/./examples", "/examples/"],
  ["/examples?next=//elsewhere", "/examples/?next=//elsewhere"],
  ["/two%20words", "/two%20words/"],
];

test("a directory redirects to its path with one leading slash", async () => {
  for (const [path, want] of REDIRECTS) {
    const { status, location } = await head(path);
    assert.equal(status, 301, path);
    assert.equal(location, want, path);
    assert.equal(new URL(location, origin + path).origin, origin, path);
  }
});

test("no path sent makes a redirect to another host", async () => {
  const paths = ["/\\examples", "/%5Cexamples", "//127.0.0.2/examples",
    "/..//examples", "//examples/../examples"];
  let redirects = 0;
  for (const path of paths) {
    const { status, location } = await head(path);
    if (status === 404) continue;
    redirects += 1;
    assert.equal(status, 301, path);
    assert.match(location, /^\/(?![/\\])/, path);
    assert.equal(new URL(location, origin).origin, origin, path);
  }
  assert.ok(redirects > 0, "no path redirected at all");
});

test("a directory asked for with its slash is served", async () => {
  assert.equal((await head("/examples/")).status, 200);
  assert.equal((await head("//examples/")).status, 200);
  assert.equal((await head("/missing")).status, 404);
});
