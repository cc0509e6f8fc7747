#!/usr/bin/env bash
# Builds the npm package `m365-restricted-sender` into pkg/ (wasm-pack,
# then wasm-opt), and lays out the page: the package in www/pkg/, the
# bundled example (example-export/) in www/examples/ with a manifest the
# page reads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

build_package() {
  step "wasm-pack build --release --target web into pkg/"
  wasm-pack build --release --target web --mode no-install \
    --out-dir pkg --out-name m365_restricted_sender
}

optimize_wasm() {
  local wasm=pkg/m365_restricted_sender_bg.wasm
  local opt=node_modules/.bin/wasm-opt
  [ -x "$opt" ] || fail "wasm-opt missing: run scripts/install.sh"
  # NOTE: wasm-opt must be told which proposals the module uses, or it
  # rejects it; rustc records them in the module's `target_features`
  # section, which `--print-features` reads back as flags.
  local features
  mapfile -t features < <("$opt" --print-features "$wasm" 2>/dev/null)
  step "wasm-opt -O3 ${features[*]}"
  "$opt" -O3 "${features[@]}" "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
}

# One JSON file listing the example files, so the page can load them
# without listing a directory.
write_manifest() {
  local dir=$1
  node -e '
    const fs = require("fs");
    const dir = process.argv[1];
    const files = fs.readdirSync(dir)
      .filter((n) => n !== "manifest.json" && !n.startsWith("."))
      .filter((n) => !/\.md$/i.test(n))
      .filter((n) => fs.statSync(dir + "/" + n).isFile())
      .sort();
    fs.writeFileSync(dir + "/manifest.json",
      JSON.stringify({ files }, null, 2) + "\n");
    console.log(`    ${files.length} example file(s): ${files.join(", ")}`);
  ' "$dir"
}

lay_out_page() {
  step "copying the package to www/pkg/ and the example to www/examples/"
  rm -rf www/pkg www/examples
  mkdir -p www/pkg www/examples
  cp pkg/*.js pkg/*.d.ts pkg/*.wasm pkg/package.json www/pkg/
  # The glue imports the JavaScript the module calls from snippets/.
  if [ -d pkg/snippets ]; then
    cp -R pkg/snippets www/pkg/
  fi
  if [ -d example-export ]; then
    cp -R example-export/. www/examples/
  else
    note "no example-export/ folder: the example button will say so"
  fi
  write_manifest www/examples
}

report_size() {
  local wasm=pkg/m365_restricted_sender_bg.wasm raw gz
  raw=$(wc -c <"$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  step "size of $wasm"
  note "$raw bytes raw, $gz bytes gzipped (gzip -9)"
}

build_package
optimize_wasm
lay_out_page
report_size
