// The command line built for wasm32-wasip1, run by Node's own WASI host:
// it reads files and stdin and gives the report the native build gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WASI } from "node:wasi";

import { nativeCommandLine } from "./native.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WASM = join(ROOT, "target", "wasm32-wasip1", "release",
  "restricted-sender.wasm");
const NATIVE = nativeCommandLine();
const skip = !existsSync(WASM)
  ? "no WASI build (cargo build --target wasm32-wasip1 --release)"
  : !NATIVE && "no native build to compare with (cargo build)";

const FILES = readdirSync(join(ROOT, "example-export"))
  .filter((name) => !name.endsWith(".md"))
  .sort()
  .map((name) => `example-export/${name}`);

/** Runs the WASI build; returns its exit code, stdout and stderr. */
async function runWasi(args, stdinPath) {
  const dir = mkdtempSync(join(tmpdir(), "restricted-sender-wasi-"));
  const fds = {
    stdin: openSync(stdinPath ?? "/dev/null", "r"),
    stdout: openSync(join(dir, "out"), "w"),
    stderr: openSync(join(dir, "err"), "w"),
  };
  try {
    const wasi = new WASI({
      version: "preview1", args: ["restricted-sender", ...args], env: {},
      preopens: { ".": ROOT }, returnOnExit: true, ...fds,
    });
    const module = await WebAssembly.compile(readFileSync(WASM));
    const instance = await WebAssembly.instantiate(module,
      wasi.getImportObject());
    const code = wasi.start(instance);
    return {
      code,
      stdout: readFileSync(join(dir, "out"), "utf8"),
      stderr: readFileSync(join(dir, "err"), "utf8"),
    };
  } finally {
    Object.values(fds).forEach((fd) => closeSync(fd));
    rmSync(dir, { recursive: true, force: true });
  }
}

function runNative(args, stdinPath) {
  const run = spawnSync(NATIVE, args, {
    cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20,
    input: stdinPath ? readFileSync(stdinPath) : "",
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("files: the WASI build reports what the native build reports",
  { skip }, async () => {
    const args = ["scan", "--json", ...FILES];
    const wasi = await runWasi(args);
    assert.equal(wasi.code, 0, wasi.stderr);
    assert.deepEqual(JSON.parse(wasi.stdout),
      JSON.parse(runNative(args).stdout));
  });

test("stdin to stdout, as a table", { skip }, async () => {
  const input = join(ROOT, FILES[0]);
  const wasi = await runWasi(["scan", "-"], input);
  assert.equal(wasi.code, 0, wasi.stderr);
  assert.equal(wasi.stdout, runNative(["scan", "-"], input).stdout);
  assert.match(wasi.stdout, /megan\.bowen@contoso\.com/);
});

test("a KQL syntax error exits with status 2", { skip }, async () => {
  const wasi = await runWasi(["scan", "--query", "a:(", "-"]);
  assert.equal(wasi.code, 2);
  assert.match(wasi.stderr, /a:\(\n +\^/);
});
