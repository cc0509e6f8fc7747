// The TypeScript types that ship with the package: a strict compile of
// a file that uses the whole API.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(ROOT, "node_modules", ".bin", "tsc");

test("the shipped types compile a strict use of the whole API", () => {
  const run = spawnSync(TSC, [
    "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext",
    "--moduleResolution", "nodenext", "--lib", "esnext,dom",
    join(ROOT, "pkg-tests", "types-check.ts"),
  ], { encoding: "utf8" });
  assert.equal(run.error, undefined, String(run.error));
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
