// Loads the built package (pkg/, or PKG_DIR) the way a Node, Deno or
// Workers user would with the `web` target: instantiate from the bytes.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = resolve(ROOT, process.env.PKG_DIR ?? "pkg");

async function load() {
  const glue = pathToFileURL(resolve(PKG, "m365_restricted_sender.js"));
  const wasm = resolve(PKG, "m365_restricted_sender_bg.wasm");
  const module = await import(glue.href).catch((error) => {
    throw new Error(
      `cannot load the package from ${PKG} (run scripts/build.sh): ` +
        error.message,
    );
  });
  module.initSync({ module: await readFile(wasm) });
  return module;
}

export const pkg = await load();

/** The text of a file under the repository root. */
export function readText(path) {
  return readFile(resolve(ROOT, path), "utf8");
}

export function readBytes(path) {
  return readFile(resolve(ROOT, path));
}
