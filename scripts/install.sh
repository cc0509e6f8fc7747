#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing:
# the Rust targets, wasm-pack, wasm-bindgen-cli at the version Cargo.lock
# pins, the npm dev tools (playwright-core, binaryen) and Chromium.
# Safe to run again: each step says what it checks and skips what is there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

install_targets() {
  local installed
  installed="$(rustup target list --installed)"
  for target in wasm32-unknown-unknown wasm32-wasip1; do
    if grep -qx "$target" <<<"$installed"; then
      note "rust target $target: present"
    else
      step "rustup target add $target"
      rustup target add "$target"
    fi
  done
}

install_wasm_pack() {
  if command -v wasm-pack >/dev/null; then
    note "wasm-pack: present ($(wasm-pack --version))"
  else
    step "cargo install --locked wasm-pack (takes a few minutes)"
    cargo install --locked wasm-pack
  fi
}

# NOTE: the CLI must equal the wasm-bindgen crate's version exactly, or the
# generated glue does not fit the module.
install_wasm_bindgen() {
  local want have=""
  want="$(locked_version wasm-bindgen)"
  [ -n "$want" ] || fail "Cargo.lock names no \`wasm-bindgen\`"
  if command -v wasm-bindgen >/dev/null; then
    have="$(wasm-bindgen --version | awk '{print $2}')"
  fi
  if [ "$have" = "$want" ]; then
    note "wasm-bindgen-cli $want: present"
  else
    step "cargo install --locked wasm-bindgen-cli@$want (have: ${have:-none})"
    cargo install --locked --force "wasm-bindgen-cli@$want"
  fi
}

install_npm_tools() {
  if [ node_modules/.package-lock.json -nt package-lock.json ]; then
    note "npm dev tools: present (node_modules newer than package-lock.json)"
  else
    step "npm ci (playwright-core, binaryen, typescript)"
    npm ci --no-audit --no-fund
  fi
}

install_chromium() {
  if command -v chromium >/dev/null; then
    note "chromium: present ($(command -v chromium))"
  elif command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    step "apt-get install chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    note "chromium: missing, and apt-get is not usable here;"
    note "install Debian's \`chromium\` package (the page test needs it)"
  fi
}

command -v cargo >/dev/null ||
  fail "\`cargo\` not found: install Rust (rustup) first"
command -v npm >/dev/null ||
  fail "\`npm\` not found: install Node.js 20 or later"
step "checking the build and test tools"
install_targets
install_wasm_pack
install_wasm_bindgen
install_npm_tools
install_chromium
step "tools ready"
