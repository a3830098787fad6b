import QtQuick
import QtTest
import GoBridge
import "../common/gbtest.js" as GbTest

// GbPool's remote workers: real `python3 -m gobridge serve` processes on
// 127.0.0.1 (served, from the test runner), over plain TCP, TLS and mutual
// TLS, with this run's token and certificates.
Item {
    id: root

    Component {
        id: poolComponent
        GbPool {
            workers: 0
        }
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    function value(reply) {
        const outcome = GbTest.settled(testCase, GbTest.track(reply));
        testCase.verify(outcome.resolved === 1, outcome.error ? outcome.error.message : "");
        return outcome.value;
    }

    // A pool with no option set yet (closed), and a spy on its errors.
    function closedPool() {
        const pool = testCase.createTemporaryObject(poolComponent, root);
        const errors = testCase.createTemporaryObject(spyComponent, root,
                                                      { target: pool, signalName: "errorOccurred" });
        testCase.compare(pool.state, GbPool.Closed, "no script, no remote worker: no pool");
        return { pool: pool, errors: errors };
    }

    TestCase {
        id: testCase
        name: "GbPoolRemote"

        property string plainUrl
        property string tlsUrl
        property string mtlsUrl

        function initTestCase() {
            plainUrl = served.start("plain");
            tlsUrl = served.start("tls");
            mtlsUrl = served.start("mtls");
            verify(plainUrl !== "" && tlsUrl !== "" && mtlsUrl !== "", "the workers are served");
        }

        function test_defaults() {
            const pool = createTemporaryObject(poolComponent, root);
            compare(pool.remoteWorkers, []);
            compare(pool.remoteToken, "");
            compare(pool.caCertificates, []);
            compare(pool.workers, 0);
            compare(pool.clientCertificate, "");
            compare(pool.clientKey, "");
            compare(pool.remoteResolveInterval, 30000);
        }

        // The interval reaches the pool's options; a change re-creates it.
        function test_resolveInterval() {
            const t = closedPool();
            t.pool.remoteResolveInterval = -5;
            compare(t.pool.remoteResolveInterval, 0, "negative is 0");
            t.pool.remoteToken = served.token;
            t.pool.remoteWorkers = [plainUrl];
            tryCompare(t.pool, "state", GbPool.Running, 20000);
            compare(probe.resolveIntervalOf(t.pool), 0);
            const states = createTemporaryObject(spyComponent, root,
                                                 { target: t.pool, signalName: "stateChanged" });
            const changed = createTemporaryObject(
                    spyComponent, root,
                    { target: t.pool, signalName: "remoteResolveIntervalChanged" });
            t.pool.remoteResolveInterval = 250;
            t.pool.remoteResolveInterval = 250;
            compare(changed.count, 1, "once per change");
            tryCompare(t.pool, "state", GbPool.Running, 20000);
            tryCompare(states, "count", 3, 20000);
            compare(probe.resolveIntervalOf(t.pool), 250);
            compare(value(t.pool.call("add", [2, 3])), 5);
            compare(t.errors.count, 0);
        }

        // Without a script the pool has only its remote workers.
        function test_remoteOnly() {
            const pool = createTemporaryObject(poolComponent, root, {
                remoteWorkers: [plainUrl],
                remoteToken: served.token
            });
            // Initial properties (createObject()'s) and bindings alike.
            compare(pool.remoteWorkers, [plainUrl]);
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(pool.readyWorkers, 1);
            compare(value(pool.call("add", [20, 22])), 42);
        }

        function test_localAndRemote() {
            const pool = createTemporaryObject(poolComponent, root, {
                script: workerScript,
                workers: 1,
                remoteWorkers: [plainUrl],
                remoteToken: served.token
            });
            tryCompare(pool, "readyWorkers", 2, 20000);
            const replies = [];
            for (let i = 0; i < 8; ++i)
                replies.push(pool.call("add", [i, 1]));
            for (let i = 0; i < 8; ++i)
                compare(value(replies[i]), i + 1);
        }

        function test_tls_data() {
            const url = served.certificates + "ca.pem";
            return [
                { tag: "file URL", ca: url },
                { tag: "path", ca: url.replace(/^file:\/\//, "") },
            ];
        }

        function test_tls(data) {
            const pool = createTemporaryObject(poolComponent, root, {
                remoteWorkers: [tlsUrl],
                remoteToken: served.token,
                caCertificates: [data.ca]
            });
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(value(pool.call("add", [1, 2])), 3);
        }

        // The system's CAs do not know this run's CA: the pool says so.
        function test_untrustedWorker() {
            const t = closedPool();
            t.pool.remoteToken = served.token;
            t.pool.remoteWorkers = [tlsUrl];
            tryVerify(() => t.errors.count > 0, 20000);
            const error = t.errors.signalArguments[0][0];
            compare(error.code, "WorkerStartFailed");
            verify(/certificate|TLS|SSL/i.test(error.message), error.message);
            verify(t.pool.state !== GbPool.Running);
        }

        function test_mutualTls() {
            const t = closedPool();
            t.pool.remoteToken = served.token;
            t.pool.caCertificates = [served.certificates + "ca.pem"];
            t.pool.remoteWorkers = [mtlsUrl];
            // No client certificate: refused.
            tryVerify(() => t.errors.count > 0, 20000);
            verify(t.pool.state !== GbPool.Running);
            // With one (both properties change before the pool is re-created once).
            t.pool.clientCertificate = served.certificates + "client.pem";
            t.pool.clientKey = served.certificates + "client.key";
            tryCompare(t.pool, "state", GbPool.Running, 20000);
            compare(value(t.pool.call("add", [5, 6])), 11);
        }

        // A wrong token is refused; the right one re-creates the pool.
        function test_tokenChange() {
            const t = closedPool();
            t.pool.remoteWorkers = [plainUrl];
            t.pool.remoteToken = "not the token";
            tryVerify(() => t.errors.count > 0, 20000);
            verify(/Unauthorized|token/i.test(t.errors.signalArguments[0][0].message),
                   t.errors.signalArguments[0][0].message);
            t.pool.remoteToken = served.token;
            tryCompare(t.pool, "state", GbPool.Running, 20000);
            compare(value(t.pool.call("add", [2, 2])), 4);
        }

        function test_badFiles_data() {
            const dir = served.certificates;
            return [
                { tag: "missing CA file", properties: { caCertificates: [dir + "nothing.pem"] },
                  mention: "cannot read the CA certificates" },
                { tag: "CA file without a certificate", properties: { caCertificates: [workerScript] },
                  mention: "no PEM certificate" },
                { tag: "certificate without key",
                  properties: { clientCertificate: dir + "client.pem" },
                  mention: "clientCertificate and clientKey go together" },
                { tag: "key without certificate", properties: { clientKey: dir + "client.key" },
                  mention: "clientCertificate and clientKey go together" },
                { tag: "key file without a key",
                  properties: { clientCertificate: dir + "client.pem", clientKey: dir + "ca.pem" },
                  mention: "no unencrypted EC or RSA private key" },
                { tag: "missing key file",
                  properties: { clientCertificate: dir + "client.pem", clientKey: dir + "none.key" },
                  mention: "cannot read the client key" },
                { tag: "CA file not local", properties: { caCertificates: ["https://example.com/ca.pem"] },
                  mention: "not a local file or qrc: URL" },
            ];
        }

        // A file that does not load leaves the pool closed and says which.
        function test_badFiles(data) {
            const t = closedPool();
            t.pool.remoteToken = served.token;
            for (const name in data.properties)
                t.pool[name] = data.properties[name];
            t.pool.remoteWorkers = [tlsUrl];
            tryCompare(t.errors, "count", 1);
            const error = t.errors.signalArguments[0][0];
            compare(error.code, "WorkerStartFailed");
            verify(error.message.indexOf(data.mention) >= 0, error.message);
            compare(t.pool.state, GbPool.Closed);
            const outcome = GbTest.settled(testCase, GbTest.track(t.pool.call("add", [1, 2])));
            compare(outcome.error.code, "PoolClosed");
        }
    }
}
