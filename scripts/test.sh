#!/usr/bin/env bash
# Sets up (as root, on Debian 12), builds QGobridge into build/ and runs every test.
# Extra arguments go to ctest, for example: ./scripts/test.sh -R pool
# Environment: BUILD_DIR (default build), BUILD_TYPE (RelWithDebInfo), JOBS (2).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-2}"

"$root/scripts/deps.sh"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
cmake --build "$build" -j "$jobs"

cd "$build"
ctest --output-on-failure --no-tests=error -j "$jobs" "$@"
