#!/usr/bin/env bash
# Every check a change must pass, in order, stopping at the first failure:
# formatting, lints, the Rust tests, the wasm package and the WASI command
# line, the package's tests under Node (the WASI build run by Node's WASI
# host among them), the page in headless Chromium, and the conformance
# check against Elastic's fixtures when that script exists.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

run() {
  local what=$1
  shift
  step "$what: $*"
  "$@" || fail "$what (\`$*\` exited with status $?)"
}

package_tests() {
  find pkg-tests -maxdepth 1 -name '*.test.mjs' ! -name 'page.test.mjs' \
    | sort
}

run "formatting" cargo fmt --check
run "lints" cargo clippy --all-targets -- -D warnings
# NOTE: the wasm boundary is compiled for wasm only, so the host's lint
# run above never sees it.
run "lints of the wasm build" \
  cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
run "rust tests" cargo test
run "wasm build" bash scripts/build.sh
run "command line for WASI" \
  cargo build --release --target wasm32-wasip1 --bin restricted-sender
# shellcheck disable=SC2046
run "package tests under node" node --test $(package_tests)
run "page test in chromium" node --test pkg-tests/page.test.mjs
if [ -f scripts/conformance.sh ]; then
  run "conformance" bash scripts/conformance.sh
else
  note "scripts/conformance.sh not present: conformance skipped"
fi
step "all checks passed"
