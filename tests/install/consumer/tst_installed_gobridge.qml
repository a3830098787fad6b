// Run by install_consumer with qmltestrunner -import <prefix>/<qml dir>:
// GoBridge from the installed tree, its worker from beside this file.
import QtQuick
import QtTest
import GoBridge

TestCase {
    name: "InstalledGoBridge"

    GbPool {
        id: py
        script: "worker.py"
        workers: 1
    }

    function test_call() {
        tryCompare(py, "state", GbPool.Running, 30000);
        let sum;
        py.call("add", [3, 4]).then(v => sum = v);
        tryVerify(() => sum === 7, 30000);
        let location;
        py.call("package_location").then(v => location = v);
        tryVerify(() => location !== undefined, 30000);
        verify(location.indexOf("/share/qgobridge/python/") >= 0, location);
    }
}
