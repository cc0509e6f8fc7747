// Loads the built wasm package the way a Node user of the `web` target
// does (instantiate from the bytes), and keeps the module's exports so
// that the benchmark can read the size of its linear memory. PKG_DIR
// names another build to measure.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const PKG = resolve(ROOT, process.env.PKG_DIR ?? "pkg");
export const GLUE = resolve(PKG, "m365_restricted_sender.js");
export const WASM = resolve(PKG, "m365_restricted_sender_bg.wasm");

/** Throws a readable error when the package has not been built. */
export function checkBuilt() {
  for (const path of [GLUE, WASM]) {
    if (!existsSync(path)) {
      throw new Error(
        `missing ${path}: build the package with \`bash scripts/build.sh\``,
      );
    }
  }
}

/** The package's exports, and `memory`, the module's linear memory. */
export async function loadPackage() {
  checkBuilt();
  const api = await import(pathToFileURL(GLUE).href);
  const exports = api.initSync({ module: readFileSync(WASM) });
  return { api, memory: exports.memory };
}

export const MIB = 1 << 20;
