#!/usr/bin/env bash
# Takes docs/images/qml-example.png: builds examples/qml if needed, runs it in a
# virtual X server (xvfb-run) with --screenshot, which grabs the window with
# QQuickWindow::grabWindow() once it shows a result, an error and streamed
# rows, then checks the image with ImageMagick.
#
#   scripts/screenshot-qml.sh [output.png]
#
# Environment: BUILD_DIR (default build). Needs xvfb, xauth and imagemagick
# (scripts/deps.sh installs them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
out="${1:-$root/docs/images/qml-example.png}"

"$root/scripts/deps.sh"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target qmlexample -j "${JOBS:-2}"

mkdir -p "$(dirname "$out")"
tmp="$(mktemp --suffix=.png)"
trap 'rm -f "$tmp"' EXIT
# The xcb platform in Xvfb; the software renderer, so that no OpenGL is needed.
QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software \
    xvfb-run -a -s "-screen 0 1280x1024x24" \
    "$build/examples/qml/qmlexample" --screenshot "$tmp"

# A real picture: the window's size, and more than a handful of colours.
read -r width height colours < <(identify -format '%w %h %k\n' "$tmp")
echo "screenshot-qml: ${width}x${height}, ${colours} colours"
if ((width < 400 || height < 300 || colours < 16)); then
    echo "screenshot-qml: $tmp does not look like the example's window" >&2
    exit 1
fi
cp "$tmp" "$out"
echo "screenshot-qml: wrote $out"
