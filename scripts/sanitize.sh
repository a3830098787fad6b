#!/usr/bin/env bash
# Builds QGobridge with sanitizers and runs the C++ tests and examples under them.
#
#   scripts/sanitize.sh [address|thread] [extra ctest arguments]
#
#   address  AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer
#            (-DQGOBRIDGE_SANITIZE="address;undefined"), build dir build-asan
#   thread   ThreadSanitizer (-DQGOBRIDGE_SANITIZE=thread), build dir build-tsan
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
# thread: with the distribution's Qt (not built with -sanitize thread) TSan
# reports hand-overs that Qt synchronises internally; tests/sanitizers/tsan.supp
# silences the ones it can name narrowly, the rest make this mode fail. It is
# meant for a Qt built with -sanitize thread; CI runs address.
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
set -euo pipefail

mode="${1:-address}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
supp="$root/tests/sanitizers"
jobs="${JOBS:-2}"

case "$mode" in
address)
    sanitize="address;undefined"
    build="${BUILD_DIR:-$root/build-asan}"
    ;;
thread)
    sanitize="thread"
    build="${BUILD_DIR:-$root/build-tsan}"
    ;;
*)
    echo "usage: $0 [address|thread] [ctest arguments]" >&2
    exit 2
    ;;
esac

"$root/scripts/deps.sh"

start=$SECONDS
generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Debug}" \
    -DQGOBRIDGE_SANITIZE="$sanitize" \
    -DQGOBRIDGE_BUILD_BENCH=OFF \
    -DQGOBRIDGE_BUILD_EXAMPLES=ON
cmake --build "$build" -j "$jobs"
echo "sanitize.sh: built in $((SECONDS - start)) s"

common="halt_on_error=1:print_stacktrace=1"
export UBSAN_OPTIONS="$common:report_error_type=1"
export ASAN_OPTIONS="$common:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
# die_after_fork=0: QProcess forks the multi-threaded test to exec python3;
# TSan's default kills such a child if anything starts a thread before exec.
export TSAN_OPTIONS="$common:second_deadlock_stack=1:die_after_fork=0:suppressions=$supp/tsan.supp:print_suppressions=0"
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
