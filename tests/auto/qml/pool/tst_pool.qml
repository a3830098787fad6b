import QtQuick
import QtTest
import GoBridge
import "../common/gbtest.js" as GbTest

Item {
    id: root

    GbPool {
        id: py
        script: workerScript
        workers: 1
        maxConnections: 4
    }

    Component {
        id: poolComponent
        GbPool {
            workers: 1
            maxConnections: 4
        }
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    function value(reply) {
        return GbTest.settled(testCase, GbTest.track(reply)).value;
    }

    TestCase {
        id: testCase
        name: "GbPool"
        when: py.state === GbPool.Running

        function test_defaults() {
            const pool = createTemporaryObject(poolComponent, root);
            compare(pool.state, GbPool.Closed, "no script, no pool");
            compare(pool.pythonExecutable, "python3");
            compare(pool.callTimeout, 0);
            compare(pool.functions, []);
            const outcome = GbTest.settled(this, GbTest.track(pool.call("add", [1, 2])));
            compare(outcome.error.code, "PoolClosed");
        }

        function test_stateAndReadyWorkers() {
            compare(py.readyWorkers, 1);
            const pool = createTemporaryObject(poolComponent, root,
                                               { script: workerScript, workers: 2 });
            compare(pool.state, GbPool.Starting, "created when complete");
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(pool.readyWorkers, 2);
        }

        function test_functions() {
            tryVerify(() => py.functions.length > 0);
            const byName = {};
            for (const f of py.functions)
                byName[f.name] = f;
            compare(byName.add.signature, "(a: int, b: int) -> int");
            compare(byName.add.doc, "Adds two numbers.");
            compare(byName.add.mode, "call");
            compare(byName.range_gen.mode, "server_stream");
            compare(byName.sum_stream.mode, "client_stream");
            compare(byName.process_users.mode, "bidi");
            // Parameters, and what a call may pass.
            compare(byName.add.params.length, 2);
            compare(byName.add.params[0].name, "a");
            compare(byName.add.params[0].kind, "positional_or_keyword");
            compare(byName.add.params[0].annotation, "int");
            compare(byName.add.params[0].stream, false);
            compare(byName.add.params[0].default, undefined);
            compare(byName.add.minimumArguments, 2);
            compare(byName.add.maximumArguments, 2);
            compare(byName.add.signatureKnown, true);
            compare(byName.sum_stream.params[0].annotation, "Iterator[int]");
            compare(byName.sum_stream.params[0].stream, true);
        }

        function test_knownFunctionRefusesWrongCalls() {
            tryVerify(() => py.functions.length > 0);
            let outcome = GbTest.settled(this, GbTest.track(py.call("add", [1, 2, 3])));
            compare(outcome.error.code, "BadArguments");
            compare(outcome.error.message, "add() takes 2 arguments (a, b), 3 given");
            outcome = GbTest.settled(this, GbTest.track(py.call("sum_stream", [[1, 2]])));
            compare(outcome.error.code, "BadArguments");
            verify(outcome.error.message.startsWith("sum_stream() reads a stream"),
                   outcome.error.message);
            compare(value(py.call("add", [1, 2])), 3);
        }

        function test_relativeScriptResolvesAgainstTheQmlFile() {
            // tests/auto/qml/pool/tst_pool.qml -> tests/auto/qml/common/qmlworker.py
            const pool = createTemporaryObject(poolComponent, root,
                                               { script: "../common/qmlworker.py" });
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(value(pool.call("script_name")), "qmlworker.py");
        }

        function test_qrcScript() {
            const pool = createTemporaryObject(poolComponent, root,
                                               { script: "qrc:/tests/qmlworker.py" });
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(value(pool.call("add", [2, 3])), 5);
        }

        function test_missingQrcScript() {
            const pool = createTemporaryObject(poolComponent, root);
            const errors = createTemporaryObject(spyComponent, root,
                                                 { target: pool, signalName: "errorOccurred" });
            pool.script = "qrc:/tests/no_such_worker.py";
            tryCompare(errors, "count", 1);
            compare(errors.signalArguments[0][0].code, "WorkerStartFailed");
            compare(pool.state, GbPool.Closed);
        }

        function test_keywordArguments() {
            compare(value(py.call("scaled", [2], { kwargs: { factor: 3 } })), 6);
            compare(value(py.call("scaled", [2], { kwargs: {} })), 2);
            const unknown = GbTest.settled(this, GbTest.track(
                    py.call("scaled", [2], { kwargs: { speed: 3 } })));
            compare(unknown.error.code, "BadArguments");
            verify(unknown.error.message.indexOf("speed") >= 0, unknown.error.message);
            const notAnObject = GbTest.settled(this, GbTest.track(
                    py.call("scaled", [2], { kwargs: [3] })));
            compare(notAnObject.error.code, "BadArguments");
            const notSendable = GbTest.settled(this, GbTest.track(
                    py.call("scaled", [2], { kwargs: { factor: () => 3 } })));
            compare(notSendable.error.code, "TypeMismatch");
            verify(notSendable.error.message.indexOf("kwargs.factor") >= 0,
                   notSendable.error.message);
        }

        function test_options() {
            const pool = createTemporaryObject(poolComponent, root, {
                script: workerScript,
                scriptArguments: ["--flag", "value"],
                environment: { QGB_QML_TEST: "hello" },
                workingDirectory: "/"
            });
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(value(pool.call("argv")), ["--flag", "value"]);
            compare(value(pool.call("env", ["QGB_QML_TEST"])), "hello");
            compare(value(pool.call("cwd")), "/");
        }

        function test_environmentAsList() {
            const pool = createTemporaryObject(poolComponent, root, {
                script: workerScript,
                environment: ["QGB_QML_TEST=from a list"]
            });
            tryCompare(pool, "state", GbPool.Running, 20000);
            compare(value(pool.call("env", ["QGB_QML_TEST"])), "from a list");
        }

        function test_changesRecreateThePoolOnce() {
            const pool = createTemporaryObject(poolComponent, root, {
                script: workerScript,
                environment: { QGB_QML_TEST: "first" }
            });
            tryCompare(pool, "state", GbPool.Running, 20000);
            const firstPid = value(pool.call("pid"));
            const running = GbTest.track(pool.call("wait", ["recreate1", 30]));
            GbTest.waitForEvent(this, pool, "recreate1 started");
            const states = createTemporaryObject(spyComponent, root,
                                                 { target: pool, signalName: "stateChanged" });
            const functionsSpy = createTemporaryObject(spyComponent, root,
                                                       { target: pool, signalName: "functionsChanged" });
            // Two changes in one turn: one new pool.
            pool.environment = { QGB_QML_TEST: "second" };
            pool.scriptArguments = ["again"];
            compare(pool.state, GbPool.Running, "re-created from the event loop");
            tryCompare(states, "count", 3, 20000);
            compare(pool.state, GbPool.Running);
            wait(100);
            compare(states.count, 3, "Running -> Closed -> Starting -> Running, once");
            compare(value(pool.call("env", ["QGB_QML_TEST"])), "second");
            compare(value(pool.call("argv")), ["again"]);
            verify(value(pool.call("pid")) !== firstPid);
            // The call that ran on the old pool failed.
            GbTest.settled(this, running);
            compare(running.error.code, "PoolClosed");
            // functions was emptied and fetched again.
            tryVerify(() => pool.functions.length > 0);
            compare(functionsSpy.count, 2);
        }

        function test_callTimeoutChangesNothingElse() {
            const pool = createTemporaryObject(poolComponent, root, { script: workerScript });
            tryCompare(pool, "state", GbPool.Running, 20000);
            const states = createTemporaryObject(spyComponent, root,
                                                 { target: pool, signalName: "stateChanged" });
            pool.callTimeout = 200;
            wait(50);
            compare(states.count, 0);
            const outcome = GbTest.settled(this, GbTest.track(pool.call("wait", ["timeout1", 30])));
            compare(outcome.error.code, "DeadlineExceeded");
        }

        function test_destroyedPoolRejectsRunningCalls() {
            const pool = createTemporaryObject(poolComponent, root, { script: workerScript });
            tryCompare(pool, "state", GbPool.Running, 20000);
            const reply = pool.call("wait", ["pooldestroyed", 30]);
            const outcome = GbTest.track(reply);
            GbTest.waitForEvent(this, pool, "pooldestroyed started");
            pool.destroy();
            GbTest.settled(this, outcome);
            compare(outcome.rejected, 1);
            compare(outcome.error.code, "PoolClosed");
            compare(reply.status, GbReply.Failed);
        }

        function test_workerCrashAndRestart() {
            const pool = createTemporaryObject(poolComponent, root, { script: workerScript });
            tryCompare(pool, "state", GbPool.Running, 20000);
            const started = createTemporaryObject(spyComponent, root,
                                                  { target: pool, signalName: "workerStarted" });
            const exited = createTemporaryObject(spyComponent, root,
                                                 { target: pool, signalName: "workerExited" });
            const pid = value(pool.call("pid"));
            const inFlight = GbTest.track(pool.call("wait", ["crash1", 30]));
            GbTest.waitForEvent(this, pool, "crash1 started");
            const crashing = GbTest.track(pool.call("crash", [7]));

            tryCompare(exited, "count", 1, 20000);
            compare(exited.signalArguments[0][0], 0, "worker 0");
            compare(exited.signalArguments[0][1], pid);
            compare(exited.signalArguments[0][2], 7, "exit code");
            compare(exited.signalArguments[0][3], false, "exited, not killed by a signal");

            GbTest.settled(this, inFlight);
            compare(inFlight.rejected, 1);
            compare(inFlight.error.code, "WorkerCrashed");
            compare(inFlight.error.retriable, true);
            GbTest.settled(this, crashing);
            compare(crashing.error.code, "WorkerCrashed");

            // Restarted: a new process that takes calls.
            tryCompare(started, "count", 1, 20000);
            compare(started.signalArguments[0][0], 0);
            verify(started.signalArguments[0][1] !== pid);
            tryCompare(pool, "readyWorkers", 1, 20000);
            compare(value(pool.call("pid")), started.signalArguments[0][1]);
        }
    }
}
