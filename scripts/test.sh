#!/usr/bin/env bash
# Builds and runs every test: a warnings-as-errors build with everything on, then an AddressSanitizer +
# UndefinedBehaviorSanitizer build without the live view (which also proves the simulator builds without SDL), then
# a Release build for the statistical tests (claims over tens of seeds of whole experiments, ctest label
# `statistical`), which the validate checks and the sanitizers would make far too slow.
# Usage: scripts/test.sh            (from the repository root or anywhere)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"

jobs="$(nproc 2>/dev/null || echo 2)"

echo "== build/test: RelWithDebInfo, -Werror, validate checks on" >&2
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCASCADE_WERROR=ON -DCASCADE_VALIDATE=ON >/dev/null
cmake --build build/test -j "$jobs"
ctest --test-dir build/test --output-on-failure -j "$jobs"

echo "== build/asan: AddressSanitizer + UBSan, no live view" >&2
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCASCADE_WERROR=ON -DCASCADE_SANITIZE=ON -DCASCADE_VIEW=OFF \
      -DCASCADE_VALIDATE=ON >/dev/null
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs"

# The closing line CI reads: every suite of both builds.
echo "== build/stat: Release, the statistical tests (many seeds of whole experiments; too slow with validate checks)" >&2
cmake -S . -B build/stat -DCMAKE_BUILD_TYPE=Release -DCASCADE_WERROR=ON -DCASCADE_VIEW=OFF >/dev/null
cmake --build build/stat -j "$jobs"
ctest --test-dir build/stat --output-on-failure -L statistical

echo "all tests passed (validate, sanitizer and statistical runs)"
