// The wasm package and the native command line give the same report for
// the same files: the boundary and the JavaScript glue change nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { pkg, ROOT } from "./load.mjs";
import { nativeCommandLine } from "./native.mjs";

const EXAMPLE = "example-export";

function exampleFiles() {
  return readdirSync(join(ROOT, EXAMPLE))
    .filter((name) => !name.endsWith(".md"))
    .sort()
    .map((name) => `${EXAMPLE}/${name}`);
}

function nativeReport(program, files, extra) {
  const run = spawnSync(program, ["scan", "--json", ...extra, ...files], {
    cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const program = nativeCommandLine();
const skip = program ? false : "no command line built (run `cargo build`)";

for (const [label, options, flags] of [
  ["the rule", {}, []],
  ["--strict", { strict: true }, ["--strict"]],
  ["--query", { query: "event.provider:SecurityComplianceCenter" },
    ["--query", "event.provider:SecurityComplianceCenter"]],
]) {
  test(`the example scanned with ${label}: wasm equals native`, { skip },
    () => {
      const files = exampleFiles();
      const inputs = files.map((name) => ({
        name, data: readFileSync(join(ROOT, name)),
      }));
      const wasm = pkg.scan(inputs, options);
      assert.deepEqual(wasm, nativeReport(program, files, flags));
      assert.ok(wasm.hits.length > 0);
    });
}
