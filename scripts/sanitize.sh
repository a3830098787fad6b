#!/usr/bin/env bash
# Builds QGobridge with sanitizers and runs the C++ tests and examples under them.
#
#   scripts/sanitize.sh [address|thread] [extra ctest arguments]
#
#   address  AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer
#            (-DQGOBRIDGE_SANITIZE="address;undefined"), build dir build-asan
#   thread   ThreadSanitizer (-DQGOBRIDGE_SANITIZE=thread), build dir build-tsan,
#            against a Qt built with ThreadSanitizer (see below)
#
# Every sanitizer report fails the test that caused it (halt_on_error=1: the
# process exits non-zero). After ctest, the script also fails if any report
# header appears in the tests' output (Testing/Temporary/LastTest.log), in case
# a report came from a process whose exit status nobody checked. The
# suppression files under tests/sanitizers/ silence third-party noise only;
# each entry says why.
#
# Not run here: the python_unittest_* tests (pure Python, no C++ to check), the
# benchmark (not built), and install_consumer (it rebuilds a project against an
# install of this build, which takes long and checks packaging, not memory; set
# QGB_SANITIZE_INSTALL_TEST=1 to run it too).
#
# thread: TSan only sees the synchronisation of code built with it, and Debian's
# Qt is not (its QMutex, posted events and QThread::wait would show up as false
# races). So this mode builds QGobridge against a ThreadSanitizer build of
# qtbase 6.4.2 (Core, Network, Test, Concurrent) from Debian's own source
# package, installed in $QGB_TSAN_QT; scripts/build-tsan-qt.sh makes it the
# first time (17 to 31 minutes on 2 cores; as root it installs its apt packages)
# and is a no-op after that. The tests load that Qt (RUNPATH and
# LD_LIBRARY_PATH); the script checks with ldd that no test or example resolves
# a libQt6 from anywhere else. CI runs address only: thread does not fit its
# time budget the first time.
#
# The Python workers the pool starts inherit the *SAN_OPTIONS variables; they are
# not instrumented and ignore them. Nothing is LD_PRELOADed: the sanitizer
# runtimes are linked into the instrumented binaries only.
#
# Environment:
#   BUILD_DIR              default build-asan or build-tsan
#   BUILD_TYPE             default Debug: under the sanitizers it compiles much
#                          faster than RelWithDebInfo (the build dominates the
#                          run time) and it enables Q_ASSERT
#   JOBS                   default 2
#   QGB_SOAK_SECONDS       default 20 here (45 in a normal run), to keep CI short
#   QGB_SANITIZER_OPTIONS  appended to every *SAN_OPTIONS, for example
#                          halt_on_error=0 to collect every report in one run
#   QGB_TSAN_QT            thread: the ThreadSanitizer Qt's install prefix, default
#                          $HOME/.cache/qgobridge/qt6-tsan-6.4.2 (see
#                          scripts/build-tsan-qt.sh for its other variables)
set -euo pipefail

mode="${1:-address}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
supp="$root/tests/sanitizers"
jobs="${JOBS:-2}"

qt_args=()
case "$mode" in
address)
    sanitize="address;undefined"
    build="${BUILD_DIR:-$root/build-asan}"
    ;;
thread)
    sanitize="thread"
    build="${BUILD_DIR:-$root/build-tsan}"
    tsan_qt="${QGB_TSAN_QT:-$HOME/.cache/qgobridge/qt6-tsan-6.4.2}"
    # That Qt is qtbase's Core, Network, Test and Concurrent: no Qml or Quick,
    # so no QML module (it must not pick up Debian's Qt Qml, built against
    # another Qt Core), and no Widgets or Charts, so of the inspector only its
    # client library (the side channel's tests use it).
    qt_args=(-DCMAKE_PREFIX_PATH="$tsan_qt" -DQt6_DIR:PATH="$tsan_qt/lib/cmake/Qt6"
        -DQGOBRIDGE_BUILD_QML=OFF -DQGOBRIDGE_BUILD_INSPECTOR_APP=OFF)
    ;;
*)
    echo "usage: $0 [address|thread] [ctest arguments]" >&2
    exit 2
    ;;
esac

"$root/scripts/deps.sh"

start=$SECONDS
if [[ "$mode" == thread ]]; then
    QGB_TSAN_QT="$tsan_qt" "$root/scripts/build-tsan-qt.sh"
    # A build dir configured against another Qt (Debian's, or another prefix)
    # would keep that Qt's cached package dirs: start it afresh.
    if [[ -f "$build/CMakeCache.txt" ]] &&
        ! grep -qxF "Qt6Core_DIR:PATH=$tsan_qt/lib/cmake/Qt6Core" "$build/CMakeCache.txt"; then
        echo "sanitize.sh: $build was configured against another Qt; removing it"
        rm -rf "$build"
    fi
fi
generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Debug}" \
    -DQGOBRIDGE_SANITIZE="$sanitize" "${qt_args[@]}" \
    -DQGOBRIDGE_BUILD_BENCH=OFF \
    -DQGOBRIDGE_BUILD_EXAMPLES=ON
cmake --build "$build" -j "$jobs"
echo "sanitize.sh: built in $((SECONDS - start)) s"

if [[ "$mode" == thread ]]; then
    # The tests must run against the instrumented Qt: their RUNPATH names it
    # (CMake's build RPATH) and LD_LIBRARY_PATH does too, for anything loaded
    # without one. Fail if any binary would still resolve a libQt6 elsewhere.
    export LD_LIBRARY_PATH="$tsan_qt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    checked=0
    while IFS= read -r -d '' bin; do
        head -c 4 "$bin" | grep -q 'ELF' || continue
        qt_libs="$(ldd "$bin" | grep -E '^[[:space:]]*libQt6' || true)"
        [[ -n "$qt_libs" ]] || continue
        checked=$((checked + 1))
        if grep -vF "=> $tsan_qt/lib/" <<<"$qt_libs" | grep -q .; then
            echo "sanitize.sh: $bin does not load the ThreadSanitizer Qt:" >&2
            echo "$qt_libs" >&2
            exit 1
        fi
    done < <(find "$build" -path "$build/CMakeFiles" -prune -o -type f -executable -print0)
    echo "sanitize.sh: $checked binaries load libQt6 from $tsan_qt/lib"
fi

common="halt_on_error=1:print_stacktrace=1"
export UBSAN_OPTIONS="$common:report_error_type=1"
export ASAN_OPTIONS="$common:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
# TSan's default die_after_fork=1 stays: the TSan Qt's QProcess forks and the
# child only execs python3, it starts no thread.
export TSAN_OPTIONS="$common:second_deadlock_stack=1:suppressions=$supp/tsan.supp:print_suppressions=0"
if [[ -n "${QGB_SANITIZER_OPTIONS:-}" ]]; then
    # Extra options for every sanitizer, e.g. halt_on_error=0 to see every report.
    UBSAN_OPTIONS+=":$QGB_SANITIZER_OPTIONS"
    ASAN_OPTIONS+=":$QGB_SANITIZER_OPTIONS"
    TSAN_OPTIONS+=":$QGB_SANITIZER_OPTIONS"
fi
export QGB_SOAK_SECONDS="${QGB_SOAK_SECONDS:-20}"

exclude='^(python_unittest_.*|bench.*)$'
if [[ "${QGB_SANITIZE_INSTALL_TEST:-0}" != 1 ]]; then
    exclude='^(python_unittest_.*|bench.*|install_consumer)$'
fi

cd "$build"
# Keep the whole output of passing tests in Testing/Temporary/LastTest.log (ctest
# cuts it to 1 KB by default) so the check below sees every report.
cat >CTestCustom.cmake <<'EOF2'
set(CTEST_CUSTOM_MAXIMUM_PASSED_TEST_OUTPUT_SIZE 100000000)
set(CTEST_CUSTOM_MAXIMUM_FAILED_TEST_OUTPUT_SIZE 100000000)
EOF2
rm -f Testing/Temporary/LastTest*.log
status=0
ctest --output-on-failure --no-tests=error -j "$jobs" -E "$exclude" -LE '^bench$' \
    "$@" || status=$?

# A report that did not make its test fail (for example one printed by a
# process whose exit code nobody checks) still fails the run.
logs=(Testing/Temporary/LastTest*.log)
if grep -lE '^(==[0-9]+==ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]+Sanitizer|.*runtime error: )' \
    "${logs[@]}" >/dev/null 2>&1; then
    echo "sanitize.sh: sanitizer reports in the test logs:" >&2
    grep -nE '^(==[0-9]+==ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]+Sanitizer|.*runtime error: )' \
        "${logs[@]}" | head -n 40 >&2 || true # head may close the pipe early
    status=1
fi
echo "sanitize.sh: $mode done in $((SECONDS - start)) s, status $status"
exit "$status"
