// What the numbers were measured on, so that a reader can quote them.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, type } from "node:os";

function cpuModel() {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = info.split("\n").find((row) => /^model name/.test(row));
    if (line) return line.split(":")[1].trim();
  } catch {
    // NOTE: no /proc (macOS): Node's own report is the next best.
  }
  return cpus()[0]?.model ?? "unknown";
}

function versionOf(program, args) {
  const run = spawnSync(program, args, { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : "unknown";
}

export function machine() {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    os: `${type()} ${release()}`,
    node: process.version,
    rustc: versionOf("rustc", ["--version"]),
    date: new Date().toISOString(),
    // The machine is shared: a high load makes every figure lower.
    loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
  };
}
