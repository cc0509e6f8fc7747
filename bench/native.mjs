// Runs the native command line, timed from Node, with its peak resident
// memory read by `/usr/bin/time` when the machine has it. BENCH_NATIVE
// names another build to measure.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ROOT } from "./load.mjs";

export const NATIVE = process.env.BENCH_NATIVE ??
  join(ROOT, "target", "release", "restricted-sender");
const TIME = "/usr/bin/time";

export function checkNativeBuilt() {
  if (!existsSync(NATIVE)) {
    throw new Error(`missing ${NATIVE}: build it with ` +
      "`cargo build --release --bin restricted-sender`");
  }
}

/**
 * The flag that turns the per-file SHA-256 off, when this build has one
 * (read from its usage text), or null. `unknown` is a usage line that
 * names the hash in a form this benchmark does not know how to use.
 * TODO: `--no-sha256` is a guess at the flag's name: the command line
 * has no such flag yet; confirm the spelling when it gets one.
 */
export function nativeSha256Flag() {
  const usage = spawnSync(NATIVE, ["--help"], { encoding: "utf8" }).stdout;
  if (/--no-sha256\b/.test(usage ?? "")) return { flag: "--no-sha256" };
  const unknown = (usage ?? "").split("\n").find((line) => /sha/i.test(line));
  return { flag: null, unknown: unknown?.trim() };
}

/** `restricted-sender scan --json ARGS`, `runs` times. */
export function runNative(args, runs) {
  const dir = mkdtempSync(join(tmpdir(), "bench-native-"));
  try {
    const times = [];
    let peakKb = null;
    let report;
    for (let run = 0; run < runs; run++) {
      const measured = runOnce(args, join(dir, "time.txt"));
      times.push(measured.seconds);
      peakKb = Math.max(peakKb ?? 0, measured.peakKb ?? 0) || null;
      report = measured.report;
    }
    return { times, peakRssBytes: peakKb && peakKb * 1024, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runOnce(args, timeFile) {
  const command = ["scan", "--json", ...args];
  const timed = existsSync(TIME);
  const [program, argv] = timed
    ? [TIME, ["-f", "%M", "-o", timeFile, NATIVE, ...command]]
    : [NATIVE, command];
  const start = performance.now();
  const child = spawnSync(program, argv, {
    encoding: "utf8", maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0) {
    throw new Error(`\`restricted-sender ${command.join(" ")}\` exited ` +
      `with status ${child.status}: ${child.stderr.trim()}`);
  }
  const peakKb = timed ? Number(readFileSync(timeFile, "utf8").trim()) : null;
  return { seconds, peakKb, report: JSON.parse(child.stdout) };
}
