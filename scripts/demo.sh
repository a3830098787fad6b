#!/usr/bin/env bash
# Sets up (as root, on Debian 12), builds QGobridge into build/ and runs examples/tour.
# Environment: BUILD_DIR (default build), BUILD_TYPE (RelWithDebInfo), JOBS (2).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-2}"

"$root/scripts/deps.sh"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DQGOBRIDGE_BUILD_EXAMPLES=ON
cmake --build "$build" -j "$jobs" --target tour

exec "$build/examples/tour/tour"
