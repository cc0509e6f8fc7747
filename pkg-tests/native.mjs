// The native command line that `cargo test` or `cargo build` left.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The newest of the debug and release builds, or undefined. */
export function nativeCommandLine() {
  return ["debug", "release"]
    .map((profile) => join(ROOT, "target", profile, "restricted-sender"))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
