#!/usr/bin/env bash
# The main job: installs missing Debian packages, builds Cascade (optimised) and runs the baseline experiment,
# experiments/baseline.json (a 24 h market with every population), into out/baseline/.
# Usage: scripts/run-baseline.sh [extra arguments passed to the run]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"

jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCASCADE_TESTS=OFF >/dev/null
cmake --build build/release -j "$jobs" --target cascade

mkdir -p out
exec build/release/app/cascade run experiments/baseline.json --out out/baseline "$@"
