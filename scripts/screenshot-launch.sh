#!/usr/bin/env bash
# Takes docs/images/inspector-launch.png: gobridge-inspector in Launch mode on
# tests/python/workers/launchworker.py, in a virtual X server (xvfb-run),
# with the hidden options --launch-call NAME, --launch-args JSON and
# --launch-kwargs JSON (call a function once the workers described it) and
# --screenshot-launch FILE (grab the Launch panel with QWidget::grab() a
# second after the call ended): a call that raises, so the picture shows the
# error and its Python traceback.
# Checks the picture with ImageMagick.
#
#   scripts/screenshot-launch.sh [output directory]
#
# Environment: BUILD_DIR (default build). Needs xvfb, xauth and imagemagick
# (scripts/deps.sh installs them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
out="${1:-$root/docs/images}"

"$root/scripts/deps.sh"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target gobridge-inspector -j "${JOBS:-2}"

mkdir -p "$out"
tmp="$(mktemp -d)"
runtime="$tmp/runtime"
mkdir -m 0700 "$runtime"
trap 'rm -rf "$tmp"' EXIT
# A private registry: the window attaches to its own pool only.
export XDG_RUNTIME_DIR="$runtime"

QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1700x1000x24" \
    "$build/inspector/gobridge-inspector" "$root/tests/python/workers/launchworker.py" \
    --launch-call parse_record --launch-args '["name=Ada, born=1815"]' \
    --launch-kwargs '{"sep": ","}' \
    --screenshot-launch "$tmp/launch.png"
read -r width height colours < <(identify -format '%w %h %k\n' "$tmp/launch.png")
echo "screenshot-launch: launch ${width}x${height}, ${colours} colours"
if ((width < 400 || height < 400 || colours < 16)); then
    echo "screenshot-launch: $tmp/launch.png does not look like the panel" >&2
    exit 1
fi
cp "$tmp/launch.png" "$out/inspector-launch.png"
echo "screenshot-launch: wrote $out/inspector-launch.png"
