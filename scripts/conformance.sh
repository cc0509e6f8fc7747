#!/bin/sh
# Compares our normalization of raw Microsoft 365 audit records with the
# expected output of Elastic's o365 integration, field by field.
#
#   scripts/conformance.sh [FIXTURES_DIR]
#
# Elastic's fixtures are test data under the Elastic License; they are read
# where they are (../shared/data/elastic-fixtures by default) and never
# copied into this repository. Without them there is nothing to compare,
# which is said, and is not a failure.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${ELASTIC_FIXTURES:-$root/../shared/data/elastic-fixtures}}

if [ ! -d "$dir" ]; then
    echo "conformance: no Elastic fixtures at $dir; nothing compared"
    exit 0
fi

cd "$root"
exec cargo run --quiet --example elastic_conformance -- "$dir"
