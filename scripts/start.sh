#!/usr/bin/env bash
# The first command to run: installs what is missing, builds the wasm
# package and the page and the command line, scans the bundled example
# with the command line, then serves the page (Ctrl+C stops it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/install.sh
bash scripts/build.sh

step "cargo build --release (the command line)"
cargo build --release --bin restricted-sender

# The example's data files, without its README.
example_files() {
  find example-export -maxdepth 1 -type f ! -name '*.md' ! -name '.*' | sort
}

if [ -d example-export ]; then
  mapfile -t files < <(example_files)
  step "restricted-sender scan ${files[*]}"
  target/release/restricted-sender scan "${files[@]}" \
    || note "the scan exited with status $?"
else
  note "no example-export/ folder: nothing to scan"
fi

step "serving the page"
exec node scripts/serve.mjs
