#!/usr/bin/env bash
# Takes docs/images/inspector-*.png: runs gobridge-inspector-demo (an
# inspectable application whose two workers get calls, streams, attachments,
# output and errors, and one of which is killed), then the real
# gobridge-inspector in a virtual X server (xvfb-run) with the hidden
# --screenshot FILE --after MSECS options, which grab the window with
# QWidget::grab() (--raise DOCK brings the Workers, Timeline or Stats tab to
# the front); checks each picture with ImageMagick.
#
#   scripts/screenshot-inspector.sh [output directory]
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
cmake --build "$build" --target gobridge-inspector gobridge-inspector-demo -j "${JOBS:-2}"

mkdir -p "$out"
tmp="$(mktemp -d)"
runtime="$tmp/runtime"
mkdir -m 0700 "$runtime"
demo_pid=""
cleanup() {
    [[ -n "$demo_pid" ]] && kill "$demo_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# A private registry: only the demo's pool is listed.
export XDG_RUNTIME_DIR="$runtime"

inspector=("$build/inspector/gobridge-inspector")
shoot() { # shoot <name> <arguments...>
    local name="$1"
    shift
    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1400x900x24" "${inspector[@]}" "$@"
    read -r width height colours < <(identify -format '%w %h %k\n' "$tmp/$name.png")
    echo "screenshot-inspector: $name ${width}x${height}, ${colours} colours"
    if ((width < 400 || height < 250 || colours < 16)); then
        echo "screenshot-inspector: $tmp/$name.png does not look like the window" >&2
        exit 1
    fi
    cp "$tmp/$name.png" "$out/inspector-$name.png"
}

"$build/inspector/gobridge-inspector-demo" --kill-after 2500 --duration 60000 &
demo_pid=$!
sleep 1.5

# The attach dialog, listing the demo.
shoot attach --screenshot-attach "$tmp/attach.png" --after 1500
# The main window attached while the demo runs; a worker is killed at 2.5 s.
shoot main --attach inspector-demo --raise workers --screenshot "$tmp/main.png" --after 6000
# The Timeline, its first 6 s: the killed worker's crash (the demo kills it
# 2.8 s after it started), its restart backoff and the new process.
shoot timeline --attach inspector-demo --raise timeline --timeline-range 0:6 \
    --screenshot "$tmp/timeline.png" --after 4000
# The Stats: calls, errors and bytes per second.
shoot stats --attach inspector-demo --raise stats --screenshot "$tmp/stats.png" --after 5000
# A frame selected: its detail.
shoot frame --attach inspector-demo --screenshot "$tmp/frame.png" --after 2500 \
    --select-frame 40
echo "screenshot-inspector: wrote $out/inspector-{attach,main,frame,timeline,stats}.png"
