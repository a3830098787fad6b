#!/usr/bin/env bash
# Builds and installs a ThreadSanitizer-instrumented Qt (qtbase: Core, Network,
# Test, Concurrent) for scripts/sanitize.sh thread, once: a later run finds the
# install and its stamp and does nothing.
#
#   scripts/build-tsan-qt.sh
#
# Why: Debian's Qt is not built with -fsanitize=thread, so TSan does not see
# the synchronisation inside it (QMutex over futex, posted events, QThread::wait,
# QFutureInterface) and reports false races in every hand-over between threads.
# A Qt built with -DFEATURE_sanitize_thread=ON carries that instrumentation, and
# its QMutex tells TSan about its lock and unlock (qtsan_impl.h).
#
# What: the source of the Debian package the machine's Qt comes from
# (`apt-get source qt6-base` at the installed qt6-base-dev version, Debian's
# patches applied), configured like Debian's for Core and Network (system pcre2,
# zlib, double-conversion, libb2, ICU, OpenSSL loaded at run time) with these
# differences: -fsanitize=thread, -O1 -g, only Core, Network, Test and
# Concurrent (no Gui, Widgets, DBus, Sql, Xml, qmake, examples, tests), and:
# - no GLib: Qt's own UNIX event dispatcher replaces the GLib one, so no
#   uninstrumented event loop sits between QGobridge's threads;
# - no forkfd_pidfd: QProcess then starts the workers with fork() instead of
#   clone(CLONE_VM | CLONE_VFORK). GCC 12's TSan intercepts that clone() like
#   a fork, and its after-fork code, run by the child in the parent's memory,
#   leaves the parent thread ignoring its own synchronisation from then on:
#   every thread that started a QProcess then produced false races (a two-thread
#   program with a std::mutex hand-over shows it). The child still only execs.
# QGobridge's libraries, tests and examples need nothing else.
#
# Cost on the 2-core machine: 17 to 31 minutes of build (run under nice/ionice),
# 1.6 GB in the work dir while it builds, 280 MB installed; the build tree is
# removed afterwards. As root the script installs what it needs with apt-get and,
# when apt has no deb-src entry, adds one (Debian's own archive, same suites as
# /etc/apt/sources.list.d/debian.sources); otherwise it lists what is missing.
#
# Environment:
#   QGB_TSAN_QT            install prefix, default
#                          $HOME/.cache/qgobridge/qt6-tsan-6.4.2
#   QGB_TSAN_QT_WORK       download and build dir, default /tmp/qt-tsan-src
#   QGB_TSAN_QT_JOBS       parallel compile jobs, default 2
#   QGB_TSAN_QT_KEEP_BUILD 1 keeps the build tree after installing
set -euo pipefail

prefix="${QGB_TSAN_QT:-$HOME/.cache/qgobridge/qt6-tsan-6.4.2}"
work="${QGB_TSAN_QT_WORK:-/tmp/qt-tsan-src}"
jobs="${QGB_TSAN_QT_JOBS:-2}"
stamp="$prefix/qgobridge-tsan-qt.stamp"
# Heavy steps give way to everything else on the machine.
low=(nice -n 19 ionice -c3)

packages=(
    build-essential          # g++ (and its libtsan)
    cmake                    # 3.16 or newer for qtbase
    ninja-build
    perl                     # syncqt.pl
    pkg-config
    dpkg-dev                 # dpkg-source, for apt-get source
    xz-utils                 # the .orig.tar.xz
    libpcre2-dev             # QRegularExpression (Debian: system pcre2)
    zlib1g-dev               # qCompress, QNetworkAccessManager (system zlib)
    libdouble-conversion-dev # QString::number / QLocale (system double-conversion)
    libb2-dev                # QCryptographicHash BLAKE2 (system libb2)
    libicu-dev               # QLocale, QStringConverter, IDNA (ICU on, like Debian)
    libssl-dev               # the QtNetwork OpenSSL backend (loads libssl at run time)
)

# The Qt source to build: the Debian version of the Qt the project builds
# against otherwise, so both Qts have the same patches.
qt_version="$(dpkg-query -W -f='${source:Version}' qt6-base-dev 2>/dev/null || true)"
if [[ -z "$qt_version" ]]; then
    echo "build-tsan-qt.sh: qt6-base-dev is not installed (scripts/deps.sh installs it)" >&2
    exit 1
fi
case "$qt_version" in
6.4.2+*) ;;
*)
    echo "build-tsan-qt.sh: qt6-base-dev is $qt_version; this script builds 6.4.2" >&2
    echo "build-tsan-qt.sh: (set QGB_TSAN_QT to a prefix named for the new version and adjust it)" >&2
    exit 1
    ;;
esac

configure_args=(
    -G Ninja
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
    # -O1 -g instead of Qt's -O2 -g: readable TSan stacks, faster instrumented code
    # than -O0, shorter build than -O2.
    -DQT_USE_DEFAULT_CMAKE_OPTIMIZATION_FLAGS=ON
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
    "-DCMAKE_INSTALL_PREFIX=$prefix"
    -DFEATURE_sanitize_thread=ON
    -DQT_BUILD_EXAMPLES=OFF
    -DQT_BUILD_TESTS=OFF
    -DQT_BUILD_BENCHMARKS=OFF
    # Modules: Core is always built.
    -DFEATURE_network=ON
    -DFEATURE_testlib=ON
    -DFEATURE_concurrent=ON
    -DFEATURE_gui=OFF
    -DFEATURE_widgets=OFF
    -DFEATURE_printsupport=OFF
    -DFEATURE_dbus=OFF
    -DFEATURE_sql=OFF
    -DFEATURE_xml=OFF
    -DFEATURE_qmake=OFF
    -DFEATURE_androiddeployqt=OFF
    # Core and Network as Debian configures them, but for GLib (see the header).
    -DFEATURE_glib=OFF
    -DFEATURE_icu=ON
    -DFEATURE_pcre2=ON
    -DFEATURE_system_pcre2=ON
    -DFEATURE_system_zlib=ON
    -DFEATURE_doubleconversion=ON
    -DFEATURE_system_doubleconversion=ON
    -DFEATURE_system_libb2=ON
    -DFEATURE_mimetype_database=OFF
    -DFEATURE_forkfd_pidfd=OFF # QProcess forks instead of vfork-cloning (see the header)
    -DFEATURE_openssl=ON
    -DFEATURE_openssl_linked=OFF
    # Off, and not installed: nothing in QGobridge uses them.
    -DFEATURE_zstd=OFF
    -DFEATURE_journald=OFF
    -DFEATURE_lttng=OFF
    -DFEATURE_libproxy=OFF
    -DFEATURE_gssapi=OFF
)

want="qt6-base $qt_version; ${configure_args[*]}"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0 # built and installed already, with these settings
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]} > 0)); then
    if ((EUID != 0)); then
        echo "build-tsan-qt.sh: missing packages: ${missing[*]}" >&2
        echo "build-tsan-qt.sh: install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "build-tsan-qt.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

start=$SECONDS
echo "build-tsan-qt.sh: building ThreadSanitizer Qt from qt6-base $qt_version into $prefix"
echo "build-tsan-qt.sh: (once; 17 to 31 minutes on 2 cores)"
mkdir -p "$work"
cd "$work"

# The source package.
dsc="qt6-base_${qt_version#*:}.dsc"
if [[ ! -f "$dsc" ]]; then
    if ! apt-cache showsrc qt6-base 2>/dev/null | grep -qxF "Version: $qt_version"; then
        if ((EUID != 0)); then
            echo "build-tsan-qt.sh: apt knows no source for qt6-base $qt_version; add a deb-src" >&2
            echo "build-tsan-qt.sh: entry for Debian's archive and run apt-get update (as root)" >&2
            exit 1
        fi
        # Debian 12's deb822 sources: the same archives, with Types: deb-src.
        src_list=/etc/apt/sources.list.d/qgobridge-deb-src.sources
        echo "build-tsan-qt.sh: adding $src_list"
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src_list"
        apt-get update
    fi
    "${low[@]}" apt-get source --download-only "qt6-base=$qt_version"
fi
srcdir="$work/qt6-base-${qt_version#*:}"
srcdir="${srcdir%-*}" # without the Debian revision: qt6-base-6.4.2+dfsg
if [[ ! -f "$srcdir/.qgobridge-unpacked" ]]; then
    rm -rf "$srcdir"
    "${low[@]}" dpkg-source -x "$dsc" "$srcdir" # applies debian/patches
    touch "$srcdir/.qgobridge-unpacked"
fi

build="$work/build"
# Remove what a failed run left; never a prefix this script did not make.
if [[ -d "$prefix" && -n "$(ls -A "$prefix")" && ! -f "$prefix/.qgobridge-tsan-qt" ]]; then
    echo "build-tsan-qt.sh: $prefix exists and was not made by this script; not touching it" >&2
    exit 1
fi
rm -rf "$build" "$prefix"
mkdir -p "$prefix"
touch "$prefix/.qgobridge-tsan-qt"
"${low[@]}" cmake -S "$srcdir" -B "$build" "${configure_args[@]}"
"${low[@]}" cmake --build "$build" --parallel "$jobs"
"${low[@]}" cmake --install "$build"
echo "$want" >"$stamp"
if [[ "${QGB_TSAN_QT_KEEP_BUILD:-0}" != 1 ]]; then
    rm -rf "$build"
fi
echo "build-tsan-qt.sh: built and installed in $((SECONDS - start)) s ($(du -sh "$prefix" | cut -f1) in $prefix)"
