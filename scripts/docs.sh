#!/usr/bin/env bash
# Builds the C++ reference documentation (HTML) with qdoc and fails on any
# qdoc warning or error, and on any public declaration left undocumented.
#
#   scripts/docs.sh
#
# The configuration is docs/qgobridge.qdocconf. qdoc needs a configured build
# tree (for qgbversion.h and the camel-case headers): this script configures
# one if BUILD_DIR has none. The HTML goes to $BUILD_DIR/docs/html.
#
# Environment: BUILD_DIR (default build), QDOC (default Qt's qdoc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac

"$root/scripts/deps.sh"

qtpaths=qtpaths6
command -v "$qtpaths" >/dev/null || qtpaths=/usr/lib/qt6/bin/qtpaths
qdoc="${QDOC:-$("$qtpaths" --query QT_HOST_BINS)/qdoc}"
if [[ ! -x "$qdoc" ]]; then
    echo "docs.sh: qdoc not found at $qdoc (Debian: apt-get install qt6-documentation-tools)" >&2
    exit 1
fi

if [[ ! -f "$build/include/QGobridge/qgbversion.h" ]]; then
    generator=()
    [[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" >/dev/null
fi

output="$build/docs/html"
rm -rf "$output"
mkdir -p "$output"
log="$build/docs/qdoc.log"

# Qt's macros.qdocconf (\nullptr and the like) reads QT_VERSION and QT_VER.
export QT_VERSION="$("$qtpaths" --query QT_VERSION)"
export QT_VER="${QT_VERSION%.*}"
export QT_INSTALL_DOCS="$("$qtpaths" --query QT_INSTALL_DOCS)"
export QT_INSTALL_HEADERS="$("$qtpaths" --query QT_INSTALL_HEADERS)"
export QGOBRIDGE_BUILD_DIR="$build"
export QGOBRIDGE_DOCS_OUTPUT="$output"
QGOBRIDGE_VERSION="$(sed -n 's/^#define QGOBRIDGE_VERSION_STR "\(.*\)"/\1/p' \
    "$build/include/QGobridge/qgbversion.h")"
export QGOBRIDGE_VERSION

status=0
"$qdoc" "$root/docs/qgobridge.qdocconf" >"$log" 2>&1 || status=$?
# qdoc's own progress lines start with "qt.qdoc:"; everything else is a
# diagnostic. warninglimit makes qdoc fail on warnings; this also catches
# errors that do not count as warnings.
if ((status != 0)) || grep -v '^qt\.qdoc: ' "$log" | grep -q .; then
    grep -v '^qt\.qdoc: ' "$log" >&2 || true
    echo "docs.sh: qdoc failed (exit status $status); the full output is in $log" >&2
    exit 1
fi

# qdoc does not warn about a public member without documentation: it leaves it
# out. doc_coverage.py lists the installed headers' declarations and checks
# each against qdoc's index.
python3 "$root/scripts/doc_coverage.py" --build-dir "$build" --qdoc "$qdoc" \
    --qt-headers "$QT_INSTALL_HEADERS" --index "$output/qgobridge.index" "$root/src/core"

echo "docs.sh: $(find "$output" -name '*.html' | wc -l) pages in $output, no warnings"
