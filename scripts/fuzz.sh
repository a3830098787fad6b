#!/usr/bin/env bash
# Fuzzes the wire codec (tests/fuzz/fuzz_wire.cpp) and the inspector side
# channel's codec (tests/fuzz/fuzz_inspect.cpp) with libFuzzer for a bounded time.
#
#   scripts/fuzz.sh [seconds]      (default 60: two thirds fuzz_wire, one third fuzz_inspect)
#
# Installs clang and its fuzzer runtime if they are missing (as root, with
# apt-get; otherwise it lists them and fails), configures a separate build
# directory (build-fuzz) with clang, builds the two targets, and for each replays
# its saved regressions, then fuzzes a copy of its seed corpus. Exits non-zero if the
# fuzzer finds a crash, a sanitizer error or a broken invariant; the input is
# left in build-fuzz/artifacts/ (save it under tests/fuzz/regressions/, or
# regressions-inspect/ for fuzz_inspect).
#
# Environment: QGB_FUZZ_BUILD_DIR (default <repo>/build-fuzz),
# QGB_FUZZ_SOURCE_DIR (default the repository), QGB_FUZZ_JOBS (default nproc).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "usage: $0 [seconds]" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_dir="${QGB_FUZZ_SOURCE_DIR:-$root}"
build="${QGB_FUZZ_BUILD_DIR:-$root/build-fuzz}"
fuzz_dir="$root/tests/fuzz"

"$root/scripts/deps.sh"

packages=(
    clang              # clang++ with -fsanitize=fuzzer
    libclang-rt-14-dev # libFuzzer, ASan and UBSan runtimes for clang 14
)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]} > 0)); then
    if ((EUID != 0)); then
        echo "fuzz.sh: missing packages: ${missing[*]}" >&2
        echo "fuzz.sh: install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "fuzz.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

generator=()
if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build" "${generator[@]}" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++ \
        -DQGOBRIDGE_BUILD_FUZZERS=ON \
        -DQGOBRIDGE_BUILD_TESTS=OFF \
        -DQGOBRIDGE_BUILD_EXAMPLES=OFF \
        -DQGOBRIDGE_BUILD_BENCH=OFF
fi
cmake --build "$build" --target fuzz_wire fuzz_inspect -j "${QGB_FUZZ_JOBS:-$(nproc)}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
artifacts="$build/artifacts"
mkdir -p "$artifacts"

# fuzz_target NAME CORPUS_DIR REGRESSIONS_DIR SECONDS [libFuzzer options...]
fuzz_target() {
    local name="$1" seeds="$2" regressions="$3" secs="$4"
    shift 4
    local fuzzer="$build/tests/fuzz/$name"
    if [[ ! -x "$fuzzer" ]]; then
        echo "fuzz.sh: $fuzzer was not built (is tests/fuzz added to the top-level" \
            "CMakeLists.txt when QGOBRIDGE_BUILD_FUZZERS is ON?)" >&2
        exit 1
    fi

    # Every saved regression must pass before fuzzing anything new.
    shopt -s nullglob
    local inputs=()
    for r in "$regressions"/*; do
        [[ -f "$r" && "$(basename "$r")" != README* ]] && inputs+=("$r")
    done
    if ((${#inputs[@]} > 0)); then
        echo "fuzz.sh: $name: replaying ${#inputs[@]} regression input(s)"
        "$fuzzer" -artifact_prefix="$artifacts/" "${inputs[@]}"
    fi

    # Fuzz a copy of the corpus: the new inputs libFuzzer keeps stay in the build.
    local corpus="$build/corpus-$name"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$seeds"/* "$corpus/"

    echo "fuzz.sh: fuzzing $name for $secs s"
    local status=0
    "$fuzzer" "$corpus" "$@" \
        -max_total_time="$secs" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" || status=$?
    if ((status != 0)); then
        echo "fuzz.sh: $name failed (exit $status); reproducer(s):" >&2
        ls -1 "$artifacts" >&2 || true
        echo "fuzz.sh: replay one with: $fuzzer <file>; save it under $regressions/" >&2
        exit "$status"
    fi
}

# The same total time as when fuzz_wire ran alone: two thirds for it.
inspect_seconds=$((seconds / 3 > 0 ? seconds / 3 : 1))
wire_seconds=$((seconds - inspect_seconds > 0 ? seconds - inspect_seconds : 1))
fuzz_target fuzz_wire "$fuzz_dir/corpus" "$fuzz_dir/regressions" "$wire_seconds" \
    -dict="$fuzz_dir/wire.dict" -max_len=8192
fuzz_target fuzz_inspect "$fuzz_dir/corpus-inspect" "$fuzz_dir/regressions-inspect" \
    "$inspect_seconds" -max_len=4096
echo "fuzz.sh: no failure in $seconds s"
