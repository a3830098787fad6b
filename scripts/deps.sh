#!/usr/bin/env bash
# Installs what building and testing QGobridge needs on Debian 12, if it is missing.
# As root it installs with apt-get; otherwise it lists what is missing and fails.
set -euo pipefail

packages=(
    build-essential                # g++, make
    cmake                          # 3.21 or newer
    ninja-build
    qt6-base-dev                   # Qt 6 Core, Network, Test (and the GL headers Qt's CMake files want)
    python3                        # the workers; 3.9 or newer
    openssl                        # tests/python/test_remote.py makes its TLS certificates
    qt6-documentation-tools        # qdoc, for scripts/docs.sh
    qt6-charts-dev                 # Qt Charts: gobridge-inspector's Stats view
    # The QML module GoBridge (src/qml), its tests and examples/qml
    qt6-declarative-dev            # Qt Qml, Quick, QuickTest; qmltyperegistrar
    qml6-module-qtqml              # import QtQml
    qml6-module-qtqml-models
    qml6-module-qtqml-workerscript
    qml6-module-qtquick            # import QtQuick
    qml6-module-qtquick-window
    qml6-module-qtquick-layouts    # examples/qml
    qml6-module-qtquick-controls
    qml6-module-qtquick-templates
    qml6-module-qttest             # import QtTest (tests/auto/qml)
    xvfb                           # scripts/screenshot-qml.sh (xvfb-run)
    xauth
    imagemagick                    # scripts/screenshot-qml.sh checks the image
    fonts-dejavu-core              # text in the screenshot
)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi
if ((EUID != 0)); then
    echo "deps.sh: missing packages: ${missing[*]}" >&2
    echo "deps.sh: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
