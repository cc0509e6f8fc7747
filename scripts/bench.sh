#!/usr/bin/env bash
# Measures the wasm package and the command line on generated audit
# exports, checks that they agree, and prints a table of the figures
# against the project's targets (also written to bench-data/results.json).
#
#   scripts/bench.sh [RECORDS] [--quick] [--memory[=SIZE]] [--runs N]
#                    [--no-build]
#
# RECORDS: how many records to generate (100000 by default, about 74 MB
#          of NDJSON; 10000 with --quick); `100k` and `1M` work too
# --quick: a small smoke run, a minute or so
# --memory: also stream 1 GB (or SIZE) of NDJSON through one Scanner
# --no-build: measure what pkg/ and target/release/ hold now
#
# It reports; it does not fail on slow figures. It fails when a build is
# missing or when the scanners disagree about the hits.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

build=1
args=()
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case $arg in
    --no-build) build=0 ;;
    --quick | --memory | --memory=* | --runs=*) args+=("$arg") ;;
    --runs)
      [ $# -gt 0 ] || fail "\`--runs\` needs a number"
      args+=("--runs=$1")
      shift
      ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) fail "unknown option \`$arg\` (see --help)" ;;
    *) args+=("--records=$arg") ;;
  esac
done

command -v node >/dev/null || fail "\`node\` not found: install Node.js 20"
if [ "$build" = 1 ]; then
  bash scripts/build.sh
  step "cargo build --release --bin restricted-sender"
  cargo build --release --bin restricted-sender
fi

step "benchmark"
exec node bench/main.mjs "${args[@]}"
